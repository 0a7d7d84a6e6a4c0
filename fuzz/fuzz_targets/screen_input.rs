//! The input of `kensa screen`: names one per line or JSON lines.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static LISTS: OnceLock<kensa_screen::Watchlists> = OnceLock::new();
    let d = std::env::temp_dir().join(format!("kensa-fuzz-screen-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("names.txt");
    std::fs::write(&path, data).unwrap();
    let lists = LISTS.get_or_init(kensa_screen::builtin_sample);
    let mut out = Vec::new();
    let _ = kensa_screen::run_screen(&path, lists, 0.5, &mut out);
});
