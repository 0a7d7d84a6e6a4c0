//! CSV input: one file per kind, a header row, nested fields flattened with `.`
//! (`bank.country`), lists joined with `|` (`skills`), lists of objects as JSON in the cell
//! (`education`).
//!
//! Each row is turned into the same JSON object the JSONL form would have, typed by a small
//! table of the spec's numeric, boolean and list fields, and then validated exactly like a JSON
//! line. Unknown columns are kept as strings.

use crate::{Format, IngestError, InputFile, Item, Limits, Pos, Reject, open};
use kensa_model::{Kind, validate_value};
use rayon::prelude::*;
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;
use std::sync::Arc;

/// The kind a CSV file holds when it has no `kind` column: its name (`login.csv`,
/// `logins.csv.gz`, `payout_accounts.csv`).
pub fn kind_from_file_name(path: &std::path::Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let stem = name.split('.').next()?;
    Kind::parse(stem).or_else(|| stem.strip_suffix('s').and_then(Kind::parse))
}

#[derive(Clone, Copy)]
enum Cell {
    Str,
    Num,
    Bool,
    List,
    Json,
}

fn cell_type(path: &str) -> Cell {
    match path {
        "amount" | "rating" | "max_rating" | "bytes" | "hourly_rate.amount" | "rate.amount" => {
            Cell::Num
        }
        "success" | "video_requested" | "camera_on" | "refused" => Cell::Bool,
        "emails"
        | "phones"
        | "urls"
        | "skills"
        | "former_names"
        | "observations"
        | "evidence"
        | "required_hours.days" => Cell::List,
        "education" | "employment" => Cell::Json,
        _ => Cell::Str,
    }
}

fn typed_cell(path: &str, raw: &str, shape: &kensa_model::fast::Limits) -> Value {
    match cell_type(path) {
        Cell::Str => Value::String(raw.to_owned()),
        Cell::Num => {
            if let Ok(i) = raw.trim().parse::<i64>() {
                Value::Number(i.into())
            } else if let Some(n) = raw.trim().parse::<f64>().ok().and_then(Number::from_f64) {
                Value::Number(n)
            } else {
                // Left as a string so that validation names the field and the bad value.
                Value::String(raw.to_owned())
            }
        }
        Cell::Bool => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Bool(true),
            "false" | "0" | "no" => Value::Bool(false),
            _ => Value::String(raw.to_owned()),
        },
        Cell::List => Value::Array(
            raw.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        // Within the limits (the cell sits below its column's levels), or kept as text
        // (validation then names the field).
        Cell::Json => kensa_model::fast::check_shape(
            raw.as_bytes(),
            &kensa_model::fast::Limits {
                max_depth: shape.max_depth.saturating_sub(path.split('.').count()),
                ..*shape
            },
        )
        .ok()
        .and_then(|()| serde_json::from_str(raw).ok())
        .unwrap_or_else(|| Value::String(raw.to_owned())),
    }
}

/// Builds the JSON object of one row. Empty cells are absent fields.
fn row_to_value(
    headers: &[String],
    row: &[&str],
    kind: Option<Kind>,
    shape: &kensa_model::fast::Limits,
) -> Value {
    let mut root = Map::new();
    if let Some(k) = kind {
        root.insert("kind".into(), Value::String(k.as_str().into()));
    }
    for (h, cell) in headers.iter().zip(row.iter().copied()) {
        if cell.is_empty() {
            continue;
        }
        let v = typed_cell(h, cell, shape);
        let mut parts = h.split('.').peekable();
        let mut map = &mut root;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                map.insert(part.to_owned(), v);
                break;
            }
            let entry = map
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            map = entry.as_object_mut().expect("just made an object");
        }
    }
    Value::Object(root)
}

/// Keeps the bytes the CSV parser reads, so that a rejected row is kept exactly as it was in
/// the file. The parser reports where each row starts and ends (`Position::byte`); what is
/// before the current row is dropped as rows are taken.
struct Tape<R> {
    inner: R,
    kept: Rc<RefCell<Kept>>,
    /// Most bytes of one row held at once: past it (an unclosed quote makes the rest of a file
    /// one cell) reading stops with an error instead of holding the rest of the file.
    max_row: usize,
}

#[derive(Default)]
struct Kept {
    /// Input offset of `bytes[0]`.
    base: u64,
    bytes: Vec<u8>,
    /// Newlines before `bytes[0]`.
    lines: u64,
}

