//! RF-SANCTIONED — the person, company, bank or wallet is on a sanctions list.
//!
//! Screening itself (names across scripts and romanisations, wallets) happens before detection,
//! in the engine, with `kensa-screen` over the lists named in the intel configuration; its
//! matches arrive in `Dataset::sanctions`. This detector turns them into one finding per subject
//! with every match as evidence.
//!
//! False positives: common names. The screener's default threshold and its secondary evidence
//! (birth date, nationality) keep namesakes low; a name match below `strong_score` fires at
//! reduced strength so that an analyst confirms it (DD-EVIDENCE-PRESERVE, DD-REPORT), while a
//! listed wallet address is exact and fires at full strength.
//!
//! **Namesakes** (issue 17): when the subject's date of birth is confirmed by an identity
//! document and every date the list gives for the matched entry is at least ten years away
//! (`birth_decades_apart`, circa and ranges allowed for), or the sex in the document's MRZ is
//! not the gender the list states (`gender_mismatch`), the match is another person with the
//! same name. It stays in the evidence for an analyst, at `namesake_strength` — never enough
//! for tier high on the name alone. Beneficiary names are third parties: they are screened
//! without the subject's date of birth and nationality, so this rule never applies to them.

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};

/// Record kinds the screening step reads (names, dates of birth, nationality, sex, wallets):
/// the hits this detector reports change only when one of them arrives.
pub const SCREENED_KINDS: &[&str] = &["subject", "payout_account", "payout", "identity_document"];

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "sanctions_screening",
    raises: &["RF-SANCTIONED"],
    summary: "names, payout beneficiaries and wallets matched against OFAC/UN/other lists",
    false_positives: "namesakes: threshold plus birth-date/nationality evidence; a listed person born decades apart from a subject whose date of birth a document confirms is kept at namesake_strength; weaker strength below strong_score; wallets are exact",
};

/// Parameters (`[detectors.sanctions_screening]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Name-match score at or above which the flag fires at full strength.
    pub strong_score: f64,
    /// Strength of a name match with a listed person born decades apart from the subject
    /// (whose date of birth an identity document confirms).
    pub namesake_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            strong_score: 0.95,
            namesake_strength: 0.1,
        }
    }
}

pub struct Sanctions(pub Params);

