//! Reading MaxMind DB files (GeoIP2/GeoLite2, DB-IP, IPinfo) into range tables.
//!
//! Decoding an MMDB record costs far more than finding it, so instead of
//! decoding at lookup time we walk every network once at load, decode each
//! distinct record once (records are shared by many networks), and keep
//! sorted ranges pointing at compact decoded records. Lookups then cost one
//! binary search and allocate nothing.
//!
//! Two geolocation schemas exist in the wild and both are handled:
//! - the nested GeoIP2 schema (`country.iso_code`, `city.names.en`,
//!   `subdivisions[0].names.en`, `location.latitude`...), used by MaxMind and
//!   IPinfo's GeoIP2-compatible files;
//! - the flat ip-location-db schema (`country_code`, `state1`, `city`,
//!   `latitude`, `longitude`) used by the DB-IP Lite packages.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;
use std::path::Path;

use maxminddb::{Reader, WithinOptions};
use serde::Deserialize;

use crate::config::MmdbRole;
use crate::error::IntelError;
use crate::ranges::IpRangeBuilder;

/// What an MMDB file provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Geolocation in the nested GeoIP2 schema.
    GeoNested,
    /// Geolocation in the flat ip-location-db schema.
    GeoFlat,
    /// ASN and organisation.
    Asn,
    /// MaxMind Anonymous-IP style boolean flags.
    Anonymous,
    /// MaxMind Connection-Type (`Cellular` becomes the mobile class).
    Connection,
}

impl Role {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Role::GeoNested => "nested GeoIP2 geolocation",
            Role::GeoFlat => "flat ip-location-db geolocation",
            Role::Asn => "ASN",
            Role::Anonymous => "anonymous-IP flags",
            Role::Connection => "connection type: Cellular as mobile",
        }
    }
}

/// A decoded geolocation record, kept compact (72 bytes) because a
/// geolocation lookup's cost is mostly cache misses: missing numbers are
/// stored as NaN rather than as `Option<f64>` (16 bytes each).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GeoRecord {
    pub(crate) country: Option<Box<str>>,
    pub(crate) region: Option<Box<str>>,
    pub(crate) city: Option<Box<str>>,
    latitude: f64,
    longitude: f64,
    accuracy_km: f32,
}

impl GeoRecord {
    pub(crate) fn new(
        country: Option<Box<str>>,
        region: Option<Box<str>>,
        city: Option<Box<str>>,
        latitude: Option<f64>,
        longitude: Option<f64>,
        accuracy_km: Option<f64>,
    ) -> Self {
        Self {
            country,
            region,
            city,
            latitude: latitude.unwrap_or(f64::NAN),
            longitude: longitude.unwrap_or(f64::NAN),
            accuracy_km: accuracy_km.map_or(f32::NAN, |a| a as f32),
        }
    }

    #[inline]
    pub(crate) fn latitude(&self) -> Option<f64> {
        (!self.latitude.is_nan()).then_some(self.latitude)
    }

    #[inline]
    pub(crate) fn longitude(&self) -> Option<f64> {
        (!self.longitude.is_nan()).then_some(self.longitude)
    }

    #[inline]
    pub(crate) fn accuracy_km(&self) -> Option<f64> {
        (!self.accuracy_km.is_nan()).then_some(f64::from(self.accuracy_km))
    }
}

/// Anonymous-IP flags decoded from one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AnonFlags {
    pub(crate) vpn: bool,
    pub(crate) hosting: bool,
    pub(crate) tor: bool,
    pub(crate) public_proxy: bool,
    pub(crate) residential_proxy: bool,
    pub(crate) mobile: bool,
}

/// An ASN and its organisation, decoded once per distinct record.
pub(crate) type AsnRecordOwned = (u32, Option<Box<str>>);

