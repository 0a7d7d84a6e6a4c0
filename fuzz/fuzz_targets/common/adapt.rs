//! Shared by the adapter targets: a log in one format, converted whole; every record made
//! must be a JSON object with a subject and a time, and conversion must not panic or hang.
use kensa_adapt::{Conv, Format, Resolver, Unresolved, convert_all};

pub fn run(data: &[u8], f: Format) {
    // The first byte picks what becomes of unresolved users.
    let (keep, data) = match data.split_first() {
        Some((b, rest)) => (b & 1 == 1, rest),
        None => return,
    };
    let mut who = Resolver::new(if keep { Unresolved::Keep } else { Unresolved::Skip });
    who.add_subject("s-1", ["kim@example.com", "LT-0042"]);
    let Ok(out) = convert_all(data, Some(f), &who) else {
        return;
    };
    for c in &out {
        if let Conv::Record(j) = &c.conv {
            // JSON syntax always (the event is copied as it was: a number too large for a
            // float is still JSON, and validation below rejects it).
            let raw: &serde_json::value::RawValue =
                serde_json::from_slice(j).expect("a record is JSON");
            let o = kensa_adapt::Obj::parse(raw).expect("a record is an object");
            assert!(o.str("subject_id").is_some(), "{}", raw.get());
            assert!(o.str("at").is_some(), "{}", raw.get());
            assert!(c.line >= 1);
            // What ingest does with it: a record or a reject, never a panic.
            let _ = kensa_model::fast::validate_line_within(j, &Default::default());
        }
    }
}
