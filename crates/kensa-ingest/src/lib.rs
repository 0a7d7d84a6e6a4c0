//! The **ingest** stage: files in, validated records and rejects out.
//!
//! Inputs are files or directories (searched recursively, in name order) holding
//! JSON Lines (`.jsonl`, `.ndjson`, `.json`), optionally gzipped (`.gz`), or CSV (`.csv`,
//! `.csv.gz`, one file per kind). Every line or row becomes exactly one [`Item`]: either a
//! validated record with its position, or a [`Reject`] naming the file, the line, the field and
//! the reason. Nothing is dropped silently; blank lines are not records and are not counted.
//!
//! Parsing and validation run in parallel (rayon) over batches of lines; batches are handed to
//! the caller in input order, so what is stored, and the evidence chain built over it, is
//! deterministic.
//!
//! ```no_run
//! use kensa_ingest::{expand_inputs, read_file, Item};
//! let (files, _warnings) = expand_inputs(&["data/".into()]).unwrap();
//! for f in &files {
//!     read_file(f, &mut |batch| {
//!         for item in batch {
//!             match item {
//!                 Item::Ok(rec, pos) => println!("{}:{} {}", pos.file, pos.line, rec.record_id),
//!                 Item::Err(rej) => println!("rejected {}:{}: {}", rej.file, rej.line, rej.reason),
//!             }
//!         }
//!         Ok::<(), std::io::Error>(())
//!     }, &|_bytes| {}).unwrap();
//! }
//! ```

mod csvread;

use kensa_model::Validated;
use kensa_model::fast::LineError;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    /// Dotted path of the offending field, when one field is to blame.
    pub field: Option<String>,
    pub reason: String,
    /// The start of the offending input (at most [`RAW_KEEP`] bytes).
    pub raw: Option<String>,
}

/// How much of a rejected line is kept in the rejects file.
pub const RAW_KEEP: usize = 2000;

/// One input record's outcome.
#[derive(Debug)]
pub enum Item {
    Ok(Box<Validated>, Pos),
    Err(Reject),
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
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: CSV error: {source}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("{0}")]
    Sink(String),
}

/// The format of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

/// One file to read.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    pub format: Format,
    pub gzip: bool,
    pub len: u64,
}

/// Expands files and directories into the files to read, in a stable order. Files in a
/// directory with an extension Kensa does not read are listed in the returned warnings.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<String>), IngestError> {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => IngestError::NotFound {
                path: p.display().to_string(),
            },
            _ => IngestError::Io {
                path: p.display().to_string(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            walk(p, &mut files, &mut warnings)?;
        } else {
            let (format, gzip) = classify(p).unwrap_or((sniff(p)?, false));
            files.push(InputFile {
                path: p.clone(),
                format,
                gzip,
                len: meta.len(),
            });
        }
    }
    Ok((files, warnings))
}

