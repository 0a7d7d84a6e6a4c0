//! The [`Intel`] store: loading sources and answering lookups.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Instant, UNIX_EPOCH};

use crate::config::{IntelConfig, MmdbMode, SourceConfig, SourceKind};
use crate::crypto::{self, WalletInfo};
use crate::email::{self, EmailInfo, EmailListRole};
use crate::error::IntelError;
use crate::lists;
use crate::mmdb::{self, GeoRecord};
use crate::ranges::{IpRangeBuilder, IpRangeMap, overlay};
use crate::types::{ClassSet, Geo, IpInfo, NetClass, NetClassHit, SourceStatus};

/// The built-in sample range table, embedded so that the demo and quick
/// start work offline. It is small and approximate: never decide on it.
pub(crate) const BUILTIN_SAMPLE_CSV: &str = include_str!("../../../docs/builtin-intel-sample.csv");

/// The name under which built-in sample hits are reported.
pub const BUILTIN_SOURCE_NAME: &str = "builtin-sample";

/// The maximum number of distinct (class, source, label) tags.
const MAX_TAGS: usize = 128;

/// A classification tag: one class from one source, optionally labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tag {
    class: NetClass,
    source: usize,
    label: Option<String>,
}

/// A per-source geolocation table; values index `Intel::geo_records`.
#[derive(Debug)]
struct GeoTable {
    source: usize,
    map: IpRangeMap<u32>,
    /// For large IPv4 tables, one entry per /24 block: the record index
    /// when a single range covers the whole block, [`DENSE_EMPTY`] when no
    /// range touches it, [`DENSE_SEARCH`] otherwise. A lookup then costs
    /// one memory access instead of a binary search for most addresses
    /// (64 MiB for a full table; built only above [`DENSE_MIN_RANGES`]).
    dense: Vec<u32>,
    /// Set in direct mode, where `map` is empty.
    direct: Option<mmdb::DirectReader>,
}

const DENSE_EMPTY: u32 = u32::MAX;
const DENSE_SEARCH: u32 = u32::MAX - 1;
const DENSE_MIN_RANGES: usize = 1_000_000;

impl GeoTable {
    fn new(source: usize, map: IpRangeMap<u32>) -> Self {
        let dense = if map.v4.len() >= DENSE_MIN_RANGES {
            build_dense(&map)
        } else {
            Vec::new()
        };
        Self {
            source,
            map,
            dense,
            direct: None,
        }
    }

    #[inline]
    fn get(&self, ip: IpAddr) -> Option<u32> {
        if !self.dense.is_empty() {
            let v4 = match ip {
                IpAddr::V4(a) => Some(a),
                IpAddr::V6(a) => a.to_ipv4_mapped(),
            };
            if let Some(a) = v4 {
                let k = u32::from(a);
                return match self.dense[(k >> 8) as usize] {
                    DENSE_EMPTY => None,
                    DENSE_SEARCH => self.map.v4.get(k),
                    v => Some(v),
                };
            }
        }
        self.map.get(ip)
    }
}

/// Builds the /24 block table for [`GeoTable::dense`] in one pass over the
/// sorted ranges.
fn build_dense(map: &IpRangeMap<u32>) -> Vec<u32> {
    let ranges: Vec<(u32, u32, u32)> = map.v4.iter().collect();
    let mut dense = Vec::with_capacity(1 << 24);
    let mut i = 0;
    for block in 0u32..(1 << 24) {
        let start = block << 8;
        let end = start | 0xff;
        // Skip ranges that end before this block.
        while i < ranges.len() && ranges[i].1 < start {
            i += 1;
        }
        let v = match ranges.get(i) {
            Some(&(s, e, v)) if s <= start && e >= end && v < DENSE_SEARCH => v,
            Some(&(s, _, _)) if s <= end => DENSE_SEARCH,
            _ => DENSE_EMPTY,
        };
        dense.push(v);
    }
    dense
}

/// A per-source ASN table; values index `Intel::asn_entries`.
#[derive(Debug)]
struct AsnTable {
    source: usize,
    map: IpRangeMap<u32>,
    /// Set in direct mode, where `map` is empty.
    direct: Option<mmdb::DirectReader>,
}

/// A list entry hit for e-mail domains or wallet addresses.
#[derive(Debug, Clone)]
pub(crate) struct ListHit {
    pub(crate) source: usize,
    pub(crate) role: EmailListRole,
}

/// A sanctioned or listed wallet address.
#[derive(Debug, Clone)]
pub(crate) struct WalletEntry {
    pub(crate) source: usize,
    pub(crate) asset: Option<String>,
}

