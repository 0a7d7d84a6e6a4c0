//! Namesakes in sanctions screening (issue 17, item 9): a listed person born decades apart from
//! a subject whose date of birth an identity document confirms, or of another gender than the
//! document's MRZ states, is another person with the same name — kept as evidence, never tier high on the name alone. Beneficiaries are third parties,
//! screened without the subject's date of birth. The list entry is synthetic (modelled on the
//! public OFAC entry used by the built-in sample).

use kensa_engine::{EngineConfig, Live};
use kensa_model::finding::Tier;
use kensa_screen::{BirthDate, EntityKind, Entry, Screener, Watchlists};
use std::sync::Arc;

fn cfg() -> EngineConfig {
    let lists = Watchlists::from_entries(vec![Entry {
        list: "OFAC-SDN (test)".into(),
        id: "43377".into(),
        kind: EntityKind::Individual,
        name: "KIM, Sang Man".into(),
        aliases: vec!["KIM, Sang-man".into()],
        programs: vec!["DPRK4".into()],
        birth_dates: vec![BirthDate::parse("1958").expect("a year parses")],
        nationalities: vec!["KP".into()],
        gender: Some('M'),
        ..Default::default()
    }]);
    let mut cfg = EngineConfig::builtin();
    cfg.screener = Some((
        Arc::new(Screener::new(&lists)),
        kensa_screen::DEFAULT_THRESHOLD,
    ));
    cfg
}

fn person(
    id: &str,
    name: &str,
    document_dob: Option<&str>,
    profile_dob: Option<&str>,
) -> Vec<serde_json::Value> {
    let mut profile =
        serde_json::json!({"kind":"subject","subject_id":id,"source":"platform","legal_name":name});
    if let Some(d) = profile_dob {
        profile["date_of_birth"] = d.into();
    }
    let mut v = vec![profile];
    if let Some(d) = document_dob {
        v.push(serde_json::json!({"kind":"identity_document","subject_id":id,"at":"2026-09-01T00:00:00Z",
            "doc_type":"passport","issuing_country":"KR","number":format!("M{}", 10_000_000 + id.len()),
            "name":name,"date_of_birth":d}));
    }
    v
}

#[test]
fn a_namesake_born_decades_apart_is_kept_low_and_beneficiaries_are_screened_alone() {
    let mut recs = Vec::new();
    recs.extend(person("listed", "Kim Sang Man", Some("1958-03-01"), None));
    recs.extend(person("namesake", "Kim Sang Man", Some("1996-05-05"), None));
    recs.extend(person(
        "unconfirmed",
        "Kim Sang Man",
        None,
        Some("1996-05-05"),
    ));
    recs.extend(person("payer", "Park Ji-ho", Some("1996-05-05"), None));
    recs.push(
        serde_json::json!({"kind":"payout_account","subject_id":"payer","at":"2026-09-02T00:00:00Z",
        "account_id":"pa-1","method":"bank","beneficiary_name":"Kim Sang Man",
        "bank":{"country":"KR","account_number":"1234567890","bank_name":"Shinhan"}}),
    );
    // Same name and birth year, but the passport's MRZ says F and the list says male.
    recs.push(serde_json::json!({"kind":"subject","subject_id":"woman","source":"platform","legal_name":"Kim Sang Man"}));
    recs.push(serde_json::json!({"kind":"identity_document","subject_id":"woman","at":"2026-09-01T00:00:00Z",
        "doc_type":"passport","issuing_country":"KR","number":"M12345678","name":"Kim Sang Man",
        "date_of_birth":"1958-03-01",
        "mrz":"P<KORKIM<<SANG<MAN<<<<<<<<<<<<<<<<<<<<<<<<<<\nM123456788KOR5803011F3101012<<<<<<<<<<<<<<02"}));
    let mut b = kensa_detect::DatasetBuilder::new();
    for (i, r) in recs.into_iter().enumerate() {
        let v = kensa_model::validate_value(r).unwrap_or_else(|e| panic!("record {i}: {e:?}"));
        b.add(v.record_id, v.record);
    }
    let (ds, side) = b.build();
    let live = Live::full(ds, side, &cfg());
    let sanctioned = |id: &str| {
        let r = live.result(id).expect("subject");
        let f = r
            .flags
            .iter()
            .find(|f| f.id == "RF-SANCTIONED")
            .unwrap_or_else(|| panic!("{id}: {r:#?}"))
            .clone();
        (r.tier, f)
    };
    let (tier, f) = sanctioned("listed");
    assert!(tier >= Tier::High, "{tier:?}");
    assert_eq!(f.strength, 1.0);

    let (tier, f) = sanctioned("namesake");
    assert!(tier < Tier::High, "a namesake is not tier high: {tier:?}");
    assert_eq!(f.strength, 0.1);
    assert_eq!(f.evidence.values["namesakes"], serde_json::json!(["43377"]));
    assert!(
        f.explanation.en.contains("namesake"),
        "{}",
        f.explanation.en
    );
    assert!(
        f.explanation.ja.contains("同姓同名"),
        "{}",
        f.explanation.ja
    );

    let (tier, f) = sanctioned("woman");
    assert!(tier < Tier::High, "{tier:?}");
    assert_eq!(f.strength, 0.1, "gender_mismatch from the MRZ: {f:#?}");

    // A date of birth only the profile states is not confirmed: the match stays strong.
    let (_, f) = sanctioned("unconfirmed");
    assert!(f.strength >= 0.5, "{f:#?}");

    // The beneficiary's match is not judged by the payer's date of birth.
    let (tier, f) = sanctioned("payer");
    assert_eq!(f.strength, 1.0, "{f:#?}");
    assert!(tier >= Tier::High, "{tier:?}");
    assert!(
        f.evidence.values["namesakes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
