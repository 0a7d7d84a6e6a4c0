//! Public result types for IP lookups and source status.
//!
//! These types cross the crate boundary (into detectors, the evidence log
//! and the API), so they are plain data with `Serialize`/`Deserialize` and
//! stable lowercase names.

use serde::{Deserialize, Serialize};

pub use kensa_model::intel::{IpInfo, NetClass, NetClassHit};

/// The result of [`crate::Intel::classify_ip`]: which classes matched and
/// which classification tags (class + source + label) said so.
///
/// It is `Copy` and allocation-free; turn the tags into named hits with
/// [`crate::Intel::class_hits`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ClassSet {
    /// Bit `c as u16` is set when class `c` matched.
    pub classes: u16,
    /// Bit `i` is set when tag `i` of the loaded intel matched.
    pub tags: u128,
}

impl ClassSet {
    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.classes == 0
    }

    /// Whether `class` matched.
    pub fn contains(&self, class: NetClass) -> bool {
        self.classes & class.bit() != 0
    }

    /// Whether a VPN, hosting, Tor or proxy class matched.
    pub fn is_anonymizer(&self) -> bool {
        NetClass::ALL
            .iter()
            .any(|c| c.is_anonymizer() && self.contains(*c))
    }

    /// The matched classes in bit order.
    pub fn classes(&self) -> impl Iterator<Item = NetClass> + '_ {
        NetClass::ALL.into_iter().filter(|c| self.contains(*c))
    }

    /// The indices of the matched tags.
    pub fn tag_indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..128).filter(|i| self.tags & (1u128 << i) != 0)
    }
}

/// Geolocation of an address, borrowed from the loaded data.
///
/// Returned by [`crate::Intel::geo_ip`], which allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Geo<'a> {
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<&'a str>,
    /// First-level subdivision (state, province, region) name.
    pub region: Option<&'a str>,
    /// City name.
    pub city: Option<&'a str>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
    /// Accuracy radius in kilometres, where the source states one.
    pub accuracy_km: Option<f64>,
    /// Index of the source the answer came from.
    pub source: usize,
}

/// How one configured source loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// The configured name.
    pub name: String,
    /// The configured kind, e.g. `mmdb`, `asn_csv`, `cidr_list`.
    pub kind: String,
    /// The detected format, e.g. `GeoLite2-City (nested geo)`.
    pub format: String,
    /// The file(s) loaded, as given after resolving against the config dir.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// The data date when known: MMDB build date, else file modification
    /// date (YYYY-MM-DD, UTC).
    pub date: Option<String>,
    /// How many entries (ranges, domains, addresses...) were loaded.
    pub entries: usize,
    /// Load time in milliseconds.
    pub load_ms: f64,
    /// The attribution the data's licence requires, if any.
    pub attribution: Option<String>,
    /// A remark, e.g. that the built-in data is only a small sample.
    pub note: Option<String>,
    /// Why an optional source failed to load.
    pub error: Option<String>,
}
