//! The **score** stage: a policy file turns findings into a risk score.
//!
//! The policy (TOML, [`DEFAULT_POLICY`] is shipped) gives a prior, a likelihood ratio per flag
//! and tier thresholds, plus every detector's parameters. The score is the posterior risk in
//! percent; each flag's `weight` in `subjects.jsonl` is its share of the difference between
//! the score and the prior's score, so `base_score + Σ weight = score` exactly.
//!
//! ```
//! let policy = kensa_score::Policy::default_policy();
//! let r = kensa_score::score_subject(&policy, "u1", None, &[]);
//! assert_eq!(r.tier, kensa_model::finding::Tier::Low);
//! assert!((r.score - 100.0 * policy.prior).abs() < 1e-9);
//! ```

pub mod dd;
pub mod eval;
pub mod propagation;
pub mod rules;

use kensa_detect::DetectorParams;
use kensa_model::finding::{ScoredFlag, SubjectResult, Tier};
use kensa_model::{Finding, catalog};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The policy shipped with Kensa.
pub const DEFAULT_POLICY: &str = include_str!("../default-policy.toml");

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// Tier thresholds on the 0–100 score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    pub medium: f64,
    pub high: f64,
    pub critical: f64,
}

/// One flag's weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagWeight {
    /// Likelihood ratio at full strength (> 0; below 1 lowers the risk).
    pub lr: f64,
}

/// Extra weight when several flags are raised together (e.g. VPN use together with a
/// time-zone mismatch). Raised as `KX-POLICY-INTERACTION` with the weakest strength among them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    pub flags: Vec<String>,
    /// Likelihood ratio added when all `flags` are raised at full strength.
    pub lr: f64,
    #[serde(default)]
    pub note: Option<String>,
    /// The note in Japanese (without it, Japanese explanations leave the note out).
    #[serde(default)]
    pub note_ja: Option<String>,
}

/// A ceiling on the combined contribution of a group of flags (e.g. all payment flags together
/// never count for more than `max_lr`), so that correlated signals are not counted twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    pub flags: Vec<String>,
    pub max_lr: f64,
    #[serde(default)]
    pub note: Option<String>,
}

/// A scoring policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub version: u32,
    /// Prior probability, in (0, 1).
    pub prior: f64,
    pub tiers: Tiers,
    /// Due-diligence steps required before approval.
    #[serde(default)]
    pub due_diligence: dd::DdPolicy,
    #[serde(default)]
    pub flags: BTreeMap<String, FlagWeight>,
    #[serde(default)]
    pub interactions: Vec<Interaction>,
    #[serde(default)]
    pub caps: Vec<Cap>,
    /// Bounded risk propagation along the identifier graph (see [`propagation`]).
    #[serde(default)]
    pub propagation: propagation::Propagation,
    /// Custom rules in CEL (see [`rules`]).
    #[serde(default)]
    pub rules: Vec<rules::Rule>,
    #[serde(default)]
    pub detectors: DetectorParams,
}

impl Policy {
    /// The shipped default policy.
    pub fn default_policy() -> Policy {
        Policy::parse(DEFAULT_POLICY, "<built-in default policy>")
            .expect("the shipped policy is valid (tested)")
    }

