//! A declarative mapping for any JSON or CSV log that has no adapter of its own: a small
//! TOML file that names, for each field of the record to make, where its value comes from.
//!
//! ```toml
//! kind = "login"                 # the record kind to make (one per mapping)
//! source = "acme-vpn"            # written to the record's `source`
//!
//! [[filter]]                     # keep only events that pass every filter
//! path = "event"
//! equals = ["connect", "auth_failed"]
//!
//! [fields]
//! subject_id = { path = "user.email", resolve = true }  # through --identities / known e-mails
//! at         = { path = "ts", time = "%d/%m/%Y %H:%M:%S", timezone = "Asia/Tokyo" }
//! ip         = { path = "client.addr" }
//! success    = { path = "event", map = { connect = true, auth_failed = false } }
//! method     = { value = "vpn" }
//! ```
//!
//! A field's value is `path` (dotted, or a JSON pointer starting with `/`; for CSV the
//! column name) or a constant `value`, then optionally: `time` (a `strftime` format, or
//! `auto`, `rfc3339`, `unix`, `unix_ms`; times without an offset are read in `timezone`,
//! default UTC), `lower` (lower-case it), `split` (a separator: the value becomes a list),
//! `map` (a table from the text to what to write), `type` (`string`, `number`, `bool`),
//! `default` (when the path is missing), `resolve` (for `subject_id`: resolve the identity as
//! adapters do). Output names may be dotted (`address.city`) to build nested objects. An
//! event whose required field is missing is skipped with the field's name; nothing is
//! dropped without a reason.

use crate::obj::Obj;
use crate::out::parse_time;
use crate::{Conv, Resolver, Unresolved};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A mapping file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct MappingFileError {
    pub path: String,
    pub reason: String,
}

/// A mapping, parsed and checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The kind of record made (`login`, `activity`, `subject`, ...).
    pub kind: String,
    /// The record's `source` (default: the mapping file's name).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub filter: Vec<Filter>,
    pub fields: BTreeMap<String, Field>,
    /// Keep the original event in the record's `event` (default true).
    #[serde(default = "yes")]
    pub keep_event: bool,
}

fn yes() -> bool {
    true
}

/// Keeps an event when the value at `path` passes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub path: String,
    /// The value (as text) is one of these.
    #[serde(default)]
    pub equals: Option<Vec<String>>,
    /// The value (as text) is none of these (a missing value passes).
    #[serde(default)]
    pub not_equals: Option<Vec<String>>,
    /// The path is present (true) or absent (false).
    #[serde(default)]
    pub exists: Option<bool>,
}

/// Where one output field's value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub value: Option<toml::Value>,
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub lower: bool,
    #[serde(default)]
    pub split: Option<String>,
    #[serde(default)]
    pub map: Option<BTreeMap<String, toml::Value>>,
    #[serde(default, rename = "type")]
    pub ty: Option<String>,
    #[serde(default)]
    pub default: Option<toml::Value>,
    #[serde(default)]
    pub resolve: bool,
}

/// What an input event is to a mapping: a JSON value, or a CSV row by column.
pub enum Event<'a> {
    /// An event as the framer found it (see [`crate::events`]).
    Json(&'a crate::Ev<'a>),
    Row(&'a [(String, String)]),
}

