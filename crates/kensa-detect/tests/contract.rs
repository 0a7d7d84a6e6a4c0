//! The contract every registered detector keeps, checked over the registry (so a new detector
//! is held to it by its one registry line): a spec with a summary and a false-positive story;
//! only catalogue ids it declares; on the synthetic demo population, findings that are
//! deterministic, about a subject of the data set, with a strength in (0, 1], evidence naming
//! stored records and the thresholds compared with, and an explanation in English and in
//! Japanese; nothing at all on an empty data set. All data is synthetic.

use kensa_detect::{Dataset, DatasetBuilder, DetectorParams, build_all, registry};
use std::collections::HashSet;

fn demo() -> (Dataset, HashSet<String>) {
    let demo = kensa_demo::generate(&kensa_demo::DemoConfig::default());
    let mut b = DatasetBuilder::new();
    let mut ids = HashSet::new();
    for v in &demo.records {
        let v = kensa_model::validate_value(v.clone()).expect("demo records validate");
        ids.insert(v.record_id.clone());
        b.add(v.record_id, v.record);
    }
    let (mut ds, _) = b.build();
    ds.attach_intel(&kensa_enrich::Intel::builtin());
    (ds, ids)
}

fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30FF   // kana
            | 0x4E00..=0x9FFF // CJK ideographs
            | 0xFF00..=0xFFEF) // full-width forms
    })
}

/// English left in a Japanese explanation: four or more English words in a row, outside
/// quotations (「…」 and "…": the subject's own words, names of banks and tools as the data
/// gives them) and outside parentheses (identifiers and codes shown for reference).
fn english_in(ja: &str) -> Option<String> {
    let mut plain = String::new();
    let mut depth = 0i32;
    let mut in_ascii_quote = false;
    for c in ja.chars() {
        match c {
            '「' | '『' | '（' | '(' => depth += 1,
            '」' | '』' | '）' | ')' => depth -= 1,
            '"' => in_ascii_quote = !in_ascii_quote,
            _ if depth <= 0 && !in_ascii_quote => plain.push(c),
            _ => {}
        }
        // A quotation ends a run of words as a Japanese character would.
        if depth <= 0 && !in_ascii_quote && matches!(c, '」' | '』' | '）' | ')' | '"') {
            plain.push('。');
        }
    }
    // Words of two or more ASCII letters; ASCII digits, spaces and punctuation between them
    // keep a run going, any other character (Japanese) ends it.
    let (mut run, mut word) = (Vec::<String>::new(), String::new());
    for c in plain.chars().chain(std::iter::once('。')) {
        if c.is_ascii_alphabetic() || (c == '\'' && !word.is_empty()) {
            word.push(c);
            continue;
        }
        if word.len() >= 2 {
            run.push(std::mem::take(&mut word));
            if run.len() >= 4 {
                return Some(run.join(" "));
            }
        }
        word.clear();
        if !c.is_ascii() {
            run.clear();
        }
    }
    None
}

#[test]
fn the_japanese_check_finds_english() {
    assert!(english_in("7日以内に 3 logins from two countries were seen").is_some());
    assert!(english_in("銀行「Bank of China Limited Hong Kong」への支払い").is_none());
    assert!(english_in("端末（PiKVM TinyPilot JetKVM Other）を検出").is_none());
}

#[test]
fn every_registered_detector_has_a_spec_and_declares_catalogue_ids() {
    let built = build_all(&DetectorParams::default());
    assert_eq!(built.len(), registry().len());
    let mut names = HashSet::new();
    for (d, spec) in built.iter().zip(registry()) {
        assert_eq!(d.name(), spec.name);
        assert!(names.insert(spec.name), "{} registered twice", spec.name);
        assert_eq!(d.raises(), spec.raises, "{}", spec.name);
        assert!(!spec.raises.is_empty(), "{} raises nothing", spec.name);
        assert!(
            !spec.summary.trim().is_empty(),
            "{} has no summary",
            spec.name
        );
        assert!(
            !spec.false_positives.trim().is_empty(),
            "{} has no false-positive story",
            spec.name
        );
        for id in spec.raises {
            assert!(
                kensa_model::catalog::flag(id).is_some(),
                "{} raises {id}, which is not in the catalogue",
                spec.name
            );
        }
        assert!(d.params().is_object(), "{}: params are a table", spec.name);
    }
}

#[test]
fn findings_on_the_demo_population_keep_the_contract() {
    let (ds, record_ids) = demo();
    let (ds2, _) = demo();
    let subjects: HashSet<&str> = ds.subjects.iter().map(|s| s.id.as_str()).collect();
    let mut fired = 0;
    for d in build_all(&DetectorParams::default()) {
        let name = d.name();
        let a = d.run(&ds);
        let b = d.run(&ds2);
        assert_eq!(a, b, "{name} is not deterministic");
        if !a.is_empty() {
            fired += 1;
        }
        for f in &a {
            assert_eq!(f.detector, name, "{name} names another detector");
            assert!(
                d.raises().contains(&f.id.as_str()),
                "{name} raised undeclared {}",
                f.id
            );
            assert!(
                f.strength > 0.0 && f.strength <= 1.0,
                "{name}: strength {} outside (0, 1]",
                f.strength
            );
            assert!(
                subjects.contains(f.subject_id.as_str()),
                "{name}: finding about unknown subject {}",
                f.subject_id
            );
            assert!(
                !f.explanation.en.trim().is_empty(),
                "{name}: no English explanation"
            );
            assert!(
                has_japanese(&f.explanation.ja),
                "{name}: the Japanese explanation is not Japanese: {:?}",
                f.explanation.ja
            );
            assert_eq!(
                english_in(&f.explanation.ja),
                None,
                "{name}: English in the Japanese explanation: {:?}",
                f.explanation.ja
            );
            assert!(
                !f.evidence.records.is_empty(),
                "{name}: evidence names no record"
            );
            for r in &f.evidence.records {
                assert!(
                    record_ids.contains(r),
                    "{name}: evidence names unknown record {r}"
                );
            }
            assert!(
                !f.evidence.thresholds.is_empty(),
                "{name}: evidence gives no thresholds ({})",
                f.id
            );
        }
    }
    // The demo population exercises most detectors; a contract checked on nothing proves
    // nothing.
    assert!(
        fired >= registry().len() * 2 / 3,
        "only {fired} detectors fired on the demo"
    );
}

#[test]
fn nothing_fires_on_an_empty_data_set() {
    let empty = Dataset::default();
    for d in build_all(&DetectorParams::default()) {
        assert!(d.run(&empty).is_empty(), "{} fired on nothing", d.name());
    }
}