/// Loaded reference data with fast, allocation-light lookups.
///
/// Build one with [`Intel::builtin`] (offline sample) or
/// [`Intel::from_config_file`], then share it (`Intel` is `Send + Sync`
/// and immutable) across threads.
#[derive(Default)]
pub struct Intel {
    status: Vec<SourceStatus>,
    geo_tables: Vec<GeoTable>,
    geo_records: Vec<GeoRecord>,
    asn_tables: Vec<AsnTable>,
    /// `(asn, index into orgs or u32::MAX)`.
    asn_entries: Vec<(u32, u32)>,
    orgs: Vec<Box<str>>,
    tags: Vec<Tag>,
    class_map: IpRangeMap<u32>,
    class_sets: Vec<ClassSet>,
    email_lists: HashMap<String, Vec<ListHit>>,
    wallets: HashMap<String, Vec<WalletEntry>>,
    /// Files of `sanctions_list` sources, for the screening crate to load.
    sanctions_lists: Vec<PathBuf>,
    /// Keyed-hash indicator lists shared by other organisations.
    shared: Vec<std::sync::Arc<crate::shared::SharedList>>,
}

/// A summary rather than the tables: deriving `Debug` would print millions
/// of ranges if an `Intel` ever reached a log line.
impl std::fmt::Debug for Intel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intel")
            .field(
                "sources",
                &self.status.iter().map(|s| &s.name).collect::<Vec<_>>(),
            )
            .field("geo", &self.geo_stats())
            .field("asn_tables", &self.asn_tables.len())
            .field("class_ranges", &self.class_map.len())
            .field("email_domains", &self.email_lists.len())
            .field("wallets", &self.wallets.len())
            .finish()
    }
}

/// What loading one source produced, for its status line.
struct Loaded {
    format: String,
    entries: usize,
    date: Option<String>,
    note: Option<String>,
}

/// Mutable state while sources load; turned into an [`Intel`] at the end.
#[derive(Default)]
struct Loader {
    intel: Intel,
    org_ids: HashMap<Box<str>, u32>,
    class_v4: Vec<(u32, u32, u128)>,
    class_v6: Vec<(u128, u128, u128)>,
    /// ASN lists wait for all ASN sources: `(tag bit, ASNs)`.
    asn_lists: Vec<(Vec<u128>, HashSet<u32>)>,
}

impl Loader {
    fn tag(
        &mut self,
        class: NetClass,
        source: usize,
        label: Option<&str>,
    ) -> Result<u128, IntelError> {
        let label = label.map(str::to_string);
        if let Some(i) = self
            .intel
            .tags
            .iter()
            .position(|t| t.class == class && t.source == source && t.label == label)
        {
            return Ok(1u128 << i);
        }
        if self.intel.tags.len() >= MAX_TAGS {
            return Err(IntelError::TooManyTags { max: MAX_TAGS });
        }
        self.intel.tags.push(Tag {
            class,
            source,
            label,
        });
        Ok(1u128 << (self.intel.tags.len() - 1))
    }

    fn org_id(&mut self, org: Option<&str>) -> u32 {
        let Some(org) = org.map(str::trim).filter(|o| !o.is_empty()) else {
            return u32::MAX;
        };
        if let Some(&id) = self.org_ids.get(org) {
            return id;
        }
        let id = self.intel.orgs.len() as u32;
        self.intel.orgs.push(Box::from(org));
        self.org_ids.insert(Box::from(org), id);
        id
    }

    fn add_class_net(&mut self, net: ipnet::IpNet, tag: u128) {
        match net {
            ipnet::IpNet::V4(n) => {
                self.class_v4
                    .push((u32::from(n.network()), u32::from(n.broadcast()), tag))
            }
            ipnet::IpNet::V6(n) => {
                self.class_v6
                    .push((u128::from(n.network()), u128::from(n.broadcast()), tag))
            }
        }
    }

    fn add_class_builder<V: Copy>(
        &mut self,
        b: &IpRangeBuilder<V>,
        mut tag_of: impl FnMut(V) -> u128,
    ) {
        for &(s, e, v) in &b.v4 {
            let t = tag_of(v);
            if t != 0 {
                self.class_v4.push((s, e, t));
            }
        }
        for &(s, e, v) in &b.v6 {
            let t = tag_of(v);
            if t != 0 {
                self.class_v6.push((s, e, t));
            }
        }
    }

