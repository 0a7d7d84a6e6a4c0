//! Transliteration of Hangul, kana and Han characters into Latin letters.
//!
//! * Hangul syllables are decomposed algorithmically (Unicode §3.12) into initial, medial and
//!   final jamo and romanised from tables, in Revised Romanisation or McCune–Reischauer.
//! * Kana are romanised with `wana_kana` (modified Hepburn). Because Japanese writes Korean
//!   names in katakana (`キム・ジョンウン`, `リ・ヨンチョル`), a second, "Korean-style" reading
//!   drops the vowel that katakana must add after a final consonant (`kimu` → `kim`).
//! * Han characters are read through a compact table derived from Unicode Unihan (Korean
//!   `kHangul`, Mandarin `kMandarin`, Japanese `kJapaneseOn`/`kJapaneseKun`), embedded in the
//!   crate; see `data/gen-unihan.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Korean romanisation systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Romanisation {
    /// Revised Romanisation of Korean (South Korea, 2000).
    Revised,
    /// McCune–Reischauer, as used by North Korea and by OFAC and the UN for DPRK names,
    /// written without breves and apostrophes.
    McCuneReischauer,
}

const RR_INITIAL: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MR_INITIAL: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t",
    "p", "h",
];
const RR_MEDIAL: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const MR_MEDIAL: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
];
const FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Whether `c` is a precomposed Hangul syllable.
pub fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Whether `c` is a hiragana or katakana character (including the prolonged sound mark).
pub fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}')
}

/// Whether `c` is a CJK unified or compatibility ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}' | '々')
}

/// Romanises one Hangul syllable; returns `None` for any other character.
pub fn romanise_syllable(c: char, system: Romanisation) -> Option<String> {
    if !is_hangul_syllable(c) {
        return None;
    }
    let s = c as u32 - 0xAC00;
    let (l, v, t) = (
        (s / 588) as usize,
        ((s % 588) / 28) as usize,
        (s % 28) as usize,
    );
    let (ini, med) = match system {
        Romanisation::Revised => (RR_INITIAL, RR_MEDIAL),
        Romanisation::McCuneReischauer => (MR_INITIAL, MR_MEDIAL),
    };
    let mut out = String::with_capacity(6);
    out.push_str(ini[l]);
    out.push_str(med[v]);
    out.push_str(FINAL[t]);
    Some(out)
}

/// Romanises a Hangul text syllable by syllable, joining the syllables of a word with `-` and
/// copying other characters. `김정은` gives `gim-jeong-eun` (Revised) or `kim-chong-un` (MR).
pub fn romanise_hangul(text: &str, system: Romanisation) -> String {
    let mut out = String::new();
    let mut prev_syllable = false;
    for c in text.chars() {
        match romanise_syllable(c, system) {
            Some(r) => {
                if prev_syllable {
                    out.push('-');
                }
                out.push_str(&r);
                prev_syllable = true;
            }
            None => {
                out.push(c);
                prev_syllable = false;
            }
        }
    }
    out
}

/// Romanises kana with modified Hepburn (`ヨンチョル` → `yonchoru`).
pub fn kana_to_romaji(text: &str) -> String {
    use wana_kana::ConvertJapanese;
    text.to_romaji().to_lowercase()
}

/// The "Korean-style" reading of romanised katakana: the epenthetic `u` after a final
/// consonant is dropped (`kimu` → `kim`, `yonchoru` → `yonchor`, `paku` → `pak`).
pub(crate) fn korean_style_romaji(romaji: &str) -> String {
    let b = romaji.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    for i in 0..b.len() {
        if b[i] == b'u' && i > 0 && matches!(b[i - 1], b'm' | b'r' | b'k' | b'p' | b'l') {
            // Keep `u` where it follows `y` or is part of `ts`/`ky`-style clusters.
            let before = if i >= 2 { b[i - 2] } else { b' ' };
            let next = b.get(i + 1).copied();
            let next_is_consonant =
                next.is_none_or(|n| !matches!(n, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'));
            if before != b'y' && next_is_consonant {
                continue;
            }
        }
        out.push(b[i]);
    }
    String::from_utf8(out).unwrap_or_else(|_| romaji.to_string())
}

/// The readings of one Han character.
#[derive(Debug, Default, Clone)]
pub struct HanReadings {
    /// Korean readings, romanised (Revised Romanisation).
    pub korean: Vec<String>,
    /// Mandarin readings in pinyin without tones.
    pub mandarin: Vec<String>,
    /// Japanese on and kun readings in Hepburn.
    pub japanese: Vec<String>,
}

static UNIHAN: &str = include_str!("../data/unihan-readings.tsv");

fn han_table() -> &'static HashMap<char, HanReadings> {
    static TABLE: OnceLock<HashMap<char, HanReadings>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::with_capacity(13_000);
        for line in UNIHAN.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let Some(ch) = cols.next().and_then(|c| c.chars().next()) else {
                continue;
            };
            let words = |s: Option<&str>| {
                s.unwrap_or("")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            let korean = words(cols.next())
                .iter()
                .filter_map(|h| {
                    h.chars()
                        .next()
                        .and_then(|c| romanise_syllable(c, Romanisation::Revised))
                })
                .collect();
            let mandarin = words(cols.next());
            let mut japanese = words(cols.next());
            japanese.extend(words(cols.next()));
            map.insert(
                ch,
                HanReadings {
                    korean,
                    mandarin,
                    japanese,
                },
            );
        }
        map
    })
}

/// The readings of a Han character, when the embedded table has it.
pub fn han_readings(c: char) -> Option<&'static HanReadings> {
    han_table().get(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_romanises_in_both_systems() {
        assert_eq!(
            romanise_hangul("김정은", Romanisation::Revised),
            "gim-jeong-eun"
        );
        assert_eq!(
            romanise_hangul("김정은", Romanisation::McCuneReischauer),
            "kim-chong-un"
        );
        assert_eq!(
            romanise_hangul("리영철", Romanisation::McCuneReischauer),
            "ri-yong-chol"
        );
    }

    #[test]
    fn kana_romanises() {
        assert_eq!(kana_to_romaji("ヨンチョル"), "yonchoru");
        assert_eq!(korean_style_romaji("yonchoru"), "yonchor");
        assert_eq!(korean_style_romaji("kimu"), "kim");
        assert_eq!(kana_to_romaji("さとう"), "satou");
    }

    #[test]
    fn han_table_reads_names() {
        let r = han_readings('金').expect("金 is in the table");
        assert!(r.korean.contains(&"gim".to_string()));
        assert_eq!(r.mandarin, vec!["jin"]);
        assert!(r.japanese.contains(&"kane".to_string()));
    }
}
