//! The identifier index kept between batches: who holds every identifier value, so that the
//! identifier graph after a batch is assembled from the shared values alone instead of being
//! rebuilt from every subject's records.
//!
//! [`build_graph`](super::build_graph) reads every record of every subject, interns every
//! occurrence and sorts them all: linear in what is stored (≈ 0.3 s at 100k subjects, seconds
//! at 1M). A long-running process keeps an [`IdentIndex`] instead: per subject, the
//! occurrences its records contribute (to itself, and to its reviewers for `reviewer_ip`), and
//! per value, its holders. A batch re-reads only the subjects it touched and reports the shared
//! values whose holders changed ([`Changes`]). The first graph is assembled from the values two
//! or more subjects hold ([`IdentIndex::graph`]), which is what
//! [`build_graph`](super::build_graph) assembles too; after a batch,
//! [`IdentIndex::update_graph`] re-assembles only the parts of the graph the changed values'
//! holders are in or reach (the index keeps, per subject, its shared values for that walk). The
//! graphs are equal to a full build (a test checks it after every one of many random batches).
//!
//! Values are keyed by 128 bits of SipHash under keys drawn at random per index, so nobody can
//! make two values collide on purpose, and by chance that happens with probability ≈ n²/2¹²⁹.
//! The text of a value is kept only once a second subject holds it.

use super::{
    Counts, GraphParams, IdKind, LinkGraph, Part, PassThrough, RawShared, SharedIdent, Weighed,
    assemble_part, graph, ip_class, weigh,
};
use crate::Dataset;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::net::IpAddr;

/// One holder of a value: a subject and how many sources' records give it the value.
#[derive(Debug, Clone, Copy)]
struct Holder {
    subject: u32,
    /// Sources contributing the value to this holder.
    refs: u32,
    /// Of those, the ones that are not payroll (a payout to the holder's declared employer).
    plain: u32,
}

/// One occurrence a source subject contributes: (value id, holder, payroll).
type Contribution = (u32, u32, bool);

/// An occurrence with its key, before the index gives it a value id: (key, holder, payroll,
/// kind, text).
type Keyed = (u128, u32, bool, IdKind, String);

/// Who holds which identifier value; see the module documentation.
pub struct IdentIndex {
    /// The parameters that shape occurrences (the others only weigh them).
    min_phone_digits: usize,
    min_text_chars: usize,
    keys: [std::collections::hash_map::RandomState; 2],
    ids: HashMap<u128, u32, BuildHasherDefault<PassThrough>>,
    /// Per value id: its holders, sorted by subject.
    holders: Vec<SmallVec<[Holder; 1]>>,
    /// Kind and text of every value that has had two holders.
    text: HashMap<u32, (IdKind, Box<str>)>,
    /// Per source subject (index of `Dataset::subjects`): what its records contribute, sorted.
    contrib: Vec<Vec<Contribution>>,
    occurrences: usize,
    /// Values with at least one holder.
    distinct: usize,
    /// Values with two or more holders.
    shared: usize,
    /// Per holder (a subject index): the values it holds that have two or more holders, for
    /// walking the graph from a subject to the parts a change reaches.
    shared_of: HashMap<u32, SmallVec<[u32; 2]>, crate::dataset::FastHash>,
}

/// The values a batch changed — shared before or after, with different holders or payroll
/// status — each with its holders before: what [`IdentIndex::update_graph`] re-assembles.
pub type Changes = HashMap<u32, SmallVec<[u32; 4]>>;

impl std::fmt::Debug for IdentIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentIndex")
            .field("subjects", &self.contrib.len())
            .field("occurrences", &self.occurrences)
            .field("distinct", &self.distinct)
            .finish_non_exhaustive()
    }
}

/// A value's holders (as subjects) and whether every occurrence is payroll.
type Snapshot = (SmallVec<[u32; 4]>, bool);

impl IdentIndex {
    /// An index of every subject of `ds`.
    pub fn build(ds: &Dataset, p: &GraphParams) -> IdentIndex {
        let mut ix = IdentIndex {
            min_phone_digits: p.min_phone_digits,
            min_text_chars: p.min_text_chars,
            keys: Default::default(),
            ids: HashMap::default(),
            holders: Vec::new(),
            text: HashMap::new(),
            contrib: Vec::new(),
            occurrences: 0,
            distinct: 0,
            shared: 0,
            shared_of: HashMap::default(),
        };
        let all: Vec<usize> = (0..ds.subjects.len()).collect();
        ix.update(ds, &all);
        ix
    }

