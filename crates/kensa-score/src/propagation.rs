//! Risk propagation: a subject linked to one that is *critical on its own evidence* gets a
//! bounded contribution, raised as `RF-LINK-SHARED-IDENTITY` with `detector: "risk_propagation"`
//! and the path (the critical subject and the identifiers they share) as evidence.
//!
//! Bounds: the strength never exceeds `max_strength` (default 0.5), so the contribution is at
//! most half of what direct evidence of a shared identity gives, in log-odds; it is computed from
//! direct scores only (one hop, no chains of propagation), and labels play no part.

use kensa_detect::link::{LinkGraph, mask};
use kensa_model::finding::{SubjectResult, Tier};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The `[propagation]` section of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Propagation {
    pub enabled: bool,
    /// Strength at most (of RF-LINK-SHARED-IDENTITY's likelihood ratio, in log-odds).
    pub max_strength: f64,
    /// Edge weight at which the strength reaches `max_strength`.
    pub full_weight: f64,
}

impl Default for Propagation {
    fn default() -> Self {
        Propagation {
            enabled: true,
            max_strength: 0.5,
            full_weight: 2.5,
        }
    }
}

/// Findings to add for subjects linked to critical ones (none when disabled).
pub fn propagate(p: &Propagation, graph: &LinkGraph, results: &[SubjectResult]) -> Vec<Finding> {
    if !p.enabled {
        return Vec::new();
    }
    let critical: BTreeMap<&str, f64> = results
        .iter()
        .filter(|r| r.tier == Tier::Critical)
        .map(|r| (r.subject_id.as_str(), r.score))
        .collect();
    propagate_from(p, graph, &critical)
}

/// [`propagate`] from the critical subjects (id → direct score) the caller already knows.
pub fn propagate_from(
    p: &Propagation,
    graph: &LinkGraph,
    critical: &BTreeMap<&str, f64>,
) -> Vec<Finding> {
    if !p.enabled {
        return Vec::new();
    }
    let mut best: BTreeMap<String, Finding> = BTreeMap::new();
    let crit_set: HashSet<&str> = critical.keys().copied().collect();
    for (&c, &score) in critical {
        let Some((graph, ci)) = graph.part(c).and_then(|g| Some((g, g.index_of(c)?))) else {
            continue;
        };
        for e in graph.edges_of_index(ci) {
            let n = graph.names[e.other(ci) as usize].as_str();
            if crit_set.contains(n) {
                continue;
            }
            let strength = (p.max_strength * (e.weight / p.full_weight)).clamp(0.0, p.max_strength);
            if strength <= 0.0 {
                continue;
            }
            let ids: Vec<String> = e
                .idents
                .iter()
                .map(|&i| {
                    let id = &graph.idents[i as usize];
                    format!("{}: {}", id.kind.as_str(), mask(id.kind, &id.value))
                })
                .collect();
            let f = Finding {
                subject_id: n.to_owned(),
                id: "RF-LINK-SHARED-IDENTITY".into(),
                detector: "risk_propagation".into(),
                strength,
                evidence: Evidence::default()
                    .value("linked_to", c)
                    .value("linked_score", score)
                    .value("shared", serde_json::json!(ids))
                    .value("edge_weight", e.weight)
                    .threshold("max_strength", p.max_strength)
                    .threshold("full_weight", p.full_weight),
                explanation: Text::new(
                    format!(
                        "Linked to {c}, which is critical on its own evidence (score {score:.1}), through {}; the contribution is bounded at {} of a direct finding.",
                        ids.join(", "),
                        p.max_strength
                    ),
                    format!(
                        "自らの根拠で重大区分（スコア {score:.1}）の {c} と {} で結び付いています。寄与は直接の検知の{}倍までに制限されています。",
                        ids.join("、"),
                        p.max_strength
                    ),
                ),
            };
            let keep = best.get(n).is_none_or(|old| old.strength < f.strength);
            if keep {
                best.insert(n.to_owned(), f);
            }
        }
    }
    best.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_detect::DatasetBuilder;
    use kensa_detect::link::{GraphParams, build_graph};

    #[test]
    fn linked_subjects_get_a_bounded_contribution_and_unlinked_none() {
        let mut b = DatasetBuilder::new();
        for l in [
            r#"{"kind":"login","subject_id":"bad","at":"2026-09-01T00:00:00Z","ip":"20.1.1.1","device_id":"dev-1"}"#,
            r#"{"kind":"login","subject_id":"friend","at":"2026-09-01T01:00:00Z","ip":"21.1.1.1","device_id":"dev-1"}"#,
            r#"{"kind":"login","subject_id":"stranger","at":"2026-09-01T01:00:00Z","ip":"22.1.1.1","device_id":"dev-9"}"#,
        ] {
            let v = kensa_model::validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        let (ds, side) = b.build();
        let g = build_graph(&ds, &GraphParams::default());
        let policy = crate::Policy::default_policy();
        let mut results = crate::score_all(&policy, &ds, &side, &[]);
        for r in &mut results {
            if r.subject_id == "bad" {
                r.tier = Tier::Critical;
                r.score = 99.0;
            }
        }
        let f = propagate(&Propagation::default(), &g, &results);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject_id, "friend");
        assert!(f[0].strength <= 0.5 && f[0].strength > 0.0);
        assert_eq!(f[0].evidence.values["linked_to"], "bad");
        let off = Propagation {
            enabled: false,
            ..Default::default()
        };
        assert!(propagate(&off, &g, &results).is_empty());
    }
}
