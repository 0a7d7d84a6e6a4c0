//! osquery results (the `filesystem` / `tls` logger output of scheduled queries), in all
//! three forms: event (`columns` + `action` `added`/`removed`), snapshot (`snapshot`: a
//! list of rows) and batch (`diffResults`: `added` and `removed` lists).
//!
//! Each row present on the machine becomes an `endpoint` record:
//!
//! | query (by name, or by its columns) | `observation` | `name` | `detail` |
//! |---|---|---|---|
//! | `usb_devices` | `usb_device` | vendor and model (`PiKVM Composite Device`) | USB ids, serial |
//! | `processes` | `process` | process name | path and command line |
//! | `programs`, `apps`, `deb_packages`, ... | `installed_program` | program name | version, publisher |
//! | `listening_ports` | `listening_port` | the process or path behind the port | port, protocol, address |
//! | anything else | the query name | the row's `name` (or the query name) | the row |
//!
//! Who: the host's user or e-mail from `decorations` (`username`, `user`, `email`,
//! `console_user`), then the host (`hostIdentifier`, `hostname`, hardware serial) — map
//! hosts and serials to subjects with a mapping file. Removed rows are skipped.

use crate::Cx;
use crate::obj::Obj;
use crate::obj::Raw;
use crate::out::parse_time;
use std::borrow::Cow;

pub(crate) fn detect(o: &Obj<'_>) -> bool {
    o.has("hostIdentifier")
        && o.has("name")
        && (o.has("columns") || o.has("snapshot") || o.has("diffResults"))
}

#[derive(Clone, Copy)]
enum Query {
    Usb,
    Process,
    Program,
    Port,
    Other,
}

fn query(name: &str, row: &Obj<'_>) -> Query {
    let n = name.to_ascii_lowercase();
    if n.contains("usb") || (row.has("vendor_id") && row.has("model_id")) {
        Query::Usb
    } else if n.contains("listening") || (row.has("port") && row.has("protocol")) {
        Query::Port
    } else if n.contains("process") || (row.has("cmdline") && row.has("pid")) {
        Query::Process
    } else if ["program", "apps", "package", "software"]
        .iter()
        .any(|p| n.contains(p))
    {
        Query::Program
    } else {
        Query::Other
    }
}

pub(crate) fn convert(o: &Obj<'_>, cx: &mut Cx<'_, '_>) {
    let Some(at) = o
        .raw("unixTime")
        .and_then(parse_time)
        .or_else(|| o.raw("calendarTime").and_then(|c| calendar(c.get())))
    else {
        return cx.skip("no readable `unixTime`");
    };
    let name = o.str("name").unwrap_or(Cow::Borrowed("query"));
    let mut rows: Vec<Raw<'_>> = Vec::new();
    let mut removed = 0usize;
    if let Some(c) = o.raw("columns") {
        if o.str("action").as_deref() == Some("removed") {
            removed += 1;
        } else {
            rows.push(c);
        }
    }
    rows.extend(o.arr("snapshot"));
    if let Some(d) = o.obj("diffResults") {
        rows.extend(d.arr("added"));
        removed += d.arr("removed").len();
    }
    for _ in 0..removed {
        cx.skip("osquery row removed (no longer on the machine)");
    }
    if rows.is_empty() && removed == 0 {
        return cx.skip("osquery result without rows");
    }
    let deco = o.obj("decorations");
    let d = |k: &str| deco.as_ref().and_then(|d| d.str(k));
    let ids = [
        d("email"),
        d("username"),
        d("user"),
        d("console_user"),
        o.str("hostIdentifier"),
        d("hostname"),
        d("hardware_serial"),
        d("serial"),
    ];
    let device = o.str("hostIdentifier");
    for raw in rows {
        let Some(row) = Obj::parse(raw) else {
            cx.skip("osquery row that is not an object");
            continue;
        };
        let Some(who) = cx.who(&ids) else { continue };
        let q = query(&name, &row);
        let mut r = cx.new_out("endpoint", who, at);
        r.event = raw.get();
        r.device_id = device.clone();
        r.event_type = Some(name.clone());
        let kv = |keys: &[&str]| -> Option<String> {
            let parts: Vec<String> = keys
                .iter()
                .filter_map(|k| row.text(k).map(|v| format!("{k}={v}")))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        };
        match q {
            Query::Usb => {
                r.observation = Some(Cow::Borrowed("usb_device"));
                let vendor = row.str("vendor").unwrap_or_default();
                let model = row.str("model").unwrap_or_default();
                // "PiKVM" + "PiKVM Composite Device": the vendor once.
                let both = if !vendor.is_empty()
                    && model.to_lowercase().starts_with(&vendor.to_lowercase())
                {
                    model.trim().to_owned()
                } else {
                    format!("{vendor} {model}").trim().to_owned()
                };
                if both.is_empty() {
                    r.name = Some(Cow::Borrowed("unnamed USB device"));
                } else {
                    r.name = Some(Cow::Owned(both));
                }
                r.detail = kv(&["vendor_id", "model_id", "serial", "type", "removable"]);
            }
            Query::Process => {
                r.observation = Some(Cow::Borrowed("process"));
                r.name = row.str("name").or_else(|| row.str("path"));
                r.detail = kv(&["path", "cmdline", "pid"]);
            }
            Query::Program => {
                r.observation = Some(Cow::Borrowed("installed_program"));
                r.name = row.str("name").or_else(|| row.str("display_name"));
                r.detail = kv(&[
                    "version",
                    "publisher",
                    "vendor",
                    "install_location",
                    "bundle_identifier",
                ]);
            }
            Query::Port => {
                r.observation = Some(Cow::Borrowed("listening_port"));
                r.name = row
                    .str("name")
                    .or_else(|| row.str("path"))
                    .or_else(|| row.text("port").map(|p| Cow::Owned(format!("port {p}"))));
                r.detail = kv(&["port", "protocol", "address", "path", "pid"]);
            }
            Query::Other => {
                r.observation = Some(name.clone());
                r.name = row.str("name").or_else(|| Some(name.clone()));
                r.detail = Some(raw.get().to_owned());
            }
        }
        cx.record(&r);
    }
}

/// osquery's `calendarTime`: `"Mon Jan 10 08:00:00 2022 UTC"`.
fn calendar(raw: &str) -> Option<jiff::Timestamp> {
    let s: String = serde_json::from_str(raw).ok()?;
    let s = s.trim().trim_end_matches("UTC").trim();
    let dt = jiff::fmt::strtime::parse("%a %b %d %H:%M:%S %Y", s)
        .ok()?
        .to_datetime()
        .ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}
