//! Whole-process screening benchmark, driven by `bench/screen-bench.sh`.
//!
//! * `screen_bench gen OUT.tsv N LIST...` writes N queries (`query<TAB>expected<TAB>kind`), a
//!   mix of variants of listed DPRK names (`expected` = `LIST:ID`; `kind` = `romanisation` (order,
//!   romanisation, a typo), `hangul`, `katakana`, `joined_typo`, `abbreviation` or
//!   `dropped_word`) and ordinary names (`expected` empty).
//! * `screen_bench names OUT.tsv LIST...` writes every listed name (`name<TAB>LIST:ID`) for the
//!   baseline script.
//! * `screen_bench run QUERIES.tsv LIST...` screens the queries single-threaded and on all
//!   threads and prints speed, recall on the listed variants and the alert rate on ordinary names.

use kensa_screen::korkana::hangul_to_katakana;
use kensa_screen::{DEFAULT_THRESHOLD, EntityKind, Entry, Query, Screener, Watchlists};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const SWAPS: &[(&str, &str)] = &[
    ("yong", "young"),
    ("chol", "cheol"),
    ("chol", "chul"),
    ("jong", "jeong"),
    ("jong", "jung"),
    ("chong", "jeong"),
    ("hyok", "hyeok"),
    ("sok", "seok"),
    ("song", "sung"),
    ("kwang", "gwang"),
    ("ri", "lee"),
    ("ri", "yi"),
    ("pak", "park"),
    ("choe", "choi"),
    ("kim", "gim"),
    ("o", "oh"),
    ("ryu", "yoo"),
    ("kang", "gang"),
    ("pyong", "byeong"),
    ("hyon", "hyun"),
    ("myong", "myeong"),
    ("jang", "chang"),
    ("corporation", "corp"),
    ("company", "co ltd"),
    ("trading", "trade"),
];

const SURNAMES: &[&str] = &[
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Oh",
    "Seo",
    "Shin",
    "Kwon",
    "Hwang",
    "Ahn",
    "Song",
    "Yoo",
    "Hong",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Ito",
    "Yamamoto",
    "Nakamura",
    "Kobayashi",
    "Kato",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Wu",
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Nguyen",
    "Patel",
    "Singh",
    "Silva",
    "Kowalski",
    "Ivanov",
    "Muller",
    "Rossi",
    "Dubois",
    "Andersson",
    "Tran",
    "Sharma",
    "Khan",
];
const GIVEN: &[&str] = &[
    "Min-jun", "Seo-yeon", "Ji-hoon", "Yu-na", "Ha-eun", "Do-hyun", "Seo-jun", "Min-seo", "Ji-woo",
    "Eun-ji", "Sung-min", "Hyun-woo", "Ye-jin", "Tae-yang", "Soo-bin", "Yuki", "Haruto", "Aoi",
    "Ren", "Yui", "Sota", "Hina", "Riku", "Mei", "Hana", "Kenji", "Takeshi", "Wei", "Na", "Yang",
    "Jing", "Fang", "Lei", "Min", "Xin", "Hao", "Jie", "James", "Mary", "Robert", "Patricia",
    "Michael", "Jennifer", "David", "Linda", "Maria", "Carlos", "Anna", "Olga", "Pierre", "Giulia",
    "Erik", "Priya", "Arjun", "Fatima", "Ahmed", "Lucas", "Sofia", "Noah", "Emma",
];
const NATIVE: &[&str] = &[
    "이서연",
    "김민준",
    "박지훈",
    "최유나",
    "정하은",
    "강도현",
    "佐藤 健",
    "鈴木 花子",
    "高橋 一郎",
    "田中 美咲",
    "さとう ゆき",
    "たなか はると",
    "王伟",
    "李娜",
    "张伟",
    "刘洋",
    "陈静",
    "サトウ・ケンジ",
    "ワン・ウェイ",
    "한지민",
];

