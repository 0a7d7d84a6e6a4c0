//! Write the demo data set as JSON Lines, one file per kind, and print a summary.
//!
//! `cargo run -p kensa-demo --example kensa-demo-gen -- OUT_DIR [SEED]`

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "kensa-demo-out".to_string());
    let seed = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(kensa_demo::DEFAULT_SEED);
    let cfg = kensa_demo::DemoConfig {
        seed,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let demo = kensa_demo::generate(&cfg);
    eprintln!(
        "generated {} records in {:?}",
        demo.records.len(),
        t.elapsed()
    );
    let paths = kensa_demo::write_jsonl_by_kind(&demo, std::path::Path::new(&dir))?;
    for kind in kensa_demo::KINDS {
        let n = demo.records.iter().filter(|r| r["kind"] == kind).count();
        println!("{kind:>18} {n:>7}");
    }
    println!("wrote {} files to {dir}", paths.len());
    for p in &demo.personas {
        let ids = if p.subject_ids.len() > 6 {
            format!("{} subjects", p.subject_ids.len())
        } else {
            p.subject_ids.join(",")
        };
        println!(
            "{:5} {:40} {ids}  {}",
            p.label,
            p.persona,
            p.expected_flags.join(" ")
        );
    }
    Ok(())
}
