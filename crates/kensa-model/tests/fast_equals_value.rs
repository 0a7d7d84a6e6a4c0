//! The fast path of `validate_line` must give exactly what the `Value` path gives, for every
//! record of the demo data set (all 15 kinds, realistic values: unicode names, nested
//! résumés, decimals, lists).

use kensa_model::fast::validate_line;
use kensa_model::validate_value;

#[test]
fn every_demo_record_validates_the_same_on_both_paths() {
    let demo = kensa_demo::generate(&kensa_demo::DemoConfig::default());
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for rec in &demo.records {
        // A few hundred of each kind keep the test quick in a debug build.
        let seen = kinds
            .entry(rec["kind"].as_str().unwrap().to_owned())
            .or_default();
        *seen += 1;
        if *seen > 400 {
            continue;
        }
        for line in [
            serde_json::to_string(rec).unwrap(),
            serde_json::to_string_pretty(rec)
                .unwrap()
                .replace('\n', " "),
        ] {
            let fast = validate_line(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
            let slow = validate_value(serde_json::from_str(&line).unwrap()).unwrap();
            assert_eq!(fast.body, slow.body, "{line}");
            assert_eq!(fast.record_id, slow.record_id, "{line}");
            assert_eq!(
                format!("{:?}", fast.record),
                format!("{:?}", slow.record),
                "{line}"
            );
        }
    }
    assert_eq!(kinds.len(), 15, "{kinds:?}");
}
