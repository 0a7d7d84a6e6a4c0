//! Measuring detection quality against ground-truth labels (`label` records).
//!
//! Labels are used **only** here, after scoring, to grade the ranking: they never reach a
//! detector or the score (see the `Sidecar` in `kensa-detect`).

use kensa_model::finding::{SubjectResult, Tier};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One labelled subject's outcome.
#[derive(Debug, Clone)]
pub struct Labelled<'a> {
    pub result: &'a SubjectResult,
    /// True for `dprk`, false for `legit`.
    pub positive: bool,
    /// The red flags the label says the subject shows (may be empty: not known).
    pub carries: Vec<String>,
}

/// Per red flag, how many of the subjects known to show it got it raised.
#[derive(Debug, Clone, Serialize)]
pub struct FlagRecall {
    pub id: String,
    /// Labelled subjects whose label lists the flag.
    pub carriers: usize,
    /// Of those, the ones with the flag raised.
    pub raised: usize,
    pub recall: f64,
    /// Carriers without the flag raised.
    pub missed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AtThreshold {
    pub tier: String,
    pub threshold: f64,
    pub flagged: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub precision: f64,
    pub recall: f64,
    /// Share of legitimate subjects at or above the threshold.
    pub false_positive_rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlagRate {
    pub id: String,
    /// Share of labelled DPRK subjects with the flag.
    pub dprk: f64,
    /// Share of labelled legitimate subjects with the flag.
    pub legit: f64,
    pub dprk_count: usize,
    pub legit_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalibrationBin {
    pub from: f64,
    pub to: f64,
    pub subjects: usize,
    /// Mean predicted probability (score / 100).
    pub predicted: f64,
    /// Observed share of DPRK subjects.
    pub observed: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    pub threshold_tier: String,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
}

/// Every metric `kensa eval` reports.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub positives: usize,
    pub negatives: usize,
    pub unlabelled: usize,
    pub roc_auc: f64,
    pub pr_auc: f64,
    pub at_tiers: Vec<AtThreshold>,
    pub precision_at_k: BTreeMap<usize, f64>,
    pub confusion: Confusion,
    pub flags: Vec<FlagRate>,
    /// Per-flag recall over the subjects whose labels list the flags they show (label `flags`).
    pub flag_recall: Vec<FlagRecall>,
    pub calibration: Vec<CalibrationBin>,
    /// ROC curve points (false positive rate, true positive rate).
    pub roc_curve: Vec<(f64, f64)>,
    /// Precision–recall curve points (recall, precision).
    pub pr_curve: Vec<(f64, f64)>,
    /// Legitimate subjects at tier high or critical: (subject, score, tier).
    pub legit_high: Vec<(String, f64, String)>,
    /// DPRK subjects below tier medium: (subject, score, tier).
    pub dprk_missed: Vec<(String, f64, String)>,
}

/// Area under the ROC curve (Mann–Whitney U with tied ranks averaged).
pub fn roc_auc(scores: &[(f64, bool)]) -> f64 {
    let mut v: Vec<(f64, bool)> = scores.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut pos, mut neg) = (0.0, 0usize, 0usize);
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0;
        for item in &v[i..j] {
            if item.1 {
                rank_sum += avg_rank;
                pos += 1;
            } else {
                neg += 1;
            }
        }
        i = j;
    }
    if pos == 0 || neg == 0 {
        return f64::NAN;
    }
    (rank_sum - (pos * (pos + 1)) as f64 / 2.0) / (pos * neg) as f64
}

/// Average precision (area under the precision–recall curve, step-wise).
pub fn average_precision(scores: &[(f64, bool)]) -> f64 {
    let mut v: Vec<(f64, bool)> = scores.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total = v.iter().filter(|x| x.1).count();
    if total == 0 {
        return f64::NAN;
    }
    let (mut tp, mut ap) = (0usize, 0.0);
    for (i, (_, pos)) in v.iter().enumerate() {
        if *pos {
            tp += 1;
            ap += tp as f64 / (i + 1) as f64;
        }
    }
    ap / total as f64
}

