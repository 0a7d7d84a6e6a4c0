//! Native logs (Okta, Entra ID, Google Workspace, GitHub, OCSF, osquery) read through
//! [`kensa_adapt`]: each event becomes records (validated as any input line is), a skip with
//! its reason, or — when it is not JSON — a reject.

use crate::{IngestError, InputFile, Item, Limits, Pos, Reject, Skip, parse_line_within};
use kensa_adapt::mapping::Event;
use kensa_adapt::{Conv, Ev, Framer, LineCounter, Mapping, Piece, Resolver, events};
use rayon::prelude::*;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes read at a time.
const READ_BYTES: usize = 4 << 20;

/// What one piece of the buffer is, ready for the parallel conversion.
enum Job<'a> {
    Event(u64, Ev<'a>),
    Bad(u64, &'a [u8], String),
}

/// Converts one event into records or skips.
pub(crate) type Convert<'c> = dyn Fn(&Ev<'_>, &mut Vec<Conv>) + Sync + 'c;

/// The converter of a log format.
pub(crate) fn adapter<'c>(format: kensa_adapt::Format, who: &'c Resolver) -> Box<Convert<'c>> {
    Box::new(move |ev, out| format.convert_ev(ev, who, out))
}

/// The converter of a mapping.
pub(crate) fn mapped<'c>(m: &'c Mapping, who: &'c Resolver) -> Box<Convert<'c>> {
    Box::new(move |ev, out| m.convert(&Event::Json(ev), who, out))
}

/// Reads a log: events framed (and validated) by the framer, converted and validated on the
/// rayon pool, handed on in input order.
pub(crate) fn read_log<E: std::fmt::Display>(
    file: &InputFile,
    convert: &Convert<'_>,
    name: Arc<str>,
    limits: &Limits,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let mut reader = crate::open(file, progress)?;
    let shape = limits.shape();
    let max = limits.max_line_bytes;
    let mut framer = Framer::default();
    let mut lines = LineCounter::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut want = READ_BYTES;
    loop {
        // Fill: `want` more bytes, unless the input ends or fails (then what was read still
        // counts: it is framed and handed on before the failure is reported).
        let start = buf.len();
        buf.resize(start + want, 0);
        let mut filled = start;
        let mut eof = false;
        let mut failed = None;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        buf.truncate(filled);
        let mut pieces = Vec::new();
        let used = framer.frame(&buf, eof, &mut pieces);
        let mut jobs = Vec::with_capacity(pieces.len());
        for p in pieces {
            if let Piece::Bad {
                start,
                end,
                at,
                reason,
            } = p
            {
                let line = lines.line_at(&buf, start);
                let at_line = lines.line_at(&buf, at);
                let reason = Piece::bad_reason(&buf, at, at_line, &reason);
                jobs.push(Job::Bad(line, &buf[start..end], reason));
                continue;
            }
            for ev in events(p).unwrap_or_default() {
                let line = lines.line_at(&buf, kensa_adapt::frame::offset_in(&buf, ev.text));
                if ev.text.len() > max {
                    jobs.push(Job::Bad(
                        line,
                        ev.text.as_bytes(),
                        format!(
                            "an event of {} bytes, over the limit of {max} (--max-line-bytes)",
                            ev.text.len()
                        ),
                    ));
                } else {
                    jobs.push(Job::Event(line, ev));
                }
            }
        }
        // At most BATCH_LINES events at a time (a piece of tiny events makes many items).
        for chunk in jobs.chunks(crate::BATCH_LINES) {
            let items: Vec<Vec<Item>> = chunk
                .par_iter()
                .map(|j| match j {
                    Job::Event(line, ev) => {
                        let mut convs = Vec::new();
                        convert(ev, &mut convs);
                        to_items(convs, &name, *line, &shape)
                    }
                    Job::Bad(line, raw, reason) => {
                        let (raw, raw_cut) = crate::keep_raw(trim_end(raw).to_vec(), max);
                        vec![Item::Err(Reject {
                            file: name.to_string(),
                            line: *line,
                            field: None,
                            reason: reason.clone(),
                            raw,
                            raw_cut,
                        })]
                    }
                })
                .collect();
            let flat: Vec<Item> = items.into_iter().flatten().collect();
            if !flat.is_empty() {
                sink(flat).map_err(|e| IngestError::Sink(e.to_string()))?;
            }
        }
        drop(jobs);
        lines.consume(&buf, used);
        buf.drain(..used);
        let cut_off =
            |source: std::io::Error, buf: &[u8], lines: &mut LineCounter| IngestError::Read {
                path: name.to_string(),
                line: lines.line_at(buf, 0),
                partial: buf[..buf.len().min(crate::RAW_HEAD)].to_vec(),
                source,
            };
        if let Some(e) = failed {
            return Err(cut_off(e, &buf, &mut lines));
        }
        if eof {
            return Ok(());
        }
        if buf.len() > max {
            // An event that does not end within the line limit: the rest cannot be framed.
            return Err(cut_off(
                std::io::Error::other(format!(
                    "an event runs past the limit of {max} bytes (--max-line-bytes) without ending"
                )),
                &buf,
                &mut lines,
            ));
        }
        // Nothing framed: the event is longer than one read. Read as much again as is held,
        // so that re-framing it from its start costs no more than reading it twice.
        want = if used == 0 {
            buf.len().max(READ_BYTES)
        } else {
            READ_BYTES
        };
    }
}

