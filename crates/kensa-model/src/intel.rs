//! Enrichment results that detectors read: what Kensa knows about an IP address.
//!
//! These types are produced by `kensa-enrich` (from MMDB files, range lists and the user's own
//! lists) and attached to the data set by the engine before detection, so that detectors stay
//! pure functions of the data set. They cross crate boundaries (detectors, the evidence log,
//! the API), so they are plain data with stable lowercase names.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

/// A kind of network an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetClass {
    /// A commercial VPN provider's network.
    Vpn,
    /// A hosting, VPS or datacenter network.
    Hosting,
    /// A Tor exit node.
    Tor,
    /// An open, public or residential proxy.
    Proxy,
    /// A privacy relay such as iCloud Private Relay.
    Relay,
    /// A mobile carrier network (CGNAT: many users share one address).
    Mobile,
    /// A corporate egress proxy such as Zscaler.
    Corporate,
    /// A user-defined class; the label says what it means.
    Custom,
}

impl NetClass {
    /// Every class, in bit order.
    pub const ALL: [NetClass; 8] = [
        NetClass::Vpn,
        NetClass::Hosting,
        NetClass::Tor,
        NetClass::Proxy,
        NetClass::Relay,
        NetClass::Mobile,
        NetClass::Corporate,
        NetClass::Custom,
    ];

    /// The lowercase name used in configuration and serialised output.
    pub fn as_str(self) -> &'static str {
        match self {
            NetClass::Vpn => "vpn",
            NetClass::Hosting => "hosting",
            NetClass::Tor => "tor",
            NetClass::Proxy => "proxy",
            NetClass::Relay => "relay",
            NetClass::Mobile => "mobile",
            NetClass::Corporate => "corporate",
            NetClass::Custom => "custom",
        }
    }

    /// Parses a lowercase class name; also accepts a few common synonyms.
    pub fn parse(s: &str) -> Option<NetClass> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "vpn" => NetClass::Vpn,
            "hosting" | "datacenter" | "vps" | "cloud" => NetClass::Hosting,
            "tor" | "tor-exit" | "tor_exit" => NetClass::Tor,
            "proxy" => NetClass::Proxy,
            "relay" => NetClass::Relay,
            "mobile" => NetClass::Mobile,
            "corporate" => NetClass::Corporate,
            "custom" => NetClass::Custom,
            _ => return None,
        })
    }

    /// The class's bit in a class set.
    #[doc(hidden)]
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// Whether this class hides the user's real location: VPN, hosting,
    /// Tor or proxy. Relays, mobile and corporate networks also share
    /// addresses but are ordinary for legitimate users, so they are not
    /// counted as anonymisers.
    pub fn is_anonymizer(self) -> bool {
        matches!(
            self,
            NetClass::Vpn | NetClass::Hosting | NetClass::Tor | NetClass::Proxy
        )
    }
}

impl std::fmt::Display for NetClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One classification of an address, with the source that said so.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NetClassHit {
    /// The class.
    pub class: NetClass,
    /// The configured name of the source that reported it.
    pub source: String,
    /// The user's label for custom lists (or a per-line label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Everything known about one IP address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpInfo {
    /// The address looked up.
    pub ip: IpAddr,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// First-level subdivision name.
    pub region: Option<String>,
    /// City name.
    pub city: Option<String>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
    /// Accuracy radius in kilometres, where the source states one.
    pub accuracy_km: Option<f64>,
    /// Autonomous system number.
    pub asn: Option<u32>,
    /// Organisation that holds the autonomous system.
    pub org: Option<String>,
    /// Network classes with the source of each.
    #[serde(default)]
    pub classes: Vec<NetClassHit>,
    /// The configured names of the sources that contributed to this answer,
    /// so that reports can credit them (see `Intel::attributions` in `kensa-enrich`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

impl Default for IpInfo {
    fn default() -> Self {
        Self {
            ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            country: None,
            region: None,
            city: None,
            latitude: None,
            longitude: None,
            accuracy_km: None,
            asn: None,
            org: None,
            classes: Vec::new(),
            sources: Vec::new(),
        }
    }
}

impl IpInfo {
    /// Whether any source classed the address as VPN, hosting, Tor or proxy.
    pub fn is_anonymizer(&self) -> bool {
        self.classes.iter().any(|h| h.class.is_anonymizer())
    }

    /// Whether any source classed the address as `class`.
    pub fn has_class(&self, class: NetClass) -> bool {
        self.classes.iter().any(|h| h.class == class)
    }

    /// A one-line human summary, e.g.
    /// `175.45.176.1 → KP, Pyongyang, AS131279 Star Joint Venture Co. Ltd.`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = &self.country {
            parts.push(c.clone());
        }
        if let Some(c) = &self.city {
            parts.push(c.clone());
        }
        match (self.asn, &self.org) {
            (Some(a), Some(o)) => parts.push(format!("AS{a} {o}")),
            (Some(a), None) => parts.push(format!("AS{a}")),
            (None, Some(o)) => parts.push(o.clone()),
            (None, None) => {}
        }
        let mut s = format!("{} → ", self.ip);
        if parts.is_empty() {
            s.push_str("unknown");
        } else {
            s.push_str(&parts.join(", "));
        }
        // Each class with the list that said so: evidence must name its source.
        let mut classes: Vec<String> = self
            .classes
            .iter()
            .map(|h| format!("{} ({})", h.class.as_str(), h.source))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        if !classes.is_empty() {
            let _ = write!(s, " [{}]", classes.join(", "));
        }
        s
    }
}

/// A sanctions-list match for one of a subject's names or wallets, found by screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SanctionsHit {
    /// The record that holds the screened value.
    pub record_id: String,
    /// Which field: `legal_name`, `beneficiary_name`, `crypto.address`...
    pub field: String,
    /// The screened value as it appears in the record.
    pub value: String,
    /// The list (`OFAC-SDN`, `UN-SC`...) and its own id of the entry.
    pub list: String,
    pub entry_id: String,
    /// The listed name (or address) that matched.
    pub matched_name: String,
    /// 0–1; 1 for an exact wallet address.
    pub score: f64,
    pub programs: Vec<String>,
    /// How the names matched, token by token (from the screener).
    #[serde(default)]
    pub how: serde_json::Value,
    /// The screener's secondary evidence (`birth_year_match`, `birth_decades_apart`,
    /// `country_mismatch`...), from the subject's own date of birth and nationality; empty for
    /// third-party names (beneficiaries), which are screened on their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<String>,
}
