//! The **ingest** stage: files in, validated records and rejects out.
//!
//! Inputs are files or directories (searched recursively, in name order) holding
//! JSON Lines (`.jsonl`, `.ndjson`, `.json`), optionally gzipped (`.gz`), or CSV (`.csv`,
//! `.csv.gz`, one file per kind). Every line or row becomes exactly one [`Item`]: either a
//! validated record with its position, or a [`Reject`] naming the file, the line, the field and
//! the reason, with the input kept whole. Nothing is dropped silently; blank lines are not
//! records and are not counted.
//!
//! Native logs (Okta, Entra ID, Google Workspace, GitHub, OCSF, osquery) are read through the
//! adapters of [`kensa_adapt`]: recognised by their first events ([`expand_inputs`]) or named
//! ([`expand_inputs_as`] with [`Choice::Log`]), framed however they are written (JSON Lines,
//! one array, pretty-printed), and turned event by event into records, validated like any
//! line, or into an [`Item::Skip`] with its reason.
//!
//! Hostile input is rejected, never fatal: a line over the [`Limits`] (length, nesting, width)
//! is a reject; a file that cannot be read to the end (a truncated gzip) is an error after the
//! lines before the failure were handed on, which [`IngestError::to_reject`] turns into the
//! reject that reports it; a directory entry that cannot be looked at (a symlink loop, a broken
//! link) is listed in [`Expanded::failures`] while the rest is read.
//!
//! Parsing and validation run in parallel (rayon) over batches of lines; batches are handed to
//! the caller in input order, so what is stored, and the evidence chain built over it, is
//! deterministic.
//!
//! ```no_run
//! use kensa_ingest::{expand_inputs, read_file, Item, Limits};
//! let inputs = expand_inputs(&["data/".into()]).unwrap();
//! for f in &inputs.files {
//!     read_file(f, &Limits::default(), &mut |batch| {
//!         for item in batch {
//!             match item {
//!                 Item::Ok(rec, pos) => println!("{}:{} {}", pos.file, pos.line, rec.record_id),
//!                 Item::Err(rej) => println!("rejected {}:{}: {}", rej.file, rej.line, rej.reason),
//!                 Item::Skip(s) => println!("skipped {}:{}: {}", s.pos.file, s.pos.line, s.reason),
//!             }
//!         }
//!         Ok::<(), std::io::Error>(())
//!     }, &|_bytes| {}).unwrap();
//! }
//! ```

mod csvread;
mod logread;

pub use kensa_adapt::{Mapping, Resolver, Unresolved};

use kensa_model::Validated;
use kensa_model::fast::LineError;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Lines handed to the parallel parser at once.
pub const BATCH_LINES: usize = 16_384;

/// Where a record came from.
#[derive(Debug, Clone)]
pub struct Pos {
    pub file: Arc<str>,
    /// 1-based line number (for CSV: the line the row starts on).
    pub line: u64,
}

/// A record that was not accepted, with everything needed to find and fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: String,
    /// 1-based line (for CSV: the line the row starts on); 0 when the whole file is meant.
    pub line: u64,
    /// Dotted path of the offending field, when one field is to blame.
    pub field: Option<String>,
    pub reason: String,
    /// The offending input exactly as read, whole (empty when there is none, e.g. for a file
    /// that could not be opened). For a line over the line limit: its first [`RAW_HEAD`] bytes,
    /// with the whole line's length and hash in `raw_cut`.
    pub raw: Vec<u8>,
    /// Boxed: rare, and every item of a batch is as large as the largest variant.
    pub raw_cut: Option<Box<RawCut>>,
}

/// A rejected line too long to keep: what identifies it in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCut {
    /// Length of the whole line in bytes (decompressed).
    pub len: u64,
    /// SHA-256 of the whole line, hex.
    pub sha256: String,
}

/// How much of a line over the line limit is kept in its reject.
pub const RAW_HEAD: usize = 64 << 10;

/// Limits on one input record. Over a limit, the record is rejected with a reason naming the
/// limit; nothing is parsed further, so a hostile line costs neither the stack nor the memory
/// nor the time of a run. Change them with `--max-line-bytes`, `--max-depth` and `--max-fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line (JSONL, decompressed) or CSV row in bytes. Default 16 MiB.
    pub max_line_bytes: usize,
    /// Deepest nesting of objects and arrays; the record is level 1. Default 32, at most 127.
    pub max_depth: usize,
    /// Most members of one object or items of one array, and most cells of one CSV row.
    /// Default 10,000.
    pub max_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let shape = kensa_model::fast::Limits::default();
        Limits {
            max_line_bytes: 16 << 20,
            max_depth: shape.max_depth,
            max_fields: shape.max_fields,
        }
    }
}

