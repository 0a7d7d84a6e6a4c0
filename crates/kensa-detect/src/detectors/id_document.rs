//! RF-ID-FORGED — forged or borrowed identity documents (偽造または盗用された身元確認書類),
//! from the document's data alone, without image analysis.
//!
//! What is measured, per submitted `identity_document`:
//! * **MRZ** (ICAO 9303): TD3 passports (2 × 44 characters) and TD1 ID cards (3 × 30). The
//!   check digits of the document number, birth date, expiry and the composite must hold; a
//!   wrong check digit is what a hand-edited or generated document most often shows.
//! * **MRZ vs fields**: the document number, birth date, expiry and name printed in the fields
//!   must agree with the MRZ.
//! * **Impossible dates**: born after submission, expiry before issue, issued after submission,
//!   age at submission below `min_age` or above `max_age`; expired at submission (weaker: an
//!   honest mistake happens).
//! * **Shared across subjects** (実在する日本人や外国人の身分証画像): the same issuing country and
//!   document number, or the same `image_sha256`, submitted by several subjects. Each involved
//!   subject gets a finding that lists the others.
//! * **Name vs profile**: the document name shares no token with the subject's legal or former
//!   names (upper-cased, diacritics and punctuation removed). Only Latin-script names are
//!   compared. TODO: cross-script name matching (katakana/hangul/Han vs Latin) belongs to the
//!   name-matching engineer's module; use it here once it lands.
//!
//! Strength is `1 − Π(1 − w)` over the problems found, with documented weights (MRZ check digit
//! 0.9, field mismatch 0.7, impossible date 0.9, implausible age 0.6, expired 0.3, shared number
//! 0.8, shared image 0.9, name vs profile 0.5).
//!
//! False positives: a valid passport with a correct MRZ raises nothing; two family members
//! share a surname and an address but not a document number or an image, so they are not
//! linked. MRZ names are truncated and transliterated (Müller → MUELLER), so name tokens match
//! by prefix and with the German umlaut spellings folded. Nicknames are why display names weigh
//! less than legal names.

use crate::normalize::{alnum_upper, doc_number_key, image_hash_key, is_latin, name_tokens};
use crate::util::{SharedIndex, Sharers, affected_also, civil_date, years_between};
use crate::{Affected, Dataset, Detector, DetectorSpec, Population, Rec, SubjectData, state};
use jiff::civil::Date;
use kensa_model::record::IdentityDocument;
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Most other subjects named in one piece of evidence (the count names them all).
const MAX_LISTED: usize = 20;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "id_document",
    raises: &["RF-ID-FORGED"],
    summary: "ICAO 9303 MRZ check digits, MRZ vs document fields, impossible dates, document number or image shared by several subjects, document name vs profile names",
    false_positives: "a valid document with a correct MRZ raises nothing; family members have different numbers and images; MRZ truncation and transliteration are tolerated",
};

/// Parameters (`[detectors.id_document]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Youngest plausible age at submission.
    pub min_age: i32,
    /// Oldest plausible age at submission.
    pub max_age: i32,
    /// Compare the document name with the subject's profile names.
    pub compare_profile_name: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_age: 16,
            max_age: 100,
            compare_profile_name: true,
        }
    }
}

pub struct IdDocument(pub Params);

/// One thing wrong with a document.
struct Problem {
    code: &'static str,
    weight: f64,
    record: String,
    en: String,
    ja: String,
    detail: serde_json::Value,
}

/// ICAO 9303 check digit: weights 7, 3, 1; digits count as themselves, A–Z as 10–35, `<` as 0.
pub fn check_digit(field: &str) -> Option<u32> {
    let mut sum = 0u32;
    for (i, c) in field.chars().enumerate() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            '<' => 0,
            _ => return None,
        };
        sum += v * [7, 3, 1][i % 3];
    }
    Some(sum % 10)
}

fn digit_ok(field: &str, cd: char) -> bool {
    let want = if cd == '<' { Some(0) } else { cd.to_digit(10) };
    want.is_some() && check_digit(field) == want
}

/// The fields of a machine-readable zone.
#[derive(Debug, PartialEq)]
pub struct Mrz {
    pub format: &'static str,
    pub number: String,
    pub birth: String,
    pub expiry: String,
    pub surname: String,
    pub given: String,
    /// The holder's sex as the MRZ states it: `M`, `F` (`None` for `<`/`X`, unspecified).
    pub sex: Option<char>,
    /// Names of the check digits that failed: `document_number`, `birth_date`, `expiry`,
    /// `personal_number`, `composite`.
    pub failed: Vec<&'static str>,
}

