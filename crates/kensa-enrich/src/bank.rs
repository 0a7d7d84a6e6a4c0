//! Bank destinations: IBAN and BIC validation, country resolution and
//! recognition of People's Republic of China (PRC) banks.
//!
//! Hong Kong (HK), Macau (MO) and Taiwan (TW) are kept distinct from the
//! PRC (CN): they are separate jurisdictions with separate banking systems,
//! and a payout to "Bank of China (Hong Kong)" is not a payout to a PRC
//! account. The red flag RF-PAY-PRC-BANK concerns mainland accounts.

use serde::{Deserialize, Serialize};

/// The result of [`bank`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankInfo {
    /// The IBAN without spaces, uppercased, when one was given.
    pub iban: Option<String>,
    /// Whether the IBAN is valid (country length and mod-97 checksum);
    /// `None` when no IBAN was given.
    pub iban_valid: Option<bool>,
    /// The IBAN's country (letters 1–2), when the IBAN is valid.
    pub iban_country: Option<String>,
    /// The BIC without spaces, uppercased, when one was given.
    pub bic: Option<String>,
    /// Whether the BIC has a valid layout and country; `None` when absent.
    pub bic_valid: Option<bool>,
    /// The BIC's country (letters 5–6), when the BIC is valid.
    pub bic_country: Option<String>,
    /// The explicit country field, normalised to ISO alpha-2.
    pub stated_country: Option<String>,
    /// The PRC bank the name or BIC matched, in English.
    pub prc_bank: Option<String>,
    /// The resolved destination country (ISO alpha-2).
    pub country: Option<String>,
    /// Which field decided `country`: `bic`, `iban`, `country` or `bank_name`.
    pub country_source: Option<String>,
    /// Whether the destination is a mainland PRC account.
    pub is_prc: bool,
    /// Why `is_prc` is true (or why a PRC bank group is not PRC here).
    pub prc_reason: Option<String>,
    /// Validation errors (malformed IBAN or BIC, unknown country).
    #[serde(default)]
    pub errors: Vec<String>,
    /// Remarks such as conflicting countries across fields.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// IBAN lengths by country (SWIFT IBAN registry).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which SWIFT uses.
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM \
BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC \
EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT \
HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV \
LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ \
OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR \
SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF \
WS YE YT ZA ZM ZW XK";

/// Whether `code` is an ISO 3166-1 alpha-2 code (or XK).
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && ISO_COUNTRIES.split(' ').any(|c| c == code)
}

/// A PRC bank: English name, name patterns (normalised Latin or Chinese)
/// and its SWIFT bank code (BIC letters 1–4).
struct PrcBank {
    name: &'static str,
    patterns: &'static [&'static str],
    bic: &'static str,
}