impl Limits {
    /// The nesting and width part, as the record parser takes it.
    pub fn shape(&self) -> kensa_model::fast::Limits {
        kensa_model::fast::Limits {
            max_depth: self.max_depth,
            max_fields: self.max_fields,
        }
    }

    /// Checks that the limits can be applied (each at least 1; depth at most 127).
    pub fn check(&self) -> Result<(), String> {
        if self.max_line_bytes == 0 || self.max_depth == 0 || self.max_fields == 0 {
            return Err("--max-line-bytes, --max-depth and --max-fields must be at least 1".into());
        }
        if self.max_depth > kensa_model::fast::MAX_DEPTH_CEILING {
            return Err(format!(
                "--max-depth {} is above the most the JSON parser supports ({})",
                self.max_depth,
                kensa_model::fast::MAX_DEPTH_CEILING
            ));
        }
        Ok(())
    }
}

/// One input record's outcome.
#[derive(Debug)]
pub enum Item {
    Ok(Box<Validated>, Pos),
    Err(Reject),
    /// A log event that makes no record (see [`Skip`]). Only native logs have these.
    Skip(Skip),
}

/// A log event deliberately not turned into a record, and why (a sign-on policy evaluation,
/// a service principal's sign-in, a user who resolves to no subject). Counted and reported.
#[derive(Debug, Clone)]
pub struct Skip {
    pub pos: Pos,
    pub reason: String,
    /// The log's identity, when the reason is that it resolves to no subject.
    pub unresolved: Option<String>,
}

/// Errors that stop reading a file (I/O), as opposed to rejects of single records.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Reading stopped part-way through a file (a truncated gzip, a disk error); the lines
    /// before `line` were read.
    #[error("{path}: line {line}: could not read on: {source}")]
    Read {
        path: String,
        line: u64,
        /// The unfinished line the failure cut off.
        partial: Vec<u8>,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: line 1: {reason}")]
    Header { path: String, reason: String },
    #[error("{path}: CSV error: {source}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("{0}")]
    Sink(String),
}

impl IngestError {
    /// The reject that stands for a file this error stopped reading (`None` for a failure of
    /// the sink, which is not about the input).
    pub fn to_reject(&self) -> Option<Reject> {
        let (file, line, raw, reason) = match self {
            IngestError::Io { path, source } => (path, 0, Vec::new(), source.to_string()),
            IngestError::Read {
                path,
                line,
                partial,
                source,
            } => (
                path,
                *line,
                partial.clone(),
                format!("could not read the rest of the file: {source}"),
            ),
            IngestError::NotFound { path } => {
                (path, 0, Vec::new(), "no such file or directory".into())
            }
            IngestError::Header { path, reason } => (path, 1, Vec::new(), reason.clone()),
            IngestError::Csv { path, source } => (
                path,
                source.position().map_or(0, |p| p.line()),
                Vec::new(),
                format!("CSV error: {source}"),
            ),
            IngestError::Sink(_) => return None,
        };
        Some(Reject {
            file: file.clone(),
            line,
            field: None,
            reason,
            raw,
            raw_cut: None,
        })
    }
}

/// The format of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    /// A native log, read by an adapter.
    Log(kensa_adapt::Format),
    /// A JSON log read through a mapping file ([`LogContext::mapping`]).
    MappedJson,
    /// A CSV log read through a mapping file.
    MappedCsv,
}

/// What reading native logs needs: who their users are, and the mapping for
/// [`Choice::Mapped`].
#[derive(Debug, Default)]
pub struct LogContext {
    pub who: Resolver,
    pub mapping: Option<Mapping>,
}

/// How to read the inputs: by their names and first events (`Auto`), as Kensa records
/// whatever they look like, or all in one log format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    #[default]
    Auto,
    Records,
    Log(kensa_adapt::Format),
    /// Every input through the mapping file in [`LogContext::mapping`].
    Mapped,
}

