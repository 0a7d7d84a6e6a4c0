//! Sanctions lists from bytes: OFAC CSV, UN XML, OpenSanctions JSON lines and custom CSV,
//! recognised from the content.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let d = std::env::temp_dir().join(format!("kensa-fuzz-lists-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let name = [
        "sdn.csv",
        "alt.csv",
        "add.csv",
        "un.xml",
        "ftm.json",
        "custom.csv",
    ][which as usize % 6];
    let path = d.join(name);
    std::fs::write(&path, body).unwrap();
    if let Ok(lists) = kensa_screen::Watchlists::load(&[path]) {
        let s = kensa_screen::Screener::new(&lists);
        let q = kensa_screen::Query {
            name: "Kim Jong".into(),
            birth_date: None,
            country: None,
        };
        let _ = s.screen(&q, 0.5);
    }
});