    /// Whether graphs with these parameters can be assembled from this index.
    pub fn serves(&self, p: &GraphParams) -> bool {
        p.min_phone_digits == self.min_phone_digits && p.min_text_chars == self.min_text_chars
    }

    fn key(&self, kind: IdKind, value: &str) -> u128 {
        let h = |s: &std::collections::hash_map::RandomState| {
            let mut h = s.build_hasher();
            (kind as u8).hash(&mut h);
            value.hash(&mut h);
            h.finish()
        };
        (u128::from(h(&self.keys[0])) << 64) | u128::from(h(&self.keys[1]))
    }

    fn snapshot(&self, v: u32) -> Snapshot {
        let h = &self.holders[v as usize];
        (h.iter().map(|x| x.subject).collect(), is_payroll(h))
    }

    /// Re-reads the records of `touched` subjects (indexes of `ds.subjects`, which may have
    /// grown since the last call). Returns the values two or more subjects hold — before or
    /// after — whose holders or payroll status changed: when none, the graph is as it was.
    pub fn update(&mut self, ds: &Dataset, touched: &[usize]) -> Changes {
        self.contrib.resize_with(ds.subjects.len(), Vec::new);
        let p = GraphParams {
            min_phone_digits: self.min_phone_digits,
            min_text_chars: self.min_text_chars,
            ..GraphParams::default()
        };
        // Occurrences and their keys, in parallel; the index itself is updated in order.
        let fresh: Vec<(usize, Vec<Keyed>)> = crate::util::map_maybe_par(touched, |&si| {
            let occ = super::occurrences(ds, si, |id| ds.index_of(id).map(|i| i as u32), &p);
            let keyed = occ
                .into_iter()
                .map(|o| {
                    (
                        self.key(o.kind, &o.value),
                        o.subject,
                        o.payroll,
                        o.kind,
                        o.value,
                    )
                })
                .collect();
            (si, keyed)
        });
        self.apply(fresh, false)
    }

    /// Adds the occurrences of new login, activity, access and endpoint records
    /// ([`super::light_occurrences`]), per subject index, to what those subjects contribute
    /// already: the same as [`IdentIndex::update`] after a batch of only such records (their
    /// occurrences depend on the record alone), without re-reading every record of the
    /// subjects. Returns what `update` returns.
    pub fn add_light(&mut self, ds: &Dataset, new: Vec<(usize, Vec<(IdKind, String)>)>) -> Changes {
        self.contrib.resize_with(ds.subjects.len(), Vec::new);
        let fresh: Vec<(usize, Vec<Keyed>)> = new
            .into_iter()
            .map(|(si, occ)| {
                let keyed = occ
                    .into_iter()
                    .map(|(kind, value)| (self.key(kind, &value), si as u32, false, kind, value))
                    .collect();
                (si, keyed)
            })
            .collect();
        self.apply(fresh, true)
    }

    /// Sets (or, with `add`, extends) each source subject's contributions to the keyed
    /// occurrences; returns the shared values that changed (see [`IdentIndex::update`]).
    fn apply(&mut self, fresh: Vec<(usize, Vec<Keyed>)>, add: bool) -> Changes {
        let mut before: HashMap<u32, Snapshot> = HashMap::new();
        let mut seen: Vec<u32> = Vec::new();
        for (si, keyed) in fresh {
            let mut new: Vec<Contribution> = Vec::with_capacity(keyed.len());
            // Texts of values not yet known to be shared, kept if this source makes them so.
            let mut texts: Vec<(u32, IdKind, String)> = Vec::new();
            for (key, holder, payroll, kind, value) in keyed {
                let v = match self.ids.get(&key) {
                    Some(&v) => v,
                    None => {
                        let v = self.holders.len() as u32;
                        self.holders.push(SmallVec::new());
                        self.ids.insert(key, v);
                        v
                    }
                };
                if !self.text.contains_key(&v) {
                    texts.push((v, kind, value));
                }
                new.push((v, holder, payroll));
            }
            new.sort_unstable();
            new.dedup();
            // What leaves and what arrives: with `add`, only the contributions the subject
            // did not make yet arrive (the cost of a login is its own identifiers, not the
            // subject's history); else the old set is replaced.
            let (gone, came): (Vec<Contribution>, Vec<Contribution>) = if add {
                let had = &self.contrib[si];
                new.retain(|c| had.binary_search(c).is_err());
                (Vec::new(), new)
            } else {
                let old = &self.contrib[si];
                if *old == new {
                    continue;
                }
                (
                    old.iter()
                        .filter(|c| new.binary_search(c).is_err())
                        .copied()
                        .collect(),
                    new.iter()
                        .filter(|c| old.binary_search(c).is_err())
                        .copied()
                        .collect(),
                )
            };
            if gone.is_empty() && came.is_empty() {
                continue;
            }
            for &(v, _, _) in gone.iter().chain(&came) {
                if let std::collections::hash_map::Entry::Vacant(e) = before.entry(v) {
                    e.insert(self.snapshot(v));
                    seen.push(v);
                }
            }
            for &(v, holder, payroll) in &gone {
                self.remove(v, holder, payroll);
            }
            for &(v, holder, payroll) in &came {
                self.insert(v, holder, payroll);
            }
            // The subject's contributions, sorted: the old ones without what left, with what came.
            let contrib = &mut self.contrib[si];
            contrib.retain(|c| gone.binary_search(c).is_err());
            contrib.extend_from_slice(&came);
            contrib.sort_unstable();
            for (v, kind, value) in texts {
                if self.holders[v as usize].len() >= 2 {
                    self.text
                        .entry(v)
                        .or_insert_with(|| (kind, value.into_boxed_str()));
                }
            }
        }
        let mut changed = Changes::new();
        for v in seen {
            let was = &before[&v];
            let now = self.snapshot(v);
            if (was.0.len() >= 2 || now.0.len() >= 2) && *was != now {
                changed.insert(v, was.0.clone());
            }
        }
        changed
    }