    /// Loads one configured source.
    ///
    /// `prepared` carries the result of [`prepare`] when it already ran on
    /// a worker thread.
    fn load_source(
        &mut self,
        idx: usize,
        src: &SourceConfig,
        base: &Path,
        prepared: Option<Result<Vec<mmdb::MmdbData>, IntelError>>,
    ) -> Result<Loaded, IntelError> {
        let paths = src.resolved_paths(base);
        if paths.is_empty() && src.kind != SourceKind::Builtin {
            return Err(IntelError::Config {
                path: base.to_path_buf(),
                message: format!("source '{}' has no path", src.name),
            });
        }
        let date = paths.first().and_then(|p| file_date(p));
        match src.kind {
            SourceKind::Builtin => {
                let entries = self.load_builtin(idx)?;
                Ok(Loaded {
                    format: "built-in sample CSV".into(),
                    entries,
                    date: None,
                    note: Some(BUILTIN_NOTE.into()),
                })
            }
            SourceKind::Mmdb => {
                let mut entries = 0;
                let mut formats = Vec::new();
                let mut date = date;
                for data in prepared.unwrap_or_else(|| prepare(src, base))? {
                    let mode = if data.direct.is_some() {
                        ", direct lookups"
                    } else {
                        ""
                    };
                    formats.push(format!(
                        "{} ({}{mode})",
                        data.database_type,
                        data.role.describe()
                    ));
                    if data.build_epoch > 0 {
                        date = Some(epoch_date(data.build_epoch));
                    }
                    entries += data.networks;
                    self.add_mmdb(idx, data)?;
                }
                Ok(Loaded {
                    format: formats.join("; "),
                    entries,
                    date,
                    note: None,
                })
            }
            SourceKind::AsnCsv => {
                let mut entries = 0;
                for data in prepared.unwrap_or_else(|| prepare(src, base))? {
                    entries += data.networks;
                    self.add_mmdb(idx, data)?;
                }
                Ok(Loaded {
                    format: "ASN CSV (start_ip,end_ip,asn,org)".into(),
                    entries,
                    date,
                    note: None,
                })
            }
            SourceKind::CidrList => {
                let classes = parse_classes(src, base)?;
                let mut default_tags = Vec::new();
                for &c in &classes {
                    default_tags.push(self.tag(c, idx, src.label.as_deref())?);
                }
                let custom = classes.contains(&NetClass::Custom);
                let mut entries = 0;
                for path in &paths {
                    let text = lists::read_text(path)?;
                    for (n, line) in lists::lines(&text) {
                        let Some(entry) = lists::parse_cidr_line(line) else {
                            return Err(IntelError::parse(
                                path,
                                n,
                                format!("expected a CIDR or IP address, got '{line}'"),
                            ));
                        };
                        // Per-line labels only make sense for custom lists; for
                        // a known class they are descriptive and ignored so that
                        // a large list does not exhaust the tag space.
                        match entry.label {
                            Some(l) if custom => {
                                let tag = self.tag(NetClass::Custom, idx, Some(l))?;
                                self.add_class_net(entry.net, tag);
                                // Any other configured classes still apply.
                                for (&c, &t) in classes.iter().zip(&default_tags) {
                                    if c != NetClass::Custom {
                                        self.add_class_net(entry.net, t);
                                    }
                                }
                            }
                            _ => {
                                for &t in &default_tags {
                                    self.add_class_net(entry.net, t);
                                }
                            }
                        }
                        entries += 1;
                    }
                }
                Ok(Loaded {
                    format: format!("CIDR list ({})", class_names(&classes)),
                    entries,
                    date,
                    note: None,
                })
            }
            SourceKind::AsnList => {
                let classes = parse_classes(src, base)?;
                let mut tags = Vec::new();
                for &c in &classes {
                    tags.push(self.tag(c, idx, src.label.as_deref())?);
                }
                let mut set = HashSet::new();
                for path in &paths {
                    let text = lists::read_text(path)?;
                    set.extend(
                        lists::parse_asn_list(path, &text)?
                            .into_iter()
                            .map(|(a, _)| a),
                    );
                }
                let entries = set.len();
                self.asn_lists.push((tags, set));
                Ok(Loaded {
                    format: format!("ASN list ({})", class_names(&classes)),
                    entries,
                    date,
                    note: None,
                })
            }
            SourceKind::DisposableEmail | SourceKind::FreeMail | SourceKind::EmailDomains => {
                let role = match src.kind {
                    SourceKind::DisposableEmail => EmailListRole::Disposable,
                    SourceKind::FreeMail => EmailListRole::FreeMail,
                    _ => EmailListRole::Custom,
                };
                let mut entries = 0;
                for path in &paths {
                    let text = lists::read_text(path)?;
                    for (_, line) in lists::lines(&text) {
                        let d = lists::normalize_domain(line);
                        if d.is_empty() {
                            continue;
                        }
                        self.intel
                            .email_lists
                            .entry(d)
                            .or_default()
                            .push(ListHit { source: idx, role });
                        entries += 1;
                    }
                }
                Ok(Loaded {
                    format: format!("e-mail domain list ({})", role.as_str()),
                    entries,
                    date,
                    note: None,
                })
            }
            SourceKind::SanctionsList => {
                let mut bytes = 0u64;
                for p in &paths {
                    bytes += std::fs::metadata(p)
                        .map_err(|e| IntelError::io(p, e))?
                        .len();
                }
                self.intel.sanctions_lists.extend(paths.iter().cloned());
                Ok(Loaded {
                    format: "sanctions list (loaded by screening)".into(),
                    entries: paths.len(),
                    date,
                    note: Some(format!("{} files, {} KiB", paths.len(), bytes / 1024)),
                })
            }
            SourceKind::SharedIndicators => {
                let (Some(list), Some(key)) = (paths.first(), src.key.as_ref()) else {
                    return Err(IntelError::Config {
                        path: base.to_path_buf(),
                        message: format!(
                            "source '{}' (shared_indicators) needs `path` (the list) and `key` (the shared key file)",
                            src.name
                        ),
                    });
                };
                let key = if key.is_absolute() {
                    key.clone()
                } else {
                    base.join(key)
                };
                let l = crate::shared::SharedList::load(&src.name, list, &key)?;
                let note = format!("shared by {} on {}", l.party, l.shared_at);
                let entries = l.len();
                self.intel.shared.push(std::sync::Arc::new(l));
                Ok(Loaded {
                    format: "shared indicators (keyed hashes)".into(),
                    entries,
                    date,
                    note: Some(note),
                })
            }
            SourceKind::CryptoAddresses => {
                let mut files = Vec::new();
                for path in &paths {
                    if path.is_dir() {
                        let rd = std::fs::read_dir(path).map_err(|e| IntelError::io(path, e))?;
                        let mut found: Vec<PathBuf> = rd
                            .filter_map(Result::ok)
                            .map(|e| e.path())
                            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                            .collect();
                        found.sort();
                        files.extend(found);
                    } else {
                        files.push(path.clone());
                    }
                }
                let mut entries = 0;
                for path in &files {
                    let asset = src.asset.clone().or_else(|| asset_from_file_name(path));
                    let text = lists::read_text(path)?;
                    for (_, line) in lists::lines(&text) {
                        let addr = line.split([',', ' ', '\t']).next().unwrap_or("");
                        if addr.is_empty() {
                            continue;
                        }
                        self.intel
                            .wallets
                            .entry(crypto::normalize_for_match(addr))
                            .or_default()
                            .push(WalletEntry {
                                source: idx,
                                asset: asset.clone(),
                            });
                        entries += 1;
                    }
                }
                Ok(Loaded {
                    format: format!("crypto address list ({} files)", files.len()),
                    entries,
                    date,
                    note: None,
                })
            }
        }
    }

