//! Issue 17 item 10: name variants found on synthetic entries (no list files needed) — Korean
//! names in katakana read through the complete syllable table, a given name written joined with
//! a letter dropped, an entity name missing its last word (at a lower score) — and the
//! look-alikes that must stay unmatched.

use kensa_screen::{DEFAULT_THRESHOLD, EntityKind, Entry, Query, Screener, Watchlists};

fn screener() -> Screener {
    let person = |id: &str, name: &str| Entry {
        list: "TEST".into(),
        id: id.into(),
        kind: EntityKind::Individual,
        name: name.into(),
        programs: vec!["DPRK3".into()],
        ..Default::default()
    };
    let entity = |id: &str, name: &str| Entry {
        kind: EntityKind::Entity,
        ..person(id, name)
    };
    Screener::new(&Watchlists::from_entries(vec![
        person("1", "KIM, Kwang Il"),
        person("2", "HWANG, Hyo Gyong"),
        person("3", "PAK, Kwang Ho"),
        person("4", "CH'OE, Ryong Hae"),
        entity("5", "KOREA GENERAL CORPORATION FOR EXTERNAL CONSTRUCTION"),
        entity("6", "TANCHON COMMERCIAL BANK"),
    ]))
}

fn top(s: &Screener, q: &str) -> Option<(String, f64)> {
    s.screen(&Query::name(q), DEFAULT_THRESHOLD)
        .first()
        .map(|m| (m.entry_id.clone(), m.score))
}

#[test]
fn korean_names_in_katakana_are_found() {
    let s = screener();
    for (q, id) in [
        ("キム・グァンイル", "1"),
        ("キム・クァンイル", "1"),
        ("ファン・ヒョギョン", "2"),
        ("パク・クァンホ", "3"),
        ("チェ・リョンヘ", "4"),
    ] {
        assert_eq!(top(&s, q).map(|x| x.0), Some(id.to_string()), "{q}");
    }
    // A Japanese name in katakana is not a Korean listed person.
    assert_eq!(top(&s, "サトウ・ケンジ"), None);
}

#[test]
fn a_joined_given_name_with_a_dropped_letter_is_found() {
    let s = screener();
    for q in ["Kim Kwangl", "Kim Kwngil", "Hwang Hyogyng"] {
        assert!(top(&s, q).is_some(), "{q}");
    }
    // A changed letter is another given name: not a typo of this one.
    assert_eq!(top(&s, "Kim Kwangul").map(|x| x.0), None);
}

#[test]
fn an_entity_missing_its_last_word_is_found_at_a_lower_score() {
    let s = screener();
    let (id, score) = top(&s, "Korea General Corporation for External").expect("found");
    assert_eq!(id, "5");
    let full = top(&s, "Korea General Corporation for External Construction").unwrap();
    assert!(score < full.1, "{score} vs {}", full.1);
    // A person's name missing a word is not shortened this way.
    assert_eq!(top(&s, "Kim Kwang"), None);
}
