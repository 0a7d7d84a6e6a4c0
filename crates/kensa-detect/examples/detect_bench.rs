//! Detection benchmark for the login, network, availability, access and endpoint detectors: generates N login/activity records
//! for S subjects in memory (deterministic SplitMix64; IP intel for a few thousand addresses),
//! builds the data set, runs every registered detector, and prints records/s.
//!
//! All data is synthetic. Run through `bench/detect.sh`, or directly:
//!
//! ```text
//! cargo run --release -p kensa-detect --example detect_bench -- 10000000 100000
//! ```

use kensa_detect::{DatasetBuilder, DetectorParams, build_all, run_all};
use kensa_model::intel::{IpInfo, NetClass, NetClassHit};
use kensa_model::record::{Activity, Login};
use kensa_model::{Record, Ts, validate_value};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
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
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// (country, IANA zone, UTC offset, latitude, longitude)
const PLACES: [(&str, &str, i64, f64, f64); 8] = [
    ("US", "America/New_York", -4, 40.71, -74.01),
    ("US", "America/Los_Angeles", -7, 34.05, -118.24),
    ("GB", "Europe/London", 1, 51.51, -0.13),
    ("DE", "Europe/Berlin", 2, 52.52, 13.40),
    ("JP", "Asia/Tokyo", 9, 35.68, 139.69),
    ("IN", "Asia/Kolkata", 5, 19.08, 72.88),
    ("BR", "America/Sao_Paulo", -3, -23.55, -46.63),
    ("CA", "America/Toronto", -4, 43.65, -79.38),
];

fn info(cc: &str, lat: f64, lon: f64, classes: &[NetClass]) -> IpInfo {
    IpInfo {
        country: Some(cc.into()),
        latitude: Some(lat),
        longitude: Some(lon),
        accuracy_km: Some(20.0),
        asn: Some(64_500),
        classes: classes
            .iter()
            .map(|c| NetClassHit {
                class: *c,
                source: format!("bench-{}", c.as_str()),
                label: None,
            })
            .collect(),
        ..Default::default()
    }
}

