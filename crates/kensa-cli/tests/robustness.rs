//! Hostile and messy inputs: every line is stored once or rejected whole, one bad file never
//! stops the others, a failed run leaves no output that looks complete, and every error names
//! the file or database it is about, once.

use std::io::Write;
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

fn login(subject: &str, n: usize) -> String {
    format!(
        r#"{{"kind":"login","subject_id":"{subject}","at":"2026-09-01T{:02}:00:00Z","ip":"10.0.0.{}"}}"#,
        n % 24,
        n % 250
    )
}

fn rejects(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_deeply_nested_line_is_rejected_and_the_lines_after_it_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        r#"{{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4","x":{}{}}}"#,
        "[".repeat(15_000),
        "]".repeat(15_000)
    );
    let text = format!(
        "{}\n{deep}\n{}\n{}\n",
        login("u1", 1),
        login("u1", 2),
        login("u2", 3)
    );
    std::fs::write(dir.path().join("in.jsonl"), &text).unwrap();
    for cmd in ["ingest", "validate"] {
        let args: Vec<&str> = if cmd == "ingest" {
            vec![
                "ingest",
                "--db",
                "k.db",
                "--rejects",
                "rej.jsonl",
                "in.jsonl",
            ]
        } else {
            vec!["validate", "--rejects", "rej.jsonl", "in.jsonl"]
        };
        let o = kensa(&args, dir.path());
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        let r = rejects(&dir.path().join("rej.jsonl"));
        assert_eq!(r.len(), 1, "{cmd}");
        assert_eq!(r[0]["line"], 2);
        assert!(
            r[0]["reason"].as_str().unwrap().contains("--max-depth"),
            "{}",
            r[0]
        );
        assert_eq!(r[0]["raw"].as_str().unwrap(), deep, "kept whole");
    }
    let o = kensa(&["scan", "--out", "out", "in.jsonl"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read 4 = stored 3 + duplicate 0 + rejected 1"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_truncated_gzip_is_reported_while_later_files_are_read_and_the_run_fails_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("a.jsonl"), login("u1", 1) + "\n").unwrap();
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&login(&format!("g{}", i % 40), i));
        text.push('\n');
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    std::fs::write(inputs.join("b.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(inputs.join("c.jsonl"), login("u3", 3) + "\n").unwrap();

    let o = kensa(
        &["ingest", "--db", "k.db", "--rejects", "rej.jsonl", "inputs"],
        dir.path(),
    );
    let err = stderr(&o);
    assert!(!o.status.success(), "a failed input fails the run: {err}");
    assert!(err.contains("b.jsonl.gz"), "{err}");
    assert!(
        err.contains("1 input(s) could not be read to the end"),
        "{err}"
    );
    assert!(err.contains("read "), "the run reconciles: {err}");
    let r = rejects(&dir.path().join("rej.jsonl"));
    let gz_reject = r
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("b.jsonl.gz"))
        .expect("the truncated file is a reject");
    assert!(
        gz_reject["line"].as_u64().unwrap() > 1,
        "{}",
        gz_reject["line"]
    );
    // The file after it was read and stored.
    let store = kensa_store::Store::open_existing(&dir.path().join("k.db")).unwrap();
    let u3 = kensa_store::EvidenceStore::subject_records(&store, "u3").unwrap();
    assert_eq!(u3.len(), 1);
    // What was read of the truncated file is stored too.
    let g0 = kensa_store::EvidenceStore::subject_records(&store, "g0").unwrap();
    assert!(!g0.is_empty());
    drop(store);

    // validate and scan report it the same way, and still finish.
    let o = kensa(&["validate", "--rejects", "v.jsonl", "inputs"], dir.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("b.jsonl.gz"), "{}", stderr(&o));
    assert!(
        rejects(&dir.path().join("v.jsonl"))
            .iter()
            .any(|r| r["file"].as_str().unwrap().ends_with("b.jsonl.gz"))
    );
    let o = kensa(&["scan", "--out", "out", "inputs"], dir.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("b.jsonl.gz"), "{}", stderr(&o));
    assert!(dir.path().join("out/subjects.jsonl").exists());

    // A named input that does not exist is reported the same way; the others are read.
    let o = kensa(
        &["ingest", "--db", "k2.db", "inputs/a.jsonl", "nope.jsonl"],
        dir.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nope.jsonl"), "{}", stderr(&o));
    assert!(stderr(&o).contains("stored 1"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_and_the_valid_file_beside_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    std::os::unix::fs::symlink("loop2.jsonl", inputs.join("loop1.jsonl")).unwrap();
    std::os::unix::fs::symlink("loop1.jsonl", inputs.join("loop2.jsonl")).unwrap();
    std::os::unix::fs::symlink(".", inputs.join("self")).unwrap();
    std::fs::write(inputs.join("z.jsonl"), login("u1", 1) + "\n").unwrap();
    let o = kensa(&["scan", "--out", "out", "inputs"], dir.path());
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("loop1.jsonl") && err.contains("self"), "{err}");
    // The scan itself completed over what could be read.
    assert!(dir.path().join("out/subjects.jsonl").exists(), "{err}");
    let subjects = std::fs::read_to_string(dir.path().join("out/subjects.jsonl")).unwrap();
    assert!(subjects.contains("\"u1\""));
}

#[test]
fn csv_rows_with_extra_cells_and_bad_bytes_are_rejected_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = b"subject_id,source,display_name,claimed_country\n\
        s1,resume,Kim,KR\n\
        s2,resume,Kim, Jong,Seoul\n"
        .to_vec();
    csv.extend_from_slice(b"s3,resume,M\xfcller,DE\n");
    std::fs::write(dir.path().join("subjects.csv"), &csv).unwrap();
    let o = kensa(
        &[
            "ingest",
            "--db",
            "k.db",
            "--rejects",
            "rej.jsonl",
            "subjects.csv",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("stored 1"), "{}", stderr(&o));
    let r = rejects(&dir.path().join("rej.jsonl"));
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["line"], 3);
    assert_eq!(r[0]["raw"], "s2,resume,Kim, Jong,Seoul");
    assert!(r[0]["reason"].as_str().unwrap().contains("5 cells"));
    assert_eq!(r[1]["line"], 4);
    assert!(r[1]["raw"].is_null());
    // The bytes as they were: "s3,resume,M\xfcller,DE".
    assert_eq!(r[1]["raw_base64"], "czMscmVzdW1lLE38bGxlcixERQ==");
    // Kept in the database too, as the bytes read.
    let c = rusqlite::Connection::open(dir.path().join("k.db")).unwrap();
    let raw: Vec<u8> = c
        .query_row("SELECT raw FROM rejects WHERE line = 4", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, b"s3,resume,M\xfcller,DE");
}

#[test]
fn validate_rejects_a_record_id_given_twice_with_different_content() {
    let dir = tempfile::tempdir().unwrap();
    let a = r#"{"kind":"login","record_id":"r1","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4"}"#;
    let b = r#"{"kind":"login","record_id":"r1","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"5.6.7.8"}"#;
    std::fs::write(dir.path().join("in.jsonl"), format!("{a}\n{a}\n{b}\n")).unwrap();
    let o = kensa(
        &["validate", "--rejects", "rej.jsonl", "in.jsonl"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read 3 = valid 1 + repeated 1 + rejected 1"),
        "{}",
        stderr(&o)
    );
    let r = rejects(&dir.path().join("rej.jsonl"));
    assert_eq!(
        (r[0]["line"].as_u64(), r[0]["field"].as_str()),
        (Some(3), Some("record_id"))
    );
    assert!(
        r[0]["reason"].as_str().unwrap().contains("\"r1\""),
        "{}",
        r[0]
    );
    assert!(
        r[0]["raw"].as_str().unwrap().contains("5.6.7.8"),
        "{}",
        r[0]
    );
    // Exactly what ingest does with the same file.
    let o = kensa(
        &[
            "ingest",
            "--db",
            "k.db",
            "--rejects",
            "rej2.jsonl",
            "in.jsonl",
        ],
        dir.path(),
    );
    assert!(
        stderr(&o).contains("read 3 = stored 1 + duplicate 1 + rejected 1"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_refuses_a_subject_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), login("u1", 1) + "\n").unwrap();
    assert!(
        kensa(&["ingest", "--db", "k.db", "in.jsonl"], dir.path())
            .status
            .success()
    );
    let check = |subject: &str| {
        kensa(
            &[
                "check",
                "--db",
                "k.db",
                "--subject",
                subject,
                "--step",
                "DD-VIDEO-INTERVIEW",
                "--result",
                "pass",
                "--by",
                "yamada",
            ],
            dir.path(),
        )
    };
    let o = check("nobody");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no subject \"nobody\""),
        "{}",
        stderr(&o)
    );
    assert!(check("u1").status.success());
}

/// Each error line names the database and says each thing once.
fn assert_names_once(err: &str, name: &str, what: &str) {
    assert!(err.contains(name), "names {name}: {err}");
    assert_eq!(err.matches(what).count(), 1, "says {what:?} once: {err}");
}

#[test]
fn a_file_that_is_not_a_kensa_database_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), login("u1", 1) + "\n").unwrap();
    std::fs::write(
        dir.path().join("notes.db"),
        "not a database at all, just text\n".repeat(200),
    )
    .unwrap();
    let o = kensa(&["ingest", "--db", "notes.db", "in.jsonl"], dir.path());
    assert!(!o.status.success());
    assert_names_once(&stderr(&o), "notes.db", "file is not a database");

    // Another application's SQLite database gets no Kensa tables added.
    let other = dir.path().join("app.sqlite");
    let c = rusqlite::Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x');")
        .unwrap();
    drop(c);
    let o = kensa(&["ingest", "--db", "app.sqlite", "in.jsonl"], dir.path());
    assert!(!o.status.success());
    assert_names_once(&stderr(&o), "app.sqlite", "another application");
    let c = rusqlite::Connection::open(&other).unwrap();
    let tables: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "nothing was added");
}

