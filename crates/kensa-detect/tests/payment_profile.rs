//! Scenario tests for the payout, profile and contact detectors: one synthetic DPRK-style
//! persona and the legitimate look-alikes of `docs/demo.md` run through every registered
//! detector together. (The contract every detector keeps is in `contract.rs`.)
//!
//! All data here is synthetic and labelled as such.

use kensa_detect::{Dataset, DatasetBuilder, DetectorParams, Finding, build_all, run_all};
use kensa_model::validate_value;

/// The detectors these scenarios are about.
const PAYMENT_PROFILE: [&str; 5] = [
    "prc_bank",
    "crypto_payout",
    "payout_name",
    "profile_consistency",
    "contact_signals",
];

fn build(lines: &[String]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for l in lines {
        let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
        b.add(v.record_id, v.record);
    }
    b.build().0
}

fn profile(sub: &str, source: &str, fields: &str) -> String {
    format!(r#"{{"kind":"subject","subject_id":"{sub}","source":"{source}",{fields}}}"#)
}

fn account(sub: &str, id: &str, day: u32, method: &str, ben: &str, dest: &str) -> String {
    format!(
        r#"{{"kind":"payout_account","subject_id":"{sub}","at":"2026-09-{day:02}T00:00:00Z","account_id":"{id}","method":"{method}","beneficiary_name":"{ben}",{dest}}}"#
    )
}

fn payout(sub: &str, id: &str, day: u32) -> String {
    format!(
        r#"{{"kind":"payout","subject_id":"{sub}","at":"2026-09-{day:02}T12:00:00Z","amount":1500,"currency":"USD","account_id":"{id}"}}"#
    )
}

// One push per record, each with a comment on the persona, reads better than one long `vec!`.
#[allow(clippy::vec_init_then_push)]
fn scenario() -> Vec<String> {
    let mut l = Vec::new();
    // DPRK-style: "New York" developer, PRC account in another name, then USDT; sources
    // disagree on nationality and date of birth; a VoIP number.
    l.push(profile(
        "dprk",
        "freelance_platform",
        r#""display_name":"Andrew Harris","claimed_country":"US","claimed_city":"New York","nationality":"US","date_of_birth":"1990-04-02","phones":["+44 56 0123 4567"]"#,
    ));
    l.push(profile(
        "dprk",
        "payment_platform",
        r#""legal_name":"Andrew Harris","claimed_country":"US","nationality":"CA","date_of_birth":"1987-11-20""#,
    ));
    l.push(r#"{"kind":"contract","subject_id":"dprk","at":"2026-09-01T00:00:00Z"}"#.into());
    l.push(account(
        "dprk",
        "boc",
        1,
        "bank",
        "ZHANG WEI",
        r#""bank":{"bic":"BKCHCNBJ","bank_name":"Bank of China","account_number":"6216600000000001"}"#,
    ));
    l.push(payout("dprk", "boc", 5));
    l.push(account(
        "dprk",
        "usdt",
        20,
        "crypto",
        "ZHANG WEI",
        r#""crypto":{"chain":"tron","asset":"USDT","address":"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}"#,
    ));
    l.push(payout("dprk", "usdt", 25));

    // Look-alike: openly Shanghai-based developer, own-name CN account, family name first.
    l.push(profile(
        "prc",
        "freelance_platform",
        r#""legal_name":"Wei Zhang","name_native":"张伟","claimed_country":"CN","claimed_city":"Shanghai""#,
    ));
    l.push(account(
        "prc",
        "icbc",
        1,
        "bank",
        "ZHANG WEI",
        r#""bank":{"bic":"ICBKCNBJ","bank_name":"ICBC","account_number":"6222020200112233445","country":"CN"}"#,
    ));
    l.push(payout("prc", "icbc", 5));

    // Look-alike: web3 freelancer paid in USDC from the start, own-name wallet.
    l.push(profile(
        "web3",
        "freelance_platform",
        r#""legal_name":"Olena Kovalenko","claimed_country":"UA""#,
    ));
    l.push(account(
        "web3",
        "usdc",
        1,
        "crypto",
        "Olena Kovalenko",
        r#""crypto":{"chain":"ethereum","asset":"USDC","address":"0x52908400098527886E0F7030069857D2E4169EE7"}"#,
    ));
    l.push(payout("web3", "usdc", 5));

    // Look-alike: married name; the old portfolio shows the maiden name.
    l.push(profile(
        "married",
        "freelance_platform",
        r#""legal_name":"Emily Johnson","former_names":["Emily Carter"],"claimed_country":"US","claimed_city":"New York""#,
    ));
    l.push(profile(
        "married",
        "portfolio",
        r#""display_name":"Emily Carter","claimed_country":"US","claimed_city":"New York""#,
    ));
    l.push(account(
        "married",
        "chase",
        1,
        "bank",
        "EMILY JOHNSON",
        r#""bank":{"bic":"CHASUS33","account_number":"123456789","country":"US"}"#,
    ));

    // Look-alike: Korean name family-name first, Hangul profile, résumé without hyphen.
    l.push(profile(
        "korean",
        "freelance_platform",
        r#""display_name":"Min-jun Kim","claimed_country":"KR","phones":["010-1234-5678"]"#,
    ));
    l.push(profile(
        "korean",
        "resume",
        r#""legal_name":"KIM MINJUN","name_native":"김민준","claimed_country":"KR""#,
    ));
    l.push(account(
        "korean",
        "kb",
        1,
        "bank",
        "김민준",
        r#""bank":{"bic":"CZNBKRSE","account_number":"12345678901234","country":"KR"}"#,
    ));

    // Look-alike: Japanese display name in kanji, katakana bank name, résumé without middle name.
    l.push(profile(
        "japanese",
        "freelance_platform",
        r#""display_name":"佐藤 健二","legal_name":"Kenji Sato","claimed_country":"JP","claimed_city":"Tokyo""#,
    ));
    l.push(profile(
        "japanese",
        "social",
        r#""display_name":"佐藤健二","claimed_city":"東京""#,
    ));
    l.push(account(
        "japanese",
        "mufg",
        1,
        "bank",
        "サトウ ケンジ",
        r#""bank":{"bic":"BOTKJPJT","account_number":"1234567","country":"JP"}"#,
    ));
    l
}

fn mine(f: &[Finding], subject: &str) -> Vec<(String, f64)> {
    f.iter()
        .filter(|f| f.subject_id == subject && PAYMENT_PROFILE.contains(&f.detector.as_str()))
        .map(|f| (f.id.clone(), f.strength))
        .collect()
}

fn strength(f: &[(String, f64)], id: &str) -> f64 {
    f.iter().find(|(i, _)| i == id).map_or(0.0, |(_, s)| *s)
}

#[test]
fn dprk_style_payouts_and_profiles_fire_and_look_alikes_do_not() {
    let ds = build(&scenario());
    let all = run_all(&build_all(&DetectorParams::default()), &ds);

    let d = mine(&all, "dprk");
    assert_eq!(strength(&d, "RF-PAY-PRC-BANK"), 1.0, "{d:?}");
    assert_eq!(strength(&d, "RF-PAY-CRYPTO"), 1.0, "{d:?}");
    assert_eq!(strength(&d, "RF-PAY-NAME-MISMATCH"), 1.0, "{d:?}");
    assert!(strength(&d, "RF-PAY-THIRD-PARTY") >= 0.6, "{d:?}");
    assert!(strength(&d, "RF-PROFILE-INCONSISTENT") >= 0.9, "{d:?}");
    assert_eq!(strength(&d, "KX-CONTACT-VOIP-PHONE"), 1.0, "{d:?}");
    assert_eq!(strength(&d, "KX-CONTACT-PHONE-COUNTRY"), 1.0, "{d:?}");

    let prc = mine(&all, "prc");
    assert_eq!(prc.len(), 1, "{prc:?}");
    assert!(strength(&prc, "RF-PAY-PRC-BANK") <= 0.1);

    let web3 = mine(&all, "web3");
    assert_eq!(web3.len(), 1, "{web3:?}");
    assert!(strength(&web3, "RF-PAY-CRYPTO") <= 0.3);

    for s in ["married", "korean", "japanese"] {
        assert!(mine(&all, s).is_empty(), "{s}: {:?}", mine(&all, s));
    }
}