/// Major PRC banks (state-owned, joint-stock and some city banks in the
/// provinces bordering the DPRK). Patterns are matched against the
/// normalised bank name: lowercase Latin words or Chinese characters
/// (simplified and traditional forms).
const PRC_BANKS: &[PrcBank] = &[
    PrcBank {
        name: "Industrial and Commercial Bank of China",
        patterns: &[
            "industrial and commercial bank of china",
            "icbc",
            "中国工商银行",
            "中國工商銀行",
            "工商银行",
            "工商銀行",
        ],
        bic: "ICBK",
    },
    PrcBank {
        name: "China Construction Bank",
        patterns: &[
            "china construction bank",
            "中国建设银行",
            "中國建設銀行",
            "建设银行",
            "建設銀行",
        ],
        bic: "PCBC",
    },
    PrcBank {
        name: "Agricultural Bank of China",
        patterns: &[
            "agricultural bank of china",
            "中国农业银行",
            "中國農業銀行",
            "农业银行",
            "農業銀行",
        ],
        bic: "ABOC",
    },
    PrcBank {
        name: "Postal Savings Bank of China",
        patterns: &[
            "postal savings bank of china",
            "psbc",
            "中国邮政储蓄银行",
            "中國郵政儲蓄銀行",
            "邮储银行",
            "邮政储蓄银行",
        ],
        bic: "PSBC",
    },
    PrcBank {
        name: "Bank of Communications",
        patterns: &["bank of communications", "bocom", "交通银行", "交通銀行"],
        bic: "COMM",
    },
    PrcBank {
        name: "China Merchants Bank",
        patterns: &["china merchants bank", "招商银行", "招商銀行"],
        bic: "CMBC",
    },
    PrcBank {
        name: "China CITIC Bank",
        patterns: &["china citic bank", "citic bank", "中信银行", "中信銀行"],
        bic: "CIBK",
    },
    PrcBank {
        name: "China Minsheng Bank",
        patterns: &[
            "china minsheng bank",
            "minsheng bank",
            "minsheng banking",
            "中国民生银行",
            "中國民生銀行",
            "民生银行",
            "民生銀行",
        ],
        bic: "MSBC",
    },
    PrcBank {
        name: "Industrial Bank",
        patterns: &[
            "industrial bank co",
            "industrial bank",
            "兴业银行",
            "興業銀行",
        ],
        bic: "FJIB",
    },
    PrcBank {
        name: "Ping An Bank",
        patterns: &["ping an bank", "pingan bank", "平安银行", "平安銀行"],
        bic: "SZDB",
    },
    PrcBank {
        name: "Shanghai Pudong Development Bank",
        patterns: &[
            "shanghai pudong development bank",
            "spdb",
            "浦发银行",
            "上海浦东发展银行",
            "浦發銀行",
        ],
        bic: "SPDB",
    },
    PrcBank {
        name: "China Everbright Bank",
        patterns: &[
            "china everbright bank",
            "everbright bank",
            "中国光大银行",
            "光大银行",
            "光大銀行",
        ],
        bic: "EVER",
    },
    PrcBank {
        name: "Hua Xia Bank",
        patterns: &["hua xia bank", "huaxia bank", "华夏银行", "華夏銀行"],
        bic: "HXBK",
    },
    PrcBank {
        name: "China Guangfa Bank",
        patterns: &["china guangfa bank", "guangfa bank", "广发银行", "廣發銀行"],
        bic: "GDBK",
    },
    PrcBank {
        name: "China Zheshang Bank",
        patterns: &["china zheshang bank", "浙商银行"],
        bic: "ZJCB",
    },
    PrcBank {
        name: "China Bohai Bank",
        patterns: &["china bohai bank", "渤海银行"],
        bic: "CHBH",
    },
    PrcBank {
        name: "Bank of Beijing",
        patterns: &["bank of beijing", "北京银行"],
        bic: "BJCN",
    },
    PrcBank {
        name: "Bank of Shanghai",
        patterns: &["bank of shanghai", "上海银行"],
        bic: "BOSH",
    },
    PrcBank {
        name: "China Development Bank",
        patterns: &["china development bank", "国家开发银行"],
        bic: "SDBC",
    },
    PrcBank {
        name: "Export-Import Bank of China",
        patterns: &[
            "export import bank of china",
            "exim bank of china",
            "中国进出口银行",
        ],
        bic: "EIBC",
    },
    PrcBank {
        name: "Bank of Dandong",
        patterns: &["bank of dandong", "丹东银行"],
        bic: "",
    },
    PrcBank {
        name: "Bank of Dalian",
        patterns: &["bank of dalian", "大连银行"],
        bic: "DLCB",
    },
    PrcBank {
        name: "Bank of Jilin",
        patterns: &["bank of jilin", "jilin bank", "吉林银行"],
        bic: "",
    },
    PrcBank {
        name: "Shengjing Bank",
        patterns: &["shengjing bank", "盛京银行"],
        bic: "",
    },
    PrcBank {
        name: "Harbin Bank",
        patterns: &["harbin bank", "哈尔滨银行"],
        bic: "",
    },
    PrcBank {
        name: "Bank of China",
        patterns: &["bank of china", "中国银行", "中國銀行"],
        bic: "BKCH",
    },
];

