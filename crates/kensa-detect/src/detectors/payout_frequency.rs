//! RF-PAY-FREQUENT-TRANSFER — frequent transfers of funds through payment platforms
//! (支払いプラットフォームを通じての頻繁な資金移転).
//!
//! What is measured, over the subject's `payout` records (money paid to the subject or moved
//! onward by them):
//! * **Frequency vs peers**: the most payouts inside one sliding `window`, compared with the same
//!   number for every subject with payouts by a robust z-score (median and 1.4826 × MAD, the
//!   scale floored at 1 payout). It fires when the count reaches `min_count` and z reaches
//!   `z_threshold`, and only with at least `min_peers` subjects to compare with.
//! * **Fan-out**: `min_destinations` or more distinct destinations (account id, wallet address,
//!   IBAN or account number) inside one window — money split onward in many small pieces.
//!
//! Strength: 0.5 at the threshold growing to 1 at twice the z threshold (frequency) or by 0.1
//! per extra destination (fan-out), combined as `1 − Π(1 − s)`.
//!
//! False positives: weekly or daily payroll-like payouts are frequent but regular and to one
//! account. When all payouts in the busiest window go to one destination at regular intervals
//! (coefficient of variation of the gaps at most `regular_cv`), the frequency part is scaled by
//! `regular_factor`. Weekly payouts (4–5 a month) also stay under `min_count`.

use crate::params::Dur;
use crate::util::{affected_also, median_mad, round2, window_text};
use crate::{Affected, Dataset, Detector, DetectorSpec, Population, Rec, SubjectData, state};
use kensa_model::record::Payout;
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "payout_frequency",
    raises: &["RF-PAY-FREQUENT-TRANSFER"],
    summary: "payouts per window vs all subjects (robust z), and many distinct onward destinations within a window",
    false_positives: "regular payroll-like payouts to one account are damped; weekly payouts stay below min_count; silent on frequency without enough peers",
};

/// Parameters (`[detectors.payout_frequency]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Sliding window.
    pub window: Dur,
    /// Payouts inside one window needed for the frequency part.
    pub min_count: usize,
    /// Robust z-score of the count needed for the frequency part.
    pub z_threshold: f64,
    /// Subjects with payouts needed to compute z-scores.
    pub min_peers: usize,
    /// Distinct destinations inside one window for the fan-out part.
    pub min_destinations: usize,
    /// Largest coefficient of variation of the gaps that counts as regular (payroll-like).
    pub regular_cv: f64,
    /// Factor applied to the frequency part for regular payouts to one destination.
    pub regular_factor: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Dur::days(30),
            min_count: 8,
            z_threshold: 3.0,
            min_peers: 10,
            min_destinations: 4,
            regular_cv: 0.25,
            regular_factor: 0.3,
        }
    }
}

pub struct PayoutFrequency(pub Params);

/// Where a payout went, as well as the record tells.
fn destination(p: &Payout) -> Option<String> {
    p.account_id
        .clone()
        .or_else(|| p.crypto.as_ref().and_then(|c| c.address.clone()))
        .or_else(|| {
            p.bank
                .as_ref()
                .and_then(|b| b.iban.clone().or_else(|| b.account_number.clone()))
        })
}

/// A window over a subject's payouts: (how many payouts or destinations, first index, last index).
type Span = (usize, usize, usize);

/// Busiest window and the window with the most destinations.
fn windows(pays: &[Rec<Payout>], window: i64) -> (Span, Span) {
    let dest: Vec<Option<String>> = pays.iter().map(|p| destination(&p.r)).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut lo = 0;
    let mut busiest = (0, 0, 0);
    let mut widest = (0, 0, 0);
    for hi in 0..pays.len() {
        if let Some(d) = &dest[hi] {
            *counts.entry(d).or_default() += 1;
        }
        while pays[hi].r.at.0 - pays[lo].r.at.0 > window {
            if let Some(d) = &dest[lo]
                && let Some(c) = counts.get_mut(d.as_str())
            {
                *c -= 1;
                if *c == 0 {
                    counts.remove(d.as_str());
                }
            }
            lo += 1;
        }
        if hi - lo + 1 > busiest.0 {
            busiest = (hi - lo + 1, lo, hi);
        }
        // The window with the most destinations; among those, the one with the most payouts.
        if (counts.len(), hi - lo) > (widest.0, widest.2 - widest.1) {
            widest = (counts.len(), lo, hi);
        }
    }
    (busiest, widest)
}

