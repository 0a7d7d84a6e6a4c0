//! Times `fast::validate_line` on one thread: the CPU cost of parse + validate per record,
//! without reading, batching or threads. The best of several passes is reported, because on a
//! shared VM the slow passes measure the neighbours.
//!
//! cargo run --release -p kensa-model --example validate_bench -- FILE.jsonl [LINES] [PASSES]

use std::io::BufRead;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .expect("usage: validate_bench FILE.jsonl [LINES] [PASSES]");
    let max: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let passes: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(7);
    let reader = std::io::BufReader::new(std::fs::File::open(file).expect("open input"));
    let lines: Vec<Vec<u8>> = reader
        .split(b'\n')
        .take(max)
        .map(|l| l.expect("read"))
        .collect();
    let mut best = f64::INFINITY;
    for _ in 0..passes {
        let t = Instant::now();
        let mut ok = 0usize;
        for l in &lines {
            ok += kensa_model::fast::validate_line(l).is_ok() as usize;
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / lines.len() as f64;
        best = best.min(ns);
        assert!(ok > 0, "no valid line");
    }
    println!(
        "{} lines, best of {passes} passes: {best:.0} ns/record on one thread ({:.2} M records/s per core)",
        lines.len(),
        1e3 / best
    );
}