    fn add_mmdb(&mut self, idx: usize, data: mmdb::MmdbData) -> Result<(), IntelError> {
        if let Some(direct) = data.direct {
            match direct.role {
                mmdb::Role::Asn => self.intel.asn_tables.push(AsnTable {
                    source: idx,
                    map: IpRangeMap::default(),
                    direct: Some(direct),
                }),
                _ => {
                    let mut t = GeoTable::new(idx, IpRangeMap::default());
                    t.direct = Some(direct);
                    self.intel.geo_tables.push(t);
                }
            }
            return Ok(());
        }
        if let Some((b, records)) = data.geo {
            let base = self.intel.geo_records.len() as u32;
            self.intel.geo_records.extend(records);
            let mut b = b;
            for r in b.v4.iter_mut() {
                r.2 += base;
            }
            for r in b.v6.iter_mut() {
                r.2 += base;
            }
            self.intel.geo_tables.push(GeoTable::new(idx, b.build()));
        }
        if let Some((mut b, records)) = data.asn {
            let base = self.intel.asn_entries.len() as u32;
            for (asn, org) in records {
                let org = self.org_id(org.as_deref());
                self.intel.asn_entries.push((asn, org));
            }
            for r in b.v4.iter_mut() {
                r.2 += base;
            }
            for r in b.v6.iter_mut() {
                r.2 += base;
            }
            self.intel.asn_tables.push(AsnTable {
                source: idx,
                map: b.build(),
                direct: None,
            });
        }
        if let Some((b, flags)) = data.anon {
            let vpn = self.tag(NetClass::Vpn, idx, None)?;
            let hosting = self.tag(NetClass::Hosting, idx, None)?;
            let tor = self.tag(NetClass::Tor, idx, None)?;
            let proxy = self.tag(NetClass::Proxy, idx, None)?;
            let residential = self.tag(NetClass::Proxy, idx, Some("residential proxy"))?;
            let mobile = self.tag(NetClass::Mobile, idx, None)?;
            let masks: Vec<u128> = flags
                .iter()
                .map(|f| {
                    let mut m = 0;
                    if f.vpn {
                        m |= vpn;
                    }
                    if f.hosting {
                        m |= hosting;
                    }
                    if f.tor {
                        m |= tor;
                    }
                    if f.public_proxy {
                        m |= proxy;
                    }
                    if f.residential_proxy {
                        m |= residential;
                    }
                    if f.mobile {
                        m |= mobile;
                    }
                    m
                })
                .collect();
            // The overlay needs one tag per range, so split multi-flag
            // records into one range per set bit.
            for t in [vpn, hosting, tor, proxy, residential, mobile] {
                self.add_class_builder(&b, |v| masks[v as usize] & t);
            }
        }
        Ok(())
    }

