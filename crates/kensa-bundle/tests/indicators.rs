//! Issue 19 item 4: two separate databases sharing one HMAC key — an indicator exported by one
//! is matched by the other, and the exchanged file holds no raw identifier; the STIX export
//! carries the patterns.

use kensa_bundle::indicators::{Kind, extract, hashed_list, match_list, stix_bundle};
use kensa_model::validate_value;
use kensa_store::{Durability, EvidenceStore, Store};
use serde_json::json;

fn store_with(dir: &std::path::Path, name: &str, records: &[serde_json::Value]) -> Store {
    let mut s = Store::open(&dir.join(name), Durability::Normal).unwrap();
    let v: Vec<_> = records
        .iter()
        .map(|r| validate_value(r.clone()).unwrap())
        .collect();
    let refs: Vec<_> = v.iter().collect();
    s.append_records(&refs).unwrap();
    s
}

const WALLET: &str = "TXkF3pLmN8qR2sT4uV6wX8yZ1aB3cD5eF7";

fn worker() -> Vec<serde_json::Value> {
    vec![
        json!({"kind":"subject","subject_id":"w1","source":"freelance_platform","emails":["alex.dev@proton.me"],
            "phones":["+1 (312) 555-0147"],"address":{"line1":"5120 W Camelback Rd","city":"Phoenix","region":"AZ","postal_code":"85031","country":"US"}}),
        json!({"kind":"login","subject_id":"w1","at":"2026-09-01T01:00:00Z","ip":"175.45.176.9"}),
        json!({"kind":"payout_account","subject_id":"w1","at":"2026-09-01T02:00:00Z","account_id":"a1","method":"crypto",
            "crypto":{"chain":"tron","asset":"USDT","address":WALLET}}),
        json!({"kind":"endpoint","subject_id":"w1","at":"2026-09-02T02:00:00Z","observation":"usb_device","name":"PiKVM HID"}),
    ]
}

#[test]
fn a_hashed_list_from_one_database_is_matched_in_another_without_raw_values() {
    let dir = tempfile::tempdir().unwrap();
    let a = store_with(dir.path(), "a.db", &worker());
    let key = [7u8; 32];
    let ind = extract(&a, &["w1".into()]).unwrap();
    let kinds: Vec<Kind> = ind.iter().map(|i| i.kind).collect();
    for k in [
        Kind::Ip,
        Kind::Wallet,
        Kind::EmailDomain,
        Kind::Phone,
        Kind::PostalAddress,
        Kind::Tool,
    ] {
        assert!(kinds.contains(&k), "{k:?} in {ind:?}");
    }
    let list = hashed_list(&ind, &key, "Platform A", "2026-12-06T00:00:00Z");
    let text = serde_json::to_string(&list).unwrap();
    for i in &ind {
        assert!(
            !text.contains(&i.value),
            "raw {} in the shared file",
            i.value
        );
    }
    for raw in [
        WALLET,
        "proton.me",
        "3125550147",
        "175.45.176.9",
        "Camelback",
        "pikvm",
    ] {
        assert!(!text.to_lowercase().contains(&raw.to_lowercase()), "{raw}");
    }
    // Platform B: one account paid into the same wallet, with another
    // phone; one honest account.
    let b = store_with(
        dir.path(),
        "b.db",
        &[
            json!({"kind":"subject","subject_id":"b-7","source":"payment_platform","phones":["+81 90 1234 5678"]}),
            json!({"kind":"payout","subject_id":"b-7","at":"2026-10-01T00:00:00Z","amount":900,"currency":"USD",
                "method":"crypto","crypto":{"chain":"tron","asset":"USDT","address":WALLET}}),
            json!({"kind":"subject","subject_id":"b-8","source":"payment_platform","phones":["+1 312 555 0148"],
                "emails":["someone@example.org"]}),
        ],
    );
    let subjects = kensa_bundle::indicators::all_subjects(&b).unwrap();
    let m = match_list(&b, &subjects, &list, &key).unwrap();
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0].subject_id.as_str(), m[0].kind), ("b-7", Kind::Wallet));
    assert_eq!(m[0].party, "Platform A");
    assert_eq!(m[0].shared_at, "2026-12-06T00:00:00Z");
    // Another key: refused, not silently unmatched.
    let err = match_list(&b, &subjects, &list, &[8u8; 32]).unwrap_err();
    assert!(err.to_string().contains("another key"), "{err}");
    assert!(EvidenceStore::verify(&b, &|_| {}).unwrap().broken.is_none());
}

