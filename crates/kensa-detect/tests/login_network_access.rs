//! Scenario tests for the login, network, availability, access and endpoint detectors: one
//! synthetic DPRK-style persona and several legitimate look-alikes run through every
//! registered detector together. (The contract every detector keeps is in `contract.rs`.)
//!
//! All data here is synthetic and labelled as such.

use kensa_detect::{Dataset, DatasetBuilder, DetectorParams, Finding, build_all, run_all};
use kensa_model::intel::{IpInfo, NetClass, NetClassHit};
use kensa_model::{Ts, validate_value};

/// The detectors these scenarios are about.
const LOGIN_NETWORK_ACCESS: [&str; 9] = [
    "login_multi_country",
    "impossible_travel",
    "net_anonymizer",
    "shared_residential_ip",
    "off_hours",
    "access_bulk",
    "access_foreign",
    "endpoint_tools",
    "login_multi_ip",
];

fn build(lines: &[String]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for l in lines {
        let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
        b.add(v.record_id, v.record);
    }
    b.build().0
}

fn intel(ds: &mut Dataset, ip: &str, cc: &str, city: &str, ll: (f64, f64), cls: &[NetClass]) {
    ds.ip.insert(
        ip.parse().unwrap(),
        IpInfo {
            country: Some(cc.into()),
            city: Some(city.into()),
            latitude: Some(ll.0),
            longitude: Some(ll.1),
            accuracy_km: Some(20.0),
            classes: cls
                .iter()
                .map(|c| NetClassHit {
                    class: *c,
                    source: format!("synthetic-{}", c.as_str()),
                    label: None,
                })
                .collect(),
            ..Default::default()
        },
    );
}

/// 2026-09-01T00:00:00Z in milliseconds.
const T0: i64 = 1_788_220_800_000;
const H: i64 = 3_600_000;

fn at(ms: i64) -> String {
    Ts(ms).to_rfc3339()
}

fn profile(sub: &str) -> String {
    format!(
        r#"{{"kind":"subject","subject_id":"{sub}","source":"hr_system","claimed_country":"US","claimed_timezone":"America/New_York"}}"#
    )
}

fn contract(sub: &str, client: &str) -> String {
    format!(
        r#"{{"kind":"contract","subject_id":"{sub}","at":"2026-08-01T00:00:00Z","client_id":"{client}","required_hours":{{"timezone":"America/New_York","from":"09:00","to":"17:00"}}}}"#
    )
}

/// A DPRK-style persona: claims New York; works 09:00–18:00 Pyongyang time (UTC+9) through a
/// US hosting address, Chinese and Vietnamese addresses and the laptop farm's home line; answers slowly;
/// downloads a lot of confidential data in one day; runs AnyDesk, Astrill and a PiKVM.
fn persona(sub: &str, client: &str) -> Vec<String> {
    let mut v = vec![profile(sub), contract(sub, client)];
    for d in 0..14 {
        for h in [0, 1, 2, 3, 4, 5, 6, 7, 8] {
            // 09:00–17:00 UTC+9 is 00:00–08:00 UTC.
            let ms = T0 + d * 24 * H + h * H + 5 * 60_000;
            let ip = match h % 4 {
                0 => "45.76.1.1",
                1 => "73.20.20.20",
                2 => "36.110.1.1",
                _ => "113.160.1.1",
            };
            v.push(format!(
                r#"{{"kind":"login","subject_id":"{sub}","at":"{}","ip":"{ip}"}}"#,
                at(ms)
            ));
            v.push(format!(
                r#"{{"kind":"activity","subject_id":"{sub}","at":"{}","activity":"commit"}}"#,
                at(ms + 20 * 60_000)
            ));
        }
        // A manager writes at 10:30 New York time; the answer comes at 08:00 UTC (17:00 UTC+9).
        let ask = T0 + d * 24 * H + 14 * H + 30 * 60_000;
        v.push(format!(
            r#"{{"kind":"message","subject_id":"{sub}","at":"{}","direction":"to_subject"}}"#,
            at(ask)
        ));
        v.push(format!(
            r#"{{"kind":"message","subject_id":"{sub}","at":"{}","direction":"from_subject"}}"#,
            at(T0 + (d + 1) * 24 * H + 8 * H)
        ));
        let n = if d == 13 { 400 } else { 4 };
        for i in 0..n {
            v.push(format!(
                r#"{{"kind":"access","subject_id":"{sub}","at":"{}","resource":"git/secret-{i}","sensitivity":"secret","bytes":5000000,"ip":"45.76.1.1","dest_ip":"175.45.176.9"}}"#,
                at(T0 + d * 24 * H + 3 * H + i * 1000)
            ));
        }
    }
    for (i, name) in ["AnyDesk", "Astrill VPN", "PiKVM HID"].iter().enumerate() {
        v.push(format!(
            r#"{{"kind":"endpoint","subject_id":"{sub}","at":"{}","observation":"process","name":"{name}"}}"#,
            at(T0 + i as i64 * H)
        ));
    }
    v
}