    fn load_builtin(&mut self, idx: usize) -> Result<usize, IntelError> {
        let path = Path::new("<builtin>/docs/builtin-intel-sample.csv");
        let mut geo: IpRangeBuilder<u32> = IpRangeBuilder::default();
        let mut asn: IpRangeBuilder<u32> = IpRangeBuilder::default();
        let mut count = 0;
        for (n, line) in lists::lines(BUILTIN_SAMPLE_CSV) {
            let mut head = line.splitn(9, ',');
            let mut f: Vec<&str> = (&mut head).take(8).collect();
            let tail = head.next().unwrap_or("");
            let (org, classes) = tail.rsplit_once(',').unwrap_or((tail, ""));
            f.push(org);
            f.push(classes);
            if f.len() != 10 {
                return Err(IntelError::parse(path, n, "expected 10 columns"));
            }
            let net: ipnet::IpNet = f[0]
                .parse()
                .map_err(|_| IntelError::parse(path, n, format!("bad CIDR '{}'", f[0])))?;
            let opt = |s: &str| (!s.trim().is_empty()).then(|| Box::<str>::from(s.trim()));
            let num = |s: &str| s.trim().parse::<f64>().ok();
            let rec = GeoRecord::new(
                opt(f[1]),
                opt(f[2]),
                opt(f[3]),
                num(f[4]),
                num(f[5]),
                num(f[6]),
            );
            self.intel.geo_records.push(rec);
            geo.push_net(net, (self.intel.geo_records.len() - 1) as u32);
            if let Ok(a) = f[7].trim().parse::<u32>() {
                let org = self.org_id(Some(f[8]));
                self.intel.asn_entries.push((a, org));
                asn.push_net(net, (self.intel.asn_entries.len() - 1) as u32);
            }
            for c in f[9].split('|').filter(|c| !c.trim().is_empty()) {
                let class = NetClass::parse(c)
                    .ok_or_else(|| IntelError::parse(path, n, format!("unknown class '{c}'")))?;
                let tag = self.tag(class, idx, None)?;
                self.add_class_net(net, tag);
            }
            count += 1;
        }
        self.intel.geo_tables.push(GeoTable::new(idx, geo.build()));
        self.intel.asn_tables.push(AsnTable {
            source: idx,
            map: asn.build(),
            direct: None,
        });
        Ok(count)
    }

    /// Projects ASN lists onto ASN ranges and builds the classification
    /// overlay.
    fn finish(mut self) -> Intel {
        let lists = std::mem::take(&mut self.asn_lists);
        for (tags, set) in &lists {
            for table in &self.intel.asn_tables {
                for (s, e, v) in table.map.v4.iter() {
                    if set.contains(&self.intel.asn_entries[v as usize].0) {
                        self.class_v4.extend(tags.iter().map(|&t| (s, e, t)));
                    }
                }
                for (s, e, v) in table.map.v6.iter() {
                    if set.contains(&self.intel.asn_entries[v as usize].0) {
                        self.class_v6.extend(tags.iter().map(|&t| (s, e, t)));
                    }
                }
            }
        }
        let v4 = overlay(std::mem::take(&mut self.class_v4));
        let v6 = overlay(std::mem::take(&mut self.class_v6));
        // Replace each distinct tag mask with a small index into a table of
        // precomputed class sets, so lookups return a ready `ClassSet`.
        let mut set_ids: HashMap<u128, u32> = HashMap::new();
        let tags = &self.intel.tags;
        let mut sets: Vec<ClassSet> = Vec::new();
        let mut id_of = |mask: u128| -> u32 {
            *set_ids.entry(mask).or_insert_with(|| {
                let mut classes = 0u16;
                for (i, t) in tags.iter().enumerate() {
                    if mask & (1u128 << i) != 0 {
                        classes |= t.class.bit();
                    }
                }
                sets.push(ClassSet {
                    classes,
                    tags: mask,
                });
                (sets.len() - 1) as u32
            })
        };
        let v4: Vec<(u32, u32, u32)> = v4.iter().map(|(s, e, m)| (s, e, id_of(m))).collect();
        let v6: Vec<(u128, u128, u32)> = v6.iter().map(|(s, e, m)| (s, e, id_of(m))).collect();
        self.intel.class_sets = sets;
        self.intel.class_map = IpRangeMap {
            v4: crate::ranges::RangeMap::build(v4),
            v6: crate::ranges::RangeMap::build(v6),
        };
        self.intel
    }
}

/// Whether a source kind is expensive enough to parse on a worker thread.
fn is_heavy(kind: SourceKind) -> bool {
    matches!(kind, SourceKind::Mmdb | SourceKind::AsnCsv)
}

