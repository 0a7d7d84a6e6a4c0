//! RF-ACCESS-BULK — a large volume of confidential data accessed in a short time.
//!
//! The subject's `access` records at or above `min_sensitivity` (default `confidential`, so
//! confidential and secret) are cut into windows of `window` (aligned to UTC midnight for the
//! default of one day). Each window's count and bytes are compared with two references:
//! * the subject's own baseline: the median of its *other* windows (only windows with
//!   sensitive access; at least `min_baseline_windows` of them). The window under test and
//!   its neighbours are left out, so that a burst, which may straddle midnight, does not raise
//!   its own baseline — with few windows it otherwise set the median itself; and
//! * its peers: the median, over all subjects with sensitive access, of each subject's median
//!   window (each subject counts once, so a few heavy users do not set the norm).
//!
//! A window fires when its count reaches `min_count` (or its bytes `min_bytes`) and the same
//! measure is at least `self_ratio` times the subject's baseline and `peer_ratio` times the
//! peers'. Without a baseline (a new account that starts by downloading everything) only the
//! peer comparison applies, and the strength is multiplied by `no_baseline_factor`.
//!
//! False positives: a data engineer or analyst whose normal daily volume is high and steady is
//! far above the peers every day, but never above their *own* baseline, so they do not fire;
//! an ordinary user whose busiest day is a little busier than usual stays under `self_ratio`
//! or under the absolute `min_count`/`min_bytes`.

use crate::params::Dur;
use crate::util::affected_also;
use crate::{Affected, Dataset, Detector, DetectorSpec, Population, Rec, SubjectData, state};
use kensa_model::record::{Access, Sensitivity};
use kensa_model::{Evidence, Finding, Text, Ts};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "access_bulk",
    raises: &["RF-ACCESS-BULK"],
    summary: "count and bytes of confidential/secret access in a window against the subject's own baseline and against peers",
    false_positives: "steady heavy users (data engineers) never exceed their own baseline; a somewhat busier day stays under the ratios and the absolute minimums",
};

/// Parameters (`[detectors.access_bulk]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Length of a window (aligned to the Unix epoch, i.e. UTC midnight for whole days).
    pub window: Dur,
    /// Lowest sensitivity that counts.
    pub min_sensitivity: Sensitivity,
    /// Minimum sensitive accesses in a window to be considered bulk.
    pub min_count: usize,
    /// Minimum sensitive bytes in a window to be considered bulk.
    pub min_bytes: u64,
    /// Required ratio to the subject's own baseline.
    pub self_ratio: f64,
    /// Required ratio to the peers' typical window.
    pub peer_ratio: f64,
    /// Windows needed before the subject's baseline is trusted.
    pub min_baseline_windows: usize,
    /// Strength factor when there is no baseline.
    pub no_baseline_factor: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Dur::days(1),
            min_sensitivity: Sensitivity::Confidential,
            min_count: 50,
            min_bytes: 1_000_000_000,
            self_ratio: 5.0,
            peer_ratio: 5.0,
            min_baseline_windows: 3,
            no_baseline_factor: 0.7,
        }
    }
}

pub struct AccessBulk(pub Params);

/// One window of a subject's sensitive access.
struct Win {
    start: i64,
    count: usize,
    bytes: u64,
    /// Range of indices into the subject's sensitive accesses.
    lo: usize,
    hi: usize,
}

fn median_u(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Population state: the peers' typical window, and the subjects that could fire at all.
pub struct AccessPeers {
    /// Median over the subjects with sensitive access of each one's median window count and
    /// bytes (floored as used); `None` when nobody has sensitive access.
    peer: Option<(f64, f64)>,
    /// Subjects with a window reaching `min_count` or `min_bytes`. Only they can get a
    /// finding, so only their findings depend on the peer values.
    candidates: BTreeSet<String>,
}

impl Population for AccessPeers {
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let before = state::<AccessPeers>(before);
        if before.peer == self.peer {
            return Affected::Touched;
        }
        // Whether a window is big enough depends on the subject's own records only, so an
        // untouched subject is a candidate in both states or in neither.
        affected_also(
            before
                .candidates
                .union(&self.candidates)
                .filter(|s| !touched.contains(s.as_str()))
                .cloned()
                .collect(),
        )
    }
}

