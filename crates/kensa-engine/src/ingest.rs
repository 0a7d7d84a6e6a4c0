//! Files into the store, with reconciliation.

use crate::{EngineError, Progress, io_err};
use kensa_detect::DatasetBuilder;
use kensa_ingest::{
    Checked, Choice, Format, InputFile, Item, Limits, LogContext, Mapping, Reject, Resolver,
    Unresolved, check_file_with, expand_inputs_as, read_file_with,
};
use kensa_store::{EvidenceStore, Outcome};
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;
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
    /// Limits on one input record (line length, nesting, width).
    pub limits: Limits,
    /// How native logs are recognised and whom their users are.
    pub logs: LogOptions,
    pub progress: &'a dyn Progress,
}

/// How inputs are read as logs (`--format`, `--identities`, `--keep-unresolved`).
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    /// `Auto` recognises logs by their first events.
    pub format: Choice,
    /// A mapping file of `identity,subject_id` lines (log logins, hosts, serials).
    pub identities: Option<PathBuf>,
    /// What becomes of an event whose user resolves to no subject.
    pub unresolved: Unresolved,
    /// A mapping file (TOML) through which every input is read (`--mapping`).
    pub mapping: Option<PathBuf>,
}

/// Examples of unresolved identities kept for the report.
const UNRESOLVED_EXAMPLES: usize = 5;

/// Counts of one ingest run; `read = stored + duplicate + rejected + skipped` always holds.
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
    /// Inputs that could not be read to the end (a truncated gzip, a symlink loop, no
    /// permission), each also a reject: `file[:line]: reason`. The rest was read; a run with
    /// any of these reports them and fails at the end.
    pub failed_inputs: Vec<String>,
    /// Log events that make no record (a policy evaluation, a service principal's sign-in,
    /// a user who resolves to no subject), by reason.
    pub skipped: u64,
    pub skip_reasons: std::collections::BTreeMap<String, u64>,
    /// Of the skipped: events whose user resolves to no subject, with a few of the identities.
    pub unresolved: u64,
    pub unresolved_examples: Vec<String>,
}

impl IngestSummary {
    /// The reconciliation line printed at the end of every run.
    pub fn reconciliation(&self) -> String {
        self.reconciliation_as("stored", "duplicate", true)
    }

    /// The reconciliation line with the words of a command that stores nothing (`validate`:
    /// "valid", "repeated" shown only when there are any; `convert`: "written", "duplicate").
    pub fn reconciliation_as(&self, kept: &str, repeated: &str, always_repeated: bool) -> String {
        let mut line = format!("read {} = {kept} {}", self.read, self.stored);
        if always_repeated || self.duplicate > 0 {
            line += &format!(" + {repeated} {}", self.duplicate);
        }
        line += &format!(" + rejected {}", self.rejected);
        if self.skipped > 0 {
            line += &format!(" + skipped {}", self.skipped);
        }
        if self.read != self.stored + self.duplicate + self.rejected + self.skipped {
            line += "  (MISMATCH: please report this as a bug)";
        }
        line
    }

    /// True when at least one record is in the store for this input.
    pub fn usable(&self) -> bool {
        self.stored + self.duplicate > 0
    }

    /// Why a run read nothing usable: the inputs that could not be read (the first few), and
    /// the reconciliation.
    pub fn nothing_usable(&self) -> String {
        let mut failed: Vec<&str> = self
            .failed_inputs
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        if self.failed_inputs.len() > 5 {
            failed.push("…");
        }
        if failed.is_empty() {
            format!("nothing usable was read ({})", self.reconciliation())
        } else {
            format!(
                "nothing usable was read: {} ({})",
                failed.join("; "),
                self.reconciliation()
            )
        }
    }

    /// Counts a log event that makes no record.
    fn skip(&mut self, s: &kensa_ingest::Skip) {
        self.read += 1;
        self.skipped += 1;
        *self.skip_reasons.entry(s.reason.clone()).or_default() += 1;
        if let Some(id) = &s.unresolved {
            self.unresolved += 1;
            if self.unresolved_examples.len() < UNRESOLVED_EXAMPLES
                && !self.unresolved_examples.contains(id)
            {
                self.unresolved_examples.push(id.clone());
            }
        }
    }