/// A legitimate New Yorker who travels (three days in Tokyo, a travel day each way), uses
/// iCloud Private Relay on the phone, works New York hours, answers quickly, uses Zoom and
/// Slack. `k` gives each look-alike its own home and hotel address.
fn lookalike(sub: &str, client: &str, k: usize) -> Vec<String> {
    let mut v = vec![profile(sub), contract(sub, client)];
    let (home, hotel) = (format!("24.10.10.{}", 10 + k), format!("126.1.1.{}", 1 + k));
    for d in 0..14 {
        let (ip, off) = if (6..9).contains(&d) {
            (hotel.as_str(), 9)
        } else {
            (home.as_str(), -4)
        };
        for h in 9..18 {
            if d == 5 {
                break; // in the air
            }
            let ms = T0 + d * 24 * H + (h - off) * H;
            v.push(format!(
                r#"{{"kind":"login","subject_id":"{sub}","at":"{}","ip":"{ip}"}}"#,
                at(ms)
            ));
            v.push(format!(
                r#"{{"kind":"login","subject_id":"{sub}","at":"{}","ip":"172.225.5.5"}}"#,
                at(ms + 10 * 60_000)
            ));
            v.push(format!(
                r#"{{"kind":"activity","subject_id":"{sub}","at":"{}"}}"#,
                at(ms + 20 * 60_000)
            ));
        }
        let ask = T0 + d * 24 * H + 14 * H + 30 * 60_000;
        v.push(format!(
            r#"{{"kind":"message","subject_id":"{sub}","at":"{}","direction":"to_subject"}}"#,
            at(ask)
        ));
        v.push(format!(
            r#"{{"kind":"message","subject_id":"{sub}","at":"{}","direction":"from_subject"}}"#,
            at(ask + 15 * 60_000)
        ));
        for i in 0..6 {
            v.push(format!(
                r#"{{"kind":"access","subject_id":"{sub}","at":"{}","resource":"wiki/p{i}","sensitivity":"confidential","bytes":20000,"ip":"{ip}","dest_ip":"52.1.1.1"}}"#,
                at(T0 + d * 24 * H + 15 * H + i * 1000)
            ));
        }
    }
    for name in ["zoom.us", "Slack", "Code.exe"] {
        v.push(format!(
            r#"{{"kind":"endpoint","subject_id":"{sub}","at":"{}","observation":"process","name":"{name}"}}"#,
            at(T0)
        ));
    }
    v
}

