//! Native logs (Okta, Entra ID, Google Workspace, GitHub, OCSF, osquery) read through
//! [`kensa_adapt`]: each event becomes records (validated as any input line is), a skip with
//! its reason, or — when it is not JSON — a reject.

use crate::{IngestError, InputFile, Item, Limits, Pos, Reject, Skip, parse_line_within};
use kensa_adapt::{Conv, Framer, LineCounter, Piece, Resolver, unwrap_page};
use rayon::prelude::*;
use serde_json::value::RawValue;
use std::io::Read;
use std::sync::Arc;

/// Bytes read at a time.
const READ_BYTES: usize = 4 << 20;

/// What one piece of the buffer is, ready for the parallel conversion.
enum Job<'a> {
    Event(u64, &'a RawValue),
    Bad(u64, &'a [u8], String),
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn read_log<E: std::fmt::Display>(
    file: &InputFile,
    format: kensa_adapt::Format,
    name: Arc<str>,
    who: &Resolver,
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
            match p {
                Piece::Value(v) => {
                    for ev in unwrap_page(v) {
                        let line = lines.line_at(&buf, kensa_adapt::frame::offset_in(&buf, ev));
                        jobs.push(Job::Event(line, ev));
                    }
                }
                Piece::Bad { start, end, reason } => {
                    let line = lines.line_at(&buf, start);
                    jobs.push(Job::Bad(line, &buf[start..end], reason));
                }
            }
        }
        let items: Vec<Vec<Item>> = jobs
            .par_iter()
            .map(|j| match j {
                Job::Event(line, ev) => {
                    let mut convs = Vec::new();
                    format.convert(ev, who, &mut convs);
                    convs
                        .into_iter()
                        .map(|c| match c {
                            Conv::Record(json) => parse_line_within(&name, *line, &json, &shape),
                            Conv::Skip { reason, unresolved } => Item::Skip(Skip {
                                pos: Pos {
                                    file: name.clone(),
                                    line: *line,
                                },
                                reason,
                                unresolved,
                            }),
                        })
                        .collect()
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
    /// JSON objects, none with a Kensa `kind`, in no log format Kensa reads.
    Unknown(String),
}

/// Looks at the first events (up to 1 MiB) of a JSON file.
pub(crate) fn sniff(head: &[u8], complete: bool) -> Sniffed {
    let mut pieces = Vec::new();
    Framer::default().frame(head, complete, &mut pieces);
    let mut events: Vec<&RawValue> = Vec::new();
    for p in pieces.iter().take(20) {
        match p {
            Piece::Value(v) => events.extend(unwrap_page(v)),
            // A broken event among good ones does not decide the format.
            Piece::Bad { .. } => {}
        }
    }
    let Some(first) = events.first() else {
        return Sniffed::Other;
    };
    let kind_of = |v: &RawValue| {
        kensa_adapt::Obj::parse(v).map(|o| {
            o.raw("kind")
                .map(|k| kensa_model::Kind::parse(k.get().trim_matches('"')).is_some())
        })
    };
    if events.iter().any(|v| kind_of(v) == Some(Some(true))) {
        return Sniffed::Records;
    }
    match kensa_adapt::detect_or_explain(first) {
        Ok(f) => Sniffed::Log(f),
        // Objects without any `kind`: neither records nor a known log.
        Err(e) if events.iter().all(|v| matches!(kind_of(v), Some(None))) => {
            Sniffed::Unknown(format!("no `kind` field (so not Kensa records) and {e}"))
        }
        Err(_) => Sniffed::Other,
    }
}