impl Choice {
    /// `auto`, `kensa` (or `records`), or a log format's name.
    pub fn from_name(s: &str) -> Result<Choice, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Choice::Auto),
            "kensa" | "records" | "jsonl" | "csv" => Ok(Choice::Records),
            other => kensa_adapt::Format::from_name(other)
                .map(Choice::Log)
                .ok_or_else(|| {
                    let names: Vec<&str> =
                        kensa_adapt::Format::ALL.iter().map(|f| f.name()).collect();
                    format!(
                        "unknown format {s:?}: expected auto, kensa, {}",
                        names.join(", ")
                    )
                }),
        }
    }
}

/// One file to read.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    pub format: Format,
    pub gzip: bool,
    pub len: u64,
}

/// What the inputs named on the command line expand to.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The files to read, in a stable order.
    pub files: Vec<InputFile>,
    /// Files in a directory with an extension Kensa does not read (skipped, and said so).
    pub warnings: Vec<String>,
    /// Entries that could not be looked at (a symlink loop, a broken link, no permission), as
    /// rejects with line 0. The rest is read; the run reports these and fails at the end.
    pub failures: Vec<Reject>,
}

/// Expands files and directories into the files to read, in a stable order. A path that
/// cannot be read (missing, a symlink loop, no permission), named here or met inside a
/// directory, is a failure in the result and does not stop the others.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Expanded, IngestError> {
    expand_inputs_as(paths, Choice::Auto)
}

/// [`expand_inputs`], reading the files as `choice` says. With [`Choice::Auto`], a JSON file
/// whose first events are in a log format Kensa reads is read as that log; one whose first
/// events are objects without a `kind` and in no known format is a failure that says what
/// was tried.
pub fn expand_inputs_as(paths: &[PathBuf], choice: Choice) -> Result<Expanded, IngestError> {
    let mut out = expand_paths(paths)?;
    let files = std::mem::take(&mut out.files);
    for mut f in files {
        match (choice, f.format) {
            (Choice::Records, _) => {}
            (Choice::Mapped, Format::Csv) => f.format = Format::MappedCsv,
            (Choice::Mapped, _) => f.format = Format::MappedJson,
            (Choice::Log(fmt), Format::Csv) => {
                out.failures.push(failure(
                    &f.path,
                    format!("the {} format is JSON; this is a CSV file", fmt.name()),
                ));
                continue;
            }
            (Choice::Log(fmt), _) => {
                // Said to be one format, looks like another: read as told, but say so.
                {
                    let (bytes, complete) = head(&f);
                    let looks = match logread::sniff(&bytes, complete) {
                        logread::Sniffed::Log(other) if other != fmt => Some(other.name()),
                        logread::Sniffed::Records => Some("Kensa records"),
                        _ => None,
                    };
                    if let Some(looks) = looks {
                        out.warnings.push(format!(
                            "{}: read as {} (--format), but its first events look like {looks}",
                            f.path.display(),
                            fmt.name()
                        ));
                    }
                }
                f.format = Format::Log(fmt);
            }
            (Choice::Auto, Format::Jsonl) => {
                let (bytes, complete) = head(&f);
                match logread::sniff(&bytes, complete) {
                    logread::Sniffed::Records | logread::Sniffed::Other => {}
                    logread::Sniffed::Log(fmt) => f.format = Format::Log(fmt),
                    logread::Sniffed::Unknown(why) => {
                        out.failures.push(failure(&f.path, why));
                        continue;
                    }
                }
            }
            (Choice::Auto, _) => {}
        }
        out.files.push(f);
    }
    Ok(out)
}

/// The first MiB of a file (decompressed), and whether that is all of it. A file that
/// cannot be read gives what could be read (its failure is reported when it is read for
/// real).
fn head(f: &InputFile) -> (Vec<u8>, bool) {
    const HEAD: u64 = 1 << 20;
    let mut buf = Vec::new();
    let Ok(r) = open(f, &|_| {}) else {
        return (buf, false);
    };
    let complete = match r.take(HEAD + 1).read_to_end(&mut buf) {
        Ok(n) => (n as u64) <= HEAD,
        Err(_) => false,
    };
    buf.truncate(HEAD as usize);
    (buf, complete)
}

fn expand_paths(paths: &[PathBuf]) -> Result<Expanded, IngestError> {
    let mut out = Expanded::default();
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                let reason = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_owned()
                } else {
                    format!("cannot read: {e}")
                };
                out.failures.push(failure(p, reason));
                continue;
            }
        };
        if meta.is_dir() {
            let mut seen = Vec::new();
            walk(p, &meta, &mut seen, &mut out);
        } else {
            let (format, gzip) = match classify(p) {
                Some(c) => c,
                None => match sniff(p) {
                    Ok(f) => f,
                    Err(e) => {
                        out.failures.extend(e.to_reject());
                        continue;
                    }
                },
            };
            out.files.push(InputFile {
                path: p.clone(),
                format,
                gzip,
                len: meta.len(),
            });
        }
    }
    Ok(out)
}