impl Detector for PayoutFrequency {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["payout"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn population_inputs(&self) -> &'static [&'static str] {
        &["payout"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        let p = &self.0;
        let window = p.window.millis();
        let per: Vec<(&str, usize)> = ds
            .subjects
            .iter()
            .filter(|s| !s.payouts.is_empty())
            .map(|s| (s.id.as_str(), windows(&s.payouts, window).0.0))
            .collect();
        let counts: Vec<f64> = per.iter().map(|x| x.1 as f64).collect();
        let stats = (counts.len() >= p.min_peers).then(|| {
            let (median, scale) = median_mad(&counts, 1.0);
            (counts.len(), median, scale)
        });
        let candidates = per
            .into_iter()
            .filter(|x| x.1 >= p.min_count)
            .map(|(sid, n)| (sid.to_owned(), n))
            .collect();
        Box::new(PayoutPeers {
            stats,
            candidates,
            z_threshold: p.z_threshold,
        })
    }

    fn evaluate(&self, _: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(state::<PayoutPeers>(pop), s)
            .into_iter()
            .collect()
    }
}

/// Population state: the peer statistics of the busiest-window count, and the subjects whose
/// busiest window is big enough for them to matter.
pub struct PayoutPeers {
    /// (subjects with payouts, median, robust scale) of the busiest-window counts; `None`
    /// with fewer than `min_peers` subjects.
    stats: Option<(usize, f64, f64)>,
    /// Busiest-window count of each subject reaching `min_count`: only they can get the
    /// frequency part, the only part that reads the statistics.
    candidates: HashMap<String, usize>,
    z_threshold: f64,
}

impl PayoutPeers {
    /// Whether a busiest-window count gets the frequency part under these statistics.
    fn fires(&self, count: usize) -> bool {
        self.stats
            .is_some_and(|(_, median, scale)| (count as f64 - median) / scale >= self.z_threshold)
    }
}

impl Population for PayoutPeers {
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let before = state::<PayoutPeers>(before);
        if before.stats == self.stats {
            return Affected::Touched;
        }
        // An untouched subject's count is the same in both states; its finding changes only
        // if it has the frequency part before or after (whose evidence shows the statistics).
        let mut also: Vec<String> = before
            .candidates
            .iter()
            .chain(&self.candidates)
            .filter(|(sid, n)| {
                !touched.contains(sid.as_str()) && (before.fires(**n) || self.fires(**n))
            })
            .map(|(sid, _)| sid.clone())
            .collect();
        also.sort();
        also.dedup();
        affected_also(also)
    }
}