/// The flattened content of one MMDB file.
pub(crate) struct MmdbData {
    pub(crate) role: Role,
    pub(crate) database_type: String,
    pub(crate) build_epoch: u64,
    /// Number of networks walked.
    pub(crate) networks: usize,
    pub(crate) geo: Option<(IpRangeBuilder<u32>, Vec<GeoRecord>)>,
    pub(crate) asn: Option<(IpRangeBuilder<u32>, Vec<AsnRecordOwned>)>,
    pub(crate) anon: Option<(IpRangeBuilder<u32>, Vec<AnonFlags>)>,
    /// In direct mode, the open reader for lookup-time decoding.
    pub(crate) direct: Option<DirectReader>,
}

/// An MMDB file kept open for lookup-time decoding (`mmdb_mode =
/// "direct"`): loads in milliseconds and uses no memory beyond the file,
/// at the cost of decoding the record on every lookup.
pub(crate) struct DirectReader {
    pub(crate) reader: Reader<Vec<u8>>,
    pub(crate) role: Role,
}

impl std::fmt::Debug for DirectReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReader")
            .field("database_type", &self.reader.metadata().database_type)
            .field("role", &self.role)
            .finish()
    }
}

/// A geolocation answer decoded at lookup time, borrowing from the file.
pub(crate) struct DirectGeo<'a> {
    pub(crate) country: Option<&'a str>,
    pub(crate) region: Option<&'a str>,
    pub(crate) city: Option<&'a str>,
    pub(crate) latitude: Option<f64>,
    pub(crate) longitude: Option<f64>,
    pub(crate) accuracy_km: Option<f64>,
}

/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are looked up as IPv4, as
/// in the flattened tables, so both modes answer alike.
fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn non_empty_ref(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl DirectReader {
    /// Looks up and decodes a geolocation record; decoding errors in a
    /// damaged file count as "no answer" rather than failing the lookup.
    pub(crate) fn geo(&self, ip: IpAddr) -> Option<DirectGeo<'_>> {
        let found = self.reader.lookup(unmap(ip)).ok()?;
        match self.role {
            Role::GeoFlat => {
                let r: FlatGeo<'_> = found.decode().ok()??;
                Some(DirectGeo {
                    country: non_empty_ref(r.country_code),
                    region: non_empty_ref(r.state1),
                    city: non_empty_ref(r.city),
                    latitude: coord(r.latitude),
                    longitude: coord(r.longitude),
                    accuracy_km: None,
                })
            }
            Role::GeoNested => {
                let r: NestedGeo<'_> = found.decode().ok()??;
                let country = r
                    .country
                    .as_ref()
                    .and_then(|c| c.iso_code)
                    .or_else(|| r.registered_country.as_ref().and_then(|c| c.iso_code));
                let region = r
                    .subdivisions
                    .as_ref()
                    .and_then(|s| s.first())
                    .and_then(|s| s.names.as_ref().and_then(|n| n.en).or(s.iso_code));
                let loc = r.location.as_ref();
                Some(DirectGeo {
                    country: non_empty_ref(country),
                    region: non_empty_ref(region),
                    city: non_empty_ref(
                        r.city
                            .as_ref()
                            .and_then(|c| c.names.as_ref())
                            .and_then(|n| n.en),
                    ),
                    latitude: coord(loc.and_then(|l| l.latitude)),
                    longitude: coord(loc.and_then(|l| l.longitude)),
                    accuracy_km: loc.and_then(|l| l.accuracy_radius).map(|Num(v)| v),
                })
            }
            _ => None,
        }
    }

    /// Looks up and decodes an ASN record.
    pub(crate) fn asn(&self, ip: IpAddr) -> Option<(u32, Option<&str>)> {
        if self.role != Role::Asn {
            return None;
        }
        let found = self.reader.lookup(unmap(ip)).ok()?;
        let r: AsnRecord<'_> = found.decode().ok()??;
        let org = non_empty_ref(r.autonomous_system_organization.or(r.as_name));
        let asn = r.autonomous_system_number.or(match r.asn {
            Some(AsnValue::Num(n)) => Some(n),
            Some(AsnValue::Str(s)) => s
                .trim()
                .trim_start_matches(['A', 'S', 'a', 's'])
                .parse()
                .ok(),
            None => None,
        })?;
        Some((asn, org))
    }
}