    /// Reads a policy file.
    pub fn load(path: &std::path::Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            file: path.display().to_string(),
            source,
        })?;
        Policy::parse(&text, &path.display().to_string())
    }

    /// Parses and checks a policy. Errors carry the line number.
    pub fn parse(text: &str, file: &str) -> Result<Policy, PolicyError> {
        let mut p: Policy = toml::from_str(text).map_err(|e| PolicyError::Parse {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let invalid = |needle: &str, message: String| PolicyError::Invalid {
            file: file.to_owned(),
            line: line_of(text, needle),
            message,
        };
        if p.version != 1 {
            return Err(invalid(
                "version",
                format!("unsupported policy version {}", p.version),
            ));
        }
        if !(p.prior > 0.0 && p.prior < 1.0) {
            return Err(invalid(
                "prior",
                format!("prior must be in (0, 1), got {}", p.prior),
            ));
        }
        let t = &p.tiers;
        if !(0.0 <= t.medium && t.medium <= t.high && t.high <= t.critical && t.critical <= 100.0) {
            return Err(invalid(
                "[tiers]",
                "tier thresholds must satisfy 0 <= medium <= high <= critical <= 100".into(),
            ));
        }
        for id in p.due_diligence.all_ids() {
            if catalog::dd(id).is_none() {
                return Err(invalid(
                    id,
                    format!("unknown due-diligence id {id:?} (see `kensa catalog`)"),
                ));
            }
        }
        for id in p.due_diligence.by_flag.keys() {
            if catalog::flag(id).is_none() {
                return Err(invalid(
                    id,
                    format!("unknown flag id {id:?} in [due_diligence.by_flag]"),
                ));
            }
        }
        for group in p
            .interactions
            .iter()
            .map(|i| (&i.flags, i.lr))
            .chain(p.caps.iter().map(|c| (&c.flags, c.max_lr)))
        {
            for id in group.0 {
                if catalog::flag(id).is_none() {
                    return Err(invalid(
                        id,
                        format!("unknown flag id {id:?} in an interaction or cap"),
                    ));
                }
            }
            if !(group.1 > 0.0 && group.1.is_finite()) || group.0.is_empty() {
                return Err(invalid(
                    "[[",
                    "interactions and caps need a non-empty `flags` list and a positive lr / max_lr".into(),
                ));
            }
        }
        for r in &mut p.rules {
            if !(r.lr > 0.0 && r.lr.is_finite()) {
                return Err(invalid(
                    &r.when,
                    format!("rule {:?}: lr must be a positive number", r.name),
                ));
            }
            let when = r.when.clone();
            rules::compile(r).map_err(|e| PolicyError::Invalid {
                file: file.to_owned(),
                line: line_of(text, when.lines().next().unwrap_or(&when)),
                message: format!("rule {:?} does not compile: {e}", r.name),
            })?;
        }
        for (id, w) in &p.flags {
            if catalog::flag(id).is_none() {
                return Err(invalid(
                    id,
                    format!(
                        "unknown flag id {id:?}: not a red flag of the catalogue nor a Kensa id (see `kensa catalog`)"
                    ),
                ));
            }
            if !(w.lr > 0.0 && w.lr.is_finite()) {
                return Err(invalid(id, format!("lr of {id} must be a positive number")));
            }
        }
        Ok(p)
    }

    /// The log-likelihood ratio of a flag at full strength (0 for flags the policy does not
    /// weigh: they are reported but do not move the score).
    pub fn log_lr(&self, id: &str) -> f64 {
        self.flags.get(id).map(|w| w.lr.ln()).unwrap_or(0.0)
    }

    pub fn tier(&self, score: f64) -> Tier {
        if score >= self.tiers.critical {
            Tier::Critical
        } else if score >= self.tiers.high {
            Tier::High
        } else if score >= self.tiers.medium {
            Tier::Medium
        } else {
            Tier::Low
        }
    }
}

/// The 1-based line where `needle` first occurs (1 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            !l.starts_with('#') && l.contains(needle)
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Scores one subject from its findings (all of which must be about that subject).
pub fn score_subject(
    policy: &Policy,
    subject_id: &str,
    display_name: Option<&str>,
    findings: &[Finding],
) -> SubjectResult {
    score_subject_with(policy, subject_id, display_name, findings, None)
}

/// [`score_subject`] with the subject's features for custom rules (`subject` in CEL).
pub fn score_subject_with(
    policy: &Policy,
    subject_id: &str,
    display_name: Option<&str>,
    findings: &[Finding],
    features: Option<&serde_json::Value>,
) -> SubjectResult {
    // Combine strengths per flag id (noisy-or), then share the flag's log-odds among the
    // findings that raised it in proportion to their strengths.
    let mut by_flag: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_flag.entry(f.id.as_str()).or_default().push(f);
    }
    let mut flags = Vec::with_capacity(findings.len());
    let mut total = 0.0;
    for (id, mut fs) in by_flag {
        // In one order whatever order the findings came in (an incremental evaluation may
        // gather them differently from a full one): floating-point products and sums depend
        // on the order of their terms, and equal inputs must give bit-equal results.
        fs.sort_by(|a, b| {
            a.detector
                .cmp(&b.detector)
                .then_with(|| a.strength.total_cmp(&b.strength))
        });
        let combined = 1.0
            - fs.iter()
                .map(|f| 1.0 - f.strength.clamp(0.0, 1.0))
                .product::<f64>();
        let flag_lo = combined * policy.log_lr(id);
        let sum_s: f64 = fs.iter().map(|f| f.strength.clamp(0.0, 1.0)).sum();
        for f in fs {
            let share = if sum_s > 0.0 {
                f.strength.clamp(0.0, 1.0) / sum_s
            } else {
                0.0
            };
            let lo = flag_lo * share;
            total += lo;
            flags.push(ScoredFlag {
                id: f.id.clone(),
                detector: f.detector.clone(),
                weight: 0.0,
                log_odds: lo,
                strength: f.strength,
                evidence: f.evidence.clone(),
                explanation: f.explanation.clone(),
            });
        }
    }
    // Caps: scale a group's contributions down to its ceiling.
    for cap in &policy.caps {
        let limit = cap.max_lr.ln();
        let in_group = |f: &ScoredFlag| cap.flags.iter().any(|c| c == &f.id);
        let sum: f64 = flags
            .iter()
            .filter(|f| in_group(f))
            .map(|f| f.log_odds)
            .sum();
        if sum > limit && sum > 0.0 {
            let k = limit.max(0.0) / sum;
            for f in flags.iter_mut().filter(|f| in_group(f)) {
                f.log_odds *= k;
            }
            total -= sum * (1.0 - k);
        }
    }
    // Interactions: an extra flag when all the listed flags are raised.
    for inter in &policy.interactions {
        let strengths: Option<Vec<f64>> = inter
            .flags
            .iter()
            .map(|id| {
                flags
                    .iter()
                    .filter(|f| &f.id == id)
                    .map(|f| f.strength)
                    .reduce(f64::max)
            })
            .collect();
        if let Some(st) = strengths {
            let s = st.iter().copied().fold(1.0, f64::min).clamp(0.0, 1.0);
            let lo = s * inter.lr.ln();
            total += lo;
            let list = inter.flags.join(" + ");
            let note = inter.note.clone().unwrap_or_default();
            let note_ja = inter.note_ja.clone().unwrap_or_default();
            flags.push(ScoredFlag {
                id: "KX-POLICY-INTERACTION".into(),
                detector: "policy".into(),
                weight: 0.0,
                log_odds: lo,
                strength: s,
                evidence: kensa_model::Evidence::default()
                    .value("flags", serde_json::json!(inter.flags))
                    .value("note", note.clone())
                    .threshold("lr", inter.lr),
                explanation: kensa_model::Text::new(
                    format!("The policy weighs {list} more together than apart (likelihood ratio {}). {note}", inter.lr),
                    format!("ポリシーにより {list} の同時発生は個別より重く評価されます（尤度比 {}）。{note_ja}", inter.lr),
                ),
            });
        }
    }
    // Custom rules see the flags and the score so far.
    if !policy.rules.is_empty() {
        let pre = 100.0 * sigmoid(logit(policy.prior) + total);
        let mut strength = serde_json::Map::new();
        for f in &flags {
            let e = strength
                .entry(f.id.clone())
                .or_insert(serde_json::json!(0.0));
            if e.as_f64().unwrap_or(0.0) < f.strength {
                *e = serde_json::json!(f.strength);
            }
        }
        let mut ids: Vec<&str> = flags.iter().map(|f| f.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let vars = serde_json::json!({
            "flags": ids,
            "strength": strength,
            "score": pre,
            "tier": policy.tier(pre).as_str(),
            "subject": features.cloned().unwrap_or_else(|| serde_json::json!({})),
        });
        for rule in &policy.rules {
            match rules::holds(rule, &vars) {
                Ok(true) => {
                    let lo = rule.lr.ln();
                    total += lo;
                    let text = rule.explanation.clone().unwrap_or_else(|| {
                        kensa_model::Text::new(
                            format!(
                                "Custom rule {:?} holds (likelihood ratio {}).",
                                rule.name, rule.lr
                            ),
                            format!(
                                "カスタムルール「{}」が成立しました（尤度比 {}）。",
                                rule.name, rule.lr
                            ),
                        )
                    });
                    flags.push(ScoredFlag {
                        id: "KX-CUSTOM-RULE".into(),
                        detector: format!("rule:{}", rule.name),
                        weight: 0.0,
                        log_odds: lo,
                        strength: 1.0,
                        evidence: kensa_model::Evidence::default()
                            .value("rule", rule.name.clone())
                            .value("when", rule.when.clone())
                            .threshold("lr", rule.lr),
                        explanation: text,
                    });
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(subject = subject_id, error = %e, "custom rule failed"),
            }
        }
    }
    let base = 100.0 * policy.prior;
    let score = 100.0 * sigmoid(logit(policy.prior) + total);
    // Attribute the score's distance from the base to flags in proportion to their log-odds,
    // so that the weights add up to exactly score - base.
    if total.abs() > 1e-12 {
        for f in &mut flags {
            f.weight = (score - base) * f.log_odds / total;
        }
    }
    flags.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.id.cmp(&b.id)));
    SubjectResult {
        subject_id: subject_id.to_owned(),
        score,
        tier: policy.tier(score),
        base_score: base,
        display_name: display_name.map(str::to_owned),
        flags,
        due_diligence: None,
    }
}

