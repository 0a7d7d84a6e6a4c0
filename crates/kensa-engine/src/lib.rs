//! The pipeline, end to end: **ingest → normalize → (enrich) → detect → score → act → present**.
//!
//! This crate owns no domain logic of its own; it wires the stage crates together so that the
//! CLI (and later the API) stay thin:
//!
//! * [`ingest()`] reads inputs in parallel, stores every accepted record once in the evidence
//!   log (on a dedicated writer thread, in input order), keeps every reject with its reason in
//!   the database and in `rejects.jsonl`, and reconciles the counts
//!   (`read = stored + duplicate + rejected`).
//! * [`scan()`] ingests, builds the data set, runs every detector, scores every subject,
//!   writes `subjects.jsonl` and `report.html`, and appends the results to the evidence log.
//!
//! Architecture invariant: a record is acknowledged (counted as stored) only after the
//! transaction holding it has committed.

pub mod act;
pub mod eval;
pub mod graph;
pub mod ingest;
pub mod progress;
pub mod scan;
pub mod screening;
pub mod tune;

pub use ingest::{IngestOptions, IngestSummary, ingest, validate_only};
pub use progress::{NoProgress, Progress};
pub use scan::{ScanOptions, ScanSummary, load_dataset, scan};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Ingest(#[from] kensa_ingest::IngestError),
    #[error(transparent)]
    Store(#[from] kensa_store::StoreError),
    #[error(transparent)]
    Report(#[from] kensa_report::ReportError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Unusable(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Io {
        path: path.display().to_string(),
        source,
    }
}