    fn insert(&mut self, v: u32, subject: u32, payroll: bool) {
        self.occurrences += 1;
        let hs = &mut self.holders[v as usize];
        if hs.is_empty() {
            self.distinct += 1;
        }
        match hs.binary_search_by_key(&subject, |h| h.subject) {
            Ok(i) => {
                hs[i].refs += 1;
                hs[i].plain += u32::from(!payroll);
            }
            Err(i) => {
                hs.insert(
                    i,
                    Holder {
                        subject,
                        refs: 1,
                        plain: u32::from(!payroll),
                    },
                );
                match hs.len() {
                    2 => {
                        let other = hs[1 - i].subject;
                        self.shared += 1;
                        self.shared_of.entry(other).or_default().push(v);
                        self.shared_of.entry(subject).or_default().push(v);
                    }
                    n if n > 2 => self.shared_of.entry(subject).or_default().push(v),
                    _ => {}
                }
            }
        }
    }

    fn unshare(&mut self, subject: u32, v: u32) {
        if let Some(l) = self.shared_of.get_mut(&subject) {
            l.retain(|x| *x != v);
            if l.is_empty() {
                self.shared_of.remove(&subject);
            }
        }
    }

    fn remove(&mut self, v: u32, subject: u32, payroll: bool) {
        self.occurrences -= 1;
        let hs = &mut self.holders[v as usize];
        if let Ok(i) = hs.binary_search_by_key(&subject, |h| h.subject) {
            hs[i].refs -= 1;
            hs[i].plain -= u32::from(!payroll);
            if hs[i].refs == 0 {
                hs.remove(i);
                match hs.len() {
                    1 => {
                        let other = hs[0].subject;
                        self.shared -= 1;
                        self.unshare(other, v);
                        self.unshare(subject, v);
                    }
                    n if n >= 2 => self.unshare(subject, v),
                    _ => {}
                }
            }
        }
        if self.holders[v as usize].is_empty() {
            self.distinct -= 1;
        }
    }

    /// The identifier graph of `ds` (which this index must be up to date with, and enriched),
    /// equal to [`build_graph`](super::build_graph)`(ds, p)`. `p` must be [`served`](Self::serves).
    pub fn graph(&self, ds: &Dataset, p: &GraphParams) -> LinkGraph {
        debug_assert!(self.serves(p));
        let shared: Vec<RawShared<'_>> = self
            .text
            .iter()
            .filter_map(|(&v, (kind, value))| {
                let h = &self.holders[v as usize];
                (h.len() >= 2).then(|| RawShared {
                    kind: *kind,
                    value,
                    holders: h.iter().map(|x| x.subject).collect(),
                    payroll: is_payroll(h),
                })
            })
            .collect();
        let counts = Counts {
            subjects: ds.subjects.len(),
            occurrences: self.occurrences,
            distinct: self.distinct,
        };
        graph::assemble(
            shared,
            &|used: &mut Vec<u32>| by_id(ds, used),
            counts,
            p,
            |v| ip_class_of(ds, v),
        )
    }

