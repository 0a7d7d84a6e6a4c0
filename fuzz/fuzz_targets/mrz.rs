//! Machine-readable zones of identity documents (ICAO 9303).
#![no_main]
use kensa_detect::detectors::id_document::{check_digit, parse_mrz};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_mrz(s);
        let _ = check_digit(s);
    }
});
