//! IBAN, BIC and country normalisation of payout accounts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let parts: Vec<&str> = s.splitn(4, '\u{1f}').collect();
    let get = |i: usize| parts.get(i).copied();
    if let Ok(country) = kensa_enrich::validate_iban(s) {
        // A valid IBAN names its country, which is a country code Kensa knows.
        assert!(kensa_enrich::is_country_code(&country), "{country}");
    }
    if let Ok(country) = kensa_enrich::validate_bic(s) {
        assert_eq!(country.len(), 2, "{country}");
    }
    let _ = kensa_enrich::normalize_country(s);
    let _ = kensa_enrich::bank(get(0), get(1), get(2), get(3));
});
