//! Sanctions and watch-list screening of names, entities and crypto-currency wallets across
//! scripts, for Kensa's red flag `RF-SANCTIONED`.
//!
//! Paying or hiring a sanctioned person or front company is the legal risk behind DPRK IT-worker
//! schemes. A listed North Korean name reaches a compliance team written the way a fake profile,
//! a bank form or a Japanese document writes it: `Ri Yong-chol`, `LEE YOUNG CHEOL`, `리영철`,
//! `リ・ヨンチョル`. This crate finds such names without burying analysts in false matches.
//!
//! # Lists
//!
//! [`Watchlists::load`] reads any mix of
//!
//! * OFAC `sdn.csv`, `alt.csv` and `add.csv` (joined by `ent_num`; alias and address rows whose
//!   `ent_num` is not in `sdn.csv` are counted as orphans, not rejected). Dates of birth,
//!   nationalities, `a.k.a.` names and `Digital Currency Address` wallets are read from the
//!   remarks column;
//! * the UN Security Council consolidated list XML (`INDIVIDUAL` and `ENTITY`; `DATAID` is the
//!   entry id, `UN_LIST_TYPE` the programme, `REFERENCE_NUMBER` the reference);
//! * OpenSanctions FollowTheMoney JSON lines (`Person`, `Company`, `Organization`,
//!   `LegalEntity`; `topics` become programmes);
//! * a simple CSV for a team's own list, with the header
//!   `id,name,aliases,birth_date,nationality,wallets,programs` and `|`-joined lists.
//!
//! The format of each file is recognised from its content, never from its name.
//!
//! # Matching
//!
//! Every name is cut into tokens. Latin tokens are lower-cased and stripped of diacritics and
//! apostrophes; Hangul syllables are romanised; kana are romanised with Hepburn, plus a
//! "Korean-style" reading for Korean names written in katakana; Han characters are read in
//! Korean, Mandarin and Japanese from an embedded Unihan-derived table (each reading family
//! scored separately). Each token has a *skeleton* that merges romanisation variants
//! (`Yong`/`Young`/`Yeong`, `Chol`/`Cheol`/`Chul`, `Ri`/`Lee`/`Yi`/`Rhee`, `Sato`/`Satou`...).
//! Legal forms (`CO LTD`, `CORP`, `株式会社`, `주식회사`...) are weak tokens that weigh little and
//! can never make a match on their own.
//!
//! An index from skeletons, skeletons of joined neighbouring tokens and one-letter deletions to
//! names finds candidates without comparing a query with every entry. Candidates are aligned
//! token by token (order-independent, best pairs first, one query token may match two or three
//! joined entry tokens and vice versa) and scored as the weighted share of both names that is
//! matched; see [`DEFAULT_THRESHOLD`] and `docs/screening.md`. A date of birth or a country,
//! when given, moves the score by a few points only.
//!
//! # Example
//!
//! ```
//! use kensa_screen::{Entry, Query, Screener, Watchlists, DEFAULT_THRESHOLD};
//!
//! let entry = Entry {
//!     list: "OFAC-SDN".into(),
//!     id: "12211".into(),
//!     name: "KIM, Yong Chol".into(),
//!     programs: vec!["DPRK".into()],
//!     ..Entry::default()
//! };
//! let lists = Watchlists::from_entries(vec![entry]);
//! let screener = Screener::new(&lists);
//! for name in ["Kim Young-Cheol", "김영철", "キム・ヨンチョル", "YONGCHOL GIM"] {
//!     let found = screener.screen(&Query::name(name), DEFAULT_THRESHOLD);
//!     assert_eq!(found[0].entry_id, "12211", "{name}");
//! }
//! assert!(screener.screen(&Query::name("Kim Min-jun"), DEFAULT_THRESHOLD).is_empty());
//! ```

mod analyse;
mod error;
pub mod korkana;
mod load;
mod model;
mod screen;
mod text;
pub mod translit;