/// Opens an MMDB file for direct lookups. Anonymous-IP files are always
/// flattened (their flags feed the single classification table), so for
/// them this falls back to [`load`].
pub(crate) fn open_direct(path: &Path, role: Option<MmdbRole>) -> Result<MmdbData, IntelError> {
    let buf = std::fs::read(path).map_err(|e| IntelError::io(path, e))?;
    let reader = Reader::from_source(buf).map_err(|e| IntelError::mmdb(path, e))?;
    // No full `verify()`: it rejects valid third-party files (DB-IP's have
    // an empty description map) and walks the whole file, which is what
    // direct mode exists to avoid. Detecting the role decodes the first
    // records; damage elsewhere shows up as "no answer" for those ranges.
    let role = pick_role(&reader, path, role)?;
    if matches!(role, Role::Anonymous | Role::Connection) {
        return load(path, None);
    }
    let meta = reader.metadata();
    Ok(MmdbData {
        role,
        database_type: meta.database_type.clone(),
        build_epoch: meta.build_epoch,
        networks: meta.node_count as usize,
        geo: None,
        asn: None,
        anon: None,
        direct: Some(DirectReader { reader, role }),
    })
}

#[derive(Deserialize)]
struct Names<'a> {
    #[serde(borrow, default)]
    en: Option<&'a str>,
}

#[derive(Deserialize)]
struct NamedPlace<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
    #[serde(borrow, default)]
    names: Option<Names<'a>>,
}

#[derive(Deserialize)]
struct Location {
    #[serde(default)]
    latitude: Option<Num>,
    #[serde(default)]
    longitude: Option<Num>,
    #[serde(default)]
    accuracy_radius: Option<Num>,
}

#[derive(Deserialize)]
struct NestedGeo<'a> {
    #[serde(borrow, default)]
    country: Option<NamedPlace<'a>>,
    #[serde(borrow, default)]
    registered_country: Option<NamedPlace<'a>>,
    #[serde(borrow, default)]
    city: Option<NamedPlace<'a>>,
    #[serde(borrow, default)]
    subdivisions: Option<Vec<NamedPlace<'a>>>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Deserialize)]
struct FlatGeo<'a> {
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(borrow, default)]
    state1: Option<&'a str>,
    #[serde(borrow, default)]
    city: Option<&'a str>,
    #[serde(default)]
    latitude: Option<Num>,
    #[serde(default)]
    longitude: Option<Num>,
}

/// An ASN that is either a number or a string like `AS13335` (IPinfo).
#[derive(Deserialize)]
#[serde(untagged)]
enum AsnValue<'a> {
    Num(u32),
    Str(&'a str),
}

#[derive(Deserialize)]
struct AsnRecord<'a> {
    #[serde(default)]
    autonomous_system_number: Option<u32>,
    #[serde(borrow, default)]
    autonomous_system_organization: Option<&'a str>,
    #[serde(borrow, default)]
    asn: Option<AsnValue<'a>>,
    #[serde(borrow, default)]
    as_name: Option<&'a str>,
}

#[derive(Deserialize)]
struct AnonRecord<'a> {
    #[serde(borrow, default)]
    connection_type: Option<&'a str>,
    #[serde(default)]
    is_anonymous_vpn: Option<bool>,
    #[serde(default)]
    is_hosting_provider: Option<bool>,
    #[serde(default)]
    is_tor_exit_node: Option<bool>,
    #[serde(default)]
    is_public_proxy: Option<bool>,
    #[serde(default)]
    is_residential_proxy: Option<bool>,
}

/// Keys of a record's top-level map, used to detect the schema.
type Probe = HashMap<String, serde::de::IgnoredAny>;