/// Name fragments that place a bank in a territory other than the
/// mainland. `(asia)` marks the Hong Kong-incorporated subsidiaries of PRC
/// banks (ICBC (Asia), CCB (Asia)...).
const TERRITORY_MARKERS: &[(&str, &str)] = &[
    ("hong kong", "HK"),
    ("hongkong", "HK"),
    ("hk", "HK"),
    ("香港", "HK"),
    ("asia", "HK"),
    ("亚洲", "HK"),
    ("亞洲", "HK"),
    ("macau", "MO"),
    ("macao", "MO"),
    ("澳门", "MO"),
    ("澳門", "MO"),
    ("taiwan", "TW"),
    ("taipei", "TW"),
    ("台湾", "TW"),
    ("台灣", "TW"),
    ("臺灣", "TW"),
];

/// Lowercases Latin text, keeps letters and digits (CJK included), turns
/// everything else into single spaces and pads with spaces so that whole
/// words can be matched with `contains(" word ")`.
fn normalize_name(s: &str) -> String {
    let mut out = String::from(" ");
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn is_cjk(s: &str) -> bool {
    !s.is_ascii()
}

/// Matches a pattern: Chinese patterns as substrings (Chinese is written
/// without spaces), Latin patterns as whole words.
fn name_has(norm: &str, pattern: &str) -> bool {
    if is_cjk(pattern) {
        norm.contains(pattern)
    } else {
        norm.contains(&format!(" {pattern} "))
    }
}

/// The PRC bank a name refers to; the longest matching pattern wins so
/// that "Agricultural Bank of China" is not reported as "Bank of China".
fn match_prc_bank(name: &str) -> Option<&'static PrcBank> {
    let norm = normalize_name(name);
    // "Industrial Bank of Korea" and "Industrial Bank of India"... are not
    // PRC banks: an ambiguous Latin pattern followed by "of <place>" other
    // than China does not count.
    let foreign_of = [
        " of korea",
        " of india",
        " of japan",
        " of taiwan",
        " of kuwait",
    ];
    let mut best: Option<(&PrcBank, usize)> = None;
    for bank in PRC_BANKS {
        for p in bank.patterns {
            if name_has(&norm, p)
                && !(p.starts_with("industrial bank")
                    && foreign_of.iter().any(|f| norm.contains(f)))
                && best.is_none_or(|(_, len)| p.len() > len)
            {
                best = Some((bank, p.len()));
            }
        }
    }
    best.map(|(b, _)| b)
}

fn territory_in_name(name: &str) -> Option<&'static str> {
    let norm = normalize_name(name);
    TERRITORY_MARKERS
        .iter()
        .find(|(m, _)| name_has(&norm, m))
        .map(|(_, c)| *c)
}

/// Normalises a free-text country field to ISO alpha-2, treating PRC,
/// Hong Kong, Macau and Taiwan as distinct.
pub fn normalize_country(s: &str) -> Option<String> {
    let t = s.trim();
    let up = t.to_ascii_uppercase();
    if is_country_code(&up) {
        return Some(up);
    }
    let norm = normalize_name(t);
    let norm = norm.trim();
    let code = match norm {
        "chn"
        | "china"
        | "prc"
        | "p r c"
        | "p r china"
        | "mainland china"
        | "china mainland"
        | "people s republic of china"
        | "the people s republic of china"
        | "中国"
        | "中國"
        | "中华人民共和国"
        | "中國大陸"
        | "中国大陆" => "CN",
        "hkg" | "hong kong" | "hong kong sar" | "hong kong sar china" | "hongkong" | "香港" => {
            "HK"
        }
        "mac" | "macau" | "macao" | "macau sar" | "macao sar" | "澳门" | "澳門" => "MO",
        "twn" | "taiwan" | "republic of china" | "taiwan roc" | "台湾" | "台灣" | "臺灣" => {
            "TW"
        }
        "prk"
        | "north korea"
        | "dprk"
        | "democratic people s republic of korea"
        | "조선"
        | "북한" => "KP",
        "kor" | "south korea" | "republic of korea" | "korea republic of" | "한국" | "대한민국" => {
            "KR"
        }
        "usa" | "united states" | "united states of america" | "us" => "US",
        "jpn" | "japan" | "日本" => "JP",
        "rus" | "russia" | "russian federation" => "RU",
        "gbr" | "united kingdom" | "uk" | "great britain" => "GB",
        "sgp" | "singapore" => "SG",
        "vnm" | "vietnam" | "viet nam" => "VN",
        "lao" | "laos" => "LA",
        _ => return None,
    };
    Some(code.into())
}

