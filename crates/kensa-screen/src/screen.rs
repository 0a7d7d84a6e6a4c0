//! The screening index and the scoring model.

use crate::analyse::{Origin, Tok, analyse};
use crate::model::{BirthDate, EntityKind, Entry, country_code};
use crate::text::{loose, skeleton};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher for the index (the FxHash mixing function).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A name to screen, with optional secondary evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// The name in any script.
    pub name: String,
    /// A date of birth (`1960-01-15`, `1960`, `15 Jan 1960`).
    #[serde(default)]
    pub birth_date: Option<String>,
    /// A country of nationality or residence (ISO 3166-1 alpha-2 or an English name).
    #[serde(default)]
    pub country: Option<String>,
    /// Sex as a document states it: `M` or `F` (also `male`/`female`).
    #[serde(default)]
    pub gender: Option<String>,
}

impl Query {
    /// A query with a name only.
    pub fn name(name: impl Into<String>) -> Query {
        Query {
            name: name.into(),
            gender: None,
            ..Query::default()
        }
    }
}

/// How one query token was paired with one entry token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenMatch {
    /// The query token(s) as written.
    pub query: String,
    /// The entry token(s), normalised.
    pub entry: String,
    /// How they matched: `exact`, `korean_variant`, `romanisation_variant`, `joined`, `fuzzy`,
    /// `initial`, `weak`, or the script the query token was read from (`hangul`, `kana`,
    /// `han_korean`, `han_mandarin`, `han_japanese`, `transliteration`).
    pub how: &'static str,
    /// The token similarity, 0–1.
    pub score: f64,
}

/// One list entry that matched a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The list name (`OFAC-SDN`, `UN-SC`, `OpenSanctions`, or a custom list's file stem).
    pub list: String,
    /// The list's own identifier (OFAC `ent_num`, UN `DATAID`...).
    pub entry_id: String,
    /// The listed name (primary or alias) that matched best.
    pub matched_name: String,
    /// The entry's primary name.
    pub primary_name: String,
    /// The final score, 0–1: the name score adjusted by secondary evidence.
    pub score: f64,
    /// The name similarity alone, 0–1.
    pub name_score: f64,
    /// The entry's sanctions programmes.
    pub programs: Vec<String>,
    /// A secondary reference such as the UN reference number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Person, entity, vessel or aircraft.
    pub kind: EntityKind,
    /// Token-by-token explanation of the name score.
    pub explanation: Vec<TokenMatch>,
    /// Secondary evidence applied (`birth_date_exact`, `birth_year_match`, `birth_year_mismatch`,
    /// `birth_decades_apart` — every listed date at least [`NAMESAKE_YEARS`] years from the
    /// query's —, `gender_mismatch`, `country_match`, `country_mismatch`), each with its score
    /// adjustment.
    pub evidence: Vec<Evidence>,
}

/// One piece of secondary evidence and its effect on the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// What was compared.
    pub kind: &'static str,
    /// The adjustment to the score.
    pub adjustment: f64,
}

/// A listed crypto-currency address that equals the screened one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalletMatch {
    /// The list name.
    pub list: String,
    /// The list's own identifier of the holder.
    pub entry_id: String,
    /// The holder's primary name.
    pub name: String,
    /// The currency code the list gives.
    pub currency: String,
    /// The address as listed.
    pub address: String,
    /// The holder's programmes.
    pub programs: Vec<String>,
}

#[derive(Debug, Clone)]
struct ETok {
    raw: String,
    skel: String,
    loose: String,
    weak: bool,
}

impl ETok {
    fn weight(&self) -> f32 {
        if self.weak {
            crate::analyse::WEAK_WEIGHT
        } else {
            1.0
        }
    }
}

#[derive(Debug, Clone)]
struct Run {
    start: usize,
    len: usize,
    skel: String,
    loose: String,
}

#[derive(Debug, Clone)]
struct NameRec {
    entry: u32,
    name: u16,
    toks: Vec<ETok>,
    runs: Vec<Run>,
    wsum: f32,
    /// The weight of the weak tokens alone.
    weak_sum: f32,
    /// How many tokens are not weak.
    strong: u16,
    /// Whether the entry is a company or organisation (the names that lose a last word).
    entity: bool,
    korean: bool,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    rec: u32,
    w: f32,
}

