//! # kensa-enrich: fast, pure lookups over reference data
//!
//! Kensa's detectors need to know things about the identifiers they see in
//! login, payout and HR data: where an IP address is and who runs it, whether
//! it is a VPN, hosting, Tor or proxy exit, whether an e-mail domain is
//! disposable, what kind of line a phone number is, whether a payout goes to
//! a bank in the People's Republic of China, and whether a crypto wallet is
//! on a sanctions list. This crate answers those questions from reference
//! data that the operator downloads (see `docs/intel.md`), or from a small
//! built-in sample so that demos work offline.
//!
//! ## Design
//!
//! - **Load once, look up millions of times.** [`Intel`] loads every source
//!   named in a TOML configuration (MMDB files, CSV ranges, CIDR lists, ASN
//!   lists, domain and address lists) into immutable in-memory tables and is
//!   then shared read-only across threads.
//! - **Ranges, not tries.** Every IP source becomes sorted, non-overlapping
//!   ranges (`u32` keys for IPv4, `u128` for IPv6) searched by binary search
//!   behind a 65,536-bucket index. MMDB files are flattened into such ranges
//!   at load, decoding each distinct record once, so geolocation costs one
//!   search and no decoding. All network-class lists are overlaid into one
//!   table whose values are small bitsets of (class, source) tags, so
//!   classification is a single search however many lists are loaded.
//! - **Two MMDB modes.** `flatten` (the default) pays about a second of
//!   CPU at load for the fastest lookups; `direct` keeps the file and
//!   decodes per lookup, for one-shot tools that must start instantly
//!   ([`MmdbMode`]).
//! - **Every answer says where it came from.** Each network class carries
//!   the configured name of the source that reported it, and
//!   [`Intel::attributions`] lists the credits that the data's licences
//!   require (for example DB-IP's CC BY 4.0 attribution).
//! - **Lookups never fail and never panic.** Bad input produces a result
//!   that says it is invalid and why; only loading returns errors
//!   ([`IntelError`]), and they name the file and line.
//!
//! ## Example
//!
//! ```
//! use kensa_enrich::{Intel, NetClass};
//!
//! // The built-in sample works offline; load real data with
//! // `Intel::from_config_file("intel.toml")`.
//! let intel = Intel::builtin();
//! assert!(intel.status()[0].note.as_deref().unwrap_or("").contains("sample"));
//!
//! let info = intel.lookup_ip("175.45.176.1".parse().unwrap());
//! assert_eq!(info.country.as_deref(), Some("KP"));
//! assert_eq!(info.asn, Some(131279));
//! assert_eq!(
//!     info.summary(),
//!     "175.45.176.1 → KP, Pyongyang, AS131279 Star Joint Venture Co. Ltd."
//! );
//!
//! // Classification carries its source.
//! let tor = intel.lookup_ip("185.220.101.7".parse().unwrap());
//! assert!(tor.has_class(NetClass::Tor) && tor.is_anonymizer());
//! assert_eq!(tor.classes[0].source, "builtin-sample");
//!
//! // The fast paths used in hot loops allocate nothing.
//! let set = intel.classify_ip("165.225.1.1".parse().unwrap());
//! assert!(set.contains(NetClass::Corporate));
//! let geo = intel.geo_ip("126.1.2.3".parse().unwrap()).unwrap();
//! assert_eq!(geo.country, Some("JP"));
//!
//! // E-mail, phone, bank and wallet checks.
//! assert!(intel.email("someone@gmail.com").free_mail);
//! assert!(kensa_enrich::phone("+81 3-1234-5678", None).valid);
//! let pay = kensa_enrich::bank(None, Some("ICBKCNBJ"), None, None);
//! assert!(pay.is_prc);
//! let w = intel.wallet("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", None);
//! assert!(w.valid && w.checksum_verified);
//! ```
//!
//! ## Sources
//!
//! | kind | formats | answers |
//! |---|---|---|
//! | `mmdb` | GeoIP2/GeoLite2 City/Country, DB-IP Lite and other flat ip-location-db files, GeoLite2-ASN, Anonymous-IP | [`Intel::geo_ip`], [`Intel::asn_ip`], [`Intel::classify_ip`] |
//! | `asn_csv` | `start_ip,end_ip,asn,org` (optionally gzip) | [`Intel::asn_ip`] |
//! | `cidr_list` | one CIDR or IP per line, optional label | [`Intel::classify_ip`] |
//! | `asn_list` | `ASN,Entity` (bad-asn-list) | [`Intel::classify_ip`] via the ASN tables |
//! | `disposable_email`, `free_mail`, `email_domains` | one domain per line | [`Intel::email`] |
//! | `crypto_addresses` | one address per line (OFAC per-asset files) | [`Intel::wallet`] |
//! | `builtin` | the embedded sample | all IP lookups |
//!
//! Phone and bank checks need no loaded data: [`phone()`] and [`bank()`] are
//! free functions.

mod bank;
mod config;
mod crypto;
mod email;
mod error;
mod intel;
mod lists;
mod mmdb;
mod phone;
mod ranges;
pub mod sase;
pub mod shared;
mod types;

pub use bank::{BankInfo, bank, is_country_code, normalize_country, validate_bic, validate_iban};
pub use config::{IntelConfig, MmdbMode, MmdbRole, SourceConfig, SourceKind};
pub use crypto::{WalletHit, WalletInfo, analyze as analyze_wallet};
pub use email::{
    BUILTIN_FREE_MAIL_SOURCE, EmailHit, EmailInfo, EmailListRole, is_builtin_free_mail_domain,
};
pub use error::IntelError;
pub use intel::{BUILTIN_SOURCE_NAME, Intel};
pub use phone::{PhoneInfo, phone};
pub use types::{ClassSet, Geo, IpInfo, NetClass, NetClassHit, SourceStatus};
