//! Latin-script normalisation, weak tokens and romanisation-insensitive token keys.
//!
//! Every token is reduced to three forms:
//!
//! * `raw`: lower-case ASCII without diacritics or apostrophes (`Ch'ŏl` → `chol`);
//! * `skel`, the *skeleton*: a key in which the spellings that Korean (McCune–Reischauer,
//!   Revised Romanisation, common spellings), Japanese (Hepburn, Kunrei, long vowels) and
//!   Chinese (pinyin, Wade–Giles basics) romanisations disagree on are merged
//!   (`Yong`, `Young`, `Yeong` → `yong`; `Chol`, `Cheol`, `Chul` → `jor`; `Lee`, `Yi`, `Rhee` → `ri`);
//! * `loose`: the skeleton with `ng`/`n` and `oe`/`e` merged, used only for names written in
//!   kana, which cannot tell those sounds apart.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Honorifics and titles that are dropped from names before matching.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "madam",
    "mme",
    "mlle",
    "herr",
    "frau",
    "san",
    "sama",
    "shi",
    "ssi",
    "nim",
    "xiansheng",
];

/// Legal-form suffixes and function words. They are kept as *weak* tokens: they count a little
/// in the score but can never create a match on their own.
const WEAK: &[&str] = &[
    "co",
    "company",
    "companies",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "ag",
    "gmbh",
    "kg",
    "bv",
    "nv",
    "ab",
    "as",
    "oy",
    "pte",
    "pty",
    "pvt",
    "sdn",
    "bhd",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "ooo",
    "oao",
    "zao",
    "fze",
    "fzco",
    "fzc",
    "kk",
    "jv",
    "group",
    "holding",
    "holdings",
    "the",
    "of",
    "and",
    "for",
    "de",
    "del",
    "la",
    "le",
    "el",
    "des",
    "du",
    "y",
    "et",
    "und",
    "trading",
    "trade",
    "general",
    "international",
    "enterprise",
    "enterprises",
    "firm",
];

/// Legal forms written in CJK scripts, removed from the text before tokenising and replaced by
/// the weak token `co`.
pub(crate) const CJK_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "주식회사",
    "유한회사",
    "(주)",
    "㈜",
    "公司",
    "会社",
];

/// Abbreviations found in company names and the word they stand for (issue 17): `Tech` and
/// `Technology`, `Info` and `Information` are one word to the screener. Only abbreviations that
/// are not also common personal names are listed (`Dev`, `Eng` are names too).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("tech", "technology"),
    ("techn", "technology"),
    ("technol", "technology"),
    ("info", "information"),
    ("sci", "science"),
    ("intl", "international"),
    ("natl", "national"),
    ("mfg", "manufacturing"),
    ("inst", "institute"),
    ("univ", "university"),
    ("assoc", "association"),
    ("assn", "association"),
    ("svcs", "services"),
    ("dept", "department"),
];

/// The word a normalised token abbreviates, if it is one of [`ABBREVIATIONS`].
pub fn expand_abbreviation(t: &str) -> Option<&'static str> {
    ABBREVIATIONS.iter().find(|(a, _)| *a == t).map(|(_, w)| *w)
}

/// Whether a normalised token is an honorific to be dropped.
pub(crate) fn is_honorific(t: &str) -> bool {
    HONORIFICS.contains(&t)
}

/// Whether a normalised token is weak (a legal form or a function word). Words of five letters
/// or more also count when one letter is missing, doubled or wrong (`corporattion`, `limted`,
/// `cmpany`), so that a typo in a legal form does not turn it into a distinctive word.
pub(crate) fn is_weak(t: &str) -> bool {
    if WEAK.contains(&t) {
        return true;
    }
    let mut dedup = t.as_bytes().to_vec();
    dedup.dedup();
    if t.len() >= 4
        && dedup.len() >= 3
        && dedup.len() < t.len()
        && std::str::from_utf8(&dedup).is_ok_and(|d| WEAK.contains(&d))
    {
        return true;
    }
    if t.len() < 5 || t.len() > 16 || !t.is_ascii() {
        return false;
    }
    static FUZZY: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    let set = FUZZY.get_or_init(|| {
        let mut set = std::collections::HashSet::new();
        for w in WEAK.iter().filter(|w| w.len() >= 5) {
            set.insert((*w).to_string());
            for i in 0..w.len() {
                set.insert(format!("{}{}", &w[..i], &w[i + 1..]));
            }
        }
        set
    });
    set.contains(t) || (0..t.len()).any(|i| set.contains(&format!("{}{}", &t[..i], &t[i + 1..])))
}

