//! Shared loading of the real public lists for the acceptance tests.

#![allow(dead_code)]

use kensa_screen::{Screener, Watchlists};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The shared reference data folder, `../shared/data` next to the repository.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Returns the path when it exists, else prints why the test is skipped.
pub fn need(rel: &str) -> Option<PathBuf> {
    let p = data_dir().join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {} not found", p.display());
        None
    }
}

/// OFAC SDN (2024 sdn.csv with the 2025 alt.csv and add.csv) and the UN consolidated list,
/// loaded and indexed once for all tests.
pub fn ofac_un() -> Option<&'static (Watchlists, Screener)> {
    static LISTS: OnceLock<Option<(Watchlists, Screener)>> = OnceLock::new();
    LISTS
        .get_or_init(|| {
            let files = [
                "sanctions/ofac-sdn-2024-05-03.csv",
                "sanctions/ofac-alt-2025-12.csv",
                "sanctions/ofac-add-2025-12.csv",
                "sanctions/un-consolidated-2026-02.xml",
            ];
            let mut paths = Vec::new();
            for f in files {
                paths.push(need(f)?);
            }
            let lists = Watchlists::load(&paths).expect("the reference lists load");
            let screener = Screener::new(&lists);
            Some((lists, screener))
        })
        .as_ref()
}
