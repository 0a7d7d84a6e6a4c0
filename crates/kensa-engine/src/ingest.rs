//! Files into the store, with reconciliation.

use crate::{EngineError, Progress, io_err};
use kensa_detect::DatasetBuilder;
use kensa_ingest::{Item, Reject, check_file, expand_inputs, read_file};
use kensa_store::{EvidenceStore, Outcome};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options for [`ingest`].
pub struct IngestOptions<'a> {
    /// Identifies this run in the rejects table.
    pub run_id: String,
    /// Where to write `rejects.jsonl` (created even when empty, so its absence is never
    /// ambiguous).
    pub rejects_path: Option<PathBuf>,
    /// Records stored by this run are also added here (for a scan that needs them in memory).
    pub collect: Option<&'a mut DatasetBuilder>,
    pub progress: &'a dyn Progress,
}

/// Counts of one ingest run; `read = stored + duplicate + rejected` always holds.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IngestSummary {
    pub files: usize,
    pub read: u64,
    pub stored: u64,
    pub duplicate: u64,
    pub rejected: u64,
    /// Of the rejected: ids already stored with different content.
    pub conflicts: u64,
    pub warnings: Vec<String>,
}

impl IngestSummary {
    /// The reconciliation line printed at the end of every run.
    pub fn reconciliation(&self) -> String {
        format!(
            "read {} = stored {} + duplicate {} + rejected {}{}",
            self.read,
            self.stored,
            self.duplicate,
            self.rejected,
            if self.read == self.stored + self.duplicate + self.rejected {
                ""
            } else {
                "  (MISMATCH: please report this as a bug)"
            }
        )
    }

    /// True when at least one record is in the store for this input.
    pub fn usable(&self) -> bool {
        self.stored + self.duplicate > 0
    }
}

/// One rejects.jsonl line.
#[derive(Serialize)]
struct RejectLine<'a> {
    file: &'a str,
    line: u64,
    field: Option<&'a str>,
    reason: &'a str,
    raw: Option<&'a str>,
}

/// Records the writer is done with.
type Spent = Vec<(Box<kensa_model::Validated>, kensa_ingest::Pos)>;

/// Appends one line to rejects.jsonl (`path` names it in errors).
fn write_reject(w: &mut impl Write, path: &Path, r: &Reject) -> Result<(), EngineError> {
    let line = RejectLine {
        file: &r.file,
        line: r.line,
        field: r.field.as_deref(),
        reason: &r.reason,
        raw: r.raw.as_deref(),
    };
    serde_json::to_writer(&mut *w, &line).map_err(|e| io_err(path)(std::io::Error::other(e)))?;
    w.write_all(b"\n").map_err(io_err(path))?;
    Ok(())
}

struct Writer<'a> {
    store: &'a mut dyn EvidenceStore,
    /// Spent batches go here to be freed off the writer thread (the pipeline's bottleneck).
    spent: Option<std::sync::mpsc::SyncSender<Spent>>,
    run_id: &'a str,
    rejects: Option<std::io::BufWriter<std::fs::File>>,
    rejects_path: Option<PathBuf>,
    collect: Option<&'a mut DatasetBuilder>,
    summary: IngestSummary,
}

impl Writer<'_> {
    fn batch(&mut self, items: Vec<Item>) -> Result<(), EngineError> {
        let mut ok = Vec::with_capacity(items.len());
        let mut rejects: Vec<Reject> = Vec::new();
        for it in items {
            match it {
                Item::Ok(v, pos) => ok.push((v, pos)),
                Item::Err(r) => rejects.push(r),
            }
        }
        let refs: Vec<&kensa_model::Validated> = ok.iter().map(|(v, _)| v.as_ref()).collect();
        let outcomes = if refs.is_empty() {
            Vec::new()
        } else {
            self.store.append_records(&refs)?
        };
        drop(refs);
        self.summary.read += (ok.len() + rejects.len()) as u64;
        let mut spent = Vec::with_capacity(ok.len());
        for ((v, pos), outcome) in ok.into_iter().zip(outcomes) {
            match outcome {
                Outcome::Stored => {
                    self.summary.stored += 1;
                    if let Some(b) = self.collect.as_deref_mut() {
                        let v = *v;
                        b.add(v.record_id, v.record);
                    } else {
                        spent.push((v, pos));
                    }
                }
                Outcome::Duplicate => {
                    self.summary.duplicate += 1;
                    spent.push((v, pos));
                }
                Outcome::Conflict => {
                    self.summary.conflicts += 1;
                    rejects.push(Reject {
                        file: pos.file.to_string(),
                        line: pos.line,
                        field: Some("record_id".into()),
                        reason: format!(
                            "record_id {:?} is already stored with different content",
                            v.record_id
                        ),
                        raw: Some(
                            String::from_utf8_lossy(&v.body)
                                .chars()
                                .take(kensa_ingest::RAW_KEEP)
                                .collect(),
                        ),
                    });
                }
            }
        }
        if let Some(tx) = &self.spent {
            // If the dropper is gone, the batch is simply freed here.
            let _ = tx.send(spent);
        }
        if !rejects.is_empty() {
            self.summary.rejected += rejects.len() as u64;
            let rows: Vec<kensa_store::RejectRow<'_>> = rejects
                .iter()
                .map(|r| {
                    (
                        r.file.as_str(),
                        r.line,
                        r.field.as_deref(),
                        r.reason.as_str(),
                        r.raw.as_deref(),
                    )
                })
                .collect();
            self.store.add_rejects(self.run_id, &rows)?;
            if let Some(w) = self.rejects.as_mut() {
                let path = self
                    .rejects_path
                    .as_deref()
                    .unwrap_or(Path::new("rejects.jsonl"));
                for r in &rejects {
                    write_reject(w, path, r)?;
                }
            }
        }
        Ok(())
    }
}