/// Lower-cases, strips diacritics and apostrophes, and splits a Latin-script text into tokens.
pub(crate) fn latin_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            '\'' | '’' | '‘' | '`' | 'ʼ' | 'ʻ' | '´' => {}
            'ß' => cur.push_str("ss"),
            'æ' | 'Æ' => cur.push_str("ae"),
            'ø' | 'Ø' => cur.push('o'),
            'œ' | 'Œ' => cur.push_str("oe"),
            'đ' | 'Đ' | 'ð' => cur.push('d'),
            'ł' | 'Ł' => cur.push('l'),
            'ı' => cur.push('i'),
            c if c.is_alphanumeric() => cur.extend(c.to_lowercase()),
            _ => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Korean surnames whose romanisations differ in ways the general rules do not cover, mapped to
/// one canonical spelling.
fn surname_canonical(raw: &str) -> Option<&'static str> {
    Some(match raw {
        "lee" | "yi" | "i" | "rhee" | "rhie" | "li" | "ree" | "rhi" | "rii" | "ri" | "ni"
        | "lie" => "ri",
        "park" | "bak" | "bahk" | "pak" | "pack" | "paak" | "bark" => "pak",
        "gim" | "ghim" | "kimm" => "kim",
        "choi" | "chwe" | "choy" | "choe" | "chey" => "choe",
        "yu" | "yoo" | "you" | "lyu" | "rhyu" | "ryoo" | "ryu" | "lew" => "ryu",
        "lim" | "im" | "yim" | "rim" => "rim",
        "roh" | "no" | "noh" | "rho" | "lo" | "ro" => "ro",
        "yang" | "ryang" => "ryang",
        "yom" | "yeom" | "ryom" | "ryeom" => "ryom",
        "woo" | "wu" => "u",
        "oh" | "o" => "o",
        "pyon" | "byun" | "byeon" | "pyun" => "pyon",
        "paek" | "baek" | "paik" | "baik" | "back" => "paek",
        "suh" | "seo" | "so" => "so",
        "shin" | "sin" | "shinn" => "sin",
        "kang" | "gang" | "kahng" => "kang",
        _ => return None,
    })
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn replace_all(s: &mut Vec<u8>, from: &[u8], to: &[u8]) {
    if s.len() < from.len() || !s.windows(from.len()).any(|w| w == from) {
        return;
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    *s = out;
}

/// Computes the romanisation-insensitive skeleton of a normalised token (see the module docs).
/// Tokens with characters outside ASCII are returned unchanged.
pub(crate) fn skeleton(raw: &str) -> String {
    if !raw.is_ascii() || raw.is_empty() {
        return raw.to_string();
    }
    let raw = surname_canonical(raw).unwrap_or(raw);
    let mut s: Vec<u8> = raw.as_bytes().to_vec();
    // Consonant digraphs of MR, RR, Hepburn, pinyin and Wade–Giles.
    replace_all(&mut s, b"tch", b"j");
    replace_all(&mut s, b"ch", b"j");
    replace_all(&mut s, b"sh", b"s");
    replace_all(&mut s, b"ts", b"j");
    replace_all(&mut s, b"tz", b"j");
    replace_all(&mut s, b"zh", b"j");
    replace_all(&mut s, b"hs", b"s");
    if s.first() == Some(&b'x') {
        s[0] = b's';
    }
    // An `h` marking aspiration after `r` (`Rhee`) or vowel length (`oh`, `ah`) is dropped.
    let mut t = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        let c = s[i];
        if c == b'h' && i > 0 {
            let prev = s[i - 1];
            let next = s.get(i + 1).copied();
            if prev == b'r' {
                continue;
            }
            if is_vowel(prev) && next.is_none_or(|n| !is_vowel(n)) {
                continue;
            }
        }
        t.push(c);
    }
    s = t;
    // Protect `ng` from the g → k rule below.
    replace_all(&mut s, b"ng", b"N");
    // Vowels: ŏ/eo/o/u/eu/oo/ou collapse, as do ee/i and ae/ai/e.
    // Korean ㅢ (`ui`, `ŭi`) is commonly written `i` or `ee` (`Hui`/`Hee`/`Hi`).
    replace_all(&mut s, b"ui", b"i");
    replace_all(&mut s, b"yeo", b"yo");
    replace_all(&mut s, b"eo", b"o");
    replace_all(&mut s, b"eu", b"o");
    replace_all(&mut s, b"oo", b"o");
    replace_all(&mut s, b"ou", b"o");
    for c in s.iter_mut() {
        *c = match *c {
            b'u' => b'o',
            b'g' => b'k',
            b'd' => b't',
            b'b' => b'p',
            b'l' => b'r',
            b'z' => b'j',
            b'q' => b'j',
            b'f' => b'h',
            c => c,
        };
    }
    // Pinyin `x` starts a syllable (`xi`, Wade–Giles `hsi`); elsewhere `x` is `ks`.
    replace_all(&mut s, b"x", b"ks");
    replace_all(&mut s, b"ee", b"i");
    replace_all(&mut s, b"ae", b"e");
    replace_all(&mut s, b"ai", b"e");
    replace_all(&mut s, b"oi", b"oe");
    replace_all(&mut s, b"N", b"ng");
    s.dedup();
    String::from_utf8(s).unwrap_or_default()
}