impl AccessBulk {
    /// The subject's sensitive accesses.
    fn sensitive<'s>(&self, s: &'s SubjectData) -> impl Iterator<Item = &'s Rec<Access>> {
        let min = self.0.min_sensitivity;
        s.accesses
            .iter()
            .filter(move |a| a.r.sensitivity.is_some_and(|x| x >= min))
    }

    /// The subject's windows with sensitive access, in time order.
    fn windows(&self, s: &SubjectData) -> Vec<Win> {
        let w = self.0.window.millis().max(1);
        let mut out: Vec<Win> = Vec::new();
        for (i, a) in self.sensitive(s).enumerate() {
            let start = a.r.at.0.div_euclid(w) * w;
            match out.last_mut() {
                Some(last) if last.start == start => {
                    last.count += 1;
                    last.bytes += a.r.bytes.unwrap_or(0);
                    last.hi = i;
                }
                _ => out.push(Win {
                    start,
                    count: 1,
                    bytes: a.r.bytes.unwrap_or(0),
                    lo: i,
                    hi: i,
                }),
            }
        }
        out
    }

    /// Whether any window is big enough to be considered at all.
    fn has_big_window(&self, ws: &[Win]) -> bool {
        let p = &self.0;
        ws.iter()
            .any(|x| x.count >= p.min_count || x.bytes >= p.min_bytes)
    }
}

impl Detector for AccessBulk {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["access"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn population_inputs(&self) -> &'static [&'static str] {
        &["access"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        // Per subject with sensitive access: (median window count, median window bytes,
        // whether a window is big enough to fire).
        let per: Vec<(&str, f64, f64, bool)> = ds
            .subjects
            .par_iter()
            .filter_map(|s| {
                let ws = self.windows(s);
                (!ws.is_empty()).then(|| {
                    (
                        s.id.as_str(),
                        median_u(ws.iter().map(|x| x.count as f64).collect()),
                        median_u(ws.iter().map(|x| x.bytes as f64).collect()),
                        self.has_big_window(&ws),
                    )
                })
            })
            .collect();
        let peer = (!per.is_empty()).then(|| {
            (
                median_u(per.iter().map(|x| x.1).collect()).max(1.0),
                median_u(per.iter().map(|x| x.2).collect()).max(1_000_000.0),
            )
        });
        let candidates = per.iter().filter(|x| x.3).map(|x| x.0.to_owned()).collect();
        Box::new(AccessPeers { peer, candidates })
    }

