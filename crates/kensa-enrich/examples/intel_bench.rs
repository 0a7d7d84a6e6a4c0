//! Whole-process benchmark: load an intel configuration, report the load
//! time of each source, then run random IPv4 lookups single-threaded.
//!
//! Usage: `intel_bench [CONFIG] [MILLIONS]` (defaults:
//! `examples/intel/shared-data.toml` at the repository root, 10 million).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Instant;

use kensa_enrich::Intel;

/// A xorshift64* generator: deterministic and allocation-free, so the
/// benchmark measures lookups rather than random-number generation.
struct Rng(u64);

impl Rng {
    fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let config = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/intel/shared-data.toml")
    });
    let millions: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10.0);
    let n = (millions * 1_000_000.0) as usize;

    let started = Instant::now();
    let cpu_started = process_cpu_secs();
    // This benchmark measures bulk lookups, for which MMDB files are flattened into range
    // tables at load (the default, `direct`, decodes per lookup: better for scans and servers
    // that look each distinct address up once).
    let text = std::fs::read_to_string(&config).unwrap_or_else(|e| {
        eprintln!("error: {}: {e}", config.display());
        std::process::exit(1);
    });
    let mut parsed: kensa_enrich::IntelConfig = toml::from_str(&text).unwrap_or_else(|e| {
        eprintln!("error: {}: {e}", config.display());
        std::process::exit(1);
    });
    for s in &mut parsed.sources {
        s.mmdb_mode = kensa_enrich::MmdbMode::Flatten;
    }
    let base = config.parent().unwrap_or(std::path::Path::new("."));
    let intel = match Intel::load(&parsed, base) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let load = started.elapsed().as_secs_f64();
    let load_cpu = process_cpu_secs() - cpu_started;
    println!("config: {}", config.display());
    println!(
        "{:<28} {:>10} {:>10}  format",
        "source", "entries", "load ms"
    );
    for s in intel.status() {
        println!(
            "{:<28} {:>10} {:>10.1}  {}{}",
            s.name,
            s.entries,
            s.load_ms,
            s.format,
            s.error
                .as_deref()
                .map(|e| format!(" ERROR: {e}"))
                .unwrap_or_default()
        );
    }
    println!(
        "total load (incl. overlay build): {load:.3} s wall, {load_cpu:.2} s CPU (all threads)"
    );
    println!(
        "classification ranges after overlay: {}",
        intel.class_range_count()
    );

    // Pre-generate addresses so the timed loops contain only lookups.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let ips: Vec<IpAddr> = (0..1 << 20)
        .map(|_| IpAddr::V4(Ipv4Addr::from(rng.next_u32())))
        .collect();
    let mask = ips.len() - 1;

    println!("geolocation: {}", intel.geo_stats());

    // The machine may be shared, so each measurement is the best of three
    // rounds, and both wall-clock and on-CPU time of this thread are shown:
    // on a busy machine the CPU time is the better per-core figure.
    let best = |f: &dyn Fn() -> usize| -> (f64, f64, usize) {
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut hits = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let c = thread_cpu_secs();
            hits = f();
            best = best.min(t.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(thread_cpu_secs() - c);
        }
        (best, best_cpu, hits)
    };

    let (secs, cpu, hits) = best(&|| {
        let mut hits = 0usize;
        for i in 0..n {
            if !intel.classify_ip(ips[i & mask]).is_empty() {
                hits += 1;
            }
        }
        hits
    });
    println!(
        "classify_ip: {n} lookups in {secs:.3} s = {:.2} M lookups/s wall, {:.2} M/s CPU ({hits} classified)",
        n as f64 / secs / 1e6,
        n as f64 / cpu / 1e6
    );

    let (secs, cpu, hits) = best(&|| {
        let mut hits = 0usize;
        for i in 0..n {
            if let Some(g) = black_box(intel.geo_ip(ips[i & mask]))
                && g.country.is_some()
            {
                hits += 1;
            }
        }
        hits
    });
    println!(
        "geo_ip:      {n} lookups in {secs:.3} s = {:.2} M lookups/s wall, {:.2} M/s CPU ({hits} located)",
        n as f64 / secs / 1e6,
        n as f64 / cpu / 1e6
    );

    let m = n / 10;
    let (secs, cpu, hits) = best(&|| {
        let mut hits = 0usize;
        for i in 0..m {
            let info = intel.lookup_ip(ips[i & mask]);
            if info.asn.is_some() {
                hits += 1;
            }
        }
        hits
    });
    println!(
        "lookup_ip:   {m} lookups in {secs:.3} s = {:.2} M lookups/s wall, {:.2} M/s CPU ({hits} with ASN; full owned IpInfo)",
        m as f64 / secs / 1e6,
        m as f64 / cpu / 1e6
    );
}

/// User + system CPU seconds from a `/proc/.../stat` file (Linux only;
/// 0 elsewhere). Clock ticks are assumed to be 100 per second, the Linux
/// default.
fn stat_cpu_secs(path: &str) -> f64 {
    let Ok(text) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the parenthesised command name: state is the first,
    // utime the 12th and stime the 13th.
    let Some((_, rest)) = text.rsplit_once(')') else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn thread_cpu_secs() -> f64 {
    stat_cpu_secs("/proc/thread-self/stat")
}

fn process_cpu_secs() -> f64 {
    stat_cpu_secs("/proc/self/stat")
}