#[test]
fn the_stix_export_has_patterns_for_each_kind_and_tools_as_tool_objects() {
    let dir = tempfile::tempdir().unwrap();
    let a = store_with(dir.path(), "a.db", &worker());
    let ind = extract(&a, &["w1".into()]).unwrap();
    let b = stix_bundle(&ind, "Platform A", "2026-12-06T00:00:00.000Z");
    assert_eq!(b["type"], "bundle");
    let objects = b["objects"].as_array().unwrap();
    let patterns: Vec<&str> = objects
        .iter()
        .filter_map(|o| o["pattern"].as_str())
        .collect();
    assert!(
        patterns.contains(&"[ipv4-addr:value = '175.45.176.9']"),
        "{patterns:?}"
    );
    assert!(
        patterns.contains(&"[email-addr:value LIKE '%@proton.me']"),
        "{patterns:?}"
    );
    assert!(patterns.iter().any(|p| p.contains(WALLET)), "{patterns:?}");
    assert!(
        objects
            .iter()
            .any(|o| o["type"] == "tool" && o["name"] == "pikvm")
    );
    for o in objects {
        let id = o["id"].as_str().unwrap();
        assert!(
            id.starts_with(&format!("{}--", o["type"].as_str().unwrap())),
            "{id}"
        );
        assert_eq!(id.len() - id.find("--").unwrap() - 2, 36, "{id}");
    }
}

/// Item 4's last sentence: a scan of the receiving platform raises a red flag for the
/// matching subject, with the sharing party and date as evidence — the list loaded as an intel
/// source (`kind = "shared_indicators"`) beside its key file, as a user configures it.
#[test]
fn a_shared_list_in_the_intel_configuration_raises_a_flag_in_the_receivers_scan() {
    let dir = tempfile::tempdir().unwrap();
    let a = store_with(dir.path(), "a.db", &worker());
    let key_path = dir.path().join("shared.key");
    kensa_bundle::indicators::write_shared_key(&key_path).unwrap();
    let key = kensa_bundle::indicators::read_shared_key(&key_path).unwrap();
    let ind = extract(&a, &["w1".into()]).unwrap();
    let list = hashed_list(&ind, &key, "Platform A", "2026-12-06T08:30:00Z");
    assert!(
        list.indicators
            .iter()
            .all(|h| h.kind != Kind::Tool && h.kind != Kind::EmailDomain),
        "tool names and free-mail domains identify no one: {list:?}"
    );
    std::fs::write(
        dir.path().join("platform-a.json"),
        serde_json::to_vec(&list).unwrap(),
    )
    .unwrap();
    let cfg_text = r#"
[[source]]
name = "builtin"
kind = "builtin"

[[source]]
name = "platform-a-indicators"
kind = "shared_indicators"
path = "platform-a.json"
key = "shared.key"
"#;
    let cfg =
        kensa_enrich::IntelConfig::parse(cfg_text, std::path::Path::new("intel.toml")).unwrap();
    let intel = kensa_enrich::Intel::load(&cfg, dir.path()).unwrap();
    assert_eq!(intel.shared_lists().len(), 1);
    let engine = kensa_engine::EngineConfig {
        intel: std::sync::Arc::new(intel),
        ..kensa_engine::EngineConfig::builtin()
    };
    let b = Store::open(&dir.path().join("b.db"), Durability::Normal).unwrap();
    let mut ws = kensa_engine::Workspace::open(Box::new(b), engine);
    let records = [
        // Pays out to the worker's wallet; the phone is written the US way, without +1.
        json!({"kind":"subject","subject_id":"b-7","source":"payment_platform","claimed_country":"US",
            "phones":["(312) 555-0147"]}),
        json!({"kind":"payout","subject_id":"b-7","at":"2026-10-01T00:00:00Z","amount":900,"currency":"USD",
            "method":"crypto","crypto":{"chain":"tron","asset":"USDT","address":WALLET}}),
        // Same free-mail provider, a neighbour's number: nothing.
        json!({"kind":"subject","subject_id":"b-8","source":"payment_platform","phones":["+1 312 555 0148"],
            "emails":["someone@proton.me"]}),
    ];
    ws.submit(
        records
            .iter()
            .map(|r| validate_value(r.clone()).unwrap())
            .collect(),
    )
    .unwrap();
    let r7 = ws.result("b-7").unwrap();
    let f = r7
        .flags
        .iter()
        .find(|f| f.detector == "partner_indicators")
        .unwrap_or_else(|| panic!("no partner_indicators flag: {:?}", r7.flags));
    assert_eq!(f.id, "RF-LINK-SHARED-IDENTITY");
    let m = f.evidence.values["matches"].as_array().unwrap();
    let kinds: Vec<&str> = m.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["wallet", "phone"], "{m:?}");
    assert!(
        m.iter()
            .all(|x| x["party"] == "Platform A" && x["shared_at"] == "2026-12-06T08:30:00Z")
    );
    assert!(
        f.explanation.en.contains("Platform A shared on 2026-12-06"),
        "{}",
        f.explanation.en
    );
    assert!(
        f.explanation.ja.contains("Platform A"),
        "{}",
        f.explanation.ja
    );
    let r8 = ws.result("b-8").unwrap();
    assert!(
        r8.flags.iter().all(|f| f.detector != "partner_indicators"),
        "{:?}",
        r8.flags
    );
}