fn dataset() -> Dataset {
    let mut lines = Vec::new();
    for (k, s) in ["dprk-1", "dprk-2", "dprk-3"].iter().enumerate() {
        lines.extend(persona(s, &format!("client-{k}")));
    }
    for (k, s) in ["legit-1", "legit-2", "legit-3", "legit-4"]
        .iter()
        .enumerate()
    {
        lines.extend(lookalike(s, &format!("client-{}", 10 + k), k));
    }
    let mut ds = build(&lines);
    intel(
        &mut ds,
        "45.76.1.1",
        "US",
        "Piscataway",
        (40.55, -74.46),
        &[NetClass::Hosting],
    );
    intel(
        &mut ds,
        "73.20.20.20",
        "US",
        "Nashville",
        (36.16, -86.78),
        &[],
    );
    intel(&mut ds, "36.110.1.1", "CN", "Shenyang", (41.8, 123.43), &[]);
    intel(
        &mut ds,
        "175.45.176.9",
        "KP",
        "Pyongyang",
        (39.03, 125.75),
        &[],
    );
    intel(&mut ds, "113.160.1.1", "VN", "Hanoi", (21.03, 105.85), &[]);
    for k in 0..4 {
        let (home, hotel) = (format!("24.10.10.{}", 10 + k), format!("126.1.1.{}", 1 + k));
        intel(&mut ds, &home, "US", "New York", (40.71, -74.01), &[]);
        intel(&mut ds, &hotel, "JP", "Tokyo", (35.68, 139.69), &[]);
    }
    intel(
        &mut ds,
        "172.225.5.5",
        "DE",
        "Frankfurt",
        (50.11, 8.68),
        &[NetClass::Relay, NetClass::Hosting],
    );
    intel(
        &mut ds,
        "52.1.1.1",
        "IE",
        "Dublin",
        (53.35, -6.26),
        &[NetClass::Hosting],
    );
    ds
}

fn ours(fs: Vec<Finding>) -> Vec<Finding> {
    fs.into_iter()
        .filter(|f| LOGIN_NETWORK_ACCESS.contains(&f.detector.as_str()))
        .collect()
}

#[test]
fn persona_raises_every_flag_of_this_issue() {
    let ds = dataset();
    let fs = ours(run_all(&build_all(&DetectorParams::default()), &ds));
    let of = |s: &str| -> Vec<(String, String)> {
        fs.iter()
            .filter(|f| f.subject_id == s)
            .map(|f| (f.id.clone(), f.detector.clone()))
            .collect()
    };
    let got = of("dprk-1");
    for (id, det) in [
        ("RF-LOGIN-MULTI-COUNTRY", "login_multi_country"),
        ("RF-LOGIN-IMPOSSIBLE-TRAVEL", "impossible_travel"),
        ("RF-NET-ANONYMIZER", "net_anonymizer"),
        ("RF-NET-ANONYMIZER", "shared_residential_ip"),
        ("RF-AVAIL-OFF-HOURS", "off_hours"),
        ("RF-ACCESS-BULK", "access_bulk"),
        ("RF-ACCESS-FOREIGN", "access_foreign"),
        ("KX-ENDPOINT-REMOTE-ACCESS", "endpoint_tools"),
        ("KX-ENDPOINT-IP-KVM", "endpoint_tools"),
        ("KX-ENDPOINT-VPN-CLIENT", "endpoint_tools"),
    ] {
        assert!(
            got.contains(&(id.to_string(), det.to_string())),
            "dprk-1 lacks {id} from {det}: {got:?}"
        );
    }
}

#[test]
fn lookalikes_raise_nothing() {
    let ds = dataset();
    let fs = ours(run_all(&build_all(&DetectorParams::default()), &ds));
    let legit: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.subject_id.starts_with("legit"))
        .collect();
    assert!(legit.is_empty(), "{legit:#?}");
}

#[test]
fn network_flags_need_ip_intel() {
    // The same records without any IP intel: no network-based flag may fire.
    let mut ds = dataset();
    ds.ip.clear();
    let fs = ours(run_all(&build_all(&DetectorParams::default()), &ds));
    for f in &fs {
        assert!(
            !matches!(
                f.detector.as_str(),
                "login_multi_country"
                    | "impossible_travel"
                    | "net_anonymizer"
                    | "shared_residential_ip"
                    | "access_foreign"
            ),
            "{f:?}"
        );
    }
}
