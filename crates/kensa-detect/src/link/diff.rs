//! Comparing two identifier graphs of one population — before and after a batch of records —
//! for incremental re-scoring: which subjects' links may have changed.
//!
//! Graphs are compared by subject *name*, never by index: a subject's index is its position
//! in its part, which a batch may shift. A graph updated from another knows which parts it
//! replaced ([`LinkGraph::delta`]); only those are compared then.

use super::{Cluster, Edge, IdKind, IpClass, LinkGraph, Part, SharedIdent};
use crate::Affected;
use std::collections::{BTreeSet, HashSet};

/// The record kinds the identifier graph is built from (see the module documentation): a
/// batch with none of them leaves the graph as it was. `review` brings the reviewers'
/// addresses, `subject` the e-mails, phones, photos, résumé texts, addresses and employers.
pub const GRAPH_INPUTS: &[&str] = &[
    "subject",
    "login",
    "activity",
    "access",
    "endpoint",
    "review",
    "payout_account",
    "payout",
    "identity_document",
    "shipment",
];

/// Whether one shared identifier is the same in both graphs: sharers (as a set of names),
/// weight, strength, network class and payroll flag.
fn same_ident(og: &Part, o: &SharedIdent, ng: &Part, n: &SharedIdent) -> bool {
    if o.weight.to_bits() != n.weight.to_bits()
        || o.strong != n.strong
        || o.ip_class != n.ip_class
        || o.payroll != n.payroll
        || o.subjects.len() != n.subjects.len()
    {
        return false;
    }
    fn names<'a>(g: &'a Part, i: &SharedIdent) -> Vec<&'a str> {
        i.subjects
            .iter()
            .map(|&s| g.names[s as usize].as_str())
            .collect()
    }
    let (mut a, mut b) = (names(og, o), names(ng, n));
    if a == b {
        return true;
    }
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// The subjects whose links may differ between `old` and `new`: the sharers, in either graph,
/// of every identifier value that is shared in one graph only (newly shared, newly a hub, no
/// longer weighed) or whose sharers, weight, strength, class or payroll flag differ.
///
/// A subject outside this set shares exactly the same identifiers with exactly the same
/// subjects in both graphs, so its edges (neighbours, weights, identifiers) are the same. Hub
/// values need no record of their own: a value that becomes (or stops being) a hub is shared in
/// one graph only, and that graph names its sharers.
pub fn changed_subjects<'a>(old: &'a LinkGraph, new: &'a LinkGraph) -> HashSet<&'a str> {
    let mut out: HashSet<&'a str> = HashSet::new();
    if old.version() == new.version() {
        return out;
    }
    // The parts to compare: what `new` replaced of `old`, or every part of both.
    let (before, after): (Vec<&'a Part>, Vec<&'a Part>) = match new.delta() {
        Some(d) if d.from == old.version() => (
            d.removed.iter().map(|p| &**p).collect(),
            d.added.iter().map(|p| &**p).collect(),
        ),
        _ => (
            old.parts().into_iter().map(|p| &**p).collect(),
            new.parts().into_iter().map(|p| &**p).collect(),
        ),
    };
    fn idents<'a>(parts: &[&'a Part]) -> Vec<(&'a Part, &'a SharedIdent)> {
        let mut v: Vec<(&'a Part, &'a SharedIdent)> = parts
            .iter()
            .flat_map(|p| p.idents.iter().map(move |i| (*p, i)))
            .collect();
        v.sort_unstable_by(|a, b| key(a.1).cmp(&key(b.1)));
        v
    }
    fn key(i: &SharedIdent) -> (IdKind, &str) {
        (i.kind, i.value.as_str())
    }
    let (oi, ni) = (idents(&before), idents(&after));
    let mut add = |g: &'a Part, i: &'a SharedIdent| {
        out.extend(i.subjects.iter().map(|&s| g.names[s as usize].as_str()));
    };
    // Both lists are sorted by (kind, value), values unique: a merge join.
    let (mut a, mut b) = (0, 0);
    while a < oi.len() || b < ni.len() {
        match (oi.get(a), ni.get(b)) {
            (Some(&(og, o)), Some(&(ng, n))) if key(o) == key(n) => {
                if !same_ident(og, o, ng, n) {
                    add(og, o);
                    add(ng, n);
                }
                a += 1;
                b += 1;
            }
            (Some(&(og, o)), Some(&(_, n))) if key(o) < key(n) => {
                add(og, o);
                a += 1;
            }
            (Some(&(og, o)), None) => {
                add(og, o);
                a += 1;
            }
            (_, Some(&(ng, n))) => {
                add(ng, n);
                b += 1;
            }
            (None, None) => unreachable!(),
        }
    }
    out
}