/// The expensive, self-contained part of loading an MMDB or ASN CSV
/// source: reading, decompressing, parsing and flattening into ranges. It
/// touches no shared state, so several sources can prepare in parallel.
fn prepare(src: &SourceConfig, base: &Path) -> Result<Vec<mmdb::MmdbData>, IntelError> {
    let paths = src.resolved_paths(base);
    match src.kind {
        SourceKind::Mmdb if src.mmdb_mode == MmdbMode::Direct => paths
            .iter()
            .map(|p| mmdb::open_direct(p, src.mmdb_role))
            .collect(),
        SourceKind::Mmdb => paths.iter().map(|p| mmdb::load(p, src.mmdb_role)).collect(),
        SourceKind::AsnCsv => {
            let mut b: IpRangeBuilder<u32> = IpRangeBuilder::default();
            let mut records: Vec<(u32, Option<Box<str>>)> = Vec::new();
            let mut rows = 0;
            for path in &paths {
                let text = lists::read_text(path)?;
                for (n, line) in lists::lines(&text) {
                    let Some((s, e, asn, org)) = lists::parse_asn_csv_line(line) else {
                        return Err(IntelError::parse(
                            path,
                            n,
                            format!("expected 'start_ip,end_ip,asn,org', got '{line}'"),
                        ));
                    };
                    // Consecutive rows usually share an ASN and org, so reuse
                    // the last record to keep adjacent ranges mergeable.
                    let same = records
                        .last()
                        .is_some_and(|(a, o)| *a == asn && o.as_deref().unwrap_or("") == org);
                    if !same {
                        let org = (!org.is_empty()).then(|| Box::from(org));
                        records.push((asn, org));
                    }
                    let rec = (records.len() - 1) as u32;
                    if !b.push_range(s, e, rec) {
                        return Err(IntelError::parse(
                            path,
                            n,
                            "start and end IP families differ",
                        ));
                    }
                    rows += 1;
                }
            }
            Ok(vec![mmdb::MmdbData {
                role: mmdb::Role::Asn,
                database_type: "ASN CSV".into(),
                build_epoch: 0,
                networks: rows,
                geo: None,
                asn: Some((b, records)),
                anon: None,
                direct: None,
            }])
        }
        _ => Ok(Vec::new()),
    }
}

/// Runs [`prepare`] for every heavy source on up to `available_parallelism`
/// threads, returning results by source index (with the time each took).
#[allow(clippy::type_complexity)]
fn prepare_all(
    config: &IntelConfig,
    base: &Path,
) -> Vec<Option<(Result<Vec<mmdb::MmdbData>, IntelError>, f64)>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let heavy: Vec<usize> = (0..config.sources.len())
        .filter(|&i| is_heavy(config.sources[i].kind))
        .collect();
    let results: Mutex<Vec<Option<(Result<Vec<mmdb::MmdbData>, IntelError>, f64)>>> =
        Mutex::new((0..config.sources.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(heavy.len())
        .min(4);
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = heavy.get(k) else { break };
            let started = Instant::now();
            let r = prepare(&config.sources[i], base);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if let Ok(mut guard) = results.lock() {
                guard[i] = Some((r, ms));
            }
        }
    };
    if workers <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    }
    results.into_inner().unwrap_or_default()
}

const BUILTIN_NOTE: &str = "small built-in sample of approximate ranges for demos and offline use; \
     load real sources with an intel configuration (see docs/intel.md)";

/// The classes of a `cidr_list` or `asn_list` source: `class` and/or
/// `classes`, `custom` when neither is given.
fn parse_classes(src: &SourceConfig, base: &Path) -> Result<Vec<NetClass>, IntelError> {
    let mut out = Vec::new();
    for text in src.class.iter().chain(src.classes.iter()) {
        let c = NetClass::parse(text).ok_or_else(|| IntelError::Config {
            path: base.to_path_buf(),
            message: format!(
                "source '{}': unknown class '{text}' (expected vpn, hosting, tor, proxy, relay, mobile, corporate or custom)",
                src.name
            ),
        })?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push(NetClass::Custom);
    }
    Ok(out)
}