/// Most records one store transaction takes when several parsed batches are waiting.
const GROUP_COMMIT_MAX: usize = 131_072;

/// Reads every input into the store. Returns an error only for I/O failures; bad records are
/// counted and kept as rejects.
pub fn ingest(
    store: &mut dyn EvidenceStore,
    inputs: &[PathBuf],
    opts: IngestOptions<'_>,
) -> Result<IngestSummary, EngineError> {
    let (files, warnings) = expand_inputs(inputs)?;
    let rejects = match &opts.rejects_path {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(io_err(p))?,
        )),
        None => None,
    };
    let total: u64 = files.iter().map(|f| f.len).sum();
    opts.progress.start("ingest", total);
    // Freeing a batch of records costs about a tenth of storing it; a thread of its own does it.
    let (spent_tx, spent_rx) = std::sync::mpsc::sync_channel::<Spent>(2);
    let mut writer = Writer {
        store,
        spent: Some(spent_tx),
        run_id: &opts.run_id,
        rejects,
        rejects_path: opts.rejects_path.clone(),
        collect: opts.collect,
        summary: IngestSummary {
            files: files.len(),
            warnings,
            ..Default::default()
        },
    };
    // Reading and parsing run on this thread and the rayon pool; storing runs on a writer
    // thread, fed through a small bounded channel so that memory stays flat.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(4);
    let progress = opts.progress;
    let result: Result<IngestSummary, EngineError> = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("kensa-free".into())
            .spawn_scoped(scope, move || spent_rx.into_iter().for_each(drop))
            .map_err(|e| EngineError::Internal(format!("starting the batch dropper: {e}")))?;
        let handle = std::thread::Builder::new()
            .name("kensa-store".into())
            .spawn_scoped(scope, move || -> Result<Writer<'_>, EngineError> {
                // Group commit: batches already waiting join the same transaction, so a bulk
                // load commits every ~100k records while a trickle still commits at once.
                while let Ok(mut batch) = rx.recv() {
                    while batch.len() < GROUP_COMMIT_MAX {
                        match rx.try_recv() {
                            Ok(more) => batch.extend(more),
                            Err(_) => break,
                        }
                    }
                    writer.batch(batch)?;
                }
                writer.spent = None;
                Ok(writer)
            })
            .map_err(|e| EngineError::Internal(format!("starting the store writer: {e}")))?;
        let mut read_result = Ok(());
        for f in &files {
            let r = read_file(
                f,
                &mut |batch| tx.send(batch).map_err(|_| "the store writer stopped"),
                &|n| progress.inc(n),
            );
            if let Err(e) = r {
                read_result = Err(EngineError::from(e));
                break;
            }
        }
        drop(tx);
        let w = handle
            .join()
            .map_err(|_| EngineError::Internal("store writer panicked".into()))?;
        // A writer error explains a failed send better than the send error does.
        let mut w = w?;
        read_result?;
        if let Some(mut f) = w.rejects.take() {
            let path = w.rejects_path.clone().unwrap_or_default();
            f.flush().map_err(io_err(&path))?;
        }
        Ok(w.summary)
    });
    progress.finish();
    result
}

/// Parses and validates inputs without storing anything (`kensa validate`). In the summary,
/// `stored` counts the records that would be accepted; duplicates are not looked for.
pub fn validate_only(
    inputs: &[PathBuf],
    rejects_path: Option<&Path>,
    progress: &dyn Progress,
) -> Result<IngestSummary, EngineError> {
    let (files, warnings) = expand_inputs(inputs)?;
    let mut rejects = match rejects_path {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(io_err(p))?,
        )),
        None => None,
    };
    let mut summary = IngestSummary {
        files: files.len(),
        warnings,
        ..Default::default()
    };
    progress.start("validate", files.iter().map(|f| f.len).sum());
    let path = rejects_path.unwrap_or(Path::new("rejects.jsonl"));
    for f in &files {
        check_file(
            f,
            &mut |accepted, batch: Vec<Reject>| -> Result<(), EngineError> {
                summary.read += accepted + batch.len() as u64;
                summary.stored += accepted;
                summary.rejected += batch.len() as u64;
                if let Some(w) = rejects.as_mut() {
                    for r in &batch {
                        write_reject(w, path, r)?;
                    }
                }
                Ok(())
            },
            &|n| progress.inc(n),
        )?;
    }
    if let Some(mut w) = rejects {
        w.flush().map_err(io_err(path))?;
    }
    progress.finish();
    Ok(summary)
}
