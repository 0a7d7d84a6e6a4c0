//! Crypto wallet addresses: chain recognition and checksums.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (hint, addr) = s.split_once('|').unwrap_or(("", s));
    let _ = kensa_enrich::analyze_wallet(addr, (!hint.is_empty()).then_some(hint));
    let _ = kensa_enrich::analyze_wallet(s, None);
    let _ = kensa_detect::normalize::normalize_wallet(s);
});
