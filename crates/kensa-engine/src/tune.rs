//! `kensa tune`: learn flag weights (likelihood ratios) from `label` records.
//!
//! A logistic regression with an L2 penalty over the subjects' flag strengths (flags of one id
//! combined by noisy-or, as the scorer does). Weights are kept non-negative, so a learnt
//! likelihood ratio is never below 1: a red flag never *lowers* risk, and a flag seen only on
//! legitimate subjects in a small sample is switched off (lr 1) rather than turned into a
//! mitigation. The prior is not learnt: labelled samples over-represent DPRK cases, so the
//! policy's prior (the platform's base rate) is kept.
//!
//! Overfitting: with a few hundred labelled subjects and dozens of flags, weights fit the
//! sample. `--holdout F` keeps a fraction of the subjects (chosen by a hash of the subject id,
//! so the split is stable) out of the fit and reports the ranking quality (ROC AUC) of the old
//! and the new policy on them; trust a new policy only when it does at least as well there.

use crate::scan::{Prepared, prepare};
use crate::{EngineError, ScanOptions};
use kensa_model::record::LabelValue;
use kensa_score::Policy;
use kensa_score::eval::roc_auc;
use kensa_store::EvidenceStore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a tuning run did.
#[derive(Debug, Clone, Serialize)]
pub struct TuneReport {
    pub train_subjects: usize,
    pub holdout_subjects: usize,
    pub positives: usize,
    pub features: usize,
    pub train_auc_before: f64,
    pub train_auc_after: f64,
    pub holdout_auc_before: f64,
    pub holdout_auc_after: f64,
    /// Flag id → (old lr, new lr).
    pub weights: BTreeMap<String, (f64, f64)>,
}

fn in_holdout(subject: &str, fraction: f64) -> bool {
    let h = Sha256::digest(subject.as_bytes());
    (u16::from_le_bytes([h[0], h[1]]) as f64 / 65_536.0) < fraction
}

/// Fits weights; returns the new policy and a report.
pub fn tune(
    store: &mut dyn EvidenceStore,
    mut opts: ScanOptions<'_>,
    holdout: f64,
    l2: f64,
) -> Result<(Policy, TuneReport), EngineError> {
    let Prepared { live, .. } = prepare(store, &mut opts)?;
    let engine = opts.engine.get()?;
    // Direct evidence only: propagation is derived from scores, not a feature to weigh.
    let findings = live.direct_findings();
    let (ds, sidecar) = (&live.ds, &live.side);
    // Feature matrix: per subject, per flag id, the noisy-or of strengths.
    let mut ids: BTreeSet<String> = engine.policy.flags.keys().cloned().collect();
    ids.extend(findings.iter().map(|f| f.id.clone()));
    let ids: Vec<String> = ids.into_iter().collect();
    let col: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut x: HashMap<&str, Vec<f64>> = HashMap::new();
    for f in &findings {
        let row = x
            .entry(f.subject_id.as_str())
            .or_insert_with(|| vec![0.0; ids.len()]);
        let c = col[f.id.as_str()];
        row[c] = 1.0 - (1.0 - row[c]) * (1.0 - f.strength.clamp(0.0, 1.0));
    }
    let zero = vec![0.0; ids.len()];
    let mut train: Vec<(&str, &[f64], f64)> = Vec::new();
    let mut test: Vec<(&str, &[f64], f64)> = Vec::new();
    for s in &ds.subjects {
        let y = match sidecar.labels.get(&s.id).map(|l| l.r.label) {
            Some(LabelValue::Dprk) => 1.0,
            Some(LabelValue::Legit) => 0.0,
            _ => continue,
        };
        let row = x.get(s.id.as_str()).map(Vec::as_slice).unwrap_or(&zero);
        if in_holdout(&s.id, holdout) {
            test.push((s.id.as_str(), row, y));
        } else {
            train.push((s.id.as_str(), row, y));
        }
    }
    let positives = train.iter().filter(|t| t.2 > 0.5).count();
    if positives == 0 || positives == train.len() {
        return Err(EngineError::Unusable(
            "tuning needs labelled DPRK and legitimate subjects (label records) outside the holdout".into(),
        ));
    }
    // Projected gradient descent on the penalised log-loss; weights >= 0, free intercept.
    let (n, k) = (train.len() as f64, ids.len());
    let mut w = vec![0.0f64; k];
    let mut b = 0.0f64;
    let step = 0.5;
    for _ in 0..4000 {
        let mut gw = vec![0.0; k];
        let mut gb = 0.0;
        for (_, row, y) in &train {
            let z = b + row.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let e = p - y;
            gb += e;
            for (g, a) in gw.iter_mut().zip(row.iter()) {
                *g += e * a;
            }
        }
        b -= step * gb / n;
        for j in 0..k {
            w[j] = (w[j] - step * (gw[j] / n + l2 * w[j] / n)).max(0.0);
        }
    }
    let mut new_policy = engine.policy.clone();
    let mut weights = BTreeMap::new();
    for (j, id) in ids.iter().enumerate() {
        // Only flags seen in the training data are re-weighted; others keep their lr.
        let seen = train.iter().any(|t| t.1[j] > 0.0);
        let old = engine.policy.flags.get(id).map(|f| f.lr).unwrap_or(1.0);
        let new = if seen {
            (w[j].exp() * 1000.0).round() / 1000.0
        } else {
            old
        };
        if seen && kensa_model::catalog::flag(id).is_some() {
            new_policy
                .flags
                .insert(id.clone(), kensa_score::FlagWeight { lr: new.max(1.0) });
        }
        weights.insert(id.clone(), (old, new));
    }
    let auc = |policy: &Policy, set: &[(&str, &[f64], f64)]| -> f64 {
        let scored: Vec<(f64, bool)> = set
            .iter()
            .map(|(_, row, y)| {
                let lo: f64 = ids
                    .iter()
                    .zip(row.iter())
                    .map(|(id, s)| s * policy.log_lr(id))
                    .sum();
                (lo, *y > 0.5)
            })
            .collect();
        roc_auc(&scored)
    };
    let report = TuneReport {
        train_subjects: train.len(),
        holdout_subjects: test.len(),
        positives,
        features: k,
        train_auc_before: auc(&engine.policy, &train),
        train_auc_after: auc(&new_policy, &train),
        holdout_auc_before: auc(&engine.policy, &test),
        holdout_auc_after: auc(&new_policy, &test),
        weights,
    };
    Ok((new_policy, report))
}
