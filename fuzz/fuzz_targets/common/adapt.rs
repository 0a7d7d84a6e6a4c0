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
            let v: serde_json::Value = serde_json::from_slice(j).expect("a record is JSON");
            assert!(v["subject_id"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
            assert!(v["at"].is_string(), "{v}");
            assert!(c.line >= 1);
        }
    }
}