fn v4(a: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(a))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let subjects: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let per = (n / subjects).max(2);
    let mut rng = Rng(20_260_901);
    let t0 = Instant::now();

    // Shared classified pools and the intel for them.
    let mut intel: BTreeMap<IpAddr, IpInfo> = BTreeMap::new();
    let pool =
        |base: u32, k: u32| -> Vec<IpAddr> { (0..k).map(|i| v4(base + i * 256 + 7)).collect() };
    let vpn = pool(0x2D00_0000, 400); // 45.0.x.7
    let hosting = pool(0x2E00_0000, 400);
    let mobile = pool(0xAC38_0000, 400);
    let relay = pool(0xACE1_0000, 300);
    let corporate = pool(0xA5E1_0000, 200);
    let farm = pool(0x4914_0000, 20); // laptop-farm homes, residential
    let foreign = pool(0x2400_0000, 300); // CN/VN residential
    for ip in &vpn {
        intel.insert(*ip, info("NL", 52.37, 4.90, &[NetClass::Vpn]));
    }
    for ip in &hosting {
        intel.insert(*ip, info("US", 39.04, -77.49, &[NetClass::Hosting]));
    }
    for ip in &mobile {
        intel.insert(*ip, info("US", 39.5, -98.35, &[NetClass::Mobile]));
    }
    for ip in &relay {
        intel.insert(
            *ip,
            info("US", 37.77, -122.42, &[NetClass::Relay, NetClass::Hosting]),
        );
    }
    for ip in &corporate {
        intel.insert(
            *ip,
            info(
                "US",
                37.35,
                -121.95,
                &[NetClass::Corporate, NetClass::Hosting],
            ),
        );
    }
    for ip in &farm {
        intel.insert(*ip, info("US", 36.16, -86.78, &[]));
    }
    for (k, ip) in foreign.iter().enumerate() {
        let (cc, lat, lon) = if k % 2 == 0 {
            ("CN", 41.8, 123.43)
        } else {
            ("VN", 21.03, 105.85)
        };
        intel.insert(*ip, info(cc, lat, lon, &[]));
    }

    let mut b = DatasetBuilder::new();
    let start = 1_788_220_800_000i64; // 2026-09-01T00:00:00Z
    let mut made = 0usize;
    let mut rid = 0u64;
    for s in 0..subjects {
        let sid = format!("s{s}");
        let dprk = s % 100 == 0;
        let place = PLACES[s % PLACES.len()];
        let v = validate_value(serde_json::json!({
            "kind": "subject", "subject_id": sid, "source": "hr_system",
            "claimed_country": place.0, "claimed_timezone": place.1,
        }))
        .expect("valid subject");
        b.add(v.record_id, v.record);
        // A home address per subject; the first few thousand subjects' homes have intel.
        let home = v4(0x1800_0000 + s as u32 * 256 + 1);
        if s < 3000 {
            intel.insert(home, info(place.0, place.3, place.4, &[]));
        }
        let offset = if dprk { 9 } else { place.2 };
        for i in 0..per {
            let day = rng.below(60) as i64;
            // Local hour: mostly 09–18, some evening, a little night.
            let u = rng.unit();
            let local = if u < 0.8 {
                9.0 + 9.0 * rng.unit()
            } else if u < 0.95 {
                18.0 + 5.0 * rng.unit()
            } else {
                24.0 * rng.unit()
            };
            let at = Ts(start + day * 86_400_000 + ((local - offset as f64) * 3_600_000.0) as i64);
            let r = rng.below(100);
            let ip = if dprk {
                match r % 4 {
                    0 => hosting[rng.below(hosting.len() as u64) as usize],
                    1 => farm[s / 100 % farm.len()],
                    2 => foreign[rng.below(foreign.len() as u64) as usize],
                    _ => vpn[rng.below(vpn.len() as u64) as usize],
                }
            } else if r < 70 {
                home
            } else if r < 85 {
                mobile[rng.below(mobile.len() as u64) as usize]
            } else if r < 92 {
                relay[rng.below(relay.len() as u64) as usize]
            } else if r < 97 {
                corporate[rng.below(corporate.len() as u64) as usize]
            } else {
                vpn[rng.below(vpn.len() as u64) as usize]
            };
            rid += 1;
            let rec = if i % 2 == 0 {
                Record::Login(Login {
                    subject_id: sid.clone(),
                    at,
                    ip,
                    success: Some(true),
                    user_agent: None,
                    device_id: None,
                    method: None,
                })
            } else {
                Record::Activity(Activity {
                    subject_id: sid.clone(),
                    at,
                    activity: Some("commit".into()),
                    ip: Some(ip),
                })
            };
            b.add(format!("r{rid}"), rec);
            made += 1;
        }
    }
    let (mut ds, _) = b.build();
    ds.ip = intel.into_iter().collect();
    let gen_secs = t0.elapsed().as_secs_f64();

    let detectors = build_all(&DetectorParams::default());
    let t1 = Instant::now();
    let findings = run_all(&detectors, &ds);
    let secs = t1.elapsed().as_secs_f64();

    let mut per_detector: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &findings {
        *per_detector.entry(f.detector.as_str()).or_default() += 1;
    }
    // Per-detector timings (one more pass each).
    let mut timings = Vec::new();
    for d in &detectors {
        let t = Instant::now();
        let k = d.run(&ds).len();
        timings.push((d.name(), t.elapsed().as_secs_f64(), k));
    }
    println!(
        "records: {made} login/activity + {subjects} subject records, {subjects} subjects, {} IPs with intel, {} threads",
        ds.ip.len(),
        rayon::current_num_threads()
    );
    println!("generate + build data set: {gen_secs:.2} s");
    println!(
        "detect (all {} detectors): {secs:.2} s = {:.0} records/s",
        detectors.len(),
        made as f64 / secs
    );
    for (name, t, k) in timings {
        println!("  {name:<24} {t:>7.3} s  {k:>7} findings");
    }
    println!("findings by detector: {per_detector:?}");
}
