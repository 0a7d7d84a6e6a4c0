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
pub mod indicators;
pub mod ip_table;
pub mod link;
pub mod names;
pub mod normalize;
pub mod params;
#[cfg(test)]
mod testing;
pub mod util;

pub use dataset::{Added, Dataset, DatasetBuilder, Rec, Sidecar, SubjectData};
pub use detectors::{DetectorParams, DetectorSpec, build_all, registry};
pub use kensa_model::{Evidence, Finding, Text};
use rayon::prelude::*;
use std::collections::HashSet;

/// Population state a detector builds from the whole data set (phase 1): peer statistics,
/// identifier indexes, the link graph. Per-subject evaluation (phase 2) reads it.
///
/// Incremental re-scoring asks the state which subjects besides the ones whose records changed
/// may get different findings now that the population moved from `before` to `self`.
pub trait Population: std::any::Any + Send + Sync {
    /// Subjects (other than `touched`) whose findings from this detector may differ between
    /// the state `before` and this one, given that the records of `touched` changed.
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected;
}

/// Which subjects a change of population state reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    /// Only the touched subjects themselves.
    Touched,
    /// These subjects too.
    Also(Vec<String>),
    /// Every subject (e.g. a peer statistic moved).
    All,
}

/// The state of a detector that has none: every subject is evaluated on its own records.
pub struct NoPopulation;

impl Population for NoPopulation {
    fn affected(&self, _: &dyn Population, _: &HashSet<&str>) -> Affected {
        Affected::Touched
    }
}

/// Downcasts a population state to the detector's own type (a detector is only ever handed the
/// state it built).
pub fn state<T: Population>(p: &dyn Population) -> &T {
    let any: &dyn std::any::Any = p;
    any.downcast_ref::<T>()
        .expect("a detector is handed the population state it built")
}

/// [`state`], for updating a state in place.
pub fn state_mut<T: Population>(p: &mut dyn Population) -> &mut T {
    let any: &mut dyn std::any::Any = p;
    any.downcast_mut::<T>()
        .expect("a detector is handed the population state it built")
}

/// A batch of records as an incremental population update sees it.
pub struct Change<'a> {
    /// Indexes (into `Dataset::subjects`) of the subjects whose records changed, ascending;
    /// the data set already holds the new records.
    pub touched: &'a [usize],
    /// The same subjects' ids.
    pub touched_ids: &'a HashSet<&'a str>,
    /// The record kinds that arrived.
    pub kinds: &'a std::collections::BTreeSet<&'static str>,
}

/// A detector: builds its population state from the data set, then evaluates one subject at a
/// time.
pub trait Detector: Send + Sync {
    /// Stable short name, e.g. `login_multi_ip`; this is the `detector` field of a flag.
    fn name(&self) -> &'static str;
    /// The flag ids (catalogue `RF-...` or documented Kensa ids) this detector raises.
    fn raises(&self) -> &'static [&'static str];
    /// The parameters in effect, for reports.
    fn params(&self) -> serde_json::Value;
    /// Record kinds (`login`, `subject`, ...) the population state is built from; `&[]` when
    /// the detector has none. A batch with none of these kinds leaves the state as it was.
    /// `"*"` means every kind.
    fn population_inputs(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether the population state reads its input records only through identifiers that
    /// two or more subjects share (the identifiers of [`link::occurrences`]): then a batch
    /// that gives its subjects only identifiers nobody else holds leaves the state as it was,
    /// and the engine keeps it instead of rebuilding it (what makes a login from a known or
    /// fresh address cost the same however many subjects are stored).
    fn shared_identifiers_only(&self) -> bool {
        false
    }
    /// Record kinds a [`shared_identifiers_only`](Detector::shared_identifiers_only) state
    /// nevertheless reads directly (the endpoint records of a laptop farm's members): a batch
    /// with one of them rebuilds the state even when it gave nobody a shared identifier.
    fn direct_population_inputs(&self) -> &'static [&'static str] {
        &[]
    }
    /// Record kinds [`Detector::evaluate`] reads of the subject it evaluates (`"*"`, the
    /// default: any). After a batch that brings none of these kinds and leaves this detector's
    /// population state as it was, the engine keeps the findings it has instead of evaluating
    /// the touched subjects again (a login cannot change a payout detector's findings).
    /// `tests/incremental.rs` checks every declaration on the demo population.
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["*"]
    }
    /// Phase 1: the population state (default: none).
    fn population(&self, _ds: &Dataset) -> Box<dyn Population> {
        Box::new(NoPopulation)
    }
    /// Phase 1 after a batch, in place: updates `state` (which this detector built) so that it
    /// equals what [`Detector::population`] would build from `ds` now, and returns the
    /// subjects besides the touched whose findings may have changed. `None` (the default, or
    /// when the state cannot be updated): the engine rebuilds it and asks
    /// [`Population::affected`]. What makes a batch cost what it touches rather than what is
    /// stored.
    fn update_population(
        &self,
        _state: &mut dyn Population,
        _ds: &Dataset,
        _change: &Change<'_>,
    ) -> Option<Affected> {
        None
    }
    /// Phase 2: the findings about one subject, from its records, the data set's enrichment
    /// and the population state this detector built.
    fn evaluate(&self, ds: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding>;

    /// Both phases over the whole data set.
    fn run(&self, ds: &Dataset) -> Vec<Finding> {
        let pop = self.population(ds);
        ds.subjects
            .par_iter()
            .flat_map_iter(|s| self.evaluate(ds, &*pop, s))
            .collect()
    }
}

/// Runs every detector (in parallel over subjects inside each), returning all findings sorted
/// by subject, flag id and detector so that output is deterministic.
pub fn run_all(detectors: &[Box<dyn Detector>], ds: &Dataset) -> Vec<Finding> {
    let mut all: Vec<Finding> = detectors.iter().flat_map(|d| d.run(ds)).collect();
    sort_findings(&mut all);
    all
}

/// The order of findings in outputs: subject, flag id, detector (stable, so a detector's own
/// order within one flag is kept).
pub fn sort_findings(all: &mut [Finding]) {
    all.sort_by(|a, b| {
        (&a.subject_id, &a.id, &a.detector).cmp(&(&b.subject_id, &b.id, &b.detector))
    });
}
