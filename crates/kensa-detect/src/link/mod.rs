//! Link analysis: an identifier graph over subjects (issue 6).
//!
//! DPRK IT workers operate in teams: several accounts behind one operator, one payout account
//! or wallet for many workers, fake reviewers rating each other, company laptops for many
//! "employees" at one home. Name screening misses this because the identities are stolen; the
//! *links* between accounts give them away. This module finds those links once, for every
//! detector and for the report.
//!
//! # What is an identifier
//!
//! Every subject contributes *identifier occurrences* ([`IdKind`], normalised value):
//!
//! | kind | from | normalisation | base weight |
//! |---|---|---|---|
//! | `device` | `login.device_id`, `endpoint.device_id` | trimmed | `strong_weight` |
//! | `email` | profile `emails` | trimmed, lowercase | `strong_weight` |
//! | `phone` | profile `phones` | digits only, at least `min_phone_digits` | `strong_weight` |
//! | `payout` | `payout_account`, `payout` | IBAN, else bank account number + bank, else wallet address (lowercase for `0x`), else `account_id` (e.g. `paypal:<email>`) | `strong_weight` |
//! | `document` | `identity_document.number` | upper-case alphanumerics, at least 6 (issuing country ignored) | `strong_weight` |
//! | `photo` | profile `photo_sha256`, document `image_sha256` | lowercase | `strong_weight` |
//! | `resume_text` | profile `bio`, `employment[].description` | lowercase words, hashed; texts shorter than `min_text_chars` ignored | `text_weight` |
//! | `address` | profile, identity-document and shipment (`address`, `redirect_address`) addresses | lowercase, no punctuation, spaces collapsed; street + postal code (or city) + country | `address_weight` |
//! | `ip` | successful logins, activity, access (source), `review.reviewer_id`'s `reviewer_ip` | canonical text form | by network class (below) |
//!
//! # Why big NATs, payment processors and offices do not glue everyone together
//!
//! Three mechanisms keep legitimate sharing out of the clusters:
//!
//! 1. **Class weights for IP addresses.** An address the intel sources classify as `mobile`
//!    (carrier-grade NAT), `corporate` (Zscaler-style egress) or `relay` (iCloud Private Relay)
//!    weighs `ip_shared_weight` (0 by default): fifty strangers behind one T-Mobile address get
//!    no edge at all. VPN/Tor/proxy exits are shared by design (`ip_anonymizer_weight`, tiny);
//!    hosting (a VPS is usually one customer's) is medium; a residential line is high; an
//!    address with no intel is low (unknown is weak evidence).
//! 2. **Rarity.** Location identifiers (`ip`, `address`) and résumé texts (bio templates are
//!    copied widely) are weighted by `min(1, 2 / n)` where `n` is the number of subjects using
//!    the value: a pair sharing a home line is a strong hint, ten accounts behind one office
//!    line much less so *per pair*.
//! 3. **Hubs.** A value shared by more than `max_hub_subjects` subjects (a payment processor's
//!    pooled account, a shared office address, a default device id some SDK reports) is not an
//!    identifier of a person at all: it is ignored and reported in [`GraphStats`].
//!
//! And one domain rule: a payout account shared by several subjects whose beneficiary is the
//! employer each of them names in their profiles (an agency paying its staff's invoices into
//! its business account) weighs only `payroll_factor` of a normal payout link and counts as a
//! weak identifier.
//!
//! Edges between two subjects carry the sum of the weights of the identifiers they share;
//! clusters are the connected components (union-find) of the edges weighing at least
//! `min_edge_weight`. So an agency (five staff behind one office IP, each with their own
//! device and bank) has edges of `0.6 × 2/5 = 0.24` — below the default `min_edge_weight` of
//! 0.5 — and forms no cluster; a shared device or bank account alone (1.0) does.
//!
//! Everything is sorted: the same data set and parameters give the same graph.

pub mod diff;
pub mod export;
mod graph;
pub mod index;

pub use graph::{Delta, LinkGraph};

use crate::Dataset;
use kensa_model::intel::NetClass;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;