impl Kept {
    /// The row read from `start` to `end` (input offsets): the line it starts on (1-based) and
    /// its bytes without the line ends around it. Drops everything before `end`. (Counted here
    /// because the CSV parser's own line numbers are one short in CRLF files.)
    fn take(&mut self, start: u64, end: u64) -> (u64, Vec<u8>) {
        let from = (start.saturating_sub(self.base) as usize).min(self.bytes.len());
        let to = (end.saturating_sub(self.base) as usize).clamp(from, self.bytes.len());
        let span = &self.bytes[from..to];
        let lead = span
            .iter()
            .take_while(|b| **b == b'\n' || **b == b'\r')
            .count();
        let line =
            self.lines + memchr::memchr_iter(b'\n', &self.bytes[..from + lead]).count() as u64 + 1;
        let mut row = span[lead..].to_vec();
        while row.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            row.pop();
        }
        self.lines += memchr::memchr_iter(b'\n', &self.bytes[..to]).count() as u64;
        self.bytes.drain(..to);
        self.base += to as u64;
        (line, row)
    }
}

impl<R: Read> Read for Tape<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.kept.borrow().bytes.len() > self.max_row {
            return Err(std::io::Error::other(format!(
                "a row runs on past {} bytes (--max-line-bytes; an unclosed quote?), so the rest of the file is not read",
                self.max_row
            )));
        }
        let n = self.inner.read(buf)?;
        self.kept.borrow_mut().bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// One row as read: its line, its cells (or why it cannot be used) and its bytes.
struct Row {
    line: u64,
    cells: Result<csv::ByteRecord, String>,
    raw: Vec<u8>,
}

pub(crate) fn read_csv<E: std::fmt::Display>(
    file: &InputFile,
    name: Arc<str>,
    limits: &Limits,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    debug_assert_eq!(file.format, Format::Csv);
    let kept = Rc::new(RefCell::new(Kept::default()));
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(Tape {
        inner: open(file, progress)?,
        kept: kept.clone(),
        // The parser reads ahead in blocks of 8 KiB; a row within the limit always fits.
        max_row: limits.max_line_bytes.saturating_add(64 << 10),
    });
    let csv_err = |source| IngestError::Csv {
        path: name.to_string(),
        source,
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    kept.borrow_mut().take(0, rdr.position().byte());
    check_header(&headers, limits).map_err(|reason| IngestError::Header {
        path: name.to_string(),
        reason,
    })?;
    let has_kind_column = headers.iter().any(|h| h == "kind");
    let file_kind = if has_kind_column {
        None
    } else {
        kind_from_file_name(&file.path)
    };
    let mut batch: Vec<Row> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        let start = rdr.position().byte();
        let got = rdr.read_byte_record(&mut rec);
        let end = rdr.position().byte();
        let (line, raw) = kept.borrow_mut().take(start, end);
        let done = match got {
            Ok(true) => {
                let cells = check_row(&rec, headers.len(), limits, raw.len());
                batch.push(Row {
                    line,
                    cells: cells.map(|()| rec.clone()),
                    raw,
                });
                false
            }
            Ok(false) => true,
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    let source = match e.into_kind() {
                        csv::ErrorKind::Io(io) => io,
                        _ => unreachable!("matched above"),
                    };
                    // The rows before the failure still count: hand them on, then report.
                    flush(
                        &name,
                        &headers,
                        has_kind_column,
                        file_kind,
                        limits,
                        &mut batch,
                        sink,
                    )?;
                    return Err(IngestError::Read {
                        path: name.to_string(),
                        line,
                        partial: raw,
                        source,
                    });
                }
                batch.push(Row {
                    line,
                    cells: Err(format!("malformed CSV row: {e}")),
                    raw,
                });
                false
            }
        };
        if batch.len() >= crate::BATCH_LINES || done {
            flush(
                &name,
                &headers,
                has_kind_column,
                file_kind,
                limits,
                &mut batch,
                sink,
            )?;
        }
        if done {
            return Ok(());
        }
    }
}

/// A header within the limits: not more columns than `max_fields`, and no dotted column that
/// nests deeper than `max_depth` (`a.b.c` puts a value at level 3 of the record).
fn check_header(headers: &[String], limits: &Limits) -> Result<(), String> {
    if headers.len() > limits.max_fields {
        return Err(format!(
            "the header has {} columns, over the limit of {} (--max-fields)",
            headers.len(),
            limits.max_fields
        ));
    }
    for (i, h) in headers.iter().enumerate() {
        let levels = h.split('.').count();
        // A JSON cell (`education`) adds its own levels, checked per cell.
        if levels > limits.max_depth {
            return Err(format!(
                "column {} nests {levels} levels deep, over the limit of {} (--max-depth)",
                i + 1,
                limits.max_depth
            ));
        }
    }
    Ok(())
}