pub use error::ScreenError;
pub use load::{FTM_LIST, OFAC_LIST, UN_LIST};
pub use model::{
    Address, BirthDate, EntityKind, Entry, ListFormat, ListSummary, Wallet, country_code,
    gender_code,
};
pub use screen::{Evidence, Match, Query, Screener, TokenMatch, WalletMatch};
pub use text::expand_abbreviation;

use serde::Serialize;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// The default score a match must reach to be reported.
///
/// 0.85 is chosen so that a full name matched through romanisation variants (each token 0.95),
/// a native-script rendering (0.9–1.0), or a full name with one small typo passes, while a name
/// that shares only its surname, or two of three tokens, with a listed name (at most about 0.7)
/// does not. On the acceptance samples it finds every DPRK entry of the OFAC SDN list from each
/// of its names, and none of 55 ordinary Korean, Japanese and Chinese names matches a DPRK entry.
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// Loaded watch lists.
#[derive(Debug, Clone, Default)]
pub struct Watchlists {
    entries: Vec<Entry>,
    summaries: Vec<ListSummary>,
}

impl Watchlists {
    /// Loads the given files, recognising each format from its content. OFAC `sdn.csv`,
    /// `alt.csv` and `add.csv` given together are joined by `ent_num`.
    pub fn load(paths: &[PathBuf]) -> Result<Watchlists, ScreenError> {
        let (entries, summaries) = load::load_all(paths)?;
        Ok(Watchlists { entries, summaries })
    }

    /// Builds watch lists from entries made in code (tests, lists from other sources).
    pub fn from_entries(entries: Vec<Entry>) -> Watchlists {
        let mut lists: Vec<String> = Vec::new();
        for e in &entries {
            if !lists.contains(&e.list) {
                lists.push(e.list.clone());
            }
        }
        let summaries = lists
            .iter()
            .map(|l| {
                let es: Vec<&Entry> = entries.iter().filter(|e| &e.list == l).collect();
                ListSummary {
                    list: l.clone(),
                    format: ListFormat::CustomCsv,
                    files: Vec::new(),
                    entries: es.len(),
                    aliases: es.iter().map(|e| e.aliases.len()).sum(),
                    weak_aliases: es.iter().map(|e| e.weak_aliases.len()).sum(),
                    wallets: es.iter().map(|e| e.wallets.len()).sum(),
                    orphans: 0,
                    skipped: 0,
                }
            })
            .collect();
        Watchlists { entries, summaries }
    }

    /// One summary per loaded list.
    pub fn summary(&self) -> Vec<ListSummary> {
        self.summaries.clone()
    }

    /// Every loaded entry.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// Counts from one [`run_screen`] call.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ScreenStats {
    /// Queries screened (non-empty input lines).
    pub queries: usize,
    /// Queries with at least one match.
    pub matched: usize,
    /// Matches written over all queries.
    pub matches: usize,
}

#[derive(Serialize)]
struct OutputLine<'a> {
    query: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    matches: &'a [Match],
}

/// Parses one input line: a JSON object (`{"name":..., "birth_date":..., "country":...}`) when
/// it starts with `{`, else a plain name. Returns `None` for blank lines.
fn parse_line(path: &Path, line_no: u64, line: &str) -> Result<Option<Query>, ScreenError> {
    let t = line.trim().trim_start_matches('\u{feff}');
    if t.is_empty() {
        return Ok(None);
    }
    if t.starts_with('{') {
        let q: Query = serde_json::from_str(t)
            .map_err(|e| ScreenError::parse(path, line_no, format!("bad JSON query: {e}")))?;
        if q.name.trim().is_empty() {
            return Err(ScreenError::parse(
                path,
                line_no,
                "JSON query has an empty \"name\"",
            ));
        }
        return Ok(Some(q));
    }
    Ok(Some(Query::name(t)))
}

