//! The canonical JSON form of a record: object keys sorted by their UTF-8 bytes, no whitespace,
//! numbers and strings written as `serde_json` writes them.
//!
//! The evidence log hashes these bytes, so the form must not depend on the order keys arrived
//! in, nor on whether some dependency turned on `serde_json/preserve_order`. That is why keys are
//! sorted here explicitly instead of relying on the map type.

use serde_json::Value;

/// Appends the canonical form of `v` to `out`.
pub fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            out.push(b'{');
            let mut keys: Vec<&String> = map.keys().collect();
            // Maps are usually sorted already (BTreeMap); the check keeps that case cheap.
            if !keys.is_sorted() {
                keys.sort_unstable();
            }
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_canonical(&map[k], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_str(s, out),
        // Null, booleans and numbers have one serde_json spelling each.
        // Written straight into `out` (no string per number); cannot fail on a Vec.
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The canonical bytes of `v`.
pub fn to_canonical(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_canonical(v, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "é"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"é","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(to_canonical(&a), to_canonical(&b));
        assert_eq!(
            String::from_utf8(to_canonical(&a)).unwrap(),
            r#"{"a":{"x":"é","y":[1,2]},"b":1}"#
        );
    }
}