/// Validates an IBAN; returns its country on success.
pub fn validate_iban(iban: &str) -> Result<String, String> {
    let s: String = iban
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if let Some(c) = s.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!("IBAN contains invalid character {c:?}"));
    }
    if s.len() < 4 {
        return Err("IBAN too short".into());
    }
    let country = &s[..2];
    if !country.bytes().all(|b| b.is_ascii_uppercase())
        || !s[2..4].bytes().all(|b| b.is_ascii_digit())
    {
        return Err("IBAN must start with two letters and two check digits".into());
    }
    let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(c, _)| *c == country) else {
        return Err(format!("country {country} does not use IBAN"));
    };
    if s.len() != len {
        return Err(format!(
            "IBAN for {country} must have {len} characters, has {}",
            s.len()
        ));
    }
    let rearranged = s[4..].chars().chain(s[..4].chars());
    let mut rem: u32 = 0;
    for c in rearranged {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    if rem != 1 {
        return Err("IBAN checksum (mod 97) mismatch".into());
    }
    Ok(country.to_string())
}

/// Validates a BIC (`BBBBCCLL` or `BBBBCCLLBBB`); returns its country.
pub fn validate_bic(bic: &str) -> Result<String, String> {
    let s: String = bic
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !s.is_ascii() {
        return Err("BIC contains non-ASCII characters".into());
    }
    if s.len() != 8 && s.len() != 11 {
        return Err(format!("BIC must have 8 or 11 characters, has {}", s.len()));
    }
    if !s[..4].bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("BIC bank code (letters 1-4) must be letters".into());
    }
    let country = &s[4..6];
    if !is_country_code(country) {
        return Err(format!(
            "BIC country code '{country}' is not an ISO country"
        ));
    }
    if !s[6..].bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("BIC location and branch codes must be letters or digits".into());
    }
    Ok(country.to_string())
}