    fn evaluate(&self, _: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(state::<AccessPeers>(pop), s)
            .into_iter()
            .collect()
    }
}

impl AccessBulk {
    /// Phase 2 for one subject.
    fn subject(&self, st: &AccessPeers, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let w = p.window.millis().max(1);
        let ws = &self.windows(s);
        let (peer_count, peer_bytes) = st.peer?;
        // The baseline for one window: the subject's windows more than one window away.
        let baseline_for = |win: &Win| {
            let others: Vec<&Win> = ws
                .iter()
                .filter(|x| (x.start - win.start).abs() > w)
                .collect();
            (others.len() >= p.min_baseline_windows).then(|| {
                (
                    median_u(others.iter().map(|x| x.count as f64).collect()).max(1.0),
                    median_u(others.iter().map(|x| x.bytes as f64).collect()).max(1_000_000.0),
                    others.len(),
                )
            })
        };
        // (score, window, measure, ratio to self, ratio to peers), and the baseline
        // (median count, median bytes, windows) it was measured against.
        type Best<'w> = (f64, &'w Win, &'static str, Option<f64>, f64);
        type Baseline = Option<(f64, f64, usize)>;
        let mut best: Option<(Best, Baseline)> = None;
        for win in ws {
            if win.count < p.min_count && win.bytes < p.min_bytes {
                continue;
            }
            let baseline = baseline_for(win);
            let measures = [
                (
                    "count",
                    win.count >= p.min_count,
                    win.count as f64,
                    baseline.map(|b| b.0),
                    peer_count,
                ),
                (
                    "bytes",
                    win.bytes >= p.min_bytes,
                    win.bytes as f64,
                    baseline.map(|b| b.1),
                    peer_bytes,
                ),
            ];
            for (name, big, v, base, peer) in measures {
                if !big {
                    continue;
                }
                let r_self = base.map(|b| v / b);
                let r_peer = v / peer;
                if r_peer < p.peer_ratio || r_self.is_some_and(|r| r < p.self_ratio) {
                    continue;
                }
                let r = match r_self {
                    Some(rs) => (rs / p.self_ratio).min(r_peer / p.peer_ratio),
                    None => r_peer / p.peer_ratio,
                };
                if best.as_ref().is_none_or(|b| r > b.0.0) {
                    best = Some(((r, win, name, r_self, r_peer), baseline));
                }
            }
        }
        let ((r, win, measure, r_self, r_peer), baseline) = best?;
        let mut strength = 0.5 + 0.5 * (r.ln() / 10f64.ln()).min(1.0);
        if r_self.is_none() {
            strength *= p.no_baseline_factor;
        }
        let sens: Vec<&Rec<Access>> = self.sensitive(s).collect();
        let span = &sens[win.lo..=win.hi];
        let mut resources: Vec<&str> = span.iter().map(|a| a.r.resource.as_str()).collect();
        resources.sort_unstable();
        resources.dedup();
        let distinct = resources.len();
        resources.truncate(20);
        let from = Ts(win.start);
        let to = Ts(win.start + w);
        let gb = win.bytes as f64 / 1e9;
        let (base_en, base_ja) = match (r_self, baseline) {
            (Some(rs), Some((bc, bb, _))) => (
                format!(
                    "{rs:.1}× the subject's own median window ({bc:.0} accesses, {:.2} GB)",
                    bb / 1e9
                ),
                format!(
                    "本人の通常（中央値: {bc:.0}件、{:.2} GB）の{rs:.1}倍",
                    bb / 1e9
                ),
            ),
            _ => (
                "no baseline of the subject's own yet".to_string(),
                "本人の過去の基準はまだありません".to_string(),
            ),
        };
        let (win_en, win_ja) = crate::util::window_text(&p.window);
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-ACCESS-BULK".into(),
            detector: SPEC.name.into(),
            strength: strength.clamp(0.01, 1.0),
            evidence: Evidence::default()
                .records(span.iter().take(50).map(|a| a.id.clone()))
                .value("window_start", from.to_rfc3339())
                .value("window_end", to.to_rfc3339())
                .value("count", win.count)
                .value("bytes", win.bytes)
                .value("distinct_resources", distinct)
                .value("resources", serde_json::json!(resources))
                .value("measure", measure)
                .value("ratio_to_self", r_self.map(|x| (x * 10.0).round() / 10.0))
                .value("ratio_to_peers", (r_peer * 10.0).round() / 10.0)
                .value("baseline_windows", baseline.map_or(0, |b| b.2))
                .value("peer_median_count", peer_count)
                .value("peer_median_bytes", peer_bytes)
                .threshold("window", p.window.to_string())
                .threshold(
                    "min_sensitivity",
                    serde_json::to_value(p.min_sensitivity).unwrap_or_default(),
                )
                .threshold("min_count", p.min_count)
                .threshold("min_bytes", p.min_bytes)
                .threshold("self_ratio", p.self_ratio)
                .threshold("peer_ratio", p.peer_ratio)
                .threshold("min_baseline_windows", p.min_baseline_windows)
                .threshold("no_baseline_factor", p.no_baseline_factor),
            explanation: Text::new(
                format!(
                    "{} accesses to confidential or secret data ({gb:.2} GB, {distinct} resources) \
                     within {win_en} ({from} – {to}): {base_en}, and {r_peer:.1}× the typical peer \
                     (thresholds {}× and {}×).",
                    win.count, p.self_ratio, p.peer_ratio
                ),
                format!(
                    "{win_ja}以内（{from} – {to}）に機密データへ{}回のアクセス（{gb:.2} GB、{distinct}件のリソース）があり、\
                     短期間に大量の機密データへアクセスしています。{base_ja}、他の利用者の典型の{r_peer:.1}倍です\
                     （しきい値は{}倍と{}倍）。",
                    win.count, p.self_ratio, p.peer_ratio
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

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    /// `n` confidential accesses of `bytes` each on day `day` of September.
    fn day(sub: &str, day: u32, n: u32, bytes: u64) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"kind":"access","subject_id":"{sub}","at":"2026-09-{day:02}T{:02}:{:02}:{:02}Z","resource":"repo/doc-{i}","sensitivity":"confidential","bytes":{bytes}}}"#,
                    8 + i / 3600 % 12,
                    i / 60 % 60,
                    i % 60
                )
            })
            .collect()
    }

    fn peers() -> Vec<String> {
        let mut v = Vec::new();
        for p in ["p1", "p2", "p3", "p4"] {
            for d in 1..=20 {
                v.extend(day(p, d, 6, 200_000));
            }
        }
        v
    }

    #[test]
    fn a_sudden_bulk_download_fires() {
        let mut lines = peers();
        for d in 1..=19 {
            lines.extend(day("u1", d, 5, 200_000));
        }
        lines.extend(day("u1", 20, 900, 3_000_000));
        let f = AccessBulk(Params::default()).run(&ds(&lines));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject_id, "u1");
        assert_eq!(f[0].evidence.values["count"], 900);
        assert_eq!(f[0].evidence.records.len(), 50);
        assert!(f[0].strength > 0.8, "{}", f[0].strength);
        assert!(
            f[0].explanation
                .ja
                .contains("短期間に大量の機密データへアクセス")
        );
    }

    #[test]
    fn a_steady_data_engineer_does_not_fire() {
        let mut lines = peers();
        for d in 1..=20 {
            // 800 to 1000 accesses every day, several GB: high, but steady.
            lines.extend(day("eng", d, 800 + (d % 3) * 100, 5_000_000));
        }
        assert!(AccessBulk(Params::default()).run(&ds(&lines)).is_empty());
    }

    /// Regression (demo, seed 11): a 140-download burst from 23:46 to 00:23 UTC fell into two
    /// daily windows (52 and 89) of a subject with only two quiet days before; the burst's own
    /// windows set the median "baseline", and nothing fired.
    #[test]
    fn a_burst_across_midnight_is_not_its_own_baseline() {
        let mut lines = peers();
        lines.extend(day("x", 3, 1, 100_000));
        lines.extend(day("x", 4, 1, 100_000));
        for k in 0..140u32 {
            let t = 23 * 3600 + 46 * 60 + 30 + k * 17;
            let (d, t) = (27 + t / 86_400, t % 86_400);
            lines.push(format!(
                r#"{{"kind":"access","subject_id":"x","at":"2026-09-{d:02}T{:02}:{:02}:{:02}Z","resource":"vault/secret-{k}","sensitivity":"secret","bytes":5000000}}"#,
                t / 3600,
                t / 60 % 60,
                t % 60
            ));
        }
        let f = AccessBulk(Params::default()).run(&ds(&lines));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject_id, "x");
        assert!(f[0].evidence.values["count"].as_u64().unwrap() >= 50);
    }

    #[test]
    fn a_new_account_downloading_everything_fires_weaker() {
        let mut lines = peers();
        lines.extend(day("new", 3, 600, 100_000));
        let f = AccessBulk(Params::default()).run(&ds(&lines));
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence.values["ratio_to_self"].is_null());
        assert!(f[0].strength <= 0.7);
    }
}