    fn counts(&self, ds: &Dataset) -> Counts {
        Counts {
            subjects: ds.subjects.len(),
            occurrences: self.occurrences,
            distinct: self.distinct,
        }
    }

    /// The value `v` as a shared value, when two or more subjects hold it.
    fn raw(&self, v: u32) -> Option<RawShared<'_>> {
        let h = &self.holders[v as usize];
        let (kind, value) = self.text.get(&v)?;
        (h.len() >= 2).then(|| RawShared {
            kind: *kind,
            value,
            holders: h.iter().map(|x| x.subject).collect(),
            payroll: is_payroll(h),
        })
    }

    /// The graph after the `changes` made since `old` was made (accumulated over the batches
    /// in between), equal to [`IdentIndex::graph`] now: only the parts holding a changed
    /// value's holders (before or after) are assembled again, by walking from those subjects
    /// through the values they share; the other parts are `old`'s.
    pub fn update_graph(
        &self,
        old: &LinkGraph,
        changes: &Changes,
        ds: &Dataset,
        p: &GraphParams,
    ) -> LinkGraph {
        debug_assert!(self.serves(p));
        let ipc = |v: &str| ip_class_of(ds, v);
        let name = |s: u32| ds.subjects[s as usize].id.as_str();
        let mut hubs = Vec::new();
        let mut start: Vec<u32> = Vec::new();
        for (&v, was) in changes {
            let now = &self.holders[v as usize];
            let (hub_was, hub_now) = (
                was.len() > p.max_hub_subjects,
                now.len() > p.max_hub_subjects,
            );
            if let Some((kind, value)) = self.text.get(&v)
                && (hub_was || hub_now)
            {
                let n = hub_now.then_some(now.len());
                hubs.push(((*kind, value.clone()), n));
            }
            if hub_was && hub_now {
                continue;
            }
            start.extend(was.iter().copied());
            start.extend(now.iter().map(|h| h.subject));
        }
        // Walk from those holders through weighed values: every subject reached is in a new
        // part, and every old part the walk enters goes. An old part a change splits needs no
        // other start: each of its pieces still holds one of the changed value's holders,
        // since only that value's edges are gone.
        let mut remove: Vec<&str> = Vec::new();
        let mut visited: std::collections::HashSet<u32> = Default::default();
        let mut values_seen: std::collections::HashSet<u32> = Default::default();
        let mut groups: Vec<Vec<SharedIdent>> = Vec::new();
        for &s0 in &start {
            if !visited.insert(s0) {
                continue;
            }
            let mut stack = vec![s0];
            let mut group: Vec<SharedIdent> = Vec::new();
            while let Some(s) = stack.pop() {
                // A part the walk enters is replaced too (it merges with what changed).
                if old.part(name(s)).is_some() {
                    remove.push(name(s));
                }
                let Some(vals) = self.shared_of.get(&s) else {
                    continue;
                };
                for &v in vals {
                    if !values_seen.insert(v) {
                        continue;
                    }
                    let Some(raw) = self.raw(v) else {
                        continue;
                    };
                    if let Weighed::Ident(i) = weigh(raw, p, ipc) {
                        for &h in &i.subjects {
                            if visited.insert(h) {
                                stack.push(h);
                            }
                        }
                        group.push(i);
                    }
                }
            }
            if !group.is_empty() {
                groups.push(group);
            }
        }
        let parts: Vec<Part> = crate::util::map_maybe_par(&groups, |g| {
            assemble_part(g.clone(), |used| by_id(ds, used), p)
        });
        old.updated(&remove, parts, hubs, self.counts(ds), self.shared)
    }
}

/// Sorts subject indexes by subject id and returns the ids: graph and part order.
fn by_id(ds: &Dataset, used: &mut [u32]) -> Vec<String> {
    used.sort_unstable_by(|&a, &b| ds.subjects[a as usize].id.cmp(&ds.subjects[b as usize].id));
    used.iter()
        .map(|&s| ds.subjects[s as usize].id.clone())
        .collect()
}

/// The network class of an IP value (`Unknown` for anything else).
fn ip_class_of(ds: &Dataset, v: &str) -> super::IpClass {
    match v.parse::<IpAddr>() {
        Ok(ip) => ip_class(ds, ip),
        Err(_) => super::IpClass::Unknown,
    }
}

/// Whether every occurrence of a value is payroll (no holder has a plain one).
fn is_payroll(h: &[Holder]) -> bool {
    h.iter().all(|x| x.plain == 0)
}