/// The sex field of an MRZ (`M`, `F`; `<` or `X` is unspecified).
fn mrz_sex(b: u8) -> Option<char> {
    matches!(b, b'M' | b'F').then_some(b as char)
}

/// Parses a TD3 or TD1 MRZ (lines separated by newlines or spaces, or run together).
pub fn parse_mrz(raw: &str) -> Result<Mrz, String> {
    let joined: String = raw
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    if let Some(c) = joined
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<'))
    {
        return Err(format!("character {c:?} is not allowed in an MRZ"));
    }
    let s = joined.as_str();
    let name = |n: &str| {
        let mut parts = n.splitn(2, "<<");
        let sur = parts
            .next()
            .unwrap_or("")
            .replace('<', " ")
            .trim()
            .to_owned();
        let giv = parts
            .next()
            .unwrap_or("")
            .replace('<', " ")
            .trim()
            .to_owned();
        (sur, giv)
    };
    match s.len() {
        88 => {
            let (l1, l2) = (&s[..44], &s[44..]);
            let mut failed = Vec::new();
            if !digit_ok(&l2[0..9], l2.as_bytes()[9] as char) {
                failed.push("document_number");
            }
            if !digit_ok(&l2[13..19], l2.as_bytes()[19] as char) {
                failed.push("birth_date");
            }
            if !digit_ok(&l2[21..27], l2.as_bytes()[27] as char) {
                failed.push("expiry");
            }
            if !digit_ok(&l2[28..42], l2.as_bytes()[42] as char) {
                failed.push("personal_number");
            }
            let comp = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
            if !digit_ok(&comp, l2.as_bytes()[43] as char) {
                failed.push("composite");
            }
            let (surname, given) = name(&l1[5..]);
            Ok(Mrz {
                format: "TD3",
                number: l2[0..9].trim_end_matches('<').to_owned(),
                birth: l2[13..19].to_owned(),
                expiry: l2[21..27].to_owned(),
                surname,
                given,
                sex: mrz_sex(l2.as_bytes()[20]),
                failed,
            })
        }
        90 => {
            let (l1, l2, l3) = (&s[..30], &s[30..60], &s[60..]);
            let mut failed = Vec::new();
            // A `<` in the number's check-digit place means the number overflows into the
            // optional data (ICAO 9303-5 §4.2.2); its check digit then sits there.
            let number = if l1.as_bytes()[14] == b'<' {
                let rest = l1[15..].trim_end_matches('<');
                if rest.len() >= 2 {
                    let full = format!("{}{}", &l1[5..14], &rest[..rest.len() - 1]);
                    if !digit_ok(&full, rest.as_bytes()[rest.len() - 1] as char) {
                        failed.push("document_number");
                    }
                    full
                } else {
                    l1[5..14].to_owned()
                }
            } else {
                if !digit_ok(&l1[5..14], l1.as_bytes()[14] as char) {
                    failed.push("document_number");
                }
                l1[5..14].trim_end_matches('<').to_owned()
            };
            if !digit_ok(&l2[0..6], l2.as_bytes()[6] as char) {
                failed.push("birth_date");
            }
            if !digit_ok(&l2[8..14], l2.as_bytes()[14] as char) {
                failed.push("expiry");
            }
            let comp = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
            if !digit_ok(&comp, l2.as_bytes()[29] as char) {
                failed.push("composite");
            }
            let (surname, given) = name(l3);
            Ok(Mrz {
                format: "TD1",
                number,
                birth: l2[0..6].to_owned(),
                expiry: l2[8..14].to_owned(),
                surname,
                given,
                sex: mrz_sex(l2.as_bytes()[7]),
                failed,
            })
        }
        n => Err(format!(
            "{n} characters: neither TD3 (2 × 44) nor TD1 (3 × 30)"
        )),
    }
}

/// A `YYMMDD` MRZ date; birth dates take the century that does not put them after `at`.
fn mrz_date(s: &str, birth: bool, at_year: i16) -> Option<Date> {
    let yy: i16 = s.get(0..2)?.parse().ok()?;
    let mm: i8 = s.get(2..4)?.parse().ok()?;
    let dd: i8 = s.get(4..6)?.parse().ok()?;
    let year = if birth {
        if 2000 + yy <= at_year {
            2000 + yy
        } else {
            1900 + yy
        }
    } else if 2000 + yy <= at_year + 50 {
        2000 + yy
    } else {
        1900 + yy
    };
    Date::new(year, mm, dd).ok()
}