impl Mapping {
    /// Parses and checks a mapping (`name` is used in errors and as the default `source`).
    pub fn parse(text: &str, name: &str) -> Result<Mapping, MappingFileError> {
        let err = |reason: String| MappingFileError {
            path: name.to_owned(),
            reason,
        };
        let mut m: Mapping = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if kensa_kinds().all(|k| k != m.kind) {
            return Err(err(format!(
                "kind {:?} is not a Kensa record kind (expected one of {})",
                m.kind,
                kensa_kinds().collect::<Vec<_>>().join(", ")
            )));
        }
        if !m.fields.contains_key("subject_id") {
            return Err(err("[fields] needs subject_id".into()));
        }
        for (name, f) in &m.fields {
            let ferr = |r: &str| err(format!("[fields] {name}: {r}"));
            match (&f.path, &f.value) {
                (None, None) => return Err(ferr("needs `path` or `value`")),
                (Some(_), Some(_)) => return Err(ferr("has both `path` and `value`")),
                _ => {}
            }
            if let Some(tz) = &f.timezone {
                jiff::tz::TimeZone::get(tz).map_err(|e| ferr(&format!("timezone {tz:?}: {e}")))?;
            }
            if let Some(t) = &f.ty
                && !matches!(t.as_str(), "string" | "number" | "bool")
            {
                return Err(ferr("`type` must be string, number or bool"));
            }
            if let Some(t) = &f.time
                && !matches!(t.as_str(), "auto" | "rfc3339" | "unix" | "unix_ms")
                && !t.contains('%')
            {
                return Err(ferr(&format!(
                    "time {t:?}: expected a strftime format (with %), auto, rfc3339, unix or unix_ms"
                )));
            }
            if f.resolve && name != "subject_id" {
                return Err(ferr("`resolve` is only for subject_id"));
            }
            if name.split('.').any(str::is_empty) {
                return Err(ferr("empty part in the field name"));
            }
        }
        for f in &m.filter {
            let n = [
                f.equals.is_some(),
                f.not_equals.is_some(),
                f.exists.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            if n != 1 {
                return Err(err(format!(
                    "[[filter]] {}: needs exactly one of equals, not_equals, exists",
                    f.path
                )));
            }
        }
        if m.source.is_none() {
            m.source = Some(
                std::path::Path::new(name)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("mapping")
                    .to_owned(),
            );
        }
        Ok(m)
    }

    /// Reads and parses a mapping file.
    pub fn load(path: &std::path::Path) -> Result<Mapping, MappingFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| MappingFileError {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Mapping::parse(&text, &path.display().to_string())
    }

    /// Converts one event.
    pub fn convert(&self, ev: &Event<'_>, who: &Resolver, out: &mut Vec<Conv>) {
        let obj = match ev {
            Event::Json(e) => match &e.obj {
                Some(o) => Some(o),
                None => return out.push(Conv::skip("not a JSON object")),
            },
            Event::Row(_) => None,
        };
        let get = |path: &str| -> Option<Value> {
            match (ev, &obj) {
                (Event::Row(cells), _) => cells
                    .iter()
                    .find(|(k, _)| k == path)
                    .map(|(_, v)| v.trim())
                    .filter(|v| !v.is_empty())
                    .map(|v| Value::String(v.to_owned())),
                (Event::Json(_), Some(o)) => lookup(o, path),
                _ => None,
            }
        };
        for f in &self.filter {
            let found = get(&f.path);
            let v = found.as_ref().and_then(text);
            let pass = if let Some(eq) = &f.equals {
                v.is_some_and(|v| eq.contains(&v))
            } else if let Some(ne) = &f.not_equals {
                !v.is_some_and(|v| ne.contains(&v))
            } else {
                // Any value counts, objects and lists too.
                f.exists == Some(found.is_some())
            };
            if !pass {
                return out.push(Conv::skip(format!("filtered out by {}", f.path)));
            }
        }
        let mut rec = Map::new();
        rec.insert("kind".into(), Value::String(self.kind.clone()));
        let mut identity = None;
        for (name, f) in &self.fields {
            let v = match (&f.path, &f.value) {
                (Some(p), _) => get(p),
                (None, Some(c)) => Some(toml_to_json(c)),
                (None, None) => None,
            };
            let v = match v.or_else(|| f.default.as_ref().map(toml_to_json)) {
                Some(v) => v,
                None => continue,
            };
            let v = match shape(f, v) {
                Ok(v) => v,
                Err(why) => return out.push(Conv::skip(format!("field {name}: {why}"))),
            };
            let v = if name == "subject_id" {
                let Some(id) = text(&v) else {
                    return out.push(Conv::skip("field subject_id: not text"));
                };
                identity = Some(id.clone());
                if f.resolve {
                    match who.resolve([id.as_str()]) {
                        Some(s) => Value::String(s.to_owned()),
                        None if who.unresolved == Unresolved::Keep => {
                            Value::String(id.trim().to_ascii_lowercase())
                        }
                        None => {
                            return out.push(Conv::Skip {
                                reason: "the user resolves to no subject".into(),
                                unresolved: Some(id),
                            });
                        }
                    }
                } else {
                    Value::String(id)
                }
            } else {
                v
            };
            insert(&mut rec, name, v);
        }
        if !rec.contains_key("subject_id") {
            return out.push(Conv::skip("field subject_id: missing"));
        }
        if !rec.contains_key("source") {
            rec.insert(
                "source".into(),
                Value::String(self.source.clone().unwrap_or_default()),
            );
        }
        if let Some(id) = identity {
            rec.entry("log_identity").or_insert(Value::String(id));
        }
        // The event is kept as it was: JSON events by their text (spliced in below, so that
        // nothing of them is lost to re-parsing), CSV rows as an object of their cells.
        let mut splice = None;
        if self.keep_event && !rec.contains_key("event") {
            match ev {
                Event::Json(e) => splice = Some(e.text),
                Event::Row(cells) => {
                    rec.insert(
                        "event".into(),
                        Value::Object(
                            cells
                                .iter()
                                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                                .collect(),
                        ),
                    );
                }
            }
        }
        let mut json = serde_json::to_vec(&Value::Object(rec)).expect("a JSON value serialises");
        if let Some(text) = splice {
            json.pop();
            json.extend_from_slice(b",\"event\":");
            json.extend_from_slice(text.as_bytes());
            json.push(b'}');
        }
        out.push(Conv::Record(json));
    }
}

/// The record kinds of the contract (the model's list).
fn kensa_kinds() -> impl Iterator<Item = &'static str> {
    kensa_model::Kind::ALL
        .into_iter()
        .map(kensa_model::Kind::as_str)
}