impl PayoutFrequency {
    /// Phase 2 for one subject.
    fn subject(&self, st: &PayoutPeers, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let pays = &s.payouts;
        if pays.is_empty() {
            return None;
        }
        let ((count, blo, bhi), (ndest, dlo, dhi)) = windows(pays, p.window.millis());
        let (win_en, win_ja) = window_text(&p.window);
        let mut parts_en = Vec::new();
        let mut parts_ja = Vec::new();
        let mut strengths = Vec::new();
        let mut ev = Evidence::default();
        let mut recs: BTreeSet<String> = BTreeSet::new();
        if let Some((peers, median, scale)) = st.stats
            && count >= p.min_count
        {
            let z = (count as f64 - median) / scale;
            if z >= p.z_threshold {
                let span = &pays[blo..=bhi];
                let dests: BTreeSet<Option<String>> =
                    span.iter().map(|x| destination(&x.r)).collect();
                let gaps: Vec<f64> = span
                    .windows(2)
                    .map(|w| (w[1].r.at.0 - w[0].r.at.0) as f64)
                    .collect();
                let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
                let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>()
                    / gaps.len().max(1) as f64)
                    .sqrt();
                let cv = if mean > 0.0 { sd / mean } else { 0.0 };
                let regular = dests.len() == 1 && cv <= p.regular_cv;
                let mut st = (0.5 + 0.5 * ((z - p.z_threshold) / p.z_threshold).min(1.0)).min(1.0);
                if regular {
                    st *= p.regular_factor;
                }
                strengths.push(st);
                recs.extend(span.iter().take(50).map(|x| x.id.clone()));
                ev = ev
                    .value("payouts_in_window", count)
                    .value("window_start", span[0].r.at.to_rfc3339())
                    .value("window_end", span[span.len() - 1].r.at.to_rfc3339())
                    .value("peer_median", round2(median))
                    .value("robust_z", round2(z))
                    .value("peers", peers)
                    .value("regular_single_destination", regular)
                    .value("gap_cv", round2(cv));
                parts_en.push(format!(
                    "{count} payouts within {win_en} (the median subject has {median}; robust z = {:.1}{})",
                    z,
                    if regular { "; regular, to one account" } else { "" }
                ));
                parts_ja.push(format!(
                    "{win_ja}以内に{count}件の支払い（全対象者の中央値は{median}件、ロバストz値 {:.1}{}）",
                    z,
                    if regular { "。一つの口座への定期的な支払い" } else { "" }
                ));
            }
        }
        if ndest >= p.min_destinations {
            let span = &pays[dlo..=dhi];
            let dests: BTreeSet<String> = span.iter().filter_map(|x| destination(&x.r)).collect();
            let total: f64 = span.iter().map(|x| x.r.amount).sum();
            strengths.push((0.5 + 0.1 * (ndest - p.min_destinations) as f64).min(1.0));
            recs.extend(span.iter().take(50).map(|x| x.id.clone()));
            let shown: Vec<&String> = dests.iter().take(20).collect();
            ev = ev
                .value("distinct_destinations", ndest)
                .value("destinations", json!(shown))
                .value("fan_out_payouts", span.len())
                .value("fan_out_total_amount", round2(total))
                .value("fan_out_start", span[0].r.at.to_rfc3339());
            parts_en.push(format!(
                "{} transfers to {ndest} different destinations within {win_en}",
                span.len()
            ));
            parts_ja.push(format!(
                "{win_ja}以内に{ndest}か所の異なる送金先へ{}件の送金",
                span.len()
            ));
        }
        if strengths.is_empty() {
            return None;
        }
        let strength = 1.0 - strengths.iter().map(|x| 1.0 - x).product::<f64>();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PAY-FREQUENT-TRANSFER".into(),
            detector: SPEC.name.into(),
            strength: strength.clamp(0.05, 1.0),
            evidence: ev
                .records(recs)
                .threshold("window", win_en.clone())
                .threshold("min_count", p.min_count)
                .threshold("z_threshold", p.z_threshold)
                .threshold("min_destinations", p.min_destinations),
            explanation: Text::new(
                format!("Frequent transfers of funds: {}.", parts_en.join("; ")),
                format!(
                    "支払いプラットフォームを通じての頻繁な資金移転が見られます：{}。",
                    parts_ja.join("、")
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn payout(sub: &str, day: u32, hour: u32, account: &str, amount: f64) -> serde_json::Value {
        json!({"kind":"payout","subject_id":sub,"at":format!("2026-09-{:02}T{:02}:00:00Z", day, hour),
            "amount":amount,"currency":"USD","account_id":account})
    }

    fn ds(recs: Vec<serde_json::Value>) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, r) in recs.into_iter().enumerate() {
            let mut v = r;
            v["record_id"] = format!("r{i}").into();
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    /// Twelve ordinary subjects paid once or twice a month.
    fn population() -> Vec<serde_json::Value> {
        let mut v = Vec::new();
        for i in 0..12 {
            v.push(payout(&format!("p{i}"), 1, 9, "acct", 2000.0));
            if i % 2 == 0 {
                v.push(payout(&format!("p{i}"), 15, 9, "acct", 2000.0));
            }
        }
        v
    }

    #[test]
    fn many_payouts_split_to_many_destinations_fire() {
        let mut recs = population();
        for k in 0..12 {
            recs.push(payout("x", 2 + k, 10, &format!("dest-{}", k % 6), 150.0));
        }
        let f = PayoutFrequency(Params::default()).run(&ds(recs));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].subject_id, "x");
        assert_eq!(f[0].evidence.values["distinct_destinations"], 6);
        assert!(f[0].strength > 0.9);
        assert!(f[0].explanation.ja.contains("頻繁な資金移転"));
    }

    #[test]
    fn weekly_payroll_like_payouts_do_not_fire() {
        let mut recs = population();
        for d in [1, 8, 15, 22, 29] {
            recs.push(payout("w", d, 9, "payroll", 800.0));
        }
        let f = PayoutFrequency(Params::default()).run(&ds(recs));
        assert!(f.is_empty(), "{f:#?}");
    }
}
