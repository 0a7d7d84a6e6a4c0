//! Postal addresses, document numbers, résumé text and the other identity normalisers.
#![no_main]
use kensa_detect::normalize as n;
use kensa_model::record::Address;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let p: Vec<&str> = s.split('\u{1f}').collect();
    let field = |i: usize| p.get(i).map(|x| x.to_string());
    let json = serde_json::json!({
        "line1": field(0), "line2": field(1), "city": field(2),
        "region": field(3), "postal_code": field(4), "country": field(5),
    });
    if let Ok(a) = serde_json::from_value::<Address>(json) {
        let _ = n::normalize_address(&a);
    }
    let _ = n::collapse(s);
    let _ = n::doc_key(s);
    let _ = n::doc_number_key(p.get(1).copied(), s);
    let _ = n::image_hash_key(s);
    let _ = n::text_fingerprint(s, 20);
    let _ = n::normalize_words(s);
    let _ = n::normalize_text(s);
    let _ = n::alnum_upper(s);
});