/// Runs `script` (sh) in a private mount namespace, with a tmpfs of `size` mounted on `mnt`.
/// `None` (after saying why) where namespaces or tmpfs are not available, except under CI.
fn with_small_disk(dir: &Path, mnt: &str, size: &str, script: &str) -> Option<Output> {
    std::fs::create_dir_all(dir.join(mnt)).unwrap();
    let full = format!("mount -t tmpfs -o size={size} tmpfs {mnt} && {script}");
    let o = Command::new("unshare")
        .args(["-rm", "sh", "-c", &full])
        .current_dir(dir)
        .env("KENSA", env!("CARGO_BIN_EXE_kensa"))
        .output();
    match o {
        Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("mount:") => Some(o),
        other => {
            let why = format!("cannot mount a small tmpfs here: {other:?}");
            assert!(std::env::var("CI").is_err(), "{why}");
            println!("skipped: {why}");
            None
        }
    }
}

#[test]
fn a_scan_that_runs_out_of_disk_leaves_no_output_that_looks_complete() {
    let dir = tempfile::tempdir().unwrap();
    let o = kensa(
        &["demo", "--no-scan", "--out", "d", "--population", "60"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // The outputs do not fit: the scan fails, and nothing in the output directory looks like a
    // finished scan (no subjects, report or summary, no temporary files), nor does the evidence
    // log hold a scan.
    let Some(o) = with_small_disk(
        dir.path(),
        "small",
        "96k",
        "\"$KENSA\" scan --db k.db --out small d/input; echo \"exit=$?\"; ls -a small",
    ) else {
        return;
    };
    let out = String::from_utf8_lossy(&o.stdout);
    let err = stderr(&o);
    assert!(out.contains("exit=1"), "{out}{err}");
    assert!(err.contains("small/"), "names the file: {err}");
    for name in ["subjects.jsonl", "report.html", "scan.json", "partial"] {
        assert!(!out.contains(name), "{name} left behind: {out}");
    }
    let store = kensa_store::Store::open_existing(&dir.path().join("k.db")).unwrap();
    assert!(
        kensa_store::EvidenceStore::entries_of_type(&store, "scan")
            .unwrap()
            .is_empty()
    );

    // The database does not fit: the error names it, once.
    let Some(o) = with_small_disk(
        dir.path(),
        "tiny",
        "256k",
        "\"$KENSA\" scan --db tiny/k.db --out out2 d/input; echo \"exit=$?\"",
    ) else {
        return;
    };
    let out = String::from_utf8_lossy(&o.stdout);
    let err = stderr(&o);
    assert!(out.contains("exit=1"), "{out}{err}");
    assert_names_once(&err, "tiny/k.db", "full");
    assert!(!dir.path().join("out2/subjects.jsonl").exists());
    assert!(!dir.path().join("out2/report.html").exists());
}

#[test]
fn error_messages_name_the_file_and_say_each_thing_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), login("u1", 1) + "\n").unwrap();
    std::fs::write(
        dir.path().join("missing.toml"),
        "[[source]]\nname = \"geo\"\nkind = \"mmdb\"\npath = \"no-such.mmdb\"\n",
    )
    .unwrap();
    let o = kensa(
        &["scan", "--out", "o1", "--intel", "missing.toml", "in.jsonl"],
        dir.path(),
    );
    assert!(!o.status.success());
    assert_names_once(&stderr(&o), "no-such.mmdb", "No such file or directory");

    std::fs::write(dir.path().join("bad.txt"), "10.0.0.0/8\nnot-an-ip\n").unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[source]]\nname = \"v\"\nkind = \"cidr_list\"\nclass = \"vpn\"\npath = \"bad.txt\"\n",
    )
    .unwrap();
    let o = kensa(
        &["scan", "--out", "o2", "--intel", "bad.toml", "in.jsonl"],
        dir.path(),
    );
    assert!(!o.status.success());
    assert_names_once(&stderr(&o), "bad.txt:2", "not-an-ip");

    let o = kensa(&["ingest", "--db", "nodir/k.db", "in.jsonl"], dir.path());
    assert!(!o.status.success());
    assert_names_once(&stderr(&o), "nodir/k.db", "does not exist");
}