/// The identity of a directory, to notice one reached again through a symlink.
#[cfg(unix)]
fn dir_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dir_id(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn failure(path: &Path, reason: String) -> Reject {
    Reject {
        file: path.display().to_string(),
        line: 0,
        field: None,
        reason,
        raw: Vec::new(),
        raw_cut: None,
    }
}

/// Walks `dir` (whose metadata is `meta`); `seen` holds the directories on the current path,
/// so that a symlink back to one of them is reported instead of followed forever.
fn walk(dir: &Path, meta: &std::fs::Metadata, seen: &mut Vec<(u64, u64)>, out: &mut Expanded) {
    let id = dir_id(meta);
    if cfg!(unix) && seen.contains(&id) {
        out.failures.push(failure(
            dir,
            "directory loop: a symlink leads back to a directory being read; skipped".into(),
        ));
        return;
    }
    let entries = std::fs::read_dir(dir).and_then(|rd| rd.collect::<Result<Vec<_>, _>>());
    let mut entries = match entries {
        Ok(e) => e,
        Err(e) => {
            out.failures
                .push(failure(dir, format!("cannot list the directory: {e}")));
            return;
        }
    };
    seen.push(id);
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(err) => {
                let broken_link = std::fs::symlink_metadata(&path)
                    .is_ok_and(|m| m.file_type().is_symlink())
                    && err.kind() == std::io::ErrorKind::NotFound;
                let reason = if broken_link {
                    "broken symlink (its target does not exist); skipped".to_owned()
                } else {
                    format!("cannot read: {err}; skipped")
                };
                out.failures.push(failure(&path, reason));
                continue;
            }
        };
        if meta.is_dir() {
            walk(&path, &meta, seen, out);
        } else if let Some((format, gzip)) = classify(&path) {
            out.files.push(InputFile {
                path,
                format,
                gzip,
                len: meta.len(),
            });
        } else {
            out.warnings.push(format!(
                "{}: skipped (not .jsonl, .ndjson, .json or .csv, optionally .gz)",
                path.display()
            ));
        }
    }
    seen.pop();
}

fn classify(p: &Path) -> Option<(Format, bool)> {
    let name = p.file_name()?.to_str()?.to_ascii_lowercase();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(n) => (n.to_owned(), true),
        None => (name, false),
    };
    if name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.ends_with(".json") {
        Some((Format::Jsonl, gzip))
    } else if name.ends_with(".csv") {
        Some((Format::Csv, gzip))
    } else {
        None
    }
}

/// An explicitly named file with an unknown extension (`.log`, `.ocsf`, none): gzip if it
/// starts with gzip's magic bytes; JSON (lines, an array, or pretty-printed) if its first
/// character after a byte-order mark and white space is `{` or `[`; CSV otherwise.
fn sniff(p: &Path) -> Result<(Format, bool), IngestError> {
    let io = |source| IngestError::Io {
        path: p.display().to_string(),
        source,
    };
    let mut buf = [0u8; 512];
    let mut f = File::open(p).map_err(io)?;
    let n = f.read(&mut buf).map_err(io)?;
    let gzip = buf[..n].starts_with(&[0x1f, 0x8b]);
    let mut head = Vec::new();
    if gzip {
        let _ = flate2::read::MultiGzDecoder::new(File::open(p).map_err(io)?)
            .take(512)
            .read_to_end(&mut head);
    } else {
        head.extend_from_slice(&buf[..n]);
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    Ok((
        if matches!(first, Some(b'{' | b'[')) {
            Format::Jsonl
        } else {
            Format::Csv
        },
        gzip,
    ))
}

/// Opens a file, transparently decompressing gzip.
pub(crate) fn open<'a>(
    file: &InputFile,
    progress: &'a (dyn Fn(u64) + Sync),
) -> Result<Box<dyn Read + 'a>, IngestError> {
    let f = File::open(&file.path).map_err(|source| IngestError::Io {
        path: file.path.display().to_string(),
        source,
    })?;
    let counted = Counted { inner: f, progress };
    Ok(if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            counted,
        )))
    } else {
        Box::new(counted)
    })
}

