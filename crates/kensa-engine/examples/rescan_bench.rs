//! Re-scoring 1% more records in a workspace that holds a stored database (issue 13: "scanning
//! 1% more records on top of that stored database").
//!
//! Opens a `Workspace` over a database written by `kensa scan` (every intel source of an intel
//! configuration and its sanctions lists, the default policy), loads and evaluates it once (the
//! cold start of a long-running process, timed apart), then submits the records of a JSONL file
//! in one batch and times `submit`: store, re-evaluate what the batch can change, append the new
//! results to the evidence log.
//!
//! Usage: rescan_bench DB INTEL_CONFIG NEW.jsonl
//! Run by bench/rescan.sh after its full scans; results in BENCHMARKS.md.

use anyhow::{Context, Result};
use kensa_engine::{EngineConfig, Workspace};
use kensa_store::{Durability, Store};
use std::io::BufRead;
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<()> {
    // KENSA_LOG=kensa::phase=debug shows each phase and detector.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("KENSA_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().collect();
    let [_, db, intel, new] = args.as_slice() else {
        anyhow::bail!("usage: rescan_bench DB INTEL_CONFIG NEW.jsonl");
    };
    let t = Instant::now();
    let intel = kensa_enrich::Intel::from_config_file(intel)
        .with_context(|| format!("loading intel {intel}"))?;
    let lists = kensa_screen::Watchlists::load(intel.sanctions_lists())?;
    let screener = kensa_screen::Screener::new(&lists);
    let cfg = EngineConfig {
        intel: Arc::new(intel),
        screener: Some((Arc::new(screener), kensa_screen::DEFAULT_THRESHOLD)),
        policy: kensa_score::Policy::default_policy(),
        policy_label: "built-in default".into(),
        policy_text: kensa_score::DEFAULT_POLICY.into(),
    };
    let config_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let store = Store::open(db.as_ref(), Durability::Full)?;
    let mut ws = Workspace::open(Box::new(store), cfg);
    let subjects = ws.live()?.ds.subjects.len();
    let load_s = t.elapsed().as_secs_f64();

    let mut records = Vec::new();
    let file = std::fs::File::open(new).with_context(|| format!("opening {new}"))?;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        let v = kensa_model::fast::validate_line(line.as_bytes())
            .map_err(|e| anyhow::anyhow!("{new}:{}: {e:?}", i + 1))?;
        records.push(v);
    }
    let n = records.len();
    let t = Instant::now();
    let done = ws.submit(records)?;
    let submit_s = t.elapsed().as_secs_f64();
    let stored = done
        .outcomes
        .iter()
        .filter(|o| matches!(o, kensa_store::Outcome::Stored))
        .count();
    println!(
        "intel + screener {config_s:.2} s; cold start (load {subjects} subjects, evaluate) {load_s:.2} s"
    );
    println!(
        "submit {n} records ({stored} new): {submit_s:.2} s; {} touched subjects re-scored, {} others changed",
        done.results.len(),
        done.also_changed.len()
    );
    Ok(())
}
