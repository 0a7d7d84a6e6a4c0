//! Issue 15, end to end in a real browser: `kensa serve` over the demo data, then
//! `web/e2e/run.mjs` drives Debian's headless Chromium through the analyst's day (sign in,
//! filter the queue, a critical subject's page with its four pictures, 日本語, a case, a check
//! with an attachment, approval refused, a lead's override, closing the case, the chain still
//! verifying) and runs axe-core on the queue and subject pages. Screenshots of every step go to
//! `target/e2e-shots/`.
//!
//! Needs Node.js, `/usr/bin/chromium` and `web/node_modules` (`npm ci` in `web/`); `.ci/run`
//! installs them. Outside CI a missing one skips the test with the reason printed; under
//! `CI=true` it fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::{kensa, serve};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no Node.js (node) on PATH".into());
    }
    if !root().join("web/node_modules/playwright-core").exists() {
        return Some("web/node_modules is missing (run `npm ci` in web/)".into());
    }
    None
}

fn user(db: &Path, name: &str, role: &str, password: &str) {
    let mut child = kensa()
        .args([
            "user",
            "create",
            "--name",
            name,
            "--role",
            role,
            "--password-stdin",
            "--db",
        ])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn an_analyst_and_a_lead_work_a_critical_case_in_the_browser() {
    if let Some(why) = missing() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test cannot run under CI=true: {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = kensa()
        .args(["--quiet", "demo", "--no-scan", "--out"])
        .arg(dir.path().join("demo"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = dir.path().join("k.db");
    let out = kensa()
        .args(["--quiet", "scan", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(dir.path().join("scan"))
        .arg(dir.path().join("demo/input"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    user(&db, "aiko", "analyst", "correct horse battery");
    user(&db, "kenji", "lead", "staple lead password");
    let tok = kensa()
        .args([
            "token",
            "create",
            "--role",
            "auditor",
            "--name",
            "e2e-auditor",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert!(tok.status.success());
    let token = String::from_utf8(tok.stdout).unwrap().trim().to_owned();

    let server = serve(&db);
    let base = server.base.clone();
    let shots = root().join("target/e2e-shots");
    let res = Command::new("node")
        .arg(root().join("web/e2e/run.mjs"))
        .env("KENSA_URL", &base)
        .env("KENSA_ANALYST", "aiko:correct horse battery")
        .env("KENSA_LEAD", "kenji:staple lead password")
        .env("KENSA_AUDITOR_TOKEN", &token)
        .env("KENSA_SHOTS", &shots)
        .env("KENSA_REPORT", dir.path().join("scan/report.html"))
        .env("KENSA_SUBJECTS", dir.path().join("scan/subjects.jsonl"))
        .output()
        .unwrap();
    drop(server);
    let stdout = String::from_utf8_lossy(&res.stdout);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        res.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all steps passed"), "{stdout}");
    eprintln!("{stdout}");
}
