//! Parameter types shared by detectors' configuration structs.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A duration written the human way in the policy file: `"90s"`, `"30m"`, `"24h"`, `"7d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub std::time::Duration);

impl Dur {
    pub const fn hours(h: u64) -> Dur {
        Dur(std::time::Duration::from_secs(h * 3600))
    }
    pub const fn minutes(m: u64) -> Dur {
        Dur(std::time::Duration::from_secs(m * 60))
    }
    pub const fn days(d: u64) -> Dur {
        Dur(std::time::Duration::from_secs(d * 86_400))
    }
    pub fn millis(self) -> i64 {
        self.0.as_millis() as i64
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map(Dur).map_err(|e| {
            serde::de::Error::custom(format!(
                "not a duration like \"24h\" or \"30m\": {s:?} ({e})"
            ))
        })
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}