/// Reports bytes read from the underlying file (compressed bytes for gzip), for progress bars.
struct Counted<'a, R> {
    inner: R,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// Reads one file, calling `sink` with batches of items in input order. `progress` receives
/// the number of bytes read as reading goes. A failure part-way returns an error after the
/// lines before it have reached the sink; [`IngestError::to_reject`] turns it into the reject
/// that reports the file.
pub fn read_file<E: std::fmt::Display>(
    file: &InputFile,
    limits: &Limits,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    read_file_with(file, limits, &LogContext::default(), sink, progress)
}

/// [`read_file`], reading native logs with `cx` (who their users are; the mapping).
pub fn read_file_with<E: std::fmt::Display>(
    file: &InputFile,
    limits: &Limits,
    cx: &LogContext,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let name: Arc<str> = file.path.display().to_string().into();
    let shape = limits.shape();
    match file.format {
        Format::Jsonl => read_jsonl(
            file,
            name,
            limits,
            &|name, line, bytes| parse_line_within(name, line, bytes, &shape),
            &Item::Err,
            sink,
            progress,
        ),
        Format::Csv => csvread::read_csv(file, name, limits, sink, progress),
        Format::Log(fmt) => logread::read_log(
            file,
            &*logread::adapter(fmt, &cx.who),
            name,
            limits,
            sink,
            progress,
        ),
        Format::MappedJson => logread::read_log(
            file,
            &*logread::mapped(mapping(cx, &name)?, &cx.who),
            name,
            limits,
            sink,
            progress,
        ),
        Format::MappedCsv => logread::read_mapped_csv(
            file,
            mapping(cx, &name)?,
            &cx.who,
            name.clone(),
            limits,
            sink,
            progress,
        ),
    }
}

fn mapping<'c>(cx: &'c LogContext, name: &str) -> Result<&'c Mapping, IngestError> {
    cx.mapping.as_ref().ok_or_else(|| IngestError::Header {
        path: name.to_owned(),
        reason: "read through a mapping, but no mapping file was given".into(),
    })
}

/// One record as [`check_file`] hands it on: what `keep` took from it, its reject, or (for
/// a log event that makes no record) its skip.
#[derive(Debug)]
pub enum Checked<K> {
    Ok(K),
    Err(Box<Reject>),
    Skip(Skip),
}

impl<K> Checked<K> {
    /// What `keep` took, if the record was accepted.
    pub fn ok(self) -> Option<K> {
        match self {
            Checked::Ok(k) => Some(k),
            _ => None,
        }
    }
}