    /// Counts a reject that stands for an input that could not be read to the end.
    fn input_failed(&mut self, r: &Reject) {
        self.failed_inputs.push(if r.line > 0 {
            format!("{}: line {}: {}", r.file, r.line, r.reason)
        } else {
            format!("{}: {}", r.file, r.reason)
        });
    }
}

/// One rejects.jsonl line. The input is kept whole: `raw` when it is UTF-8 text,
/// `raw_base64` (the bytes as read) when it is not; for a line over the line limit, its
/// start, with the whole line's length and SHA-256.
#[derive(Serialize)]
struct RejectLine<'a> {
    file: &'a str,
    line: u64,
    field: Option<&'a str>,
    reason: &'a str,
    /// Null when the input is not UTF-8 (then `raw_base64` holds it).
    raw: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_sha256: Option<&'a str>,
}

/// Records the writer is done with.
type Spent = Vec<(Box<kensa_model::Validated>, kensa_ingest::Pos)>;

/// Appends one line to rejects.jsonl (`path` names it in errors).
fn write_reject(w: &mut impl Write, path: &Path, r: &Reject) -> Result<(), EngineError> {
    let text = std::str::from_utf8(&r.raw).ok();
    let line = RejectLine {
        file: &r.file,
        line: r.line,
        field: r.field.as_deref(),
        reason: &r.reason,
        raw: text,
        raw_base64: match text {
            Some(_) => None,
            None => Some(base64_encode(&r.raw)),
        },
        raw_length: r.raw_cut.as_ref().map(|c| c.len),
        raw_sha256: r.raw_cut.as_ref().map(|c| c.sha256.as_str()),
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
                Item::Skip(s) => self.summary.skip(&s),
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
                        raw: v.body.clone(),
                        raw_cut: None,
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
                        (!r.raw.is_empty()).then_some(r.raw.as_slice()),
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
    opts.limits.check().map_err(EngineError::BadInput)?;
    let kensa_ingest::Expanded {
        files,
        warnings,
        failures,
    } = expand_inputs_as(inputs, choice(&opts.logs)?)?;
    let who = log_context(Some(&*store), &files, &opts.logs, &opts.limits)?;
    let mut warnings = warnings;
    warnings.extend(ambiguity(&who));
    let mut staged = crate::Staged::new();
    let rejects = match &opts.rejects_path {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(staged.path(p)).map_err(io_err(p))?,
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
        // One input that cannot be read does not stop the others: it becomes a reject (and
        // a failed input in the summary), and reading goes on.
        let mut failed: Vec<Reject> = failures;
        if !failed.is_empty()
            && tx
                .send(failed.iter().cloned().map(Item::Err).collect())
                .is_err()
        {
            read_result = Err(EngineError::Internal("the store writer stopped".into()));
        }
        for f in &files {
            if read_result.is_err() {
                break;
            }
            let r = read_file_with(
                f,
                &opts.limits,
                &who,
                &mut |batch| tx.send(batch).map_err(|_| "the store writer stopped"),
                &|n| progress.inc(n),
            );
            match r {
                Ok(()) => {}
                Err(e) => match e.to_reject() {
                    Some(rej) => {
                        if tx.send(vec![Item::Err(rej.clone())]).is_err() {
                            read_result =
                                Err(EngineError::Internal("the store writer stopped".into()));
                        }
                        failed.push(rej);
                    }
                    None => read_result = Err(EngineError::from(e)),
                },
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
        for r in &failed {
            w.summary.input_failed(r);
        }
        Ok(w.summary)
    });
    progress.finish();
    let summary = result?;
    staged.commit()?;
    Ok(summary)
}

/// Parses and validates inputs without storing anything (`kensa validate`). In the summary,
/// `stored` counts the records that would be accepted and `duplicate` the repeats of a record
/// earlier in the input; a `record_id` given again with different content is rejected, as
/// `kensa ingest` would reject it. (Records already in a database are not looked at.)
pub fn validate_only(
    inputs: &[PathBuf],
    rejects_path: Option<&Path>,
    limits: &Limits,
    logs: &LogOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, EngineError> {
    limits.check().map_err(EngineError::BadInput)?;
    let kensa_ingest::Expanded {
        files,
        warnings,
        failures,
    } = expand_inputs_as(inputs, choice(logs)?)?;
    let who = log_context(None, &files, logs, limits)?;
    let mut warnings = warnings;
    warnings.extend(ambiguity(&who));
    let mut staged = crate::Staged::new();
    let mut rejects = match rejects_path {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(staged.path(p)).map_err(io_err(p))?,
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
    // Each record id seen, by its 64-bit key (already a hash), with a prefix of its content's
    // hash: 16 bytes a record, 32 MB for two million.
    // Sized up front from the input's size (records are rarely under ~100 bytes), so that the
    // map is not copied as it grows.
    let bytes: u64 = files
        .iter()
        .map(|f| if f.gzip { f.len * 8 } else { f.len })
        .sum();
    let mut seen: HashMap<i64, [u8; 8], BuildHasherDefault<KeyHasher>> =
        HashMap::with_capacity_and_hasher(
            (bytes / 100).min(50_000_000) as usize,
            Default::default(),
        );
    let keep = |summary: &mut IngestSummary,
                rejects: &mut Option<std::io::BufWriter<std::fs::File>>,
                r: &Reject|
     -> Result<(), EngineError> {
        summary.read += 1;
        summary.rejected += 1;
        if let Some(w) = rejects.as_mut() {
            write_reject(w, path, r)?;
        }
        Ok(())
    };
    for r in &failures {
        keep(&mut summary, &mut rejects, r)?;
        summary.input_failed(r);
    }
    for f in &files {
        // Lines whose record_id was given earlier in the input with other content. Their
        // rejects are written once the file is read, from a second reading of just those
        // lines: keeping every record's content in case it conflicts cost a third of the time.
        // By line, id and content: a log line can hold many records (an array, an osquery
        // snapshot), of which only the conflicting one is rejected.
        let mut conflicts: Vec<(u64, i64, [u8; 8])> = Vec::new();
        let r = check_file_with(
            f,
            limits,
            &who,
            &|v, line| (v.id_key, content_tag(v), line),
            &mut |batch| -> Result<(), EngineError> {
                for item in batch {
                    match item {
                        Checked::Ok((key, tag, line)) => match seen.entry(key) {
                            Entry::Vacant(e) => {
                                e.insert(tag);
                                summary.read += 1;
                                summary.stored += 1;
                            }
                            Entry::Occupied(e) if *e.get() == tag => {
                                summary.read += 1;
                                summary.duplicate += 1;
                            }
                            Entry::Occupied(_) => conflicts.push((line, key, tag)),
                        },
                        Checked::Err(r) => keep(&mut summary, &mut rejects, &r)?,
                        Checked::Skip(s) => summary.skip(&s),
                    }
                }
                Ok(())
            },
            &|n| progress.inc(n),
        );
        if let Err(e) = r {
            match e.to_reject() {
                Some(r) => {
                    keep(&mut summary, &mut rejects, &r)?;
                    summary.input_failed(&r);
                }
                None => return Err(e.into()),
            }
        }
        if !conflicts.is_empty() {
            let wanted: std::collections::HashSet<(u64, i64, [u8; 8])> =
                conflicts.iter().copied().collect();
            let mut found: Vec<Reject> = Vec::new();
            let name = f.path.display().to_string();
            let again = check_file_with(
                f,
                limits,
                &who,
                &|v, line| {
                    wanted.contains(&(line, v.id_key, content_tag(v))).then(|| Reject {
                        file: name.clone(),
                        line,
                        field: Some("record_id".into()),
                        reason: format!(
                            "record_id {:?} is given earlier in the input with different content",
                            v.record_id
                        ),
                        raw: v.body.clone(),
                        raw_cut: None,
                    })
                },
                &mut |batch| -> Result<(), EngineError> {
                    found.extend(batch.into_iter().filter_map(|i| i.ok().flatten()));
                    Ok(())
                },
                &|_| {},
            );
            // A line not found again (the file changed, or a read failure stops before it):
            // the conflict still counts, without its content.
            let _ = again;
            let mut missing: HashMap<u64, usize> = HashMap::new();
            for &(line, _, _) in &conflicts {
                *missing.entry(line).or_default() += 1;
            }
            for r in &found {
                if let Some(n) = missing.get_mut(&r.line) {
                    *n = n.saturating_sub(1);
                }
            }
            for (line, n) in missing {
                for _ in 0..n {
                    found.push(Reject {
                        file: name.clone(),
                        line,
                        field: Some("record_id".into()),
                        reason: "record_id is given earlier in the input with different content"
                            .into(),
                        raw: Vec::new(),
                        raw_cut: None,
                    });
                }
            }
            found.sort_by_key(|r| r.line);
            summary.conflicts += found.len() as u64;
            for r in &found {
                keep(&mut summary, &mut rejects, r)?;
            }
        }
    }
    if let Some(mut w) = rejects {
        w.flush().map_err(io_err(path))?;
    }
    staged.commit()?;
    progress.finish();
    Ok(summary)
}

/// How the inputs are to be read: `--mapping` reads every input through the mapping.
fn choice(logs: &LogOptions) -> Result<Choice, EngineError> {
    match (&logs.mapping, logs.format) {
        (None, c) => Ok(c),
        (Some(_), Choice::Auto) => Ok(Choice::Mapped),
        (Some(_), _) => Err(EngineError::BadInput(
            "--mapping reads every input through the mapping: leave out --format".into(),
        )),
    }
}

/// A warning naming identities given to more than one subject (the first one wins: the
/// identities file, then the subjects stored, then those of the inputs).
fn ambiguity(cx: &LogContext) -> Option<String> {
    let a = &cx.who.ambiguous;
    (!a.is_empty()).then(|| {
        format!(
            "{} identit{} name more than one subject; each resolves to the first (the identities \
             file, then stored subjects, then the inputs' subjects): {}{}",
            a.len(),
            if a.len() == 1 { "y" } else { "ies" },
            a.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            if a.len() > 5 { ", …" } else { "" }
        )
    })
}

fn is_log(f: &InputFile) -> bool {
    matches!(
        f.format,
        Format::Log(_) | Format::MappedJson | Format::MappedCsv
    )
}

/// What reading the logs among the inputs needs: the mapping, and whom their users are (the
/// subjects in the store and in the record files among the inputs, by id and e-mail, and
/// the identities file). Built only when a log is among the inputs.
fn log_context(
    store: Option<&dyn EvidenceStore>,
    files: &[InputFile],
    logs: &LogOptions,
    limits: &Limits,
) -> Result<LogContext, EngineError> {
    let mapping = match &logs.mapping {
        Some(p) => Some(Mapping::load(p).map_err(|e| EngineError::BadInput(e.to_string()))?),
        None => None,
    };
    let who = resolver(store, files, logs, limits)?;
    Ok(LogContext { who, mapping })
}

fn resolver(
    store: Option<&dyn EvidenceStore>,
    files: &[InputFile],
    logs: &LogOptions,
    limits: &Limits,
) -> Result<Resolver, EngineError> {
    let mut who = Resolver::new(logs.unresolved);
    if !files.iter().any(is_log) {
        return Ok(who);
    }
    // The identities file first: where it and a subject's e-mail disagree, it wins.
    if let Some(p) = &logs.identities {
        who.load_mapping(p)
            .map_err(|e| EngineError::BadInput(e.to_string()))?;
    }
    #[derive(serde::Deserialize)]
    struct Subject {
        subject_id: String,
        #[serde(default)]
        emails: Vec<String>,
    }
    if let Some(store) = store {
        let mut bad = None;
        store.for_each_record(&mut |kind, body| {
            if kind == "subject" {
                match serde_json::from_slice::<Subject>(body) {
                    Ok(s) => who.add_subject(&s.subject_id, s.emails.iter().map(String::as_str)),
                    Err(e) => bad = Some(e),
                }
            }
        })?;
        if let Some(e) = bad {
            return Err(EngineError::Internal(format!(
                "a stored subject record: {e}"
            )));
        }
    }
    for f in files.iter().filter(|f| !is_log(f)) {
        let mut found: Vec<(String, Vec<String>)> = Vec::new();
        // Unreadable files are reported when they are read for real.
        let _ = check_file_with(
            f,
            limits,
            &LogContext::default(),
            &|v, _| match &v.record {
                kensa_model::Record::Subject(s) => {
                    Some((s.subject_id.to_string(), s.emails.clone()))
                }
                _ => None,
            },
            &mut |batch| -> Result<(), EngineError> {
                found.extend(batch.into_iter().filter_map(|c| c.ok().flatten()));
                Ok(())
            },
            &|_| {},
        );
        for (id, emails) in found {
            who.add_subject(&id, emails.iter().map(String::as_str));
        }
    }
    Ok(who)
}

/// Reads inputs like [`validate_only`] and writes every accepted record, once, as JSON Lines
/// to `out` (its canonical form, as it would be stored): `kensa convert`, to see what Kensa
/// makes of a log or to hand its records to another tool. Repeats of a record are counted as
/// duplicates; a `record_id` given again with other content is rejected.
pub fn convert(
    inputs: &[PathBuf],
    out: &mut dyn Write,
    out_name: &Path,
    rejects_path: Option<&Path>,
    limits: &Limits,
    logs: &LogOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, EngineError> {
    limits.check().map_err(EngineError::BadInput)?;
    let kensa_ingest::Expanded {
        files,
        warnings,
        failures,
    } = expand_inputs_as(inputs, choice(logs)?)?;
    let cx = log_context(None, &files, logs, limits)?;
    let mut warnings = warnings;
    warnings.extend(ambiguity(&cx));
    let mut staged = crate::Staged::new();
    let mut rejects = match rejects_path {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(staged.path(p)).map_err(io_err(p))?,
        )),
        None => None,
    };
    let path = rejects_path.unwrap_or(Path::new("rejects.jsonl"));
    let mut summary = IngestSummary {
        files: files.len(),
        warnings,
        ..Default::default()
    };
    progress.start("convert", files.iter().map(|f| f.len).sum());
    let mut seen: HashMap<i64, [u8; 8], BuildHasherDefault<KeyHasher>> = HashMap::default();
    let mut reject = |summary: &mut IngestSummary, r: &Reject| -> Result<(), EngineError> {
        summary.read += 1;
        summary.rejected += 1;
        if let Some(w) = rejects.as_mut() {
            write_reject(w, path, r)?;
        }
        Ok(())
    };
    for r in &failures {
        reject(&mut summary, r)?;
        summary.input_failed(r);
    }
    for f in &files {
        let name = f.path.display().to_string();
        let r = check_file_with(
            f,
            limits,
            &cx,
            &|v, line| {
                (
                    v.id_key,
                    content_tag(v),
                    line,
                    v.record_id.clone(),
                    v.body.clone(),
                )
            },
            &mut |batch| -> Result<(), EngineError> {
                for item in batch {
                    match item {
                        Checked::Ok((key, tag, line, id, body)) => match seen.entry(key) {
                            Entry::Vacant(e) => {
                                e.insert(tag);
                                summary.read += 1;
                                summary.stored += 1;
                                out.write_all(&body)
                                    .and_then(|()| out.write_all(b"\n"))
                                    .map_err(io_err(out_name))?;
                            }
                            Entry::Occupied(e) if *e.get() == tag => {
                                summary.read += 1;
                                summary.duplicate += 1;
                            }
                            Entry::Occupied(_) => {
                                summary.conflicts += 1;
                                let r = Reject {
                                    file: name.clone(),
                                    line,
                                    field: Some("record_id".into()),
                                    reason: format!(
                                        "record_id {id:?} is given earlier in the input with different content"
                                    ),
                                    raw: body,
                                    raw_cut: None,
                                };
                                reject(&mut summary, &r)?;
                            }
                        },
                        Checked::Err(r) => reject(&mut summary, &r)?,
                        Checked::Skip(s) => summary.skip(&s),
                    }
                }
                Ok(())
            },
            &|n| progress.inc(n),
        );
        if let Err(e) = r {
            match e.to_reject() {
                Some(r) => {
                    reject(&mut summary, &r)?;
                    summary.input_failed(&r);
                }
                None => return Err(e.into()),
            }
        }
    }
    out.flush().map_err(io_err(out_name))?;
    if let Some(mut w) = rejects {
        w.flush().map_err(io_err(path))?;
    }
    staged.commit()?;
    progress.finish();
    Ok(summary)
}

/// The first 8 bytes of a record's content hash: what tells two records with one id apart.
fn content_tag(v: &kensa_model::Validated) -> [u8; 8] {
    v.body_hash[..8].try_into().expect("8 of 32 bytes")
}

/// Record keys are already hashes (of SHA-256): the map need not hash them again.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_i64(&mut self, k: i64) {
        self.0 = k as u64;
    }
}

/// Standard base64 with padding (RFC 4648), for rejected bytes that are not text.
fn base64_encode(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64_encode(i.as_bytes()), o);
        }
    }
}
