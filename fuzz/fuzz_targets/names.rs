//! Names in any script: tokens, similarity, romanisation and screening of a query.
#![no_main]
use kensa_screen::translit::{Romanisation, kana_to_romaji, romanise_hangul};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static SCREENER: OnceLock<kensa_screen::Screener> = OnceLock::new();
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = s.split_once('|').unwrap_or((s, "Kim Jong Un"));
    let (score, _) = kensa_detect::names::name_similarity(a, b);
    assert!((0.0..=1.0).contains(&score), "{score}");
    let _ = kensa_detect::normalize::name_tokens(s);
    let _ = romanise_hangul(s, Romanisation::Revised);
    let _ = romanise_hangul(s, Romanisation::McCuneReischauer);
    let _ = kana_to_romaji(s);
    let screener =
        SCREENER.get_or_init(|| kensa_screen::Screener::new(&kensa_screen::builtin_sample()));
    let q = kensa_screen::Query {
        name: a.to_owned(),
        birth_date: Some(b.to_owned()),
        country: Some(b.chars().take(3).collect()),
    };
    let _ = screener.screen(&q, 0.5);
});
