//! `kensa demo`: generate the synthetic data set, scan it, show where the report is and how
//! each persona fared against its ground truth.

use crate::{print_scan, progress};
use anyhow::{Context, Result, bail};
use kensa_engine::ScanOptions;
use kensa_report::Bi;
use kensa_store::{Durability, Store};
use std::path::PathBuf;
use std::process::ExitCode;

/// Marks a directory as written by `kensa demo`, so that a re-run may replace its contents.
const DEMO_MARKER: &str = ".kensa-demo";

/// How much to generate.
pub struct Size {
    /// Ordinary legitimate freelancers (personas and look-alikes come on top).
    pub population: usize,
    /// Length of the observation window in days.
    pub days: u32,
}

pub fn run(
    out: PathBuf,
    size: Size,
    seed: Option<u64>,
    no_scan: bool,
    quiet: bool,
    progress: &progress::Bar,
) -> Result<ExitCode> {
    let seed = seed.unwrap_or(kensa_demo::DEFAULT_SEED);
    if out.exists() {
        let is_demo = out.join(DEMO_MARKER).exists();
        let is_empty = std::fs::read_dir(&out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !is_demo && !is_empty {
            bail!(
                "{} exists and was not written by `kensa demo`; choose another --out",
                out.display()
            );
        }
        // A fresh demo each time: the previous run's database would mix two seeds.
        for name in ["kensa.db", "kensa.db-wal", "kensa.db-shm", "input"] {
            let p = out.join(name);
            if p.is_dir() {
                std::fs::remove_dir_all(&p).with_context(|| format!("removing {}", p.display()))?;
            } else if p.exists() {
                std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join(DEMO_MARKER), "written by kensa demo\n")?;

    let cfg = kensa_demo::DemoConfig {
        seed,
        legit_subjects: size.population,
        days: size.days,
        ..Default::default()
    };
    let data = kensa_demo::generate(&cfg);
    let input = out.join("input");
    kensa_demo::write_jsonl_by_kind(&data, &input)
        .with_context(|| format!("writing {}", input.display()))?;
    if !quiet {
        eprintln!(
            "SYNTHETIC DATA: generated {} records for {} personas (seed {seed}) in {}",
            data.records.len(),
            data.personas.len(),
            input.display()
        );
        if no_scan {
            eprintln!("All people, accounts and events are invented. Not scanned (--no-scan).");
        } else {
            eprintln!(
                "All people, accounts and events are invented; IP data comes from Kensa's small built-in sample."
            );
        }
    }
    if no_scan {
        println!("{}", input.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut store = Store::open(&out.join("kensa.db"), Durability::Normal)?;
    let summary = kensa_engine::scan(
        &mut store,
        ScanOptions {
            out_dir: out.clone(),
            inputs: vec![input],
            engine: kensa_engine::EngineConfig::builtin().into(),
            title: "Kensa demo report / 検査デモレポート (synthetic data / 合成データ)".into(),
            limits: kensa_engine::Limits::default(),
            logs: Default::default(),
            notices: vec![Bi::new(
                format!(
                    "SYNTHETIC DATA. Every person, account and event in this report was invented by `kensa demo` (seed {seed}); IP intelligence comes from Kensa's small built-in sample, not from real databases."
                ),
                format!(
                    "合成データです。このレポートの人物・アカウント・イベントはすべて `kensa demo`（シード {seed}）が生成した架空のものです。IP情報は実データベースではなく Kensa 内蔵の小さなサンプルによるものです。"
                ),
            )],
            progress,
        },
    )?;
    print_scan(&summary, quiet);
    if !quiet {
        // Ground truth is known for demo data: show how each persona fared.
        let results: Vec<kensa_model::finding::SubjectResult> =
            std::fs::read_to_string(&summary.subjects_path)?
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
        let by_id: std::collections::HashMap<&str, &kensa_model::finding::SubjectResult> =
            results.iter().map(|r| (r.subject_id.as_str(), r)).collect();
        eprintln!();
        eprintln!(
            "{:<44} {:<6} {:>6}  tiers of its subjects (synthetic ground truth)",
            "persona", "label", "best"
        );
        for p in &data.personas {
            if p.label == "legit" && p.persona.starts_with("ordinary") {
                continue;
            }
            let mut best = 0.0f64;
            let mut tiers = Vec::new();
            for sid in &p.subject_ids {
                if let Some(r) = by_id.get(sid.as_str()) {
                    best = best.max(r.score);
                    tiers.push(r.tier.as_str());
                }
            }
            eprintln!(
                "{:<44} {:<6} {:>6.1}  {}",
                p.persona,
                p.label,
                best,
                tiers.join(" ")
            );
            // For personas with expected red flags, name any that no subject of it raised.
            let raised: std::collections::BTreeSet<&str> = p
                .subject_ids
                .iter()
                .filter_map(|sid| by_id.get(sid.as_str()))
                .flat_map(|r| r.flags.iter().map(|f| f.id.as_str()))
                .collect();
            let missing: Vec<&str> = p
                .expected_flags
                .iter()
                .map(String::as_str)
                .filter(|f| !raised.contains(f))
                .collect();
            if !missing.is_empty() {
                eprintln!("{:<44} expected but not raised: {}", "", missing.join(", "));
            }
        }
        eprintln!();
        eprintln!("Open the report in a browser:");
    }
    println!("{}", summary.report_path.display());
    Ok(ExitCode::SUCCESS)
}
