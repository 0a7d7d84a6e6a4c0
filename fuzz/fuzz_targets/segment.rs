//! Record segments as `kensa verify` decodes them from the database.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, blob)) = data.split_at_checked(2) else {
        return;
    };
    let first = i64::from(head[0]);
    let last = first + i64::from(head[1]) - 1;
    if let Ok(entries) = kensa_store::segment::decode(blob, first, last) {
        assert_eq!(entries.len() as i64, last - first + 1);
    }
});
