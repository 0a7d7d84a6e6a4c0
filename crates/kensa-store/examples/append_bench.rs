//! Times the store alone: validates a JSONL file (not timed) and appends it in batches of
//! `BATCH` records to a fresh database, timing only `append_records`. For profiling the
//! writer; `bench/ingest.sh` is the whole-process benchmark.
//!
//! cargo run --release -p kensa-store --example append_bench -- FILE.jsonl [DB] [BATCH]

use kensa_store::{Durability, Store};
use std::io::BufRead;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .expect("usage: append_bench FILE.jsonl [DB] [BATCH]");
    let db = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "append-bench.db".into());
    let batch: usize = args.get(3).and_then(|b| b.parse().ok()).unwrap_or(81_920);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
    // `NORMAL=1` measures without an fsync per commit.
    let durability = if std::env::var_os("NORMAL").is_some() {
        Durability::Normal
    } else {
        Durability::Full
    };
    let mut store = Store::open(db.as_ref(), durability).expect("open");
    let reader = std::io::BufReader::new(std::fs::File::open(file).expect("open input"));
    let mut pending = Vec::with_capacity(batch);
    let (mut n, mut spent) = (0usize, Duration::ZERO);
    let mut flush = |pending: &mut Vec<kensa_model::Validated>, store: &mut Store| {
        let refs: Vec<_> = pending.iter().collect();
        let t = Instant::now();
        store.append_records(&refs).expect("append");
        spent += t.elapsed();
        n += pending.len();
        pending.clear();
    };
    for line in reader.lines() {
        let line = line.expect("read");
        let v =
            kensa_model::validate_value(serde_json::from_str(&line).expect("json")).expect("valid");
        pending.push(v);
        if pending.len() == batch {
            flush(&mut pending, &mut store);
        }
    }
    if !pending.is_empty() {
        flush(&mut pending, &mut store);
    }
    println!(
        "{n} records in {:.2} s of append_records: {:.2} µs/record, {:.0} records/s",
        spent.as_secs_f64(),
        spent.as_secs_f64() * 1e6 / n as f64,
        n as f64 / spent.as_secs_f64()
    );
}
