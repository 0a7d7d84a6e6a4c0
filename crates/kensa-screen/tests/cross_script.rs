//! The cross-script pairs published with Watchman: each query must find its expected name.
//! Arabic, Hebrew and Thai are out of scope: their scripts omit or reorder vowels, so a
//! table-driven transliteration cannot produce the conventional Latin spelling; they need a
//! dictionary or a model (see docs/screening.md).

mod common;

use kensa_screen::{DEFAULT_THRESHOLD, Entry, Query, Screener, Watchlists};

fn out_of_scope(q: &str) -> bool {
    q.chars().any(|c| matches!(c, '\u{0590}'..='\u{05FF}' | '\u{0600}'..='\u{06FF}' | '\u{0E00}'..='\u{0E7F}'))
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn cross_script_pairs_in_scope_are_found() {
    let Some(path) = common::need("sanctions/cross-script-pairs.csv") else {
        return;
    };
    let text = std::fs::read_to_string(path).expect("pairs file");
    let (mut in_scope, mut skipped, mut misses) = (0, 0, Vec::new());
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split(',').collect();
        let (query, expected) = (cols[0], cols[1]);
        if out_of_scope(query) {
            skipped += 1;
            continue;
        }
        in_scope += 1;
        let entry = Entry {
            list: "pairs".into(),
            id: "1".into(),
            name: expected.into(),
            ..Entry::default()
        };
        let screener = Screener::new(&Watchlists::from_entries(vec![entry]));
        let ms = screener.screen(&Query::name(query), 0.0);
        let score = ms.first().map(|m| m.score).unwrap_or(0.0);
        println!("{query} -> {expected}: {score}");
        if score < DEFAULT_THRESHOLD {
            misses.push(format!("{query} -> {expected}: {score}"));
        }
    }
    println!("{in_scope} pairs in scope, {skipped} out of scope");
    assert!(in_scope >= 15);
    assert!(misses.is_empty(), "missed: {misses:#?}");
}
