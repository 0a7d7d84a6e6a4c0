//! Identifiers with real check digits: IBAN (ISO 13616, mod-97), ICAO 9303 TD3 passport MRZ,
//! TRON (base58check) and Ethereum addresses.

use sha2::{Digest, Sha256};

use crate::rng::Rng;

fn mod97(digits_and_letters: &str) -> u32 {
    let mut rem: u32 = 0;
    for c in digits_and_letters.chars() {
        let v = if c.is_ascii_digit() {
            c as u32 - '0' as u32
        } else {
            c.to_ascii_uppercase() as u32 - 'A' as u32 + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem
}

/// Build an IBAN from a country code and BBAN, computing the two check digits.
pub fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let check = 98 - mod97(&rearranged);
    format!("{country}{check:02}{bban}")
}

/// Whether an IBAN (spaces allowed) passes the mod-97 check.
pub fn iban_is_valid(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() < 15 || s.len() > 34 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let (head, tail) = s.split_at(4);
    mod97(&format!("{tail}{head}")) == 1
}

/// ICAO 9303 check digit (weights 7, 3, 1; `<` = 0, A = 10 ... Z = 35).
pub fn mrz_check(field: &str) -> char {
    const W: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let v = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            v * W[i % 3]
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

/// Transliterate a name part for the MRZ: upper-case A–Z, separators become `<`.
pub fn mrz_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'ä' | 'Ä' => "AE".to_string(),
            'ö' | 'Ö' => "OE".to_string(),
            'ü' | 'Ü' => "UE".to_string(),
            'ß' => "SS".to_string(),
            'é' | 'è' | 'ê' | 'É' => "E".to_string(),
            'á' | 'à' | 'â' | 'ã' | 'Á' => "A".to_string(),
            'ó' | 'ô' | 'õ' => "O".to_string(),
            'í' => "I".to_string(),
            'ú' => "U".to_string(),
            'ç' => "C".to_string(),
            ' ' | '-' | '\'' | '.' => "<".to_string(),
            c if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
            _ => String::new(),
        };
        out.push_str(&c);
    }
    out
}

fn pad(s: &str, n: usize) -> String {
    let mut s: String = s.chars().take(n).collect();
    while s.len() < n {
        s.push('<');
    }
    s
}

/// Fields of a TD3 (passport) machine-readable zone.
pub struct Td3<'a> {
    /// Issuing state, ICAO code (e.g. `USA`, `JPN`, `D` for Germany).
    pub issuing: &'a str,
    pub surname: &'a str,
    pub given: &'a str,
    pub number: &'a str,
    pub nationality: &'a str,
    /// `YYMMDD`
    pub dob: &'a str,
    /// `M`, `F` or `<`
    pub sex: char,
    /// `YYMMDD`
    pub expiry: &'a str,
}

/// Both 44-character lines of a TD3 MRZ, with every check digit computed.
pub fn td3(f: &Td3<'_>) -> (String, String) {
    let name = format!("{}<<{}", mrz_name(f.surname), mrz_name(f.given));
    let l1 = pad(&format!("P<{}{}", pad(f.issuing, 3), name), 44);
    let num = pad(f.number, 9);
    let personal = pad("", 14);
    let mut l2 = String::new();
    l2.push_str(&num);
    l2.push(mrz_check(&num));
    l2.push_str(&pad(f.nationality, 3));
    l2.push_str(f.dob);
    l2.push(mrz_check(f.dob));
    l2.push(f.sex);
    l2.push_str(f.expiry);
    l2.push(mrz_check(f.expiry));
    l2.push_str(&personal);
    l2.push(mrz_check(&personal));
    let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
    l2.push(mrz_check(&composite));
    (l1, l2)
}

/// Whether every check digit of a TD3 second line is right.
pub fn td3_line2_is_valid(l2: &str) -> bool {
    if l2.len() != 44 || !l2.is_ascii() {
        return false;
    }
    let c = |i: usize| l2.as_bytes()[i] as char;
    let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
    mrz_check(&l2[0..9]) == c(9)
        && mrz_check(&l2[13..19]) == c(19)
        && mrz_check(&l2[21..27]) == c(27)
        && mrz_check(&l2[28..42]) == c(42)
        && mrz_check(&composite) == c(43)
}

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for &b in bytes {
        let mut carry = u32::from(b);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    let mut s: String = std::iter::repeat_n('1', zeros).collect();
    s.extend(
        digits
            .iter()
            .rev()
            .skip_while(|&&d| d == 0)
            .map(|&d| B58[d as usize] as char),
    );
    s
}

/// A well-formed TRON address (base58check of 0x41 || 20 bytes), as used for USDT-TRC20.
pub fn tron_address(rng: &mut Rng) -> String {
    let mut payload = vec![0x41u8];
    payload.extend(rng.bytes(20));
    let h1 = Sha256::digest(&payload);
    let h2 = Sha256::digest(h1);
    payload.extend_from_slice(&h2[..4]);
    base58(&payload)
}

/// Whether a TRON address has a valid base58check checksum and 0x41 prefix.
pub fn tron_is_valid(s: &str) -> bool {
    let mut n: Vec<u8> = vec![0];
    for c in s.bytes() {
        let Some(v) = B58.iter().position(|&x| x == c) else {
            return false;
        };
        let mut carry = v as u32;
        for d in n.iter_mut() {
            carry += u32::from(*d) * 58;
            *d = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            n.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    n.reverse();
    if n.len() != 25 || n[0] != 0x41 {
        return false;
    }
    let h2 = Sha256::digest(Sha256::digest(&n[..21]));
    h2[..4] == n[21..]
}

/// A well-formed (all lower-case, so checksum-free) Ethereum address.
pub fn eth_address(rng: &mut Rng) -> String {
    format!("0x{}", rng.hex(40))
}

/// Lower-case hexadecimal SHA-256 of a string (used for synthetic image/photo hashes).
pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
