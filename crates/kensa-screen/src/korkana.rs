//! Korean names written in katakana, from a complete table.
//!
//! Japanese writes Korean names in katakana by sound: `김정은` is `キム・ジョンウン`, `리영철`
//! `リ・ヨンチョル`, `박광호` `パク・クァンホ`, `황효경` `ファン・ヒョギョン`. Rather than a list
//! of examples, the table here is *generated* from every one of the 11,172 Hangul syllables
//! (initial × medial × final, Unicode §3.12) by the rules Japanese newspapers and the
//! Ministry of Foreign Affairs follow:
//!
//! * initial consonants choose a kana row — ㄱ カ/ガ, ㄷ タ/ダ, ㅂ パ/バ, ㅈ チャ/ジャ (both
//!   unvoiced and voiced, since the voicing depends on the position in the word and the writer),
//!   ㄴ ナ, ㄹ ラ, ㅁ マ, ㅅ サ, ㅇ ア, ㅊ チャ, ㅋ カ, ㅌ タ, ㅍ パ, ㅎ ハ;
//! * the vowel picks the column: ㅏ a, ㅓ/ㅗ o, ㅜ/ㅡ u, ㅣ i, ㅐ/ㅔ e, y-vowels with small ャュョ
//!   (`ヒョ`, `ギョ`, `リュ`), w-vowels with small ァィェォ (`グァ`, `クォ`, `フェ`, `ウィ`), ㅢ as
//!   ウィ or イ, ㅖ as エ (`ケ`, `ヘ`), and ㅈ/ㅊ/ㅅ, already palatal, without a y (`ジョ`, `ショ`);
//! * finals: ㄱ ク, ㄴ/ㅇ ン, ㄹ ル, ㅁ ム, ㅂ プ, ㄷ/ㅅ/ㅈ/ㅊ/ㅌ/ㅎ ッ.
//!
//! [`korean_readings`] reads a katakana name back: it splits it into the fewest table syllables
//! and returns, per syllable, the Revised Romanisation of the Hangul syllables that are written
//! that way (`ジョン` → `jeong`, `jeon`, `jong`, `jon`), which the matcher compares like a name
//! typed in Hangul. [`hangul_to_katakana`] writes Hangul in katakana (the benchmark's variants).

use crate::translit::{Romanisation, romanise_syllable};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A kana row: the kana for a, i, u, e, o.
type Row = [&'static str; 5];

const K: Row = ["カ", "キ", "ク", "ケ", "コ"];
const G: Row = ["ガ", "ギ", "グ", "ゲ", "ゴ"];
const N: Row = ["ナ", "ニ", "ヌ", "ネ", "ノ"];
const T: Row = ["タ", "ティ", "トゥ", "テ", "ト"];
const D: Row = ["ダ", "ディ", "ドゥ", "デ", "ド"];
const R: Row = ["ラ", "リ", "ル", "レ", "ロ"];
const M: Row = ["マ", "ミ", "ム", "メ", "モ"];
const P: Row = ["パ", "ピ", "プ", "ペ", "ポ"];
const B: Row = ["バ", "ビ", "ブ", "ベ", "ボ"];
const S: Row = ["サ", "シ", "ス", "セ", "ソ"];
const V: Row = ["ア", "イ", "ウ", "エ", "オ"];
const CH: Row = ["チャ", "チ", "チュ", "チェ", "チョ"];
const J: Row = ["ジャ", "ジ", "ジュ", "ジェ", "ジョ"];
const H: Row = ["ハ", "ヒ", "フ", "ヘ", "ホ"];

/// The rows an initial consonant (index 0–18) is written with, most usual first.
fn rows(initial: usize) -> &'static [Row] {
    match initial {
        0 => &[K, G],   // ㄱ
        1 => &[K],      // ㄲ
        2 => &[N],      // ㄴ
        3 => &[T, D],   // ㄷ
        4 => &[T],      // ㄸ
        5 => &[R],      // ㄹ
        6 => &[M],      // ㅁ
        7 => &[P, B],   // ㅂ
        8 => &[P],      // ㅃ
        9 => &[S],      // ㅅ
        10 => &[S],     // ㅆ
        11 => &[V],     // ㅇ
        12 => &[J, CH], // ㅈ
        13 => &[CH],    // ㅉ
        14 => &[CH],    // ㅊ
        15 => &[K],     // ㅋ
        16 => &[T],     // ㅌ
        17 => &[P],     // ㅍ
        _ => &[H],      // ㅎ
    }
}

