//! Benchmark of the identifier graph (`kensa_detect::link`): 1,000,000 subjects and 20,000,000
//! identifier occurrences generated in memory (deterministic SplitMix64), interned, grouped,
//! weighed, hub-filtered, turned into edges and clustered with union-find.
//!
//! The graph layer is fed directly through `GraphBuilder` (the same code `build_graph` uses
//! after extracting occurrences from a `Dataset`): a full `Dataset` of a million subjects with
//! typed records would measure record parsing, not link analysis. All data is synthetic.
//!
//! Run: `bench/link.sh` (or `cargo run --release -p kensa-detect --example link_bench -- [SUBJECTS] [OCCURRENCES]`).

use kensa_detect::link::{GraphBuilder, GraphParams, IdKind, IpClass};
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let occ: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000_000);
    let per = occ / n;
    let t0 = Instant::now();
    let mut rng = Rng(20_260_901);
    let mut b = GraphBuilder::with_capacity(n, occ);
    let mut buf = String::with_capacity(64);
    // The population: 10 % of subjects live in two-person households (shared home line and
    // address); logins also come from a mobile CGNAT pool of 5,000 addresses (hubs) and a VPN
    // pool of 50,000 exits; every 200th subject belongs to a ring of four sharing a device and
    // a payout account; everything else (devices, e-mails, phones, IBANs, photos) is personal.
    let mut added = 0usize;
    for s in 0..n as u32 {
        let ring = (s / 4) % 50 == 0;
        let household = if s % 20 == 1 { s - 1 } else { s };
        for k in 0..per {
            use std::fmt::Write as _;
            buf.clear();
            let kind = match k % 10 {
                0..=3 => {
                    let r = rng.below(100);
                    if r < 70 {
                        let _ = write!(buf, "r{household}.{}", rng.below(2));
                    } else if r < 90 {
                        let _ = write!(buf, "m{}", rng.below(5_000));
                    } else {
                        let _ = write!(buf, "v{}", rng.below(50_000));
                    }
                    IdKind::Ip
                }
                4 => {
                    let _ = write!(
                        buf,
                        "dev-{:012x}",
                        if ring { s / 4 } else { s + 10_000_000 }
                    );
                    IdKind::Device
                }
                5 => {
                    let _ = write!(buf, "user{s}.{}@example.com", k / 10);
                    IdKind::Email
                }
                6 => {
                    let _ = write!(buf, "1312{s:09}");
                    IdKind::Phone
                }
                7 => {
                    if ring {
                        let _ = write!(buf, "acct:BOFAUS3N:{}", s / 4);
                    } else {
                        let _ = write!(buf, "iban:DE{:020}", s as u64 * 31 + k as u64);
                    }
                    IdKind::Payout
                }
                8 => {
                    let _ = write!(buf, "{household} main st|{}|us", household % 90_000);
                    IdKind::Address
                }
                _ => {
                    let _ = write!(buf, "{:016x}", rng.next());
                    IdKind::Photo
                }
            };
            b.add(s, kind, &buf, false);
            added += 1;
        }
    }
    let t_gen = t0.elapsed();
    let names: Vec<String> = (0..n).map(|s| format!("u{s:07}")).collect();
    let t1 = Instant::now();
    let g = b.finish(names, &GraphParams::default(), |v| {
        if v.starts_with('m') {
            IpClass::SharedByDesign
        } else if v.starts_with('v') {
            IpClass::Anonymizer
        } else {
            IpClass::Residential
        }
    });
    let t_graph = t1.elapsed();
    let largest = g
        .clusters()
        .iter()
        .map(|(_, c)| c.members.len())
        .max()
        .unwrap_or(0);
    println!("subjects            {n}");
    println!("occurrences         {added}");
    println!("distinct values     {}", g.stats.distinct_values);
    println!("shared values       {}", g.stats.shared_values);
    println!("hub values          {}", g.stats.hub_values);
    println!("edges               {}", g.stats.edges);
    println!("clusters            {}", g.stats.clusters);
    println!("largest cluster     {largest}");
    println!(
        "generate+intern     {:.2} s  (occurrence generation and interning)",
        t_gen.as_secs_f64()
    );
    println!("group+edges+cluster {:.2} s", t_graph.as_secs_f64());
    println!("total               {:.2} s", t0.elapsed().as_secs_f64());
}