fn variant(rng: &mut Rng, name: &str) -> String {
    let mut toks: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    if toks.is_empty() {
        return name.to_string();
    }
    match rng.below(6) {
        0 => toks.rotate_left(1),
        1 => toks.reverse(),
        _ => {}
    }
    for t in toks.iter_mut() {
        if rng.below(2) == 0 {
            let options: Vec<&str> = SWAPS
                .iter()
                .filter(|(a, _)| a == t)
                .map(|(_, b)| *b)
                .collect();
            if !options.is_empty() {
                *t = rng.pick(&options).to_string();
            }
        }
    }
    // One typo (a doubled or dropped letter) in a long token, now and then.
    if rng.below(5) == 0 {
        let i = rng.below(toks.len());
        if toks[i].len() >= 6 && toks[i].is_ascii() {
            let k = 1 + rng.below(toks[i].len() - 2);
            if rng.below(2) == 0 {
                toks[i].remove(k);
            } else {
                let c = toks[i].as_bytes()[k] as char;
                toks[i].insert(k, c);
            }
        }
    }
    let sep = match rng.below(3) {
        0 => "-",
        _ => " ",
    };
    let mut out = String::new();
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            out.push_str(if i == toks.len() - 1 || sep == " " {
                " "
            } else {
                sep
            });
        }
        out.push_str(t);
    }
    match rng.below(3) {
        0 => out.to_uppercase(),
        1 => out
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => out,
    }
}

fn load(paths: &[String]) -> Res<Watchlists> {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    Ok(Watchlists::load(&paths)?)
}

/// Romanised Korean syllable (McCune–Reischauer or Revised, lower case) → a Hangul syllable
/// written that way, the usual ones preferred (plain vowels, common finals).
fn syllable_table() -> HashMap<String, char> {
    use kensa_screen::translit::{Romanisation, romanise_syllable};
    let mut m: HashMap<String, (u8, char)> = HashMap::new();
    for cp in 0xAC00u32..=0xD7A3 {
        let c = char::from_u32(cp).unwrap_or('가');
        let s = (cp - 0xAC00) as usize;
        let (v, t) = ((s % 588) / 28, s % 28);
        let rank = u8::from(matches!(v, 1 | 2 | 3 | 5 | 7 | 10 | 11 | 15 | 16 | 19))
            + 2 * u8::from(!matches!(t, 0 | 1 | 4 | 8 | 16 | 17 | 21));
        for sys in [Romanisation::McCuneReischauer, Romanisation::Revised] {
            if let Some(r) = romanise_syllable(c, sys) {
                let e = m.entry(r).or_insert((rank, c));
                if rank < e.0 {
                    *e = (rank, c);
                }
            }
        }
    }
    m.into_iter().map(|(k, (_, c))| (k, c)).collect()
}

/// A romanised Korean word as Hangul: the fewest table syllables that spell it.
fn to_hangul(word: &str, table: &HashMap<String, char>) -> Option<String> {
    let b = word.as_bytes();
    let n = b.len();
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for i in 0..n {
        let Some((c, _)) = best[i] else { continue };
        for len in 1..=6.min(n - i) {
            if table.contains_key(&word[i..i + len]) && best[i + len].is_none_or(|(x, _)| c + 1 < x)
            {
                best[i + len] = Some((c + 1, i));
            }
        }
    }
    best[n]?;
    let mut out = Vec::new();
    let mut at = n;
    while at > 0 {
        let prev = best[at]?.1;
        out.push(table[&word[prev..at]]);
        at = prev;
    }
    out.reverse();
    Some(out.into_iter().collect())
}