/// The Japanese name of an MRZ check-digit field.
fn field_ja(f: &str) -> &str {
    match f {
        "document_number" => "書類番号",
        "birth_date" => "生年月日",
        "expiry" => "有効期限",
        "personal_number" => "個人番号",
        "composite" => "全体",
        other => other,
    }
}

/// German passports write Ä/Ö/Ü as AE/OE/UE in the MRZ; fold both spellings to one.
fn fold_umlaut(t: &str) -> String {
    t.replace("AE", "A").replace("OE", "O").replace("UE", "U")
}

fn tokens_match(a: &str, b: &str) -> bool {
    let (a, b) = (fold_umlaut(a), fold_umlaut(b));
    a == b || (a.len() >= 3 && b.starts_with(&a)) || (b.len() >= 3 && a.starts_with(&b))
}

/// Share of `want`'s tokens that match one of `have`'s.
fn token_overlap(want: &[String], have: &[String]) -> f64 {
    if want.is_empty() {
        return 1.0;
    }
    let hit = want
        .iter()
        .filter(|w| have.iter().any(|h| tokens_match(w, h)))
        .count();
    hit as f64 / want.len() as f64
}

impl IdDocument {
    fn check_one(&self, d: &Rec<IdentityDocument>, out: &mut Vec<Problem>) {
        let p = &self.0;
        let r = &d.r;
        let Some(at) = civil_date(r.at) else {
            return;
        };
        let rec = || d.id.clone();
        if let Some(raw) = r.mrz.as_deref().filter(|m| !m.trim().is_empty()) {
            match parse_mrz(raw) {
                Err(why) => out.push(Problem {
                    code: "mrz_malformed",
                    weight: 0.5,
                    record: rec(),
                    en: format!("the MRZ is malformed ({why})"),
                    ja: format!("MRZ（機械読取部）の形式が不正です（{why}）"),
                    detail: json!({"mrz": raw}),
                }),
                Ok(m) => {
                    if !m.failed.is_empty() {
                        out.push(Problem {
                            code: "mrz_check_digit",
                            weight: 0.9,
                            record: rec(),
                            en: format!(
                                "the {} MRZ check digits fail for: {}",
                                m.format,
                                m.failed.join(", ")
                            ),
                            ja: format!(
                                "{}形式のMRZのチェックディジットが一致しません（{}）",
                                m.format,
                                m.failed
                                    .iter()
                                    .map(|f| field_ja(f))
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                            detail: json!({"format": m.format, "failed": m.failed}),
                        });
                    }
                    if let Some(n) = r.number.as_deref()
                        && !n.trim().is_empty()
                        && alnum_upper(n) != alnum_upper(&m.number)
                    {
                        out.push(Problem {
                            code: "mrz_field_mismatch",
                            weight: 0.7,
                            record: rec(),
                            en: format!("document number {n} differs from the MRZ's {}", m.number),
                            ja: format!("書類番号{n}がMRZの番号{}と一致しません", m.number),
                            detail: json!({"field": "number", "document": n, "mrz": m.number}),
                        });
                    }
                    let pairs = [
                        (
                            "date_of_birth",
                            r.date_of_birth,
                            mrz_date(&m.birth, true, at.year()),
                            &m.birth,
                            "生年月日",
                        ),
                        (
                            "expiry",
                            r.expiry,
                            mrz_date(&m.expiry, false, at.year()),
                            &m.expiry,
                            "有効期限",
                        ),
                    ];
                    for (field, doc, mrz, raw, ja_name) in pairs {
                        if let (Some(doc), Some(mrz)) = (doc, mrz)
                            && doc.0 != mrz
                        {
                            out.push(Problem {
                                    code: "mrz_field_mismatch",
                                    weight: 0.7,
                                    record: rec(),
                                    en: format!("{field} {} differs from the MRZ's {mrz}", doc.0),
                                    ja: format!("{ja_name}{}がMRZの{mrz}と一致しません", doc.0),
                                    detail: json!({"field": field, "document": doc.0.to_string(), "mrz": raw}),
                                });
                        }
                    }
                    if let Some(name) = r.name.as_deref().filter(|n| is_latin(n)) {
                        let mrz_tokens = name_tokens(&format!("{} {}", m.surname, m.given));
                        let doc_tokens = name_tokens(name);
                        if !mrz_tokens.is_empty()
                            && !doc_tokens.is_empty()
                            && token_overlap(&mrz_tokens, &doc_tokens) < 0.5
                        {
                            let mrz_name = format!("{} {}", m.surname, m.given);
                            out.push(Problem {
                                code: "mrz_field_mismatch",
                                weight: 0.7,
                                record: rec(),
                                en: format!(
                                    "name \"{name}\" differs from the MRZ's \"{mrz_name}\""
                                ),
                                ja: format!("氏名「{name}」がMRZの「{mrz_name}」と一致しません"),
                                detail: json!({"field": "name", "document": name, "mrz": mrz_name}),
                            });
                        }
                    }
                }
            }
        }
        if let Some(dob) = r.date_of_birth {
            if dob.0 > at {
                out.push(Problem {
                    code: "born_in_future",
                    weight: 0.9,
                    record: rec(),
                    en: format!("date of birth {} is after the submission ({at})", dob.0),
                    ja: format!("生年月日{}が提出日（{at}）より後です", dob.0),
                    detail: json!({"date_of_birth": dob.0.to_string(), "submitted": at.to_string()}),
                });
            } else {
                let age = years_between(dob.0, at);
                if age < p.min_age || age > p.max_age {
                    out.push(Problem {
                        code: "implausible_age",
                        weight: 0.6,
                        record: rec(),
                        en: format!(
                            "age at submission is {age} (plausible: {}–{})",
                            p.min_age, p.max_age
                        ),
                        ja: format!(
                            "提出時の年齢が{age}歳です（想定範囲：{}〜{}歳）",
                            p.min_age, p.max_age
                        ),
                        detail: json!({"age": age}),
                    });
                }
            }
        }
        if let Some(iss) = r.issue_date {
            if iss.0 > at {
                out.push(Problem {
                    code: "issued_in_future",
                    weight: 0.9,
                    record: rec(),
                    en: format!("issue date {} is after the submission ({at})", iss.0),
                    ja: format!("発行日{}が提出日（{at}）より後です", iss.0),
                    detail: json!({"issued": iss.0.to_string(), "submitted": at.to_string()}),
                });
            }
            if let Some(exp) = r.expiry
                && exp.0 <= iss.0
            {
                out.push(Problem {
                    code: "expiry_before_issue",
                    weight: 0.9,
                    record: rec(),
                    en: format!("expiry {} is not after the issue date {}", exp.0, iss.0),
                    ja: format!("有効期限{}が発行日{}より前です", exp.0, iss.0),
                    detail: json!({"issued": iss.0.to_string(), "expiry": exp.0.to_string()}),
                });
            }
        }
        if let Some(exp) = r.expiry
            && exp.0 < at
        {
            out.push(Problem {
                code: "expired_at_submission",
                weight: 0.3,
                record: rec(),
                en: format!("the document had expired ({}) when submitted ({at})", exp.0),
                ja: format!(
                    "提出時（{at}）に書類の有効期限（{}）が切れていました",
                    exp.0
                ),
                detail: json!({"expiry": exp.0.to_string(), "submitted": at.to_string()}),
            });
        }
    }
}

impl Detector for IdDocument {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["identity_document", "subject"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn population_inputs(&self) -> &'static [&'static str] {
        &["identity_document"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        // Cross-subject indexes: document number (with issuing country) and image hash.
        let mut by_number: BTreeMap<String, Sharers<Vec<String>>> = BTreeMap::new();
        let mut by_image: BTreeMap<String, Sharers<Vec<String>>> = BTreeMap::new();
        for s in &ds.subjects {
            for d in &s.id_documents {
                if let Some(k) = number_key(&d.r) {
                    by_number
                        .entry(k)
                        .or_default()
                        .entry(s.id.clone())
                        .or_default()
                        .push(d.id.clone());
                }
                if let Some(k) = image_key(&d.r) {
                    by_image
                        .entry(k)
                        .or_default()
                        .entry(s.id.clone())
                        .or_default()
                        .push(d.id.clone());
                }
            }
        }
        Box::new(SharedDocuments {
            numbers: SharedIndex::new(by_number),
            images: SharedIndex::new(by_image),
        })
    }

