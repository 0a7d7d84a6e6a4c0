//! Issue 14, whole process: `kensa serve` as users run it — records acknowledged by
//! `/v1/events` survive `kill -9` and are stored exactly once; the demo streamed through
//! `/v1/events` in batches ends where `kensa scan` over the same file ends.

use serde_json::{Value, json};
use std::process::Stdio;

mod common;
use common::*;

#[test]
fn acknowledged_events_survive_kill_9_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let a = agent();
    let mut s = serve(&db);
    let ingest = token(&db, "ingest");
    let analyst = token(&db, "analyst");
    let batch = |n: usize| -> Value {
        Value::Array(
            (0..50)
                .map(|i| {
                    json!({"kind":"login","subject_id":format!("u{}", i % 5),
                        "at":format!("2026-10-01T{:02}:{:02}:00Z", n, i),"ip":format!("198.51.100.{}", i + 1)})
                })
                .collect(),
        )
    };
    for n in 0..4 {
        let (st, v) = post(&a, &s.base, &ingest, &batch(n));
        assert_eq!((st, v["stored"].as_u64()), (200, Some(50)), "{v}");
    }
    // Acknowledged: now kill it without warning.
    s.child.kill().unwrap(); // SIGKILL on Unix
    s.child.wait().unwrap();
    drop(s);
    let s = serve(&db);
    let mut total = 0;
    for u in 0..5 {
        let (st, v) = get(&a, &s.base, &analyst, &format!("/v1/subjects/u{u}/records"));
        assert_eq!(st, 200, "{v}");
        total += v.as_array().unwrap().len();
    }
    assert_eq!(total, 200, "every acknowledged record, once");
    // Sent again (a client retrying after the crash): duplicates, nothing stored twice.
    for n in 0..4 {
        let (st, v) = post(&a, &s.base, &ingest, &batch(n));
        assert_eq!(
            (st, v["stored"].as_u64(), v["duplicate"].as_u64()),
            (200, Some(0), Some(50)),
            "{v}"
        );
    }
    let out = kensa().arg("verify").arg("--db").arg(&db).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The demo (a smaller population, so that a debug build streams it in seconds) sent in
/// batches of 400 gives the same scores, tiers and flags as one `kensa scan` of the file.
#[test]
fn streaming_the_demo_through_the_api_ends_where_a_scan_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (records, want) = demo_scanned(dir.path());

    let db = dir.path().join("served.db");
    let s = serve(&db);
    let ingest = token(&db, "ingest");
    let analyst = token(&db, "analyst");
    let a = agent();
    for chunk in records.chunks(400) {
        let (st, v) = post(&a, &s.base, &ingest, &Value::Array(chunk.to_vec()));
        assert_eq!(st, 200, "{v}");
    }
    let got = listed(&a, &s.base, &analyst);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
}

/// Item 4: the request log is structured (one JSON object per line with `--log-format json`)
/// and holds route templates, statuses and the caller's token name — never the subject's
/// name, e-mail, phone, IP address, the subject id in the path, or the token.
#[test]
fn the_request_log_is_json_and_free_of_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let log = dir.path().join("serve.log");
    // The database (and tokens) first; then the server that writes the log.
    drop(serve(&db));
    let ingest = token(&db, "ingest");
    let analyst = token(&db, "analyst");
    let s = serve_with(
        &db,
        Stdio::from(std::fs::File::create(&log).unwrap()),
        &["--log-format", "json"],
    );
    let a = agent();
    let secrets = [
        "Hanako Suzuki",
        "hanako.suzuki@example.jp",
        "+81 90 1234 5678",
        "203.0.113.77",
        "acct-hs-1",
    ];
    let (st, v) = post(
        &a,
        &s.base,
        &ingest,
        &json!([
            {"kind":"subject","subject_id":"acct-hs-1","source":"freelance_platform","display_name":"Hanako Suzuki",
             "emails":["hanako.suzuki@example.jp"],"phones":["+81 90 1234 5678"],"claimed_country":"JP"},
            {"kind":"login","subject_id":"acct-hs-1","at":"2026-10-01T00:00:00Z","ip":"203.0.113.77"},
            {"kind":"login","subject_id":"acct-hs-1","at":"not a time","ip":"203.0.113.77"}
        ]),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(get(&a, &s.base, &analyst, "/v1/subjects/acct-hs-1").0, 200);
    assert_eq!(
        get(&a, &s.base, &analyst, "/v1/subjects/acct-hs-1/records").0,
        200
    );
    assert_eq!(
        get(&a, &s.base, "kensa_wrong", "/v1/subjects/acct-hs-1").0,
        401
    );
    drop(s); // the log is complete once the server is gone
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let routes: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["fields"]["route"].as_str())
        .collect();
    assert!(routes.contains(&"/v1/events"), "{text}");
    assert!(routes.contains(&"/v1/subjects/{subject_id}"), "{text}");
    for secret in secrets.iter().chain([&ingest.as_str(), &analyst.as_str()]) {
        assert!(!text.contains(secret), "{secret:?} in the log:\n{text}");
    }
}
