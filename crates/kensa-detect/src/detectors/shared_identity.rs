//! RF-LINK-SHARED-IDENTITY (detector `shared_identity`) — several accounts behind one person:
//! accounts that share a device, an e-mail address, a phone number, a payout account or
//! wallet, an identity-document number, a photo or a résumé text.
//!
//! The detector reads the identifier graph of [`crate::link`] and fires for every subject of a
//! cluster of at least two subjects when its links include a *strong* identifier (device,
//! e-mail, phone, payout, document number, photo hash, résumé text), or at least
//! `min_weak_kinds` different *weak* ones (IP, postal address, a payroll account). The
//! evidence lists the other subjects and every shared identifier with its kind, a partially
//! masked value (`j***@example.com`, IBAN last four) and its weight. Strength is the weight
//! of the subject's strongest link (all identifiers it shares with one other subject) over
//! `full_weight`: one shared e-mail or phone number alone — a family, a typo, a recycled number
//! — is a weak finding (0.4), the same device *and* passport *and* bank account is a full one.
//! A subject linked only by weak identifiers stays at or below `weak_max_strength`.
//!
//! False positives, and how the graph's weighting keeps them out (see [`crate::link`]):
//! * **Mobile carriers, corporate egress, privacy relays.** Fifty strangers behind one
//!   T-Mobile CGNAT address: the address is classified `mobile`, weighs 0, and yields no edge.
//!   Without intel, a value used by more than `max_hub_subjects` subjects is a hub and ignored.
//! * **Payment processors.** A processor's pooled account shared by hundreds is a hub.
//! * **Agencies and offices.** Five staff on one office line: each pair's IP weight is
//!   `0.6 × 2/5 = 0.24`, below `min_edge_weight`; the agency's business account they are all
//!   paid into names the employer each of them declares, so it counts as a weak payroll link
//!   (× `payroll_factor`). No cluster forms; at most a weak finding when weights are tuned up.
//! * **Households.** Two people sharing a home line and an address are two weak identifiers:
//!   a weak finding (≤ `weak_max_strength`) that due diligence resolves quickly.

use crate::link::{self, GraphParams, IdKind, LinkGraph, Part, diff};
use crate::{Affected, Dataset, Detector, DetectorSpec, Population, SubjectData, normalize, state};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "shared_identity",
    raises: &["RF-LINK-SHARED-IDENTITY"],
    summary: "several accounts share a device, e-mail, phone, payout account/wallet, document number, photo or résumé text (identifier graph)",
    false_positives: "mobile/corporate/relay addresses weigh 0 and values shared by more than max_hub_subjects subjects are ignored; location links are divided by the number of sharers; an agency's payroll account (beneficiary = the declared employer) is a weak link; weak-only links stay weak",
};

/// Parameters (`[detectors.shared_identity]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Without a strong identifier, this many different weak kinds (IP, address, payroll) are
    /// needed.
    pub min_weak_kinds: usize,
    /// Weight of the strongest link (to one other subject) at which strength reaches 1; one
    /// strong identifier alone gives `strong_weight / full_weight` (0.4 by default).
    pub full_weight: f64,
    /// Cap on the strength of a subject linked by weak identifiers only.
    pub weak_max_strength: f64,
    /// The identifier graph.
    pub graph: GraphParams,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_weak_kinds: 2,
            full_weight: 2.5,
            weak_max_strength: 0.4,
            graph: GraphParams::default(),
        }
    }
}

pub struct SharedIdentity(pub Params);