/// The longest token sequence considered; longer names are cut (the index and the alignment
/// use 64-bit masks).
const MAX_TOKENS: usize = 24;
/// Skeletons shorter than this never match fuzzily.
const MIN_FUZZY_LEN: usize = 5;
/// Skeletons at least this long are also indexed by their one-letter deletions, to find typos.
const MIN_DELETE_LEN: usize = 5;
/// Joined runs of two tokens (a Korean given name, `Chae Il` → `jeil`) at least this long are
/// also indexed by their one-letter deletions (a joined name with a typo).
const MIN_RUN_DELETE_LEN: usize = 4;

/// A screening index over loaded watch lists. Build it once and share it: screening is read-only
/// and thread-safe.
pub struct Screener {
    entries: Vec<Entry>,
    recs: Vec<NameRec>,
    index: FastMap<Box<str>, Vec<Posting>>,
    wallets: FastMap<String, Vec<(u32, u16)>>,
}

impl std::fmt::Debug for Screener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screener")
            .field("entries", &self.entries.len())
            .field("names", &self.recs.len())
            .field("index_keys", &self.index.len())
            .field("wallets", &self.wallets.len())
            .finish()
    }
}

fn wallet_key(a: &str) -> String {
    let a = a.trim();
    if a.starts_with("0x") || a.starts_with("0X") {
        a.to_ascii_lowercase()
    } else {
        a.to_string()
    }
}

/// Appends `s` without its `i`-th letter, collapsing the doubled letter the deletion may create
/// (skeletons never contain doubled letters).
fn push_deletion(out: &mut String, s: &str, i: usize) {
    let b = s.as_bytes();
    let mut last = out.as_bytes().last().copied();
    for (k, &c) in b.iter().enumerate() {
        if k == i || last == Some(c) {
            continue;
        }
        out.push(c as char);
        last = Some(c);
    }
}

/// Whether `short` is `long` with one letter deleted.
fn is_deletion_of(short: &str, long: &str) -> bool {
    let (a, b) = (short.as_bytes(), long.as_bytes());
    if a.len() + 1 != b.len() {
        return false;
    }
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    a[i..] == b[i + 1..]
}

fn deletions(s: &str) -> impl Iterator<Item = String> + '_ {
    let n = if s.is_ascii() && s.len() >= MIN_DELETE_LEN && s.len() <= 16 {
        s.len()
    } else {
        0
    };
    (0..n).map(move |i| {
        let mut d = String::with_capacity(s.len());
        push_deletion(&mut d, s, i);
        d
    })
}

/// Long tokens are also indexed by their first letters, so that spellings further apart than
/// one deletion (`Aleksandros`/`Alexander`) still become candidates for the fuzzy comparison.
fn prefix_key(skel: &str) -> Option<String> {
    if skel.is_ascii() && skel.len() >= PREFIX_MIN_LEN {
        Some(format!("^{}", &skel[..PREFIX_LEN]))
    } else {
        None
    }
}

/// Tokens at least this long get a prefix key.
const PREFIX_MIN_LEN: usize = 7;
/// The length of a prefix key.
const PREFIX_LEN: usize = 5;

impl Screener {
    /// Builds the index over every name and alias of the given entries.
    pub fn new(lists: &crate::Watchlists) -> Screener {
        Screener::from_entries(lists.entries().to_vec())
    }

