//! One JSONL line through the record parser: never a panic or a stack overflow, and whenever
//! the fast path accepts a line, the precise path gives the same record byte for byte.
#![no_main]
use kensa_model::fast::{Limits, LineError, stored_record, validate_line_within};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [
        Limits::default(),
        Limits {
            max_depth: 3,
            max_fields: 4,
        },
    ] {
        match validate_line_within(data, &limits) {
            Ok(v) => {
                // Whatever is accepted is valid JSON that the Value path accepts identically.
                let value: serde_json::Value =
                    serde_json::from_slice(data).expect("accepted lines are JSON");
                let slow =
                    kensa_model::validate_value(value).expect("accepted by the precise path too");
                assert_eq!(v.body, slow.body);
                assert_eq!(v.record_id, slow.record_id);
                // The stored body reads back as the same kind.
                assert!(stored_record(v.kind.as_str(), &v.body).is_some());
            }
            Err(LineError::Limit(r)) => assert!(r.contains("--max-")),
            Err(_) => {}
        }
    }
});
