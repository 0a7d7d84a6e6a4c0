//! Every sample in ../shared/data/logs converts; a few events per format are checked field by
//! field against the raw sample.

use kensa_adapt::{Conv, Converted, Format, Resolver, Unresolved, convert_all};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn logs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/logs")
}

fn keep() -> Resolver {
    Resolver::new(Unresolved::Keep)
}

fn convert(rel: &str, f: Option<Format>) -> Vec<Converted> {
    let buf = std::fs::read(logs().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    convert_all(&buf, f, &keep()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn records(c: &[Converted]) -> Vec<(u64, Value)> {
    c.iter()
        .filter_map(|c| match &c.conv {
            Conv::Record(j) => Some((c.line, serde_json::from_slice(j).unwrap())),
            Conv::Skip { .. } => None,
        })
        .collect()
}

fn skips(c: &[Converted]) -> Vec<(u64, String)> {
    c.iter()
        .filter_map(|c| match &c.conv {
            Conv::Skip { reason, .. } => Some((c.line, reason.clone())),
            Conv::Record(_) => None,
        })
        .collect()
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn every_sample_converts_to_records_or_reported_skips() {
    let mut files = Vec::new();
    let mut stack = vec![logs()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("log" | "jsonl" | "ocsf" | "json" | "raw")
            ) {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    let mut total = 0;
    for p in &files {
        let buf = std::fs::read(p).unwrap();
        let rel = p.strip_prefix(logs()).unwrap().display().to_string();
        let out = match convert_all(&buf, None, &keep()) {
            Ok(o) => o,
            Err(e) => {
                // Only the native CloudTrail record is in no format Kensa reads.
                assert!(
                    rel.contains("CloudTrail") && rel.ends_with(".raw"),
                    "{rel}: {e}"
                );
                continue;
            }
        };
        assert!(!out.is_empty(), "{rel}: nothing");
        let n_rec = records(&out).len();
        println!("{rel}: {n_rec} records, skips {:?}", skips(&out));
        for (_, r) in records(&out) {
            assert!(
                r["subject_id"].as_str().is_some_and(|s| !s.is_empty()),
                "{rel}: {r}"
            );
            assert!(r["at"].as_str().is_some(), "{rel}: {r}");
            assert!(r["event"].is_object(), "{rel}: {r}");
        }
        total += out.len();
    }
    assert!(total > 100, "{total}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn okta_sign_ins_mfa_and_skips() {
    let out = convert("okta/test-okta-system-events.log", Some(Format::Okta));
    let recs = records(&out);
    // Line 2: user.session.start from 175.16.199.1.
    let (_, r) = recs.iter().find(|(l, _)| *l == 2).unwrap();
    assert_eq!(r["kind"], "login");
    assert_eq!(r["at"], "2020-02-14T20:18:57.718Z");
    assert_eq!(r["ip"], "175.16.199.1");
    assert_eq!(r["subject_id"], "xxxxxx@elastic.co");
    assert_eq!(r["success"], true);
    assert_eq!(r["source"], "okta");
    assert!(r["user_agent"].as_str().unwrap().contains("Firefox/72.0"));
    // Line 16: MFA from 127.0.0.1.
    let (_, r) = recs.iter().find(|(l, _)| *l == 16).unwrap();
    assert_eq!(
        (r["kind"].as_str(), r["method"].as_str()),
        (Some("login"), Some("mfa"))
    );
    assert_eq!(r["at"], "2023-02-06T08:56:36.909Z");
    // Line 1: logout → activity.
    let (_, r) = recs.iter().find(|(l, _)| *l == 1).unwrap();
    assert_eq!(
        (r["kind"].as_str(), r["activity"].as_str()),
        (Some("activity"), Some("user.session.end"))
    );
    let sk = skips(&out);
    assert!(
        sk.iter()
            .any(|(l, s)| *l == 3 && s.contains("policy evaluation")),
        "{sk:?}"
    );
    assert!(
        sk.iter()
            .any(|(l, s)| *l == 11 && s.contains("without a usable client IP")),
        "{sk:?}"
    );
    assert!(
        sk.iter()
            .any(|(l, s)| *l == 20 && s.contains("SystemPrincipal")),
        "{sk:?}"
    );
    assert_eq!(out.len(), 20);
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn entra_user_sign_ins_and_service_principals() {
    let out = convert("entra_signin/test-signinlogs-raw.log", None);
    let recs = records(&out);
    assert_eq!(recs.len(), 2, "{:?}", skips(&out));
    for (_, r) in &recs {
        assert_eq!(r["kind"], "login");
        assert_eq!(r["ip"], "81.2.69.144");
        assert_eq!(r["success"], false);
    }
    assert_eq!(skips(&out).len(), 3);
    let out = convert("entra_signin/test-signinlogs-sample.log", None);
    let recs = records(&out);
    assert_eq!(recs.len(), 2);
    let (_, r) = &recs[0];
    assert_eq!(r["at"], "2022-01-24T05:10:08.6816663Z");
    assert_eq!(r["ip"], "1.128.3.4");
    assert_eq!(r["subject_id"], "mpliftrelastic20210901@outlook.com");
    assert_eq!(r["success"], true);
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn google_workspace_logins_and_warnings() {
    let out = convert("google_workspace_login/test-login.log", None);
    let recs = records(&out);
    let last = recs.last().unwrap();
    assert_eq!(last.0, 17);
    assert_eq!(last.1["kind"], "login");
    assert_eq!(last.1["at"], "2025-02-27T05:59:58.481Z");
    assert_eq!(last.1["ip"], "81.2.69.144");
    assert_eq!(last.1["method"], "mfa");
    assert_eq!(last.1["success"], true);
    assert_eq!(last.1["subject_id"], "tl.zeous.daclitan@company.com");
    let sk = skips(&out);
    assert!(
        sk.iter()
            .any(|(l, s)| *l == 1 && s.contains("account warning")),
        "{sk:?}"
    );
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn github_access_activity_and_logins() {
    let out = convert("github_audit/test-api-request-events.log", None);
    let recs = records(&out);
    let (_, r) = &recs[0];
    assert_eq!(r["kind"], "access");
    assert_eq!(r["resource"], "/repos/{owner}/{repo}/pulls");
    assert_eq!(r["at"], "2025-03-10T12:57:45.102Z");
    assert_eq!(r["subject_id"], "user_actor");
    let out = convert("github_audit/test-enterprise-audit-json.log", None);
    let (_, r) = &records(&out)[0];
    assert_eq!(r["kind"], "login");
    assert_eq!(r["ip"], "192.168.1.1");
    assert_eq!(r["at"], "2023-10-29T11:40:00Z");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn ocsf_authentication() {
    let out = convert(
        "ocsf/mappings/markdown/Okta/v1.3.0/System Logs/Authentication/samples/authentication.ocsf",
        None,
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 1, "{:?}", skips(&out));
    let r = &recs[0].1;
    assert_eq!(r["kind"], "login");
    assert_eq!(r["ip"], "10.0.0.1");
    assert_eq!(r["at"], "2024-08-13T15:58:20Z");
    assert_eq!(r["success"], true);
    // The AWS 1.5.0 sample is invalid JSON upstream (a trailing comma): reported, not lost.
    let out = convert(
        "ocsf/mappings/markdown/AWS/v1.5.0/CloudTrail/Authentication/samples/authentication.ocsf",
        Some(Format::Ocsf),
    );
    assert!(
        skips(&out).iter().any(|(_, s)| s.starts_with("not JSON")),
        "{out:?}"
    );
}

/// Found by fuzzing: an event with a number too large for a float is still JSON; the record
/// keeps it byte for byte (validation later decides), and the mapping keeps it too.
#[test]
fn events_are_kept_byte_for_byte_even_with_numbers_out_of_range() {
    let log = br#"{"@timestamp":1741611465102,"action":"git.push","actor":"kim","n":1e400}"#;
    let out = convert_all(log, None, &keep()).unwrap();
    let Conv::Record(j) = &out[0].conv else {
        panic!("{out:?}")
    };
    let text = String::from_utf8(j.clone()).unwrap();
    assert!(
        text.ends_with(
            r#","event":{"@timestamp":1741611465102,"action":"git.push","actor":"kim","n":1e400}}"#
        ),
        "{text}"
    );
    let m = kensa_adapt::Mapping::parse(
        "kind = \"activity\"\n[fields]\nsubject_id = { path = \"actor\" }\nat = { path = \"@timestamp\", time = \"unix_ms\" }\n",
        "m.toml",
    )
    .unwrap();
    let mut pieces = Vec::new();
    kensa_adapt::Framer::default().frame(log, true, &mut pieces);
    let ev = kensa_adapt::events(pieces.pop().unwrap())
        .unwrap()
        .pop()
        .unwrap();
    let mut out = Vec::new();
    m.convert(&kensa_adapt::mapping::Event::Json(&ev), &keep(), &mut out);
    let Conv::Record(j) = &out[0] else {
        panic!("{out:?}")
    };
    assert!(String::from_utf8_lossy(j).contains(r#""n":1e400"#));
}

/// osquery: event, snapshot and batch forms; removed rows are skipped; each present row is one
/// endpoint record with the row as its event.
#[test]
fn osquery_event_snapshot_and_batch_forms() {
    let log = br#"{"name":"pack_hw_usb_devices","hostIdentifier":"LT-0042","unixTime":1772528400,"action":"added","decorations":{"username":"kim"},"columns":{"vendor":"PiKVM","model":"PiKVM Composite Device","vendor_id":"1d6b","model_id":"0104"}}
{"name":"pack_hw_usb_devices","hostIdentifier":"LT-0042","unixTime":1772528500,"action":"removed","columns":{"vendor":"PiKVM","model":"PiKVM Composite Device"}}
{"name":"processes","hostIdentifier":"LT-0042","unixTime":"1772528600","action":"snapshot","snapshot":[{"name":"anydesk","path":"/usr/bin/anydesk","cmdline":"anydesk --service","pid":"77"},{"name":"bash","path":"/bin/bash","cmdline":"bash","pid":"78"}]}
{"name":"listening_ports","hostIdentifier":"LT-0042","calendarTime":"Tue Mar  3 09:00:00 2026 UTC","diffResults":{"added":[{"port":"5900","protocol":"6","address":"0.0.0.0","path":"/usr/bin/x11vnc"}],"removed":[{"port":"22"}]}}
"#;
    let out = convert_all(log, None, &keep()).unwrap();
    let recs = records(&out);
    let kinds: Vec<(u64, &str, &str)> = recs
        .iter()
        .map(|(l, r)| {
            (
                *l,
                r["observation"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (1, "usb_device", "PiKVM Composite Device"),
            (3, "process", "anydesk"),
            (3, "process", "bash"),
            (4, "listening_port", "/usr/bin/x11vnc"),
        ]
    );
    assert_eq!(recs[0].1["subject_id"], "kim");
    assert_eq!(recs[0].1["device_id"], "LT-0042");
    assert_eq!(recs[0].1["at"], "2026-03-03T09:00:00Z");
    assert_eq!(recs[0].1["event"]["vendor_id"], "1d6b");
    assert_eq!(recs[3].1["at"], "2026-03-03T09:00:00Z");
    assert!(recs[3].1["detail"].as_str().unwrap().contains("port=5900"));
    let sk = skips(&out);
    assert_eq!(sk.len(), 2, "{sk:?}");
    assert!(sk.iter().all(|(_, s)| s.contains("removed")));
}
