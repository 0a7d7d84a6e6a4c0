//! IBAN, BIC and country normalisation of payout accounts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let parts: Vec<&str> = s.splitn(4, '\u{1f}').collect();
    let get = |i: usize| parts.get(i).copied();
    if let Ok(iban) = kensa_enrich::validate_iban(s) {
        // A valid IBAN is valid again once normalised.
        assert_eq!(kensa_enrich::validate_iban(&iban).as_deref(), Ok(iban.as_str()));
    }
    let _ = kensa_enrich::validate_bic(s);
    let _ = kensa_enrich::normalize_country(s);
    let _ = kensa_enrich::bank(get(0), get(1), get(2), get(3));
});