/// The value at a dotted path or JSON pointer.
fn lookup(o: &Obj<'_>, path: &str) -> Option<Value> {
    let raw = if let Some(ptr) = path.strip_prefix('/') {
        let mut parts = ptr
            .split('/')
            .map(|p| p.replace("~1", "/").replace("~0", "~"));
        let first = parts.next()?;
        let mut cur = o.raw(&first)?;
        for p in parts {
            cur = if cur.get().starts_with('[') {
                *crate::obj::array(cur).get(p.parse::<usize>().ok()?)?
            } else {
                Obj::parse(cur)?.raw(&p)?
            };
        }
        cur
    } else {
        o.raw_at(path)?
    };
    if raw.get() == "null" {
        return None;
    }
    serde_json::from_str(raw.get()).ok()
}

/// A scalar as text (strings as they are, numbers and booleans written out).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Applies a field's transformations.
fn shape(f: &Field, v: Value) -> Result<Value, String> {
    let mut v = v;
    if f.lower
        && let Value::String(s) = &v
    {
        v = Value::String(s.to_lowercase());
    }
    if let Some(map) = &f.map {
        let key = text(&v).ok_or("`map` needs a scalar")?;
        v = match map.get(&key) {
            Some(to) => toml_to_json(to),
            None => return Err(format!("{key:?} is not in `map`")),
        };
    }
    if let Some(fmt) = &f.time {
        v = Value::String(time(&v, fmt, f.timezone.as_deref())?);
    }
    if let Some(sep) = &f.split {
        let s = text(&v).ok_or("`split` needs text")?;
        v = Value::Array(
            s.split(sep.as_str())
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
        );
    }
    if let Some(t) = &f.ty {
        v = match (t.as_str(), &v) {
            ("string", _) => Value::String(text(&v).ok_or("not a scalar")?),
            ("number", Value::Number(_)) => v,
            ("number", _) => {
                let s = text(&v).ok_or("not a number")?;
                let n: f64 = s
                    .trim()
                    .parse()
                    .map_err(|_| format!("{s:?} is not a number"))?;
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or_else(|| format!("{s:?} is not a finite number"))?
            }
            ("bool", Value::Bool(_)) => v,
            ("bool", _) => match text(&v).map(|s| s.to_ascii_lowercase()).as_deref() {
                Some("true" | "1" | "yes" | "y") => Value::Bool(true),
                Some("false" | "0" | "no" | "n") => Value::Bool(false),
                _ => return Err(format!("{v} is not a boolean")),
            },
            _ => v,
        };
    }
    Ok(v)
}