/// Screens every name in `input` against `lists` and writes one JSON line per query, in input
/// order: `{"query": ..., "matches": [{"list", "entry_id", "matched_name", "score", "programs",
/// "explanation", ...}]}`, best match first. Input lines are names, or JSON objects with `name`
/// and optional `birth_date` and `country`, recognised line by line; blank lines are skipped.
/// A malformed JSON line stops the run with an error naming the file and line.
pub fn run_screen(
    input: &Path,
    lists: &Watchlists,
    threshold: f64,
    out: &mut dyn Write,
) -> Result<ScreenStats, ScreenError> {
    let screener = Screener::new(lists);
    run_screen_with(input, &screener, threshold, out)
}

/// Like [`run_screen`], with an index built beforehand (to screen several inputs).
pub fn run_screen_with(
    input: &Path,
    screener: &Screener,
    threshold: f64,
    out: &mut dyn Write,
) -> Result<ScreenStats, ScreenError> {
    const CHUNK: usize = 8192;
    let file = std::fs::File::open(input).map_err(|e| ScreenError::io(input, e))?;
    let reader = std::io::BufReader::new(file);
    let mut stats = ScreenStats::default();
    let mut batch: Vec<Query> = Vec::with_capacity(CHUNK);
    let flush = |batch: &mut Vec<Query>,
                 stats: &mut ScreenStats,
                 out: &mut dyn Write|
     -> Result<(), ScreenError> {
        let results = screener.screen_batch(batch, threshold);
        for (q, ms) in batch.iter().zip(&results) {
            let line = OutputLine {
                query: &q.name,
                birth_date: q.birth_date.as_deref(),
                country: q.country.as_deref(),
                matches: ms,
            };
            let json = serde_json::to_string(&line)
                .map_err(|e| ScreenError::Output(std::io::Error::other(e)))?;
            writeln!(out, "{json}").map_err(ScreenError::Output)?;
            stats.queries += 1;
            stats.matches += ms.len();
            if !ms.is_empty() {
                stats.matched += 1;
            }
        }
        batch.clear();
        Ok(())
    };
    for (i, line) in reader.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| ScreenError::Parse {
            path: input.to_path_buf(),
            line: line_no,
            message: format!("cannot read line: {e}"),
        })?;
        if let Some(q) = parse_line(input, line_no, &line)? {
            batch.push(q);
        }
        if batch.len() >= CHUNK {
            flush(&mut batch, &mut stats, out)?;
        }
    }
    flush(&mut batch, &mut stats, out)?;
    out.flush().map_err(ScreenError::Output)?;
    Ok(stats)
}

/// A one-entry sample used when no sanctions list is configured (the offline demo): the public
/// OFAC SDN entry 43377 "KIM, Sang Man" (programme DPRK4) with its listed Ethereum address.
/// It is **not** a sanctions list; load the real lists for any real screening (docs/screening.md).
pub fn builtin_sample() -> Watchlists {
    Watchlists::from_entries(vec![Entry {
        list: "OFAC-SDN (built-in sample)".into(),
        id: "43377".into(),
        kind: EntityKind::Individual,
        name: "KIM, Sang Man".into(),
        aliases: vec!["KIM, Sang-man".into(), "김상만".into()],
        programs: vec!["DPRK4".into()],
        wallets: vec![Wallet {
            currency: "ETH".into(),
            address: "0x97b1043abd9e6fc31681635166d430a458d14f9c".into(),
        }],
        ..Default::default()
    }])
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn builtin_sample_matches_its_name_and_wallet() {
        let s = Screener::new(&builtin_sample());
        let m = s.screen(&Query::name("KIM SANG MAN"), DEFAULT_THRESHOLD);
        assert_eq!(
            m.first().map(|m| m.entry_id.as_str()),
            Some("43377"),
            "{m:?}"
        );
        assert_eq!(
            s.screen_wallet("0x97b1043abd9e6fc31681635166d430a458d14f9c")
                .len(),
            1
        );
        assert!(
            s.screen(&Query::name("Sato Yuki"), DEFAULT_THRESHOLD)
                .is_empty()
        );
    }
}