    fn evaluate(&self, _: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        let st = state::<SharedDocuments>(pop);
        if s.id_documents.is_empty() {
            return Vec::new();
        }
        let mut problems = Vec::new();
        for d in &s.id_documents {
            self.check_one(d, &mut problems);
        }
        // Shared numbers and images: one problem per shared key, listing the others.
        let shared = [
            (
                &st.numbers,
                self.number_keys(s),
                "shared_document_number",
                0.8,
                "document number",
                "書類番号",
            ),
            (
                &st.images,
                self.image_keys(s),
                "shared_document_image",
                0.9,
                "document image (SHA-256)",
                "書類画像（SHA-256）",
            ),
        ];
        for (index, keys, code, weight, what, what_ja) in shared {
            // The subject's own keys, in key order (the order of the index).
            for key in keys {
                let Some(subjects) = index.get(&key) else {
                    continue;
                };
                let Some(mine) = subjects.get(&s.id) else {
                    continue;
                };
                // At most MAX_LISTED others are named; the count covers them all.
                let n_others = subjects.len() - 1;
                let others: Vec<&String> = subjects
                    .keys()
                    .filter(|k| **k != s.id)
                    .take(MAX_LISTED)
                    .collect();
                let other_records: Vec<&String> = subjects
                    .iter()
                    .filter(|(k, _)| **k != s.id)
                    .flat_map(|(_, v)| v)
                    .take(MAX_LISTED)
                    .collect();
                let shown_key = if code == "shared_document_number" {
                    key.to_string()
                } else {
                    key.chars().take(16).collect::<String>() + "…"
                };
                let mut list = others
                    .iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                if n_others > others.len() {
                    list.push_str(", …");
                }
                problems.push(Problem {
                    code,
                    weight,
                    record: mine[0].clone(),
                    en: format!("the same {what} {shown_key} was submitted by {n_others} other subject(s): {list}"),
                    ja: format!("同じ{what_ja}{shown_key}が他の{n_others}名（{list}）からも提出されています"),
                    detail: json!({"key": key, "other_subject_count": n_others, "other_subjects": others, "other_records": other_records}),
                });
            }
        }
        // Document name vs profile names (Latin script only).
        if p.compare_profile_name {
            let legal: Vec<&str> = s
                .profiles
                .iter()
                .flat_map(|pr| pr.r.legal_name.iter().chain(pr.r.former_names.iter()))
                .map(String::as_str)
                .filter(|n| is_latin(n))
                .collect();
            let display: Vec<&str> = s
                .profiles
                .iter()
                .filter_map(|pr| pr.r.display_name.as_deref())
                .filter(|n| is_latin(n))
                .collect();
            let (names, weight) = if !legal.is_empty() {
                (legal, 0.5)
            } else {
                (display, 0.3)
            };
            if !names.is_empty() {
                let profile_tokens: Vec<String> =
                    names.iter().flat_map(|n| name_tokens(n)).collect();
                for d in &s.id_documents {
                    let Some(dn) = d.r.name.as_deref().filter(|n| is_latin(n)) else {
                        continue;
                    };
                    let dt = name_tokens(dn);
                    if !dt.is_empty() && token_overlap(&dt, &profile_tokens) == 0.0 {
                        let shown = names.join(" / ");
                        problems.push(Problem {
                            code: "name_differs_from_profile",
                            weight,
                            record: d.id.clone(),
                            en: format!("the document name \"{dn}\" shares no name with the profile ({shown})"),
                            ja: format!("書類の氏名「{dn}」がプロフィールの氏名（{shown}）と一致しません"),
                            detail: json!({"document_name": dn, "profile_names": names}),
                        });
                    }
                }
            }
        }
        if problems.is_empty() {
            return Vec::new();
        }
        let strength = 1.0 - problems.iter().map(|q| 1.0 - q.weight).product::<f64>();
        let records: BTreeSet<String> = problems.iter().map(|q| q.record.clone()).collect();
        let en: Vec<&str> = problems.iter().map(|q| q.en.as_str()).collect();
        let ja: Vec<&str> = problems.iter().map(|q| q.ja.as_str()).collect();
        let codes: BTreeSet<&str> = problems.iter().map(|q| q.code).collect();
        let list: Vec<serde_json::Value> = problems
            .iter()
            .map(|q| json!({"check": q.code, "record": q.record, "weight": q.weight, "detail": q.detail}))
            .collect();
        vec![Finding {
            subject_id: s.id.clone(),
            id: "RF-ID-FORGED".into(),
            detector: SPEC.name.into(),
            strength: strength.clamp(0.01, 1.0),
            evidence: Evidence::default()
                .records(records)
                .value("checks_failed", json!(codes))
                .value("problems", serde_json::Value::Array(list))
                .threshold("min_age", p.min_age)
                .threshold("max_age", p.max_age),
            explanation: Text::new(
                format!("Identity document problems: {}.", en.join("; ")),
                format!(
                    "身元確認書類に偽造または盗用の疑いがあります：{}。",
                    ja.join("。")
                ),
            ),
        }]
    }
}

/// The key of a document's number with its issuing country.
fn number_key(d: &IdentityDocument) -> Option<String> {
    let cc = d.issuing_country.as_ref().map(|c| c.as_str());
    d.number.as_deref().and_then(|n| doc_number_key(cc, n))
}

/// The key of a document's image hash.
fn image_key(d: &IdentityDocument) -> Option<String> {
    d.image_sha256.as_deref().and_then(image_hash_key)
}

impl IdDocument {
    /// The subject's distinct document-number keys, sorted.
    fn number_keys(&self, s: &SubjectData) -> BTreeSet<String> {
        s.id_documents
            .iter()
            .filter_map(|d| number_key(&d.r))
            .collect()
    }

