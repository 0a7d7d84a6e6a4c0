//! RF-LINK-SHARED-IDENTITY (detector `laptop_farm`) — a laptop farm and its facilitator.
//!
//! A facilitator in the US (or Japan) receives the company laptops of several remote
//! "employees" at home, keeps them running, and lets DPRK workers control them through
//! remote-access software or an IP-KVM; the salaries go to an account the facilitator holds.
//! The detector groups subjects that are linked by the identifiers of such a place and such a
//! person — a shared *residential* IP address, a shared postal address (profile, identity
//! document, shipment or shipment redirect), a shared payout destination that is not an
//! employer's payroll account — and fires for groups of at least `min_members` when, besides
//! a shared place, at least `min_signals` of these are true:
//! * **shared line:** at least two members log in from one residential address;
//! * **shipped together:** shipments of at least two members are delivered or redirected to
//!   one address that is not their own declared (profile or identity-document) address;
//! * **facilitator:** one payout destination receives for at least `facilitator_min_members`
//!   members;
//! * **remote control:** at least `tools_min_members` members' endpoints show remote-access
//!   software or an IP-KVM (the policy's `[detectors.endpoint_tools]` lists, allow-list
//!   included, matched as `endpoint_tools` matches them).
//!
//! **Two-person farms** (issue 17): a facilitator may run just two laptops. A group of exactly
//! two members (below `min_members`) fires when `pair_farms` is on and the two share a
//! residential line *and* either both run remote-access software or an IP-KVM, or they log in
//! from one device (a fifth signal, **shared device**, counted for pairs only).
//!
//! Strength is `0.2 + 0.2 × signals` (capped at 1). The evidence lists the members, the shared
//! addresses (masked), the payout destination with the beneficiary names, and each member's
//! tools. `shared_residential_ip` (RF-NET-ANONYMIZER) keeps reporting the bare shared line;
//! this detector reports the *identity* link when the farm's other traces agree.
//!
//! False positives: an agency's staff share an office line and are paid into the agency's
//! account — but that account names the employer every one of them declares (payroll, not a
//! facilitator), and nothing is shipped to one place or remotely controlled: one signal, no
//! finding. Subscribers of a mobile carrier share CGNAT addresses, which are not residential
//! and do not link. A family of remote workers sharing a home line and receiving their laptops
//! at their own declared address has one signal (the line): deliveries to one's own address do
//! not count as "shipped together"; two members of a household on one line, one of whom uses a
//! remote-support tool for work, are not a two-person farm (both need the tools). Addresses
//! with no intel are not counted as a shared line (unknown is not
//! evidence) unless `count_unknown_ips` is set. A family sharing a home has no facilitator
//! account and no remote-control tools.

use crate::detectors::endpoint_tools;
use crate::detectors::login_multi_country::describe_ip;
use crate::link::{self, GraphParams, IdKind, IpClass, Part, UnionFind, diff};
use crate::normalize;
use crate::{
    Affected, Change, Dataset, Detector, DetectorSpec, Population, SubjectData, state, state_mut,
};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "laptop_farm",
    raises: &["RF-LINK-SHARED-IDENTITY"],
    summary: "laptop farm: several workers linked by one residential line or delivery address plus a facilitator's payout account, shipments to one place or remote-control tools; two accounts on one residential line with remote-control tools on both or one shared device",
    false_positives: "a shared place alone never fires (office, household); a household pair where only one runs a remote-support tool does not fire; an employer's payroll account is not a facilitator; mobile/corporate/relay addresses do not link; unknown addresses do not count by default",
};

/// Parameters (`[detectors.laptop_farm]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Minimum number of linked subjects.
    pub min_members: usize,
    /// Signals needed besides a shared place (of: shared line, shipped together,
    /// facilitator, remote control).
    pub min_signals: usize,
    /// Members paid into one destination for the facilitator signal.
    pub facilitator_min_members: usize,
    /// Members with remote-access or IP-KVM evidence for the remote-control signal.
    pub tools_min_members: usize,
    /// Count IP addresses the intel sources do not know as a shared line.
    pub count_unknown_ips: bool,
    /// Groups of two fire too when they share a residential line and both run remote-control
    /// tools, or they share a device.
    pub pair_farms: bool,
    /// The identifier graph.
    pub graph: GraphParams,
    /// The tool lists, taken from `[detectors.endpoint_tools]` when the detectors are built
    /// from a policy (one list serves both detectors); not a setting of this section.
    #[serde(skip)]
    pub tools: endpoint_tools::Params,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_members: 3,
            min_signals: 2,
            facilitator_min_members: 2,
            tools_min_members: 2,
            count_unknown_ips: false,
            pair_farms: true,
            graph: GraphParams::default(),
            tools: endpoint_tools::Params::default(),
        }
    }
}