/// Parameters of the identifier graph (a `graph` table inside each link detector's section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphParams {
    /// A value shared by more subjects than this is a hub (NAT, processor, SDK default) and is
    /// ignored.
    pub max_hub_subjects: usize,
    /// Edges lighter than this do not join clusters.
    pub min_edge_weight: f64,
    /// Weight of device, e-mail, phone, payout, document-number and photo-hash identifiers.
    pub strong_weight: f64,
    /// Weight of an identical résumé text (bio or employment description).
    pub text_weight: f64,
    /// Résumé texts shorter than this (after normalisation) are ignored: "Backend developer".
    pub min_text_chars: usize,
    /// Phone numbers with fewer digits than this are ignored.
    pub min_phone_digits: usize,
    /// Weight of a shared postal address (before rarity).
    pub address_weight: f64,
    /// Weight of a shared residential IP address (known, no class that explains sharing).
    pub ip_residential_weight: f64,
    /// Weight of a shared hosting/VPS address.
    pub ip_hosting_weight: f64,
    /// Weight of a shared address the intel sources do not know.
    pub ip_unknown_weight: f64,
    /// Weight of a shared VPN, Tor or proxy exit.
    pub ip_anonymizer_weight: f64,
    /// Weight of a shared mobile (CGNAT), corporate-egress or privacy-relay address.
    pub ip_shared_weight: f64,
    /// Factor on a payout link when the beneficiary is every sharer's declared employer.
    pub payroll_factor: f64,
}

impl Default for GraphParams {
    fn default() -> Self {
        GraphParams {
            max_hub_subjects: 25,
            min_edge_weight: 0.5,
            strong_weight: 1.0,
            text_weight: 0.6,
            min_text_chars: 80,
            min_phone_digits: 7,
            address_weight: 0.5,
            ip_residential_weight: 0.6,
            ip_hosting_weight: 0.3,
            ip_unknown_weight: 0.25,
            ip_anonymizer_weight: 0.05,
            ip_shared_weight: 0.0,
            payroll_factor: 0.2,
        }
    }
}

/// A kind of identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Device,
    Email,
    Phone,
    Payout,
    Document,
    Photo,
    ResumeText,
    Address,
    Ip,
}

impl IdKind {
    /// Every kind, in discriminant order.
    pub const ALL: [IdKind; 9] = [
        IdKind::Device,
        IdKind::Email,
        IdKind::Phone,
        IdKind::Payout,
        IdKind::Document,
        IdKind::Photo,
        IdKind::ResumeText,
        IdKind::Address,
        IdKind::Ip,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Device => "device",
            IdKind::Email => "email",
            IdKind::Phone => "phone",
            IdKind::Payout => "payout",
            IdKind::Document => "document",
            IdKind::Photo => "photo",
            IdKind::ResumeText => "resume_text",
            IdKind::Address => "address",
            IdKind::Ip => "ip",
        }
    }

    /// Japanese label for explanations.
    pub fn ja(self) -> &'static str {
        match self {
            IdKind::Device => "端末ID",
            IdKind::Email => "メールアドレス",
            IdKind::Phone => "電話番号",
            IdKind::Payout => "受取口座",
            IdKind::Document => "身分証番号",
            IdKind::Photo => "写真ハッシュ",
            IdKind::ResumeText => "経歴文",
            IdKind::Address => "住所",
            IdKind::Ip => "IPアドレス",
        }
    }

    /// Identifiers that name one person or one person's property: sharing one is a strong
    /// link on its own. IP and postal addresses are places many people can share.
    pub fn is_strong(self) -> bool {
        !matches!(self, IdKind::Address | IdKind::Ip)
    }

    /// Identifiers many unrelated people can legitimately share get the rarity factor: places,
    /// and résumé texts (bio templates are copied widely).
    fn is_location(self) -> bool {
        matches!(self, IdKind::Address | IdKind::Ip | IdKind::ResumeText)
    }
}

/// The network class of a shared IP identifier, as the weighting saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpClass {
    /// Not an IP identifier.
    NotIp,
    Residential,
    Hosting,
    Unknown,
    Anonymizer,
    /// Mobile, corporate or relay: shared by design.
    SharedByDesign,
}

/// An identifier value shared by 2..=`max_hub_subjects` subjects.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedIdent {
    pub kind: IdKind,
    /// The normalised value (PII: mask it with [`mask`] before showing it).
    pub value: String,
    /// Subject indices (into `Dataset::subjects`), sorted.
    pub subjects: Vec<u32>,
    /// Effective weight: base × class × rarity (× payroll factor).
    pub weight: f64,
    /// Whether the weight counts as strong (a strong kind, not discounted as payroll).
    pub strong: bool,
    pub ip_class: IpClass,
    /// A payout account whose beneficiary is the declared employer of everyone sharing it.
    pub payroll: bool,
}

/// An edge between two subjects: the identifiers they share.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub weight: f64,
    /// Indices into [`Part::idents`].
    pub idents: Vec<u32>,
}

impl Edge {
    pub fn other(&self, s: u32) -> u32 {
        if self.a == s { self.b } else { self.a }
    }
}