/// The tokens of a listed name, lower case.
fn tokens(name: &str) -> Vec<String> {
    name.replace(['\'', '’', '`'], "")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// An individual's romanised Korean name in Hangul (family name, then the given name joined)
/// and in katakana (`キム・ジョンウン`), when every token spells Korean syllables.
fn native(name: &str, table: &HashMap<String, char>) -> Option<(String, String)> {
    let toks = tokens(name);
    if toks.len() < 2 || toks.len() > 4 {
        return None;
    }
    let hangul: Vec<String> = toks
        .iter()
        .map(|t| to_hangul(t, table))
        .collect::<Option<_>>()?;
    if hangul.iter().map(|h| h.chars().count()).sum::<usize>() > 5 {
        return None;
    }
    let (family, given) = (&hangul[0], hangul[1..].concat());
    let kata = format!(
        "{}・{}",
        hangul_to_katakana(family),
        hangul_to_katakana(&given)
    );
    Some((format!("{family}{given}"), kata))
}

/// The words a company name abbreviates (`technology` → `tech`), as the screener expands them.
const ABBREVIATE: &[(&str, &str)] = &[
    ("technology", "tech"),
    ("information", "info"),
    ("international", "intl"),
    ("science", "sci"),
    ("national", "natl"),
    ("manufacturing", "mfg"),
    ("institute", "inst"),
    ("university", "univ"),
    ("corporation", "corp"),
    ("company", "co"),
    ("limited", "ltd"),
];

/// One variant of a listed DPRK entry's name and its kind, or `None` when the entry has no
/// name this kind applies to.
fn listed_variant(
    rng: &mut Rng,
    e: &Entry,
    table: &HashMap<String, char>,
) -> Option<(String, &'static str)> {
    let names: Vec<&str> = e.all_names().filter(|n| n.is_ascii()).collect();
    if names.is_empty() {
        return None;
    }
    let name = *rng.pick(&names);
    let individual = e.kind == EntityKind::Individual;
    match rng.below(10) {
        0 | 1 if individual => {
            let (hangul, kata) = native(name, table)?;
            Some(if rng.below(2) == 0 {
                (hangul, "hangul")
            } else {
                (kata, "katakana")
            })
        }
        2 if individual => {
            // The given name written joined, with a vowel dropped (`Kim Jongun` → `Kim Jngun`).
            // Korean-style names only: a family name and a two-syllable given name.
            let toks = tokens(name);
            if toks.len() != 3 || toks.iter().any(|t| t.len() > 6) {
                return None;
            }
            let mut joined = toks[1..].concat();
            let vowels: Vec<usize> = joined
                .char_indices()
                .skip(1)
                .filter(|(_, c)| "aeiou".contains(*c))
                .map(|(i, _)| i)
                .collect();
            if joined.len() < 5 || vowels.is_empty() {
                return None;
            }
            joined.remove(*rng.pick(&vowels));
            Some((format!("{} {joined}", toks[0]), "joined_typo"))
        }
        2 | 3 if !individual => {
            let toks = tokens(name);
            let hits: Vec<usize> = (0..toks.len())
                .filter(|i| ABBREVIATE.iter().any(|(w, _)| *w == toks[*i]))
                .collect();
            if hits.is_empty() {
                return None;
            }
            let mut toks = toks;
            for i in hits {
                if let Some((_, a)) = ABBREVIATE.iter().find(|(w, _)| *w == toks[i]) {
                    toks[i] = (*a).to_string();
                }
            }
            Some((toks.join(" "), "abbreviation"))
        }
        4 if !individual => {
            // An entity name missing its last word.
            // Only where the words left still name something (three or more that are not
            // legal forms or function words).
            let toks = tokens(name);
            let minor = |t: &str| {
                matches!(
                    t,
                    "of" | "the"
                        | "and"
                        | "for"
                        | "co"
                        | "ltd"
                        | "llc"
                        | "limited"
                        | "liability"
                        | "company"
                        | "corporation"
                        | "corp"
                        | "inc"
                        | "jsc"
                        | "s"
                )
            };
            let kept = &toks[..toks.len().saturating_sub(1)];
            if toks.len() < 4
                || kept.iter().filter(|t| !minor(t)).count() < 2
                || minor(&toks[toks.len() - 1])
            {
                return None;
            }
            Some((kept.join(" "), "dropped_word"))
        }
        _ => Some((variant(rng, name), "romanisation")),
    }
}

fn generate(out: &str, n: usize, lists: &Watchlists) -> Res<()> {
    let dprk: Vec<&Entry> = lists.entries().iter().filter(|e| e.is_dprk()).collect();
    let table = syllable_table();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    for _ in 0..n {
        if rng.below(10) < 3 {
            let e = rng.pick(&dprk);
            let Some((q, kind)) = listed_variant(&mut rng, e, &table) else {
                continue;
            };
            writeln!(w, "{q}\t{}:{}\t{kind}", e.list, e.id)?;
        } else if rng.below(10) == 0 {
            writeln!(w, "{}\t", rng.pick(NATIVE))?;
        } else {
            let (s, g) = (rng.pick(SURNAMES), rng.pick(GIVEN));
            let q = if rng.below(2) == 0 {
                format!("{s} {g}")
            } else {
                format!("{g} {s}")
            };
            writeln!(w, "{q}\t")?;
        }
    }
    Ok(())
}

fn names(out: &str, lists: &Watchlists) -> Res<()> {
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    for e in lists.entries() {
        for n in e.all_names() {
            writeln!(w, "{}\t{}:{}", n.replace(['\t', '\n'], " "), e.list, e.id)?;
        }
    }
    Ok(())
}

fn run(queries: &str, lists: &Watchlists) -> Res<()> {
    let mut qs = Vec::new();
    let mut expected = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(queries)?).lines() {
        let line = line?;
        let mut cols = line.split('\t');
        let q = cols.next().unwrap_or("");
        let e = cols.next().unwrap_or("");
        kinds.push(cols.next().unwrap_or("romanisation").to_string());
        qs.push(Query::name(q));
        expected.push(e.to_string());
    }
    let t = Instant::now();
    let screener = Screener::new(lists);
    println!(
        "index: {} names of {} entries built in {:.2} s",
        screener.names(),
        lists.entries().len(),
        t.elapsed().as_secs_f64()
    );

    // Single thread, on a prefix when the input is large, then all threads on everything.
    let single_n = qs.len().min(200_000);
    let t = Instant::now();
    let cpu0 = thread_cpu_ns();
    let mut sink = 0usize;
    for q in &qs[..single_n] {
        sink += screener.screen(q, DEFAULT_THRESHOLD).len();
    }
    let single = single_n as f64 / t.elapsed().as_secs_f64();
    let per_cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => format!("{:.0}", single_n as f64 / ((b - a) as f64 / 1e9)),
        _ => "n/a".to_string(),
    };
    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let results = screener.screen_batch(&qs, DEFAULT_THRESHOLD);
    let all = qs.len() as f64 / t.elapsed().as_secs_f64();
    let (mut listed, mut hit, mut top1, mut ordinary, mut alerts, mut dprk_alerts) =
        (0, 0, 0, 0, 0, 0);
    let show = std::env::var("SHOW").is_ok();
    // Per kind of variant: (listed, found).
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (((ms, e), q), kind) in results.iter().zip(&expected).zip(&qs).zip(&kinds) {
        if e.is_empty() {
            ordinary += 1;
            if !ms.is_empty() {
                alerts += 1;
            }
            if let Some(m) = ms
                .iter()
                .find(|m| m.programs.iter().any(|p| p.contains("DPRK")))
            {
                dprk_alerts += 1;
                if show {
                    eprintln!("alert: {:?} -> {:?} {}", q.name, m.matched_name, m.score);
                }
            }
        } else {
            listed += 1;
            let key = |m: &kensa_screen::Match| format!("{}:{}", m.list, m.entry_id);
            let k = by_kind.entry(kind.as_str()).or_default();
            k.0 += 1;
            if ms.iter().any(|m| key(m) == *e) {
                hit += 1;
                k.1 += 1;
            } else if show {
                eprintln!("miss ({kind}): {:?} -> {e}", q.name);
            }
            // Ranked first, ties included: the same person is often on both lists with one name.
            if ms
                .first()
                .is_some_and(|top| ms.iter().any(|m| m.score == top.score && key(m) == *e))
            {
                top1 += 1;
            }
        }
    }
    println!(
        "queries: {} ({} listed-name variants, {} ordinary names); threshold {}",
        qs.len(),
        listed,
        ordinary,
        DEFAULT_THRESHOLD
    );
    println!(
        "single thread: {single:.0} names/s wall clock, {per_cpu} names per CPU-second of the screening thread (first {single_n} queries; {sink} matches)"
    );
    println!("all {threads} threads: {all:.0} names/s");
    println!(
        "recall on listed variants: {:.4} ({hit}/{listed}); expected entry ranked first (ties included): {:.4}",
        hit as f64 / listed.max(1) as f64,
        top1 as f64 / listed.max(1) as f64
    );
    for (kind, (n, found)) in &by_kind {
        println!(
            "  {kind:<13} recall {:.4} ({found}/{n})",
            *found as f64 / (*n).max(1) as f64
        );
    }
    println!(
        "ordinary names with any match: {:.4} ({alerts}/{ordinary}); with a DPRK match: {:.4} ({dprk_alerts})",
        alerts as f64 / ordinary.max(1) as f64,
        dprk_alerts as f64 / ordinary.max(1) as f64
    );
    Ok(())
}

/// CPU time used so far by the calling thread, from Linux's `/proc/thread-self/schedstat`, so
/// that throughput can be read apart from other processes competing for the cores.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") if args.len() >= 4 => generate(&args[1], args[2].parse()?, &load(&args[3..])?),
        Some("names") if args.len() >= 3 => names(&args[1], &load(&args[2..])?),
        Some("run") if args.len() >= 3 => run(&args[1], &load(&args[2..])?),
        _ => Err(
            "usage: screen_bench gen OUT N LIST... | names OUT LIST... | run QUERIES LIST..."
                .into(),
        ),
    }
}
