//! Scenario tests for the message, meeting, document, shipping, payout-pattern, rate and
//! work-history detectors: on one mixed data set, a suspicious persona raises each of their
//! flags and the legitimate look-alikes none; policy extensions parse; odd input never panics.
//! (The contract every detector keeps is in `contract.rs`.)

use kensa_detect::{DatasetBuilder, DetectorParams, build_all, run_all};
use kensa_model::validate_value;
use serde_json::{Value, json};

/// The detectors these scenarios are about.
const MESSAGES_DOCUMENTS_HISTORY: &[&str] = &[
    "message_patterns",
    "meetings",
    "id_document",
    "profile_ja",
    "shipping",
    "payout_changes",
    "underpriced",
    "payout_frequency",
    "history_skewed",
];

/// A suspicious persona (`dprk1`, with a second account `dprk2` reusing its résumé and
/// document image), legitimate look-alikes, and a market of peers for rates and payouts.
fn records() -> Vec<Value> {
    let mut v = vec![
        json!({"kind":"subject","subject_id":"dprk1","source":"freelance_platform","legal_name":"Daniel Kim",
            "claimed_country":"US","skills":["React","Solidity"],"hourly_rate":{"amount":15,"currency":"USD"},
            "bio":"5年以上の软件开发经验があります，ブロックチェーン開発が得意です。Senior blockchain engineer building DeFi protocols and NFT marketplaces.",
            "employment":[
                {"employer":"ChainLabs","title":"Solidity Engineer","from":"2012-01","to":"2015-06"},
                {"employer":"DeFi Corp","title":"Blockchain Developer","from":"2015-07","to":"2019-12"},
                {"employer":"Web3 Studio","title":"Smart contract lead","from":"2020-01","to":"2024-12"}]}),
        json!({"kind":"subject","subject_id":"dprk2","source":"freelance_platform","legal_name":"Kevin Lee",
            "bio":"5年以上の软件开发经验があります，ブロックチェーン開発が得意です。Senior blockchain engineer building DeFi protocols and NFT marketplaces."}),
        json!({"kind":"message","subject_id":"dprk1","at":"2026-09-01T10:00:00Z","direction":"from_subject",
            "text":"Let's continue on Telegram to avoid the platform fee. Please pay me in USDT (TRC20)."}),
        json!({"kind":"message","subject_id":"dprk1","at":"2026-09-02T10:00:00Z","direction":"to_subject",
            "text":"We use Slack for all communication."}),
        json!({"kind":"meeting","subject_id":"dprk1","at":"2026-08-01T10:00:00Z","meeting_type":"interview",
            "video_requested":true,"refused":true}),
        json!({"kind":"meeting","subject_id":"dprk1","at":"2026-08-05T10:00:00Z","meeting_type":"interview",
            "camera_on":true,"observations":["lip_sync_mismatch"]}),
        json!({"kind":"meeting","subject_id":"dprk1","at":"2026-08-10T10:00:00Z","meeting_type":"standup","camera_on":false}),
        json!({"kind":"identity_document","subject_id":"dprk1","at":"2026-07-01T00:00:00Z","doc_type":"passport",
            "issuing_country":"US","number":"567891234","name":"Daniel Kim","date_of_birth":"1990-01-15",
            "expiry":"2031-01-01","image_sha256":"abc123",
            "mrz":"P<USAKIM<<DANIEL<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n5678912340USA9001150M3101017<<<<<<<<<<<<<<08",
            "address":{"line1":"1 Main Street","city":"Austin","postal_code":"78701","country":"US"}}),
        json!({"kind":"identity_document","subject_id":"dprk2","at":"2026-07-02T00:00:00Z","doc_type":"passport",
            "issuing_country":"US","number":"111222333","name":"Kevin Lee","image_sha256":"abc123"}),
        json!({"kind":"shipment","subject_id":"dprk1","at":"2026-08-15T00:00:00Z","status":"redirected",
            "redirect_address":{"line1":"9 Depot Rd","city":"Newark","postal_code":"07105","country":"US"}}),
        json!({"kind":"contract","subject_id":"dprk1","at":"2026-07-10T00:00:00Z","skills":["React"]}),
        json!({"kind":"payout_account","subject_id":"dprk1","at":"2026-07-01T00:00:00Z","account_id":"b1","method":"bank"}),
        json!({"kind":"payout_account","subject_id":"dprk1","at":"2026-08-01T00:00:00Z","account_id":"b2","method":"bank"}),
        json!({"kind":"payout_account","subject_id":"dprk1","at":"2026-08-20T00:00:00Z","account_id":"w1","method":"crypto"}),
        // Look-alikes.
        json!({"kind":"subject","subject_id":"legit1","source":"hr","legal_name":"Hanako Yamada",
            "bio":"5年以上のソフトウェア開発経験があります。ReactとNode.jsが得意です。"}),
        json!({"kind":"message","subject_id":"legit1","at":"2026-09-01T10:00:00Z","direction":"from_subject",
            "text":"I don't use Telegram, let's keep everything on the platform."}),
        json!({"kind":"meeting","subject_id":"legit1","at":"2026-08-01T10:00:00Z","video_requested":true,"refused":true}),
        json!({"kind":"meeting","subject_id":"legit1","at":"2026-08-02T10:00:00Z","camera_on":true}),
        json!({"kind":"meeting","subject_id":"legit1","at":"2026-08-03T10:00:00Z","camera_on":true}),
        json!({"kind":"identity_document","subject_id":"legit1","at":"2026-07-01T00:00:00Z","doc_type":"passport",
            "address":{"line1":"2-3 Nishi","city":"Osaka","postal_code":"530-0001","country":"JP"}}),
        json!({"kind":"shipment","subject_id":"legit1","at":"2026-08-01T00:00:00Z","status":"failed"}),
        json!({"kind":"shipment","subject_id":"legit1","at":"2026-08-03T00:00:00Z","status":"delivered",
            "address":{"line1":"2-3, Nishi","city":"OSAKA","postal_code":"5300001","country":"JP"}}),
        json!({"kind":"payout_account","subject_id":"legit1","at":"2026-06-01T00:00:00Z","account_id":"x1","method":"bank"}),
        json!({"kind":"payout_account","subject_id":"legit1","at":"2026-06-02T00:00:00Z","account_id":"x2","method":"bank"}),
        json!({"kind":"contract","subject_id":"legit1","at":"2026-07-01T00:00:00Z"}),
        json!({"kind":"subject","subject_id":"legit2","source":"resume","bio":"我有五年以上的软件开发经验，擅长React和Node.js。"}),
    ];
    // A market of peers: rates and monthly payouts.
    for i in 0..12 {
        v.push(json!({"kind":"subject","subject_id":format!("peer{i}"),"source":"freelance_platform",
            "claimed_country":"US","skills":["React"],"hourly_rate":{"amount":60 + 2 * i,"currency":"USD"}}));
        v.push(
            json!({"kind":"payout","subject_id":format!("peer{i}"),"at":"2026-09-01T00:00:00Z",
            "amount":3000,"currency":"USD","account_id":"acct"}),
        );
    }
    for d in 1..=12 {
        v.push(json!({"kind":"payout","subject_id":"dprk1","at":format!("2026-09-{:02}T12:00:00Z", d + 1),
            "amount":120,"currency":"USD","account_id":format!("onward-{}", d % 5)}));
    }
    v.into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            if r.get("record_id").is_none() {
                r["record_id"] = format!("rec{i:03}").into();
            }
            r
        })
        .collect()
}