/// A connected component of edges weighing at least `min_edge_weight`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Subject indices, sorted.
    pub members: Vec<u32>,
    /// Indices into [`Part::edges`] of the edges that explain the cluster.
    pub edges: Vec<u32>,
}

/// Counts and the hubs that were ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GraphStats {
    pub subjects: usize,
    pub occurrences: usize,
    pub distinct_values: usize,
    pub shared_values: usize,
    pub hub_values: usize,
    /// The largest hubs: (kind, masked value, subjects), at most 20, largest first.
    pub top_hubs: Vec<(String, String, usize)>,
    pub edges: usize,
    pub clusters: usize,
}

/// One connected part of the identifier graph: subjects joined by edges of any weight, with
/// every identifier they share, their edges and their clusters. A [`LinkGraph`] is made of
/// parts; nothing a finding shows reaches beyond its subject's part, so a batch re-assembles
/// only the parts its changed identifiers touch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    /// The part's subjects' ids by index, in subject-id order.
    pub names: Vec<String>,
    pub idents: Vec<SharedIdent>,
    /// Sorted by (a, b), a < b.
    pub edges: Vec<Edge>,
    clusters: Vec<Cluster>,
    /// Per subject: indices of its edges (CSR).
    adj_off: Vec<u32>,
    adj: Vec<u32>,
    cluster_of: Vec<u32>,
    index: HashMap<String, u32>,
}

impl Part {
    /// Clusters of at least two subjects, ordered by their smallest member.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    pub fn index_of(&self, subject: &str) -> Option<u32> {
        self.index.get(subject).copied()
    }

    /// The cluster a subject belongs to, if any.
    pub fn cluster_of(&self, s: u32) -> Option<&Cluster> {
        match self.cluster_of.get(s as usize) {
            Some(&c) if c != u32::MAX => Some(&self.clusters[c as usize]),
            _ => None,
        }
    }

    /// Every edge of a subject (any weight > 0), ordered by the other subject.
    pub fn edges_of_index(&self, s: u32) -> impl Iterator<Item = &Edge> {
        let (lo, hi) = match (
            self.adj_off.get(s as usize),
            self.adj_off.get(s as usize + 1),
        ) {
            (Some(&lo), Some(&hi)) => (lo as usize, hi as usize),
            _ => (0, 0),
        };
        self.adj[lo..hi].iter().map(|&e| &self.edges[e as usize])
    }

    /// Every edge of a subject by id.
    pub fn edges_of(&self, subject: &str) -> Vec<&Edge> {
        match self.index_of(subject) {
            Some(s) => self.edges_of_index(s).collect(),
            None => Vec::new(),
        }
    }

    /// The subjects linked to `subject` with the weight of the link, heaviest first.
    pub fn neighbours(&self, subject: &str) -> Vec<(&str, f64)> {
        let Some(s) = self.index_of(subject) else {
            return Vec::new();
        };
        let mut v: Vec<(&str, f64)> = self
            .edges_of_index(s)
            .map(|e| (self.names[e.other(s) as usize].as_str(), e.weight))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// The edge between two subjects, if they share anything.
    pub fn edge_between(&self, a: u32, b: u32) -> Option<&Edge> {
        self.edges_of_index(a).find(|e| e.other(a) == b)
    }
}

// Normalisation lives in `crate::normalize` (shared with the detectors).
use crate::normalize::company;
pub use crate::normalize::{
    doc_key, fnv64, normalize_address, normalize_email, normalize_phone, normalize_wallet,
    payout_key, text_fingerprint,
};

