//! Ordinary Korean, Japanese and Chinese names must not match a DPRK entry above the default
//! threshold, and legal-form words must not create matches on their own.

mod common;

use kensa_screen::{DEFAULT_THRESHOLD, Query};

/// Common given-name and surname combinations, in Latin and native scripts, chosen without
/// looking at the lists.
const ORDINARY: &[&str] = &[
    "Kim Min-jun",
    "Lee Seo-yeon",
    "Park Ji-hoon",
    "Choi Yu-na",
    "Jung Ha-eun",
    "Kang Do-hyun",
    "Yoon Seo-jun",
    "Jang Min-seo",
    "Lim Ji-woo",
    "Han Eun-ji",
    "Oh Sung-min",
    "Seo Hyun-woo",
    "Shin Ye-jin",
    "Kwon Tae-yang",
    "Hwang Soo-bin",
    "이서연",
    "김민준",
    "박지훈",
    "최유나",
    "정하은",
    "강도현",
    "윤서준",
    "장민서",
    "Sato Yuki",
    "Suzuki Haruto",
    "Takahashi Aoi",
    "Tanaka Ren",
    "Watanabe Yui",
    "Ito Sota",
    "Yamamoto Hina",
    "Nakamura Riku",
    "Kobayashi Mei",
    "Kato Hana",
    "佐藤 健",
    "鈴木 花子",
    "高橋 一郎",
    "田中 美咲",
    "さとう ゆき",
    "たなか はると",
    "Wang Wei",
    "Li Na",
    "Zhang Wei",
    "Liu Yang",
    "Chen Jing",
    "Yang Fang",
    "Zhao Lei",
    "Huang Min",
    "Zhou Xin",
    "Wu Hao",
    "王伟",
    "李娜",
    "张伟",
    "刘洋",
    "陈静",
];

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn ordinary_names_do_not_match_dprk_entries() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    let mut hits = Vec::new();
    for name in ORDINARY {
        for m in screener.screen(&Query::name(*name), DEFAULT_THRESHOLD) {
            if m.programs.iter().any(|p| p.contains("DPRK")) {
                hits.push(format!(
                    "{name} -> {} {} {:?} {}",
                    m.list, m.entry_id, m.matched_name, m.score
                ));
            }
        }
    }
    println!(
        "{} ordinary names, {} DPRK hits",
        ORDINARY.len(),
        hits.len()
    );
    assert!(hits.is_empty(), "false matches: {hits:#?}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn legal_forms_alone_never_match() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    for name in [
        "CORP",
        "Co., Ltd.",
        "Trading Company Limited",
        "株式会社",
        "주식회사",
        "International Trading Corp",
    ] {
        let ms = screener.screen(&Query::name(name), DEFAULT_THRESHOLD);
        assert!(
            ms.is_empty(),
            "{name} matched {:?}",
            ms.first().map(|m| &m.matched_name)
        );
    }
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn partial_names_stay_below_the_threshold() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    // Only the surname and one given-name syllable of KIM Jong Un.
    let ms = screener.screen(&Query::name("Kim Jong"), DEFAULT_THRESHOLD);
    assert!(ms.iter().all(|m| m.entry_id != "20157"), "{ms:#?}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn birth_date_moves_the_score_without_dominating() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    let plain = screener.screen(&Query::name("Kim Yong Chol"), 0.5);
    let with_dob = screener.screen(
        &Query {
            name: "Kim Yong Chol".into(),
            birth_date: Some("1962-02-18".into()),
            country: Some("KP".into()),
            ..Default::default()
        },
        0.5,
    );
    let score = |ms: &[kensa_screen::Match], id: &str| {
        ms.iter().find(|m| m.entry_id == id).map(|m| m.score)
    };
    // 17614 was born on 18 Feb 1962; 12211 circa 1947.
    assert!(score(&with_dob, "17614") >= score(&plain, "17614"));
    assert!(score(&with_dob, "12211") < score(&plain, "12211"));
    assert!(
        score(&with_dob, "12211").is_some_and(|s| s > 0.85),
        "a DOB mismatch lowers, never removes, a full-name match"
    );
    assert_eq!(with_dob.first().map(|m| m.entry_id.as_str()), Some("17614"));
    // A matching date cannot lift an unrelated name.
    let weak = screener.screen(
        &Query {
            name: "Kim Min-jun".into(),
            birth_date: Some("1962-02-18".into()),
            country: None,
            ..Default::default()
        },
        DEFAULT_THRESHOLD,
    );
    assert!(weak.is_empty());
}