/// The loose key of a skeleton (see the module docs).
pub(crate) fn loose(skel: &str) -> String {
    if !skel.is_ascii() {
        return skel.to_string();
    }
    let mut s = skel
        .replace("ng", "n")
        .replace("oe", "e")
        .replace("we", "e")
        .into_bytes();
    s.dedup();
    String::from_utf8(s).unwrap_or_default()
}

/// Simple transliteration of Cyrillic and Greek letters into Latin, enough to compare names.
/// Returns `None` when the character is neither.
pub(crate) fn cyrillic_greek(c: char) -> Option<&'static str> {
    let lc = c.to_lowercase().next().unwrap_or(c);
    Some(match lc {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_romanisations_share_a_skeleton() {
        for group in [
            &["yong", "young", "yeong", "yŏng"][..],
            &["chol", "cheol", "chul", "chŏl"][..],
            &["jong", "chong", "jeong", "jung", "cheong"][..],
            &["ri", "lee", "yi", "rhee", "i"][..],
            &["pak", "park", "bak"][..],
            &["kim", "gim"][..],
            &["choe", "choi"][..],
            &["sato", "satou", "satoh"][..],
            &["xi", "hsi"][..],
            &["hui", "hee", "hi", "hŭi"][..],
        ] {
            let keys: Vec<String> = group
                .iter()
                .map(|t| skeleton(&latin_tokens(t)[0]))
                .collect();
            assert!(
                keys.windows(2).all(|w| w[0] == w[1]),
                "{group:?} gave {keys:?}"
            );
        }
        assert_ne!(skeleton("kim"), skeleton("kin"));
        assert_ne!(skeleton("jong"), skeleton("jon"));
        assert_eq!(loose(&skeleton("jong")), loose(&skeleton("jon")));
    }

    #[test]
    fn latin_tokens_strip_marks_and_apostrophes() {
        assert_eq!(latin_tokens("KO Ch'o'l-Chae"), vec!["ko", "chol", "chae"]);
        assert_eq!(latin_tokens("Kim Yŏng-ch'ŏl"), vec!["kim", "yong", "chol"]);
    }

    #[test]
    fn misspelt_legal_forms_stay_weak() {
        for t in [
            "corporattion",
            "limted",
            "cmpany",
            "trrading",
            "corpoation",
            "lltd",
        ] {
            assert!(is_weak(t), "{t}");
        }
        for t in ["korea", "kinoatis", "tosong", "yongchol", "lee", "ssang"] {
            assert!(!is_weak(t), "{t}");
        }
    }
}
