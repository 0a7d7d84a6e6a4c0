//! Issue 16, whole processes: `kensa serve` in multi-node mode (PostgreSQL + NATS JetStream)
//! with 1, 2 and 4 `kensa worker`s gives the subjects.jsonl lines of an embedded `kensa scan`
//! — through the API, and in the results the workers log. Against the real servers; outside CI
//! a missing server skips with the reason printed, under `CI=true` it fails.

mod common;
use common::*;

use kensa_store::EvidenceStore;
use kensa_store::postgres::testing::test_db;
use kensa_stream::testing::nats_url;
use serde_json::Value;
use std::process::{Child, Command, Stdio};

struct Workers(Vec<Child>);
impl Drop for Workers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn through_serve_with_workers(n: u32) {
    let Some(nats) = nats_url() else { return };
    let Some(db) = test_db(&format!("cluster{n}")) else {
        return;
    };
    let stream = format!("KENSA_TEST_CLUSTER{n}_{}", std::process::id());
    let _gone =
        kensa_stream::testing::StreamGuard(nats.clone(), kensa_stream::Names::named(&stream));
    let dir = tempfile::tempdir().unwrap();

    // Embedded mode: one scan of the file.
    let (records, want) = demo_scanned(dir.path());

    // Multi-node mode: the API server and N workers.
    let accounts = dir.path().join("accounts.db");
    let partitions = n.to_string();
    let s = serve_with(
        &accounts,
        Stdio::null(),
        &[
            "--store",
            &db.url,
            "--nats",
            &nats,
            "--partitions",
            &partitions,
            "--stream",
            &stream,
            // Debug builds of five processes on two cores: generous.
            "--wait-timeout",
            "120",
        ],
    );
    let ingest = token(&accounts, "ingest");
    let analyst = token(&accounts, "analyst");
    let worker = |partition: u32, extra: &[&str]| {
        let mut c = kensa();
        c.args(["--quiet", "worker", "--store", &db.url, "--nats", &nats])
            .args([
                "--partitions",
                &partitions,
                "--partition",
                &partition.to_string(),
            ])
            .args(["--stream", &stream, "--batch", "300"])
            .args(extra);
        c
    };
    let mut workers = Workers((0..n).map(|p| worker(p, &[]).spawn().unwrap()).collect());
    let a = agent();
    // The last records arrive later by a batch import, while the workers are stopped.
    let (sent, imported) = records.split_at(records.len() - 1500);
    for chunk in sent.chunks(400) {
        let (st, v) = post(&a, &s.base, &ingest, &Value::Array(chunk.to_vec()));
        // 200: the workers stored the batch and the answer holds its subjects' results.
        assert_eq!(st, 200, "{v}");
        assert_eq!(
            v["stored"].as_u64().unwrap() + v["duplicate"].as_u64().unwrap(),
            chunk.len() as u64,
            "{v}"
        );
        assert!(!v["subjects"].as_array().unwrap().is_empty(), "{v}");
    }
    // Sent again: every record a duplicate, answered without the workers.
    let (st, v) = post(&a, &s.base, &ingest, &Value::Array(sent[..50].to_vec()));
    assert_eq!((st, v["duplicate"].as_u64()), (200, Some(50)), "{v}");

    // Operations: each partition's lag.
    let (st, ready) = get(&a, &s.base, &analyst, "/readyz");
    assert_eq!(st, 200, "{ready}");
    let parts = ready["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), n as usize, "{ready}");
    assert!(parts.iter().all(|p| p["lag"].is_u64()), "{ready}");
    let mut m = a
        .get(format!("{}/metrics", s.base))
        .header("Authorization", format!("Bearer {analyst}"))
        .call()
        .unwrap();
    let metrics = m.body_mut().read_to_string().unwrap();
    assert!(
        metrics.contains("kensa_partition_lag{partition=\"0\"}"),
        "{metrics}"
    );

    // The workers stop (SIGTERM: they finish their batch and exit); the rest of the records
    // arrives by a batch import into the shared store, which logs no result; the workers
    // start again until idle: each logs its subjects' results that the log does not hold yet.
    for c in &workers.0 {
        let st = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    }
    for c in &mut workers.0 {
        assert!(wait_for(c, 120).success());
    }
    let file = dir.path().join("imported.jsonl");
    let text: String = imported.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let out = kensa()
        .args(["--quiet", "ingest", "--store", &db.url])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: Vec<Child> = (0..n)
        .map(|p| worker(p, &["--until-idle"]).spawn().unwrap())
        .collect();
    for mut c in again {
        assert!(wait_for(&mut c, 300).success());
    }
    let pg = kensa_store::postgres::PgStore::open(&db.url).unwrap();
    let mut logged: Vec<_> = pg
        .latest_per_subject("result")
        .unwrap()
        .into_iter()
        .map(|(_, body)| result_key(&serde_json::from_slice(&body).unwrap()))
        .collect();
    logged.sort();
    assert_eq!(logged.len(), want.len());
    for (g, w) in logged.iter().zip(&want) {
        assert_eq!(g, w);
    }

    // Through the API, once the server has read the import from the log (it wakes on the
    // import's notification): the embedded scan's lines.
    let last = pg.records_after(0, usize::MAX).unwrap().last().unwrap().seq;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while get(&a, &s.base, &analyst, "/readyz").1["followed_entry"]
        .as_i64()
        .unwrap()
        < last
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not follow the import"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let got = listed(&a, &s.base, &analyst);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    let out = kensa()
        .args(["--quiet", "verify", "--store", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_worker_behind_serve_gives_the_embedded_results() {
    through_serve_with_workers(1);
}

#[test]
fn two_workers_behind_serve_give_the_embedded_results() {
    through_serve_with_workers(2);
}

#[test]
fn four_workers_behind_serve_give_the_embedded_results() {
    through_serve_with_workers(4);
}