/// Masks an identifier value for evidence: enough to recognise, not enough to misuse.
pub fn mask(kind: IdKind, value: &str) -> String {
    fn tail(s: &str, n: usize) -> String {
        let c: Vec<char> = s.chars().collect();
        let k = c.len().saturating_sub(n);
        format!("***{}", c[k..].iter().collect::<String>())
    }
    fn email(s: &str) -> String {
        match s.split_once('@') {
            Some((u, d)) => format!("{}***@{d}", u.chars().next().unwrap_or('*')),
            None => tail(s, 3),
        }
    }
    match kind {
        IdKind::Email => email(value),
        IdKind::Phone => tail(value, 4),
        IdKind::Document => tail(value, 3),
        IdKind::Photo => format!("sha256:{}…", value.chars().take(12).collect::<String>()),
        IdKind::Payout => match value.split_once(':') {
            Some(("wallet", a)) => {
                let c: Vec<char> = a.chars().collect();
                if c.len() > 12 {
                    format!(
                        "wallet:{}…{}",
                        c[..6].iter().collect::<String>(),
                        c[c.len() - 4..].iter().collect::<String>()
                    )
                } else {
                    format!("wallet:{a}")
                }
            }
            Some((p, rest)) if rest.contains('@') => format!("{p}:{}", email(rest)),
            Some(("iban", n)) => format!("iban:{}", tail(n, 4)),
            Some(("acct", rest)) => match rest.rsplit_once(':') {
                Some((bank, n)) => format!("acct:{bank}:{}", tail(n, 4)),
                None => tail(rest, 4),
            },
            _ => tail(value, 4),
        },
        IdKind::Address => {
            // House numbers are masked; street name, postal code and country stay.
            let mut parts = value.split('|');
            let street: Vec<String> = parts
                .next()
                .unwrap_or("")
                .split(' ')
                .map(|w| {
                    if w.chars().any(|c| c.is_ascii_digit()) {
                        "#".to_owned()
                    } else {
                        w.to_owned()
                    }
                })
                .collect();
            let rest: Vec<&str> = parts.collect();
            format!("{}, {}", street.join(" "), rest.join(", "))
        }
        IdKind::Device | IdKind::Ip | IdKind::ResumeText => value.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Building.

/// One identifier occurrence, before interning.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub subject: u32,
    pub kind: IdKind,
    pub value: String,
    /// For payout occurrences: the beneficiary is an employer the subject declares.
    pub payroll: bool,
}

/// A hasher for keys that are already good 64-bit hashes: passes them through.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64 ^ (n >> 64) as u64;
    }
}

type U64Map<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;

/// FNV-1a over the kind and the value, finished with the SplitMix64 mixer so that every bit
/// of the result is usable by the hash table.
fn key_hash(kind: IdKind, value: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (kind as u64);
    for b in value.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// Interns identifier values and collects (value, subject) pairs: the graph layer, usable
/// without a [`Dataset`] (the benchmark feeds it directly).
///
/// Values live in one string arena; the table maps a 64-bit hash of (kind, value) to the
/// value's id and every hit is compared with the arena, so that a hash collision never merges
/// two values (colliding values go to a small exact table).
pub struct GraphBuilder {
    table: U64Map<u32>,
    collisions: HashMap<(IdKind, Box<str>), u32>,
    arena: String,
    /// Per interned value: (start in the arena, length, kind).
    spans: Vec<(u64, u32, IdKind)>,
    /// Per interned value: all occurrences were payroll.
    payroll: Vec<bool>,
    pairs: Vec<(u32, u32)>,
    n_subjects: usize,
}

impl GraphBuilder {
    pub fn new(n_subjects: usize) -> Self {
        Self::with_capacity(n_subjects, 0)
    }

    pub fn with_capacity(n_subjects: usize, occurrences: usize) -> Self {
        GraphBuilder {
            n_subjects,
            table: U64Map::with_capacity_and_hasher(occurrences / 2, Default::default()),
            collisions: HashMap::new(),
            arena: String::with_capacity(occurrences * 8),
            spans: Vec::with_capacity(occurrences / 2),
            pairs: Vec::with_capacity(occurrences),
            payroll: Vec::with_capacity(occurrences / 2),
        }
    }

    fn value(&self, id: u32) -> (IdKind, &str) {
        let (start, len, kind) = self.spans[id as usize];
        (
            kind,
            &self.arena[start as usize..start as usize + len as usize],
        )
    }

    fn push_value(&mut self, kind: IdKind, value: &str) -> u32 {
        let id = self.spans.len() as u32;
        self.spans
            .push((self.arena.len() as u64, value.len() as u32, kind));
        self.arena.push_str(value);
        self.payroll.push(true);
        id
    }

    /// Adds one occurrence.
    pub fn add(&mut self, subject: u32, kind: IdKind, value: &str, payroll: bool) {
        let h = key_hash(kind, value);
        let id = match self.table.get(&h).copied() {
            Some(i) if self.value(i) == (kind, value) => i,
            Some(_) => match self.collisions.get(&(kind, Box::from(value))).copied() {
                Some(i) => i,
                None => {
                    let i = self.push_value(kind, value);
                    self.collisions.insert((kind, value.into()), i);
                    i
                }
            },
            None => {
                let i = self.push_value(kind, value);
                self.table.insert(h, i);
                i
            }
        };
        if !payroll {
            self.payroll[id as usize] = false;
        }
        self.pairs.push((id, subject));
    }

    /// Groups the occurrences, drops hubs, weighs, builds edges and clusters. `ip_class` tells
    /// the class of an IP value (`Unknown` when no intel). `names` are the subjects' ids by
    /// the indexes occurrences were added with; the graph keeps only the linked ones, in the
    /// same order.
    pub fn finish(
        mut self,
        names: Vec<String>,
        p: &GraphParams,
        ip_class: impl Fn(&str) -> IpClass + Sync,
    ) -> LinkGraph {
        let mut pairs = std::mem::take(&mut self.pairs);
        // The table is not needed any more: free it before the sort's peak.
        self.table = U64Map::default();
        self.collisions = HashMap::new();
        let counts = Counts {
            subjects: self.n_subjects,
            occurrences: pairs.len(),
            distinct: self.spans.len(),
        };
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut shared: Vec<RawShared<'_>> = Vec::new();
        let mut i = 0;
        while i < pairs.len() {
            let v = pairs[i].0;
            let mut j = i;
            while j < pairs.len() && pairs[j].0 == v {
                j += 1;
            }
            if j - i >= 2 {
                let (kind, value) = self.value(v);
                shared.push(RawShared {
                    kind,
                    value,
                    holders: pairs[i..j].iter().map(|x| x.1).collect(),
                    payroll: self.payroll[v as usize],
                });
            }
            i = j;
        }
        drop(pairs);
        graph::assemble(
            shared,
            &|used: &mut Vec<u32>| used.iter().map(|&s| names[s as usize].clone()).collect(),
            counts,
            p,
            ip_class,
        )
    }
}

/// Sizes of the population a graph was built from, for [`GraphStats`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    pub subjects: usize,
    pub occurrences: usize,
    pub distinct: usize,
}

