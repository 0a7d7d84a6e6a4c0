//! RF-NET-ANONYMIZER (detector `shared_residential_ip`) — the laptop-farm signal: one
//! residential address used by several otherwise unrelated subjects.
//!
//! DPRK IT workers reach their employers' laptops through "laptop farms": a facilitator's home
//! where many company laptops sit, each controlled remotely. Seen from the employer or the
//! platform, several accounts of unrelated people then log in from the same residential
//! address. The detector collects, for every address, the subjects that used it (successful
//! logins, `activity` and `access` records with an `ip`), and fires for each subject of an
//! address used by at least `min_subjects` *unrelated* subjects, listing the others.
//!
//! "Residential" means the intel sources know the address (it has an `IpInfo`) and classify it
//! as none of VPN, hosting, Tor, proxy, relay, mobile or corporate. An address with no intel at
//! all is not counted (unknown is not evidence): a big office or university NAT would
//! otherwise look like a farm.
//!
//! False positives: mobile carriers and corporate egress put thousands of unrelated people
//! behind one address (carrier-grade NAT, Zscaler), so addresses classified Mobile or Corporate
//! never count; VPN/hosting exits are shared by design and are `net_anonymizer`'s business.
//! Colleagues working from one office or one family sharing a home connection are *related*:
//! subjects with a contract for the same `client_id` are grouped, and a group counts once, so a
//! client's team behind its office line does not fire. A household of two stays below the
//! default of three.

use crate::detectors::login_multi_country::describe_ip;
use crate::link::diff;
use crate::{
    Affected, Change, Dataset, Detector, DetectorSpec, Population, SubjectData, state, state_mut,
};
use kensa_model::intel::NetClass;
use kensa_model::{Evidence, Finding, Text};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "shared_residential_ip",
    raises: &["RF-NET-ANONYMIZER"],
    summary: "laptop farm: a residential (unclassified, non-mobile, non-corporate) address used by several unrelated subjects",
    false_positives: "mobile carrier NAT and corporate egress never count; subjects sharing a client (office colleagues) count as one; unknown addresses are not evidence; a household stays below the threshold",
};

/// Parameters (`[detectors.shared_residential_ip]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Minimum number of unrelated subjects (groups) behind one residential address.
    pub min_subjects: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { min_subjects: 3 }
    }
}

pub struct SharedResidentialIp(pub Params);

/// Whether the address is known and residential (no network class that explains sharing).
fn residential(ds: &Dataset, ip: IpAddr) -> bool {
    ds.ip_info(ip).is_some_and(|i| {
        !i.classes.iter().any(|h| {
            matches!(
                h.class,
                NetClass::Vpn
                    | NetClass::Hosting
                    | NetClass::Tor
                    | NetClass::Proxy
                    | NetClass::Relay
                    | NetClass::Mobile
                    | NetClass::Corporate
            )
        })
    })
}

/// Groups subjects that share a contract client: returns a group id per subject index.
fn groups(ds: &Dataset, members: &[usize]) -> Vec<usize> {
    // Union-find over the members, joined by client ids.
    let mut parent: Vec<usize> = (0..members.len()).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut by_client: HashMap<&str, usize> = HashMap::new();
    for (k, &si) in members.iter().enumerate() {
        for c in &ds.subjects[si].contracts {
            if let Some(cid) = c.r.client_id.as_deref() {
                match by_client.get(cid) {
                    Some(&other) => {
                        let (a, b) = (find(&mut parent, k), find(&mut parent, other));
                        parent[a] = b;
                    }
                    None => {
                        by_client.insert(cid, k);
                    }
                }
            }
        }
    }
    (0..members.len()).map(|k| find(&mut parent, k)).collect()
}

/// A residential address used by at least `min_subjects` unrelated groups.
#[derive(Debug, PartialEq)]
struct SharedIp {
    /// The subjects that used it, sorted by id.
    users: Vec<String>,
    /// Unrelated groups among them.
    groups: usize,
    /// The address with what the intel sources say of it.
    described: String,
}

/// The population state: the residential addresses that count, with their users; and every
/// residential address's users (indexes of `Dataset::subjects`, ascending), so that a batch
/// updates the addresses it touches instead of rebuilding all.
pub struct State {
    shared: HashMap<IpAddr, SharedIp>,
    users: HashMap<IpAddr, Vec<u32>>,
    /// Whether `users` is complete (not when the data set had no intel at all).
    complete: bool,
}

impl Population for State {
    /// A subject's finding is made of its own records and the entries of its addresses, so the
    /// affected subjects are the users (old and new) of every address whose entry differs
    /// between the two states, or that counts in one only. Nothing population-wide is used.
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let old = state::<State>(before);
        let mut out: BTreeSet<&str> = BTreeSet::new();
        for ip in old.shared.keys().chain(self.shared.keys()) {
            let (a, b) = (old.shared.get(ip), self.shared.get(ip));
            if a != b {
                for x in a.into_iter().chain(b) {
                    out.extend(x.users.iter().map(String::as_str));
                }
            }
        }
        diff::besides(out, touched)
    }
}

