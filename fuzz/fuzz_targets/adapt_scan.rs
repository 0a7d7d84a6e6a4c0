//! The framer's validating scanner against serde_json: on any input the two agree on whether
//! an object starts the buffer and where it ends, and every member the scanner reports is a
//! key string and one whole JSON value, in order, inside the object (and likewise for the
//! members of object-valued members).
#![no_main]
use kensa_adapt::scan::{Member, Scan, object};
use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;

/// One whole JSON value, nothing after it.
fn one_value(b: &[u8]) -> bool {
    serde_json::from_slice::<IgnoredAny>(b).is_ok()
}

/// `within`: the offsets of the object's `{` and `}`.
fn check_members(data: &[u8], within: (usize, usize), ms: &[Member]) {
    let mut after = within.0;
    for m in ms {
        let (k, v) = (m.key(), m.value());
        assert!(after < k.start && k.end <= v.start && v.end <= within.1, "{m:?} in {within:?}");
        assert!(data[k.start] == b'"' && data[k.end - 1] == b'"' && k.len() >= 2);
        assert!(one_value(&data[k.clone()]), "key {:?}", &data[k]);
        assert_eq!(m.key_escaped, data[k.clone()].contains(&b'\\'));
        assert!(one_value(&data[v.clone()]), "value {:?}", &data[v]);
        after = v.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let mut it = serde_json::Deserializer::from_slice(data).into_iter::<IgnoredAny>();
    let serde = it.next();
    match object(data) {
        Scan::Object {
            len,
            members,
            nested,
        } => {
            assert!(matches!(serde, Some(Ok(_))), "scanner accepts, serde: {serde:?}");
            assert_eq!(it.byte_offset(), len);
            // What the framer's chunking relies on: a cut-off valid object is unfinished.
            for cut in [1, len / 2, len - 1] {
                if cut >= 1 && cut < len {
                    assert_eq!(object(&data[..cut]), Scan::Incomplete, "cut at {cut}");
                }
            }
            check_members(data, (0, len - 1), &members);
            for m in &members {
                match m.children() {
                    Some(kids) => {
                        let v = m.value();
                        assert_eq!(data[v.start], b'{');
                        check_members(data, (v.start, v.end - 1), &nested[kids]);
                    }
                    None => assert_ne!(data[m.value().start], b'{'),
                }
            }
        }
        Scan::Invalid => match serde {
            // Not an object at the start (white space, an array, ...): not the scanner's.
            Some(Ok(_)) => assert_ne!(data.first(), Some(&b'{'), "serde accepts, scanner does not"),
            Some(Err(e)) => assert!(
                !e.is_eof() || data.first() != Some(&b'{'),
                "scanner rejects what serde finds unfinished: {e}"
            ),
            None => {}
        },
        Scan::Incomplete => match serde {
            Some(Ok(_)) => panic!("scanner finds unfinished what serde accepts"),
            // serde_json ends a number at the end of the input and then calls `1.` or `1e`
            // invalid; otherwise it, too, ran out of input.
            Some(Err(e)) => assert!(
                e.is_eof() || e.to_string().starts_with("invalid number"),
                "scanner finds unfinished what serde calls broken: {e}"
            ),
            None => {}
        },
    }
});