    /// Builds the index over the given entries.
    pub fn from_entries(entries: Vec<Entry>) -> Screener {
        let mut recs = Vec::new();
        let mut index: FastMap<Box<str>, Vec<Posting>> = FastMap::default();
        let mut wallets: FastMap<String, Vec<(u32, u16)>> = FastMap::default();
        for (ei, e) in entries.iter().enumerate() {
            let korean = e.is_dprk()
                || e.nationalities
                    .iter()
                    .chain(&e.countries)
                    .any(|c| c == "KP" || c == "KR");
            for (wi, w) in e.wallets.iter().enumerate() {
                wallets
                    .entry(wallet_key(&w.address))
                    .or_default()
                    .push((ei as u32, wi as u16));
            }
            let mut seen = std::collections::HashSet::new();
            for (ni, name) in e.all_names().enumerate() {
                let Some(toks) = analyse(name).into_iter().next() else {
                    continue;
                };
                let toks: Vec<ETok> = toks
                    .into_iter()
                    .take(MAX_TOKENS)
                    .map(|t: Tok| {
                        let f = &t.forms[0];
                        ETok {
                            raw: f.raw.clone(),
                            skel: f.skel.clone(),
                            loose: f.loose.clone(),
                            weak: t.weak,
                        }
                    })
                    .collect();
                if toks.is_empty() || toks.iter().all(|t| t.weak) {
                    continue;
                }
                let sig: Vec<&str> = toks.iter().map(|t| t.raw.as_str()).collect();
                if !seen.insert(sig.join(" ")) {
                    continue;
                }
                let mut runs = Vec::new();
                for len in 2..=3 {
                    for start in 0..toks.len().saturating_sub(len - 1) {
                        let part = &toks[start..start + len];
                        if part.iter().any(|t| t.weak) {
                            continue;
                        }
                        let skel =
                            skeleton(&part.iter().map(|t| t.raw.as_str()).collect::<String>());
                        let lo = loose(&skel);
                        runs.push(Run {
                            start,
                            len,
                            skel,
                            loose: lo,
                        });
                    }
                }
                let rec = NameRec {
                    entry: ei as u32,
                    name: ni.min(u16::MAX as usize) as u16,
                    wsum: toks.iter().map(ETok::weight).sum(),
                    weak_sum: toks.iter().filter(|t| t.weak).map(ETok::weight).sum(),
                    strong: toks.iter().filter(|t| !t.weak).count() as u16,
                    entity: e.kind == crate::EntityKind::Entity,
                    toks,
                    runs,
                    korean,
                };
                let ri = recs.len() as u32;
                let mut add = |key: String, w: f32| {
                    let list = index.entry(key.into_boxed_str()).or_default();
                    match list.last_mut() {
                        Some(p) if p.rec == ri => p.w = p.w.max(w),
                        _ => list.push(Posting { rec: ri, w }),
                    }
                };
                for t in rec.toks.iter().filter(|t| !t.weak) {
                    add(t.skel.clone(), 1.0);
                    add(format!("~{}", t.loose), 1.0);
                    add(format!("#{}", t.skel), 1.0);
                    for d in deletions(&t.skel) {
                        add(format!("#{d}"), 1.0);
                    }
                    if let Some(p) = prefix_key(&t.skel) {
                        add(p, 1.0);
                    }
                }
                for r in &rec.runs {
                    add(r.skel.clone(), r.len as f32);
                    add(format!("~{}", r.loose), r.len as f32);
                    // A given name written joined with a letter dropped (`Jngun` for `Jong
                    // Un`): the run's one-letter deletions, found by the query token's own key.
                    if r.len == 2 && r.skel.len() >= MIN_RUN_DELETE_LEN && r.skel.len() <= 12 {
                        for i in 0..r.skel.len() {
                            let mut d = String::from("#");
                            push_deletion(&mut d, &r.skel, i);
                            add(d, r.len as f32);
                        }
                    }
                }
                recs.push(rec);
            }
        }
        Screener {
            entries,
            recs,
            index,
            wallets,
        }
    }

    /// The indexed entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Number of indexed names (primary names and aliases).
    pub fn names(&self) -> usize {
        self.recs.len()
    }