/// A time in `fmt` to RFC 3339 UTC.
fn time(v: &Value, fmt: &str, tz: Option<&str>) -> Result<String, String> {
    let zone = match tz {
        Some(t) => jiff::tz::TimeZone::get(t).map_err(|e| e.to_string())?,
        None => jiff::tz::TimeZone::UTC,
    };
    let s = text(v).ok_or("a time must be text or a number")?;
    let ts = match fmt {
        "auto" | "rfc3339" | "unix" | "unix_ms" => {
            let raw = serde_json::to_string(v).map_err(|e| e.to_string())?;
            let raw = crate::obj::Raw::new(&raw);
            match fmt {
                "unix" => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(|n| jiff::Timestamp::from_millisecond((n * 1e3) as i64).ok()),
                "unix_ms" => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(|n| jiff::Timestamp::from_millisecond(n as i64).ok()),
                "rfc3339" => s.trim().parse::<jiff::Timestamp>().ok(),
                _ => local(&s, &zone).or_else(|| parse_time(raw)),
            }
        }
        _ => {
            let tm = jiff::fmt::strtime::parse(fmt, s.trim()).map_err(|e| format!("{s:?}: {e}"))?;
            match tm.to_timestamp() {
                Ok(t) => Some(t),
                Err(_) => {
                    let dt = tm.to_datetime().map_err(|e| format!("{s:?}: {e}"))?;
                    dt.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
                }
            }
        }
    };
    ts.map(|t| t.to_string())
        .ok_or_else(|| format!("{s:?} is not a time in {fmt}"))
}