/// Resolves where a payout goes and whether it is a mainland PRC account.
///
/// The country is taken from, in order: a valid BIC, a valid IBAN, the
/// explicit `country` field, then a recognised bank name (PRC bank names
/// resolve to CN unless they name Hong Kong, Macau or Taiwan).
///
/// ```
/// let hk = kensa_enrich::bank(None, Some("BKCHHKHH"), Some("Bank of China (Hong Kong)"), None);
/// assert_eq!(hk.country.as_deref(), Some("HK"));
/// assert!(!hk.is_prc);
/// let cn = kensa_enrich::bank(None, None, Some("中国工商银行"), None);
/// assert!(cn.is_prc);
/// ```
pub fn bank(
    iban: Option<&str>,
    bic: Option<&str>,
    bank_name: Option<&str>,
    country: Option<&str>,
) -> BankInfo {
    let mut info = BankInfo::default();
    fn present(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    if let Some(i) = present(iban) {
        info.iban = Some(
            i.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase(),
        );
        match validate_iban(i) {
            Ok(c) => {
                info.iban_valid = Some(true);
                info.iban_country = Some(c);
            }
            Err(e) => {
                info.iban_valid = Some(false);
                info.errors.push(e);
            }
        }
    }
    if let Some(b) = present(bic) {
        info.bic = Some(
            b.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase(),
        );
        match validate_bic(b) {
            Ok(c) => {
                info.bic_valid = Some(true);
                info.bic_country = Some(c);
            }
            Err(e) => {
                info.bic_valid = Some(false);
                info.errors.push(e);
            }
        }
    }
    if let Some(c) = present(country) {
        match normalize_country(c) {
            Some(code) => info.stated_country = Some(code),
            None => info.errors.push(format!("unrecognised country '{c}'")),
        }
    }
    let name = present(bank_name);
    let name_bank = name.and_then(match_prc_bank);
    let bic_bank = info.bic_valid.filter(|v| *v).and_then(|_| {
        let code = info.bic.as_deref().map(|b| &b[..4])?;
        PRC_BANKS
            .iter()
            .find(|b| !b.bic.is_empty() && b.bic == code)
    });
    let prc_bank = bic_bank.or(name_bank);
    info.prc_bank = prc_bank.map(|b| b.name.to_string());
    let name_country = match (name.and_then(territory_in_name), name_bank) {
        (Some(t), _) => Some(t.to_string()),
        (None, Some(_)) => Some("CN".to_string()),
        (None, None) => None,
    };

    let candidates = [
        ("bic", info.bic_country.clone()),
        ("iban", info.iban_country.clone()),
        ("country", info.stated_country.clone()),
        ("bank_name", name_country),
    ];
    if let Some((src, c)) = candidates
        .iter()
        .find_map(|(s, c)| c.clone().map(|c| (*s, c)))
    {
        info.country = Some(c);
        info.country_source = Some(src.to_string());
    }
    // Disagreeing fields are worth a reviewer's look (a BIC in one country
    // with an IBAN in another is unusual), so list them.
    for (src, c) in &candidates {
        if let (Some(c), Some(resolved)) = (c, &info.country)
            && c != resolved
        {
            info.notes.push(format!(
                "{src} says {c} but {} says {resolved}",
                info.country_source.as_deref().unwrap_or("?")
            ));
        }
    }

    let resolved = info.country.as_deref();
    info.is_prc = resolved == Some("CN");
    info.prc_reason = match (resolved, info.country_source.as_deref()) {
        (Some("CN"), Some("bic")) => Some(format!(
            "BIC {} is registered in CN",
            info.bic.as_deref().unwrap_or_default()
        )),
        (Some("CN"), Some("country")) => Some("the stated bank country is CN".into()),
        (Some("CN"), Some("bank_name")) => Some(format!(
            "bank name matches PRC bank {} and names no HK/MO/TW entity",
            info.prc_bank.as_deref().unwrap_or("?")
        )),
        (Some("CN"), _) => Some("the account is in CN".into()),
        (Some(c @ ("HK" | "MO" | "TW")), _) if prc_bank.is_some() => Some(format!(
            "{} group, but the account is in {c}, not mainland China",
            info.prc_bank.as_deref().unwrap_or("PRC bank")
        )),
        _ => None,
    };
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_examples() {
        assert_eq!(
            validate_iban("GB82 WEST 1234 5698 7654 32").as_deref(),
            Ok("GB")
        );
        assert_eq!(validate_iban("DE89370400440532013000").as_deref(), Ok("DE"));
        assert!(validate_iban("GB82 WEST 1234 5698 7654 33").is_err());
        assert!(validate_iban("CN12 3456").is_err());
        assert!(validate_iban("DE8937040044053201300").is_err());
    }

    #[test]
    fn bic_examples() {
        assert_eq!(validate_bic("BKCHCNBJ").as_deref(), Ok("CN"));
        assert_eq!(validate_bic("BKCHHKHH").as_deref(), Ok("HK"));
        assert_eq!(validate_bic("deutdeff500").as_deref(), Ok("DE"));
        assert!(validate_bic("BKCH1NBJ").is_err());
        assert!(validate_bic("BKCHZZBJ").is_err());
        assert!(validate_bic("BKCHCN").is_err());
    }

    #[test]
    fn longest_bank_name_wins() {
        let b = match_prc_bank("Agricultural Bank of China, Dandong Branch");
        assert_eq!(b.map(|b| b.name), Some("Agricultural Bank of China"));
        assert!(match_prc_bank("Industrial Bank of Korea").is_none());
        assert!(match_prc_bank("Barclays Bank").is_none());
    }
}
