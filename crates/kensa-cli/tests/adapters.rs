//! Native logs through the CLI: an Okta export and osquery results scanned with the subjects
//! they are about; unresolved users reported; unknown files named.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

fn kensa(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("kensa runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One Okta System Log event as `GET /api/v1/logs` returns it.
fn okta(event_type: &str, who: &str, at: &str, ip: &str, result: &str) -> Value {
    json!({
        "actor": {"id": "00u1", "type": "User", "alternateId": who, "displayName": "x"},
        "client": {
            "ipAddress": ip,
            "userAgent": {"rawUserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
            "geographicalContext": {"country": "somewhere"}
        },
        "eventType": event_type,
        "outcome": {"result": result},
        "published": at,
        "uuid": format!("{event_type}-{who}-{at}"),
        "version": "0"
    })
}

fn subjects() -> String {
    [
        json!({"kind": "subject", "subject_id": "w-1", "source": "hr_system", "display_name": "Kevin Park",
               "claimed_country": "US", "claimed_city": "Seattle", "claimed_timezone": "America/Los_Angeles",
               "emails": ["kevin.park@example.com"]}),
        json!({"kind": "subject", "subject_id": "h-1", "source": "hr_system", "display_name": "Ann Lee",
               "claimed_country": "US", "claimed_city": "Seattle", "claimed_timezone": "America/Los_Angeles",
               "emails": ["ann.lee@example.com"]}),
    ]
    .iter()
    .map(|v| format!("{v}\n"))
    .collect()
}

/// An Okta export (one JSON array, pretty-printed as the API and the admin console give it):
/// the worker signs in from Seattle, Shenyang and Vladivostok in turns within hours; the
/// honest contractor only from Seattle.
fn okta_export() -> String {
    let mut events = Vec::new();
    for day in 1..=6 {
        let d = format!("2026-03-{:02}", day + 1);
        let k = "Kevin.Park@example.com";
        events.push(okta(
            "user.session.start",
            k,
            &format!("{d}T16:00:00.000Z"),
            "73.1.2.3",
            "SUCCESS",
        ));
        events.push(okta(
            "policy.evaluate_sign_on",
            k,
            &format!("{d}T16:00:00.100Z"),
            "73.1.2.3",
            "ALLOW",
        ));
        events.push(okta(
            "user.session.start",
            k,
            &format!("{d}T19:30:00.000Z"),
            "113.224.5.6",
            "SUCCESS",
        ));
        events.push(okta(
            "user.authentication.auth_via_mfa",
            k,
            &format!("{d}T19:30:05.000Z"),
            "113.224.5.6",
            "SUCCESS",
        ));
        events.push(okta(
            "user.session.start",
            k,
            &format!("{d}T23:00:00.000Z"),
            "5.100.64.9",
            "SUCCESS",
        ));
        events.push(okta(
            "user.session.start",
            "ann.lee@example.com",
            &format!("{d}T17:00:00.000Z"),
            "73.1.2.4",
            "SUCCESS",
        ));
        events.push(okta(
            "user.session.start",
            "ann.lee@example.com",
            &format!("{d}T17:01:00.000Z"),
            "73.1.2.4",
            "FAILURE",
        ));
    }
    serde_json::to_string_pretty(&Value::Array(events)).unwrap()
}

/// osquery results: a snapshot of `usb_devices` on the worker's laptop (a PiKVM attached)
/// and an event-format row from the honest contractor's laptop.
fn osquery() -> String {
    let kvm = json!({
        "name": "pack_hw_usb_devices", "hostIdentifier": "LT-0042", "calendarTime": "Tue Mar  3 09:00:00 2026 UTC",
        "unixTime": 1772528400, "epoch": 0, "counter": 0, "numerics": false, "action": "snapshot",
        "decorations": {"hostname": "LT-0042"},
        "snapshot": [
            {"vendor": "PiKVM", "model": "PiKVM Composite Device", "vendor_id": "1d6b", "model_id": "0104", "serial": "CAFEBABE", "removable": "1"},
            {"vendor": "Apple Inc.", "model": "Magic Keyboard", "vendor_id": "05ac", "model_id": "029c", "serial": "", "removable": "1"}
        ]
    });
    let mouse = json!({
        "name": "pack_hw_usb_devices", "hostIdentifier": "LT-0043", "calendarTime": "Tue Mar  3 09:00:00 2026 UTC",
        "unixTime": "1772528400", "action": "added", "decorations": {"hostname": "LT-0043"},
        "columns": {"vendor": "Logitech, Inc.", "model": "USB Receiver", "vendor_id": "046d", "model_id": "c52b"}
    });
    format!("{kvm}\n{mouse}\n")
}

fn flags(out: &Path, subject: &str) -> Vec<String> {
    let text = std::fs::read_to_string(out.join("subjects.jsonl")).unwrap();
    let line = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["subject_id"] == subject)
        .unwrap_or_else(|| panic!("{subject} not in subjects.jsonl"));
    line["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = f["id"].as_str().unwrap().to_owned();
            match f["detector"].as_str() {
                Some(d) => format!("{id}/{d}"),
                None => id,
            }
        })
        .collect()
}

#[test]
fn okta_export_and_osquery_usb_find_the_logins_and_the_kvm_on_the_right_subject() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("subjects.jsonl"), subjects()).unwrap();
    std::fs::write(d.join("okta-export.json"), okta_export()).unwrap();
    std::fs::write(d.join("osquery-results.log"), osquery()).unwrap();
    std::fs::write(
        d.join("hosts.csv"),
        "identity,subject_id\nLT-0042,w-1\nLT-0043,h-1\n",
    )
    .unwrap();
    let o = kensa(
        &[
            "scan",
            "subjects.jsonl",
            "okta-export.json",
            "osquery-results.log",
            "--identities",
            "hosts.csv",
            "--out",
            "out",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // 2 subjects + 42 Okta events + 3 USB rows; the 6 policy evaluations are skipped.
    assert!(
        err.contains("read 47 = stored 41 + duplicate 0 + rejected 0 + skipped 6"),
        "{err}"
    );
    assert!(err.contains("sign-on policy evaluation"), "{err}");
    let w = flags(&d.join("out"), "w-1");
    let h = flags(&d.join("out"), "h-1");
    assert!(
        w.iter().any(|f| f.starts_with("KX-ENDPOINT-IP-KVM")),
        "{w:?}"
    );
    assert!(
        w.iter().any(|f| f.starts_with("RF-LOGIN-MULTI-COUNTRY")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|f| f.starts_with("RF-LOGIN-IMPOSSIBLE-TRAVEL")),
        "{w:?}"
    );
    assert!(
        !h.iter()
            .any(|f| f.starts_with("KX-ENDPOINT") || f.starts_with("RF-LOGIN")),
        "{h:?}"
    );
}

#[test]
fn unresolved_users_are_reported_and_can_be_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("okta-export.json"), okta_export()).unwrap();
    let o = kensa(&["validate", "--rejects", "r.jsonl", "okta-export.json"], d);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("read 42 = valid 0 + rejected 0 + skipped 42"),
        "{err}"
    );
    assert!(
        err.contains("36 events name users who resolve to no subject"),
        "{err}"
    );
    assert!(err.contains("Kevin.Park@example.com"), "{err}");
    assert!(err.contains("--identities"), "{err}");
    let o = kensa(
        &[
            "ingest",
            "--db",
            "k.db",
            "--keep-unresolved",
            "okta-export.json",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("read 42 = stored 36 + duplicate 0 + rejected 0 + skipped 6"),
        "{err}"
    );
    // Again: every record is already stored once.
    let o = kensa(
        &[
            "ingest",
            "--db",
            "k.db",
            "--keep-unresolved",
            "okta-export.json",
        ],
        d,
    );
    assert!(
        stderr(&o).contains("stored 0 + duplicate 36"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_broken_event_is_rejected_with_its_line_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("subjects.jsonl"), subjects()).unwrap();
    let good = okta(
        "user.session.start",
        "ann.lee@example.com",
        "2026-03-02T17:00:00Z",
        "73.1.2.4",
        "SUCCESS",
    );
    std::fs::write(
        d.join("okta.jsonl"),
        format!(
            "{good}\n{{\"eventType\": \"user.session.start\",,}}\n{}\n",
            good.to_string().replace("17:00", "18:00")
        ),
    )
    .unwrap();
    let o = kensa(
        &["ingest", "--db", "k.db", "subjects.jsonl", "okta.jsonl"],
        d,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("read 5 = stored 4 + duplicate 0 + rejected 1"),
        "{err}"
    );
    let rejects = std::fs::read_to_string(d.join("k.rejects.jsonl")).unwrap();
    let r: Value = serde_json::from_str(rejects.lines().next().unwrap()).unwrap();
    assert_eq!(r["line"], 2);
    assert!(r["file"].as_str().unwrap().ends_with("okta.jsonl"));
    assert!(r["reason"].as_str().unwrap().starts_with("not JSON"), "{r}");
    assert_eq!(r["raw"], "{\"eventType\": \"user.session.start\",,}");

    // Events whose braces and strings are in order but which are still not JSON (`tru`): one
    // reject each, whether they would have made a record or a skip.
    let bad_login = good
        .to_string()
        .replace("\"version\":\"0\"", "\"version\":tru");
    let bad_policy = okta(
        "policy.evaluate_sign_on",
        "ann.lee@example.com",
        "2026-03-02T17:00:00Z",
        "73.1.2.4",
        "ALLOW",
    )
    .to_string()
    .replace("\"version\":\"0\"", "\"version\":01");
    assert!(
        bad_login.contains("tru}") && bad_policy.contains(":01}"),
        "{bad_login} {bad_policy}"
    );
    std::fs::write(
        d.join("okta2.jsonl"),
        format!("{bad_login}\n{bad_policy}\n"),
    )
    .unwrap();
    let o = kensa(
        &[
            "validate",
            "--rejects",
            "r2.jsonl",
            "subjects.jsonl",
            "okta2.jsonl",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(err.contains("read 4 = valid 2 + rejected 2"), "{err}");
    let rejects = std::fs::read_to_string(d.join("r2.jsonl")).unwrap();
    let lines: Vec<Value> = rejects
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (r, (line, raw)) in lines.iter().zip([(1, &bad_login), (2, &bad_policy)]) {
        assert_eq!(r["line"], line);
        assert!(r["reason"].as_str().unwrap().starts_with("not JSON"), "{r}");
        assert_eq!(r["raw"].as_str().unwrap(), raw.as_str());
    }
}

#[test]
fn an_unrecognised_file_is_named_with_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("subjects.jsonl"), subjects()).unwrap();
    std::fs::write(d.join("mystery.json"), "{\"user\":\"x\",\"ts\":1}\n").unwrap();
    let o = kensa(
        &["ingest", "--db", "k.db", "subjects.jsonl", "mystery.json"],
        d,
    );
    let err = stderr(&o);
    // The subjects are stored; the unknown file fails the run at the end, named.
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("mystery.json"), "{err}");
    assert!(
        err.contains("tried okta, entra, google-workspace, github, ocsf, osquery"),
        "{err}"
    );
    assert!(err.contains("stored 2"), "{err}");
    // Told the wrong format: read as told, with a warning.
    std::fs::write(d.join("okta.json"), okta_export()).unwrap();
    let o = kensa(
        &[
            "validate",
            "--rejects",
            "r.jsonl",
            "--format",
            "github",
            "okta.json",
        ],
        d,
    );
    assert!(
        stderr(&o).contains("but its first events look like okta"),
        "{}",
        stderr(&o)
    );
    let o = kensa(
        &[
            "validate",
            "--rejects",
            "r.jsonl",
            "--format",
            "splunk",
            "okta.json",
        ],
        d,
    );
    assert!(
        stderr(&o).contains("unknown format \"splunk\""),
        "{}",
        stderr(&o)
    );
}