/// What custom rules can read about a subject (`subject.*` in CEL).
fn subject_features(s: &kensa_detect::SubjectData) -> serde_json::Value {
    serde_json::json!({
        "claimed_country": s.claimed_country().unwrap_or(""),
        "claimed_timezone": s.claimed_timezone().unwrap_or(""),
        "nationality": s.profiles.iter().find_map(|p| p.r.nationality.as_ref().map(|c| c.0.clone())).unwrap_or_default(),
        "records": {
            "subject": s.profiles.len(), "login": s.logins.len(), "activity": s.activities.len(),
            "payout_account": s.payout_accounts.len(), "payout": s.payouts.len(), "message": s.messages.len(),
            "review": s.reviews.len(), "contract": s.contracts.len(), "meeting": s.meetings.len(),
            "identity_document": s.id_documents.len(), "shipment": s.shipments.len(),
            "access": s.accesses.len(), "endpoint": s.endpoints.len(),
        },
    })
}

/// Scores one subject of the data set from its findings, with its due-diligence status from
/// its `check` records: what [`score_all`] does for each subject.
pub fn score_with_checks(
    policy: &Policy,
    s: &kensa_detect::SubjectData,
    checks: Option<&[kensa_detect::Rec<kensa_model::record::Check>]>,
    findings: &[Finding],
) -> SubjectResult {
    let features = (!policy.rules.is_empty()).then(|| subject_features(s));
    let mut r = score_subject_with(policy, &s.id, s.display_name(), findings, features.as_ref());
    let checks: Vec<(&str, &kensa_model::record::Check)> = checks
        .map(|v| v.iter().map(|c| (c.id.as_str(), &c.r)).collect())
        .unwrap_or_default();
    let st = dd::status(
        &policy.due_diligence,
        r.tier,
        r.flags.iter().map(|f| f.id.as_str()),
        &checks,
    );
    r.due_diligence = serde_json::to_value(st).ok();
    r
}