/// A value held by two or more subjects, before weighing.
pub(crate) struct RawShared<'a> {
    pub kind: IdKind,
    pub value: &'a str,
    /// The holders (in the caller's index space), sorted, distinct.
    pub holders: Vec<u32>,
    /// Every occurrence of the value is a payout to the holder's declared employer.
    pub payroll: bool,
}

/// What weighing made of a shared value.
pub(crate) enum Weighed {
    /// Shared by more than `max_hub_subjects` subjects: ignored, counted in the stats.
    Hub(IdKind, String, usize),
    /// Weighs nothing (a mobile carrier's address, say): no edge.
    Zero,
    Ident(SharedIdent),
}

/// The weight of a value shared by `n` subjects, whether it is strong, its network class and
/// whether it counts as payroll; `None` for a hub.
pub(crate) fn weight_of(
    kind: IdKind,
    value: &str,
    n: usize,
    payroll: bool,
    p: &GraphParams,
    ip_class: impl Fn(&str) -> IpClass,
) -> Option<(f64, bool, IpClass, bool)> {
    if n > p.max_hub_subjects {
        return None;
    }
    let (mut w, mut strong, class) = match kind {
        IdKind::Ip => {
            let c = ip_class(value);
            let w = match c {
                IpClass::Residential => p.ip_residential_weight,
                IpClass::Hosting => p.ip_hosting_weight,
                IpClass::Unknown | IpClass::NotIp => p.ip_unknown_weight,
                IpClass::Anonymizer => p.ip_anonymizer_weight,
                IpClass::SharedByDesign => p.ip_shared_weight,
            };
            (w, false, c)
        }
        IdKind::Address => (p.address_weight, false, IpClass::NotIp),
        IdKind::ResumeText => (p.text_weight, true, IpClass::NotIp),
        _ => (p.strong_weight, true, IpClass::NotIp),
    };
    if kind.is_location() {
        w *= (2.0 / n as f64).min(1.0);
    }
    let is_payroll = kind == IdKind::Payout && payroll;
    if is_payroll {
        w *= p.payroll_factor;
        strong = false;
    }
    Some((w, strong, class, is_payroll))
}

/// Weighs one shared value (see the module documentation: class, rarity, hubs, payroll).
pub(crate) fn weigh(
    r: RawShared<'_>,
    p: &GraphParams,
    ip_class: impl Fn(&str) -> IpClass,
) -> Weighed {
    let n = r.holders.len();
    match weight_of(r.kind, r.value, n, r.payroll, p, ip_class) {
        None => Weighed::Hub(r.kind, r.value.to_owned(), n),
        Some((w, _, _, _)) if w <= 0.0 => Weighed::Zero,
        Some((weight, strong, ip_class, payroll)) => Weighed::Ident(SharedIdent {
            kind: r.kind,
            value: r.value.to_owned(),
            subjects: r.holders,
            weight,
            strong,
            ip_class,
            payroll,
        }),
    }
}

