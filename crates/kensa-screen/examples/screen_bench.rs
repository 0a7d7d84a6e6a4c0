//! Whole-process screening benchmark, driven by `bench/screen-bench.sh`.
//!
//! * `screen_bench gen OUT.tsv N LIST...` writes N queries (`query<TAB>expected`), a mix of
//!   variants of listed DPRK names (`expected` = `LIST:ID`) and ordinary names (`expected` empty).
//! * `screen_bench names OUT.tsv LIST...` writes every listed name (`name<TAB>LIST:ID`) for the
//!   baseline script.
//! * `screen_bench run QUERIES.tsv LIST...` screens the queries single-threaded and on all
//!   threads and prints speed, recall on the listed variants and the alert rate on ordinary names.

use kensa_screen::{DEFAULT_THRESHOLD, Entry, Query, Screener, Watchlists};
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

fn generate(out: &str, n: usize, lists: &Watchlists) -> Res<()> {
    let dprk: Vec<&Entry> = lists.entries().iter().filter(|e| e.is_dprk()).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    for _ in 0..n {
        if rng.below(10) < 3 {
            let e = rng.pick(&dprk);
            let names: Vec<&str> = e.all_names().filter(|n| n.is_ascii()).collect();
            if names.is_empty() {
                continue;
            }
            let name = rng.pick(&names);
            writeln!(w, "{}\t{}:{}", variant(&mut rng, name), e.list, e.id)?;
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
    for line in std::io::BufReader::new(std::fs::File::open(queries)?).lines() {
        let line = line?;
        let (q, e) = line.split_once('\t').unwrap_or((&line, ""));
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
    for ((ms, e), q) in results.iter().zip(&expected).zip(&qs) {
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
            if ms.iter().any(|m| key(m) == *e) {
                hit += 1;
            } else if show {
                eprintln!("miss: {:?} -> {e}", q.name);
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
