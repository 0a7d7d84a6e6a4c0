//! Indicator lists other organisations share as keyed hashes (共有された指標リスト).
//!
//! A platform that confirms a DPRK IT worker can share the worker's identifiers — wallets,
//! phone numbers, postal addresses, e-mail domains, IP addresses — with other platforms
//! without handing over personal data: each identifier is normalised and replaced by
//! HMAC-SHA256 under a key the participating organisations share (`kensa indicators export
//! --format hashed`). This module is the file format and the loaded form: an intel source of
//! kind `shared_indicators` (a list file plus the shared key file) becomes a [`SharedList`],
//! and the `partner_indicators` detector asks it whether a subject's own identifier is listed.
//! Neither side sees the other's raw values; without the key the hashes cannot be tested
//! against guesses.

use crate::IntelError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;

/// The format name of a hashed list.
pub const HASHED_FORMAT: &str = "kensa-indicators-hmac-v1";

/// The kinds of indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    Ip,
    Wallet,
    EmailDomain,
    Phone,
    PostalAddress,
    /// Remote-access and IP-KVM tool names: exported in STIX only (a tool name identifies no
    /// one, so it is never hashed or matched).
    Tool,
}

impl IndicatorKind {
    /// The snake_case name, as in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Ip => "ip",
            IndicatorKind::Wallet => "wallet",
            IndicatorKind::EmailDomain => "email_domain",
            IndicatorKind::Phone => "phone",
            IndicatorKind::PostalAddress => "postal_address",
            IndicatorKind::Tool => "tool",
        }
    }

    /// The Japanese name, for explanations.
    pub fn ja(self) -> &'static str {
        match self {
            IndicatorKind::Ip => "IPアドレス",
            IndicatorKind::Wallet => "暗号資産ウォレット",
            IndicatorKind::EmailDomain => "メールドメイン",
            IndicatorKind::Phone => "電話番号",
            IndicatorKind::PostalAddress => "住所",
            IndicatorKind::Tool => "ツール",
        }
    }

    /// The English name, for explanations.
    pub fn en(self) -> &'static str {
        match self {
            IndicatorKind::Ip => "IP address",
            IndicatorKind::Wallet => "crypto wallet",
            IndicatorKind::EmailDomain => "e-mail domain",
            IndicatorKind::Phone => "phone number",
            IndicatorKind::PostalAddress => "postal address",
            IndicatorKind::Tool => "tool",
        }
    }
}

/// One hashed indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashed {
    pub kind: IndicatorKind,
    /// HMAC-SHA256 (hex) of `kind ‖ 0x00 ‖ normalised value` under the shared key.
    pub hmac: String,
}

/// A hashed list as exchanged: who shares it, when, which key (by fingerprint), the hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashedList {
    pub format: String,
    pub party: String,
    pub shared_at: String,
    /// SHA-256 of the key (hex, first 16 digits): says which key to use, reveals nothing.
    pub key_id: String,
    pub indicators: Vec<Hashed>,
}

/// HMAC-SHA256 of one normalised value of a kind under `key`.
pub fn indicator_hmac(key: &[u8], kind: IndicatorKind, value: &str) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(kind.as_str().as_bytes());
    m.update(&[0]);
    m.update(value.as_bytes());
    m.finalize().into_bytes().into()
}

/// The fingerprint of a shared key.
pub fn key_id(key: &[u8]) -> String {
    hex::encode(Sha256::digest(key))[..16].to_owned()
}

/// Reads a shared key (hex, at least 16 bytes) as `kensa indicators key` writes it.
pub fn read_shared_key(path: &Path) -> Result<Vec<u8>, IntelError> {
    let text = std::fs::read_to_string(path).map_err(|e| IntelError::io(path, e))?;
    hex::decode(text.trim())
        .ok()
        .filter(|k| k.len() >= 16)
        .ok_or_else(|| IntelError::Config {
            path: path.to_path_buf(),
            message: "not a shared indicator key (hex, at least 32 digits)".into(),
        })
}