/// Records (validated like any input line) and skips, from one event's conversion.
fn to_items(
    convs: Vec<Conv>,
    name: &Arc<str>,
    line: u64,
    shape: &kensa_model::fast::Limits,
) -> Vec<Item> {
    convs
        .into_iter()
        .map(|c| match c {
            Conv::Record(json) => parse_line_within(name, line, &json, shape),
            Conv::Skip { reason, unresolved } => Item::Skip(Skip {
                pos: Pos {
                    file: name.clone(),
                    line,
                },
                reason,
                unresolved,
            }),
        })
        .collect()
}

/// A CSV log read through a mapping: each row (by its header's column names) is one event.
pub(crate) fn read_mapped_csv<E: std::fmt::Display>(
    file: &InputFile,
    m: &Mapping,
    who: &Resolver,
    name: Arc<str>,
    limits: &Limits,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    // A row is read whole by the CSV reader: an unclosed quote would make the rest of the
    // file one row. The reader stops such a row at the line limit instead.
    let since_row = Arc::new(AtomicU64::new(0));
    let reader = RowBound {
        inner: crate::open(file, progress)?,
        since_row: since_row.clone(),
        limit: limits.max_line_bytes as u64,
    };
    let shape = limits.shape();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let csv_err = |e: csv::Error| IngestError::Csv {
        path: name.to_string(),
        source: e,
    };
    let hdr = rdr.byte_headers().map_err(csv_err)?.clone();
    if hdr.len() > limits.max_fields || hdr.as_slice().len() > limits.max_line_bytes {
        return Err(IngestError::Header {
            path: name.to_string(),
            reason: format!(
                "the header has {} columns ({} bytes), over --max-fields {} or --max-line-bytes {}",
                hdr.len(),
                hdr.as_slice().len(),
                limits.max_fields,
                limits.max_line_bytes
            ),
        });
    }
    since_row.store(0, Ordering::Relaxed);
    let header: Vec<String> = hdr
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let mut batch: Vec<Item> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    let mut last_line = 1;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                sink(std::mem::take(&mut batch)).map_err(|e| IngestError::Sink(e.to_string()))?;
                // Where reading stopped: the row after the last one read, when the error
                // does not say.
                let line = e.position().map_or(last_line + 1, |p| p.line());
                return Err(IngestError::Read {
                    path: name.to_string(),
                    line,
                    partial: Vec::new(),
                    source: std::io::Error::other(e),
                });
            }
        }
        since_row.store(0, Ordering::Relaxed);
        let line = rec.position().map_or(last_line + 1, |p| p.line());
        last_line = line;
        // The row as CSV text (the reader gives cells; quoting is written as needed).
        let raw = row_text(&rec);
        let reject = |reason: String| {
            let (raw, raw_cut) = crate::keep_raw(raw.clone(), limits.max_line_bytes);
            Item::Err(Reject {
                file: name.to_string(),
                line,
                field: None,
                reason,
                raw,
                raw_cut,
            })
        };
        if rec.len() > header.len() {
            batch.push(reject(format!(
                "{} cells, but the header has {} columns",
                rec.len(),
                header.len()
            )));
        } else if raw.len() > limits.max_line_bytes {
            batch.push(reject(format!(
                "row is {} bytes, over the limit of {} (--max-line-bytes)",
                raw.len(),
                limits.max_line_bytes
            )));
        } else {
            let mut cells = Vec::with_capacity(rec.len());
            let mut bad = None;
            for (h, c) in header.iter().zip(rec.iter()) {
                match std::str::from_utf8(c) {
                    Ok(c) => cells.push((h.clone(), c.to_owned())),
                    Err(_) => bad = Some(h.clone()),
                }
            }
            match bad {
                Some(col) => batch.push(reject(format!("column {col:?} is not UTF-8"))),
                None => {
                    let mut convs = Vec::new();
                    m.convert(&Event::Row(&cells), who, &mut convs);
                    batch.extend(to_items(convs, &name, line, &shape));
                }
            }
        }
        if batch.len() >= crate::BATCH_LINES {
            sink(std::mem::take(&mut batch)).map_err(|e| IngestError::Sink(e.to_string()))?;
        }
    }
    if !batch.is_empty() {
        sink(batch).map_err(|e| IngestError::Sink(e.to_string()))?;
    }
    Ok(())
}

