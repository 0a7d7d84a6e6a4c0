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

/// A webhook receiver on an ephemeral port (plain HTTP/1.1 over std): answers 200 and hands
/// each request's signature header and body to the test.
fn receiver() -> (String, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(conn) = conn else { return };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn);
                loop {
                    let (mut len, mut sig, mut line) = (0usize, String::new(), String::new());
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        line.clear();
                        r.read_line(&mut line).unwrap();
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        let (k, v) = l.split_once(':').unwrap();
                        match k.to_ascii_lowercase().as_str() {
                            "content-length" => len = v.trim().parse().unwrap(),
                            "kensa-signature" => sig = v.trim().to_owned(),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).unwrap();
                    let _ = tx.send((sig, body));
                    let _ = r
                        .get_mut()
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                }
            });
        }
    });
    (url, rx)
}

/// `?wait=false` (or a batch larger than the server waits for) is answered 202 once the
/// records are durable in JetStream; what the workers then find arrives by webhook, signed.
#[test]
fn batches_answered_202_deliver_their_results_by_webhook() {
    let Some(nats) = nats_url() else { return };
    let Some(db) = test_db("cluster_hook") else {
        return;
    };
    let stream = format!("KENSA_TEST_CLUSTERHOOK_{}", std::process::id());
    let _gone =
        kensa_stream::testing::StreamGuard(nats.clone(), kensa_stream::Names::named(&stream));
    let dir = tempfile::tempdir().unwrap();
    let (records, want) = demo_scanned(dir.path());
    let critical: std::collections::BTreeSet<String> = want
        .iter()
        .filter(|k| k.2 == "critical")
        .map(|k| k.0.clone())
        .collect();
    assert!(!critical.is_empty());
    let (url, hooks) = receiver();
    let secret = b"cluster-webhook-secret-0123456789";
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, secret).unwrap();
    let accounts = dir.path().join("accounts.db");
    let s = serve_with(
        &accounts,
        Stdio::null(),
        &[
            "--store",
            &db.url,
            "--nats",
            &nats,
            "--stream",
            &stream,
            "--webhook",
            &url,
            "--webhook-secret-file",
            secret_file.to_str().unwrap(),
        ],
    );
    let ingest = token(&accounts, "ingest");
    let mut worker = Workers(vec![
        kensa()
            .args(["--quiet", "worker", "--store", &db.url, "--nats", &nats])
            .args(["--partitions", "1", "--partition", "0", "--stream", &stream])
            .spawn()
            .unwrap(),
    ]);
    let a = agent();
    for (i, chunk) in records.chunks(2000).enumerate() {
        // Every other batch says so; the others are larger than the server waits for.
        let path = if i % 2 == 0 || chunk.len() <= 1000 {
            "?wait=false"
        } else {
            ""
        };
        let mut r = a
            .post(format!("{}/v1/events{path}", s.base))
            .header("Authorization", format!("Bearer {ingest}"))
            .send_json(Value::Array(chunk.to_vec()))
            .unwrap();
        let st = r.status().as_u16();
        let v: Value = r.body_mut().read_json().unwrap();
        let counts = (
            st,
            v["stored"].as_u64(),
            v["subjects"].as_array().map(Vec::len),
        );
        assert_eq!(counts, (202, Some(chunk.len() as u64), Some(0)));
    }
    // Every subject the embedded scan finds critical is announced, with a valid signature.
    let mut announced = std::collections::BTreeSet::new();
    while !critical.is_subset(&announced) {
        let (sig, body) = hooks
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("announced {announced:?} of {critical:?}"));
        let t: i64 = sig
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(sig, kensa_server::webhooks::sign(secret, t, &body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        if v["type"] == "subject.critical" {
            announced.insert(v["data"]["subject_id"].as_str().unwrap().to_owned());
        }
    }
    worker.0[0].kill().unwrap();
    worker.0[0].wait().unwrap();

    // The operator's view of the stream, and its deletion once drained.
    let out = kensa()
        .args(["stream", "status", "--nats", &nats, "--partitions", "1"])
        .args(["--stream", &stream])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success() && text.lines().nth(1).is_some_and(|l| l.starts_with("0\t")),
        "{text}"
    );
    let out = kensa()
        .args([
            "--quiet", "stream", "delete", "--nats", &nats, "--stream", &stream,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kensa()
        .args(["stream", "delete", "--nats", &nats, "--stream", &stream])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a deleted stream is gone");
}