    /// The subject's distinct image keys, sorted.
    fn image_keys(&self, s: &SubjectData) -> BTreeSet<String> {
        s.id_documents
            .iter()
            .filter_map(|d| image_key(&d.r))
            .collect()
    }
}

/// Population state: document numbers (with issuing country) and image hashes that several
/// subjects submitted, with each subject's document records.
pub struct SharedDocuments {
    numbers: SharedIndex<Vec<String>>,
    images: SharedIndex<Vec<String>>,
}

impl Population for SharedDocuments {
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let before = state::<SharedDocuments>(before);
        // Another subject's problem for a shared key lists the others and their records: it
        // moves whenever the key's entry does.
        let mut also = self
            .numbers
            .reached(&before.numbers, touched, |a, b| a != b);
        also.extend(self.images.reached(&before.images, touched, |a, b| a != b));
        also.sort();
        also.dedup();
        affected_also(also)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    // The specimen of ICAO 9303 part 4 (TD3) and part 5 (TD1).
    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

    fn ds(recs: &[serde_json::Value]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, r) in recs.iter().enumerate() {
            let mut v = r.clone();
            if v.get("record_id").is_none() {
                v["record_id"] = format!("r{i}").into();
            }
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    /// A valid TD3 MRZ for the given fields, check digits computed.
    fn td3(surname: &str, given: &str, number: &str, dob: &str, exp: &str) -> String {
        let l1 = format!("P<JPN{surname}<<{given}");
        let l1 = format!("{l1:<<44}");
        let num = format!("{number:<<9}");
        let cd = |s: &str| check_digit(s).unwrap().to_string();
        let pers = "<".repeat(14);
        let head = format!(
            "{num}{}JPN{dob}{}M{exp}{}{pers}0",
            cd(&num),
            cd(dob),
            cd(exp)
        );
        let comp = format!("{}{}{}", &head[0..10], &head[13..20], &head[21..43]);
        format!("{l1}\n{head}{}", cd(&comp))
    }

    #[test]
    fn icao_specimens_parse_and_validate() {
        let m = parse_mrz(TD3).unwrap();
        assert_eq!(m.failed, Vec::<&str>::new());
        assert_eq!(
            (m.number.as_str(), m.surname.as_str(), m.given.as_str()),
            ("L898902C3", "ERIKSSON", "ANNA MARIA")
        );
        assert_eq!(m.sex, Some('F'));
        let m = parse_mrz(TD1).unwrap();
        assert_eq!(m.failed, Vec::<&str>::new());
        assert_eq!(m.number, "D23145890");
        assert_eq!(m.sex, Some('F'));
        let unspecified = TD3.replace("7408122F", "7408122<");
        assert_eq!(parse_mrz(&unspecified).unwrap().sex, None);
        let bad = TD3.replace("7408122F", "7408132F");
        assert_eq!(parse_mrz(&bad).unwrap().failed, ["birth_date", "composite"]);
    }

    #[test]
    fn valid_passport_raises_nothing_and_family_members_are_not_linked() {
        let a = td3("YAMADA", "TARO", "TK1234567", "900115", "310101");
        let b = td3("YAMADA", "HANAKO", "TK7654321", "920304", "320202");
        let f = IdDocument(Params::default()).run(&ds(&[
            json!({"kind":"subject","subject_id":"u1","source":"hr","legal_name":"Taro Yamada"}),
            json!({"kind":"identity_document","subject_id":"u1","at":"2026-09-01T00:00:00Z","doc_type":"passport",
                "issuing_country":"JP","number":"TK1234567","name":"YAMADA TARO","date_of_birth":"1990-01-15",
                "expiry":"2031-01-01","issued":"2021-01-01","mrz":a,"image_sha256":"aa11"}),
            json!({"kind":"subject","subject_id":"u2","source":"hr","legal_name":"Hanako Yamada"}),
            json!({"kind":"identity_document","subject_id":"u2","at":"2026-09-02T00:00:00Z","doc_type":"passport",
                "issuing_country":"JP","number":"TK7654321","name":"YAMADA HANAKO","date_of_birth":"1992-03-04",
                "expiry":"2032-02-02","mrz":b,"image_sha256":"bb22"}),
        ]));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn edited_document_fires() {
        // The birth date was edited in the fields and the MRZ, without fixing the check digits.
        let mrz = td3("DOE", "JOHN", "X1234567", "900115", "310101").replace("900115", "950115");
        let f = IdDocument(Params::default()).run(&ds(&[
            json!({"kind":"subject","subject_id":"u1","source":"hr","legal_name":"Peter Smith"}),
            json!({"kind":"identity_document","subject_id":"u1","at":"2026-09-01T00:00:00Z","doc_type":"passport",
                "number":"X1234568","name":"John Doe","date_of_birth":"1995-01-15","expiry":"2031-01-01","mrz":mrz}),
        ]));
        assert_eq!(f.len(), 1);
        let codes = &f[0].evidence.values["checks_failed"];
        assert_eq!(
            codes,
            &json!([
                "mrz_check_digit",
                "mrz_field_mismatch",
                "name_differs_from_profile"
            ])
        );
        assert!(f[0].strength > 0.95);
        assert!(f[0].explanation.ja.contains("チェックディジット"));
    }

    #[test]
    fn impossible_dates_fire() {
        let f = IdDocument(Params::default()).run(&ds(&[
            json!({"kind":"identity_document","subject_id":"u1","at":"2026-09-01T00:00:00Z","doc_type":"id_card",
                "date_of_birth":"2027-01-01","issued":"2025-01-01","expiry":"2024-01-01"}),
        ]));
        assert_eq!(
            f[0].evidence.values["checks_failed"],
            json!([
                "born_in_future",
                "expired_at_submission",
                "expiry_before_issue"
            ])
        );
    }

    #[test]
    fn evidence_names_at_most_max_listed_others() {
        let recs: Vec<serde_json::Value> = (0..30)
            .map(|i| {
                json!({"kind":"identity_document","subject_id":format!("s{i:02}"),
                "at":"2026-09-01T00:00:00Z","doc_type":"passport","image_sha256":"dead"})
            })
            .collect();
        let f = IdDocument(Params::default()).run(&ds(&recs));
        assert_eq!(f.len(), 30);
        let d = &f[0].evidence.values["problems"][0]["detail"];
        assert_eq!(d["other_subject_count"], 29);
        assert_eq!(d["other_subjects"].as_array().unwrap().len(), MAX_LISTED);
    }

    #[test]
    fn shared_number_and_image_give_a_finding_to_each_subject() {
        let doc = |sub: &str, img: &str| {
            json!({"kind":"identity_document","subject_id":sub,"at":"2026-09-01T00:00:00Z",
            "doc_type":"passport","issuing_country":"US","number":"A1234-5678","image_sha256":img})
        };
        let f = IdDocument(Params::default()).run(&ds(&[
            doc("u1", "ff00"),
            doc("u2", "ff00"),
            doc("u3", "ee00"),
        ]));
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].subject_id, "u1");
        let p = &f[0].evidence.values["problems"];
        assert_eq!(p[0]["detail"]["other_subjects"], json!(["u2", "u3"]));
        assert_eq!(p[1]["detail"]["other_subjects"], json!(["u2"]));
        assert_eq!(
            f[2].evidence.values["checks_failed"],
            json!(["shared_document_number"])
        );
    }
}