/// Results in output order: score (highest first), then id.
pub fn sort_results(out: &mut [SubjectResult]) {
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.subject_id.cmp(&b.subject_id))
    });
}

/// Scores every subject of the data set; results sorted by score (highest first), then id.
pub fn score_all(
    policy: &Policy,
    ds: &kensa_detect::Dataset,
    side: &kensa_detect::Sidecar,
    findings: &[Finding],
) -> Vec<SubjectResult> {
    let mut by_subject: std::collections::HashMap<&str, Vec<Finding>> = Default::default();
    for f in findings {
        by_subject
            .entry(f.subject_id.as_str())
            .or_default()
            .push(f.clone());
    }
    let mut out: Vec<SubjectResult> = ds
        .subjects
        .iter()
        .map(|s| {
            let fs = by_subject.remove(s.id.as_str()).unwrap_or_default();
            score_with_checks(policy, s, side.checks.get(&s.id).map(Vec::as_slice), &fs)
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.subject_id.cmp(&b.subject_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_model::{Evidence, Text};

    fn finding(id: &str, detector: &str, strength: f64) -> Finding {
        Finding {
            subject_id: "u1".into(),
            id: id.into(),
            detector: detector.into(),
            strength,
            evidence: Evidence::default(),
            explanation: Text::default(),
        }
    }

    #[test]
    fn default_policy_is_valid_and_matches_code_defaults() {
        let p = Policy::default_policy();
        assert_eq!(
            p.detectors,
            DetectorParams::default(),
            "shipped detector parameters must equal the defaults in code"
        );
    }

    #[test]
    fn every_detector_flag_is_weighed_by_the_default_policy() {
        let p = Policy::default_policy();
        for spec in kensa_detect::registry() {
            for id in spec.raises {
                assert!(
                    p.flags.contains_key(*id),
                    "{} raises {id}, which the default policy does not weigh",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn contributions_sum_to_the_score() {
        let p = Policy::default_policy();
        let fs = vec![
            finding("RF-LOGIN-MULTI-IP", "a", 0.6),
            finding("RF-LOGIN-MULTI-IP", "b", 0.3),
        ];
        let r = score_subject(&p, "u1", None, &fs);
        let sum: f64 = r.flags.iter().map(|f| f.weight).sum();
        assert!((r.base_score + sum - r.score).abs() < 1e-9);
        assert!(r.score > r.base_score);
    }

    #[test]
    fn interactions_add_and_caps_limit() {
        let p = Policy::default_policy();
        let alone = score_subject(&p, "u1", None, &[finding("RF-NET-ANONYMIZER", "a", 1.0)]);
        let together = score_subject(
            &p,
            "u1",
            None,
            &[
                finding("RF-NET-ANONYMIZER", "a", 1.0),
                finding("RF-AVAIL-OFF-HOURS", "b", 0.5),
            ],
        );
        let inter = together
            .flags
            .iter()
            .find(|f| f.id == "KX-POLICY-INTERACTION")
            .expect("interaction raised");
        assert_eq!(inter.strength, 0.5, "the weakest flag's strength");
        assert!(alone.flags.iter().all(|f| f.id != "KX-POLICY-INTERACTION"));
        let sum: f64 = together.flags.iter().map(|f| f.weight).sum();
        assert!((together.base_score + sum - together.score).abs() < 1e-9);

        let capped = score_subject(
            &p,
            "u1",
            None,
            &[
                finding("RF-PAY-NAME-MISMATCH", "a", 1.0),
                finding("RF-PAY-THIRD-PARTY", "b", 1.0),
            ],
        );
        let lo: f64 = capped.flags.iter().map(|f| f.log_odds).sum();
        assert!((lo - 10f64.ln()).abs() < 1e-9, "capped at ln(10), got {lo}");
    }

    #[test]
    fn a_custom_rule_changes_a_tier() {
        let base = Policy::default_policy();
        let fs = vec![finding("RF-LOGIN-MULTI-IP", "a", 1.0)];
        let before = score_subject(&base, "u1", None, &fs);
        let text = format!(
            "{DEFAULT_POLICY}\n[[rules]]\nname = \"multi-ip from a US claimant\"\nwhen = '\"RF-LOGIN-MULTI-IP\" in flags && subject.claimed_country == \"US\"'\nlr = 200.0\n"
        );
        let p = Policy::parse(&text, "p.toml").unwrap();
        let us = serde_json::json!({"claimed_country": "US"});
        let jp = serde_json::json!({"claimed_country": "JP"});
        let after = score_subject_with(&p, "u1", None, &fs, Some(&us));
        assert!(
            after.tier > before.tier,
            "{:?} -> {:?}",
            before.tier,
            after.tier
        );
        assert!(after.flags.iter().any(|f| f.id == "KX-CUSTOM-RULE"));
        let sum: f64 = after.flags.iter().map(|f| f.weight).sum();
        assert!((after.base_score + sum - after.score).abs() < 1e-9);
        let other = score_subject_with(&p, "u1", None, &fs, Some(&jp));
        assert_eq!(other.tier, before.tier, "the rule does not hold for JP");
    }

    #[test]
    fn a_rule_that_does_not_compile_names_its_line() {
        let text = format!(
            "{DEFAULT_POLICY}\n[[rules]]\nname = \"broken\"\nwhen = 'flags.exists(f, '\nlr = 2.0\n"
        );
        let e = Policy::parse(&text, "p.toml").unwrap_err().to_string();
        let line = text
            .lines()
            .position(|l| l.starts_with("when = 'flags.exists"))
            .unwrap()
            + 1;
        assert!(
            e.starts_with(&format!("p.toml:{line}:")) && e.contains("broken"),
            "{e}"
        );
    }

    #[test]
    fn errors_carry_line_numbers() {
        let bad = DEFAULT_POLICY.replace(
            "\"RF-LOGIN-MULTI-IP\" = { lr = 6.0 }",
            "\"RF-NOT-A-FLAG\" = { lr = 6.0 }",
        );
        let e = Policy::parse(&bad, "p.toml").unwrap_err().to_string();
        let line = DEFAULT_POLICY
            .lines()
            .position(|l| l.contains("RF-LOGIN-MULTI-IP\" ="))
            .unwrap()
            + 1;
        assert!(e.starts_with(&format!("p.toml:{line}:")), "{e}");

        let e = Policy::parse("version = 1\nprior = 0.01\n[tiers\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3"), "{e}");

        let bad = DEFAULT_POLICY.replace("count = 5", "cuont = 5");
        let e = Policy::parse(&bad, "p.toml").unwrap_err().to_string();
        assert!(e.contains("cuont") && e.contains("line"), "{e}");
    }
}
