//! Screening never panics on odd input and keeps batch order.

use kensa_screen::{DEFAULT_THRESHOLD, Entry, Query, Screener, Watchlists};

fn screener() -> Screener {
    let entries = vec![
        Entry {
            list: "t".into(),
            id: "1".into(),
            name: "KIM, Jong Un".into(),
            programs: vec!["DPRK3".into()],
            ..Entry::default()
        },
        Entry {
            list: "t".into(),
            id: "2".into(),
            name: "KOREA KWANGSON BANKING CORP.".into(),
            aliases: vec!["KKBC".into()],
            ..Entry::default()
        },
        Entry {
            list: "t".into(),
            id: "3".into(),
            name: "ー・ー".into(),
            ..Entry::default()
        },
    ];
    Screener::new(&Watchlists::from_entries(entries))
}

#[test]
fn odd_input_does_not_panic() {
    let s = screener();
    let long = "Kim ".repeat(200);
    let odd = [
        "",
        " ",
        "-",
        "・",
        "ー",
        "''''",
        "\u{0301}\u{0301}",
        "😀 Kim 😀",
        "Ｋｉｍ　Ｊｏｎｇ　Ｕｎ",
        "ㄱㄴㄷ",
        "각",
        "\u{200f}محمد\u{200e}",
        "a",
        "x",
        "CO",
        "キム・ジョンウン・ン",
        "𠀋𠀌",
        &long,
        "\0\u{1}\u{7f}",
        "Ǆ ǅ ǆ",
        "ß ẞ",
    ];
    for q in odd {
        let _ = s.screen(&Query::name(q), 0.0);
        let _ = s.screen(
            &Query {
                name: q.into(),
                birth_date: Some(q.into()),
                country: Some(q.into()),
                gender: Some(q.into()),
            },
            DEFAULT_THRESHOLD,
        );
        let _ = s.screen_wallet(q);
    }
    assert_eq!(
        s.screen(&Query::name("Ｋｉｍ　Ｊｏｎｇ　Ｕｎ"), DEFAULT_THRESHOLD)[0].entry_id,
        "1"
    );
}

#[test]
fn batch_preserves_order() {
    let s = screener();
    let qs: Vec<Query> = (0..500)
        .map(|i| {
            Query::name(if i % 3 == 0 {
                "Kim Jong Un"
            } else if i % 3 == 1 {
                "Sato Yuki"
            } else {
                "KKBC"
            })
        })
        .collect();
    let out = s.screen_batch(&qs, DEFAULT_THRESHOLD);
    assert_eq!(out.len(), qs.len());
    for (i, ms) in out.iter().enumerate() {
        match i % 3 {
            0 => assert_eq!(ms[0].entry_id, "1"),
            1 => assert!(ms.is_empty()),
            _ => assert_eq!(ms[0].entry_id, "2"),
        }
    }
}

#[test]
fn legal_form_alone_does_not_match_a_company() {
    let s = screener();
    assert!(
        s.screen(&Query::name("Banking Corp"), DEFAULT_THRESHOLD)
            .is_empty()
    );
    assert!(
        s.screen(&Query::name("Korea Corp"), DEFAULT_THRESHOLD)
            .is_empty()
    );
    let ms = s.screen(
        &Query::name("Korea Kwangson Banking Corporation"),
        DEFAULT_THRESHOLD,
    );
    assert_eq!(ms[0].entry_id, "2");
}
