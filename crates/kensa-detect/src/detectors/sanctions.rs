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

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "sanctions_screening",
    raises: &["RF-SANCTIONED"],
    summary: "names, payout beneficiaries and wallets matched against OFAC/UN/other lists",
    false_positives: "namesakes: threshold plus birth-date/nationality evidence; weaker strength below strong_score; wallets are exact",
};

/// Parameters (`[detectors.sanctions_screening]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Name-match score at or above which the flag fires at full strength.
    pub strong_score: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { strong_score: 0.95 }
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
            let wallet = hits.iter().any(|h| h.field.contains("crypto"));
            let strength = if wallet || best >= self.0.strong_score {
                1.0
            } else {
                0.5 + 0.4 * (best / self.0.strong_score).clamp(0.0, 1.0)
            };
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
                    .threshold("strong_score", self.0.strong_score),
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
                    ),
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
                    ),
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
