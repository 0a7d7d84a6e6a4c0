//! `kensa graph`: a subject's neighbourhood in the identifier graph, from the stored data.

use crate::scan::load_dataset;
use crate::{EngineError, Progress};
use kensa_detect::link::{build_graph, export::Neighbourhood, export::neighbourhood};
use kensa_score::Policy;
use kensa_store::EvidenceStore;

/// Builds the graph over everything stored (with the same parameters as the
/// `shared_identity` detector) and returns the subject's neighbourhood.
pub fn subject_neighbourhood(
    store: &dyn EvidenceStore,
    intel: &kensa_enrich::Intel,
    policy: &Policy,
    subject: &str,
    depth: usize,
    progress: &dyn Progress,
) -> Result<Neighbourhood, EngineError> {
    let (mut ds, _) = load_dataset(store, progress)?;
    ds.attach_intel(intel);
    let g = build_graph(&ds, &policy.detectors.shared_identity.graph);
    neighbourhood(&g, subject, depth).ok_or_else(|| {
        EngineError::NotFound(format!("no subject {subject:?} in {}", store.location()))
    })
}