/// The cluster of a subject, by name, with its part.
pub fn cluster_by_name<'a>(g: &'a LinkGraph, subject: &str) -> Option<(&'a Part, &'a Cluster)> {
    g.cluster_of(subject)
}

/// The member names of a cluster, in the part's (subject id) order.
pub fn member_names<'a>(g: &'a Part, c: &Cluster) -> Vec<&'a str> {
    c.members
        .iter()
        .map(|&m| g.names[m as usize].as_str())
        .collect()
}

/// What evidence shows of the edge between two subjects: its weight and, per identifier, kind,
/// value, weight, strength, number of sharers, class and payroll flag. `None` without an edge.
type EdgeView<'a> = (u64, Vec<(IdKind, &'a str, u64, bool, usize, IpClass, bool)>);

fn edge_view<'a>(g: &'a LinkGraph, a: &str, b: &str) -> Option<EdgeView<'a>> {
    let g = g.part(a)?;
    let (a, b) = (g.index_of(a)?, g.index_of(b)?);
    Some(view(g, g.edge_between(a, b)?))
}

fn view<'a>(g: &'a Part, e: &Edge) -> EdgeView<'a> {
    (
        e.weight.to_bits(),
        e.idents
            .iter()
            .map(|&k| {
                let i = &g.idents[k as usize];
                (
                    i.kind,
                    i.value.as_str(),
                    i.weight.to_bits(),
                    i.strong,
                    i.subjects.len(),
                    i.ip_class,
                    i.payroll,
                )
            })
            .collect(),
    )
}

/// Whether the edge between two subjects (by name) shows the same in both graphs.
pub fn same_edge(old: &LinkGraph, new: &LinkGraph, a: &str, b: &str) -> bool {
    edge_view(old, a, b) == edge_view(new, a, b)
}

/// Whether a subject's edges of at least `min_weight` show the same in both graphs: the same
/// other subjects in the same order, each edge as [`same_edge`] compares it.
pub fn same_edges_from(old: &LinkGraph, new: &LinkGraph, subject: &str, min_weight: f64) -> bool {
    fn edges<'a>(g: &'a LinkGraph, s: &str, min: f64) -> Vec<(&'a str, EdgeView<'a>)> {
        let Some((g, i)) = g.part(s).and_then(|g| Some((g, g.index_of(s)?))) else {
            return Vec::new();
        };
        g.edges_of_index(i)
            .filter(|e| e.weight >= min)
            .map(|e| (g.names[e.other(i) as usize].as_str(), view(g, e)))
            .collect()
    }
    edges(old, subject, min_weight) == edges(new, subject, min_weight)
}

/// [`Affected`] from the subjects a change reaches, touched ones included or not: the others,
/// sorted, or `Touched` when there are none.
pub fn besides(reached: BTreeSet<&str>, touched: &HashSet<&str>) -> Affected {
    let v: Vec<String> = reached
        .into_iter()
        .filter(|x| !touched.contains(x))
        .map(str::to_owned)
        .collect();
    if v.is_empty() {
        Affected::Touched
    } else {
        Affected::Also(v)
    }
}

/// Test helper: what a detector's new state says a change reaches, besides `touched`.
#[cfg(test)]
pub(crate) fn affected_by(
    d: &dyn crate::Detector,
    before: &crate::Dataset,
    after: &crate::Dataset,
    touched: &[&str],
) -> Affected {
    let (p1, p2) = (d.population(before), d.population(after));
    p2.affected(&*p1, &touched.iter().copied().collect())
}
