//! The **detect** stage: one detector per red flag, each in its own file under
//! [`detectors`], behind the small [`Detector`] trait.
//!
//! Detectors read a [`Dataset`]: every record of every subject, grouped by subject and sorted
//! by time. They return [`Finding`]s — a flag id, a strength in (0, 1], the evidence (record ids,
//! values, thresholds) and an explanation in English and Japanese. They do not score: turning
//! findings into a risk score is the policy's job (`kensa-score`).
//!
//! Architecture invariants:
//! * Detectors do no I/O and are deterministic: the same data set and parameters give the same
//!   findings in the same order.
//! * `label` records never reach a detector: [`DatasetBuilder`] moves them aside into
//!   [`Sidecar`], which the type of [`Detector::run`] cannot see.
//! * Every parameter has a documented default in the shipped policy file, and the defaults in
//!   code equal the shipped ones (a test checks it).

pub mod dataset;
pub mod detectors;
pub mod link;
pub mod names;
pub mod params;

pub use dataset::{Dataset, DatasetBuilder, Rec, Sidecar, SubjectData};
pub use detectors::{DetectorParams, DetectorSpec, build_all, registry};
pub use kensa_model::{Evidence, Finding, Text};

/// A detector: reads the data set, returns findings.
pub trait Detector: Send + Sync {
    /// Stable short name, e.g. `login_multi_ip`; this is the `detector` field of a flag.
    fn name(&self) -> &'static str;
    /// The flag ids (catalogue `RF-...` or documented Kensa ids) this detector raises.
    fn raises(&self) -> &'static [&'static str];
    /// The parameters in effect, for reports.
    fn params(&self) -> serde_json::Value;
    /// Runs over the whole data set.
    fn run(&self, ds: &Dataset) -> Vec<Finding>;
}

/// Runs every detector (in parallel over subjects inside each), returning all findings sorted
/// by subject, flag id and detector so that output is deterministic.
pub fn run_all(detectors: &[Box<dyn Detector>], ds: &Dataset) -> Vec<Finding> {
    let mut all: Vec<Finding> = detectors.iter().flat_map(|d| d.run(ds)).collect();
    all.sort_by(|a, b| {
        (&a.subject_id, &a.id, &a.detector).cmp(&(&b.subject_id, &b.id, &b.detector))
    });
    all
}
