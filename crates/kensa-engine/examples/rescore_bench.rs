//! Re-scoring latency: one new login for one subject, on a workspace holding N subjects.
//!
//! Builds a synthetic population (fixed seed) of N subjects — a profile, a contract, a payout
//! account and a few logins each, every tenth subject sharing a home IP with a neighbour so
//! that the identifier graph has edges, every fourth reviewed by one of 97 clients — stores it through one `Workspace`, then submits
//! `--logins` single-login batches for random subjects and prints the p50/p90/p99/max latency of
//! `submit` (store commit + incremental re-evaluation + result entries).
//!
//! Usage: rescore_bench N [LOGINS] [full|normal]   (defaults: 200 logins, normal durability)
//! Run by bench/rescore.sh; results in BENCHMARKS.md. All data is synthetic.

use kensa_engine::{EngineConfig, Workspace};
use kensa_model::Validated;
use kensa_store::{Durability, Store};
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const COUNTRIES: [&str; 6] = ["US", "JP", "DE", "GB", "CA", "AU"];

fn ip(rng: &mut Rng) -> String {
    // Addresses inside the ranges of the built-in intel sample's residential networks would be
    // ideal; any public-looking address works for latency.
    let x = rng.next();
    format!(
        "{}.{}.{}.{}",
        11 + (x % 180),
        (x >> 8) % 256,
        (x >> 16) % 256,
        1 + (x >> 24) % 250
    )
}

fn v(j: serde_json::Value) -> Validated {
    kensa_model::validate_value(j).expect("synthetic record validates")
}

/// The records of subjects `from..to` (the first of each ten shares the previous subject's
/// home address, carried in `prev_home`).
fn population(from: usize, to: usize, prev_home: &mut String, rng: &mut Rng) -> Vec<Validated> {
    let mut out = Vec::with_capacity((to - from) * 7);
    for i in from..to {
        let id = format!("s{i:07}");
        let cc = COUNTRIES[i % COUNTRIES.len()];
        out.push(v(serde_json::json!({
            "kind": "subject", "subject_id": id, "source": "platform",
            "display_name": format!("Person {i}"), "claimed_country": cc,
            "emails": [format!("p{i}@example.com")],
            "skills": ["rust"], "hourly_rate": {"amount": 40 + (i % 60), "currency": "USD"}
        })));
        out.push(v(serde_json::json!({
            "kind": "contract", "subject_id": id, "at": "2026-08-01T00:00:00Z",
            "client_id": format!("c{}", i % 97)
        })));
        out.push(v(serde_json::json!({
            "kind": "payout_account", "subject_id": id, "at": "2026-08-02T00:00:00Z",
            "account_id": format!("acct-{i}"), "method": "bank",
            "bank": {"country": cc, "account_number": format!("{:010}", i)}
        })));
        let home = if i % 10 == 1 {
            prev_home.clone()
        } else {
            ip(rng)
        };
        for k in 0..4 {
            out.push(v(serde_json::json!({
                "kind": "login", "subject_id": id,
                "at": format!("2026-09-{:02}T{:02}:00:00Z", 1 + k * 3, 9 + (i % 8)),
                "ip": if k == 3 { ip(rng) } else { home.clone() },
                "device_id": format!("d{i}")
            })));
        }
        // Every fourth subject has a client's review (so that `review_manipulation` has a
        // population to keep), from the client's own address.
        if i % 4 == 0 {
            let c = i % 97;
            out.push(v(serde_json::json!({
                "kind": "review", "subject_id": id, "reviewer_id": format!("c{c}"),
                "at": "2026-09-20T12:00:00Z", "rating": 5, "max_rating": 5,
                "reviewer_ip": format!("203.0.113.{}", 1 + c)
            })));
        }
        *prev_home = home;
    }
    out
}

fn main() {
    // KENSA_LOG=kensa::phase=debug shows each batch's detector times.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("KENSA_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let logins: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let durability = match args.get(3).map(String::as_str) {
        Some("full") => Durability::Full,
        _ => Durability::Normal,
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("bench.db"), durability).expect("store");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    // The cold start of a server: the population is stored (generated 25k subjects at a time,
    // so that the benchmark itself does not hold it all), collected into a data set as it is
    // stored, and evaluated once.
    let mut total = 0;
    let mut prev_home = String::new();
    let mut builder = kensa_detect::DatasetBuilder::new();
    let t = Instant::now();
    for from in (0..n).step_by(25_000) {
        let recs = population(from, (from + 25_000).min(n), &mut prev_home, &mut rng);
        total += recs.len();
        let refs: Vec<&Validated> = recs.iter().collect();
        store.append_records(&refs).expect("initial load");
        for v in recs {
            builder.add(v.record_id, v.record);
        }
    }
    let (ds, side) = builder.build();
    // As `kensa serve` does: checkpoints on a thread of their own, not inside a commit (an
    // autocheckpoint inside one commit took ~110 ms of that login's latency).
    let _checkpointer = store.checkpoint_in_background().expect("checkpointer");
    let mut ws = Workspace::with_dataset(Box::new(store), EngineConfig::builtin(), ds, side);
    let load = t.elapsed();
    eprintln!(
        "{n} subjects, {total} records stored and evaluated in {:.1} s ({durability:?} durability; cold start: store, collect, evaluate once)",
        load.as_secs_f64()
    );
    let mut lat: Vec<f64> = Vec::with_capacity(logins);
    let mut also = 0usize;
    for k in 0..logins {
        let i = (rng.next() % n as u64) as usize;
        let rec = v(serde_json::json!({
            "kind": "login", "subject_id": format!("s{i:07}"),
            "at": format!("2026-10-{:02}T{:02}:{:02}:00Z", 1 + k % 28, k % 24, k % 60),
            // Half the new logins come from the subject's known device and a new address.
            "ip": ip(&mut rng), "device_id": format!("d{i}")
        }));
        let t = Instant::now();
        let done = ws.submit(vec![rec]).expect("submit");
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        also += done.also_changed.len();
    }
    report(n, "new address", &mut lat, also);

    // Logins from an address another subject already uses (a shared flat, an office, a
    // laptop farm): the identifier graph gains an edge.
    let shared = (logins / 10).max(5);
    let mut lat: Vec<f64> = Vec::with_capacity(shared);
    let mut also = 0usize;
    for k in 0..shared {
        let i = (rng.next() % n as u64) as usize;
        let j = (i + 1 + (rng.next() % (n as u64 - 1)) as usize) % n;
        let other = ws.records(&format!("s{j:07}")).expect("records");
        let ip = other
            .iter()
            .find(|r| r.kind == "login")
            .and_then(|r| r.record["ip"].as_str().map(str::to_owned))
            .expect("every subject has logins");
        let rec = v(serde_json::json!({
            "kind": "login", "subject_id": format!("s{i:07}"),
            "at": format!("2026-11-{:02}T{:02}:00:00Z", 1 + k % 28, k % 24),
            "ip": ip, "device_id": format!("d{i}")
        }));
        let t = Instant::now();
        let done = ws.submit(vec![rec]).expect("submit");
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        also += done.also_changed.len();
    }
    report(n, "shared address", &mut lat, also);
}

fn report(n: usize, what: &str, lat: &mut [f64], also: usize) {
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "subjects {n:>8}  logins {:>4} from a {what:<14}  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (other subjects re-scored: {also})",
        lat.len(),
        q(0.5),
        q(0.9),
        q(0.99),
        lat[lat.len() - 1]
    );
}