/// The kana of a row and a medial vowel (index 0–20).
fn cv(row: &Row, medial: usize) -> String {
    let palatal = *row == CH || *row == J;
    let (a, i, u, e, o) = (row[0], row[1], row[2], row[3], row[4]);
    let vowel = *row == V;
    let y = |small: &str| -> String {
        if vowel {
            match small {
                "ャ" => "ヤ".into(),
                "ュ" => "ユ".into(),
                _ => "ヨ".into(),
            }
        } else if palatal {
            match small {
                "ャ" => a.into(),
                "ュ" => u.into(),
                _ => o.into(),
            }
        } else if *row == S {
            format!("シ{small}")
        } else {
            // The i-kana's consonant with a small y-kana: キ → キャ; ティ/ディ keep their own.
            // ティ/ディ have no y-forms of their own: テ/デ with the small kana.
            let base = if i.ends_with('ィ') { e } else { i };
            format!("{base}{small}")
        }
    };
    let w = |small: &str, vowel_form: &str| -> String {
        if vowel {
            vowel_form.into()
        } else {
            let base = u.trim_end_matches('ゥ');
            format!("{base}{small}")
        }
    };
    match medial {
        0 => a.into(),     // ㅏ
        1 | 5 => e.into(), // ㅐ ㅔ
        2 => y("ャ"),      // ㅑ
        3 | 7 => {
            // ㅒ ㅖ: イェ on its own, エ-column after a consonant (계 ケ, 혜 ヘ, 례 レ).
            if vowel { "イェ".into() } else { e.into() }
        }
        4 | 8 => o.into(),          // ㅓ ㅗ
        6 | 12 => y("ョ"),          // ㅕ ㅛ
        9 => w("ァ", "ワ"),         // ㅘ
        10 | 15 => w("ェ", "ウェ"), // ㅙ ㅞ
        11 => {
            // ㅚ: ウェ, after palatals and ㅅ the e-kana (최 チェ, 쇠 セ).
            if palatal || *row == S {
                e.into()
            } else {
                w("ェ", "ウェ")
            }
        }
        13 | 18 => u.into(),   // ㅜ ㅡ
        14 => w("ォ", "ウォ"), // ㅝ
        16 => w("ィ", "ウィ"), // ㅟ
        17 => y("ュ"),         // ㅠ
        19 => {
            // ㅢ: ウィ on its own, the i-kana after a consonant (희 ヒ).
            if vowel { "ウィ".into() } else { i.into() }
        }
        _ => i.into(), // ㅣ
    }
}

/// The kana of a final consonant (index 0–27).
fn coda(t: usize) -> &'static str {
    match t {
        0 => "",
        1..=3 | 9 | 24 => "ク",
        4..=6 | 21 => "ン",
        8 | 11..=13 | 15 => "ル",
        10 | 16 => "ム",
        14 | 17 | 18 | 26 => "プ",
        _ => "ッ",
    }
}