fn dataset() -> kensa_detect::Dataset {
    let mut b = DatasetBuilder::new();
    for r in records() {
        let v = validate_value(r).expect("test record is valid");
        b.add(v.record_id, v.record);
    }
    b.build().0
}

#[test]
fn persona_raises_every_flag_and_lookalikes_none() {
    let ds = dataset();
    let a = run_all(&build_all(&DetectorParams::default()), &ds);
    let ours: Vec<_> = a
        .iter()
        .filter(|f| MESSAGES_DOCUMENTS_HISTORY.contains(&f.detector.as_str()))
        .collect();
    // The persona raises every flag of the set; the look-alikes raise none.
    let raised = |sub: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = ours
            .iter()
            .filter(|f| f.subject_id == sub)
            .map(|f| (f.id.clone(), f.detector.clone()))
            .collect();
        v.sort();
        v
    };
    let persona = raised("dprk1");
    for (id, det) in [
        ("RF-COMMS-OFF-PLATFORM", "message_patterns"),
        ("RF-PAY-CRYPTO", "message_patterns"),
        ("RF-COMMS-NO-VIDEO", "meetings"),
        ("RF-INTERVIEW-DEEPFAKE", "meetings"),
        ("RF-ID-FORGED", "id_document"),
        ("RF-PROFILE-UNNATURAL-JA", "profile_ja"),
        ("RF-SHIP-ADDRESS", "shipping"),
        ("RF-PAY-ACCOUNT-CHANGED", "payout_changes"),
        ("RF-PAY-UNDERPRICED", "underpriced"),
        ("RF-PAY-FREQUENT-TRANSFER", "payout_frequency"),
        ("RF-HISTORY-SKEWED", "history_skewed"),
    ] {
        assert!(
            persona.contains(&(id.to_owned(), det.to_owned())),
            "persona lacks {id} from {det}: {persona:?}"
        );
    }
    // The second account shares the document image and the résumé text.
    let second = raised("dprk2");
    assert!(second.contains(&("RF-ID-FORGED".into(), "id_document".into())));
    assert!(second.contains(&("RF-HISTORY-SKEWED".into(), "history_skewed".into())));
    for sub in ["legit1", "legit2"] {
        assert_eq!(
            raised(sub),
            Vec::<(String, String)>::new(),
            "{sub} must not fire"
        );
    }
    for i in 0..12 {
        assert!(raised(&format!("peer{i}")).is_empty());
    }
}