/// Record ids of a subject's records that carry one of the given identifiers (for evidence).
pub(crate) fn records_with(
    s: &SubjectData,
    g: &Part,
    idents: &BTreeSet<u32>,
    p: &GraphParams,
) -> Vec<String> {
    let wanted: BTreeSet<(IdKind, &str)> = idents
        .iter()
        .map(|&k| {
            let i = &g.idents[k as usize];
            (i.kind, i.value.as_str())
        })
        .collect();
    let has = |k: IdKind, v: Option<String>| v.is_some_and(|v| wanted.contains(&(k, v.as_str())));
    let mut out: Vec<String> = Vec::new();
    let dev = |d: &Option<String>| d.as_ref().map(|x| x.trim().to_owned());
    for l in &s.logins {
        if has(IdKind::Ip, Some(l.r.ip.to_string())) || has(IdKind::Device, dev(&l.r.device_id)) {
            out.push(l.id.clone());
        }
    }
    for e in &s.endpoints {
        if has(IdKind::Device, dev(&e.r.device_id)) {
            out.push(e.id.clone());
        }
    }
    for pr in &s.profiles {
        let r = &pr.r;
        if r.emails
            .iter()
            .any(|e| has(IdKind::Email, normalize::normalize_email(e)))
            || r.phones.iter().any(|x| {
                has(
                    IdKind::Phone,
                    normalize::normalize_phone(x, p.min_phone_digits),
                )
            })
            || has(
                IdKind::Photo,
                r.photo_sha256.as_ref().map(|h| h.trim().to_lowercase()),
            )
            || r.address
                .as_ref()
                .is_some_and(|a| has(IdKind::Address, normalize::normalize_address(a)))
            || r.bio.as_ref().is_some_and(|b| {
                has(
                    IdKind::ResumeText,
                    normalize::text_fingerprint(b, p.min_text_chars),
                )
            })
        {
            out.push(pr.id.clone());
        }
    }
    for a in &s.payout_accounts {
        let r = &a.r;
        if has(
            IdKind::Payout,
            normalize::payout_key(Some(&r.account_id), r.bank.as_ref(), r.crypto.as_ref()),
        ) {
            out.push(a.id.clone());
        }
    }
    for a in &s.payouts {
        let r = &a.r;
        if has(
            IdKind::Payout,
            normalize::payout_key(r.account_id.as_deref(), r.bank.as_ref(), r.crypto.as_ref()),
        ) {
            out.push(a.id.clone());
        }
    }
    for d in &s.id_documents {
        let r = &d.r;
        let num = r.number.as_deref().and_then(normalize::doc_key);
        if has(IdKind::Document, num)
            || has(
                IdKind::Photo,
                r.image_sha256.as_ref().map(|h| h.trim().to_lowercase()),
            )
            || r.address
                .as_ref()
                .is_some_and(|a| has(IdKind::Address, normalize::normalize_address(a)))
        {
            out.push(d.id.clone());
        }
    }
    for sh in &s.shipments {
        if [&sh.r.address, &sh.r.redirect_address]
            .into_iter()
            .flatten()
            .any(|a| has(IdKind::Address, normalize::normalize_address(a)))
        {
            out.push(sh.id.clone());
        }
    }
    out.truncate(50);
    out
}

/// The population state: the identifier graph (shared with the other link detectors through
/// the data set's cache).
pub struct State {
    pub graph: Arc<LinkGraph>,
    /// The graph's `min_edge_weight`: lighter edges are not part of a finding.
    min_edge_weight: f64,
}