/// A number stored as MMDB double, float or integer. The MMDB decoder is
/// strict about types and DB-IP stores coordinates as 32-bit floats where
/// MaxMind uses doubles, so accept any numeric type.
#[derive(Debug, Clone, Copy)]
struct Num(f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_f32<E>(self, v: f32) -> Result<Num, E> {
                Ok(Num(f64::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// Rounds a coordinate decoded from a 32-bit float to 6 decimals (about
/// 0.1 m), so that `-27.4767` does not print as `-27.476699829101562`.
fn coord(n: Option<Num>) -> Option<f64> {
    n.map(|Num(v)| (v * 1e6).round() / 1e6)
        .filter(|v| v.is_finite())
}

fn non_empty(s: Option<&str>) -> Option<Box<str>> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(Box::from)
}

/// The configured role if any (the geolocation schema is still detected),
/// else the detected role.
fn pick_role(
    reader: &Reader<Vec<u8>>,
    path: &Path,
    wanted: Option<MmdbRole>,
) -> Result<Role, IntelError> {
    Ok(match wanted {
        None => detect_role(reader, path)?,
        Some(MmdbRole::Asn) => Role::Asn,
        Some(MmdbRole::Anonymous) => Role::Anonymous,
        Some(MmdbRole::Geo) => match detect_role(reader, path) {
            Ok(Role::GeoNested) => Role::GeoNested,
            // Files that mix geolocation and ASN keys (IPinfo Lite) are
            // detected as flat; a nested schema always has maps.
            _ => Role::GeoFlat,
        },
    })
}

/// Detects the role from the metadata type, or failing that from the keys
/// of the first record.
fn detect_role(reader: &Reader<Vec<u8>>, path: &Path) -> Result<Role, IntelError> {
    let t = reader.metadata().database_type.to_ascii_lowercase();
    if t.contains("anonymous") || t.contains("residential-proxy") || t.contains("ip-risk") {
        return Ok(Role::Anonymous);
    }
    if t.contains("asn") || t.contains("-isp") {
        return Ok(Role::Asn);
    }
    if t.contains("connection-type") {
        return Ok(Role::Connection);
    }
    // DB-IP and other repackaged files use their own type names, so fall
    // back to the first record's keys.
    let mut first_keys: Option<Vec<String>> = None;
    let mut first_error = None;
    let iter = reader
        .networks(WithinOptions::default())
        .map_err(|e| IntelError::mmdb(path, e))?;
    for item in iter.take(64) {
        let item = item.map_err(|e| IntelError::mmdb(path, e))?;
        match item.decode::<Probe>() {
            Ok(Some(map)) => {
                first_keys = Some(map.into_keys().collect());
                break;
            }
            Ok(None) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    // Records that cannot be decoded as maps at all mean a damaged file (or
    // one whose records are not maps); say so rather than "unrecognised".
    if first_keys.is_none()
        && let Some(e) = first_error
    {
        return Err(IntelError::mmdb(
            path,
            format!("cannot decode the first records: {e}"),
        ));
    }
    let keys = first_keys.unwrap_or_default();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("country_code") || (has("latitude") && !has("location")) {
        Ok(Role::GeoFlat)
    } else if has("country") || has("city") || has("location") || has("registered_country") {
        Ok(Role::GeoNested)
    } else if has("autonomous_system_number") || has("asn") {
        Ok(Role::Asn)
    } else if has("is_anonymous") || has("is_anonymous_vpn") || has("is_tor_exit_node") {
        Ok(Role::Anonymous)
    } else if has("connection_type") {
        Ok(Role::Connection)
    } else if t.contains("city") || t.contains("country") || t.contains("enterprise") {
        Ok(Role::GeoNested)
    } else {
        Err(IntelError::mmdb(
            path,
            format!(
                "unrecognised MMDB schema (database_type '{}', first record keys {:?})",
                reader.metadata().database_type,
                keys
            ),
        ))
    }
}

/// Loads and flattens one MMDB file.
pub(crate) fn load(path: &Path, role: Option<MmdbRole>) -> Result<MmdbData, IntelError> {
    let buf = std::fs::read(path).map_err(|e| IntelError::io(path, e))?;
    let reader = Reader::from_source(buf).map_err(|e| IntelError::mmdb(path, e))?;
    let role = pick_role(&reader, path, role)?;
    let meta = reader.metadata();
    let mut data = MmdbData {
        role,
        database_type: meta.database_type.clone(),
        build_epoch: meta.build_epoch,
        networks: 0,
        geo: None,
        asn: None,
        anon: None,
        direct: None,
    };
    // Each distinct data offset is decoded once; networks sharing a record
    // share its index.
    // Offsets are stored as u32 (files over 4 GiB are not MMDB-sized) so
    // that the table stays small and cache-friendly.
    let mut seen: HashMap<u32, u32, BuildHasherDefault<OffsetHasher>> = HashMap::default();
    let mut last: Option<(usize, u32)> = None;
    // A small direct-mapped cache in front of the hash table: popular
    // records (big cities) recur across the tree, and a hit here stays in
    // L1/L2 where a hash probe usually misses. `u32::MAX` marks an empty
    // slot (no data offset is that large in a readable file).
    const RECENT: usize = 4096;
    let mut recent = vec![(u32::MAX, 0u32); RECENT];
    let mut ranges: IpRangeBuilder<u32> = IpRangeBuilder::default();
    let mut geo_records: Vec<GeoRecord> = Vec::new();
    let mut asn_records: Vec<(u32, Option<Box<str>>)> = Vec::new();
    let mut anon_records: Vec<AnonFlags> = Vec::new();
    let iter = reader
        .networks(WithinOptions::default())
        .map_err(|e| IntelError::mmdb(path, e))?;
    for item in iter {
        let item = item.map_err(|e| IntelError::mmdb(path, e))?;
        let Some(offset) = item.offset() else {
            continue;
        };
        let net = item.network().map_err(|e| IntelError::mmdb(path, e))?;
        data.networks += 1;
        // Neighbouring networks often share a record (a city spanning
        // several prefixes), so check the previous one before hashing: the
        // hash table is large and each probe is a likely cache miss.
        let slot = (offset as u32 as usize).wrapping_mul(0x9e37_79b9) >> 20 & (RECENT - 1);
        let cached = match last {
            Some((o, i)) if o == offset => Some(i),
            _ if recent[slot].0 == offset as u32 => Some(recent[slot].1),
            _ => seen.get(&(offset as u32)).copied(),
        };
        let idx = match cached {
            Some(i) => i,
            None => {
                let decoded = match role {
                    Role::GeoNested => item
                        .decode::<NestedGeo>()
                        .map(|r| r.map(nested_to_record))
                        .map(|r| r.map(|r| push(&mut geo_records, r))),
                    Role::GeoFlat => item
                        .decode::<FlatGeo>()
                        .map(|r| r.map(flat_to_record))
                        .map(|r| r.map(|r| push(&mut geo_records, r))),
                    Role::Asn => item
                        .decode::<AsnRecord>()
                        .map(|r| r.and_then(asn_to_record))
                        .map(|r| r.map(|r| push(&mut asn_records, r))),
                    Role::Anonymous | Role::Connection => item
                        .decode::<AnonRecord>()
                        .map(|r| r.map(|r| anon_to_flags(r, &data.database_type)))
                        .map(|r| r.map(|r| push(&mut anon_records, r))),
                };
                let decoded = decoded.map_err(|e| IntelError::mmdb(path, e))?;
                let Some(i) = decoded else {
                    continue;
                };
                seen.insert(offset as u32, i);
                i
            }
        };
        last = Some((offset, idx));
        recent[slot] = (offset as u32, idx);
        let (start, end) = net_bounds(net.ip(), net.prefix());
        ranges.push_range(start, end, idx);
    }
    match role {
        Role::GeoNested | Role::GeoFlat => data.geo = Some((ranges, geo_records)),
        Role::Asn => data.asn = Some((ranges, asn_records)),
        Role::Anonymous | Role::Connection => data.anon = Some((ranges, anon_records)),
    }
    Ok(data)
}

/// A multiplicative hasher for data-section offsets: the default SipHash
/// is DoS-resistant but several times slower, and offsets come from the
/// file, not from an attacker who can see our hash seeds.
#[derive(Default)]
struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

fn push<T>(v: &mut Vec<T>, item: T) -> u32 {
    v.push(item);
    (v.len() - 1) as u32
}

/// First and last address of a network given by an address and prefix.
fn net_bounds(ip: IpAddr, prefix: u8) -> (IpAddr, IpAddr) {
    match ip {
        IpAddr::V4(a) => {
            let a = u32::from(a);
            let host = if prefix >= 32 { 0 } else { u32::MAX >> prefix };
            (
                IpAddr::V4((a & !host).into()),
                IpAddr::V4((a | host).into()),
            )
        }
        IpAddr::V6(a) => {
            let a = u128::from(a);
            let host = if prefix >= 128 {
                0
            } else {
                u128::MAX >> prefix
            };
            (
                IpAddr::V6((a & !host).into()),
                IpAddr::V6((a | host).into()),
            )
        }
    }
}

fn nested_to_record(r: NestedGeo<'_>) -> GeoRecord {
    let country = r
        .country
        .as_ref()
        .and_then(|c| c.iso_code)
        .or_else(|| r.registered_country.as_ref().and_then(|c| c.iso_code));
    let region = r
        .subdivisions
        .as_ref()
        .and_then(|s| s.first())
        .and_then(|s| s.names.as_ref().and_then(|n| n.en).or(s.iso_code));
    let city = r
        .city
        .as_ref()
        .and_then(|c| c.names.as_ref())
        .and_then(|n| n.en);
    let loc = r.location.as_ref();
    GeoRecord::new(
        non_empty(country),
        non_empty(region),
        non_empty(city),
        coord(loc.and_then(|l| l.latitude)),
        coord(loc.and_then(|l| l.longitude)),
        loc.and_then(|l| l.accuracy_radius).map(|Num(v)| v),
    )
}

fn flat_to_record(r: FlatGeo<'_>) -> GeoRecord {
    GeoRecord::new(
        non_empty(r.country_code),
        non_empty(r.state1),
        non_empty(r.city),
        coord(r.latitude),
        coord(r.longitude),
        None,
    )
}

fn asn_to_record(r: AsnRecord<'_>) -> Option<(u32, Option<Box<str>>)> {
    let asn = r.autonomous_system_number.or(match r.asn {
        Some(AsnValue::Num(n)) => Some(n),
        Some(AsnValue::Str(s)) => s
            .trim()
            .trim_start_matches(['A', 'S', 'a', 's'])
            .parse()
            .ok(),
        None => None,
    })?;
    Some((
        asn,
        non_empty(r.autonomous_system_organization.or(r.as_name)),
    ))
}

fn anon_to_flags(r: AnonRecord<'_>, database_type: &str) -> AnonFlags {
    // A residential-proxy database lists only residential proxies, so
    // every record in it is one even without the flag.
    let residential_db = database_type
        .to_ascii_lowercase()
        .contains("residential-proxy");
    AnonFlags {
        vpn: r.is_anonymous_vpn.unwrap_or(false),
        hosting: r.is_hosting_provider.unwrap_or(false),
        tor: r.is_tor_exit_node.unwrap_or(false),
        public_proxy: r.is_public_proxy.unwrap_or(false),
        residential_proxy: r.is_residential_proxy.unwrap_or(residential_db),
        mobile: r.connection_type == Some("Cellular"),
    }
}
