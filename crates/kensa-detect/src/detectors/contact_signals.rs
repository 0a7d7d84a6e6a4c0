//! Contact signals: Kensa ids that support RF-PROFILE-INCONSISTENT (連絡先の不一致) and
//! RF-LINK-SHARED-IDENTITY.
//!
//! * `KX-CONTACT-VOIP-PHONE` — a phone number of the subject is a VoIP number according to the
//!   numbering plan (`kensa_enrich::phone`): virtual numbers are easy to obtain in any country
//!   without living there, and are how a remote operator gets a "local" number. Many countries'
//!   plans (US and Canada among them) cannot tell VoIP numbers apart, so absence proves nothing.
//! * `KX-CONTACT-PHONE-COUNTRY` — a phone number's country differs from the claimed country. A
//!   number of the subject's own nationality (an expatriate keeping a home number) weighs
//!   `nationality_strength` only.
//! * `KX-CONTACT-FREQUENT-CHANGES` — e-mails or phones replaced or removed again and again across
//!   the snapshots of one source over time (additions are not changes): at least `min_changes`.
//!
//! Disposable e-mail domains need the loaded intel lists, which detectors cannot load; that
//! signal is not raised here.
//!
//! False positives: numbers written without a country code are read in the claimed country; a
//! number that cannot be parsed is ignored; a new e-mail added next to the old one is no change.

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "contact_signals",
    raises: &[
        "KX-CONTACT-VOIP-PHONE",
        "KX-CONTACT-PHONE-COUNTRY",
        "KX-CONTACT-FREQUENT-CHANGES",
    ],
    summary: "VoIP phone numbers, phone numbers of another country than the claimed one, and e-mails/phones replaced repeatedly across snapshots",
    false_positives: "numbers without a country code are read in the claimed country; a number of the subject's own nationality weighs nationality_strength; added contacts are not changes",
};

/// Parameters (`[detectors.contact_signals]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Strength of a VoIP number.
    pub voip_strength: f64,
    /// Strength of a phone country other than the claimed one and the nationality.
    pub country_strength: f64,
    /// Strength when the phone's country is the subject's nationality.
    pub nationality_strength: f64,
    /// Replacements or removals of contacts (per source, over time) needed to fire.
    pub min_changes: usize,
    /// Changes at which the strength reaches 1.
    pub full_changes: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            voip_strength: 1.0,
            country_strength: 1.0,
            nationality_strength: 0.3,
            min_changes: 2,
            full_changes: 4,
        }
    }
}

pub struct ContactSignals(pub Params);

fn thresholds(p: &Params, e: Evidence) -> Evidence {
    e.threshold("voip_strength", p.voip_strength)
        .threshold("country_strength", p.country_strength)
        .threshold("nationality_strength", p.nationality_strength)
        .threshold("min_changes", p.min_changes)
        .threshold("full_changes", p.full_changes)
}

