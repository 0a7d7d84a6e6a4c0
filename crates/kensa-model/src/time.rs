//! Timestamps: RFC 3339 with an offset, held as Unix milliseconds.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time, parsed from an RFC 3339 string that carries an offset (`Z` or `±hh:mm`).
///
/// Held as milliseconds since the Unix epoch (UTC), which is all detectors need; the original
/// string, with its offset, stays in the stored canonical record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(pub i64);

impl Ts {
    /// Parses an RFC 3339 timestamp with an offset.
    pub fn parse(s: &str) -> Result<Ts, String> {
        // jiff's Timestamp parser insists on an offset, which is exactly the contract: a
        // local time without an offset is ambiguous and must be rejected, not guessed.
        let t: jiff::Timestamp = s.parse().map_err(|e: jiff::Error| {
            format!("not an RFC 3339 timestamp with an offset ({e}): {s:?}")
        })?;
        Ok(Ts(t.as_millisecond()))
    }

    /// Unix seconds (floor).
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// The same instant as an RFC 3339 string in UTC.
    pub fn to_rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t.to_string(),
            Err(_) => format!("@{}ms", self.0),
        }
    }
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Parsed from the borrowed text (serde's `Cow<str>` would always allocate a String).
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Ts, E> {
                Ts::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_required_and_applied() {
        let a = Ts::parse("2026-09-01T09:00:00+09:00").unwrap();
        let b = Ts::parse("2026-09-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
        assert!(Ts::parse("2026-09-01T09:00:00").is_err());
        assert!(Ts::parse("yesterday").is_err());
        assert_eq!(b.to_rfc3339(), "2026-09-01T00:00:00Z");
    }
}
