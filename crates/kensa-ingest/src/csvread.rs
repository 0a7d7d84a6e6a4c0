//! CSV input: one file per kind, a header row, nested fields flattened with `.`
//! (`bank.country`), lists joined with `|` (`skills`), lists of objects as JSON in the cell
//! (`education`).
//!
//! Each row is turned into the same JSON object the JSONL form would have, typed by a small
//! table of the spec's numeric, boolean and list fields, and then validated exactly like a JSON
//! line. Unknown columns are kept as strings.

use crate::{Format, IngestError, InputFile, Item, Pos, Reject, open, raw_prefix};
use kensa_model::{Kind, validate_value};
use rayon::prelude::*;
use serde_json::{Map, Number, Value};
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

fn typed_cell(path: &str, raw: &str) -> Value {
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
        Cell::Json => serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned())),
    }
}

/// Builds the JSON object of one row. Empty cells are absent fields.
fn row_to_value(headers: &[String], row: &csv::StringRecord, kind: Option<Kind>) -> Value {
    let mut root = Map::new();
    if let Some(k) = kind {
        root.insert("kind".into(), Value::String(k.as_str().into()));
    }
    for (h, cell) in headers.iter().zip(row.iter()) {
        if cell.is_empty() {
            continue;
        }
        let v = typed_cell(h, cell);
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

pub(crate) fn read_csv<E: std::fmt::Display>(
    file: &InputFile,
    name: Arc<str>,
    sink: &mut dyn FnMut(Vec<Item>) -> Result<(), E>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    debug_assert_eq!(file.format, Format::Csv);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(open(file, progress)?);
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
    let has_kind_column = headers.iter().any(|h| h == "kind");
    let file_kind = if has_kind_column {
        None
    } else {
        kind_from_file_name(&file.path)
    };
    let mut batch: Vec<(u64, Result<csv::StringRecord, String>)> = Vec::new();
    let mut rows = rdr.into_records();
    loop {
        let next = rows.next();
        let done = next.is_none();
        if let Some(r) = next {
            match r {
                Ok(rec) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                    batch.push((line, Ok(rec)));
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    if let csv::ErrorKind::Io(_) = e.kind() {
                        return Err(csv_err(e));
                    }
                    batch.push((line, Err(format!("malformed CSV row: {e}"))));
                }
            }
        }
        if batch.len() >= crate::BATCH_LINES || (done && !batch.is_empty()) {
            let items: Vec<Item> = std::mem::take(&mut batch)
                .into_par_iter()
                .map(|(line, rec)| row_item(&name, &headers, line, rec, has_kind_column, file_kind))
                .collect();
            sink(items).map_err(|e| IngestError::Sink(e.to_string()))?;
        }
        if done {
            return Ok(());
        }
    }
}

fn row_item(
    name: &Arc<str>,
    headers: &[String],
    line: u64,
    rec: Result<csv::StringRecord, String>,
    has_kind_column: bool,
    file_kind: Option<Kind>,
) -> Item {
    let raw =
        |rec: &csv::StringRecord| raw_prefix(rec.iter().collect::<Vec<_>>().join(",").as_bytes());
    let rec = match rec {
        Ok(r) => r,
        Err(reason) => {
            return Item::Err(Reject {
                file: name.to_string(),
                line,
                field: None,
                reason,
                raw: None,
            });
        }
    };
    if !has_kind_column && file_kind.is_none() {
        return Item::Err(Reject {
            file: name.to_string(),
            line,
            field: Some("kind".into()),
            reason: "cannot tell the record kind: add a `kind` column or name the file after the kind (e.g. login.csv)".into(),
            raw: Some(raw(&rec)),
        });
    }
    let value = row_to_value(headers, &rec, file_kind);
    match validate_value(value) {
        Ok(v) => Item::Ok(
            Box::new(v),
            Pos {
                file: name.clone(),
                line,
            },
        ),
        Err(e) => Item::Err(Reject {
            file: name.to_string(),
            line,
            field: e.field,
            reason: e.reason,
            raw: Some(raw(&rec)),
        }),
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
        let row = csv::StringRecord::from(vec!["s1", "resume", "rust|go", "jp", ""]);
        let v = row_to_value(&headers, &row, Some(Kind::Subject));
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
