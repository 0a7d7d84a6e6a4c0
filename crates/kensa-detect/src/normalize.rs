//! Identity normalisation, in one place: names, free text (résumés), e-mail addresses, phone
//! numbers, postal addresses, document numbers, payout destinations and wallets. The link graph
//! and the detectors compare identifiers only through these functions, so that two detectors
//! never disagree about whether two values are "the same". Pure functions, no I/O.

use kensa_model::record::{Address, Bank, Crypto};

pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Legal forms of organisations (`Inc`, `Ltd`, `KK`...): not part of what names one.
pub const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "co",
    "company",
    "corp",
    "corporation",
    "gmbh",
    "kk",
    "plc",
    "pte",
];

/// An organisation's name without its legal form, lower case: `Acme Co., Ltd.` → `acme`.
pub fn company(s: &str) -> String {
    collapse(s)
        .split(' ')
        .filter(|w| !LEGAL_FORMS.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words that name an organisation or institution, for comparing two spellings of one:
/// lower case, legal forms and filler words (`of`, `the`, `and`) dropped, abbreviations
/// expanded as sanctions screening expands them ([`kensa_screen::expand_abbreviation`]:
/// `Tokyo Inst. of Tech.` → `tokyo institute technology`).
pub fn organisation_words(s: &str) -> Vec<String> {
    collapse(s)
        .split(' ')
        .filter(|w| {
            !w.is_empty() && !LEGAL_FORMS.contains(w) && !matches!(*w, "of" | "the" | "and")
        })
        .map(|w| kensa_screen::expand_abbreviation(w).unwrap_or(w).to_owned())
        .collect()
}

/// Normalised postal address: street lines, then postal code (or city), then country; `None`
/// without a street line.
pub fn normalize_address(a: &Address) -> Option<String> {
    let street = collapse(&format!(
        "{} {}",
        a.line1.as_deref().unwrap_or(""),
        a.line2.as_deref().unwrap_or("")
    ));
    if street.is_empty() {
        return None;
    }
    let place = a
        .postal_code
        .as_deref()
        .map(collapse)
        .filter(|p| !p.is_empty())
        .or_else(|| a.city.as_deref().map(collapse))
        .unwrap_or_default();
    let cc = a
        .country
        .as_ref()
        .map(|c| c.as_str().to_ascii_lowercase())
        .unwrap_or_default();
    Some(format!("{street}|{place}|{cc}"))
}

pub fn normalize_email(s: &str) -> Option<String> {
    let t = s.trim().to_lowercase();
    (t.contains('@') && t.len() > 3).then_some(t)
}

pub fn normalize_phone(s: &str, min_digits: usize) -> Option<String> {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= min_digits.max(1)).then_some(d)
}

/// A wallet address: `0x` addresses are case-insensitive (EIP-55 is only a checksum); others
/// (base58, bech32 mixed case matters for base58) are kept as given.
pub fn normalize_wallet(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    // `0x` (hex) and `bc1` (bech32) addresses are case-insensitive; base58 is not.
    let lower = t.to_ascii_lowercase();
    if (t.len() > 2 && lower.starts_with("0x")) || lower.starts_with("bc1") {
        Some(lower)
    } else {
        Some(t.to_owned())
    }
}

pub fn alnum_upper(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The identifier of an identity-document number: upper-case alphanumerics, at least six.
/// The issuing country is deliberately not part of it: one forged passport number reused
/// under several claimed nationalities is exactly the pattern to catch, and a coincidence of
/// six or more characters across countries is rare.
pub fn doc_key(number: &str) -> Option<String> {
    Some(alnum_upper(number)).filter(|n| n.len() >= 6)
}

/// The identifier of an identity-document number *with its issuing country*: `CC:NUMBER`
/// (upper-case alphanumerics, at least four; `??` when the country is not given). For checks
/// that count two documents as one only when the same country issued them (the id_document
/// detector); the link graph uses [`doc_key`], which leaves the country out on purpose.
pub fn doc_number_key(country: Option<&str>, number: &str) -> Option<String> {
    let n = alnum_upper(number);
    (n.len() >= 4).then(|| format!("{}:{n}", country.unwrap_or("??")))
}

/// The identifier of a document or photo image by its hash (hex SHA-256): trimmed, ASCII
/// lower case; `None` when empty.
pub fn image_hash_key(h: &str) -> Option<String> {
    let t = h.trim();
    (!t.is_empty()).then(|| t.to_ascii_lowercase())
}

/// The identifier of a payout destination: IBAN, else account number + bank, else wallet
/// address, else the platform's `account_id`.
pub fn payout_key(
    account_id: Option<&str>,
    bank: Option<&Bank>,
    crypto: Option<&Crypto>,
) -> Option<String> {
    if let Some(b) = bank {
        if let Some(iban) = b.iban.as_deref().map(alnum_upper).filter(|s| s.len() > 8) {
            return Some(format!("iban:{iban}"));
        }
        if let Some(n) = b
            .account_number
            .as_deref()
            .map(alnum_upper)
            .filter(|s| s.len() >= 4)
        {
            let bank = b
                .bic
                .as_deref()
                .map(|x| alnum_upper(x).chars().take(8).collect::<String>())
                .filter(|x| !x.is_empty())
                .or_else(|| b.bank_name.as_deref().map(collapse))
                .unwrap_or_default();
            return Some(format!("acct:{bank}:{n}"));
        }
    }
    if let Some(addr) = crypto
        .and_then(|c| c.address.as_deref())
        .and_then(normalize_wallet)
    {
        return Some(format!("wallet:{addr}"));
    }
    let id = account_id?.trim();
    if id.is_empty() {
        return None;
    }
    // `paypal:<email>` and similar: the e-mail part is case-insensitive.
    Some(match id.split_once(':') {
        Some((p, rest)) if rest.contains('@') => {
            format!("{}:{}", p.to_lowercase(), rest.to_lowercase())
        }
        _ => id.to_owned(),
    })
}

/// A stable 64-bit FNV-1a hash (text fingerprints; independent of Rust's hasher).
pub fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Fingerprint of a résumé text, or `None` when it is too short to identify anyone.
pub fn text_fingerprint(s: &str, min_chars: usize) -> Option<String> {
    let n = collapse(s);
    if n.chars().count() < min_chars {
        return None;
    }
    let head: String = n.chars().take(32).collect();
    Some(format!("{:016x} {head}…", fnv64(&n)))
}

/// Folds the common Latin letters with diacritics to their base letter (upper case). Full
/// Unicode decomposition would need a table crate; this covers Latin-1 and Latin Extended-A,
/// which is what names on Latin-script documents use.
pub fn fold_latin(c: char) -> char {
    let u = c.to_uppercase().next().unwrap_or(c);
    match u {
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => 'A',
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => 'C',
        'Ď' | 'Đ' => 'D',
        'È'..='Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => 'E',
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => 'G',
        'Ĥ' | 'Ħ' => 'H',
        'Ì'..='Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => 'I',
        'Ĵ' => 'J',
        'Ķ' => 'K',
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => 'L',
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' => 'N',
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => 'O',
        'Ŕ' | 'Ŗ' | 'Ř' => 'R',
        'Ś' | 'Ŝ' | 'Ş' | 'Š' => 'S',
        'Ţ' | 'Ť' | 'Ŧ' => 'T',
        'Ù'..='Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => 'U',
        'Ŵ' => 'W',
        'Ý' | 'Ÿ' | 'Ŷ' => 'Y',
        'Ź' | 'Ż' | 'Ž' => 'Z',
        other => other,
    }
}

/// Upper-case, diacritics folded, punctuation turned into spaces, whitespace collapsed.
pub fn normalize_words(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(fold_latin)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The set of tokens of a name after [`normalize_words`], sorted.
pub fn name_tokens(s: &str) -> Vec<String> {
    let mut v: Vec<String> = normalize_words(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Whether a string is written in Latin script only (after folding), so that a simple token
/// comparison means something.
pub fn is_latin(s: &str) -> bool {
    s.chars()
        .map(fold_latin)
        .all(|c| c.is_ascii() || !c.is_alphabetic())
}

/// Lower-cased text with punctuation removed and whitespace collapsed: two texts that differ
/// only in formatting compare equal.
pub fn normalize_text(s: &str) -> String {
    let mapped: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_diacritics_and_punctuation() {
        assert_eq!(
            name_tokens("José  Muñoz-García"),
            ["GARCIA", "JOSE", "MUNOZ"]
        );
        assert!(is_latin("Zoë O'Brien"));
        assert!(!is_latin("山田 太郎"));
    }

    #[test]
    fn document_keys_keep_or_drop_the_country() {
        assert_eq!(
            doc_number_key(Some("US"), "a1234-5678").as_deref(),
            Some("US:A12345678")
        );
        assert_eq!(doc_number_key(None, "x-12 3").as_deref(), Some("??:X123"));
        assert_eq!(doc_number_key(Some("JP"), "A-1"), None);
        assert_eq!(doc_key("a1234-5678").as_deref(), Some("A12345678"));
        assert_eq!(image_hash_key(" FF00 ").as_deref(), Some("ff00"));
        assert_eq!(image_hash_key("  "), None);
    }
}