impl ContactSignals {
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        let mut out = Vec::new();
        let claimed = s.claimed_country();
        let nationality = s
            .profiles
            .iter()
            .rev()
            .find_map(|x| x.r.nationality.as_ref().map(|c| c.as_str()));
        // Distinct numbers (by E.164 when parsed), with the records that list them.
        let mut phones: BTreeMap<String, (kensa_enrich::PhoneInfo, Vec<String>)> = BTreeMap::new();
        for pr in &s.profiles {
            let region =
                pr.r.claimed_country
                    .as_ref()
                    .map(|c| c.as_str())
                    .or(claimed);
            for n in &pr.r.phones {
                let info = ds.phone_info(n.trim(), region);
                let key = info.e164.clone().unwrap_or_else(|| n.trim().to_string());
                let e = phones
                    .entry(key)
                    .or_insert_with(|| (info.into_owned(), Vec::new()));
                if !e.1.contains(&pr.id) {
                    e.1.push(pr.id.clone());
                }
            }
        }
        let voip: Vec<_> = phones.values().filter(|(i, _)| i.is_voip).collect();
        if !voip.is_empty() && p.voip_strength > 0.0 {
            let nums: Vec<String> = voip
                .iter()
                .map(|(i, _)| i.e164.clone().unwrap_or(i.input.clone()))
                .collect();
            out.push(Finding {
                subject_id: s.id.clone(),
                id: "KX-CONTACT-VOIP-PHONE".into(),
                detector: SPEC.name.into(),
                strength: p.voip_strength.clamp(0.01, 1.0),
                evidence: thresholds(
                    p,
                    Evidence::default()
                        .records(voip.iter().flat_map(|(_, r)| r.iter().cloned()))
                        .value(
                            "phones",
                            json!(
                                voip.iter()
                                    .map(|(i, _)| json!({"number": i.input, "e164": i.e164, "country": i.country, "line_type": i.line_type}))
                                    .collect::<Vec<_>>()
                            ),
                        ),
                ),
                explanation: Text::new(
                    format!(
                        "Phone number(s) {} are VoIP (virtual) numbers, which can be obtained for any country without living there.",
                        nums.join(", ")
                    ),
                    format!(
                        "電話番号{}はVoIP（仮想）番号で、その国に居住せずに取得できます（連絡先情報の不一致の裏付け）。",
                        nums.join("、")
                    ),
                ),
            });
        }
        if let Some(claimed) = claimed {
            let foreign: Vec<_> = phones
                .values()
                .filter(|(i, _)| i.country.as_deref().is_some_and(|c| c != claimed))
                .collect();
            if !foreign.is_empty() {
                let all_nationality = foreign
                    .iter()
                    .all(|(i, _)| i.country.as_deref() == nationality);
                let strength = if all_nationality {
                    p.nationality_strength
                } else {
                    p.country_strength
                };
                if strength > 0.0 {
                    let list_ja: Vec<String> = foreign
                        .iter()
                        .map(|(i, _)| {
                            format!(
                                "{}（{}）",
                                i.e164.clone().unwrap_or(i.input.clone()),
                                kensa_model::country::ja(i.country.as_deref().unwrap_or("?"))
                            )
                        })
                        .collect();
                    let list: Vec<String> = foreign
                        .iter()
                        .map(|(i, _)| {
                            format!(
                                "{} ({})",
                                i.e164.clone().unwrap_or(i.input.clone()),
                                i.country.as_deref().unwrap_or("?")
                            )
                        })
                        .collect();
                    out.push(Finding {
                        subject_id: s.id.clone(),
                        id: "KX-CONTACT-PHONE-COUNTRY".into(),
                        detector: SPEC.name.into(),
                        strength: strength.clamp(0.01, 1.0),
                        evidence: thresholds(
                            p,
                            Evidence::default()
                                .records(foreign.iter().flat_map(|(_, r)| r.iter().cloned()))
                                .value("claimed_country", claimed)
                                .value("nationality", nationality)
                                .value(
                                    "phones",
                                    json!(
                                        foreign
                                            .iter()
                                            .map(|(i, _)| json!({"number": i.input, "e164": i.e164, "country": i.country, "line_type": i.line_type}))
                                            .collect::<Vec<_>>()
                                    ),
                                ),
                        ),
                        explanation: Text::new(
                            format!(
                                "The subject claims to live in {claimed} but gives {} of another country: {}{}.",
                                if list.len() == 1 { "a phone number" } else { "phone numbers" },
                                list.join(", "),
                                if all_nationality { " (the subject's nationality; weak)" } else { "" }
                            ),
                            format!(
                                "所在国を{}と申告していますが、他国の電話番号があります：{}{}。連絡先情報の不一致にあたります。",
                                kensa_model::country::ja(claimed),
                                list_ja.join("、"),
                                if all_nationality { "（本人の国籍の番号のため弱い兆候）" } else { "" }
                            ),
                        ),
                    });
                }
            }
        }
        // Replacements and removals of contacts over time, per source.
        let mut by_source: BTreeMap<&str, Vec<&crate::Rec<kensa_model::record::Subject>>> =
            BTreeMap::new();
        for pr in &s.profiles {
            by_source.entry(pr.r.source.as_str()).or_default().push(pr);
        }
        let mut changes: Vec<serde_json::Value> = Vec::new();
        let mut records: Vec<String> = Vec::new();
        for (source, snaps) in &by_source {
            for w in snaps.windows(2) {
                let (a, b) = (&w[0].r, &w[1].r);
                let key_e = |e: &String| e.trim().to_lowercase();
                let key_p = |x: &String| {
                    let d: String = x.chars().filter(char::is_ascii_digit).collect();
                    d[d.len().saturating_sub(9)..].to_string()
                };
                let gone_e: Vec<&String> = a
                    .emails
                    .iter()
                    .filter(|x| !b.emails.iter().any(|y| key_e(x) == key_e(y)))
                    .collect();
                let gone_p: Vec<&String> = a
                    .phones
                    .iter()
                    .filter(|x| !b.phones.iter().any(|y| key_p(x) == key_p(y)))
                    .collect();
                for (kind, gone, now) in
                    [("email", gone_e, &b.emails), ("phone", gone_p, &b.phones)]
                {
                    if gone.is_empty() {
                        continue;
                    }
                    changes.push(json!({
                        "source": source,
                        "kind": kind,
                        "removed": gone,
                        "now": now,
                        "at": b.observed_at.map(|t| t.to_rfc3339()),
                    }));
                    for id in [&w[0].id, &w[1].id] {
                        if !records.contains(id) {
                            records.push(id.clone());
                        }
                    }
                }
            }
        }
        if changes.len() >= p.min_changes.max(1) {
            let n = changes.len();
            let strength = (n as f64 / p.full_changes.max(1) as f64).clamp(0.05, 1.0);
            out.push(Finding {
                subject_id: s.id.clone(),
                id: "KX-CONTACT-FREQUENT-CHANGES".into(),
                detector: SPEC.name.into(),
                strength,
                evidence: thresholds(
                    p,
                    Evidence::default()
                        .records(records)
                        .value("changes", serde_json::Value::Array(changes))
                        .value("count", n),
                ),
                explanation: Text::new(
                    format!(
                        "E-mail addresses or phone numbers were replaced or removed {n} times across the subject's profile snapshots (threshold {}).",
                        p.min_changes
                    ),
                    format!(
                        "プロフィールのメールアドレスや電話番号が{n}回差し替え・削除されています（しきい値{}）。連絡先情報の不一致の裏付けです。",
                        p.min_changes
                    ),
                ),
            });
        }
        out
    }
}

