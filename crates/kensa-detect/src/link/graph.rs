//! The identifier graph of a population, kept as [`Part`]s: the connected pieces of the graph
//! (subjects joined by edges of any weight). Every finding about a subject reads only its own
//! part — its edges, its cluster, the identifiers it shares — so after a batch the graph is
//! rebuilt part by part: only the parts holding a value whose holders changed are assembled
//! again ([`IdentIndex::update_graph`](super::index::IdentIndex::update_graph)), and the new
//! graph shares every other part with the one before it.
//!
//! Lookups go through two maps split into shards behind `Arc`s (subject → part, part id →
//! part), so that the new graph is a copy of a few hundred pointers plus the shards the batch
//! wrote to: what a login from a shared address costs does not grow with the population. The
//! subject map is keyed by 128 bits of SipHash of the subject id under keys drawn at random
//! per graph lineage (copying one of its shards is a copy of plain memory), and every lookup
//! checks that the part found holds the subject.

use super::{
    Cluster, Counts, GraphParams, GraphStats, IdKind, IpClass, Part, RawShared, SharedIdent,
    UnionFind, Weighed, assemble_part, mask, weigh,
};
use crate::dataset::FastHash;
use rayon::prelude::*;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

const SHARDS: usize = 256;

/// A hub value: kind and text.
type HubKey = (IdKind, Box<str>);

/// A hash map split into shards behind `Arc`s: a clone copies the shard pointers, a write
/// copies the one shard it changes (when another clone still shares it).
#[derive(Clone)]
pub(crate) struct Sharded<K, V> {
    state: FastHash,
    shards: Vec<Arc<HashMap<K, V, FastHash>>>,
}

impl<K: Hash + Eq + Clone, V: Clone> Sharded<K, V> {
    fn new() -> Self {
        let state = FastHash::default();
        Sharded {
            shards: (0..SHARDS)
                .map(|_| Arc::new(HashMap::with_hasher(state)))
                .collect(),
            state,
        }
    }

    fn shard<Q: Hash + ?Sized>(&self, k: &Q) -> usize {
        (self.state.hash_one(k) as usize) % SHARDS
    }

    pub(crate) fn get<Q>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shards[self.shard(k)].get(k)
    }

    fn insert(&mut self, k: K, v: V) {
        let i = self.shard(&k);
        Arc::make_mut(&mut self.shards[i]).insert(k, v);
    }

    fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.shard(k);
        if !self.shards[i].contains_key(k) {
            return None;
        }
        Arc::make_mut(&mut self.shards[i]).remove(k)
    }

    fn values(&self) -> impl Iterator<Item = &V> {
        self.shards.iter().flat_map(|s| s.values())
    }

    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }
}

/// What changed between a graph and the one it was made from: the parts that are gone and
/// the parts that are new (every other part is shared, the same `Arc`).
#[derive(Debug)]
pub struct Delta {
    /// [`LinkGraph::version`] of the graph before.
    pub from: u64,
    pub removed: Vec<Arc<Part>>,
    pub added: Vec<Arc<Part>>,
}

/// The identifier graph of a population: its parts, the hubs that were ignored and the
/// counts of [`GraphStats`]. Subjects that share no weighed identifier are in no part.
#[derive(Clone)]
pub struct LinkGraph {
    /// Changes whenever a part does (not when only the counts do).
    version: u64,
    parts: Sharded<u64, Arc<Part>>,
    /// Subject (by [`LinkGraph::key`]) → part id.
    part_of: Sharded<u128, u64>,
    /// SipHash keys for [`LinkGraph::key`], drawn at random per lineage of graphs.
    keys: [std::collections::hash_map::RandomState; 2],
    /// Values shared by more than `max_hub_subjects` subjects, with their number of holders.
    hubs: Arc<HashMap<HubKey, usize>>,
    pub stats: GraphStats,
    delta: Option<Arc<Delta>>,
}