    /// Screens one query; returns the matching entries scoring at least `threshold`, best first,
    /// one match per entry (its best-matching name).
    pub fn screen(&self, q: &Query, threshold: f64) -> Vec<Match> {
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            self.screen_with(q, threshold, &mut scratch)
        })
    }

    fn screen_with(&self, q: &Query, threshold: f64, acc: &mut Scratch) -> Vec<Match> {
        if acc.acc.len() < self.recs.len() {
            acc.acc.resize(self.recs.len(), Acc::EMPTY);
        }
        let variants = analyse(&q.name);
        let max_bonus = max_bonus(q);
        let mut best: FastMap<u32, (f64, u32, Alignment, Vec<TokenMatch>)> = FastMap::default();
        for toks in &variants {
            let toks: Vec<&Tok> = toks.iter().take(MAX_TOKENS).collect();
            if toks.iter().all(|t| t.weak) {
                continue;
            }
            acc.reset();
            let qruns = query_runs(&toks);
            self.gather(&toks, &qruns, acc);
            let wq: f32 = toks.iter().map(|t| t.weight()).sum();
            let wq_weak: f32 = toks.iter().filter(|t| t.weak).map(|t| t.weight()).sum();
            // The bound counts every indexed hit as a perfect match; the slack covers secondary
            // evidence and the rare fuzzy or initial pairs that the index does not find.
            let floor = (threshold - max_bonus - 0.03).max(0.05) as f32;
            // An entity name missing its last word scores DROPPED_WORD_SCORE whatever the
            // bound: such candidates (every strong query token hit, one strong entry token
            // more) pass when that score can reach the threshold.
            let q_strong = toks.iter().filter(|t| !t.weak).count();
            let dropped_ok = q_strong >= 2 && DROPPED_WORD_SCORE + max_bonus + 1e-9 >= threshold;
            for &ri in &acc.touched {
                let a = &acc.acc[ri as usize];
                let rec = &self.recs[ri as usize];
                // Weak tokens are not indexed; they may add at most their smaller weight twice.
                if (a.sum + 2.0 * wq_weak.min(rec.weak_sum)) / (wq + rec.wsum) < floor
                    && !(dropped_ok
                        && rec.entity
                        && usize::from(rec.strong) == q_strong + 1
                        && a.sum + 1e-3 >= 2.0 * q_strong as f32)
                {
                    continue;
                }
                let al = align(&toks, &qruns, rec);
                if al.score <= 0.0 || al.score + max_bonus + 1e-9 < threshold {
                    continue;
                }
                let slot =
                    best.entry(rec.entry)
                        .or_insert((-1.0, ri, Alignment::default(), Vec::new()));
                if al.score > slot.0 {
                    let explanation = explain(&toks, rec, &al);
                    *slot = (al.score, ri, al, explanation);
                }
            }
        }
        let mut out = Vec::new();
        for (ei, (name_score, ri, _, explanation)) in best {
            let e = &self.entries[ei as usize];
            let rec = &self.recs[ri as usize];
            let evidence = secondary(q, e, name_score);
            let adj: f64 = evidence.iter().map(|x| x.adjustment).sum();
            let score = (name_score + adj).clamp(0.0, 1.0);
            if score + 1e-9 < threshold {
                continue;
            }
            let matched_name = e
                .all_names()
                .nth(rec.name as usize)
                .unwrap_or(&e.name)
                .to_string();
            out.push(Match {
                list: e.list.clone(),
                entry_id: e.id.clone(),
                matched_name,
                primary_name: e.name.clone(),
                score: round3(score),
                name_score: round3(name_score),
                programs: e.programs.clone(),
                reference: e.reference.clone(),
                kind: e.kind,
                explanation,
                evidence,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.list.cmp(&b.list))
                .then_with(|| a.entry_id.cmp(&b.entry_id))
        });
        out
    }

    /// Screens many queries in parallel; the result for `qs[i]` is at index `i`.
    pub fn screen_batch(&self, qs: &[Query], threshold: f64) -> Vec<Vec<Match>> {
        qs.par_iter().map(|q| self.screen(q, threshold)).collect()
    }

    /// Finds listed crypto-currency addresses equal to `address` (case-insensitive for `0x`
    /// addresses, exact otherwise, surrounding white space ignored).
    pub fn screen_wallet(&self, address: &str) -> Vec<WalletMatch> {
        let Some(hits) = self.wallets.get(&wallet_key(address)) else {
            return Vec::new();
        };
        hits.iter()
            .map(|&(ei, wi)| {
                let e = &self.entries[ei as usize];
                let w = &e.wallets[wi as usize];
                WalletMatch {
                    list: e.list.clone(),
                    entry_id: e.id.clone(),
                    name: e.name.clone(),
                    currency: w.currency.clone(),
                    address: w.address.clone(),
                    programs: e.programs.clone(),
                }
            })
            .collect()
    }

    /// Collects candidate names with an upper bound of their matched weight.
    fn gather(&self, toks: &[&Tok], qruns: &[QRun], acc: &mut Scratch) {
        let hit = |key: &str, qid: u32, wq: f32, acc: &mut Scratch| {
            if let Some(list) = self.index.get(key) {
                for p in list {
                    let v = wq + p.w;
                    let a = &mut acc.acc[p.rec as usize];
                    if a.last_q == u32::MAX && a.sum == 0.0 {
                        acc.touched.push(p.rec);
                    }
                    if a.last_q == qid {
                        if v > a.last_v {
                            a.sum += v - a.last_v;
                            a.last_v = v;
                        }
                    } else {
                        a.last_q = qid;
                        a.last_v = v;
                        a.sum += v;
                    }
                }
            }
        };
        let mut key = String::with_capacity(32);
        for (i, t) in toks.iter().enumerate() {
            if t.weak {
                continue;
            }
            let qid = i as u32;
            for f in &t.forms {
                let sk = f.skel.as_str();
                hit(sk, qid, 1.0, acc);
                key.clear();
                key.push('#');
                key.push_str(sk);
                hit(&key, qid, 1.0, acc);
                if sk.is_ascii() && sk.len() >= MIN_DELETE_LEN && sk.len() <= 16 {
                    for d in 0..sk.len() {
                        key.clear();
                        key.push('#');
                        push_deletion(&mut key, sk, d);
                        hit(&key, qid, 1.0, acc);
                        hit(&key[1..], qid, 1.0, acc);
                    }
                }
                if sk.is_ascii() && sk.len() >= PREFIX_MIN_LEN {
                    key.clear();
                    key.push('^');
                    key.push_str(&sk[..PREFIX_LEN]);
                    hit(&key, qid, 1.0, acc);
                }
                if f.use_loose {
                    key.clear();
                    key.push('~');
                    key.push_str(&f.loose);
                    hit(&key, qid, 1.0, acc);
                }
            }
        }
        // Runs of query tokens written as one entry token (`Jong Un` for `Jongun`).
        for (n, r) in qruns.iter().enumerate() {
            let qid = (toks.len() + n) as u32;
            for (s, lo) in &r.forms {
                hit(s, qid, r.len as f32, acc);
                if let Some(lo) = lo {
                    key.clear();
                    key.push('~');
                    key.push_str(lo);
                    hit(&key, qid, r.len as f32, acc);
                }
            }
        }
    }
}