/// Builds one [`Part`] from the weighed identifiers its subjects share (subjects in the
/// caller's index space): edges, adjacency and clusters. The one place a part is made, whether
/// from a [`GraphBuilder`], from the identifier index or after a batch.
///
/// `order` receives the part's subjects (the caller's indexes, sorted ascending), may reorder
/// them, and returns their names in the part's order; part indexes then follow that order, so
/// two callers that order by subject id build identical parts from the same values.
pub(crate) fn assemble_part(
    mut idents: Vec<SharedIdent>,
    order: impl FnOnce(&mut Vec<u32>) -> Vec<String>,
    p: &GraphParams,
) -> Part {
    // Deterministic ident order: by (kind, value).
    idents.sort_unstable_by(|a, b| (a.kind, &a.value).cmp(&(b.kind, &b.value)));
    let mut used: Vec<u32> = idents
        .iter()
        .flat_map(|i| i.subjects.iter().copied())
        .collect();
    used.sort_unstable();
    used.dedup();
    let names = order(&mut used);
    let n_subjects = names.len();
    let to_part: HashMap<u32, u32> = used
        .iter()
        .enumerate()
        .map(|(g, &s)| (s, g as u32))
        .collect();
    drop(used);
    for i in idents.iter_mut() {
        for s in i.subjects.iter_mut() {
            *s = to_part[s];
        }
        i.subjects.sort_unstable();
    }
    drop(to_part);
    // Pair → idents.
    let mut pe: Vec<(u32, u32, u32)> = Vec::new();
    for (k, id) in idents.iter().enumerate() {
        let s = &id.subjects;
        for x in 0..s.len() {
            for y in x + 1..s.len() {
                pe.push((s[x], s[y], k as u32));
            }
        }
    }
    pe.sort_unstable();
    let mut edges: Vec<Edge> = Vec::new();
    for (a, b, k) in pe {
        match edges.last_mut() {
            Some(e) if e.a == a && e.b == b => {
                e.weight += idents[k as usize].weight;
                e.idents.push(k);
            }
            _ => edges.push(Edge {
                a,
                b,
                weight: idents[k as usize].weight,
                idents: vec![k],
            }),
        }
    }
    // Adjacency (CSR).
    let mut deg = vec![0u32; n_subjects + 1];
    for e in &edges {
        deg[e.a as usize] += 1;
        deg[e.b as usize] += 1;
    }
    let mut adj_off = vec![0u32; n_subjects + 1];
    for s in 0..n_subjects {
        adj_off[s + 1] = adj_off[s] + deg[s];
    }
    let mut fill = adj_off.clone();
    let mut adj = vec![0u32; adj_off[n_subjects] as usize];
    for (k, e) in edges.iter().enumerate() {
        for s in [e.a, e.b] {
            adj[fill[s as usize] as usize] = k as u32;
            fill[s as usize] += 1;
        }
    }
    // Union-find over the heavy edges.
    let mut uf = UnionFind::new(n_subjects);
    for e in edges.iter().filter(|e| e.weight >= p.min_edge_weight) {
        uf.union(e.a, e.b);
    }
    let mut root_cluster: HashMap<u32, u32> = HashMap::new();
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut cluster_of = vec![u32::MAX; n_subjects];
    for (k, e) in edges.iter().enumerate() {
        if e.weight < p.min_edge_weight {
            continue;
        }
        let r = uf.find(e.a);
        let c = *root_cluster.entry(r).or_insert_with(|| {
            clusters.push(Cluster {
                members: Vec::new(),
                edges: Vec::new(),
            });
            (clusters.len() - 1) as u32
        });
        clusters[c as usize].edges.push(k as u32);
    }
    for s in 0..n_subjects as u32 {
        if let Some(&c) = root_cluster.get(&uf.find(s)) {
            clusters[c as usize].members.push(s);
        }
    }
    // Order clusters by smallest member (members are pushed in order, so sorted).
    clusters.sort_by_key(|c| c.members[0]);
    for (k, c) in clusters.iter().enumerate() {
        for &m in &c.members {
            cluster_of[m as usize] = k as u32;
        }
    }
    let index = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect();
    Part {
        names,
        idents,
        edges,
        clusters,
        adj_off,
        adj,
        cluster_of,
        index,
    }
}

/// Union-find over u32 indices with path halving and union by size.
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    pub fn find(&mut self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            let g = self.parent[self.parent[i as usize] as usize];
            self.parent[i as usize] = g;
            i = g;
        }
        i
    }

    pub fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// The class of an IP address for link weighting.