impl Detector for Sanctions {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        SCREENED_KINDS
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, ds: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let Some(hits) = ds.sanctions.get(&s.id).filter(|h| !h.is_empty()) else {
            return Vec::new();
        };
        let sid = &s.id;
        {
            let best = hits.iter().map(|h| h.score).fold(0.0, f64::max);
            let dob_confirmed = s.id_documents.iter().any(|d| d.r.date_of_birth.is_some());
            // The subject's gender in a query comes from a document's MRZ only: confirmed.
            let namesake = |h: &kensa_model::intel::SanctionsHit| {
                (dob_confirmed && h.secondary.iter().any(|k| k == "birth_decades_apart"))
                    || h.secondary.iter().any(|k| k == "gender_mismatch")
            };
            let hit_strength = |h: &kensa_model::intel::SanctionsHit| {
                if h.field.contains("crypto") || (h.score >= self.0.strong_score && !namesake(h)) {
                    1.0
                } else if namesake(h) {
                    self.0.namesake_strength
                } else {
                    0.5 + 0.4 * (h.score / self.0.strong_score).clamp(0.0, 1.0)
                }
            };
            let strength = hits.iter().map(hit_strength).fold(0.0, f64::max);
            let only_namesakes = hits.iter().all(namesake);
            let mut namesakes: Vec<&str> = hits
                .iter()
                .filter(|h| namesake(h))
                .map(|h| h.entry_id.as_str())
                .collect();
            namesakes.sort_unstable();
            namesakes.dedup();
            let mut records: Vec<String> = hits.iter().map(|h| h.record_id.clone()).collect();
            records.sort();
            records.dedup();
            let top = hits
                .iter()
                .max_by(|a, b| a.score.total_cmp(&b.score))
                .expect("not empty");
            let lists: Vec<String> = {
                let mut l: Vec<String> = hits
                    .iter()
                    .map(|h| format!("{} {}", h.list, h.entry_id))
                    .collect();
                l.sort();
                l.dedup();
                l
            };
            vec![Finding {
                subject_id: sid.clone(),
                id: "RF-SANCTIONED".into(),
                detector: SPEC.name.into(),
                strength,
                evidence: Evidence::default()
                    .records(records)
                    .value("matches", serde_json::to_value(hits).unwrap_or_default())
                    .value("best_score", best)
                    .value("namesakes", serde_json::json!(namesakes))
                    .threshold("strong_score", self.0.strong_score)
                    .threshold("namesake_strength", self.0.namesake_strength),
                explanation: Text::new(
                    format!(
                        "{} {:?} ({}) matches {:?} on {} (entry {}, programmes {}, score {:.2}){}.",
                        if top.field.contains("crypto") {
                            "Wallet"
                        } else {
                            "Name"
                        },
                        top.value,
                        top.field,
                        top.matched_name,
                        top.list,
                        top.entry_id,
                        top.programs.join("/"),
                        top.score,
                        if lists.len() > 1 {
                            format!("; {} list entries matched in all", lists.len())
                        } else {
                            String::new()
                        }
                    ) + if only_namesakes {
                        " The listed person was born decades apart from the subject, or is of another gender, as the subject's identity document states: most likely a namesake, kept for review at low weight."
                    } else {
                        ""
                    },
                    format!(
                        "{}「{}」（{}）が制裁リスト {} の「{}」（エントリ {}、プログラム {}、スコア {:.2}）と一致しました{}。",
                        if top.field.contains("crypto") {
                            "ウォレット"
                        } else {
                            "氏名"
                        },
                        top.value,
                        top.field,
                        top.list,
                        top.matched_name,
                        top.entry_id,
                        top.programs.join("/"),
                        top.score,
                        if lists.len() > 1 {
                            format!("（一致したエントリは計{}件）", lists.len())
                        } else {
                            String::new()
                        }
                    ) + if only_namesakes {
                        "リスト上の人物は、身分証で確認された対象者と生年が数十年離れているか、性別が異なります。同姓同名の別人の可能性が高いため、確認用に低い重みで残しています。"
                    } else {
                        ""
                    },
                ),
            }]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_model::intel::SanctionsHit;

    fn hit(field: &str, score: f64) -> SanctionsHit {
        SanctionsHit {
            record_id: "r1".into(),
            field: field.into(),
            value: "Kim Sang Man".into(),
            list: "OFAC-SDN".into(),
            entry_id: "43377".into(),
            matched_name: "KIM, Sang Man".into(),
            score,
            programs: vec!["DPRK4".into()],
            how: serde_json::Value::Null,
            secondary: Vec::new(),
        }
    }

    #[test]
    fn wallet_hits_fire_fully_and_weak_name_hits_weakly() {
        // Screening only ever reports subjects of the data set.
        let mut b = crate::DatasetBuilder::new();
        for id in ["a", "b", "c"] {
            let v = kensa_model::validate_value(serde_json::json!(
                {"kind": "subject", "subject_id": id, "source": "platform"}
            ))
            .unwrap();
            b.add(v.record_id, v.record);
        }
        let mut ds = b.build().0;
        ds.sanctions
            .insert("a".into(), vec![hit("crypto.address", 1.0)]);
        ds.sanctions
            .insert("b".into(), vec![hit("beneficiary_name", 0.86)]);
        ds.sanctions.insert("c".into(), vec![]);
        let f = Sanctions(Params::default()).run(&ds);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].strength, 1.0);
        assert!(
            f[1].strength < 0.9,
            "a borderline namesake is not a full-strength flag"
        );
        assert!(f[0].explanation.ja.contains("制裁リスト"));
    }
}
