//! `kensa ingest|scan|verify --store postgres://...` (issue 16): a scan into PostgreSQL gives the
//! same `subjects.jsonl` as the embedded SQLite store, stores nothing twice, and verifies by
//! the same checks. Against the real server (`KENSA_TEST_PG_URL`; skipped with the reason
//! outside CI when none is reachable, a failure under `CI=true`).

use kensa_store::postgres::testing::test_db;
use kensa_stream::testing::nats_url;
use std::path::Path;
use std::process::{Command, Output};

fn kensa(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("kensa runs")
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

#[test]
fn a_scan_into_postgresql_gives_the_embedded_results() {
    let Some(db) = test_db("cli") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(kensa(
        &[
            "--quiet",
            "demo",
            "--no-scan",
            "--population",
            "60",
            "--out",
            "demo",
        ],
        d,
    ));
    ok(kensa(
        &["--quiet", "scan", "--out", "lite", "demo/input"],
        d,
    ));
    ok(kensa(
        &[
            "--quiet",
            "scan",
            "--store",
            &db.url,
            "--out",
            "pg",
            "demo/input",
        ],
        d,
    ));
    let lite = std::fs::read_to_string(d.join("lite/subjects.jsonl")).unwrap();
    let pg = std::fs::read_to_string(d.join("pg/subjects.jsonl")).unwrap();
    assert!(lite.lines().count() >= 60);
    assert!(lite == pg, "the PostgreSQL scan's subjects.jsonl differs");

    // The same input again: nothing stored twice.
    let o = ok(kensa(&["ingest", "--store", &db.url, "demo/input"], d));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("stored 0 "), "{err}");

    let o = ok(kensa(&["verify", "--store", &db.url], d));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("ok: "), "{out}");

    // A database that cannot be reached: a clear error without the password.
    let o = kensa(
        &[
            "verify",
            "--store",
            "postgres://kensa:s3cret@127.0.0.1:1/kensa",
        ],
        d,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("postgres://kensa@127.0.0.1:1/kensa") && !err.contains("s3cret"),
        "{err}"
    );
}

/// `kensa worker` killed with SIGKILL in the middle of its partition, then started again: every
/// record stored exactly once, every event acknowledged, the chain intact, and the results
/// those of one uninterrupted embedded scan.
#[test]
fn a_killed_worker_loses_nothing_and_stores_nothing_twice() {
    let Some(nats) = nats_url() else { return };
    let Some(db) = test_db("kill") else { return };
    let stream = format!("KENSA_TEST_KILL_{}", std::process::id());
    let names = kensa_stream::Names::named(&stream);
    let _gone = kensa_stream::testing::StreamGuard(nats.clone(), names.clone());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(kensa(
        &[
            "--quiet",
            "demo",
            "--no-scan",
            "--population",
            "60",
            "--out",
            "demo",
        ],
        d,
    ));
    ok(kensa(
        &["--quiet", "scan", "--out", "lite", "demo/input"],
        d,
    ));
    // The demo's records, as a platform would send them.
    let mut records = Vec::new();
    for f in std::fs::read_dir(d.join("demo/input")).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            records.push(kensa_model::validate_value(serde_json::from_str(line).unwrap()).unwrap());
        }
    }
    kensa_stream::Publisher::connect(&nats, &names, 1)
        .unwrap()
        .publish(&records)
        .unwrap();
    let unique: std::collections::HashSet<&str> =
        records.iter().map(|r| r.record_id.as_str()).collect();

    let worker = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kensa"));
        c.args(["--quiet", "worker", "--store", &db.url, "--nats", &nats])
            .args(["--partitions", "1", "--partition", "0", "--batch", "100"])
            .args(["--stream", &stream, "--ack-wait", "2"])
            .args(extra)
            .current_dir(d);
        c
    };
    // Killed once some batches are stored and while more remain.
    let mut child = worker(&[]).spawn().unwrap();
    let pg = kensa_store::postgres::PgStore::open(&db.url).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    use kensa_store::EvidenceStore;
    while pg.record_count().unwrap() < 500 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker stored nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = pg.record_count().unwrap();
    assert!(
        at_kill < unique.len() as u64,
        "killed too late to prove anything"
    );

    // Restarted: it resumes from what was not acknowledged.
    ok(worker(&["--until-idle"]).output().unwrap());
    assert_eq!(pg.record_count().unwrap(), unique.len() as u64);
    let r = pg.verify(&|_| {}).unwrap();
    assert!(r.broken.is_none(), "{:?}", r.broken);
    let mut w = kensa_stream::Worker::connect(&nats, &names, 1, 0).unwrap();
    assert_eq!(w.pending().unwrap(), 0);

    // The latest logged result of every subject is the embedded scan's.
    let mut latest: std::collections::BTreeMap<String, serde_json::Value> = Default::default();
    for (_, _, body) in pg.entries_of_type("result").unwrap() {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        latest.insert(v["subject_id"].as_str().unwrap().to_owned(), v);
    }
    let lite = std::fs::read_to_string(d.join("lite/subjects.jsonl")).unwrap();
    for line in lite.lines() {
        let want: serde_json::Value = serde_json::from_str(line).unwrap();
        let got = &latest[want["subject_id"].as_str().unwrap()];
        assert_eq!(
            (
                got["tier"].clone(),
                got["flags"].as_array().map(|f| f.len())
            ),
            (
                want["tier"].clone(),
                want["flags"].as_array().map(|f| f.len())
            ),
            "{}",
            want["subject_id"]
        );
        let (g, w) = (
            got["score"].as_f64().unwrap(),
            want["score"].as_f64().unwrap(),
        );
        assert_eq!(g, w, "{}", want["subject_id"]);
    }
}