fn walk(
    dir: &Path,
    files: &mut Vec<InputFile>,
    warnings: &mut Vec<String>,
) -> Result<(), IngestError> {
    let io = |e| IngestError::Io {
        path: dir.display().to_string(),
        source: e,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let meta = std::fs::metadata(&path).map_err(|source| IngestError::Io {
            path: path.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            walk(&path, files, warnings)?;
        } else if let Some((format, gzip)) = classify(&path) {
            files.push(InputFile {
                path,
                format,
                gzip,
                len: meta.len(),
            });
        } else {
            warnings.push(format!(
                "{}: skipped (not .jsonl, .ndjson, .json or .csv, optionally .gz)",
                path.display()
            ));
        }
    }
    Ok(())
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

/// An explicitly named file with an unknown extension: JSON Lines if it starts with `{`.
fn sniff(p: &Path) -> Result<Format, IngestError> {
    let mut buf = [0u8; 512];
    let n = File::open(p)
        .and_then(|mut f| f.read(&mut buf))
        .map_err(|source| IngestError::Io {
            path: p.display().to_string(),
            source,
        })?;
    let first = buf[..n].iter().find(|b| !b.is_ascii_whitespace());
    Ok(if first == Some(&b'{') {
        Format::Jsonl
    } else {
        Format::Csv
    })
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
/// the number of bytes read as reading goes.
pub fn read_file<E: std::fmt::Display>(
    file: &InputFile,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let name: Arc<str> = file.path.display().to_string().into();
    match file.format {
        Format::Jsonl => read_jsonl(file, name, &parse_line, sink, progress),
        Format::Csv => csvread::read_csv(file, name, sink, progress),
    }
}

/// Reads one file only to validate it (`kensa validate`): every record is parsed and
/// validated exactly as [`read_file`] does, but accepted records are dropped on the thread
/// that made them instead of being handed on. `sink` gets, per batch and in input order, the
/// number of records accepted and the rejects.
pub fn check_file<E: std::fmt::Display>(
    file: &InputFile,
    sink: &mut dyn FnMut(u64, Vec<Reject>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let name: Arc<str> = file.path.display().to_string().into();
    let split = |items: Vec<Option<Box<Reject>>>| {
        let accepted = items.iter().filter(|r| r.is_none()).count() as u64;
        (accepted, items.into_iter().flatten().map(|r| *r).collect())
    };
    match file.format {
        Format::Jsonl => read_jsonl(
            file,
            name,
            &|name, line, bytes| match kensa_model::fast::validate_line(bytes) {
                Ok(_) => None,
                Err(e) => Some(Box::new(line_reject(name, line, bytes, e))),
            },
            &mut |items| {
                let (accepted, rejects) = split(items);
                sink(accepted, rejects)
            },
            progress,
        ),
        Format::Csv => csvread::read_csv(
            file,
            name,
            &mut |items: Vec<Item>| {
                let (accepted, rejects) = split(
                    items
                        .into_iter()
                        .map(|it| match it {
                            Item::Ok(..) => None,
                            Item::Err(r) => Some(Box::new(r)),
                        })
                        .collect(),
                );
                sink(accepted, rejects)
            },
            progress,
        ),
    }
}

/// What a reader makes of one line: `(file name, line number, bytes) -> T`.
type LineParser<'p, T> = dyn Fn(&Arc<str>, u64, &[u8]) -> T + Sync + 'p;

/// Reads JSON Lines, running `parse` on the rayon pool for every non-blank line and giving its
/// results to `sink` in input order.
fn read_jsonl<T: Send, E: std::fmt::Display>(
    file: &InputFile,
    name: Arc<str>,
    parse: &LineParser<'_, T>,
    sink: &mut dyn FnMut(Vec<T>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let mut reader = open(file, progress)?;
    let io = |source| IngestError::Io {
        path: name.to_string(),
        source,
    };
    let mut carry = Vec::new();
    let mut line_no: u64 = 0;
    // Two chunk buffers take turns (one being parsed, one being filled), so that their pages
    // are not handed back to the system and faulted in again for every chunk.
    let mut spare: Vec<u8> = Vec::new();
    let mut chunk = read_chunk(&mut reader, &mut carry, Vec::new()).map_err(io)?;
    // Pipelined: while the pool parses one chunk, this thread reads (and decompresses) the next
    // and hands the previous chunk's records to the sink.
    let mut pending: Vec<T> = Vec::new();
    // The non-blank lines of the chunk being parsed and of the next one, reused like the chunk
    // buffers (a fresh allocation this large is fresh pages each time). The next chunk is split
    // while the pool parses this one, so the pool never waits for the split.
    let mut lines: Vec<(u64, std::ops::Range<usize>)> = Vec::with_capacity(BATCH_LINES);
    let mut next_lines: Vec<(u64, std::ops::Range<usize>)> = Vec::with_capacity(BATCH_LINES);
    if let Some(c) = &chunk {
        split_lines(c, &mut line_no, &mut lines);
    }
    while let Some(buf) = chunk.take() {
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
                        |name, (line, r)| parse(name, *line, &buf[r.clone()]),
                    )
                    .collect();
            });
            let next = read_chunk(&mut reader, &mut carry, std::mem::take(&mut spare));
            if let Ok(Some(c)) = &next {
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
                return Err(io(e));
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

/// The next chunk of whole lines: `carry` (the unfinished line left by the previous chunk)
/// followed by at least `CHUNK_BYTES` more bytes, cut after the last newline; what follows it
/// becomes the new `carry`. `None` at the end of the input. `buf` is a spent chunk to reuse.
fn read_chunk(
    r: &mut dyn Read,
    carry: &mut Vec<u8>,
    mut buf: Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>> {
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
                    return Ok(Some(buf));
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
                return Ok((!buf.is_empty()).then_some(buf));
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Parses and validates one JSON line.
pub fn parse_line(file: &Arc<str>, line: u64, bytes: &[u8]) -> Item {
    match kensa_model::fast::validate_line(bytes) {
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
    };
    Reject {
        file: file.to_string(),
        line,
        field,
        reason,
        raw: Some(raw_prefix(bytes)),
    }
}

pub(crate) fn raw_prefix(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim_end();
    if s.len() <= RAW_KEEP {
        s.to_owned()
    } else {
        let mut end = RAW_KEEP;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}