impl Detector for ContactSignals {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["subject"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }
    fn evaluate(&self, ds: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(ds, s).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn snap(source: &str, day: u32, fields: &str) -> String {
        format!(
            r#"{{"kind":"subject","subject_id":"u1","source":"{source}","observed_at":"2026-09-{day:02}T00:00:00Z",{fields}}}"#
        )
    }

    fn run(lines: &[String]) -> Vec<Finding> {
        ContactSignals(Params::default()).run(&ds(lines))
    }

    fn ids(f: &[Finding]) -> Vec<(&str, f64)> {
        f.iter().map(|f| (f.id.as_str(), f.strength)).collect()
    }

    #[test]
    fn voip_number_and_foreign_phone_fire() {
        let f = run(&[snap(
            "freelance_platform",
            1,
            r#""claimed_country":"US","nationality":"US","phones":["+44 56 0123 4567","+86 138 0013 8000"]"#,
        )]);
        assert_eq!(
            ids(&f),
            vec![
                ("KX-CONTACT-VOIP-PHONE", 1.0),
                ("KX-CONTACT-PHONE-COUNTRY", 1.0)
            ]
        );
        assert_eq!(f[0].evidence.values["phones"][0]["line_type"], "voip");
        assert!(f[1].explanation.ja.contains("連絡先情報の不一致"));
    }

    #[test]
    fn contacts_replaced_again_and_again_fire() {
        let f = run(&[
            snap(
                "freelance_platform",
                1,
                r#""emails":["a1@example.com"],"phones":["+81 90-1234-5678"]"#,
            ),
            snap(
                "freelance_platform",
                10,
                r#""emails":["a2@example.com"],"phones":["+81 90-1234-5678"]"#,
            ),
            snap(
                "freelance_platform",
                20,
                r#""emails":["a3@example.com"],"phones":["+81 90-1234-5679"]"#,
            ),
        ]);
        assert_eq!(ids(&f), vec![("KX-CONTACT-FREQUENT-CHANGES", 0.75)]);
    }

    /// Look-alikes: local numbers without a country code, an expatriate's home number, an
    /// e-mail added next to the old one.
    #[test]
    fn honest_contacts_do_not_fire_or_fire_weakly() {
        let f = run(&[
            snap(
                "freelance_platform",
                1,
                r#""claimed_country":"JP","phones":["090-1234-5678"],"emails":["k@example.jp"]"#,
            ),
            snap(
                "freelance_platform",
                5,
                r#""claimed_country":"JP","phones":["090-1234-5678"],"emails":["k@example.jp","billing@example.jp"]"#,
            ),
        ]);
        assert!(f.is_empty(), "{f:?}");
        let f = run(&[snap(
            "freelance_platform",
            1,
            r#""claimed_country":"DE","nationality":"JP","phones":["+81 90-1234-5678"]"#,
        )]);
        assert_eq!(ids(&f), vec![("KX-CONTACT-PHONE-COUNTRY", 0.3)]);
    }
}
