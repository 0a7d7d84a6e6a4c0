//! `kensa ingest|scan|verify --store postgres://...` (issue 16): a scan into PostgreSQL gives the
//! same `subjects.jsonl` as the embedded SQLite store, stores nothing twice, and verifies by
//! the same checks. Against the real server (`KENSA_TEST_PG_URL`; skipped with the reason
//! outside CI when none is reachable, a failure under `CI=true`).

use kensa_store::postgres::testing::test_db;
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