impl Population for State {
    /// A subject's finding is made of its heavy edges (neighbours in data-set order, weights,
    /// the identifiers with their weights and sharer counts) and its cluster (members in
    /// data-set order). Its edges change only when one of its identifiers changes
    /// ([`diff::changed_subjects`]); its cluster only when some member's heavy edges change or
    /// a touched member moves in the data-set order. So the affected subjects are: those with
    /// changed identifiers whose heavy edges differ, plus, for every subject with changed
    /// identifiers and every touched subject, its old and its new cluster when the two differ
    /// (as ordered member lists). Nothing population-wide enters the graph: rarity and hubs
    /// are per value.
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let (old, new) = (&*state::<State>(before).graph, &*self.graph);
        let min = self.min_edge_weight;
        let mut seeds = diff::changed_subjects(old, new);
        let mut out: BTreeSet<&str> = seeds
            .iter()
            .copied()
            .filter(|x| !touched.contains(x) && !diff::same_edges_from(old, new, x, min))
            .collect();
        seeds.extend(touched.iter().copied());
        // Clusters compared already, by smallest member (old, new).
        let mut seen: HashSet<(Option<&str>, Option<&str>)> = HashSet::new();
        fn key<'a>(c: Option<(&'a Part, &link::Cluster)>) -> Option<&'a str> {
            c.map(|(p, c)| p.names[c.members[0] as usize].as_str())
        }
        for &x in &seeds {
            let (co, cn) = (diff::cluster_by_name(old, x), diff::cluster_by_name(new, x));
            if !seen.insert((key(co), key(cn))) {
                continue;
            }
            let (mo, mn) = (
                co.map(|(p, c)| diff::member_names(p, c)),
                cn.map(|(p, c)| diff::member_names(p, c)),
            );
            if mo != mn {
                out.extend(mo.into_iter().flatten());
                out.extend(mn.into_iter().flatten());
            }
        }
        diff::besides(out, touched)
    }
}

