//! Enrichment results that detectors read: what Kensa knows about an IP address.
//!
//! These types are produced by `kensa-enrich` (from MMDB files, range lists and the user's own
//! lists) and attached to the data set by the engine before detection, so that detectors stay
//! pure functions of the data set.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// A network classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetClass {
    /// Commercial VPN exit.
    Vpn,
    /// Datacenter, cloud or VPS hosting.
    Hosting,
    /// Tor exit node.
    Tor,
    /// Open or commercial proxy (incl. residential proxies).
    Proxy,
    /// Privacy relay such as iCloud Private Relay (hides location, low risk on its own).
    Relay,
    /// Mobile carrier (large NAT pools: many unrelated users share addresses).
    Mobile,
    /// Corporate egress or security proxy (e.g. Zscaler).
    Corporate,
    /// A label from the user's own list.
    Custom,
}

impl NetClass {
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
}

/// One classification with the source (list) that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetClassHit {
    pub class: NetClass,
    /// Name of the source in the intel configuration, e.g. `x4bnet-vpn`.
    pub source: String,
    /// The user's label, for `custom` hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Everything known about one IP address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IpInfo {
    pub ip: Option<IpAddr>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Radius of the location's uncertainty, in km.
    pub accuracy_km: Option<f64>,
    pub asn: Option<u32>,
    pub org: Option<String>,
    #[serde(default)]
    pub classes: Vec<NetClassHit>,
}

impl IpInfo {
    pub fn has_class(&self, c: NetClass) -> bool {
        self.classes.iter().any(|h| h.class == c)
    }

    /// VPN, hosting, Tor or proxy: an address that hides where the user really is.
    pub fn is_anonymizer(&self) -> bool {
        self.classes.iter().any(|h| {
            matches!(
                h.class,
                NetClass::Vpn | NetClass::Hosting | NetClass::Tor | NetClass::Proxy
            )
        })
    }

    /// A one-line description, e.g. `175.45.176.1 → KP, Pyongyang, AS131279 Star Joint Venture`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = &self.country {
            parts.push(c.clone());
        }
        if let Some(c) = &self.city {
            parts.push(c.clone());
        }
        if let Some(a) = self.asn {
            parts.push(match &self.org {
                Some(o) => format!("AS{a} {o}"),
                None => format!("AS{a}"),
            });
        }
        let mut s = match self.ip {
            Some(ip) => format!(
                "{ip} → {}",
                if parts.is_empty() {
                    "unknown".into()
                } else {
                    parts.join(", ")
                }
            ),
            None => parts.join(", "),
        };
        if !self.classes.is_empty() {
            let cls: Vec<String> = self
                .classes
                .iter()
                .map(|h| format!("{} ({})", h.class.as_str(), h.source))
                .collect();
            s.push_str(&format!(" [{}]", cls.join(", ")));
        }
        s
    }
}
