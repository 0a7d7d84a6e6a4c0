//! Criterion benchmarks of the lookup fast paths with every source in the
//! shared data folder loaded (`examples/intel/shared-data.toml`). When the
//! folder is absent the built-in sample is benchmarked instead, and a note
//! says so.
//!
//! Run with `cargo bench -p kensa-enrich --bench lookup`.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kensa_enrich::Intel;

/// Deterministic pseudo-random addresses (xorshift), generated up front so
/// the timed loop measures lookups only.
fn addresses(n: usize) -> (Vec<IpAddr>, Vec<IpAddr>) {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut v4 = Vec::with_capacity(n);
    let mut v6 = Vec::with_capacity(n);
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v4.push(IpAddr::V4(Ipv4Addr::from(x as u32)));
        let a = (0x2u128 << 124) | (u128::from(x) << 60) | u128::from(x >> 5);
        v6.push(IpAddr::V6(Ipv6Addr::from(a)));
    }
    (v4, v6)
}

fn load() -> Intel {
    let config =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/intel/shared-data.toml");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.exists() {
        eprintln!(
            "skipped: {} not found; benchmarking the built-in sample",
            data.display()
        );
        return Intel::builtin();
    }
    match Intel::from_config_file(&config) {
        Ok(i) => i,
        Err(e) => {
            eprintln!(
                "cannot load {}: {e}; benchmarking the built-in sample",
                config.display()
            );
            Intel::builtin()
        }
    }
}

fn bench(c: &mut Criterion) {
    let intel = load();
    const N: usize = 4096;
    let (v4, v6) = addresses(N);
    let mut g = c.benchmark_group("lookup");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("classify_ip/v4", |b| {
        b.iter(|| {
            for ip in &v4 {
                black_box(intel.classify_ip(black_box(*ip)));
            }
        })
    });
    g.bench_function("classify_ip/v6", |b| {
        b.iter(|| {
            for ip in &v6 {
                black_box(intel.classify_ip(black_box(*ip)));
            }
        })
    });
    g.bench_function("geo_ip/v4", |b| {
        b.iter(|| {
            for ip in &v4 {
                black_box(intel.geo_ip(black_box(*ip)));
            }
        })
    });
    g.bench_function("geo_ip/v6", |b| {
        b.iter(|| {
            for ip in &v6 {
                black_box(intel.geo_ip(black_box(*ip)));
            }
        })
    });
    g.bench_function("asn_ip/v4", |b| {
        b.iter(|| {
            for ip in &v4 {
                black_box(intel.asn_ip(black_box(*ip)));
            }
        })
    });
    g.throughput(Throughput::Elements(256));
    g.bench_function("lookup_ip/v4 (owned IpInfo)", |b| {
        b.iter(|| {
            for ip in &v4[..256] {
                black_box(intel.lookup_ip(black_box(*ip)));
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // Short runs: the point is lookups per second, not tight intervals, and
    // the build machine is shared.
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