impl std::fmt::Debug for LinkGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkGraph")
            .field("version", &self.version)
            .field("parts", &self.parts.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Default for LinkGraph {
    fn default() -> Self {
        LinkGraph {
            version: next_id(),
            parts: Sharded::new(),
            part_of: Sharded::new(),
            keys: Default::default(),
            hubs: Arc::default(),
            stats: GraphStats::default(),
            delta: None,
        }
    }
}

/// Graphs are equal when they hold the same parts (whatever their ids) and the same counts.
impl PartialEq for LinkGraph {
    fn eq(&self, other: &Self) -> bool {
        self.stats == other.stats && self.hubs == other.hubs && self.parts() == other.parts()
    }
}

impl LinkGraph {
    /// Changes whenever a part changes; equal versions hold the same parts.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// What changed since the graph this one was updated from (`None` for a graph built
    /// from scratch).
    pub fn delta(&self) -> Option<&Delta> {
        self.delta.as_deref()
    }

    /// The part a subject belongs to (`None` when it shares no weighed identifier).
    pub fn part(&self, subject: &str) -> Option<&Part> {
        self.part_arc(subject).map(|p| &**p)
    }

    /// [`LinkGraph::part`], shared.
    pub fn part_arc(&self, subject: &str) -> Option<&Arc<Part>> {
        let p = self
            .part_of
            .get(&self.key(subject))
            .and_then(|id| self.parts.get(id))?;
        p.index_of(subject).is_some().then_some(p)
    }

    fn key(&self, subject: &str) -> u128 {
        let [a, b] = &self.keys;
        (u128::from(a.hash_one(subject)) << 64) | u128::from(b.hash_one(subject))
    }

    /// Every part, ordered by its first subject id.
    pub fn parts(&self) -> Vec<&Arc<Part>> {
        let mut v: Vec<&Arc<Part>> = self.parts.values().collect();
        v.sort_unstable_by(|a, b| a.names[0].cmp(&b.names[0]));
        v
    }

    /// Every cluster with its part, ordered by the cluster's first member id.
    pub fn clusters(&self) -> Vec<(&Part, &Cluster)> {
        let mut v: Vec<(&Part, &Cluster)> = self
            .parts
            .values()
            .flat_map(|p| p.clusters().iter().map(move |c| (&**p, c)))
            .collect();
        v.sort_unstable_by(|a, b| {
            a.0.names[a.1.members[0] as usize].cmp(&b.0.names[b.1.members[0] as usize])
        });
        v
    }

    /// The subjects linked to `subject` with the weight of the link, heaviest first.
    pub fn neighbours(&self, subject: &str) -> Vec<(&str, f64)> {
        self.part(subject)
            .map(|p| p.neighbours(subject))
            .unwrap_or_default()
    }

    /// The cluster of a subject with its part.
    pub fn cluster_of(&self, subject: &str) -> Option<(&Part, &Cluster)> {
        let p = self.part(subject)?;
        let c = p.cluster_of(p.index_of(subject)?)?;
        Some((p, c))
    }

    /// A graph of these parts.
    pub(crate) fn from_parts(
        parts: Vec<Part>,
        hubs: HashMap<HubKey, usize>,
        counts: Counts,
        shared_values: usize,
    ) -> LinkGraph {
        let mut g = LinkGraph {
            hubs: Arc::new(hubs),
            ..LinkGraph::default()
        };
        for p in parts {
            g.insert_part(Arc::new(p));
        }
        g.set_counts(counts, shared_values);
        g
    }

    fn insert_part(&mut self, part: Arc<Part>) {
        let id = next_id();
        for n in &part.names {
            self.part_of.insert(self.key(n), id);
        }
        self.stats.edges += part.edges.len();
        self.stats.clusters += part.clusters().len();
        self.parts.insert(id, part);
    }

    fn remove_part(&mut self, id: u64) -> Option<Arc<Part>> {
        let part = self.parts.remove(&id)?;
        for n in &part.names {
            let k = self.key(n);
            if self.part_of.get(&k) == Some(&id) {
                self.part_of.remove(&k);
            }
        }
        self.stats.edges -= part.edges.len();
        self.stats.clusters -= part.clusters().len();
        Some(part)
    }

    fn set_counts(&mut self, counts: Counts, shared_values: usize) {
        self.stats.subjects = counts.subjects;
        self.stats.occurrences = counts.occurrences;
        self.stats.distinct_values = counts.distinct;
        self.stats.shared_values = shared_values;
        self.stats.hub_values = self.hubs.len();
        let mut hubs: Vec<(&HubKey, &usize)> = self.hubs.iter().collect();
        hubs.sort_unstable_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        self.stats.top_hubs = hubs
            .iter()
            .take(20)
            .map(|((k, v), n)| (k.as_str().to_owned(), mask(*k, v), **n))
            .collect();
    }

    /// The graph after a batch: parts `remove` (by the subjects they hold) replaced by
    /// `add`, hubs changed as `hubs` says (`Some(n)`: a hub with n holders; `None`: not a
    /// hub), counts refreshed. Without a part changed the version stays.
    pub(crate) fn updated(
        &self,
        remove: &[&str],
        add: Vec<Part>,
        hubs: Vec<(HubKey, Option<usize>)>,
        counts: Counts,
        shared_values: usize,
    ) -> LinkGraph {
        let mut g = self.clone();
        if !hubs.is_empty() {
            let h = Arc::make_mut(&mut g.hubs);
            for (k, n) in hubs {
                match n {
                    Some(n) => h.insert(k, n),
                    None => h.remove(&k),
                };
            }
        }
        let ids: std::collections::BTreeSet<u64> = remove
            .iter()
            .filter_map(|s| self.part_of.get(&self.key(s)).copied())
            .collect();
        if !ids.is_empty() || !add.is_empty() {
            let removed: Vec<Arc<Part>> =
                ids.into_iter().filter_map(|id| g.remove_part(id)).collect();
            let added: Vec<Arc<Part>> = add.into_iter().map(Arc::new).collect();
            for p in &added {
                g.insert_part(p.clone());
            }
            g.version = next_id();
            g.delta = Some(Arc::new(Delta {
                from: self.version,
                removed,
                added,
            }));
        }
        g.set_counts(counts, shared_values);
        g
    }
}

/// Weighs the shared values, drops hubs, splits what is left into parts and assembles each:
/// the whole graph, whether from a [`GraphBuilder`](super::GraphBuilder) or from the
/// identifier index. `order` is [`assemble_part`]'s, for every part.
pub(crate) fn assemble(
    shared: Vec<RawShared<'_>>,
    order: &(dyn Fn(&mut Vec<u32>) -> Vec<String> + Sync),
    counts: Counts,
    p: &GraphParams,
    ip_class: impl Fn(&str) -> IpClass + Sync,
) -> LinkGraph {
    let shared_values = shared.len();
    let weighed: Vec<Weighed> = shared
        .into_par_iter()
        .map(|r| weigh(r, p, &ip_class))
        .collect();
    let mut hubs: HashMap<HubKey, usize> = HashMap::new();
    let mut idents: Vec<SharedIdent> = Vec::new();
    for w in weighed {
        match w {
            Weighed::Hub(k, v, n) => {
                hubs.insert((k, v.into_boxed_str()), n);
            }
            Weighed::Zero => {}
            Weighed::Ident(i) => idents.push(i),
        }
    }
    parts_of(idents, order, p, counts, hubs, shared_values)
}

fn parts_of(
    idents: Vec<SharedIdent>,
    order: &(dyn Fn(&mut Vec<u32>) -> Vec<String> + Sync),
    p: &GraphParams,
    counts: Counts,
    hubs: HashMap<HubKey, usize>,
    shared_values: usize,
) -> LinkGraph {
    let n = idents
        .iter()
        .flat_map(|i| i.subjects.iter())
        .max()
        .map_or(0, |&m| m as usize + 1);
    let mut uf = UnionFind::new(n);
    for i in &idents {
        for w in i.subjects.windows(2) {
            uf.union(w[0], w[1]);
        }
    }
    let mut groups: HashMap<u32, Vec<SharedIdent>> = HashMap::new();
    for i in idents {
        let r = uf.find(i.subjects[0]);
        groups.entry(r).or_default().push(i);
    }
    let groups: Vec<Vec<SharedIdent>> = groups.into_values().collect();
    let parts: Vec<Part> = groups
        .into_par_iter()
        .map(|g| assemble_part(g, order, p))
        .collect();
    LinkGraph::from_parts(parts, hubs, counts, shared_values)
}