/// Why a row cannot be used before looking at its values: more cells than the header names,
/// or over a limit.
fn check_row(
    rec: &csv::ByteRecord,
    columns: usize,
    limits: &Limits,
    raw_len: usize,
) -> Result<(), String> {
    if raw_len > limits.max_line_bytes {
        return Err(format!(
            "row is {raw_len} bytes, over the limit of {} (--max-line-bytes)",
            limits.max_line_bytes
        ));
    }
    if rec.len() > limits.max_fields {
        return Err(format!(
            "row has {} cells, over the limit of {} (--max-fields)",
            rec.len(),
            limits.max_fields
        ));
    }
    if rec.len() > columns {
        return Err(format!(
            "row has {} cells but the header names {columns} columns: the extra cells would be lost (quote a cell that contains a comma)",
            rec.len()
        ));
    }
    Ok(())
}

fn flush<E: std::fmt::Display>(
    name: &Arc<str>,
    headers: &[String],
    has_kind_column: bool,
    file_kind: Option<Kind>,
    limits: &Limits,
    batch: &mut Vec<Row>,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
) -> Result<(), IngestError> {
    if batch.is_empty() {
        return Ok(());
    }
    let items: Vec<Item> = std::mem::take(batch)
        .into_par_iter()
        .map(|row| row_item(name, headers, row, has_kind_column, file_kind, limits))
        .collect();
    sink(items).map_err(|e| IngestError::Sink(e.to_string()))
}

fn row_item(
    name: &Arc<str>,
    headers: &[String],
    row: Row,
    has_kind_column: bool,
    file_kind: Option<Kind>,
    limits: &Limits,
) -> Item {
    let shape = &limits.shape();
    let max_line = limits.max_line_bytes;
    let Row { line, cells, raw } = row;
    let reject = |field: Option<String>, reason: String, raw: Vec<u8>| {
        let (raw, raw_cut) = crate::keep_raw(raw, max_line);
        Item::Err(Reject {
            file: name.to_string(),
            line,
            field,
            reason,
            raw,
            raw_cut,
        })
    };
    let rec = match cells {
        Ok(r) => r,
        Err(reason) => return reject(None, reason, raw),
    };
    let mut text: Vec<&str> = Vec::with_capacity(rec.len());
    for (i, cell) in rec.iter().enumerate() {
        match std::str::from_utf8(cell) {
            Ok(t) => text.push(t),
            Err(_) => {
                let column = headers.get(i).cloned();
                return reject(
                    column.clone(),
                    format!(
                        "cell {} ({}) is not valid UTF-8 (save the file as UTF-8)",
                        i + 1,
                        column.as_deref().unwrap_or("no column")
                    ),
                    raw,
                );
            }
        }
    }
    if !has_kind_column && file_kind.is_none() {
        return reject(
            Some("kind".into()),
            "cannot tell the record kind: add a `kind` column or name the file after the kind (e.g. login.csv)".into(),
            raw,
        );
    }
    let value = row_to_value(headers, &text, file_kind, shape);
    match validate_value(value) {
        Ok(v) => Item::Ok(
            Box::new(v),
            Pos {
                file: name.clone(),
                line,
            },
        ),
        Err(e) => reject(e.field, e.reason, raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_columns_nest_and_lists_split() {
        let headers: Vec<String> = ["subject_id", "source", "skills", "address.country", "x"]
            .map(String::from)
            .to_vec();
        let row = ["s1", "resume", "rust|go", "jp", ""];
        let v = row_to_value(
            &headers,
            &row,
            Some(Kind::Subject),
            &kensa_model::fast::Limits::default(),
        );
        assert_eq!(
            v,
            serde_json::json!({"kind":"subject","subject_id":"s1","source":"resume","skills":["rust","go"],"address":{"country":"jp"}})
        );
    }

    #[test]
    fn kind_from_names() {
        use std::path::Path;
        assert_eq!(
            kind_from_file_name(Path::new("a/logins.csv")),
            Some(Kind::Login)
        );
        assert_eq!(
            kind_from_file_name(Path::new("payout_account.csv.gz")),
            Some(Kind::PayoutAccount)
        );
        assert_eq!(kind_from_file_name(Path::new("stuff.csv")), None);
    }
}