/// A local time without an offset, in `zone` (for `auto`/`rfc3339` with a `timezone`).
fn local(s: &str, zone: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
    if s.parse::<jiff::Timestamp>().is_ok() || *zone == jiff::tz::TimeZone::UTC {
        return None;
    }
    let dt: jiff::civil::DateTime = s.trim().replacen(' ', "T", 1).parse().ok()?;
    dt.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::Number((*i).into()),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Inserts `v` at a dotted name, making the objects on the way.
fn insert(rec: &mut Map<String, Value>, name: &str, v: Value) {
    match name.split_once('.') {
        None => {
            rec.insert(name.to_owned(), v);
        }
        Some((head, rest)) => {
            let e = rec
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !e.is_object() {
                *e = Value::Object(Map::new());
            }
            if let Value::Object(m) = e {
                insert(m, rest, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VPN: &str = r#"
kind = "login"
source = "acme-vpn"
[[filter]]
path = "event"
equals = ["connect", "auth_failed"]
[fields]
subject_id = { path = "user.email", resolve = true }
at = { path = "ts", time = "%d/%m/%Y %H:%M:%S", timezone = "Asia/Tokyo" }
ip = { path = "/client/addr" }
success = { path = "event", map = { connect = true, auth_failed = false } }
method = { value = "vpn" }
"#;

    fn run(m: &Mapping, ev: &str, who: &Resolver) -> Vec<Conv> {
        let raw: &serde_json::value::RawValue = serde_json::from_str(ev).unwrap();
        let ev = crate::Ev {
            text: raw.get(),
            obj: Obj::parse_str(raw.get()).ok(),
        };
        let mut out = Vec::new();
        m.convert(&Event::Json(&ev), who, &mut out);
        out
    }

    #[test]
    fn a_vpn_log_becomes_logins() {
        let m = Mapping::parse(VPN, "vpn.toml").unwrap();
        let mut who = Resolver::new(Unresolved::Skip);
        who.add_subject("s-1", ["kim@example.com"]);
        let out = run(
            &m,
            r#"{"ts":"05/01/2026 18:00:00","event":"connect","user":{"email":"KIM@example.com"},"client":{"addr":"81.2.69.144"}}"#,
            &who,
        );
        let Conv::Record(j) = &out[0] else {
            panic!("{out:?}")
        };
        let v: Value = serde_json::from_slice(j).unwrap();
        assert_eq!(v["subject_id"], "s-1");
        assert_eq!(v["at"], "2026-01-05T09:00:00Z");
        assert_eq!(v["ip"], "81.2.69.144");
        assert_eq!(v["success"], true);
        assert_eq!(v["method"], "vpn");
        assert_eq!(v["source"], "acme-vpn");
        assert_eq!(v["event"]["event"], "connect");
        let out = run(
            &m,
            r#"{"ts":"05/01/2026 18:00:00","event":"disconnect","user":{"email":"kim@example.com"}}"#,
            &who,
        );
        assert!(matches!(&out[0], Conv::Skip { reason, .. } if reason == "filtered out by event"));
        let out = run(
            &m,
            r#"{"ts":"05/01/2026 18:00:00","event":"connect","user":{"email":"bob@example.com"}}"#,
            &who,
        );
        assert!(
            matches!(&out[0], Conv::Skip { unresolved: Some(u), .. } if u == "bob@example.com")
        );
        let out = run(
            &m,
            r#"{"ts":"yesterday","event":"connect","user":{"email":"kim@example.com"}}"#,
            &who,
        );
        assert!(
            matches!(&out[0], Conv::Skip { reason, .. } if reason.starts_with("field at:")),
            "{out:?}"
        );
    }

    #[test]
    fn an_hr_export_row_becomes_a_subject() {
        let m = Mapping::parse(
            r#"
kind = "subject"
source = "hr_system"
[fields]
subject_id = { path = "Employee ID" }
display_name = { path = "Name" }
emails = { path = "E-mail", split = ";", lower = true }
claimed_country = { path = "Country" }
"address.city" = { path = "City" }
"hourly_rate.amount" = { path = "Rate", type = "number" }
"hourly_rate.currency" = { value = "USD" }
"#,
            "hr.toml",
        )
        .unwrap();
        let row: Vec<(String, String)> = [
            ("Employee ID", "E-100"),
            ("Name", "Kevin Park"),
            ("E-mail", "Kevin.Park@example.com; kp@example.org"),
            ("Country", "US"),
            ("City", "Seattle"),
            ("Rate", "35.5"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let mut out = Vec::new();
        m.convert(&Event::Row(&row), &Resolver::default(), &mut out);
        let Conv::Record(j) = &out[0] else {
            panic!("{out:?}")
        };
        let v: Value = serde_json::from_slice(j).unwrap();
        assert_eq!(v["subject_id"], "E-100");
        assert_eq!(
            v["emails"],
            serde_json::json!(["kevin.park@example.com", "kp@example.org"])
        );
        assert_eq!(v["address"]["city"], "Seattle");
        assert_eq!(v["hourly_rate"]["amount"], 35.5);
        assert_eq!(v["source"], "hr_system");
    }

    #[test]
    fn bad_mappings_say_what_is_wrong() {
        for (text, want) in [
            (
                "kind = \"logins\"\n[fields]\nsubject_id = { path = \"u\" }",
                "not a Kensa record kind",
            ),
            (
                "kind = \"login\"\n[fields]\nat = { path = \"t\" }",
                "needs subject_id",
            ),
            (
                "kind = \"login\"\n[fields]\nsubject_id = { }",
                "needs `path` or `value`",
            ),
            (
                "kind = \"login\"\n[fields]\nsubject_id = { path = \"u\", timezone = \"Mars/Base\" }",
                "timezone",
            ),
            (
                "kind = \"login\"\n[fields]\nsubject_id = { path = \"u\", colour = 1 }",
                "unknown field",
            ),
            (
                "kind = \"login\"\n[[filter]]\npath = \"x\"\n[fields]\nsubject_id = { path = \"u\" }",
                "exactly one",
            ),
            (
                "kind = \"login\"\n[fields]\nsubject_id = { path = \"u\" }\nat = { path = \"t\", time = \"unixms\" }",
                "strftime",
            ),
        ] {
            let e = Mapping::parse(text, "m.toml").unwrap_err().to_string();
            assert!(e.starts_with("m.toml: ") && e.contains(want), "{e}");
        }
    }
}
