//! Contract tests for the synthetic demo data set.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use kensa_demo::{Demo, DemoConfig, KINDS, generate, ident, net, time};
use serde_json::Value;

fn demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| generate(&DemoConfig::default()))
}

/// Required fields per kind, as in the table of `spec/input-format.md`.
fn required_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "subject" => &["subject_id", "source"],
        "login" => &["subject_id", "at", "ip"],
        "activity" => &["subject_id", "at"],
        "payout_account" => &["subject_id", "at", "account_id", "method"],
        "payout" => &["subject_id", "at", "amount", "currency"],
        "message" => &["subject_id", "at", "direction"],
        "review" => &["subject_id", "reviewer_id", "at", "rating"],
        "contract" => &["subject_id", "at"],
        "meeting" => &["subject_id", "at"],
        "identity_document" => &["subject_id", "at", "doc_type"],
        "shipment" => &["subject_id", "at", "status"],
        "access" => &["subject_id", "at", "resource"],
        "endpoint" => &["subject_id", "at", "observation"],
        "check" => &["subject_id", "at", "check", "result"],
        "label" => &["subject_id", "label"],
        _ => return None,
    })
}

/// Enumerated values from the spec.
fn allowed_values(kind: &str, field: &str) -> Option<&'static [&'static str]> {
    Some(match (kind, field) {
        ("payout_account" | "payout", "method") => &["bank", "crypto", "wallet", "card"],
        ("message", "direction") => &["from_subject", "to_subject"],
        ("shipment", "status") => &["delivered", "failed", "redirected", "refused"],
        ("access", "sensitivity") => &["public", "internal", "confidential", "secret"],
        ("check", "result") => &["pass", "fail", "inconclusive"],
        ("label", "label") => &["dprk", "legit", "unknown"],
        _ => return None,
    })
}

const ISO_COUNTRIES: &[&str] = &[
    "US", "JP", "KR", "DE", "GB", "IN", "PH", "BR", "UA", "VN", "SG", "ID", "CN", "HK", "NL", "KP",
    "RU", "LA", "AE",
];
const ISO_CURRENCIES: &[&str] = &[
    "USD", "JPY", "KRW", "EUR", "GBP", "INR", "PHP", "BRL", "UAH", "VND", "SGD", "IDR", "CNY",
];

const ALL_FLAGS: &[&str] = &[
    "RF-LOGIN-MULTI-IP",
    "RF-LOGIN-MULTI-COUNTRY",
    "RF-LOGIN-IMPOSSIBLE-TRAVEL",
    "RF-NET-ANONYMIZER",
    "RF-AVAIL-OFF-HOURS",
    "RF-PAY-FREQUENT-TRANSFER",
    "RF-PAY-PRC-BANK",
    "RF-PAY-CRYPTO",
    "RF-PAY-THIRD-PARTY",
    "RF-PAY-NAME-MISMATCH",
    "RF-PAY-ACCOUNT-CHANGED",
    "RF-PAY-UNDERPRICED",
    "RF-PROFILE-INCONSISTENT",
    "RF-PROFILE-UNNATURAL-JA",
    "RF-ID-FORGED",
    "RF-COMMS-NO-VIDEO",
    "RF-COMMS-OFF-PLATFORM",
    "RF-REVIEW-MANIPULATION",
    "RF-LINK-SHARED-IDENTITY",
    "RF-SHIP-ADDRESS",
    "RF-ACCESS-BULK",
    "RF-ACCESS-FOREIGN",
    "RF-INTERVIEW-DEEPFAKE",
    "RF-HISTORY-SKEWED",
    "RF-SANCTIONED",
];

fn of_kind<'a>(d: &'a Demo, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    d.records.iter().filter(move |r| r["kind"] == kind)
}

fn persona<'a>(d: &'a Demo, name: &str) -> &'a kensa_demo::PersonaInfo {
    d.personas
        .iter()
        .find(|p| p.persona == name)
        .unwrap_or_else(|| panic!("persona {name} missing"))
}

fn for_subject<'a>(
    d: &'a Demo,
    kind: &'a str,
    id: &'a str,
) -> impl Iterator<Item = &'a Value> + 'a {
    of_kind(d, kind).filter(move |r| r["subject_id"] == id)
}

