//! The policy file (TOML) with its CEL rules.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kensa_score::Policy::parse(s, "fuzz.toml");
    }
});