/// Reads one file only to validate it (`kensa validate`): every record is parsed and
/// validated exactly as [`read_file`] does, but accepted records are reduced on the thread
/// that made them to what `keep` takes from them (given the record and its line). `sink` gets,
/// per batch and in input order, one item per record: what `keep` returned, or the reject.
pub fn check_file<K: Send, E: std::fmt::Display>(
    file: &InputFile,
    limits: &Limits,
    keep: &(dyn Fn(&Validated, u64) -> K + Sync),
    sink: &mut dyn FnMut(Vec<Checked<K>>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    check_file_with(file, limits, &LogContext::default(), keep, sink, progress)
}

/// [`check_file`], reading native logs with `cx`.
pub fn check_file_with<K: Send, E: std::fmt::Display>(
    file: &InputFile,
    limits: &Limits,
    cx: &LogContext,
    keep: &(dyn Fn(&Validated, u64) -> K + Sync),
    sink: &mut dyn FnMut(Vec<Checked<K>>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let convert = |items: Vec<Item>| -> Vec<Checked<K>> {
        items
            .into_iter()
            .map(|it| match it {
                Item::Ok(v, pos) => Checked::Ok(keep(&v, pos.line)),
                Item::Err(r) => Checked::Err(Box::new(r)),
                Item::Skip(s) => Checked::Skip(s),
            })
            .collect()
    };
    let name: Arc<str> = file.path.display().to_string().into();
    let shape = limits.shape();
    match file.format {
        Format::Jsonl => read_jsonl(
            file,
            name,
            limits,
            &|name, line, bytes| match kensa_model::fast::validate_line_within(bytes, &shape) {
                Ok(v) => Checked::Ok(keep(&v, line)),
                Err(e) => Checked::Err(Box::new(line_reject(name, line, bytes, e))),
            },
            &|r| Checked::Err(Box::new(r)),
            sink,
            progress,
        ),
        Format::Csv => csvread::read_csv(
            file,
            name,
            limits,
            &mut |items: Vec<Item>| sink(convert(items)),
            progress,
        ),
        Format::Log(_) | Format::MappedJson | Format::MappedCsv => read_file_with(
            file,
            limits,
            cx,
            &mut |items: Vec<Item>| sink(convert(items)),
            progress,
        ),
    }
}

/// What a reader makes of one line: `(file name, line number, bytes) -> T`.
type LineParser<'p, T> = dyn Fn(&Arc<str>, u64, &[u8]) -> T + Sync + 'p;

/// Reads JSON Lines, running `parse` on the rayon pool for every non-blank line and giving its
/// results to `sink` in input order. Lines over the line limit become `reject`s instead.
fn read_jsonl<T: Send, E: std::fmt::Display>(
    file: &InputFile,
    name: Arc<str>,
    limits: &Limits,
    parse: &LineParser<'_, T>,
    reject: &(dyn Fn(Reject) -> T + Sync),
    sink: &mut dyn FnMut(Vec<T>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let mut reader = open(file, progress)?;
    let max_line = limits.max_line_bytes;
    let mut carry = Vec::new();
    let mut line_no: u64 = 0;
    let read_err = |line_no: u64, carry: &mut Vec<u8>, source| IngestError::Read {
        path: name.to_string(),
        line: line_no + 1,
        partial: std::mem::take(carry),
        source,
    };
    // A line within the chunk but over the limit (only when the limit is below a chunk).
    let parse_or_cut = |name: &Arc<str>, line: u64, bytes: &[u8]| {
        if bytes.len() > max_line {
            let mut h = LineHasher::default();
            h.add(bytes);
            reject(h.reject(name, line, max_line))
        } else {
            parse(name, line, bytes)
        }
    };
    // Two chunk buffers take turns (one being parsed, one being filled), so that their pages
    // are not handed back to the system and faulted in again for every chunk.
    let mut spare: Vec<u8> = Vec::new();
    let mut failed = None;
    let mut chunk = read_chunk(&mut reader, &mut carry, Vec::new(), max_line, &mut failed)
        .map_err(|e| read_err(line_no, &mut carry, e))?;
    // Pipelined: while the pool parses one chunk, this thread reads (and decompresses) the next
    // and hands the previous chunk's records to the sink.
    let mut pending: Vec<T> = Vec::new();
    // The non-blank lines of the chunk being parsed and of the next one, reused like the chunk
    // buffers (a fresh allocation this large is fresh pages each time). The next chunk is split
    // while the pool parses this one, so the pool never waits for the split.
    let mut lines: Vec<(u64, std::ops::Range<usize>)> = Vec::with_capacity(BATCH_LINES);
    let mut next_lines: Vec<(u64, std::ops::Range<usize>)> = Vec::with_capacity(BATCH_LINES);
    if let Some(Chunk::Lines(c)) = &chunk {
        split_lines(c, &mut line_no, &mut lines);
    }
    while let Some(current) = chunk.take() {
        let buf = match current {
            Chunk::Lines(buf) => buf,
            Chunk::Overlong(h) => {
                // Rare: handled on this thread, without the pipeline. A line of nothing but
                // white space is blank, however long.
                line_no += 1;
                if !h.blank {
                    pending.push(reject(h.reject(&name, line_no, max_line)));
                }
                let next = read_chunk(
                    &mut reader,
                    &mut carry,
                    std::mem::take(&mut spare),
                    max_line,
                    &mut failed,
                );
                chunk = match next {
                    Ok(c) => c,
                    Err(e) => {
                        // What was read before the failure still counts (and a failing sink
                        // explains more than the read error).
                        hand_over(std::mem::take(&mut pending), sink)?;
                        return Err(read_err(line_no, &mut carry, e));
                    }
                };
                if let Some(Chunk::Lines(c)) = &chunk {
                    split_lines(c, &mut line_no, &mut lines);
                }
                continue;
            }
        };
        let mut items: Vec<T> = Vec::new();
        let (next, sunk) = rayon::in_place_scope(|s| {
            s.spawn(|_| {
                // Each rayon job counts references on its own copy of the file name: one
                // shared count, touched for every record by both cores, kept a cache line
                // bouncing between them.
                items = lines
                    .par_iter()
                    .map_init(
                        || Arc::<str>::from(&*name),
                        |name, (line, r)| parse_or_cut(name, *line, &buf[r.clone()]),
                    )
                    .collect();
            });
            let next = read_chunk(
                &mut reader,
                &mut carry,
                std::mem::take(&mut spare),
                max_line,
                &mut failed,
            );
            if let Ok(Some(Chunk::Lines(c))) = &next {
                split_lines(c, &mut line_no, &mut next_lines);
            }
            (next, hand_over(std::mem::take(&mut pending), sink))
        });
        std::mem::swap(&mut lines, &mut next_lines);
        sunk?;
        chunk = match next {
            Ok(c) => c,
            Err(e) => {
                // The lines read before the failure still count: hand them on, then report.
                hand_over(items, sink)?;
                return Err(read_err(line_no, &mut carry, e));
            }
        };
        pending = items;
        spare = buf;
    }
    hand_over(pending, sink)
}

/// Replaces `lines` with the non-blank lines of `buf` (numbered on from `line_no`).
fn split_lines(buf: &[u8], line_no: &mut u64, lines: &mut Vec<(u64, std::ops::Range<usize>)>) {
    lines.clear();
    let mut start = 0;
    while start < buf.len() {
        let end = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i);
        *line_no += 1;
        if !buf[start..end].iter().all(|b| b.is_ascii_whitespace()) {
            lines.push((*line_no, start..end));
        }
        start = end + 1;
    }
}

/// Gives items to the sink at most `BATCH_LINES` at a time, to keep downstream batches small.
fn hand_over<T, E: std::fmt::Display>(
    items: Vec<T>,
    sink: &mut dyn FnMut(Vec<T>) -> Result<(), E>,
) -> Result<(), IngestError> {
    let mut items = items;
    while !items.is_empty() {
        // The head keeps the allocation; only the (usually short) rest is copied.
        let rest = items.split_off(items.len().min(BATCH_LINES));
        sink(items).map_err(|e| IngestError::Sink(e.to_string()))?;
        items = rest;
    }
    Ok(())
}

/// Bytes read per chunk of a JSON Lines file (more when one line is longer).
const CHUNK_BYTES: usize = 2 << 20;

/// What [`read_chunk`] read next.
enum Chunk {
    /// Whole lines.
    Lines(Vec<u8>),
    /// One line over the line limit, read through without keeping it.
    Overlong(LineHasher),
}

/// Takes in a line over the limit piece by piece: its length, its hash and its head.
struct LineHasher {
    len: u64,
    sha: Sha256,
    head: Vec<u8>,
    /// Nothing but white space so far.
    blank: bool,
}

impl Default for LineHasher {
    fn default() -> Self {
        LineHasher {
            len: 0,
            sha: Sha256::default(),
            head: Vec::new(),
            blank: true,
        }
    }
}

impl LineHasher {
    fn add(&mut self, bytes: &[u8]) {
        self.blank = self.blank && bytes.iter().all(|b| b.is_ascii_whitespace());
        self.len += bytes.len() as u64;
        self.sha.update(bytes);
        let room = RAW_HEAD.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }

    fn reject(self, name: &str, line: u64, max_line: usize) -> Reject {
        // A line ends at the newline; a trailing carriage return belongs to it (CRLF files).
        let sha256 = hex_lower(&self.sha.finalize());
        let mut head = self.head;
        cut_at_char(&mut head);
        Reject {
            file: name.to_owned(),
            line,
            field: None,
            reason: format!(
                "line is {} bytes, over the limit of {max_line} (--max-line-bytes); the first {} bytes are kept",
                self.len,
                head.len()
            ),
            raw: head,
            raw_cut: Some(Box::new(RawCut {
                len: self.len,
                sha256,
            })),
        }
    }
}

/// A rejected row's bytes as kept: whole when within the line limit, otherwise its first
/// [`RAW_HEAD`] bytes with its length and hash.
pub(crate) fn keep_raw(raw: Vec<u8>, max_line: usize) -> (Vec<u8>, Option<Box<RawCut>>) {
    if raw.len() <= max_line {
        return (raw, None);
    }
    let cut = RawCut {
        len: raw.len() as u64,
        sha256: hex_lower(&Sha256::digest(&raw)),
    };
    let mut raw = raw;
    raw.truncate(RAW_HEAD);
    cut_at_char(&mut raw);
    (raw, Some(Box::new(cut)))
}

/// Drops a UTF-8 character cut in two at the end of a kept head, so that a text line's head is
/// still text.
fn cut_at_char(head: &mut Vec<u8>) {
    if let Err(e) = std::str::from_utf8(head)
        && e.error_len().is_none()
    {
        head.truncate(e.valid_up_to());
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The next chunk of whole lines: `carry` (the unfinished line left by the previous chunk)
/// followed by at least `CHUNK_BYTES` more bytes, cut after the last newline; what follows it
/// becomes the new `carry`. `None` at the end of the input. `buf` is a spent chunk to reuse.
/// An unfinished line that grows past `max_line` is read through to its end and returned as
/// [`Chunk::Overlong`]. A read error is returned after the whole lines read before it: they
/// come back first, with the error kept in `failed` for the next call; the unfinished line it
/// cut off is left in `carry`.
fn read_chunk(
    r: &mut dyn Read,
    carry: &mut Vec<u8>,
    mut buf: Vec<u8>,
    max_line: usize,
    failed: &mut Option<std::io::Error>,
) -> std::io::Result<Option<Chunk>> {
    if let Some(e) = failed.take() {
        return Err(e);
    }
    buf.clear();
    buf.extend_from_slice(carry);
    carry.clear();
    let mut filled = buf.len();
    let mut want = filled + CHUNK_BYTES;
    buf.resize(want, 0);
    loop {
        if filled == want {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(i) => {
                    carry.extend_from_slice(&buf[i + 1..filled]);
                    buf.truncate(i + 1);
                    return Ok(Some(Chunk::Lines(buf)));
                }
                // One line over the limit: read through it, keeping only its head.
                None if filled > max_line => {
                    return skip_line(r, carry, buf, filled).map(|h| Some(Chunk::Overlong(h)));
                }
                // One line longer than the chunk: read on.
                None => {
                    want += CHUNK_BYTES;
                    buf.resize(want, 0);
                }
            }
        }
        match r.read(&mut buf[filled..want]) {
            // End of input: whatever is left is the last line.
            Ok(0) => {
                buf.truncate(filled);
                return Ok((!buf.is_empty()).then_some(Chunk::Lines(buf)));
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return match memchr::memrchr(b'\n', &buf[..filled]) {
                    Some(i) => {
                        carry.extend_from_slice(&buf[i + 1..filled]);
                        buf.truncate(i + 1);
                        *failed = Some(e);
                        Ok(Some(Chunk::Lines(buf)))
                    }
                    None => {
                        carry.extend_from_slice(&buf[..filled]);
                        Err(e)
                    }
                };
            }
        }
    }
}

/// Reads on to the end of a line over the limit whose first `filled` bytes are in `buf`.
fn skip_line(
    r: &mut dyn Read,
    carry: &mut Vec<u8>,
    mut buf: Vec<u8>,
    filled: usize,
) -> std::io::Result<LineHasher> {
    let mut h = LineHasher::default();
    h.add(&buf[..filled]);
    buf.resize(CHUNK_BYTES, 0);
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(h),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                carry.extend_from_slice(&h.head);
                return Err(e);
            }
        };
        match memchr::memchr(b'\n', &buf[..n]) {
            Some(i) => {
                h.add(&buf[..i]);
                carry.extend_from_slice(&buf[i + 1..n]);
                return Ok(h);
            }
            None => h.add(&buf[..n]),
        }
    }
}

/// Parses and validates one JSON line within the default limits.
pub fn parse_line(file: &Arc<str>, line: u64, bytes: &[u8]) -> Item {
    parse_line_within(file, line, bytes, &kensa_model::fast::Limits::default())
}

/// Parses and validates one JSON line.
pub fn parse_line_within(
    file: &Arc<str>,
    line: u64,
    bytes: &[u8],
    limits: &kensa_model::fast::Limits,
) -> Item {
    match kensa_model::fast::validate_line_within(bytes, limits) {
        Ok(v) => Item::Ok(
            Box::new(v),
            Pos {
                file: file.clone(),
                line,
            },
        ),
        Err(e) => Item::Err(line_reject(file, line, bytes, e)),
    }
}

/// The reject for a JSON line that failed validation.
fn line_reject(file: &str, line: u64, bytes: &[u8], e: LineError) -> Reject {
    let (field, reason) = match e {
        LineError::Malformed(e) => (None, format!("malformed JSON: {e}")),
        LineError::Record(e) => (e.field, e.reason),
        LineError::Limit(e) => (None, e),
    };
    Reject {
        file: file.to_string(),
        line,
        field,
        reason,
        raw: bytes.to_vec(),
        raw_cut: None,
    }
}