/// A subject's distinct addresses: successful logins, activity, access.
fn ips_of(s: &SubjectData) -> Vec<IpAddr> {
    let mut v: Vec<IpAddr> = s
        .logins
        .iter()
        .filter(|l| l.r.success != Some(false))
        .map(|l| l.r.ip)
        .chain(s.activities.iter().filter_map(|a| a.r.ip))
        .chain(s.accesses.iter().filter_map(|a| a.r.ip))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl SharedResidentialIp {
    /// The entry of an address with these users (indices, ascending), when it counts.
    fn entry(&self, ds: &Dataset, ip: IpAddr, members: &[u32]) -> Option<SharedIp> {
        let p = &self.0;
        if members.len() < p.min_subjects {
            return None;
        }
        let members: Vec<usize> = members.iter().map(|&k| k as usize).collect();
        let g = groups(ds, &members);
        let n_groups = g.iter().collect::<BTreeSet<_>>().len();
        if n_groups < p.min_subjects {
            return None;
        }
        let mut names: Vec<String> = members.iter().map(|&k| ds.subjects[k].id.clone()).collect();
        names.sort_unstable();
        Some(SharedIp {
            users: names,
            groups: n_groups,
            described: describe_ip(ds, ip),
        })
    }
}

impl Detector for SharedResidentialIp {
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
        &["login", "activity", "access", "contract"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        let mut shared = HashMap::new();
        if ds.ip.is_empty() {
            return Box::new(State {
                shared,
                users: HashMap::new(),
                complete: false,
            });
        }
        // Address → subjects (indices, each once), residential addresses only. Each subject's
        // distinct addresses are found in parallel; the merge is sequential and in subject order.
        let per_subject_ips: Vec<Vec<IpAddr>> = ds
            .subjects
            .par_iter()
            .map(|s| {
                let mut v = ips_of(s);
                v.retain(|ip| residential(ds, *ip));
                v
            })
            .collect();
        let mut users: HashMap<IpAddr, Vec<u32>> = HashMap::new();
        for (si, ips) in per_subject_ips.iter().enumerate() {
            for ip in ips {
                users.entry(*ip).or_default().push(si as u32);
            }
        }
        for (ip, members) in &users {
            if let Some(entry) = self.entry(ds, *ip, members) {
                shared.insert(*ip, entry);
            }
        }
        Box::new(State {
            shared,
            users,
            complete: true,
        })
    }

    fn update_population(
        &self,
        pop: &mut dyn Population,
        ds: &Dataset,
        change: &Change<'_>,
    ) -> Option<Affected> {
        let st = state_mut::<State>(pop);
        if !st.complete || ds.ip.is_empty() {
            return None;
        }
        // Users only grow (records are only added). The touched subjects' addresses that gained
        // a user change; with a new contract, every address of theirs (its groups may change).
        let contracts = change.kinds.contains("contract");
        let mut dirty: BTreeSet<IpAddr> = BTreeSet::new();
        for &si in change.touched {
            for ip in ips_of(&ds.subjects[si]) {
                if !residential(ds, ip) {
                    continue;
                }
                let v = st.users.entry(ip).or_default();
                match v.binary_search(&(si as u32)) {
                    Ok(_) if contracts => {
                        dirty.insert(ip);
                    }
                    Ok(_) => {}
                    Err(at) => {
                        v.insert(at, si as u32);
                        dirty.insert(ip);
                    }
                }
            }
        }
        let mut out: BTreeSet<&str> = BTreeSet::new();
        for ip in dirty {
            let members = &st.users[&ip];
            let entry = self.entry(ds, ip, members);
            if st.shared.get(&ip) != entry.as_ref() {
                // The users now include every user before.
                out.extend(members.iter().map(|&k| ds.subjects[k as usize].id.as_str()));
                match entry {
                    Some(e) => st.shared.insert(ip, e),
                    None => st.shared.remove(&ip),
                };
            }
        }
        Some(diff::besides(out, change.touched_ids))
    }

    fn evaluate(&self, _ds: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        let st = state::<State>(pop);
        if st.shared.is_empty() {
            return Vec::new();
        }
        // [(address, unrelated groups, the entry)] of the subject's addresses that count.
        let mut list: Vec<(IpAddr, usize, &SharedIp)> = ips_of(s)
            .into_iter()
            .filter_map(|ip| st.shared.get(&ip).map(|x| (ip, x.groups, x)))
            .collect();
        if list.is_empty() {
            return Vec::new();
        }
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (best_ip, best_n, _) = &list[0];
        let ip_set: HashSet<IpAddr> = list.iter().map(|x| x.0).collect();
        let records: Vec<String> = s
            .logins
            .iter()
            .filter(|l| ip_set.contains(&l.r.ip))
            .map(|l| &l.id)
            .chain(
                s.activities
                    .iter()
                    .filter(|a| a.r.ip.is_some_and(|ip| ip_set.contains(&ip)))
                    .map(|a| &a.id),
            )
            .chain(
                s.accesses
                    .iter()
                    .filter(|a| a.r.ip.is_some_and(|ip| ip_set.contains(&ip)))
                    .map(|a| &a.id),
            )
            .take(50)
            .cloned()
            .collect();
        let mut others: BTreeSet<&str> = BTreeSet::new();
        for (_, _, x) in &list {
            others.extend(x.users.iter().map(String::as_str).filter(|o| *o != s.id));
        }
        let shown: Vec<&str> = others.iter().take(20).copied().collect();
        let addrs: Vec<String> = list
            .iter()
            .take(10)
            .map(|(_, n, x)| {
                format!(
                    "{} — {} subjects, {n} unrelated",
                    x.described,
                    x.users.len()
                )
            })
            .collect();
        let strength =
            (0.6 + 0.4 * (*best_n - p.min_subjects) as f64 / p.min_subjects as f64).min(1.0);
        vec![Finding {
            subject_id: s.id.clone(),
            id: "RF-NET-ANONYMIZER".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("addresses", serde_json::json!(addrs))
                .value("other_subjects", serde_json::json!(shown))
                .value("other_subject_count", others.len())
                .value("unrelated_groups", *best_n)
                .threshold("min_subjects", p.min_subjects),
            explanation: Text::new(
                format!(
                    "The residential address {best_ip} (not mobile, corporate, VPN or hosting) is \
                     also used by {} other account(s) ({}), {best_n} unrelated groups in all \
                     (threshold {}): the pattern of a laptop farm operated for remote workers.",
                    others.len(),
                    shown.join(", "),
                    p.min_subjects
                ),
                format!(
                    "住宅用IPアドレス{best_ip}（モバイル・企業・VPN・ホスティングではない）が他の{}アカウント\
                     （{}）からも使われており、関係のない利用者グループは計{best_n}（しきい値{}）です。\
                     同一IPから複数アカウントを操作する「ラップトップファーム」の特徴です。",
                    others.len(),
                    shown.join("、"),
                    p.min_subjects
                ),
            ),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::intel::{IpInfo, NetClassHit};
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn login(sub: &str, h: u32, ip: &str) -> String {
        format!(
            r#"{{"kind":"login","subject_id":"{sub}","at":"2026-09-01T{h:02}:00:00Z","ip":"{ip}"}}"#
        )
    }

    fn contract(sub: &str, client: &str) -> String {
        format!(
            r#"{{"kind":"contract","subject_id":"{sub}","at":"2026-08-01T00:00:00Z","client_id":"{client}"}}"#
        )
    }

    fn intel(ds: &mut Dataset, ip: &str, cls: &[NetClass]) {
        ds.ip.insert(
            ip.parse().unwrap(),
            IpInfo {
                country: Some("US".into()),
                city: Some("Nashville".into()),
                asn: Some(7922),
                org: Some("Comcast".into()),
                classes: cls
                    .iter()
                    .map(|c| NetClassHit {
                        class: *c,
                        source: "test".into(),
                        label: None,
                    })
                    .collect(),
                ..Default::default()
            },
        );
    }

    #[test]
    fn four_unrelated_accounts_behind_one_home_address_fire() {
        let mut lines = Vec::new();
        for (k, s) in ["a", "b", "c", "d"].iter().enumerate() {
            lines.push(contract(s, &format!("client-{k}")));
            lines.push(login(s, k as u32, "73.1.2.3"));
        }
        let mut d = ds(&lines);
        intel(&mut d, "73.1.2.3", &[]);
        let f = SharedResidentialIp(Params::default()).run(&d);
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].subject_id, "a");
        assert_eq!(
            f[0].evidence.values["other_subjects"],
            serde_json::json!(["b", "c", "d"])
        );
        assert!(f[0].strength > 0.6);
        assert!(f[0].explanation.ja.contains("ラップトップファーム"));
    }

    #[test]
    fn mobile_corporate_unknown_addresses_and_office_colleagues_do_not_fire() {
        let mut lines = Vec::new();
        for s in ["a", "b", "c", "d"] {
            lines.push(login(s, 1, "172.56.1.1")); // mobile carrier NAT
            lines.push(login(s, 2, "165.225.1.1")); // Zscaler
            lines.push(login(s, 3, "9.9.9.9")); // no intel
            lines.push(contract(s, "acme")); // all four work for one client
            lines.push(login(s, 4, "73.9.9.9")); // the client's office line
        }
        let mut d = ds(&lines);
        intel(&mut d, "172.56.1.1", &[NetClass::Mobile]);
        intel(&mut d, "165.225.1.1", &[NetClass::Corporate]);
        intel(&mut d, "73.9.9.9", &[]);
        assert!(SharedResidentialIp(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn a_household_of_two_does_not_fire() {
        let lines = vec![login("a", 1, "73.1.2.3"), login("b", 2, "73.1.2.3")];
        let mut d = ds(&lines);
        intel(&mut d, "73.1.2.3", &[]);
        assert!(SharedResidentialIp(Params::default()).run(&d).is_empty());
    }

    /// Batch after batch, the state updated in place equals the state built from scratch, and
    /// reaches the same subjects as comparing the two would.
    #[test]
    fn updated_in_place_equals_rebuilt() {
        use crate::Change;
        let rec = |l: &str| {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            (v.record_id, v.record)
        };
        let batches: Vec<Vec<String>> = vec![
            vec![
                contract("a", "c1"),
                login("a", 1, "73.1.2.3"),
                contract("b", "c2"),
                login("b", 2, "73.1.2.3"),
            ],
            // A third unrelated user: the address counts for all three.
            vec![login("c", 3, "73.1.2.3")],
            // Elsewhere: nobody else.
            vec![login("d", 4, "73.9.9.9")],
            // c works for a's client: two groups, the address no longer counts.
            vec![contract("c", "c1")],
            // A new subject makes three groups again; a failed login and a mobile address
            // change nothing.
            vec![
                login("e", 5, "73.1.2.3"),
                r#"{"kind":"login","subject_id":"f","at":"2026-09-01T06:00:00Z","ip":"73.1.2.3","success":false}"#.to_owned(),
                login("f", 7, "172.56.1.1"),
            ],
            vec![login("d", 8, "73.1.2.3"), login("b", 9, "73.9.9.9")],
        ];
        let f = SharedResidentialIp(Params::default());
        let (mut d, mut side) = {
            let mut b = DatasetBuilder::new();
            for l in &batches[0] {
                let (id, r) = rec(l);
                b.add(id, r);
            }
            b.build()
        };
        let known = |d: &mut Dataset| {
            intel(d, "73.1.2.3", &[]);
            intel(d, "73.9.9.9", &[]);
            intel(d, "172.56.1.1", &[NetClass::Mobile]);
        };
        known(&mut d);
        let mut st = f.population(&d);
        let mut reached = Vec::new();
        for batch in &batches[1..] {
            let added = d.add_records(&mut side, batch.iter().map(|l| rec(l)));
            known(&mut d);
            let ids: HashSet<&str> = added
                .touched
                .iter()
                .map(|&i| d.subjects[i].id.as_str())
                .collect();
            let rebuilt = f.population(&d);
            let expected = rebuilt.affected(&*st, &ids);
            let change = Change {
                touched: &added.touched,
                touched_ids: &ids,
                kinds: &added.kinds,
            };
            let got = f.update_population(&mut *st, &d, &change).expect("updated in place");
            assert_eq!(got, expected, "{batch:?}");
            assert_eq!(state::<State>(&*st).shared, state::<State>(&*rebuilt).shared);
            reached.push(got);
        }
        assert_eq!(
            reached,
            [
                Affected::Also(vec!["a".into(), "b".into()]),
                Affected::Touched,
                Affected::Also(vec!["a".into(), "b".into()]),
                Affected::Also(vec!["a".into(), "b".into(), "c".into()]),
                Affected::Also(vec!["a".into(), "c".into(), "e".into()]),
            ]
        );
    }

    /// A third unrelated account on a home line makes the address count for all three; a
    /// login elsewhere changes nobody else's finding.
    #[test]
    fn affected_is_the_users_of_an_address_that_changed() {
        use crate::Affected;
        use crate::link::diff::affected_by;
        let lines = vec![
            contract("a", "c1"),
            login("a", 1, "73.1.2.3"),
            contract("b", "c2"),
            login("b", 2, "73.1.2.3"),
        ];
        let build = |l: &[String]| {
            let mut d = ds(l);
            intel(&mut d, "73.1.2.3", &[]);
            intel(&mut d, "73.9.9.9", &[]);
            d
        };
        let f = SharedResidentialIp(Params::default());
        let mut after = lines.clone();
        after.push(login("c", 3, "73.1.2.3"));
        assert_eq!(
            affected_by(&f, &build(&lines), &build(&after), &["c"]),
            Affected::Also(vec!["a".into(), "b".into()])
        );
        let mut after = lines.clone();
        after.push(login("c", 3, "73.9.9.9"));
        assert_eq!(
            affected_by(&f, &build(&lines), &build(&after), &["c"]),
            Affected::Touched
        );
    }
}
