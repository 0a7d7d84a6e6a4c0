//! Native logs (Okta, Entra ID, Google Workspace, GitHub, OCSF, osquery) read through
//! [`kensa_adapt`]: each event becomes records (validated as any input line is), a skip with
//! its reason, or — when it is not JSON — a reject.

use crate::{IngestError, InputFile, Item, Limits, Pos, Reject, Skip, parse_line_within};
use kensa_adapt::mapping::Event;
use kensa_adapt::{Conv, Ev, Framer, LineCounter, Mapping, Piece, Resolver, events};
use rayon::prelude::*;
use std::io::Read;
use std::sync::Arc;

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
    let mut framer = Framer::default();
    let mut lines = LineCounter::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    while !eof {
        // Fill: at least READ_BYTES more, unless the input ends.
        let start = buf.len();
        buf.resize(start + READ_BYTES, 0);
        let mut filled = start;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    buf.truncate(filled);
                    let line = lines.line_at(&buf, buf.len());
                    return Err(IngestError::Read {
                        path: name.to_string(),
                        line,
                        partial: buf[..buf.len().min(crate::RAW_HEAD)].to_vec(),
                        source: e,
                    });
                }
            }
        }
        buf.truncate(filled);
        let mut pieces = Vec::new();
        let used = framer.frame(&buf, eof, &mut pieces);
        if used == 0 && !eof && buf.len() > limits.max_line_bytes {
            // One event larger than the line limit: the rest of the file cannot be framed.
            let line = lines.line_at(&buf, 0);
            let reject = Reject {
                file: name.to_string(),
                line,
                field: None,
                reason: format!(
                    "an event longer than --max-line-bytes ({} bytes); the rest of the file was not read",
                    limits.max_line_bytes
                ),
                raw: buf[..crate::RAW_HEAD.min(buf.len())].to_vec(),
                raw_cut: None,
            };
            sink(vec![Item::Err(reject)]).map_err(|e| IngestError::Sink(e.to_string()))?;
            return Ok(());
        }
        let mut jobs = Vec::with_capacity(pieces.len());
        for p in pieces {
            if let Piece::Bad { start, end, reason } = p {
                let line = lines.line_at(&buf, start);
                jobs.push(Job::Bad(line, &buf[start..end], reason));
                continue;
            }
            for ev in events(p).unwrap_or_default() {
                let line = lines.line_at(&buf, kensa_adapt::frame::offset_in(&buf, ev.text));
                jobs.push(Job::Event(line, ev));
            }
        }
        let items: Vec<Vec<Item>> = jobs
            .par_iter()
            .map(|j| match j {
                Job::Event(line, ev) => {
                    let mut convs = Vec::new();
                    convert(ev, &mut convs);
                    to_items(convs, &name, *line, &shape)
                }
                Job::Bad(line, raw, reason) => vec![Item::Err(Reject {
                    file: name.to_string(),
                    line: *line,
                    field: None,
                    reason: reason.clone(),
                    raw: trim_end(raw).to_vec(),
                    raw_cut: None,
                })],
            })
            .collect();
        drop(jobs);
        let flat: Vec<Item> = items.into_iter().flatten().collect();
        if !flat.is_empty() {
            sink(flat).map_err(|e| IngestError::Sink(e.to_string()))?;
        }
        lines.consume(&buf, used);
        buf.drain(..used);
    }
    Ok(())
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
    let reader = crate::open(file, progress)?;
    let shape = limits.shape();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let csv_err = |e: csv::Error| IngestError::Csv {
        path: name.to_string(),
        source: e,
    };
    let header: Vec<String> = rdr
        .byte_headers()
        .map_err(csv_err)?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let mut batch: Vec<Item> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                sink(std::mem::take(&mut batch)).map_err(|e| IngestError::Sink(e.to_string()))?;
                return Err(csv_err(e));
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        let raw = rec.as_slice().to_vec();
        let reject = |reason: String| {
            Item::Err(Reject {
                file: name.to_string(),
                line,
                field: None,
                reason,
                raw: raw.clone(),
                raw_cut: None,
            })
        };
        if rec.len() > header.len() {
            batch.push(reject(format!(
                "{} cells, but the header has {} columns",
                rec.len(),
                header.len()
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
    Framer::default().frame(head, complete, &mut pieces);
    // Nothing but broken values. Their braces and strings may still be in order (a trailing
    // comma, `tru`): then the first one's members say what the file is, and the framer
    // reports each broken event as one reject.
    if let Some(Piece::Bad { start, end, reason }) = pieces.first()
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
            return Sniffed::Unknown(format!(
                "a JSON value starting at line {line} is not valid ({reason}); give --format to \
                 read it as a log (the broken event is then one reject)"
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