/// A loaded shared list: whom it came from and its hashes, with the key to test values.
pub struct SharedList {
    /// The source name in the intel configuration.
    pub source: String,
    /// The organisation that shared the list.
    pub party: String,
    /// When it was shared (RFC 3339, as the file says).
    pub shared_at: String,
    key: Vec<u8>,
    hashes: HashSet<(IndicatorKind, [u8; 32])>,
}

/// Never prints the key or the hashes.
impl std::fmt::Debug for SharedList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedList")
            .field("source", &self.source)
            .field("party", &self.party)
            .field("shared_at", &self.shared_at)
            .field("indicators", &self.hashes.len())
            .finish()
    }
}

impl SharedList {
    /// Checks a list against the key: the format and the key fingerprint must match (a list
    /// hashed under another key would silently match nothing).
    pub fn new(source: &str, list: HashedList, key: Vec<u8>) -> Result<SharedList, String> {
        if list.format != HASHED_FORMAT {
            return Err(format!(
                "indicator list format {:?}, this Kensa reads {HASHED_FORMAT:?}",
                list.format
            ));
        }
        if list.key_id != key_id(&key) {
            return Err(format!(
                "the list was hashed with another key (key id {}, yours is {})",
                list.key_id,
                key_id(&key)
            ));
        }
        let mut hashes = HashSet::with_capacity(list.indicators.len());
        for (i, h) in list.indicators.iter().enumerate() {
            let mut b = [0u8; 32];
            hex::decode_to_slice(&h.hmac, &mut b)
                .map_err(|_| format!("indicator {}: hmac is not 64 hex digits", i + 1))?;
            hashes.insert((h.kind, b));
        }
        Ok(SharedList {
            source: source.to_owned(),
            party: list.party,
            shared_at: list.shared_at,
            key,
            hashes,
        })
    }

    /// Reads a list file and its key file.
    pub fn load(source: &str, list: &Path, key: &Path) -> Result<SharedList, IntelError> {
        let key = read_shared_key(key)?;
        let text = std::fs::read(list).map_err(|e| IntelError::io(list, e))?;
        let parsed: HashedList = serde_json::from_slice(&text).map_err(|e| IntelError::Parse {
            path: list.to_path_buf(),
            line: e.line(),
            message: format!("not a hashed indicator list: {e}"),
        })?;
        SharedList::new(source, parsed, key).map_err(|message| IntelError::Config {
            path: list.to_path_buf(),
            message,
        })
    }

    /// Whether the list holds this normalised value of this kind.
    pub fn contains(&self, kind: IndicatorKind, value: &str) -> bool {
        kind != IndicatorKind::Tool
            && !self.hashes.is_empty()
            && self
                .hashes
                .contains(&(kind, indicator_hmac(&self.key, kind, value)))
    }

    /// Number of hashed indicators.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(key: &[u8], items: &[(IndicatorKind, &str)]) -> HashedList {
        HashedList {
            format: HASHED_FORMAT.into(),
            party: "P".into(),
            shared_at: "2026-12-01T00:00:00Z".into(),
            key_id: key_id(key),
            indicators: items
                .iter()
                .map(|(k, v)| Hashed {
                    kind: *k,
                    hmac: hex::encode(indicator_hmac(key, *k, v)),
                })
                .collect(),
        }
    }

    #[test]
    fn a_listed_value_matches_under_its_kind_only() {
        let key = vec![1u8; 32];
        let l = SharedList::new(
            "s",
            list(&key, &[(IndicatorKind::Phone, "13125550147")]),
            key,
        )
        .unwrap();
        assert!(l.contains(IndicatorKind::Phone, "13125550147"));
        assert!(!l.contains(IndicatorKind::Phone, "13125550148"));
        assert!(!l.contains(IndicatorKind::Wallet, "13125550147"));
    }

    #[test]
    fn another_key_or_format_is_refused() {
        let l = list(&[1u8; 32], &[(IndicatorKind::Ip, "1.2.3.4")]);
        let e = SharedList::new("s", l.clone(), vec![2u8; 32]).unwrap_err();
        assert!(e.contains("another key"), "{e}");
        let mut l2 = l;
        l2.format = "v0".into();
        assert!(SharedList::new("s", l2, vec![1u8; 32]).is_err());
    }
}
