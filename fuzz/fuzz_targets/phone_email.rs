//! Phone numbers (parsed per region) and e-mail addresses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static INTEL: OnceLock<kensa_enrich::Intel> = OnceLock::new();
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (region, number) = s.split_once('|').unwrap_or(("", s));
    let _ = kensa_enrich::phone(number, (!region.is_empty()).then_some(region));
    let _ = kensa_enrich::phone(s, None);
    let _ = kensa_detect::normalize::normalize_phone(s, 6);
    let _ = kensa_detect::normalize::normalize_email(s);
    let _ = INTEL.get_or_init(kensa_enrich::Intel::builtin).email(s);
});