/// A run of two or three neighbouring query tokens, with the skeletons of their concatenations.
struct QRun {
    start: usize,
    len: usize,
    forms: Vec<(String, Option<String>)>,
}

fn query_runs(toks: &[&Tok]) -> Vec<QRun> {
    let mut out = Vec::new();
    for len in 2..=3usize {
        for start in 0..toks.len().saturating_sub(len - 1) {
            let part = &toks[start..start + len];
            if part.iter().any(|t| t.weak) {
                continue;
            }
            out.push(QRun {
                start,
                len,
                forms: run_forms(part),
            });
        }
    }
    out
}

/// The largest score increase secondary evidence can give this query.
fn max_bonus(q: &Query) -> f64 {
    let mut b = 0.0;
    if q.birth_date.is_some() {
        b += 0.05;
    }
    if q.country.is_some() {
        b += 0.02;
    }
    b
}

#[derive(Clone, Copy)]
struct Acc {
    sum: f32,
    last_q: u32,
    last_v: f32,
}

impl Acc {
    const EMPTY: Acc = Acc {
        sum: 0.0,
        last_q: u32::MAX,
        last_v: 0.0,
    };
}

/// Per-thread scratch space: one accumulator per indexed name, reset through the list of
/// touched names, so that gathering candidates needs no hashing.
#[derive(Default)]
pub(crate) struct Scratch {
    acc: Vec<Acc>,
    touched: Vec<u32>,
}

