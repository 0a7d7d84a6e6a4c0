//! Throughput of each adapter on one core: a log of 20,000 events as JSON Lines (the sample
//! events of ../shared/data/logs repeated, or built-in ones when the folder is absent) framed
//! and converted to contract records, with 10,000 known subjects to resolve against.
//!
//! Run with `cargo bench -p kensa-adapt --bench convert`. Target: ≥ 300k events/s each.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kensa_adapt::{Conv, Format, Framer, Resolver, Unresolved, events};
use std::hint::black_box;
use std::path::Path;

const EVENTS: usize = 20_000;

fn sample(rel: &str, fallback: &str) -> Vec<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/logs")
        .join(rel);
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(_) => {
            eprintln!("{} not found: benchmarking a built-in event", p.display());
            fallback.to_owned()
        }
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn compact(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_owned())
}

fn log_of(lines: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..EVENTS {
        out.extend_from_slice(lines[i % lines.len()].as_bytes());
        out.push(b'\n');
    }
    out
}

/// As the reader does: frame what a read of 4 MiB holds, convert its events, go on.
fn convert_all(buf: &[u8], f: Format, who: &Resolver) -> usize {
    const READ: usize = 4 << 20;
    let mut framer = Framer::default();
    let mut out = Vec::with_capacity(4);
    let mut n = 0;
    let mut pos = 0;
    while pos < buf.len() {
        let end = (pos + READ).min(buf.len());
        let mut pieces = Vec::new();
        let used = framer.frame(&buf[pos..end], end == buf.len(), &mut pieces);
        for p in pieces {
            for ev in events(p).unwrap_or_default() {
                out.clear();
                f.convert_ev(&ev, who, &mut out);
                n += out.iter().filter(|c| matches!(c, Conv::Record(_))).count();
            }
        }
        pos += used;
    }
    n
}

fn bench(c: &mut Criterion) {
    let mut who = Resolver::new(Unresolved::Keep);
    for i in 0..10_000 {
        who.add_subject(&format!("s-{i}"), [format!("user{i}@example.com").as_str()]);
    }
    let okta_fallback = r#"{"actor":{"alternateId":"user1@example.com","id":"00u1","type":"User"},"client":{"ipAddress":"81.2.69.144","userAgent":{"rawUserAgent":"Mozilla/5.0"}},"eventType":"user.session.start","outcome":{"result":"SUCCESS"},"published":"2026-01-05T09:00:00.000Z","uuid":"u1","version":"0"}"#;
    let osquery = r#"{"name":"pack_hw_usb_devices","hostIdentifier":"LT-0042","calendarTime":"Tue Mar  3 09:00:00 2026 UTC","unixTime":1772528400,"epoch":0,"counter":0,"numerics":false,"decorations":{"hostname":"LT-0042","username":"user7@example.com"},"columns":{"vendor":"PiKVM","model":"PiKVM Composite Device","vendor_id":"1d6b","model_id":"0104","serial":"CAFEBABE","removable":"1"},"action":"added"}"#;
    let cases: Vec<(Format, Vec<String>)> = vec![
        (Format::Okta, sample("okta/test-okta-system-events.log", okta_fallback)),
        (Format::Entra, sample("entra_signin/test-signinlogs-sample.log", okta_fallback)),
        (Format::GoogleWorkspace, sample("google_workspace_login/test-login.log", okta_fallback)),
        (Format::Github, sample("github_audit/test-enterprise-audit-eventhub.log", okta_fallback)),
        (
            Format::Ocsf,
            // One pretty-printed event per file upstream: compacted to one line here, as data
            // lakes store them.
            vec![compact(
                &sample(
                    "ocsf/mappings/markdown/Okta/v1.3.0/System Logs/Authentication/samples/authentication.ocsf",
                    okta_fallback,
                )
                .join("\n"),
            )],
        ),
        (Format::Osquery, vec![osquery.to_owned()]),
    ];
    let mut g = c.benchmark_group("convert");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.sample_size(20);
    for (f, lines) in cases {
        let buf = log_of(&lines);
        let made = convert_all(&buf, f, &who);
        eprintln!(
            "{}: {} bytes/event, {} records from {EVENTS} events",
            f.name(),
            buf.len() / EVENTS,
            made
        );
        g.bench_function(f.name(), |b| {
            b.iter(|| black_box(convert_all(black_box(&buf), f, &who)))
        });
        if std::env::var_os("KENSA_BENCH_PARTS").is_some() {
            g.bench_function(format!("{}-frame-only", f.name()), |b| {
                b.iter(|| {
                    let mut pieces = Vec::new();
                    Framer::default().frame(black_box(&buf), true, &mut pieces);
                    black_box(pieces.len())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