#[test]
fn extra_message_patterns_are_accepted_in_policy_toml() {
    let p: DetectorParams = toml::from_str(
        r#"
        [message_patterns]
        [[message_patterns.extra_patterns]]
        flag = "RF-PAY-CRYPTO"
        lang = "en"
        pattern = "monero"
        "#,
    )
    .unwrap();
    assert_eq!(p.message_patterns.extra_patterns.len(), 1);
    let bad = toml::from_str::<DetectorParams>(
        r#"
        [[message_patterns.extra_patterns]]
        flag = "RF-NOT-A-FLAG"
        lang = "en"
        pattern = "x"
        "#,
    );
    assert!(bad.is_err());
}

/// Messy input must give findings or nothing, never a panic (pins no bug; guards slicing code).
#[test]
fn odd_inputs_do_not_panic() {
    let odd = vec![
        json!({"kind":"subject","subject_id":"o1","source":"x","bio":"，；한글ｶﾀｶﾅ\u{0301}","headline":"",
            "employment":[{"title":"Rust","from":"abcd","to":"99/9999"},{"from":"2020-13","to":""}],
            "education":[{"degree":"Go developer","to":"0001"}],
            "hourly_rate":{"amount":-5,"currency":"XXX"}}),
        json!({"kind":"message","subject_id":"o1","at":"2026-01-01T00:00:00Z","direction":"from_subject",
            "text":"eth…telegram\u{200d}。、、USDTでnot "}),
        json!({"kind":"message","subject_id":"o1","at":"2026-01-01T00:00:00Z","direction":"from_subject","text":""}),
        json!({"kind":"identity_document","subject_id":"o1","at":"2026-01-01T00:00:00Z","doc_type":"x",
            "mrz":"<".repeat(88),"number":"","name":"",
            "date_of_birth":"1800-01-01","issued":"2999-12-31","expiry":"1800-01-01"}),
        json!({"kind":"identity_document","subject_id":"o1","at":"2026-01-01T00:00:00Z","doc_type":"x",
            "mrz":format!("I<UTO{}", "<".repeat(85))}),
        json!({"kind":"identity_document","subject_id":"o1","at":"2026-01-01T00:00:00Z","doc_type":"x","mrz":"ÄÖÜ"}),
        json!({"kind":"shipment","subject_id":"o1","at":"2026-01-01T00:00:00Z","status":"refused","address":{}}),
        json!({"kind":"meeting","subject_id":"o1","at":"2026-01-01T00:00:00Z","observations":[""],"notes":"ディープフェイク"}),
        json!({"kind":"payout","subject_id":"o1","at":"2026-01-01T00:00:00Z","amount":0,"currency":"USD"}),
        json!({"kind":"payout_account","subject_id":"o1","at":"2026-01-01T00:00:00Z","account_id":"a","method":"card"}),
    ];
    let mut b = DatasetBuilder::new();
    for (i, mut r) in odd.into_iter().enumerate() {
        r["record_id"] = format!("odd{i}").into();
        let v = validate_value(r).expect("odd but valid record");
        b.add(v.record_id, v.record);
    }
    let ds = b.build().0;
    for f in run_all(&build_all(&DetectorParams::default()), &ds) {
        assert!(f.strength > 0.0 && f.strength <= 1.0, "{f:?}");
    }
}