/// The two worked examples of docs/adapters.md, as written there.
#[test]
fn the_mapping_examples_of_the_docs_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/adapters.md"),
    )
    .unwrap();
    // The TOML blocks of the docs: the VPN mapping (first) and the HR mapping (second).
    let tomls: Vec<&str> = docs
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(tomls.len(), 2, "{tomls:?}");
    std::fs::write(d.join("vpn.toml"), tomls[0]).unwrap();
    std::fs::write(d.join("hr.toml"), tomls[1]).unwrap();
    std::fs::write(
        d.join("hr-export.csv"),
        "Employee ID,Name,E-mail,Country,City,Start date,Hourly rate\n\
         E-100,Kevin Park,Kevin.Park@example.com; kpark@example.org,US,Seattle,03/02/2026,35.50\n",
    )
    .unwrap();
    std::fs::write(
        d.join("vpn-2026-03.jsonl"),
        "{\"ts\":\"05/03/2026 18:02:11\",\"event\":\"connect\",\"user\":{\"email\":\"kevin.park@example.com\"},\"client\":{\"addr\":\"113.224.5.6\"},\"gw\":\"vpn-tyo-1\"}\n\
         {\"ts\":\"05/03/2026 18:40:00\",\"event\":\"keepalive\",\"user\":{\"email\":\"kevin.park@example.com\"}}\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("results")).unwrap();
    let o = kensa(
        &[
            "ingest",
            "--db",
            "results/kensa.db",
            "--mapping",
            "hr.toml",
            "hr-export.csv",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("read 1 = stored 1"), "{}", stderr(&o));
    let o = kensa(
        &[
            "scan",
            "--out",
            "results",
            "--mapping",
            "vpn.toml",
            "vpn-2026-03.jsonl",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("read 2 = stored 1 + duplicate 0 + rejected 0 + skipped 1"),
        "{err}"
    );
    assert!(err.contains("filtered out by event"), "{err}");
    let store = kensa_store::Store::open_existing(&d.join("results/kensa.db")).unwrap();
    let recs = kensa_store::EvidenceStore::subject_records(&store, "E-100").unwrap();
    let bodies: Vec<Value> = recs
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let subject = bodies.iter().find(|b| b["kind"] == "subject").unwrap();
    assert_eq!(
        subject["emails"],
        json!(["kevin.park@example.com", "kpark@example.org"])
    );
    assert_eq!(subject["account_created_at"], "2026-03-02T08:00:00Z");
    assert_eq!(subject["hourly_rate"]["amount"], 35.5);
    let login = bodies.iter().find(|b| b["kind"] == "login").unwrap();
    assert_eq!(login["at"], "2026-03-05T09:02:11Z");
    assert_eq!(login["ip"], "113.224.5.6");
    assert_eq!(login["success"], true);
    assert_eq!(login["method"], "vpn");
    assert_eq!(login["source"], "acme-vpn");
    assert_eq!(login["event"]["gw"], "vpn-tyo-1");
}

/// Every sample log of ../shared/data/logs through `validate` and `ingest`: each event is a
/// record, a reject or a reported skip, and the reconciliation adds up.
#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn every_sample_log_reconciles() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/logs");
    let mut files = Vec::new();
    let mut stack = vec![logs.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.display().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if [".log", ".jsonl", ".ocsf", ".json"]
                .iter()
                .any(|x| name.ends_with(x))
                || (name.ends_with(".raw") && !name.contains("CloudTrail"))
            {
                files.push(name);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut args = vec!["validate", "--keep-unresolved", "--rejects", "r.jsonl"];
    args.extend(files.iter().map(String::as_str));
    let o = kensa(&args, d);
    let err = stderr(&o);
    // One upstream sample is not valid JSON (a trailing comma in a pretty-printed OCSF event):
    // it is recognised as OCSF by its structure, and its event is one reject, with the line and
    // column of the error; the rest is read.
    assert!(o.status.success(), "{err}");
    let rejects = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
    let r: Value = serde_json::from_str(rejects.lines().next().unwrap()).unwrap();
    assert!(
        r["file"]
            .as_str()
            .unwrap()
            .ends_with("v1.5.0/CloudTrail/Authentication/samples/authentication.ocsf"),
        "{r}"
    );
    assert_eq!(r["line"], 1);
    assert!(
        r["reason"].as_str().unwrap().contains("not JSON")
            && r["reason"].as_str().unwrap().contains("line 26 column 5"),
        "{r}"
    );
    let line = err.lines().find(|l| l.starts_with("read ")).unwrap();
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    // read = valid + repeated + rejected + skipped
    assert_eq!(n.len(), 5, "{line}");
    assert_eq!(n[0], n[1] + n[2] + n[3] + n[4], "{line}");
    assert!(n[0] >= 100 && n[1] >= 80, "{line}");
    assert_eq!(n[3], 1, "{line}");
    let broken = files
        .iter()
        .find(|f| f.contains("v1.5.0/CloudTrail"))
        .unwrap();
    let o = kensa(
        &[
            "validate",
            "--rejects",
            "r2.jsonl",
            "--format",
            "ocsf",
            broken.as_str(),
        ],
        d,
    );
    let err = stderr(&o);
    assert!(err.contains("read 1 = valid 0 + rejected 1"), "{err}");
    let r: Value = serde_json::from_str(
        std::fs::read_to_string(d.join("r2.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(r["line"], 1);
    assert!(
        r["reason"].as_str().unwrap().contains("line 26 column 5"),
        "{r}"
    );
    let mut args = vec!["ingest", "--db", "k.db", "--keep-unresolved"];
    args.extend(files.iter().map(String::as_str));
    let o = kensa(&args, d);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("MISMATCH"), "{err}");
    assert!(
        err.contains(&format!(
            "read {} = stored {} + duplicate {}",
            n[0], n[1], n[2]
        )),
        "{err}"
    );
}

#[test]
fn convert_writes_the_records_a_log_makes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("okta.json"), okta_export()).unwrap();
    let o = kensa(
        &[
            "convert",
            "--keep-unresolved",
            "-o",
            "records.jsonl",
            "okta.json",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("read 42 = written 36 + duplicate 0 + rejected 0 + skipped 6"),
        "{err}"
    );
    let text = std::fs::read_to_string(d.join("records.jsonl")).unwrap();
    let recs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 36);
    assert!(recs.iter().all(|r| r["source"] == "okta"));
    let mfa = recs.iter().filter(|r| r["method"] == "mfa").count();
    assert_eq!(mfa, 6);
    // The records are Kensa records: they ingest as they are.
    let o = kensa(&["ingest", "--db", "k.db", "records.jsonl"], d);
    assert!(stderr(&o).contains("read 36 = stored 36"), "{}", stderr(&o));
    // To standard output.
    let o = kensa(&["convert", "--quiet", "--keep-unresolved", "okta.json"], d);
    assert_eq!(String::from_utf8_lossy(&o.stdout), text);
}

/// Found in review: a log cut off mid-way (a truncated .gz) keeps every event read before the
/// cut, reports the file with the line where reading stopped, and fails the run at the end;
/// an event that does not end within --max-line-bytes stops its file loudly, not silently.
#[test]
fn a_cut_off_log_keeps_what_was_read_and_an_endless_event_fails_its_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::new();
    for i in 0..20_000 {
        let at = format!("2026-03-02T{:02}:{:02}:00Z", (i / 60) % 24, i % 60);
        text.push_str(
            &okta(
                "user.session.start",
                &format!("u{}@example.com", i % 50),
                &at,
                "73.1.2.4",
                "SUCCESS",
            )
            .to_string(),
        );
        text.push('\n');
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    // A named file with an extension Kensa does not know: found to be gzip and JSON by content.
    std::fs::write(d.join("okta-export.log.gz"), &gz[..gz.len() / 2]).unwrap();
    let o = kensa(
        &[
            "ingest",
            "--db",
            "k.db",
            "--keep-unresolved",
            "--rejects",
            "r.jsonl",
            "okta-export.log.gz",
        ],
        d,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("could not be read to the end"), "{err}");
    let line = err.lines().find(|l| l.starts_with("read ")).unwrap();
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    // Thousands of events before the cut are stored; one reject names where reading stopped.
    assert!(n[1] > 5_000, "{line}");
    assert_eq!(n[3], 1, "{line}");
    let r: Value = serde_json::from_str(
        std::fs::read_to_string(d.join("r.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    // Every line before it was stored or a duplicate (the test log repeats itself).
    assert_eq!(r["line"].as_u64().unwrap(), n[1] + n[2] + 1, "{r}");

    // A broken event at the end of a file: one reject, its bytes cut to the limit's head.
    let mut f = std::fs::File::create(d.join("endless.json")).unwrap();
    writeln!(
        f,
        "{}",
        okta(
            "user.session.start",
            "a@example.com",
            "2026-03-02T10:00:00Z",
            "73.1.2.4",
            "SUCCESS"
        )
    )
    .unwrap();
    write!(
        f,
        "{{\"eventType\":\"user.session.start\",\"x\":[{}",
        "1,".repeat(3000)
    )
    .unwrap();
    drop(f);
    let o = kensa(
        &[
            "validate",
            "--keep-unresolved",
            "--rejects",
            "r2.jsonl",
            "--max-line-bytes",
            "2048",
            "endless.json",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("read 2 = valid 1 + rejected 1"), "{err}");
    let r: Value = serde_json::from_str(
        std::fs::read_to_string(d.join("r2.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(r["line"], 2);
    assert_eq!(r["raw_length"], 39 + 6000);
    // An event that runs on past the limit and past one read (4 MiB): its file fails, loudly.
    let mut f = std::fs::File::create(d.join("endless.json")).unwrap();
    writeln!(
        f,
        "{}",
        okta(
            "user.session.start",
            "a@example.com",
            "2026-03-02T10:00:00Z",
            "73.1.2.4",
            "SUCCESS"
        )
    )
    .unwrap();
    write!(
        f,
        "{{\"eventType\":\"user.session.start\",\"x\":[{}",
        "1,".repeat(2_500_000)
    )
    .unwrap();
    drop(f);
    let o = kensa(
        &[
            "validate",
            "--keep-unresolved",
            "--rejects",
            "r2.jsonl",
            "--max-line-bytes",
            "2048",
            "endless.json",
        ],
        d,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("read 2 = valid 1 + rejected 1"), "{err}");
    assert!(err.contains("--max-line-bytes"), "{err}");
}

/// A mapping of an HR export (`id`, `name`) to `subject` records, as `hr.toml` in `d`.
fn hr_mapping(d: &Path) {
    std::fs::write(
        d.join("hr.toml"),
        "kind = \"subject\"\nsource = \"hr_system\"\n[fields]\nsubject_id = { path = \"id\" }\ndisplay_name = { path = \"name\" }\n",
    )
    .unwrap();
}

#[test]
fn a_mapped_csv_row_with_extra_cells_is_rejected_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    hr_mapping(d);
    std::fs::write(
        d.join("hr.csv"),
        "id,name\nE-1,Kim\nE-2,\"Kim, Jong\",Seoul\nE-3,Lee\n",
    )
    .unwrap();
    let o = kensa(
        &[
            "validate",
            "--rejects",
            "r.jsonl",
            "--mapping",
            "hr.toml",
            "hr.csv",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(err.contains("read 3 = valid 2 + rejected 1"), "{err}");
    let r: Value = serde_json::from_str(
        std::fs::read_to_string(d.join("r.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(r["line"], 3);
    assert_eq!(r["raw"], "E-2,\"Kim, Jong\",Seoul");
    assert!(r["reason"].as_str().unwrap().contains("3 cells"), "{r}");
}

/// An unclosed quote in a mapped CSV would make the rest of the file one row: reading stops at
/// the line limit with an error naming the file and row, and the rows before it count.
#[test]
fn a_mapped_csv_row_that_never_ends_stops_at_the_line_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    hr_mapping(d);
    let mut csv = String::from("id,name\nE-1,Kim\nE-2,\"Kim, Jong\nE-3,Lee\n");
    for i in 0..20_000 {
        csv.push_str(&format!("E-{i},Name number {i}\n"));
    }
    std::fs::write(d.join("hr.csv"), csv).unwrap();
    let o = kensa(
        &[
            "validate",
            "--max-line-bytes",
            "4096",
            "--mapping",
            "hr.toml",
            "hr.csv",
        ],
        d,
    );
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("hr.csv"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("without ending (an unclosed quote?)"), "{err}");
    assert!(err.contains("valid 1"), "{err}");
}

/// Found in review: `validate` rejects only the conflicting record of a line that holds many
/// (a mapping that sets record_id, reading one JSON array on one line).
#[test]
fn a_record_id_conflict_rejects_only_that_record_of_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("m.toml"),
        "kind = \"activity\"\n[fields]\nrecord_id = { path = \"id\" }\nsubject_id = { path = \"u\" }\nat = { path = \"t\", time = \"unix\" }\n",
    )
    .unwrap();
    std::fs::write(
        d.join("log.json"),
        "[{\"id\":\"a\",\"u\":\"s1\",\"t\":1772528400},{\"id\":\"b\",\"u\":\"s1\",\"t\":1772528401},{\"id\":\"a\",\"u\":\"s2\",\"t\":1772528402}]\n",
    )
    .unwrap();
    for cmd in ["validate", "convert"] {
        let o = kensa(
            &[
                cmd,
                "--rejects",
                "r.jsonl",
                "--mapping",
                "m.toml",
                "log.json",
            ],
            d,
        );
        let err = stderr(&o);
        assert!(err.contains("read 3 = "), "{err}");
        assert!(
            err.contains(" 2 + ") && err.contains("rejected 1"),
            "{cmd}: {err}"
        );
        let rejects = std::fs::read_to_string(d.join("r.jsonl")).unwrap();
        assert_eq!(rejects.lines().count(), 1, "{rejects}");
        assert!(rejects.contains("\\\"s2\\\""), "{rejects}");
    }
}