/// Evaluates a ranking.
pub fn evaluate(
    policy: &crate::Policy,
    labelled: &[Labelled<'_>],
    unlabelled: usize,
) -> EvalReport {
    let scores: Vec<(f64, bool)> = labelled
        .iter()
        .map(|l| (l.result.score, l.positive))
        .collect();
    let positives = scores.iter().filter(|s| s.1).count();
    let negatives = scores.len() - positives;
    let at = |tier: Tier, threshold: f64| {
        let flagged: Vec<&(f64, bool)> = scores.iter().filter(|s| s.0 >= threshold).collect();
        let tp = flagged.iter().filter(|s| s.1).count();
        let fp = flagged.len() - tp;
        AtThreshold {
            tier: tier.as_str().into(),
            threshold,
            flagged: flagged.len(),
            true_positives: tp,
            false_positives: fp,
            precision: if flagged.is_empty() {
                f64::NAN
            } else {
                tp as f64 / flagged.len() as f64
            },
            recall: if positives == 0 {
                f64::NAN
            } else {
                tp as f64 / positives as f64
            },
            false_positive_rate: if negatives == 0 {
                f64::NAN
            } else {
                fp as f64 / negatives as f64
            },
        }
    };
    let t = &policy.tiers;
    let at_tiers = vec![
        at(Tier::Medium, t.medium),
        at(Tier::High, t.high),
        at(Tier::Critical, t.critical),
    ];
    let mut sorted = scores.clone();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut precision_at_k = BTreeMap::new();
    for k in [5usize, 10, 20, 50, 100] {
        if k <= sorted.len() {
            let tp = sorted[..k].iter().filter(|s| s.1).count();
            precision_at_k.insert(k, tp as f64 / k as f64);
        }
    }
    let high = at(Tier::High, t.high);
    let confusion = Confusion {
        threshold_tier: "high".into(),
        true_positives: high.true_positives,
        false_positives: high.false_positives,
        false_negatives: positives - high.true_positives,
        true_negatives: negatives - high.false_positives,
    };
    // Per-flag hit rates.
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for l in labelled {
        let mut ids: Vec<&str> = l.result.flags.iter().map(|f| f.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let c = counts.entry(id).or_default();
            if l.positive {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
    }
    let mut flags: Vec<FlagRate> = counts
        .into_iter()
        .map(|(id, (d, g))| FlagRate {
            id: id.into(),
            dprk: if positives == 0 {
                0.0
            } else {
                d as f64 / positives as f64
            },
            legit: if negatives == 0 {
                0.0
            } else {
                g as f64 / negatives as f64
            },
            dprk_count: d,
            legit_count: g,
        })
        .collect();
    flags.sort_by(|a, b| a.id.cmp(&b.id));
    // Per-flag recall over the carriers the labels name.
    let mut recall: BTreeMap<&str, FlagRecall> = BTreeMap::new();
    for l in labelled {
        for id in &l.carries {
            let e = recall.entry(id.as_str()).or_insert_with(|| FlagRecall {
                id: id.clone(),
                carriers: 0,
                raised: 0,
                recall: 0.0,
                missed: Vec::new(),
            });
            e.carriers += 1;
            if l.result.flags.iter().any(|f| f.id == *id) {
                e.raised += 1;
            } else {
                e.missed.push(l.result.subject_id.clone());
            }
        }
    }
    let flag_recall: Vec<FlagRecall> = recall
        .into_values()
        .map(|mut r| {
            r.recall = r.raised as f64 / r.carriers.max(1) as f64;
            r
        })
        .collect();
    // Calibration in ten bins of the score.
    let calibration = (0..10)
        .map(|b| {
            let (from, to) = (b as f64 * 10.0, (b + 1) as f64 * 10.0);
            let in_bin: Vec<&(f64, bool)> = scores
                .iter()
                .filter(|s| s.0 >= from && (s.0 < to || (b == 9 && s.0 <= to)))
                .collect();
            let n = in_bin.len();
            CalibrationBin {
                from,
                to,
                subjects: n,
                predicted: if n == 0 {
                    f64::NAN
                } else {
                    in_bin.iter().map(|s| s.0 / 100.0).sum::<f64>() / n as f64
                },
                observed: if n == 0 {
                    f64::NAN
                } else {
                    in_bin.iter().filter(|s| s.1).count() as f64 / n as f64
                },
            }
        })
        .collect();
    // Curves: one point per distinct score, from the top.
    let (mut roc_curve, mut pr_curve) = (vec![(0.0, 0.0)], Vec::new());
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            if sorted[j].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            j += 1;
        }
        if positives > 0 && negatives > 0 {
            roc_curve.push((fp as f64 / negatives as f64, tp as f64 / positives as f64));
        }
        if positives > 0 {
            pr_curve.push((tp as f64 / positives as f64, tp as f64 / (tp + fp) as f64));
        }
        i = j;
    }
    let mut legit_high: Vec<(String, f64, String)> = labelled
        .iter()
        .filter(|l| !l.positive && l.result.tier >= Tier::High)
        .map(|l| {
            (
                l.result.subject_id.clone(),
                l.result.score,
                l.result.tier.as_str().to_owned(),
            )
        })
        .collect();
    legit_high.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut dprk_missed: Vec<(String, f64, String)> = labelled
        .iter()
        .filter(|l| l.positive && l.result.tier < Tier::Medium)
        .map(|l| {
            (
                l.result.subject_id.clone(),
                l.result.score,
                l.result.tier.as_str().to_owned(),
            )
        })
        .collect();
    dprk_missed.sort_by(|a, b| b.1.total_cmp(&a.1));
    EvalReport {
        positives,
        negatives,
        unlabelled,
        roc_auc: roc_auc(&scores),
        pr_auc: average_precision(&scores),
        at_tiers,
        precision_at_k,
        confusion,
        flags,
        flag_recall,
        calibration,
        roc_curve,
        pr_curve,
        legit_high,
        dprk_missed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_perfect_random_and_inverted_rankings() {
        let perfect = [(0.9, true), (0.8, true), (0.2, false), (0.1, false)];
        assert_eq!(roc_auc(&perfect), 1.0);
        let inverted = [(0.1, true), (0.2, true), (0.8, false), (0.9, false)];
        assert_eq!(roc_auc(&inverted), 0.0);
        let ties = [(0.5, true), (0.5, false)];
        assert_eq!(roc_auc(&ties), 0.5);
        assert_eq!(average_precision(&perfect), 1.0);
        // One positive ranked second: AP = 1/2.
        assert_eq!(average_precision(&[(0.9, false), (0.8, true)]), 0.5);
    }

    /// Per-flag recall counts, per flag a label lists, the subjects with it raised.
    #[test]
    fn per_flag_recall_counts_the_carriers_a_label_names() {
        let result = |id: &str, score: f64, flags: &[&str]| SubjectResult {
            subject_id: id.into(),
            score,
            tier: Tier::Low,
            base_score: 1.0,
            display_name: None,
            flags: flags
                .iter()
                .map(|f| crate::ScoredFlag {
                    id: (*f).into(),
                    detector: "d".into(),
                    weight: 1.0,
                    log_odds: 0.1,
                    strength: 1.0,
                    evidence: Default::default(),
                    explanation: Default::default(),
                })
                .collect(),
            due_diligence: None,
        };
        let (a, b, c) = (
            result("a", 90.0, &["RF-PAY-CRYPTO", "RF-SANCTIONED"]),
            result("b", 80.0, &["RF-SANCTIONED"]),
            result("c", 5.0, &["RF-PAY-CRYPTO"]),
        );
        let carries = |f: &[&str]| f.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let labelled = [
            Labelled {
                result: &a,
                positive: true,
                carries: carries(&["RF-PAY-CRYPTO"]),
            },
            Labelled {
                result: &b,
                positive: true,
                carries: carries(&["RF-PAY-CRYPTO", "RF-SANCTIONED"]),
            },
            Labelled {
                result: &c,
                positive: false,
                carries: vec![],
            },
        ];
        let r = evaluate(&crate::Policy::default_policy(), &labelled, 0);
        let crypto = r
            .flag_recall
            .iter()
            .find(|x| x.id == "RF-PAY-CRYPTO")
            .unwrap();
        assert_eq!(
            (crypto.carriers, crypto.raised, crypto.missed.clone()),
            (2, 1, vec!["b".to_string()])
        );
        assert_eq!(crypto.recall, 0.5);
        let sanctioned = r
            .flag_recall
            .iter()
            .find(|x| x.id == "RF-SANCTIONED")
            .unwrap();
        assert_eq!((sanctioned.carriers, sanctioned.raised), (1, 1));
    }
}
