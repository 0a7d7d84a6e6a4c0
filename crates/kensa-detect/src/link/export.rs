//! Export of a subject's neighbourhood in the identifier graph, for analysts' own tools:
//! JSON and Graphviz DOT. Identifier values are masked (PII only where needed).

use super::{LinkGraph, mask};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A node of the neighbourhood.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub subject_id: String,
    /// Hops from the subject asked for.
    pub hops: usize,
}

/// An edge with the (masked) identifiers that explain it.
#[derive(Debug, Clone, Serialize)]
pub struct NeighbourEdge {
    pub a: String,
    pub b: String,
    pub weight: f64,
    /// `(kind, masked value, weight)` of each shared identifier.
    pub identifiers: Vec<(String, String, f64)>,
}

/// The subgraph within `depth` hops of one subject.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbourhood {
    pub subject_id: String,
    pub depth: usize,
    pub nodes: Vec<Node>,
    pub edges: Vec<NeighbourEdge>,
}

/// The neighbourhood of `subject` (None when the subject is unknown to the graph).
pub fn neighbourhood(g: &LinkGraph, subject: &str, depth: usize) -> Option<Neighbourhood> {
    // Every neighbour, at any depth, is in the subject's part.
    let g = g.part(subject)?;
    let start = g.index_of(subject)?;
    let mut hops: BTreeMap<u32, usize> = BTreeMap::new();
    hops.insert(start, 0);
    let mut frontier = vec![start];
    for h in 1..=depth {
        let mut next = Vec::new();
        for s in frontier {
            for e in g.edges_of_index(s) {
                let o = e.other(s);
                if let std::collections::btree_map::Entry::Vacant(v) = hops.entry(o) {
                    v.insert(h);
                    next.push(o);
                }
            }
        }
        frontier = next;
    }
    let members: BTreeSet<u32> = hops.keys().copied().collect();
    let edges = g
        .edges
        .iter()
        .filter(|e| members.contains(&e.a) && members.contains(&e.b))
        .map(|e| NeighbourEdge {
            a: g.names[e.a as usize].clone(),
            b: g.names[e.b as usize].clone(),
            weight: e.weight,
            identifiers: e
                .idents
                .iter()
                .map(|&i| {
                    let id = &g.idents[i as usize];
                    (
                        id.kind.as_str().to_owned(),
                        mask(id.kind, &id.value),
                        id.weight,
                    )
                })
                .collect(),
        })
        .collect();
    Some(Neighbourhood {
        subject_id: subject.to_owned(),
        depth,
        nodes: hops
            .iter()
            .map(|(&s, &h)| Node {
                subject_id: g.names[s as usize].clone(),
                hops: h,
            })
            .collect(),
        edges,
    })
}

fn dot_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Neighbourhood {
    /// Graphviz DOT (`dot -Tsvg`), edges labelled with the shared identifiers.
    pub fn to_dot(&self) -> String {
        let mut s = String::from("graph kensa {\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for n in &self.nodes {
            let style = if n.hops == 0 {
                ", style=filled, fillcolor=\"#f4cccc\""
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  {} [label={}{}];",
                dot_str(&n.subject_id),
                dot_str(&n.subject_id),
                style
            );
        }
        for e in &self.edges {
            let label: Vec<String> = e
                .identifiers
                .iter()
                .map(|(k, v, _)| format!("{k}: {v}"))
                .collect();
            let _ = writeln!(
                s,
                "  {} -- {} [label={}, penwidth={:.1}];",
                dot_str(&e.a),
                dot_str(&e.b),
                dot_str(&label.join("\n")),
                1.0 + e.weight.min(4.0)
            );
        }
        s.push_str("}\n");
        s
    }
}