impl Scratch {
    fn reset(&mut self) {
        for &r in &self.touched {
            self.acc[r as usize] = Acc::EMPTY;
        }
        self.touched.clear();
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The concatenated skeletons of a run of query tokens over all combinations of their forms
/// (capped), each with its loose key when a form allows loose matching.
fn run_forms(part: &[&Tok]) -> Vec<(String, Option<String>)> {
    let mut combos: Vec<(String, bool)> = vec![(String::new(), false)];
    for t in part {
        let mut next = Vec::new();
        for (s, l) in &combos {
            for f in t.forms.iter().take(4) {
                let mut s2 = s.clone();
                s2.push_str(&f.raw);
                next.push((s2, *l || f.use_loose));
                if next.len() >= 32 {
                    break;
                }
            }
        }
        combos = next;
    }
    combos
        .into_iter()
        .map(|(raw, l)| {
            let s = skeleton(&raw);
            let lo = if l { Some(loose(&s)) } else { None };
            (s, lo)
        })
        .collect()
}

#[derive(Debug, Default, Clone)]
struct Alignment {
    score: f64,
    chosen: Vec<Pair>,
}

#[derive(Debug, Clone)]
struct Pair {
    qmask: u64,
    emask: u64,
    sim: f32,
    weight: f32,
    strong: bool,
    how: &'static str,
    qtext: (usize, usize),
    etext: (usize, usize),
}

fn label(origin: Origin, variant: bool, korean: bool) -> &'static str {
    match origin {
        Origin::Latin if !variant => "exact",
        Origin::Latin if korean => "korean_variant",
        Origin::Latin => "romanisation_variant",
        o => o.label(),
    }
}

fn token_sim(q: &Tok, e: &ETok, korean: bool) -> (f32, &'static str) {
    if q.weak || e.weak {
        if q.weak && e.weak {
            return if q.forms[0].raw == e.raw {
                (1.0, "weak")
            } else {
                (0.7, "weak")
            };
        }
        return if q.forms[0].raw == e.raw {
            (1.0, "exact")
        } else {
            (0.0, "")
        };
    }
    let mut best = (0.0f32, "");
    for f in &q.forms {
        let cand = if f.raw == e.raw {
            (1.0, label(f.origin, false, korean))
        } else if f.skel == e.skel {
            (0.95, label(f.origin, true, korean))
        } else if f.use_loose && f.loose == e.loose {
            (0.9, label(f.origin, true, korean))
        } else if f.raw.len() == 1
            && e.raw.len() > 1
            && f.origin == Origin::Latin
            && e.raw.starts_with(&f.raw)
        {
            (0.6, "initial")
        } else if f.skel.len() >= MIN_FUZZY_LEN
            && e.skel.len() >= MIN_FUZZY_LEN
            && f.skel.is_ascii()
            && e.skel.is_ascii()
        {
            // Short tokens are romanised syllables, where one letter is a different syllable
            // (`yon`/`yong`), so they match through their skeletons only.
            let jw = strsim::jaro_winkler(&f.skel, &e.skel) as f32;
            // Five-letter tokens are often single syllables (`ryang`/`ryong`): demand more.
            let min_jw = if f.skel.len().min(e.skel.len()) <= MIN_FUZZY_LEN {
                0.93
            } else {
                0.88
            };
            if jw >= min_jw {
                (jw * 0.92, "fuzzy")
            } else {
                (0.0, "")
            }
        } else {
            (0.0, "")
        };
        if cand.0 > best.0 {
            best = cand;
        }
    }
    best
}

fn mask(start: usize, len: usize) -> u64 {
    (((1u128 << len) - 1) << start) as u64
}

/// Aligns query tokens with entry tokens greedily, best pairs first, and scores the alignment
/// as the weighted share of both names that is matched.
fn align(toks: &[&Tok], qruns: &[QRun], rec: &NameRec) -> Alignment {
    let mut pairs: Vec<Pair> = Vec::new();
    for (i, q) in toks.iter().enumerate() {
        for (j, e) in rec.toks.iter().enumerate() {
            let (sim, how) = token_sim(q, e, rec.korean);
            if sim > 0.0 {
                pairs.push(Pair {
                    qmask: 1 << i,
                    emask: 1 << j,
                    sim,
                    weight: q.weight() + e.weight(),
                    strong: !q.weak && !e.weak,
                    how,
                    qtext: (i, 1),
                    etext: (j, 1),
                });
            }
        }
        // One query token against a run of entry tokens.
        if q.weak {
            continue;
        }
        for r in &rec.runs {
            let mut best = 0.0f32;
            for f in &q.forms {
                if f.skel == r.skel {
                    best = best.max(0.95);
                } else if f.use_loose && f.loose == r.loose {
                    best = best.max(0.9);
                } else if r.len == 2
                    && r.skel.len() >= MIN_RUN_DELETE_LEN
                    && f.skel.len() + 1 == r.skel.len()
                    && is_deletion_of(&f.skel, &r.skel)
                {
                    // Joined and one letter short (`Jngun`, `Jongn` for `Jong Un`): a typo
                    // where the space went missing too. Deletions only — a changed letter
                    // makes another given name (`Yongun`). Above any fuzzy match of the token
                    // with one of the two words (≤ 0.92 × Jaro–Winkler), which would leave the
                    // other word unmatched.
                    best = best.max(0.92);
                }
            }
            if best > 0.0 {
                pairs.push(Pair {
                    qmask: 1 << i,
                    emask: mask(r.start, r.len),
                    sim: best,
                    weight: 1.0 + r.len as f32,
                    strong: true,
                    how: "joined",
                    qtext: (i, 1),
                    etext: (r.start, r.len),
                });
            }
        }
    }
    // A run of query tokens against one entry token.
    for r in qruns {
        for (j, e) in rec.toks.iter().enumerate() {
            if e.weak {
                continue;
            }
            let mut best = 0.0f32;
            for (s, lo) in &r.forms {
                if *s == e.skel {
                    best = best.max(0.95);
                } else if lo.as_ref().is_some_and(|l| *l == e.loose) {
                    best = best.max(0.9);
                }
            }
            if best > 0.0 {
                pairs.push(Pair {
                    qmask: mask(r.start, r.len),
                    emask: 1 << j,
                    sim: best,
                    weight: r.len as f32 + 1.0,
                    strong: true,
                    how: "joined",
                    qtext: (r.start, r.len),
                    etext: (j, 1),
                });
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.sim
            .total_cmp(&a.sim)
            .then_with(|| b.weight.total_cmp(&a.weight))
            .then_with(|| a.qmask.cmp(&b.qmask))
            .then_with(|| a.emask.cmp(&b.emask))
    });
    let (mut qused, mut eused) = (0u64, 0u64);
    let mut num = 0.0f32;
    let mut strong = false;
    let mut chosen = Vec::new();
    for p in pairs {
        if p.qmask & qused != 0 || p.emask & eused != 0 {
            continue;
        }
        qused |= p.qmask;
        eused |= p.emask;
        num += p.sim * p.weight;
        if p.strong && p.sim >= 0.85 {
            strong = true;
        }
        chosen.push(p);
    }
    if !strong {
        return Alignment::default();
    }
    let wq: f32 = toks.iter().map(|t| t.weight()).sum();
    let mut score = f64::from(num / (wq + rec.wsum)).min(1.0);
    // An entity's name missing its last word (`Korea General Corporation for External` for `...
    // External Construction`; people's names are not shortened this way): every query word matched, two or more of them well, and the
    // only word of the listed name left over is its last significant one, of three or more.
    let strong_e: Vec<usize> = (0..rec.toks.len()).filter(|j| !rec.toks[*j].weak).collect();
    let all_query = (0..toks.len()).all(|i| toks[i].weak || qused & (1 << i) != 0);
    let left: Vec<usize> = strong_e
        .iter()
        .copied()
        .filter(|j| eused & (1 << j) == 0)
        .collect();
    let good = chosen.iter().filter(|p| p.strong && p.sim >= 0.85).count();
    if rec.entity
        && all_query
        && good >= 2
        && strong_e.len() >= 3
        && left.len() == 1
        && Some(&left[0]) == strong_e.last()
    {
        score = score.max(DROPPED_WORD_SCORE);
    }
    Alignment { score, chosen }
}

/// The name score of an entity name missing only its last word: a match at the default
/// threshold, below every complete one.
const DROPPED_WORD_SCORE: f64 = 0.86;

/// Writes the token-by-token explanation of an alignment.
fn explain(toks: &[&Tok], rec: &NameRec, al: &Alignment) -> Vec<TokenMatch> {
    let mut chosen: Vec<&Pair> = al.chosen.iter().collect();
    chosen.sort_by_key(|p| p.qtext.0);
    chosen
        .iter()
        .map(|p| TokenMatch {
            query: toks[p.qtext.0..p.qtext.0 + p.qtext.1]
                .iter()
                .map(|t| t.surface.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            entry: rec.toks[p.etext.0..p.etext.0 + p.etext.1]
                .iter()
                .map(|t| t.raw.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            how: p.how,
            score: round3(f64::from(p.sim)),
        })
        .collect()
}

/// Secondary evidence: birth date and country raise or lower a name score by a few points, never
/// enough to make a weak name match strong. It is applied only to names that already score 0.5.
/// Years between a subject's and every listed date of birth from which the two are taken to be
/// different people (`birth_decades_apart`).
pub const NAMESAKE_YEARS: i32 = 10;

fn secondary(q: &Query, e: &Entry, name_score: f64) -> Vec<Evidence> {
    let mut out = Vec::new();
    if name_score < 0.5 {
        return out;
    }
    if let Some(qd) = q.birth_date.as_deref().and_then(BirthDate::parse)
        && !e.birth_dates.is_empty()
    {
        let exact = e.birth_dates.iter().any(|d| {
            d.year == qd.year
                && d.to_year.is_none()
                && d.month.is_some()
                && d.month == qd.month
                && d.day.is_some()
                && d.day == qd.day
        });
        let year = e
            .birth_dates
            .iter()
            .any(|d| d.covers_year(qd.year, if d.circa { 2 } else { 0 }));
        let near = e
            .birth_dates
            .iter()
            .any(|d| d.covers_year(qd.year, if d.circa { 4 } else { 1 }));
        if exact {
            out.push(Evidence {
                kind: "birth_date_exact",
                adjustment: 0.05,
            });
        } else if year {
            out.push(Evidence {
                kind: "birth_year_match",
                adjustment: 0.03,
            });
        } else if !near {
            // Decades apart (beyond any circa or range): another person with the same name.
            let far = e
                .birth_dates
                .iter()
                .all(|d| !d.covers_year(qd.year, if d.circa { 2 } else { 0 } + NAMESAKE_YEARS));
            out.push(Evidence {
                kind: if far {
                    "birth_decades_apart"
                } else {
                    "birth_year_mismatch"
                },
                adjustment: -0.08,
            });
        }
    }
    if let (Some(qg), Some(eg)) = (
        q.gender.as_deref().and_then(crate::model::gender_code),
        e.gender,
    ) && qg != eg
    {
        out.push(Evidence {
            kind: "gender_mismatch",
            adjustment: -0.05,
        });
    }
    if let Some(c) = q
        .country
        .as_deref()
        .map(country_code)
        .filter(|c| !c.is_empty())
        && (!e.nationalities.is_empty() || !e.countries.is_empty())
    {
        if e.nationalities.contains(&c) || e.countries.contains(&c) {
            out.push(Evidence {
                kind: "country_match",
                adjustment: 0.02,
            });
        } else {
            // A claimed country says little: fake profiles rarely claim North Korea.
            out.push(Evidence {
                kind: "country_mismatch",
                adjustment: -0.02,
            });
        }
    }
    out
}