/// Every katakana rendering of a Hangul syllable, the most usual first; empty for any other
/// character.
pub fn syllable_katakana(c: char) -> Vec<String> {
    if !crate::translit::is_hangul_syllable(c) {
        return Vec::new();
    }
    let s = c as usize - 0xAC00;
    let (l, v, t) = (s / 588, (s % 588) / 28, s % 28);
    let mut out: Vec<String> = Vec::new();
    for row in rows(l) {
        let k = format!("{}{}", cv(row, v), coda(t));
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Hangul text in katakana, syllable by syllable (the first rendering of each; a word-initial
/// ㄱ/ㄷ/ㅂ unvoiced, later ones voiced, as Japanese usually writes them); other characters
/// are copied.
pub fn hangul_to_katakana(text: &str) -> String {
    let mut out = String::new();
    let mut in_word = false;
    for c in text.chars() {
        let r = syllable_katakana(c);
        if r.is_empty() {
            out.push(c);
            in_word = false;
            continue;
        }
        let s = c as usize - 0xAC00;
        let voiced_later = matches!(s / 588, 0 | 3 | 7);
        out.push_str(if in_word && voiced_later && r.len() > 1 {
            &r[1]
        } else {
            &r[0]
        });
        in_word = true;
    }
    out
}

/// Katakana syllable → the Revised Romanisations of the Hangul syllables written that way,
/// most usual first, distinct.
fn table() -> &'static HashMap<String, Vec<String>> {
    static T: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m: HashMap<String, Vec<(u8, String)>> = HashMap::new();
        for cp in 0xAC00u32..=0xD7A3 {
            let c = char::from_u32(cp).unwrap_or('가');
            let s = (cp - 0xAC00) as usize;
            let (v, t) = ((s % 588) / 28, s % 28);
            let Some(rr) = romanise_syllable(c, Romanisation::Revised) else {
                continue;
            };
            // Usualness: plain vowels and the common finals (none, ㄱ ㄴ ㄹ ㅁ ㅂ ㅇ) first;
            // rare vowels (ㅒ ㅖ ㅙ ㅞ ㅢ and y-vowels after palatals) and rare finals last.
            let rare_vowel = matches!(v, 3 | 7 | 10 | 15 | 19);
            let rare_final = !matches!(t, 0 | 1 | 4 | 8 | 16 | 17 | 21);
            let rank = u8::from(rare_vowel) + u8::from(rare_final) * 2;
            for k in syllable_katakana(c) {
                m.entry(k).or_default().push((rank, rr.clone()));
            }
        }
        m.into_iter()
            .map(|(k, mut v)| {
                v.sort();
                let mut out: Vec<String> = Vec::new();
                for (_, r) in v {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
                (k, out)
            })
            .collect()
    })
}

/// The longest katakana syllable in the table, in characters.
const MAX_SYLLABLE: usize = 4;

/// Reads a katakana word as Korean syllables: the fewest syllables of the table that spell
/// it, each with its candidate romanisations (at most `max_forms`, most usual first). `None`
/// when the word is not all katakana or cannot be spelled with the table.
pub fn korean_readings(word: &str, max_forms: usize) -> Option<Vec<Vec<String>>> {
    let chars: Vec<char> = word.chars().filter(|c| *c != 'ー').collect();
    if chars.is_empty() || !chars.iter().all(|c| ('\u{30A1}'..='\u{30FA}').contains(c)) {
        return None;
    }
    let t = table();
    let n = chars.len();
    // best[i] = (syllables, previous cut) for the prefix of length i.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for i in 0..n {
        let Some((count, _)) = best[i] else { continue };
        for len in 1..=MAX_SYLLABLE.min(n - i) {
            let piece: String = chars[i..i + len].iter().collect();
            if t.contains_key(&piece) && best[i + len].is_none_or(|(c, _)| count + 1 < c) {
                best[i + len] = Some((count + 1, i));
            }
        }
    }
    best[n]?;
    let mut cuts = vec![n];
    let mut at = n;
    while at > 0 {
        at = best[at]?.1;
        cuts.push(at);
    }
    cuts.reverse();
    Some(
        cuts.windows(2)
            .map(|w| {
                let piece: String = chars[w[0]..w[1]].iter().collect();
                t[&piece].iter().take(max_forms).cloned().collect()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_are_written_as_japanese_writes_korean_names() {
        let k = |s: &str| hangul_to_katakana(s);
        assert_eq!(k("김정은"), "キムジョンウン");
        assert_eq!(k("리영철"), "リヨンチョル");
        assert_eq!(k("박 광호"), "パク クァンホ");
        assert_eq!(k("황효경"), "ファンヒョギョン");
        assert_eq!(k("최룡해"), "チェリョンヘ");
        assert_eq!(k("의"), "ウィ");
        assert_eq!(k("원"), "ウォン");
        assert_eq!(k("성혁"), "ソンヒョク");
        assert_eq!(k("계"), "ケ");
        assert!(syllable_katakana('광').contains(&"グァン".to_string()));
        assert!(syllable_katakana('교').contains(&"ギョ".to_string()));
    }

    #[test]
    fn every_syllable_has_a_rendering_that_reads_back() {
        for cp in 0xAC00u32..=0xD7A3 {
            let c = char::from_u32(cp).unwrap();
            let rr = romanise_syllable(c, Romanisation::Revised).unwrap();
            for k in syllable_katakana(c) {
                let r = korean_readings(&k, usize::MAX)
                    .unwrap_or_else(|| panic!("{c} {k} does not read back"));
                assert!(k.chars().count() <= MAX_SYLLABLE, "{c} {k}");
                // One syllable, or a split the table finds shorter (never longer).
                assert!(r.len() == 1, "{c} {k} read as {r:?}");
                assert!(r[0].contains(&rr), "{c} {k}: {rr} not in {:?}", r[0]);
            }
        }
    }

    #[test]
    fn katakana_names_read_as_korean_syllables() {
        let r = korean_readings("ジョンウン", 4).unwrap();
        assert_eq!(r.len(), 2);
        assert!(r[0].contains(&"jeong".to_string()), "{r:?}");
        assert!(r[1].contains(&"eun".to_string()), "{r:?}");
        let r = korean_readings("ヨンチョル", 4).unwrap();
        assert!(
            r[0].contains(&"yeong".to_string()) && r[1].contains(&"cheol".to_string()),
            "{r:?}"
        );
        let r = korean_readings("キム", 4).unwrap();
        assert_eq!(r.len(), 1);
        assert!(
            r[0].contains(&"gim".to_string()) && r[0].contains(&"kim".to_string()),
            "{r:?}"
        );
        assert!(korean_readings("さとう", 4).is_none());
    }
}