fn class_names(classes: &[NetClass]) -> String {
    classes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sanctioned_addresses_ETH.txt` → `ETH`.
fn asset_from_file_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let (_, asset) = stem.rsplit_once('_')?;
    (!asset.is_empty() && asset.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| asset.to_ascii_uppercase())
}

/// A file's modification date as `YYYY-MM-DD` (UTC).
fn file_date(path: &Path) -> Option<String> {
    let mtime = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = mtime.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(epoch_date(secs))
}

/// Formats Unix seconds as a civil UTC date (proleptic Gregorian), using
/// Howard Hinnant's days-to-civil algorithm to avoid a date dependency.
pub(crate) fn epoch_date(secs: u64) -> String {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

impl Intel {
    /// The offline built-in sample: a few dozen approximate ranges (DPRK,
    /// PRC border provinces, common VPN/hosting/Tor/relay networks...) so
    /// that demos work without downloaded data. Its status says so.
    pub fn builtin() -> Intel {
        let config = IntelConfig {
            sources: vec![SourceConfig {
                name: BUILTIN_SOURCE_NAME.into(),
                kind: SourceKind::Builtin,
                path: None,
                paths: Vec::new(),
                class: None,
                classes: Vec::new(),
                label: None,
                asset: None,
                attribution: None,
                optional: false,
                mmdb_mode: MmdbMode::default(),
                mmdb_role: None,
                key: None,
            }],
        };
        match Intel::load(&config, Path::new(".")) {
            Ok(intel) => intel,
            // The embedded table is checked by the test suite, so this arm
            // is unreachable in a released build; degrade to empty intel
            // rather than panic.
            Err(e) => {
                tracing::error!(error = %e, "built-in intel sample failed to load");
                Intel::default()
            }
        }
    }

    /// Loads every source listed in a TOML configuration file. Relative
    /// paths are resolved against the file's directory.
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Intel, IntelError> {
        let path = path.as_ref();
        let config = IntelConfig::from_file(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        Intel::load(&config, base)
    }

    /// Loads configuration text; relative paths resolve against `base`.
    pub fn from_config_str(text: &str, base: &Path) -> Result<Intel, IntelError> {
        let config = IntelConfig::parse(text, &base.join("<config>"))?;
        Intel::load(&config, base)
    }

    /// Loads all sources of a parsed configuration, in order.
    ///
    /// A source that fails stops the load with [`IntelError::Source`],
    /// unless it is marked `optional`, in which case its status carries
    /// the error and the other sources still load.
    pub fn load(config: &IntelConfig, base: &Path) -> Result<Intel, IntelError> {
        let mut loader = Loader::default();
        let mut prepared = prepare_all(config, base);
        for (idx, src) in config.sources.iter().enumerate() {
            let started = Instant::now();
            let (pre, pre_ms) = match prepared.get_mut(idx).and_then(Option::take) {
                Some((r, ms)) => (Some(r), ms),
                None => (None, 0.0),
            };
            let result = loader.load_source(idx, src, base, pre);
            // Load time is the worker's parse time plus the merge here.
            let load_ms = pre_ms + started.elapsed().as_secs_f64() * 1000.0;
            let paths = src
                .resolved_paths(base)
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let mut status = SourceStatus {
                name: src.name.clone(),
                kind: src.kind.as_str().into(),
                format: String::new(),
                paths,
                date: None,
                entries: 0,
                load_ms,
                attribution: src.attribution.clone(),
                note: None,
                error: None,
            };
            match result {
                Ok(l) => {
                    tracing::debug!(source = %src.name, entries = l.entries, load_ms, "intel source loaded");
                    status.format = l.format;
                    status.entries = l.entries;
                    status.date = l.date;
                    status.note = l.note;
                }
                Err(e) if src.optional => {
                    tracing::warn!(source = %src.name, error = %e, "optional intel source failed to load");
                    status.error = Some(e.to_string());
                }
                Err(e) => {
                    return Err(IntelError::Source {
                        name: src.name.clone(),
                        source: Box::new(e),
                    });
                }
            }
            loader.intel.status.push(status);
        }
        let started = Instant::now();
        let intel = loader.finish();
        tracing::debug!(
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "intel classification overlay built"
        );
        Ok(intel)
    }

    /// How each configured source loaded, in configuration order.
    pub fn status(&self) -> &[SourceStatus] {
        &self.status
    }

    /// Whether this is only the built-in sample (no real data loaded).
    pub fn is_builtin_sample(&self) -> bool {
        self.status.len() == 1 && self.status[0].kind == SourceKind::Builtin.as_str()
    }

    /// The attribution strings that the loaded data's licences require
    /// (e.g. `IP geolocation by DB-IP (https://db-ip.com)`), deduplicated,
    /// in configuration order. Reports that show looked-up data must show
    /// these credits.
    pub fn attributions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.status {
            if s.error.is_some() {
                continue;
            }
            if let Some(a) = &s.attribution
                && !out.contains(a)
            {
                out.push(a.clone());
            }
        }
        out
    }

    /// The attributions for the sources named in `sources` (e.g.
    /// [`IpInfo::sources`]), for crediting only the data actually used.
    pub fn attributions_for<'a>(&self, sources: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let wanted: HashSet<&str> = sources.into_iter().collect();
        let mut out: Vec<String> = Vec::new();
        for s in &self.status {
            if wanted.contains(s.name.as_str())
                && let Some(a) = &s.attribution
                && !out.contains(a)
            {
                out.push(a.clone());
            }
        }
        out
    }

    /// The indicator lists other organisations shared (`shared_indicators` sources).
    pub fn shared_lists(&self) -> &[std::sync::Arc<crate::shared::SharedList>] {
        &self.shared
    }

    /// The files of every `sanctions_list` source, in configuration order.
    pub fn sanctions_lists(&self) -> &[PathBuf] {
        &self.sanctions_lists
    }

    /// The configured name of source `idx`.
    pub fn source_name(&self, idx: usize) -> &str {
        self.status.get(idx).map_or("unknown", |s| s.name.as_str())
    }

    /// Network classification only: one binary search, no allocation.
    #[inline]
    pub fn classify_ip(&self, ip: IpAddr) -> ClassSet {
        match self.class_map.get(ip) {
            Some(i) => self.class_sets[i as usize],
            None => ClassSet::default(),
        }
    }

    /// What classification tag `i` of a [`ClassSet`] means: its class, the
    /// index of the source that reported it (see [`Intel::source_name`])
    /// and its label. Allocation-free, for hot loops that need the source.
    pub fn tag(&self, i: usize) -> Option<(NetClass, usize, Option<&str>)> {
        self.tags
            .get(i)
            .map(|t| (t.class, t.source, t.label.as_deref()))
    }

    /// Turns a [`ClassSet`] into named hits (class, source, label).
    pub fn class_hits(&self, set: &ClassSet) -> Vec<NetClassHit> {
        set.tag_indices()
            .filter_map(|i| self.tags.get(i))
            .map(|t| NetClassHit {
                class: t.class,
                source: self.source_name(t.source).to_string(),
                label: t.label.clone(),
            })
            .collect()
    }

    /// Geolocation only, borrowing strings from the loaded data. The first
    /// configured geolocation source that covers the address answers.
    #[inline]
    pub fn geo_ip(&self, ip: IpAddr) -> Option<Geo<'_>> {
        for t in &self.geo_tables {
            if let Some(d) = &t.direct {
                if let Some(g) = d.geo(ip) {
                    return Some(Geo {
                        country: g.country,
                        region: g.region,
                        city: g.city,
                        latitude: g.latitude,
                        longitude: g.longitude,
                        accuracy_km: g.accuracy_km,
                        source: t.source,
                    });
                }
                continue;
            }
            if let Some(i) = t.get(ip) {
                let r = &self.geo_records[i as usize];
                return Some(Geo {
                    country: r.country.as_deref(),
                    region: r.region.as_deref(),
                    city: r.city.as_deref(),
                    latitude: r.latitude(),
                    longitude: r.longitude(),
                    accuracy_km: r.accuracy_km(),
                    source: t.source,
                });
            }
        }
        None
    }

    /// ASN and organisation: `(asn, org, source index)`.
    pub fn asn_ip(&self, ip: IpAddr) -> Option<(u32, Option<&str>, usize)> {
        for t in &self.asn_tables {
            if let Some(d) = &t.direct {
                if let Some((asn, org)) = d.asn(ip) {
                    return Some((asn, org, t.source));
                }
                continue;
            }
            if let Some(i) = t.map.get(ip) {
                let (asn, org) = self.asn_entries[i as usize];
                let org = self.orgs.get(org as usize).map(|o| &**o);
                return Some((asn, org, t.source));
            }
        }
        None
    }

    /// Everything known about an address.
    pub fn lookup_ip(&self, ip: IpAddr) -> IpInfo {
        let mut info = IpInfo {
            ip,
            ..IpInfo::default()
        };
        let mut sources: Vec<String> = Vec::new();
        if let Some(g) = self.geo_ip(ip) {
            info.country = g.country.map(str::to_string);
            info.region = g.region.map(str::to_string);
            info.city = g.city.map(str::to_string);
            info.latitude = g.latitude;
            info.longitude = g.longitude;
            info.accuracy_km = g.accuracy_km;
            sources.push(self.source_name(g.source).to_string());
        }
        if let Some((asn, org, src)) = self.asn_ip(ip) {
            info.asn = Some(asn);
            info.org = org.map(str::to_string);
            let name = self.source_name(src);
            if !sources.iter().any(|s| s == name) {
                sources.push(name.to_string());
            }
        }
        info.classes = self.class_hits(&self.classify_ip(ip));
        // Corporate secure-access egress, by the announcing ASN (see `sase`).
        if let Some(provider) = info.asn.and_then(crate::sase::provider)
            && !info.has_class(NetClass::Corporate)
        {
            info.classes.push(NetClassHit {
                class: NetClass::Corporate,
                source: crate::sase::SOURCE.to_string(),
                label: Some(provider.to_string()),
            });
        }
        // A handful of names at most, so a linear check beats hashing.
        for h in &info.classes {
            if !sources.contains(&h.source) {
                sources.push(h.source.clone());
            }
        }
        info.sources = sources;
        info
    }

    /// Checks an e-mail address: syntax, domain, disposable and free-mail
    /// providers, and any custom domain lists.
    pub fn email(&self, addr: &str) -> EmailInfo {
        email::check(addr, |domain| {
            self.email_lists.get(domain).map(|hits| {
                hits.iter()
                    .map(|h| (h.role, self.source_name(h.source).to_string()))
                    .collect()
            })
        })
    }

    /// Detects the chain of a wallet address, validates its checksum and
    /// matches it against the loaded address lists (e.g. OFAC).
    pub fn wallet(&self, address: &str, chain_hint: Option<&str>) -> WalletInfo {
        let mut info = crypto::analyze(address, chain_hint);
        if let Some(entries) = self
            .wallets
            .get(&crypto::normalize_for_match(address.trim()))
        {
            info.sanctioned = entries
                .iter()
                .map(|e| crypto::WalletHit {
                    source: self.source_name(e.source).to_string(),
                    asset: e.asset.clone(),
                })
                .collect();
        }
        info
    }

    /// Sizes of the geolocation tables, for benchmarks and diagnostics.
    pub fn geo_stats(&self) -> String {
        let ranges: usize = self.geo_tables.iter().map(|t| t.map.len()).sum();
        format!(
            "{} tables, {ranges} ranges, {} distinct records",
            self.geo_tables.len(),
            self.geo_records.len()
        )
    }

    /// The number of loaded classification ranges (after merging).
    pub fn class_range_count(&self) -> usize {
        self.class_map.len()
    }
}

/// `Intel` is shared across threads by the rest of Kensa; keep it so.
const _: () = {
    const fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Intel>();
};
