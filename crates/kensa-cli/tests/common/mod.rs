//! What the whole-process tests of `kensa serve` share: starting the server, tokens, HTTP.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn kensa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kensa"))
}

pub struct Serve {
    pub child: Child,
    pub base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kensa serve` on a free port and waits for its `listening on` line.
pub fn serve(db: &Path) -> Serve {
    serve_with(db, Stdio::null(), &[])
}

pub fn serve_with(db: &Path, stderr: Stdio, extra: &[&str]) -> Serve {
    let mut child = kensa()
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    Serve { child, base }
}

pub fn token(db: &Path, role: &str) -> String {
    // The database must exist before a token can be made: `serve` creates it.
    let out = kensa()
        .args([
            "token",
            "create",
            "--role",
            role,
            "--name",
            &format!("{role}-test"),
            "--db",
        ])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

pub fn post(a: &ureq::Agent, base: &str, tok: &str, body: &Value) -> (u16, Value) {
    let mut r = a
        .post(format!("{base}/v1/events"))
        .header("Authorization", format!("Bearer {tok}"))
        .send_json(body)
        .unwrap();
    let st = r.status().as_u16();
    (st, r.body_mut().read_json().unwrap_or(Value::Null))
}

pub fn get(a: &ureq::Agent, base: &str, tok: &str, path: &str) -> (u16, Value) {
    let mut r = a
        .get(format!("{base}{path}"))
        .header("Authorization", format!("Bearer {tok}"))
        .call()
        .unwrap();
    let st = r.status().as_u16();
    (st, r.body_mut().read_json().unwrap_or(Value::Null))
}

/// Subject id, score, tier, flags (see [`result_key`]).
pub type Key = (String, String, String, Vec<String>);

/// What `subjects.jsonl` and the API agree on for a subject: id, score (6 decimals), tier and
/// the sorted flags (id/detector).
pub fn result_key(v: &Value) -> Key {
    let mut flags: Vec<String> = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["id"].as_str().unwrap(),
                f["detector"].as_str().unwrap()
            )
        })
        .collect();
    flags.sort();
    (
        v["subject_id"].as_str().unwrap().to_owned(),
        format!("{:.6}", v["score"].as_f64().unwrap()),
        v["tier"].as_str().unwrap().to_owned(),
        flags,
    )
}

/// Every subject the API lists (all pages), as [`result_key`]s, sorted.
pub fn listed(a: &ureq::Agent, base: &str, tok: &str) -> Vec<Key> {
    let mut got = Vec::new();
    let mut cursor = String::new();
    loop {
        let (st, v) = get(a, base, tok, &format!("/v1/subjects?limit=500{cursor}"));
        assert_eq!(st, 200, "{v}");
        got.extend(v["items"].as_array().unwrap().iter().map(result_key));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    got.sort();
    got
}

/// The demo (a smaller population, so that a debug build streams it in seconds) written to
/// `dir/demo.jsonl` and scanned in embedded mode: its records and the scan's subjects.jsonl
/// lines as sorted [`result_key`]s.
pub fn demo_scanned(dir: &Path) -> (Vec<Value>, Vec<Key>) {
    let demo = kensa_demo::generate(&kensa_demo::DemoConfig {
        legit_subjects: 40,
        days: 20,
        ..Default::default()
    });
    let input = dir.join("demo.jsonl");
    let text: String = demo.records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&input, &text).unwrap();
    let out = kensa()
        .args(["--quiet", "scan", "--out"])
        .arg(dir.join("scan"))
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut want: Vec<_> = std::fs::read_to_string(dir.join("scan/subjects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| result_key(&serde_json::from_str(l).unwrap()))
        .collect();
    want.sort();
    (demo.records, want)
}

/// Waits for a process to end, failing the test (and killing it) after `secs` seconds: a
/// process that hangs fails the run instead of hanging it.
pub fn wait_for(child: &mut Child, secs: u64) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("process {} still running after {secs} s", child.id());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