pub fn ip_class(ds: &Dataset, ip: IpAddr) -> IpClass {
    match ds.ip_info(ip) {
        None => IpClass::Unknown,
        Some(i) => {
            let has = |c: NetClass| i.has_class(c);
            if has(NetClass::Mobile) || has(NetClass::Corporate) || has(NetClass::Relay) {
                IpClass::SharedByDesign
            } else if has(NetClass::Vpn) || has(NetClass::Tor) || has(NetClass::Proxy) {
                IpClass::Anonymizer
            } else if has(NetClass::Hosting) {
                IpClass::Hosting
            } else {
                IpClass::Residential
            }
        }
    }
}

/// The identifier occurrences of one subject (and, for reviews it received, of the reviewers:
/// `reviewer_ip`), deduplicated.
///
/// `index` gives a subject's index in the caller's space (every subject, reviewers included,
/// has one).
pub fn occurrences(
    ds: &Dataset,
    si: usize,
    index: impl Fn(&str) -> Option<u32>,
    p: &GraphParams,
) -> Vec<Occurrence> {
    let s = &ds.subjects[si];
    let me = index(&s.id).expect("every subject has an index");
    let mut out: Vec<Occurrence> = Vec::new();
    let mut push = |subject: u32, kind: IdKind, value: Option<String>, payroll: bool| {
        if let Some(value) = value {
            out.push(Occurrence {
                subject,
                kind,
                value,
                payroll,
            });
        }
    };
    {
        let mut own = |kind, value| push(me, kind, value, false);
        for l in &s.logins {
            login_ids(&l.r, &mut own);
        }
        for a in &s.activities {
            activity_ids(&a.r, &mut own);
        }
        for a in &s.accesses {
            access_ids(&a.r, &mut own);
        }
        for e in &s.endpoints {
            endpoint_ids(&e.r, &mut own);
        }
    }
    for r in &s.reviews {
        if let (Some(ip), Some(rv)) = (r.r.reviewer_ip, index(r.r.reviewer_id.as_str())) {
            push(rv, IdKind::Ip, Some(ip.to_string()), false);
        }
    }
    let mut employers: Vec<String> = Vec::new();
    for pr in &s.profiles {
        let r = &pr.r;
        for e in &r.emails {
            push(me, IdKind::Email, normalize_email(e), false);
        }
        for ph in &r.phones {
            push(
                me,
                IdKind::Phone,
                normalize_phone(ph, p.min_phone_digits),
                false,
            );
        }
        if let Some(a) = &r.address {
            push(me, IdKind::Address, normalize_address(a), false);
        }
        if let Some(h) = &r.photo_sha256 {
            push(me, IdKind::Photo, Some(h.trim().to_lowercase()), false);
        }
        if let Some(b) = &r.bio {
            push(
                me,
                IdKind::ResumeText,
                text_fingerprint(b, p.min_text_chars),
                false,
            );
        }
        for e in &r.employment {
            if let Some(d) = &e.description {
                push(
                    me,
                    IdKind::ResumeText,
                    text_fingerprint(d, p.min_text_chars),
                    false,
                );
            }
            if let Some(emp) = &e.employer {
                let c = company(emp);
                if !c.is_empty() {
                    employers.push(c);
                }
            }
        }
    }
    let is_payroll = |b: Option<&String>| {
        b.map(|x| company(x))
            .is_some_and(|x| !x.is_empty() && employers.contains(&x))
    };
    for a in &s.payout_accounts {
        let r = &a.r;
        let key = payout_key(Some(&r.account_id), r.bank.as_ref(), r.crypto.as_ref());
        let pr = is_payroll(r.beneficiary_name.as_ref());
        push(me, IdKind::Payout, key, pr);
    }
    for a in &s.payouts {
        let r = &a.r;
        let key = payout_key(r.account_id.as_deref(), r.bank.as_ref(), r.crypto.as_ref());
        let pr = is_payroll(r.beneficiary_name.as_ref());
        push(me, IdKind::Payout, key, pr);
    }
    for d in &s.id_documents {
        let r = &d.r;
        push(
            me,
            IdKind::Document,
            r.number.as_deref().and_then(doc_key),
            false,
        );
        if let Some(h) = &r.image_sha256 {
            push(me, IdKind::Photo, Some(h.trim().to_lowercase()), false);
        }
        if let Some(a) = &r.address {
            push(me, IdKind::Address, normalize_address(a), false);
        }
    }
    for sh in &s.shipments {
        for a in [&sh.r.address, &sh.r.redirect_address]
            .into_iter()
            .flatten()
        {
            push(me, IdKind::Address, normalize_address(a), false);
        }
    }
    out.sort_by(|a, b| {
        (a.subject, a.kind, &a.value, a.payroll).cmp(&(b.subject, b.kind, &b.value, b.payroll))
    });
    // Sorted with `payroll == false` first, so the kept occurrence is "not payroll" if any is.
    out.dedup_by(|a, b| a.subject == b.subject && a.kind == b.kind && a.value == b.value);
    out
}

