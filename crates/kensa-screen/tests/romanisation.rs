//! Romanisation variants of Korean, Japanese and Chinese names find each other.

use kensa_screen::{DEFAULT_THRESHOLD, Entry, Query, Screener, Watchlists};

fn screener(names: &[&str]) -> Screener {
    let entries = names
        .iter()
        .enumerate()
        .map(|(i, n)| Entry {
            list: "t".into(),
            id: i.to_string(),
            name: (*n).into(),
            ..Entry::default()
        })
        .collect();
    Screener::new(&Watchlists::from_entries(entries))
}

fn assert_finds(listed: &str, queries: &[&str]) {
    let s = screener(&[listed]);
    for q in queries {
        let ms = s.screen(&Query::name(*q), DEFAULT_THRESHOLD);
        assert!(!ms.is_empty(), "{q:?} should find {listed:?}");
    }
}

fn assert_misses(listed: &str, queries: &[&str]) {
    let s = screener(&[listed]);
    for q in queries {
        let ms = s.screen(&Query::name(*q), DEFAULT_THRESHOLD);
        assert!(
            ms.is_empty(),
            "{q:?} should not find {listed:?}: {:?}",
            ms.first().map(|m| m.score)
        );
    }
}

#[test]
fn korean_romanisations() {
    assert_finds(
        "RI, Yong Chol",
        &[
            "Lee Young-cheol",
            "Yi Yeong Cheol",
            "Rhee Yongchul",
            "I Yŏng-ch'ŏl",
            "YONG CHOL RI",
            "Ri Yong-Chol",
            "리영철",
            "이영철",
            "リ・ヨンチョル",
            "李英哲",
        ],
    );
    assert_finds(
        "PAK, Jong Chon",
        &[
            "Park Jeong-cheon",
            "Bak Jung Chun",
            "박정천",
            "パク・チョンチョン",
        ],
    );
    assert_finds("CHOE, Son Hui", &["Choi Sun-hee", "Choe Sŏn-hŭi", "최선희"]);
    assert_misses(
        "RI, Yong Chol",
        &["Ri Yong", "Yong Chol", "Lee Young-min", "Kim Yong Chol"],
    );
}

#[test]
fn japanese_and_chinese_romanisations() {
    assert_finds(
        "SATO, Kenji",
        &[
            "Satou Kenji",
            "Satoh Kenji",
            "佐藤 健二",
            "さとう けんじ",
            "サトウ・ケンジ",
        ],
    );
    assert_finds("ONO, Shinji", &["Ōno Shinji", "Ohno Shinji", "Oono Sinji"]);
    assert_finds("MAO Zedong", &["Mao Tse-tung", "毛泽东", "毛澤東"]);
    assert_finds("XI Jinping", &["Hsi Chin-p'ing", "习近平", "Xi Jin-ping"]);
}

#[test]
fn explanation_reports_how_each_token_matched() {
    let s = screener(&["KIM, Jong Un"]);
    let ms = s.screen(&Query::name("Gim Jeongun"), DEFAULT_THRESHOLD);
    let hows: Vec<(&str, &str, &str)> = ms[0]
        .explanation
        .iter()
        .map(|t| (t.query.as_str(), t.entry.as_str(), t.how))
        .collect();
    assert_eq!(
        hows,
        vec![
            ("gim", "kim", "romanisation_variant"),
            ("jeongun", "jong un", "joined")
        ]
    );
    let ms = s.screen(&Query::name("김정은"), DEFAULT_THRESHOLD);
    assert!(
        ms[0].explanation.iter().all(|t| t.how == "hangul"),
        "{:?}",
        ms[0].explanation
    );
}

#[test]
fn different_korean_syllables_do_not_match_fuzzily() {
    assert_misses("KANG, Ryong", &["Yang Kang", "Kang Ryang"]);
    assert_misses("KIM, Kwang Chun", &["Kim Kang Chun"]);
}