impl SharedIdentity {
    /// The finding about subject `si` of cluster `c`, if its links qualify.
    fn subject(
        &self,
        g: &Part,
        c: &link::Cluster,
        si: u32,
        s: &SubjectData,
    ) -> Option<Finding> {
        let p = &self.0;
        // The subject's heavy edges (those that make the cluster).
        let edges: Vec<&link::Edge> = g
            .edges_of_index(si)
            .filter(|e| e.weight >= p.graph.min_edge_weight)
            .collect();
        if edges.is_empty() {
            return None;
        }
        let idents: BTreeSet<u32> = edges
            .iter()
            .flat_map(|e| e.idents.iter().copied())
            .collect();
        let strong: Vec<u32> = idents
            .iter()
            .copied()
            .filter(|&k| g.idents[k as usize].strong)
            .collect();
        let weak_kinds: BTreeSet<(IdKind, bool)> = idents
            .iter()
            .map(|&k| &g.idents[k as usize])
            .filter(|i| !i.strong)
            .map(|i| (i.kind, i.payroll))
            .collect();
        if strong.is_empty() && weak_kinds.len() < p.min_weak_kinds {
            return None;
        }
        let total: f64 = idents.iter().map(|&k| g.idents[k as usize].weight).sum();
        // Strength follows the strongest single link (one other account sharing
        // several identifiers), not the sum over unrelated partners: two coincidences
        // with two different people are not one strong link.
        let best = edges.iter().map(|e| e.weight).fold(0.0, f64::max);
        let mut strength = (best / p.full_weight).clamp(0.05, 1.0);
        if strong.is_empty() {
            strength = strength.min(p.weak_max_strength);
        }
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for &k in &idents {
            *by_kind
                .entry(g.idents[k as usize].kind.as_str())
                .or_default() += 1;
        }
        let links: Vec<serde_json::Value> = edges
            .iter()
            .map(|e| {
                serde_json::json!({
                    "subject": g.names[e.other(si) as usize],
                    "weight": (e.weight * 1000.0).round() / 1000.0,
                    "identifiers": e.idents.iter().map(|&k| link::ident_json(g, k)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let others: Vec<&str> = edges
            .iter()
            .map(|e| g.names[e.other(si) as usize].as_str())
            .collect();
        let cluster_members: Vec<&str> = c
            .members
            .iter()
            .take(50)
            .map(|&m| g.names[m as usize].as_str())
            .collect();
        let kinds_en: Vec<&str> = by_kind.keys().copied().collect();
        let kinds_ja: Vec<&str> = {
            let mut v: Vec<IdKind> = idents.iter().map(|&k| g.idents[k as usize].kind).collect();
            v.sort();
            v.dedup();
            v.into_iter().map(IdKind::ja).collect()
        };
        let shown: Vec<&str> = others.iter().take(10).copied().collect();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LINK-SHARED-IDENTITY".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records_with(s, g, &idents, &p.graph))
                .value("linked_subjects", serde_json::json!(others))
                .value("cluster_size", c.members.len())
                .value("cluster_members", serde_json::json!(cluster_members))
                .value("links", serde_json::Value::Array(links))
                .value("identifier_kinds", serde_json::json!(by_kind))
                .value("strong_identifiers", strong.len())
                .value("total_weight", (total * 1000.0).round() / 1000.0)
                .value("strongest_link_weight", (best * 1000.0).round() / 1000.0)
                .threshold("min_edge_weight", p.graph.min_edge_weight)
                .threshold("max_hub_subjects", p.graph.max_hub_subjects)
                .threshold("min_weak_kinds", p.min_weak_kinds)
                .threshold("full_weight", p.full_weight)
                .threshold("weak_max_strength", p.weak_max_strength),
            explanation: Text::new(
                format!(
                    "This account shares {} with {} other account(s) ({}){}: identifiers of one \
                     person appearing under several identities. Link cluster of {} accounts, \
                     total identifier weight {total:.2}.",
                    kinds_en.join(", "),
                    others.len(),
                    shown.join(", "),
                    if strong.is_empty() {
                        " (weak identifiers only)"
                    } else {
                        ""
                    },
                    c.members.len()
                ),
                format!(
                    "このアカウントは他の{}アカウント（{}）と{}を共有しています{}。1人の識別子が複数の\
                     名義で使われている兆候です。関連クラスターは{}アカウント、識別子の重みの合計は{total:.2}です。",
                    others.len(),
                    shown.join("、"),
                    kinds_ja.join("・"),
                    if strong.is_empty() {
                        "（弱い識別子のみ）"
                    } else {
                        ""
                    },
                    c.members.len()
                ),
            ),
        })
    }
}

impl Detector for SharedIdentity {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }
    fn shared_identifiers_only(&self) -> bool {
        true
    }
    fn population_inputs(&self) -> &'static [&'static str] {
        diff::GRAPH_INPUTS
    }
    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        Box::new(State {
            graph: ds.link_graph(&self.0.graph),
            min_edge_weight: self.0.graph.min_edge_weight,
        })
    }
    fn evaluate(&self, _ds: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let Some(g) = state::<State>(pop).graph.part(&s.id) else {
            return Vec::new();
        };
        let Some(si) = g.index_of(&s.id) else {
            return Vec::new();
        };
        let Some(c) = g.cluster_of(si) else {
            return Vec::new();
        };
        self.subject(g, c, si, s).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::tests::{bank, ds, intel, login, profile};
    use kensa_model::intel::NetClass;

    fn run(d: &Dataset) -> Vec<Finding> {
        SharedIdentity(Params::default()).run(d)
    }

    #[test]
    fn three_accounts_one_device_and_one_passport_fire_strongly() {
        let mut lines = Vec::new();
        for (k, s) in ["a", "b", "c"].iter().enumerate() {
            lines.push(login(s, &format!("5.6.7.{k}"), "dev-shared"));
            lines.push(format!(
                r#"{{"kind":"identity_document","subject_id":"{s}","at":"2026-09-01T00:00:00Z","doc_type":"passport","issuing_country":"US","number":"512345678","name":"Person {k}"}}"#
            ));
            lines.push(profile(s, &format!("alexdev.pro{k}@outlook.com"), "Acme"));
        }
        lines.push(login("z", "5.6.7.9", "dev-other"));
        let f = run(&ds(&lines));
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].subject_id, "a");
        // Device + passport number with each other account: 2.0 of `full_weight` 2.5.
        assert!((f[0].strength - 0.8).abs() < 1e-9, "{}", f[0].strength);
        assert_eq!(
            f[0].evidence.values["linked_subjects"],
            serde_json::json!(["b", "c"])
        );
        let text = serde_json::to_string(&f[0].evidence.values["links"]).unwrap();
        assert!(
            text.contains("\"document\"") && text.contains("***678"),
            "{text}"
        );
        assert!(
            !text.contains("512345678"),
            "document number must be masked"
        );
        assert!(f[0].explanation.ja.contains("端末ID"));
        assert!(!f[0].evidence.records.is_empty());
    }

    #[test]
    fn fifty_subjects_behind_one_mobile_ip_do_not_fire() {
        let lines: Vec<String> = (0..50)
            .map(|k| login(&format!("m{k:02}"), "172.56.1.1", &format!("phone-{k}")))
            .collect();
        let mut d = ds(&lines);
        intel(&mut d, "172.56.1.1", &[NetClass::Mobile]);
        assert!(run(&d).is_empty());
    }

    /// Five agency staff: one office line (residential or corporate), own devices and e-mails,
    /// paid into the agency's account, all working for one client.
    #[test]
    fn agency_staff_do_not_fire_strongly() {
        for class in [&[][..], &[NetClass::Corporate][..]] {
            let mut lines = Vec::new();
            for k in 0..5 {
                let s = format!("s{k}");
                lines.push(login(&s, "73.1.1.1", &format!("laptop-{k}")));
                lines.push(profile(
                    &s,
                    &format!("staff{k}@example.com"),
                    "Brightpath Digital Inc.",
                ));
                lines.push(bank(&s, "99887766", "BRIGHTPATH DIGITAL INC"));
                lines.push(format!(
                    r#"{{"kind":"contract","subject_id":"{s}","at":"2026-08-01T00:00:00Z","client_id":"client-1"}}"#
                ));
            }
            let mut d = ds(&lines);
            intel(&mut d, "73.1.1.1", class);
            let f = run(&d);
            assert!(f.iter().all(|f| f.strength <= 0.4), "{f:?}");
        }
    }

    #[test]
    fn a_household_is_weak_at_most() {
        let addr = r#""address":{"line1":"12 Oak St","postal_code":"60601","country":"US"}"#;
        let lines = vec![
            login("a", "73.2.2.2", "d-a"),
            login("b", "73.2.2.2", "d-b"),
            format!(r#"{{"kind":"subject","subject_id":"a","source":"p",{addr}}}"#),
            format!(r#"{{"kind":"subject","subject_id":"b","source":"p",{addr}}}"#),
        ];
        let mut d = ds(&lines);
        intel(&mut d, "73.2.2.2", &[]);
        let f = run(&d);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.strength <= 0.4));
    }

    /// A new account joining a cluster changes every member's finding (cluster size and
    /// members); an unrelated login changes nobody else's.
    #[test]
    fn affected_is_the_cluster_a_change_reaches() {
        use crate::Affected;
        use crate::link::diff::affected_by;
        let d = SharedIdentity(Params::default());
        let before = vec![
            login("a", "5.6.7.1", "dev-shared"),
            login("b", "5.6.7.2", "dev-shared"),
            login("x", "5.6.7.3", "dev-x"),
            login("y", "5.6.7.4", "dev-x"),
        ];
        let mut after = before.clone();
        after.push(login("c", "5.6.7.5", "dev-shared"));
        assert_eq!(
            affected_by(&d, &ds(&before), &ds(&after), &["c"]),
            Affected::Also(vec!["a".into(), "b".into()])
        );
        let mut after = before.clone();
        after.push(login("z", "5.6.7.9", "dev-z"));
        assert_eq!(
            affected_by(&d, &ds(&before), &ds(&after), &["z"]),
            Affected::Touched
        );
        // A member's new login that links nobody new changes nobody else's finding.
        let mut after = before.clone();
        after.push(login("a", "5.6.7.8", "dev-shared"));
        assert_eq!(
            affected_by(&d, &ds(&before), &ds(&after), &["a"]),
            Affected::Touched
        );
    }
}
