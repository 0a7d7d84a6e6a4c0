//! Screens names read from standard input against the list files given as arguments and prints
//! one JSON line per name: `cargo run --example screen_cli -- sdn.csv alt.csv un.xml < names.txt`.
//! Set `THRESHOLD` to change the threshold.

use kensa_screen::{DEFAULT_THRESHOLD, Query, Screener, Watchlists};
use std::io::BufRead;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let threshold = std::env::var("THRESHOLD")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(DEFAULT_THRESHOLD);
    let lists = Watchlists::load(&paths)?;
    for s in lists.summary() {
        eprintln!("{}", serde_json::to_string(&s)?);
    }
    let screener = Screener::new(&lists);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let ms = screener.screen(&Query::name(line.trim()), threshold);
        println!(
            "{}",
            serde_json::json!({"query": line.trim(), "matches": ms})
        );
    }
    Ok(())
}
