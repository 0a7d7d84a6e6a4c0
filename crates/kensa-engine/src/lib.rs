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
pub mod cases;
pub mod eval;
pub mod graph;
pub mod ingest;
pub mod live;
pub mod present;
pub mod progress;
pub mod scan;
pub mod screening;
pub mod tune;
pub mod workspace;

pub use ingest::{IngestOptions, IngestSummary, LogOptions, convert, ingest, validate_only};
pub use kensa_ingest::Limits;
pub use kensa_ingest::{Choice, Unresolved};
pub use live::{EngineConfig, EngineSource, Live};
pub use progress::{NoProgress, Progress};
pub use scan::{ScanOptions, ScanSummary, load_dataset, scan};
pub use workspace::{Followed, Owned, StoredRecordView, SubjectView, Submitted, Workspace, run_id};

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
    /// The input cannot be used as a whole (nothing usable was read, no subjects to scan).
    #[error("{0}")]
    Unusable(String),
    /// A request or record that is wrong in itself.
    #[error("{0}")]
    BadInput(String),
    /// The subject (or other thing asked for) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts what is stored (a record id reused with other content, an
    /// approval blocked by missing due diligence).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this (four eyes: a second person with role `lead` is needed).
    #[error("{0}")]
    Forbidden(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// The four kinds of failure a caller (the CLI, an HTTP API) tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Fix the input and try again (HTTP 400/422).
    BadInput,
    /// Nothing by that id (HTTP 404).
    NotFound,
    /// Contradicts stored state (HTTP 409).
    Conflict,
    /// Not allowed for this caller (HTTP 403).
    Forbidden,
    /// The store, a file or the machine failed; retrying later may work (HTTP 503).
    Unavailable,
}

impl EngineError {
    /// Which kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Ingest(_) | EngineError::Unusable(_) | EngineError::BadInput(_) => {
                ErrorKind::BadInput
            }
            EngineError::NotFound(_) => ErrorKind::NotFound,
            EngineError::Conflict(_) => ErrorKind::Conflict,
            EngineError::Forbidden(_) => ErrorKind::Forbidden,
            EngineError::Store(_)
            | EngineError::Report(_)
            | EngineError::Io { .. }
            | EngineError::Internal(_) => ErrorKind::Unavailable,
        }
    }
}

/// Output files written under a temporary name beside their final one and renamed into place
/// only by [`Staged::commit`]; dropped without it, the temporary files are removed. A run that
/// fails part-way (a full disk, a database error) therefore leaves no output that looks
/// complete, and a run's outputs appear only once the run is recorded.
use std::path::PathBuf;

pub(crate) struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
    tag: String,
}

impl Staged {
    /// A new set of staged files, with temporary names unique to this run.
    pub(crate) fn new() -> Staged {
        Staged {
            files: Vec::new(),
            tag: run_id("out"),
        }
    }

    /// The path to write `final_path` to: a temporary name beside it, or `final_path` itself
    /// when that is not a regular file (`--rejects /dev/stdout`, a named pipe), which cannot
    /// be replaced by a rename.
    pub(crate) fn path(&mut self, final_path: &std::path::Path) -> PathBuf {
        if std::fs::metadata(final_path).is_ok_and(|m| !m.is_file()) {
            return final_path.to_owned();
        }
        let name = final_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = final_path.with_file_name(format!(".{name}.{}.partial", self.tag));
        self.files.push((tmp.clone(), final_path.to_owned()));
        tmp
    }

    /// Renames every staged file into place, in the order they were staged. If one rename
    /// fails, the files not yet renamed are removed (by `Drop`).
    pub(crate) fn commit(mut self) -> Result<(), EngineError> {
        while !self.files.is_empty() {
            let (tmp, fin) = self.files.remove(0);
            if let Err(e) = std::fs::rename(&tmp, &fin) {
                let _ = std::fs::remove_file(&tmp);
                return Err(io_err(&fin)(e));
            }
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Io {
        path: path.display().to_string(),
        source,
    }
}