pub struct LaptopFarm(pub Params);

/// The subject at a graph index (graph indexes follow subject ids, not the data set's order).
fn member<'a>(ds: &'a Dataset, g: &Part, m: u32) -> &'a SubjectData {
    ds.get(&g.names[m as usize])
        .expect("the graph was built from this data set")
}

/// The normalised addresses a subject declares as its own (profiles, identity documents).
fn own_addresses(ds: &Dataset, g: &Part, m: u32) -> BTreeSet<String> {
    let s = member(ds, g, m);
    s.profiles
        .iter()
        .filter_map(|p| p.r.address.as_ref())
        .chain(s.id_documents.iter().filter_map(|d| d.r.address.as_ref()))
        .filter_map(normalize::normalize_address)
        .collect()
}

impl LaptopFarm {
    fn counts(&self, i: &link::SharedIdent) -> bool {
        match i.kind {
            IdKind::Ip => {
                i.ip_class == IpClass::Residential
                    || (self.0.count_unknown_ips && i.ip_class == IpClass::Unknown)
            }
            IdKind::Address => true,
            IdKind::Payout => !i.payroll,
            _ => false,
        }
    }

    /// The groups that fire in one part of the graph (of this data set), with what their
    /// members' findings show. A group is connected through shared values, so it never spans
    /// two parts.
    fn farms(&self, ds: &Dataset, g: &Part) -> Vec<Farm> {
        let p = &self.0;
        let tools = &p.tools;
        let n = g.names.len();
        let relevant: Vec<u32> = (0..g.idents.len() as u32)
            .filter(|&k| self.counts(&g.idents[k as usize]))
            .collect();
        let mut uf = UnionFind::new(n);
        for &k in &relevant {
            let s = &g.idents[k as usize].subjects;
            for w in s.windows(2) {
                uf.union(w[0], w[1]);
            }
        }
        let mut groups: BTreeMap<u32, (BTreeSet<u32>, Vec<u32>)> = BTreeMap::new();
        for &k in &relevant {
            let s = &g.idents[k as usize].subjects;
            let r = uf.find(s[0]);
            let e = groups.entry(r).or_default();
            e.0.extend(s.iter().copied());
            e.1.push(k);
        }
        let mut groups: Vec<(BTreeSet<u32>, Vec<u32>)> = groups.into_values().collect();
        groups.sort_by_key(|g| g.0.first().copied());
        let mut out = Vec::new();
        for (members, idents) in groups {
            let pair = members.len() == 2 && p.min_members > 2 && p.pair_farms;
            if members.len() < p.min_members && !pair {
                continue;
            }
            // Shared line.
            let ips: Vec<u32> = idents
                .iter()
                .copied()
                .filter(|&k| g.idents[k as usize].kind == IdKind::Ip)
                .collect();
            let line_members: BTreeSet<u32> = ips
                .iter()
                .flat_map(|&k| g.idents[k as usize].subjects.iter().copied())
                .collect();
            // Shipped together: an address ident shared by ≥ 2 members' shipments.
            let addrs: Vec<u32> = idents
                .iter()
                .copied()
                .filter(|&k| g.idents[k as usize].kind == IdKind::Address)
                .collect();
            let mut ship: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            let mut ship_records: Vec<String> = Vec::new();
            for &k in &addrs {
                let v = &g.idents[k as usize].value;
                for &m in &g.idents[k as usize].subjects {
                    // Deliveries to one's own declared home are ordinary (a family of remote
                    // workers); a farm receives laptops addressed to other people's homes.
                    if own_addresses(ds, g, m).contains(v) {
                        continue;
                    }
                    for sh in &member(ds, g, m).shipments {
                        let hit = [&sh.r.address, &sh.r.redirect_address]
                            .into_iter()
                            .flatten()
                            .any(|a| {
                                normalize::normalize_address(a).as_deref() == Some(v.as_str())
                            });
                        if hit {
                            ship.entry(k).or_default().insert(m);
                            ship_records.push(sh.id.clone());
                        }
                    }
                }
            }
            ship.retain(|_, s| s.len() >= 2);
            let ship_members: BTreeSet<u32> = ship.values().flatten().copied().collect();
            // Facilitator.
            let pays: Vec<u32> = idents
                .iter()
                .copied()
                .filter(|&k| {
                    let i = &g.idents[k as usize];
                    i.kind == IdKind::Payout && i.subjects.len() >= p.facilitator_min_members
                })
                .collect();
            let pay_members: BTreeSet<u32> = pays
                .iter()
                .flat_map(|&k| g.idents[k as usize].subjects.iter().copied())
                .collect();
            let pay_values: BTreeSet<&str> = pays
                .iter()
                .map(|&k| g.idents[k as usize].value.as_str())
                .collect();
            let mut beneficiaries: BTreeSet<String> = BTreeSet::new();
            let mut pay_records: Vec<String> = Vec::new();
            for &m in &pay_members {
                let s = member(ds, g, m);
                for a in &s.payout_accounts {
                    let key = normalize::payout_key(
                        Some(&a.r.account_id),
                        a.r.bank.as_ref(),
                        a.r.crypto.as_ref(),
                    );
                    if key.is_some_and(|k| pay_values.contains(k.as_str())) {
                        beneficiaries.extend(a.r.beneficiary_name.clone());
                        pay_records.push(a.id.clone());
                    }
                }
                for a in &s.payouts {
                    let key = normalize::payout_key(
                        a.r.account_id.as_deref(),
                        a.r.bank.as_ref(),
                        a.r.crypto.as_ref(),
                    );
                    if key.is_some_and(|k| pay_values.contains(k.as_str())) {
                        beneficiaries.extend(a.r.beneficiary_name.clone());
                        if pay_records.len() < 20 {
                            pay_records.push(a.id.clone());
                        }
                    }
                }
            }
            // Remote control.
            let mut tool_hits: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
            let mut tool_records: Vec<String> = Vec::new();
            for &m in &members {
                for e in &member(ds, g, m).endpoints {
                    let name = e.r.name.as_deref().unwrap_or("");
                    let hay =
                        format!("{name}\n{}", e.r.detail.as_deref().unwrap_or("")).to_lowercase();
                    if endpoint_tools::matches(&hay, &tools.allow).is_some() {
                        continue;
                    }
                    let hit = endpoint_tools::matches(&hay, &tools.remote_access)
                        .or_else(|| endpoint_tools::matches(&hay, &tools.ip_kvm));
                    if hit.is_some() {
                        tool_hits.entry(m).or_default().insert(name.to_owned());
                        tool_records.push(e.id.clone());
                    }
                }
            }
            let sig_line = line_members.len() >= 2;
            let sig_ship = !ship_members.is_empty();
            let sig_pay = !pays.is_empty();
            let sig_tools = tool_hits.len() >= p.tools_min_members.min(members.len());
            // Pairs only: the two log in from one device.
            let devices: Vec<String> = match (pair, members.first(), members.last()) {
                (true, Some(&a), Some(&b)) => g
                    .edge_between(a, b)
                    .map(|e| {
                        e.idents
                            .iter()
                            .map(|&k| &g.idents[k as usize])
                            .filter(|i| i.kind == IdKind::Device)
                            .map(|i| i.value.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let sig_device = !devices.is_empty();
            let place = sig_line || sig_ship;
            let signals = [sig_line, sig_ship, sig_pay, sig_tools, sig_device]
                .iter()
                .filter(|x| **x)
                .count();
            if !place || signals < p.min_signals.max(1) {
                continue;
            }
            // A pair needs the shared line and one of: tools on both, one device.
            if pair && !(sig_line && (sig_tools || sig_device)) {
                continue;
            }
            let strength = (0.2 + 0.2 * signals as f64).min(1.0);
            let names: Vec<String> = members
                .iter()
                .map(|&m| g.names[m as usize].clone())
                .collect();
            let lines: Vec<String> = ips
                .iter()
                .map(|&k| {
                    let i = &g.idents[k as usize];
                    let d = i
                        .value
                        .parse::<IpAddr>()
                        .map(|ip| describe_ip(ds, ip))
                        .unwrap_or_else(|_| i.value.clone());
                    format!("{d} — {} subjects", i.subjects.len())
                })
                .collect();
            let ship_json: Vec<serde_json::Value> = ship
                .iter()
                .map(|(&k, s)| {
                    serde_json::json!({
                        "address": link::mask(IdKind::Address, &g.idents[k as usize].value),
                        "subjects": s.iter().map(|&m| g.names[m as usize].as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let pay_json: Vec<serde_json::Value> = pays
                .iter()
                .map(|&k| {
                    let i = &g.idents[k as usize];
                    serde_json::json!({
                        "destination": link::mask(IdKind::Payout, &i.value),
                        "subjects": i.subjects.iter().map(|&m| g.names[m as usize].as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let tools_json: BTreeMap<String, Vec<String>> = tool_hits
                .iter()
                .map(|(&m, t)| (g.names[m as usize].clone(), t.iter().cloned().collect()))
                .collect();
            let mut sig_en: Vec<&'static str> = Vec::new();
            let mut sig_ja: Vec<&'static str> = Vec::new();
            for (on, en, ja) in [
                (
                    sig_line,
                    "one residential internet line",
                    "同一の住宅用回線",
                ),
                (sig_ship, "shipments to one address", "同一住所への配送"),
                (
                    sig_pay,
                    "one payout account for several workers",
                    "複数人の報酬を受け取る同一口座",
                ),
                (
                    sig_tools,
                    "remote-access / IP-KVM tools",
                    "遠隔操作ツール・IP-KVM",
                ),
                (sig_device, "one device for both accounts", "両アカウントで同一端末"),
            ] {
                if on {
                    sig_en.push(en);
                    sig_ja.push(ja);
                }
            }
            let benef: Vec<String> = beneficiaries.iter().take(10).cloned().collect();
            // The involved members (on the shared line, shipped together or paid into the
            // facilitator's account) and their own records among the group's.
            let group_records: HashSet<&String> = ship_records
                .iter()
                .chain(&pay_records)
                .chain(&tool_records)
                .collect();
            let own: BTreeMap<String, Vec<String>> = members
                .iter()
                .filter(|m| {
                    line_members.contains(m) || ship_members.contains(m) || pay_members.contains(m)
                })
                .map(|&m| {
                    let s = member(ds, g, m);
                    let recs: Vec<String> = s
                        .shipments
                        .iter()
                        .map(|r| &r.id)
                        .chain(s.payout_accounts.iter().map(|r| &r.id))
                        .chain(s.payouts.iter().map(|r| &r.id))
                        .chain(s.endpoints.iter().map(|r| &r.id))
                        .filter(|r| group_records.contains(r))
                        .cloned()
                        .collect();
                    (g.names[m as usize].clone(), recs)
                })
                .collect();
            out.push(Farm {
                summary: Summary {
                    strength,
                    names,
                    sig_en,
                    sig_ja,
                    line_ips: ips
                        .iter()
                        .map(|&k| g.idents[k as usize].value.clone())
                        .collect(),
                    devices,
                    lines,
                    ship_json,
                    pay_json,
                    benef,
                    tools_json,
                },
                own,
            });
        }
        out
    }

    /// The finding about one involved member of a farm, given its own records among the
    /// farm's.
    fn finding(&self, f: &Summary, own: &[String], s: &SubjectData) -> Finding {
        let p = &self.0;
        let mut records: Vec<String> = own.to_vec();
        records.extend(
            s.logins
                .iter()
                .filter(|l| f.line_ips.iter().any(|ip| *ip == l.r.ip.to_string()))
                .take(10)
                .map(|l| l.id.clone()),
        );
        records.extend(
            s.logins
                .iter()
                .filter(|l| {
                    l.r.device_id
                        .as_deref()
                        .is_some_and(|d| f.devices.iter().any(|x| x == d.trim()))
                })
                .take(5)
                .map(|l| l.id.clone()),
        );
        records.dedup();
        records.truncate(50);
        let others: Vec<&str> = f
            .names
            .iter()
            .map(String::as_str)
            .filter(|x| *x != s.id.as_str())
            .collect();
        let (sig_en, sig_ja, benef) = (&f.sig_en, &f.sig_ja, &f.benef);
        Finding {
            subject_id: s.id.clone(),
            id: "RF-LINK-SHARED-IDENTITY".into(),
            detector: SPEC.name.into(),
            strength: f.strength,
            evidence: Evidence::default()
                .records(records)
                .value("members", serde_json::json!(f.names))
                .value("signals", serde_json::json!(sig_en))
                .value("shared_lines", serde_json::json!(f.lines))
                .value(
                    "shared_shipping_addresses",
                    serde_json::Value::Array(f.ship_json.clone()),
                )
                .value(
                    "shared_payout_destinations",
                    serde_json::Value::Array(f.pay_json.clone()),
                )
                .value("beneficiaries", serde_json::json!(benef))
                .value("remote_control_tools", serde_json::json!(f.tools_json))
                .threshold("min_members", p.min_members)
                .threshold("min_signals", p.min_signals)
                .threshold("facilitator_min_members", p.facilitator_min_members)
                .threshold("tools_min_members", p.tools_min_members)
                .threshold("count_unknown_ips", p.count_unknown_ips),
            explanation: Text::new(
                format!(
                    "Laptop-farm pattern: this worker and {} other(s) ({}) are linked by {}{}.",
                    others.len(),
                    others
                        .iter()
                        .take(10)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                    sig_en.join(", "),
                    if benef.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; the shared payout account's beneficiary: {}",
                            benef.join(", ")
                        )
                    }
                ),
                format!(
                    "ラップトップファームの特徴：この作業者と他の{}名（{}）は{}でつながっています{}。",
                    others.len(),
                    others
                        .iter()
                        .take(10)
                        .copied()
                        .collect::<Vec<_>>()
                        .join("、"),
                    sig_ja.join("・"),
                    if benef.is_empty() {
                        String::new()
                    } else {
                        format!("（共有口座の名義人：{}）", benef.join("、"))
                    }
                ),
            ),
        }
    }
}

/// A group that fires.
#[derive(Debug, PartialEq)]
struct Farm {
    summary: Summary,
    /// Per involved member (on the shared line, shipped together or paid into the
    /// facilitator's account: the members with a finding), its own shipment, payout and
    /// endpoint records among the group's evidence, in its own order.
    own: BTreeMap<String, Vec<String>>,
}

/// What every involved member's finding shows of the group.
#[derive(Debug, PartialEq)]
struct Summary {
    strength: f64,
    /// Every member, in data-set order.
    names: Vec<String>,
    sig_en: Vec<&'static str>,
    sig_ja: Vec<&'static str>,
    /// The shared residential (or unknown) addresses, as identifier values.
    line_ips: Vec<String>,
    /// The device ids both members of a pair log in from.
    devices: Vec<String>,
    lines: Vec<String>,
    ship_json: Vec<serde_json::Value>,
    pay_json: Vec<serde_json::Value>,
    benef: Vec<String>,
    tools_json: BTreeMap<String, Vec<String>>,
}

/// The population state: the groups that fire, per part of the graph (keyed by the part's
/// first subject id), and the farm of each involved member.
pub struct State {
    /// The graph version the farms were found in.
    version: u64,
    by_part: HashMap<String, Vec<Farm>>,
    of: HashMap<String, (String, usize)>,
}

impl State {
    fn farm(&self, subject: &str) -> Option<&Farm> {
        let (k, i) = self.of.get(subject)?;
        self.by_part.get(k).map(|fs| &fs[*i])
    }

    /// Puts the farms of one part in (replacing what the part held).
    fn put(&mut self, key: String, farms: Vec<Farm>) {
        if farms.is_empty() {
            return;
        }
        for (i, f) in farms.iter().enumerate() {
            for m in f.own.keys() {
                self.of.insert(m.clone(), (key.clone(), i));
            }
        }
        self.by_part.insert(key, farms);
    }

    /// Takes the farms of one part out.
    fn take(&mut self, key: &str) -> Vec<Farm> {
        let farms = self.by_part.remove(key).unwrap_or_default();
        for f in &farms {
            for m in f.own.keys() {
                if self.of.get(m).is_some_and(|(k, _)| k == key) {
                    self.of.remove(m);
                }
            }
        }
        farms
    }
}

/// Whether a member's finding differs between two farms (or the lack of one).
fn member_differs(name: &str, a: Option<&Farm>, b: Option<&Farm>) -> bool {
    match (a, b) {
        (Some(fa), Some(fb)) => fa.summary != fb.summary || fa.own.get(name) != fb.own.get(name),
        (None, None) => false,
        _ => true,
    }
}

impl Population for State {
    /// A member's finding is made of its farm's [`Summary`], its own records among the farm's
    /// and its own logins, so the affected subjects are the involved members (in either state)
    /// whose farm's summary or own farm records differ between the two states, or that are
    /// involved in one state only. The groups are connected components of shared places and
    /// payout destinations; nothing population-wide enters them.
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let old = state::<State>(before);
        let out: BTreeSet<&str> = old
            .of
            .keys()
            .chain(self.of.keys())
            .map(String::as_str)
            .filter(|name| member_differs(name, old.farm(name), self.farm(name)))
            .collect();
        diff::besides(out, touched)
    }
}

impl Detector for LaptopFarm {
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
    /// The remote-control signal reads the members' endpoint records themselves.
    fn direct_population_inputs(&self) -> &'static [&'static str] {
        &["endpoint"]
    }
    fn population_inputs(&self) -> &'static [&'static str] {
        diff::GRAPH_INPUTS
    }
    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        use rayon::prelude::*;
        let g = ds.link_graph(&self.0.graph);
        let found: Vec<(String, Vec<Farm>)> = g
            .parts()
            .par_iter()
            .map(|p| (p.names[0].clone(), self.farms(ds, p)))
            .collect();
        let mut st = State {
            version: g.version(),
            by_part: HashMap::new(),
            of: HashMap::new(),
        };
        for (key, farms) in found {
            st.put(key, farms);
        }
        Box::new(st)
    }
    /// In place: the farms of the parts the graph replaced since the state was made, and of
    /// the touched subjects' parts (a farm reads its members' shipments, payouts, addresses
    /// and endpoint records themselves), are found again; the rest stay.
    fn update_population(
        &self,
        state: &mut dyn Population,
        ds: &Dataset,
        change: &Change<'_>,
    ) -> Option<Affected> {
        let g = ds.link_graph(&self.0.graph);
        let st = state_mut::<State>(state);
        let mut gone: Vec<String> = Vec::new();
        let mut redo: BTreeMap<&str, &Part> = BTreeMap::new();
        if g.version() != st.version {
            let d = g.delta().filter(|d| d.from == st.version)?;
            gone.extend(d.removed.iter().map(|p| p.names[0].clone()));
            redo.extend(d.added.iter().map(|p| (p.names[0].as_str(), &**p)));
        }
        for t in change.touched_ids {
            if let Some(p) = g.part(t) {
                redo.insert(p.names[0].as_str(), p);
            }
        }
        gone.extend(redo.keys().map(|k| (*k).to_owned()));
        gone.sort_unstable();
        gone.dedup();
        let old: Vec<Farm> = gone.iter().flat_map(|k| st.take(k)).collect();
        let found: Vec<(String, Vec<Farm>)> = redo
            .iter()
            .map(|(k, p)| ((*k).to_owned(), self.farms(ds, p)))
            .collect();
        let mut names: BTreeSet<String> = old.iter().flat_map(|f| f.own.keys().cloned()).collect();
        for (key, farms) in found {
            names.extend(farms.iter().flat_map(|f| f.own.keys().cloned()));
            st.put(key, farms);
        }
        st.version = g.version();
        let old_of: HashMap<&str, &Farm> = old
            .iter()
            .flat_map(|f| f.own.keys().map(move |m| (m.as_str(), f)))
            .collect();
        let out: Vec<String> = names
            .into_iter()
            .filter(|n| !change.touched_ids.contains(n.as_str()))
            .filter(|n| member_differs(n, old_of.get(n.as_str()).copied(), st.farm(n)))
            .collect();
        Some(if out.is_empty() {
            Affected::Touched
        } else {
            Affected::Also(out)
        })
    }
    fn evaluate(&self, _ds: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let st = state::<State>(pop);
        let Some(f) = st.farm(&s.id) else {
            return Vec::new();
        };
        let own = f.own.get(&s.id).map_or(&[][..], Vec::as_slice);
        vec![self.finding(&f.summary, own, s)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::tests::{bank, ds, intel, login, profile};
    use kensa_model::intel::NetClass;

    fn ship(sub: &str, line1: &str, redirect: Option<&str>) -> String {
        let a = |l: &str| {
            format!(r#"{{"line1":"{l}","city":"Phoenix","postal_code":"85015","country":"US"}}"#)
        };
        match redirect {
            Some(r) => format!(
                r#"{{"kind":"shipment","subject_id":"{sub}","at":"2026-09-03T00:00:00Z","status":"redirected","address":{},"redirect_address":{}}}"#,
                a(line1),
                a(r)
            ),
            None => format!(
                r#"{{"kind":"shipment","subject_id":"{sub}","at":"2026-09-02T00:00:00Z","status":"delivered","address":{}}}"#,
                a(line1)
            ),
        }
    }

    fn endpoint(sub: &str, name: &str) -> String {
        format!(
            r#"{{"kind":"endpoint","subject_id":"{sub}","at":"2026-09-04T00:00:00Z","observation":"running_process","name":"{name}"}}"#
        )
    }

    #[test]
    fn farm_with_facilitator_shipments_and_kvm_fires() {
        let mut lines = Vec::new();
        for k in 0..4 {
            let s = format!("w{k}");
            lines.push(login(&s, "73.5.5.5", &format!("laptop-{k}")));
            lines.push(ship(&s, "4321 W Camelback Rd", None));
            lines.push(ship(
                &s,
                &format!("{k}0 Main St"),
                Some("4321 W Camelback Rd."),
            ));
            lines.push(bank(&s, "44556677", "JANET L. WHITFIELD"));
            lines.push(endpoint(&s, if k % 2 == 0 { "AnyDesk" } else { "PiKVM" }));
        }
        let mut d = ds(&lines);
        intel(&mut d, "73.5.5.5", &[]);
        let f = LaptopFarm(Params::default()).run(&d);
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].strength, 1.0);
        assert_eq!(f[0].id, "RF-LINK-SHARED-IDENTITY");
        assert_eq!(f[0].detector, "laptop_farm");
        assert_eq!(
            f[0].evidence.values["members"],
            serde_json::json!(["w0", "w1", "w2", "w3"])
        );
        assert_eq!(
            f[0].evidence.values["beneficiaries"],
            serde_json::json!(["JANET L. WHITFIELD"])
        );
        assert!(f[0].explanation.ja.contains("ラップトップファーム"));
        // Without intel the line does not count, the rest still does.
        let f = LaptopFarm(Params::default()).run(&ds(&lines));
        assert_eq!(f.len(), 4);
        assert!((f[0].strength - 0.8).abs() < 1e-9);
    }

    /// The remote-control signal follows the policy's tool lists: a tool the employer adds
    /// to `remote_access` counts, and the same tool on its `allow` list (say, its own support
    /// tool) no longer does.
    #[test]
    fn the_remote_control_signal_uses_the_policys_tool_lists() {
        let mut lines = Vec::new();
        for k in 0..3 {
            let s = format!("w{k}");
            lines.push(login(&s, "73.5.5.5", &format!("laptop-{k}")));
            lines.push(endpoint(
                &s,
                if k == 0 { "AnyDesk" } else { "HelpDeskPlus" },
            ));
        }
        let mut d = ds(&lines);
        intel(&mut d, "73.5.5.5", &[]);
        // Shared line alone: one signal besides the place is not enough.
        assert!(LaptopFarm(Params::default()).run(&d).is_empty());
        let mut policy = crate::detectors::DetectorParams::default();
        policy
            .endpoint_tools
            .remote_access
            .push("helpdeskplus".into());
        let built = crate::detectors::build_all(&policy);
        let farm = built.iter().find(|x| x.name() == "laptop_farm").unwrap();
        assert_eq!(farm.run(&d).len(), 3, "custom tool on two endpoints");
        policy.endpoint_tools.allow.push("helpdeskplus".into());
        let built = crate::detectors::build_all(&policy);
        let farm = built.iter().find(|x| x.name() == "laptop_farm").unwrap();
        assert!(farm.run(&d).is_empty(), "allowed tool no longer counts");
    }

    /// Issue 17, item 5: two accounts on one home line with remote-control tools on both, or
    /// logging in from one device, are a two-person farm. Guards: a couple on one line where
    /// only one runs a remote-support tool, and a couple on one line with their own devices.
    #[test]
    fn two_person_farms_fire_and_households_do_not() {
        let mut lines = vec![
            // Tools on both.
            login("t1", "73.7.7.1", "laptop-t1"),
            login("t2", "73.7.7.1", "laptop-t2"),
            endpoint("t1", "AnyDesk"),
            endpoint("t2", "TinyPilot KVM"),
            // One device, one line.
            login("d1", "73.7.7.2", "dev-shared"),
            login("d2", "73.7.7.2", "dev-shared"),
            // Household: one runs a remote-support tool for work.
            login("h1", "73.7.7.3", "laptop-h1"),
            login("h2", "73.7.7.3", "laptop-h2"),
            endpoint("h1", "AnyDesk"),
            // Household: one line, own devices, nothing else.
            login("c1", "73.7.7.4", "laptop-c1"),
            login("c2", "73.7.7.4", "laptop-c2"),
        ];
        lines.push(endpoint("h2", "Slack"));
        let mut d = ds(&lines);
        for ip in ["73.7.7.1", "73.7.7.2", "73.7.7.3", "73.7.7.4"] {
            intel(&mut d, ip, &[]);
        }
        let mut f = LaptopFarm(Params::default()).run(&d);
        f.sort_by(|a, b| a.subject_id.cmp(&b.subject_id));
        let got: Vec<(&str, f64)> = f
            .iter()
            .map(|f| (f.subject_id.as_str(), crate::util::round2(f.strength)))
            .collect();
        assert_eq!(
            got,
            [("d1", 0.6), ("d2", 0.6), ("t1", 0.6), ("t2", 0.6)],
            "{f:#?}"
        );
        assert_eq!(
            f[0].evidence.values["signals"],
            serde_json::json!(["one residential internet line", "one device for both accounts"])
        );
        assert!(f[0].explanation.ja.contains("同一端末"), "{}", f[0].explanation.ja);
        // The pair rule can be switched off.
        let off = Params {
            pair_farms: false,
            ..Params::default()
        };
        assert!(LaptopFarm(off).run(&d).is_empty());
    }

    /// Three remote workers of one family: one home line, laptops delivered to the home they
    /// all declare.
    #[test]
    fn a_family_of_remote_workers_does_not_fire() {
        let mut lines = Vec::new();
        for k in 0..3 {
            let s = format!("f{k}");
            lines.push(login(&s, "73.6.6.6", &format!("laptop-{k}")));
            lines.push(ship(&s, "77 Elm St", None));
            lines.push(format!(
                r#"{{"kind":"subject","subject_id":"{s}","source":"hr","address":{{"line1":"77 Elm St","city":"Phoenix","postal_code":"85015","country":"US"}}}}"#
            ));
            lines.push(bank(&s, &format!("1000{k}000"), "OWN NAME"));
        }
        let mut d = ds(&lines);
        intel(&mut d, "73.6.6.6", &[]);
        let f = LaptopFarm(Params::default()).run(&d);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn agency_office_and_mobile_nat_do_not_fire() {
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
            lines.push(ship(&s, &format!("{k}1 Ayala Ave"), None));
            let m = format!("m{k}");
            lines.push(login(&m, "172.56.1.1", &format!("phone-{k}")));
            lines.push(login(&m, "172.56.1.2", &format!("phone-{k}")));
        }
        let mut d = ds(&lines);
        intel(&mut d, "73.1.1.1", &[]);
        intel(&mut d, "172.56.1.1", &[NetClass::Mobile]);
        intel(&mut d, "172.56.1.2", &[NetClass::Mobile]);
        let f = LaptopFarm(Params::default()).run(&d);
        assert!(f.is_empty(), "{f:?}");
    }

    /// A remote-control tool seen on one worker's laptop changes every involved member's
    /// evidence; a login elsewhere changes nobody else's.
    #[test]
    fn affected_is_the_farm_a_change_reaches() {
        use crate::Affected;
        use crate::link::diff::affected_by;
        let mut lines = Vec::new();
        for k in 0..3 {
            let s = format!("w{k}");
            lines.push(login(&s, "73.5.5.5", &format!("laptop-{k}")));
            lines.push(bank(&s, "44556677", "JANET L. WHITFIELD"));
        }
        let build = |l: &[String]| {
            let mut d = ds(l);
            intel(&mut d, "73.5.5.5", &[]);
            d
        };
        let f = LaptopFarm(Params::default());
        let mut after = lines.clone();
        after.push(endpoint("w0", "AnyDesk"));
        after.push(endpoint("w1", "PiKVM"));
        assert_eq!(
            affected_by(&f, &build(&lines), &build(&after), &["w0", "w1"]),
            Affected::Also(vec!["w2".into()])
        );
        let mut after = lines.clone();
        after.push(login("w0", "8.8.8.8", "laptop-0"));
        assert_eq!(
            affected_by(&f, &build(&lines), &build(&after), &["w0"]),
            Affected::Touched
        );
    }
}