/// A device id as an identifier (trimmed; empty and `unknown` are none).
fn device_value(d: Option<&String>) -> Option<String> {
    d.map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty() && x != "unknown")
}

fn login_ids(l: &kensa_model::record::Login, push: &mut impl FnMut(IdKind, Option<String>)) {
    if l.success != Some(false) {
        push(IdKind::Ip, Some(l.ip.to_string()));
    }
    push(IdKind::Device, device_value(l.device_id.as_ref()));
}

fn activity_ids(a: &kensa_model::record::Activity, push: &mut impl FnMut(IdKind, Option<String>)) {
    push(IdKind::Ip, a.ip.map(|i| i.to_string()));
}

fn access_ids(a: &kensa_model::record::Access, push: &mut impl FnMut(IdKind, Option<String>)) {
    push(IdKind::Ip, a.ip.map(|i| i.to_string()));
}

fn endpoint_ids(e: &kensa_model::record::Endpoint, push: &mut impl FnMut(IdKind, Option<String>)) {
    push(IdKind::Device, device_value(e.device_id.as_ref()));
}

/// The identifiers a login, activity, access or endpoint record gives its own subject (the
/// same [`occurrences`] reads from them), or `None` for a record of another kind. Such
/// occurrences depend on the record alone, so a batch of only these kinds can add them to an
/// index ([`index::IdentIndex::add_light`]) without re-reading the subject's other records.
pub fn light_occurrences(rec: &kensa_model::Record) -> Option<Vec<(IdKind, String)>> {
    use kensa_model::Record;
    let mut out = Vec::new();
    let mut push = |kind, value: Option<String>| {
        if let Some(v) = value {
            out.push((kind, v));
        }
    };
    match rec {
        Record::Login(l) => login_ids(l, &mut push),
        Record::Activity(a) => activity_ids(a, &mut push),
        Record::Access(a) => access_ids(a, &mut push),
        Record::Endpoint(e) => endpoint_ids(e, &mut push),
        _ => return None,
    }
    Some(out)
}

/// Builds the identifier graph of a data set.
pub fn build_graph(ds: &Dataset, p: &GraphParams) -> LinkGraph {
    // Graph indexes follow subject ids, not the data set's order (which is the order records
    // arrived in): the graph, its clusters and every list derived from them are then the same
    // whether the records came in one file or in many batches.
    let mut order: Vec<usize> = (0..ds.subjects.len()).collect();
    order.sort_unstable_by(|&a, &b| ds.subjects[a].id.cmp(&ds.subjects[b].id));
    let index: HashMap<&str, u32> = order
        .iter()
        .enumerate()
        .map(|(i, &si)| (ds.subjects[si].id.as_str(), i as u32))
        .collect();
    let per: Vec<Vec<Occurrence>> = order
        .par_iter()
        .map(|&si| occurrences(ds, si, |id| index.get(id).copied(), p))
        .collect();
    let total = per.iter().map(Vec::len).sum();
    let mut b = GraphBuilder::with_capacity(ds.subjects.len(), total);
    for o in per.iter().flatten() {
        b.add(o.subject, o.kind, &o.value, o.payroll);
    }
    let names = order.iter().map(|&si| ds.subjects[si].id.clone()).collect();
    b.finish(names, p, |v| match v.parse::<IpAddr>() {
        Ok(ip) => ip_class(ds, ip),
        Err(_) => IpClass::Unknown,
    })
}

/// The linked evidence between one subject and others, for findings: per other subject, the
/// shared identifiers as JSON (kind, masked value, weight, strong).
pub fn ident_json(g: &Part, k: u32) -> serde_json::Value {
    let id = &g.idents[k as usize];
    let mut v = serde_json::json!({
        "kind": id.kind.as_str(),
        "value": mask(id.kind, &id.value),
        "weight": (id.weight * 1000.0).round() / 1000.0,
        "strong": id.strong,
        "shared_by": id.subjects.len(),
    });
    if id.kind == IdKind::Ip {
        v["ip_class"] = serde_json::to_value(id.ip_class).unwrap_or_default();
    }
    if id.payroll {
        v["payroll"] = true.into();
    }
    v
}

#[cfg(test)]
pub(crate) mod tests;