#[test]
fn same_seed_same_records_different_seed_different_records() {
    let a = demo();
    let b = generate(&DemoConfig::default());
    assert_eq!(a.records, b.records);
    assert_eq!(a.personas, b.personas);
    let c = generate(&DemoConfig {
        seed: kensa_demo::EVAL_SEED,
        ..DemoConfig::default()
    });
    assert_ne!(a.records, c.records);
    let ids_a: BTreeSet<_> = a
        .personas
        .iter()
        .flat_map(|p| p.subject_ids.clone())
        .collect();
    let ids_c: BTreeSet<_> = c
        .personas
        .iter()
        .flat_map(|p| p.subject_ids.clone())
        .collect();
    assert_ne!(ids_a, ids_c);
    // Same scenarios in both.
    let names = |d: &Demo| {
        d.personas
            .iter()
            .map(|p| p.persona.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(a), names(&c));
    assert_ne!(kensa_demo::DEFAULT_SEED, kensa_demo::EVAL_SEED);
}

#[test]
fn every_record_has_a_known_kind_and_its_required_fields() {
    let d = demo();
    let mut seen = BTreeSet::new();
    for r in &d.records {
        let kind = r["kind"].as_str().expect("kind is a string");
        let req = required_fields(kind).unwrap_or_else(|| panic!("unknown kind {kind}"));
        for f in req {
            let v = &r[*f];
            assert!(!v.is_null(), "{kind} lacks {f}: {r}");
            if let Some(s) = v.as_str() {
                assert!(!s.is_empty(), "{kind}.{f} empty: {r}");
            }
        }
        for (f, v) in r.as_object().expect("object") {
            if let (Some(allowed), Some(s)) = (allowed_values(kind, f), v.as_str()) {
                assert!(allowed.contains(&s), "{kind}.{f} = {s} not allowed");
            }
        }
        assert!(
            r.get("record_id").is_none(),
            "record_id must not be set: {r}"
        );
        seen.insert(kind.to_string());
    }
    for k in KINDS {
        assert!(seen.contains(k), "no record of kind {k}");
    }
    for r in of_kind(d, "check") {
        assert!(r["check"].as_str().is_some_and(|c| c.starts_with("DD-")));
    }
    for r in of_kind(d, "payout") {
        assert!(r["amount"].as_f64().is_some_and(|a| a > 0.0), "{r}");
    }
    for r in of_kind(d, "contract") {
        if let Some(a) = r["rate"]["amount"].as_f64() {
            assert!(a > 0.0, "{r}");
        }
    }
    for r in of_kind(d, "review") {
        let rating = r["rating"].as_u64().expect("rating");
        assert!((1..=5).contains(&rating));
    }
}

#[test]
fn timestamps_are_rfc3339_with_offset_and_inside_sane_bounds() {
    let d = demo();
    let lo = time::epoch(2000, 1, 1, 0, 0, 0);
    let hi = time::epoch(2026, 11, 1, 0, 0, 0);
    for r in &d.records {
        for f in ["at", "observed_at", "account_created_at", "ends_at"] {
            if let Some(s) = r.get(f).and_then(Value::as_str) {
                let t = time::parse_rfc3339(s)
                    .unwrap_or_else(|| panic!("bad timestamp {f}={s} in {r}"));
                assert!(
                    s.ends_with('Z') || s[19..].starts_with('+') || s[19..].starts_with('-'),
                    "no offset: {s}"
                );
                if f != "ends_at" {
                    assert!(t >= lo && t <= hi, "{f}={s} out of bounds");
                }
            }
        }
    }
}

#[test]
fn time_helpers_round_trip() {
    let t = time::epoch(2026, 10, 25, 0, 30, 0);
    assert_eq!(time::offset_at("Europe/Berlin", t), 120);
    assert_eq!(time::offset_at("Europe/Berlin", t + 3600), 60);
    assert_eq!(time::offset_at("America/New_York", t), -240);
    assert_eq!(
        time::offset_at("America/New_York", time::epoch(2026, 11, 2, 12, 0, 0)),
        -300
    );
    assert_eq!(time::offset_at("Asia/Tokyo", t), 540);
    let s = time::fmt(t, 330);
    assert_eq!(s, "2026-10-25T06:00:00+05:30");
    assert_eq!(time::parse_rfc3339(&s), Some(t));
    assert_eq!(time::parse_rfc3339("2026-10-25T00:30:00Z"), Some(t));
}

fn sample_cidrs() -> Vec<(String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/builtin-intel-sample.csv");
    let text = std::fs::read_to_string(&path).expect("docs/builtin-intel-sample.csv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split(',');
            (
                it.next().unwrap_or_default().to_string(),
                it.next().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn generator_ranges_match_the_builtin_sample() {
    let cidrs = sample_cidrs();
    for n in net::NETS {
        assert!(
            cidrs.iter().any(|(c, cc)| c == n.cidr && cc == n.country),
            "{} {} not in the built-in sample",
            n.cidr,
            n.country
        );
    }
}

#[test]
fn every_ip_is_inside_a_builtin_sample_range() {
    let cidrs = sample_cidrs();
    let d = demo();
    let mut n = 0;
    for r in &d.records {
        for f in ["ip", "reviewer_ip", "dest_ip"] {
            if let Some(ip) = r.get(f).and_then(Value::as_str) {
                assert!(
                    cidrs.iter().any(|(c, _)| net::contains(c, ip)),
                    "{ip} ({f}) outside the built-in sample: {r}"
                );
                n += 1;
            }
        }
    }
    assert!(n > 1000);
}

#[test]
fn countries_and_currencies_are_iso() {
    let d = demo();
    let check_cc = |v: &Value, r: &Value| {
        if let Some(s) = v.as_str() {
            assert!(ISO_COUNTRIES.contains(&s), "country {s} in {r}");
        }
    };
    for r in &d.records {
        for f in ["claimed_country", "nationality", "issuing_country"] {
            check_cc(&r[f], r);
        }
        check_cc(&r["address"]["country"], r);
        check_cc(&r["bank"]["country"], r);
        for f in ["currency"] {
            if let Some(c) = r.get(f).and_then(Value::as_str) {
                assert!(ISO_CURRENCIES.contains(&c), "currency {c} in {r}");
            }
        }
        if let Some(c) = r["hourly_rate"]["currency"]
            .as_str()
            .or(r["rate"]["currency"].as_str())
        {
            assert!(ISO_CURRENCIES.contains(&c), "currency {c} in {r}");
        }
    }
}

#[test]
fn every_iban_passes_mod97_and_bics_match_the_country() {
    let d = demo();
    let mut n = 0;
    for r in &d.records {
        let b = &r["bank"];
        if let Some(iban) = b["iban"].as_str() {
            assert!(ident::iban_is_valid(iban), "bad IBAN {iban}");
            assert_eq!(&iban[..2], b["country"].as_str().unwrap_or_default());
            n += 1;
        }
        if let Some(bic) = b["bic"].as_str() {
            assert!(bic.len() == 8 || bic.len() == 11, "bad BIC {bic}");
            assert_eq!(
                &bic[4..6],
                b["country"].as_str().unwrap_or_default(),
                "BIC {bic} country"
            );
        }
    }
    assert!(n > 50, "only {n} IBANs");
    assert!(!ident::iban_is_valid("DE89370400440532013001"));
    assert!(ident::iban_is_valid("DE89370400440532013000"));
    assert!(ident::iban_is_valid("GB82WEST12345698765432"));
}

#[test]
fn mrz_check_digits_are_right_except_the_forged_one() {
    let d = demo();
    let forged = &persona(d, "dprk_deepfake_interviewee").subject_ids[0];
    let mut valid = 0;
    let mut invalid = Vec::new();
    for r in of_kind(d, "identity_document") {
        let Some(mrz) = r["mrz"].as_str() else {
            continue;
        };
        let (l1, l2) = mrz.split_once('\n').expect("two lines");
        assert_eq!(l1.len(), 44);
        assert_eq!(l2.len(), 44);
        assert!(l1.starts_with("P<"));
        // Name and date of birth agree with the record.
        let dob = r["date_of_birth"].as_str().expect("dob");
        assert_eq!(
            &l2[13..19],
            format!("{}{}{}", &dob[2..4], &dob[5..7], &dob[8..10])
        );
        assert_eq!(
            &l2[..9].trim_end_matches('<'),
            &r["number"].as_str().expect("number")
        );
        if ident::td3_line2_is_valid(l2) {
            valid += 1;
        } else {
            invalid.push(r["subject_id"].as_str().unwrap_or_default().to_string());
        }
    }
    assert!(valid > 300);
    assert_eq!(invalid, vec![forged.clone()]);
    // ICAO 9303 specimen: L898902C3 UTO 740812 F 120415.
    assert_eq!(ident::mrz_check("L898902C3"), '6');
    assert_eq!(ident::mrz_check("740812"), '2');
    assert_eq!(ident::mrz_check("120415"), '9');
}

#[test]
fn crypto_addresses_are_well_formed() {
    let d = demo();
    let mut tron = 0;
    for r in &d.records {
        let c = &r["crypto"];
        match (c["chain"].as_str(), c["address"].as_str()) {
            (Some("tron"), Some(a)) => {
                assert!(ident::tron_is_valid(a), "bad TRON address {a}");
                tron += 1;
            }
            (Some("ethereum"), Some(a)) => {
                assert!(
                    a.len() == 42
                        && a.starts_with("0x")
                        && a[2..].chars().all(|c| c.is_ascii_hexdigit()),
                    "bad ETH {a}"
                );
            }
            (None, None) => {}
            other => panic!("unexpected crypto {other:?}"),
        }
    }
    assert!(tron > 0);
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn sanctioned_persona_uses_a_listed_wallet_and_name() {
    let d = demo();
    let id = &persona(d, "dprk_sanctioned_wallet_worker").subject_ids[0];
    let accts: Vec<&Value> = for_subject(d, "payout_account", id).collect();
    assert!(accts.len() >= 4, "account changed 3+ times");
    let sanctioned = accts
        .iter()
        .find(|a| a["beneficiary_name"] == "KIM SANG MAN")
        .expect("sanctioned beneficiary");
    let addr = sanctioned["crypto"]["address"].as_str().expect("address");
    assert!(
        for_subject(d, "payout", id).any(|r| r["crypto"]["address"] == addr),
        "paid into the listed wallet"
    );
    // The changes happen while one contract runs.
    let contract_at = for_subject(d, "contract", id)
        .filter_map(|r| time::parse_rfc3339(r["at"].as_str()?))
        .min()
        .expect("contract");
    let changes = accts
        .iter()
        .filter_map(|a| time::parse_rfc3339(a["at"].as_str()?))
        .filter(|t| *t > contract_at)
        .count();
    assert!(changes >= 3, "{changes} changes after the contract began");
    let list = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/crypto/sanctioned_addresses_ETH.txt");
    match std::fs::read_to_string(&list) {
        Ok(t) => assert!(
            t.lines().any(|l| l.trim().eq_ignore_ascii_case(addr)),
            "{addr} not in {}",
            list.display()
        ),
        Err(_) => eprintln!("skipping list lookup: {} not found", list.display()),
    }
}

/// DPRK-like subjects' labels list the red flags each shows (ground truth for per-flag recall),
/// taken from the persona's flags; legitimate labels list none.
#[test]
fn labels_list_the_flags_each_subject_carries() {
    let d = demo();
    for r in d.records.iter().filter(|r| r["kind"] == "label") {
        let sid = r["subject_id"].as_str().expect("id");
        let p = d.persona_of(sid).expect("persona");
        let flags: Vec<&str> = r["flags"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if p.label == "dprk" {
            assert!(!flags.is_empty(), "{sid}");
            assert!(
                flags
                    .iter()
                    .all(|f| p.expected_flags.iter().any(|e| e == f)),
                "{sid}"
            );
        } else {
            assert!(flags.is_empty(), "{sid}");
        }
    }
    // Only the account that asks to move off the platform carries that flag.
    let op = d
        .personas
        .iter()
        .find(|p| p.persona == "dprk_multi_account_operator")
        .expect("operator");
    let carriers = d
        .records
        .iter()
        .filter(|r| {
            r["kind"] == "label" && op.subject_ids.iter().any(|i| r["subject_id"] == i.as_str())
        })
        .filter(|r| {
            r["flags"]
                .as_array()
                .is_some_and(|a| a.iter().any(|f| f == "RF-COMMS-OFF-PLATFORM"))
        })
        .count();
    assert_eq!(carriers, 1);
}

#[test]
fn every_red_flag_is_expected_by_some_dprk_persona() {
    let d = demo();
    let expected: BTreeSet<&str> = d
        .personas
        .iter()
        .flat_map(|p| p.expected_flags.iter().map(String::as_str))
        .collect();
    for f in ALL_FLAGS {
        assert!(expected.contains(f), "{f} not covered");
    }
    let dprk: Vec<_> = d.personas.iter().filter(|p| p.label == "dprk").collect();
    assert!((8..=14).contains(&dprk.len()));
    for p in &d.personas {
        assert!(!p.description_en.is_empty() && !p.description_ja.is_empty());
        match p.label.as_str() {
            "dprk" => assert!(!p.expected_flags.is_empty(), "{}", p.persona),
            "legit" => assert!(p.expected_flags.is_empty(), "{}", p.persona),
            other => panic!("label {other}"),
        }
    }
    assert!(
        dprk.iter().any(|p| p.expected_flags.len() <= 3),
        "need subtle personas"
    );
    assert!(
        d.personas
            .iter()
            .filter(|p| p.persona.starts_with("lookalike_"))
            .count()
            >= 10
    );
}

#[test]
fn every_subject_has_exactly_one_label_matching_its_persona() {
    let d = demo();
    let subjects: BTreeSet<&str> = of_kind(d, "subject")
        .filter_map(|r| r["subject_id"].as_str())
        .collect();
    let mut labels: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in of_kind(d, "label") {
        assert_eq!(r["by"], "demo-generator");
        assert_eq!(r["notes"], "synthetic");
        labels
            .entry(r["subject_id"].as_str().expect("id"))
            .or_default()
            .push(r["label"].as_str().expect("label"));
    }
    for s in &subjects {
        let l = labels.get(s).unwrap_or_else(|| panic!("{s} has no label"));
        assert_eq!(l.len(), 1, "{s} has {} labels", l.len());
        let p = d
            .persona_of(s)
            .unwrap_or_else(|| panic!("{s} in no persona"));
        assert_eq!(p.label, l[0]);
    }
    // Every subject id used anywhere is a subject with a label.
    for r in &d.records {
        let id = r["subject_id"].as_str().expect("subject_id");
        assert!(subjects.contains(id), "record for unknown subject {id}");
    }
    // Personas are disjoint.
    let mut all = BTreeSet::new();
    for p in &d.personas {
        for id in &p.subject_ids {
            assert!(all.insert(id.clone()), "{id} in two personas");
        }
    }
    assert_eq!(all.len(), subjects.len());
    assert!(subjects.len() >= 300);
}

#[test]
fn scenario_shapes_hold() {
    let d = demo();
    // Laptop farm: all five log in from one address only.
    let farm = persona(d, "dprk_laptop_farm_worker");
    assert!((4..=5).contains(&farm.subject_ids.len()));
    let ips: BTreeSet<&str> = farm
        .subject_ids
        .iter()
        .flat_map(|id| for_subject(d, "login", id).filter_map(|r| r["ip"].as_str()))
        .collect();
    assert_eq!(ips.len(), 1);
    // Impossible travel: a US login followed by a CN login within an hour.
    let vpn = &persona(d, "dprk_vpn_us_claimant").subject_ids[0];
    let mut logins: Vec<(i64, String)> = for_subject(d, "login", vpn)
        .map(|r| {
            (
                time::parse_rfc3339(r["at"].as_str().expect("at")).expect("time"),
                r["ip"].as_str().expect("ip").to_string(),
            )
        })
        .collect();
    logins.sort();
    let is = |ip: &str, key: &str| {
        net::contains(
            net::NETS.iter().find(|n| n.key == key).expect("net").cidr,
            ip,
        )
    };
    assert!(logins.windows(2).any(|w| is(&w[0].1, "us_newyork")
        && is(&w[1].1, "cn_shenyang")
        && w[1].0 - w[0].0 <= 3600));
    // Review ring: five 5-star reviews by accounts created days before.
    let dev = &persona(d, "dprk_review_ring_developer").subject_ids[0];
    let ring = &persona(d, "dprk_review_ring_account").subject_ids;
    let ring_reviews: Vec<&Value> = for_subject(d, "review", dev)
        .filter(|r| ring.iter().any(|x| r["reviewer_id"] == x.as_str()))
        .collect();
    assert_eq!(ring_reviews.len(), ring.len());
    assert!(ring_reviews.iter().all(|r| r["rating"] == 5));
    // Unnatural Japanese vs natural Japanese.
    let bio = |id: &str| {
        for_subject(d, "subject", id)
            .find_map(|r| r["bio"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let ja = bio(&persona(d, "dprk_jp_relay_worker").subject_ids[0]);
    assert!(ja.contains("开发") && ja.contains("软件") && ja.contains('，'));
    let natural = bio(&persona(d, "lookalike_natural_japanese").subject_ids[0]);
    assert!(natural.contains("開発") && !natural.contains("开发"));
    // Legit subjects never have a record with a forbidden property: camera refused only for the
    // privacy-minded look-alike.
    for r in of_kind(d, "meeting").filter(|r| r["refused"] == true) {
        let p = d
            .persona_of(r["subject_id"].as_str().expect("id"))
            .expect("persona");
        assert!(
            p.label == "dprk" || p.persona == "lookalike_privacy_minded",
            "{}",
            p.persona
        );
    }
}

#[test]
fn writes_one_file_per_kind() {
    let d = demo();
    let dir = std::env::temp_dir().join(format!("kensa-demo-test-{}", std::process::id()));
    let paths = kensa_demo::write_jsonl_by_kind(d, &dir).expect("write");
    assert_eq!(paths.len(), 15);
    let mut total = 0;
    for p in &paths {
        let kind = p
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        let text = std::fs::read_to_string(p).expect("read");
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).expect("json");
            assert_eq!(v["kind"], kind.as_str());
            total += 1;
        }
    }
    assert_eq!(total, d.records.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn small_and_odd_configurations_work() {
    for (seed, legit, days) in [(1u64, 0usize, 14u32), (2, 5, 21), (3, 20, 30)] {
        let d = generate(&DemoConfig {
            seed,
            legit_subjects: legit,
            start: "2027-03-01T00:00:00Z",
            days,
        });
        let t0 = time::parse_rfc3339("2027-03-01T00:00:00Z").expect("start");
        let mut labelled = BTreeSet::new();
        for r in &d.records {
            if r["kind"] == "label" {
                assert!(labelled.insert(r["subject_id"].as_str().expect("id").to_string()));
            }
            if let Some(at) = r.get("at").and_then(Value::as_str) {
                let t = time::parse_rfc3339(at).expect("time");
                assert!(
                    t > t0 - 20 * 365 * 86_400 && t <= t0 + i64::from(days) * 86_400 + 86_400,
                    "{at} outside window: {r}"
                );
            }
        }
        let subjects: BTreeSet<String> = of_kind(&d, "subject")
            .filter_map(|r| r["subject_id"].as_str().map(str::to_string))
            .collect();
        assert_eq!(subjects, labelled);
        let ordinary = d
            .personas
            .iter()
            .find(|p| p.persona == "ordinary_freelancer")
            .expect("ordinary");
        assert_eq!(ordinary.subject_ids.len(), legit);
    }
}

/// Benchmark-sized data sets (`kensa demo --days N`, bench/scan.sh) come from a longer window:
/// every kind stays present, logins and activity grow with the window and stay inside it.
#[test]
fn a_longer_window_keeps_every_kind_and_adds_logins_and_activity() {
    let cfg = |days| DemoConfig {
        seed: 5,
        legit_subjects: 40,
        days,
        ..Default::default()
    };
    let short = generate(&cfg(60));
    let long = generate(&cfg(120));
    let t0 = time::parse_rfc3339(DemoConfig::default().start).expect("start");
    for kind in KINDS {
        assert!(of_kind(&long, kind).next().is_some(), "no {kind} record");
    }
    for kind in ["login", "activity"] {
        let (s, l) = (of_kind(&short, kind).count(), of_kind(&long, kind).count());
        assert!(
            l * 10 > s * 17,
            "{kind}: {s} records in 60 days, {l} in 120"
        );
        for r in of_kind(&long, kind) {
            let t = time::parse_rfc3339(r["at"].as_str().expect("at")).expect("time");
            assert!(t >= t0 && t <= t0 + 120 * 86_400, "{r}");
        }
    }
    assert_eq!(
        of_kind(&short, "label").count(),
        of_kind(&long, "label").count(),
        "the window does not change the population"
    );
}