/// Bytes a CSV reader may have read ahead of the row it is on (its buffer is 8 KiB).
const CSV_SLACK: u64 = 64 << 10;

/// A reader that fails once more than `limit` bytes (plus what the CSV reader may read
/// ahead) are read without a row ending (the reader's user sets `since_row` to 0 at each row).
struct RowBound<R> {
    inner: R,
    since_row: Arc<AtomicU64>,
    limit: u64,
}

impl<R: Read> Read for RowBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.since_row.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.limit.saturating_add(CSV_SLACK) {
            return Err(std::io::Error::other(format!(
                "a row runs past the limit of {} bytes (--max-line-bytes) without ending (an unclosed quote?); the rest of the file is not read",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// A CSV row written back as text (cells quoted where they need it).
fn row_text(rec: &csv::ByteRecord) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_byte_record(rec);
    let mut v = w.into_inner().unwrap_or_default();
    if v.last() == Some(&b'\n') {
        v.pop();
    }
    v
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &b[..n]
}

/// What the first events of a JSON file say it is.
pub(crate) enum Sniffed {
    /// Kensa contract records.
    Records,
    /// Not JSON, empty, or objects of mixed kinds: read as JSON Lines, line by line.
    Other,
    Log(kensa_adapt::Format),
    /// JSON objects, none with a Kensa `kind`, in no log format Kensa reads; or a value over
    /// several lines that is not valid JSON (so neither JSON Lines nor a readable log).
    Unknown(String),
}

/// Looks at the first events (up to 1 MiB) of a JSON file.
pub(crate) fn sniff(head: &[u8], complete: bool) -> Sniffed {
    let mut pieces = Vec::new();
    Framer::default().frame_at_most(head, complete, &mut pieces, 20);
    // Nothing but broken values. Their braces and strings may still be in order (a trailing
    // comma, `tru`): then the first one's members say what the file is, and the framer
    // reports each broken event as one reject.
    if let Some(Piece::Bad {
        start,
        end,
        at,
        reason,
    }) = pieces.first()
        && pieces.iter().all(|p| matches!(p, Piece::Bad { .. }))
    {
        if let Some((_, obj)) = kensa_adapt::frame::by_structure(&head[*start..])
            && let Some(f) = kensa_adapt::detect_obj(&obj)
        {
            return Sniffed::Log(f);
        }
        // A broken value over several lines (a pretty-printed event): read line by line it
        // would be a reject per line of its fragments.
        if head[*start..*end].iter().filter(|&&b| b == b'\n').count() > 1 {
            let line = 1 + head[..*start].iter().filter(|&&b| b == b'\n').count();
            let at_line = 1 + head[..*at].iter().filter(|&&b| b == b'\n').count() as u64;
            return Sniffed::Unknown(format!(
                "the JSON value starting at line {line} is not valid ({}); give --format to \
                 read it as a log (the broken event is then one reject)",
                Piece::bad_reason(head, *at, at_line, reason)
            ));
        }
    }
    let evs: Vec<Ev<'_>> = pieces
        .into_iter()
        .take(20)
        // A broken event among good ones does not decide the format.
        .filter_map(events)
        .flatten()
        .collect();
    let Some(first) = evs.first() else {
        return Sniffed::Other;
    };
    let kind_of = |e: &Ev<'_>| {
        e.obj.as_ref().map(|o| {
            o.raw("kind")
                .map(|k| kensa_model::Kind::parse(k.get().trim_matches('"')).is_some())
        })
    };
    if evs.iter().any(|e| kind_of(e) == Some(Some(true))) {
        return Sniffed::Records;
    }
    match kensa_adapt::detect_or_explain(first.obj.as_ref()) {
        Ok(f) => Sniffed::Log(f),
        // Objects without any `kind`: neither records nor a known log.
        Err(e) if evs.iter().all(|e| matches!(kind_of(e), Some(None))) => {
            Sniffed::Unknown(format!("no `kind` field (so not Kensa records) and {e}"))
        }
        Err(_) => Sniffed::Other,
    }
}
