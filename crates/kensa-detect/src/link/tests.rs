//! Unit tests of the identifier graph. All data is synthetic.

use super::*;
use crate::DatasetBuilder;
use kensa_model::record::Address;
use kensa_model::validate_value;

pub(crate) fn ds(lines: &[String]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for l in lines {
        let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
        b.add(v.record_id, v.record);
    }
    b.build().0
}

pub(crate) fn intel(ds: &mut Dataset, ip: &str, cls: &[NetClass]) {
    crate::testing::set_ip(ds, ip, "US", cls);
}

pub(crate) fn login(sub: &str, ip: &str, dev: &str) -> String {
    format!(
        r#"{{"kind":"login","subject_id":"{sub}","at":"2026-09-01T10:00:00Z","ip":"{ip}","device_id":"{dev}"}}"#
    )
}

pub(crate) fn bank(sub: &str, acct: &str, benef: &str) -> String {
    format!(
        r#"{{"kind":"payout_account","subject_id":"{sub}","at":"2026-09-01T00:00:00Z","account_id":"pa-{sub}","method":"bank","beneficiary_name":"{benef}","bank":{{"account_number":"{acct}","bank_name":"First Bank"}}}}"#
    )
}

pub(crate) fn profile(sub: &str, email: &str, employer: &str) -> String {
    format!(
        r#"{{"kind":"subject","subject_id":"{sub}","source":"platform","emails":["{email}"],"employment":[{{"employer":"{employer}","title":"Engineer"}}]}}"#
    )
}

#[test]
fn normalisation() {
    assert_eq!(
        normalize_email(" J.Doe@Example.COM "),
        Some("j.doe@example.com".into())
    );
    assert_eq!(
        normalize_phone("+1 (312) 555-0142", 7),
        Some("13125550142".into())
    );
    assert_eq!(normalize_phone("12-34", 7), None);
    assert_eq!(
        normalize_wallet("0x97B1043ABD9E6FC31681635166D430A458D14F9C"),
        Some("0x97b1043abd9e6fc31681635166d430a458d14f9c".into())
    );
    let a = Address {
        line1: Some("1234 W. Camelback Rd.,".into()),
        line2: None,
        city: Some("Phoenix".into()),
        region: Some("AZ".into()),
        postal_code: Some("85015".into()),
        country: Some(kensa_model::record::Country("US".into())),
    };
    assert_eq!(
        normalize_address(&a),
        Some("1234 w camelback rd|85015|us".into())
    );
    assert_eq!(mask(IdKind::Email, "john@example.com"), "j***@example.com");
    assert_eq!(
        mask(IdKind::Payout, "iban:DE89370400440532013000"),
        "iban:***3000"
    );
    assert_eq!(
        mask(IdKind::Payout, "paypal:john@example.com"),
        "paypal:j***@example.com"
    );
    assert_eq!(
        mask(IdKind::Address, "1234 w camelback rd|85015|us"),
        "# w camelback rd, 85015, us"
    );
    assert!(text_fingerprint("Backend developer", 80).is_none());
}

#[test]
fn shared_device_links_and_clusters() {
    let lines = vec![
        login("a", "10.0.0.1", "dev-1"),
        login("b", "10.0.0.2", "dev-1"),
        login("c", "10.0.0.3", "dev-3"),
    ];
    let g = build_graph(&ds(&lines), &GraphParams::default());
    assert_eq!(g.clusters().len(), 1);
    let (p, c) = g.clusters()[0];
    assert_eq!(c.members, vec![0, 1]);
    assert_eq!(p.names, vec!["a", "b"]);
    assert_eq!(g.neighbours("a"), vec![("b", 1.0)]);
    assert!(g.neighbours("c").is_empty());
    assert!(g.part("c").is_none(), "c shares nothing: in no part");
    let p = g.part("b").unwrap();
    let e = p.edges_of("b");
    assert_eq!(e.len(), 1);
    assert_eq!(p.idents[e[0].idents[0] as usize].kind, IdKind::Device);
}

/// Fifty strangers behind one mobile carrier address: no edge, no cluster.
#[test]
fn mobile_nat_does_not_glue() {
    let lines: Vec<String> = (0..50)
        .map(|k| login(&format!("m{k}"), "172.56.1.1", &format!("phone-{k}")))
        .collect();
    let mut d = ds(&lines);
    intel(&mut d, "172.56.1.1", &[NetClass::Mobile]);
    let g = build_graph(&d, &GraphParams::default());
    assert_eq!(g.stats.edges, 0);
    assert!(g.parts().is_empty());
    assert!(g.clusters().is_empty());
    // Without intel the address is a hub (50 > 25) and ignored, and reported.
    let d = ds(&lines);
    let g = build_graph(&d, &GraphParams::default());
    assert_eq!(g.stats.edges, 0);
    assert_eq!(g.stats.hub_values, 1);
    assert_eq!(g.stats.top_hubs[0].2, 50);
}

/// An agency: five staff on one office line, each with their own device, paid into the
/// agency's account (the employer they all name): edges stay below `min_edge_weight`.
#[test]
fn agency_office_and_payroll_do_not_cluster() {
    let mut lines = Vec::new();
    for k in 0..5 {
        let s = format!("s{k}");
        lines.push(login(&s, "73.1.1.1", &format!("laptop-{k}")));
        lines.push(profile(
            &s,
            &format!("staff{k}@example.com"),
            "Brightpath Digital Inc.",
        ));
        lines.push(bank(&s, "99887766", "BRIGHTPATH DIGITAL INC"));
    }
    let mut d = ds(&lines);
    intel(&mut d, "73.1.1.1", &[]);
    let g = build_graph(&d, &GraphParams::default());
    assert!(g.clusters().is_empty(), "{:?}", g.parts());
    let pay = g
        .parts()
        .iter()
        .flat_map(|p| p.idents.iter())
        .find(|i| i.kind == IdKind::Payout)
        .unwrap()
        .clone();
    assert!(pay.payroll && !pay.strong);
    // The same account under a beneficiary who is nobody's employer is a strong link.
    let mut lines2 = lines.clone();
    for l in lines2.iter_mut() {
        *l = l.replace("BRIGHTPATH DIGITAL INC", "JANET WHITFIELD");
    }
    let g = build_graph(&ds(&lines2), &GraphParams::default());
    assert_eq!(g.clusters().len(), 1);
    assert_eq!(g.clusters()[0].1.members.len(), 5);
}

#[test]
fn deterministic() {
    let lines = vec![
        login("a", "10.0.0.1", "dev-1"),
        login("b", "10.0.0.1", "dev-1"),
        bank("b", "12345678", "X"),
        bank("c", "12345678", "X"),
    ];
    let g1 = build_graph(&ds(&lines), &GraphParams::default());
    let g2 = build_graph(&ds(&lines), &GraphParams::default());
    assert_eq!(g1, g2);
    assert_eq!(g1.clusters(), g2.clusters());
    assert_eq!(g1.clusters()[0].1.members, vec![0, 1, 2]);
}
