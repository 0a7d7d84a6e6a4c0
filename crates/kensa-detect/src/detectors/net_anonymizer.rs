//! RF-NET-ANONYMIZER — access through VPN, VPS/hosting, Tor or proxies.
//!
//! The detector looks at every address a subject used: successful logins, `activity` records
//! with an `ip` and `access` records' source `ip`. Each event through a classified address gets
//! a weight by class (`tor` > `hosting` > `proxy` > `vpn`); the *weighted share* of events is
//! the sum of the weights over the number of events (addresses the intel sources do not know
//! count as ordinary: unknown is not evidence). The flag fires when at least `min_events`
//! events went through an anonymizer and the weighted share reaches `min_share`; its strength
//! grows with the share, reaching 1 at `full_share`. Every hit names the list that classified
//! the address (e.g. `vpn (x4bnet-vpn)`).
//!
//! Same-country relay: a subject who claims Japan and connects from Japanese hosting or VPN
//! addresses is still flagged (a Japanese IP relayed from China/South-East Asia is exactly the
//! tradecraft of the METI warning); the evidence counts those events as
//! `same_country_as_claimed`, and, with at least `rhythm_min_events` events, the evidence and
//! explanation give the offset the activity rhythm fits (e.g. UTC+8 for a claimed JP, UTC+9):
//! one hour is within the estimator's error, so this is shown, not scored; RF-AVAIL-OFF-HOURS
//! (`off_hours`) weighs larger differences.
//!
//! False positives: privacy relays (iCloud Private Relay) and corporate security proxies
//! (Zscaler and the like) hide or move the apparent location of perfectly ordinary users. An
//! address classified Relay weighs `relay_weight` (small) and one classified Corporate weighs
//! `corporate_weight` (zero) *whatever else it is classified as* — relay and corporate egress
//! ranges sit in datacenters and so often appear on hosting lists too. A subject who uses a VPN
//! now and then (a hotel network) stays below `min_share`.

use crate::detectors::login_multi_country::describe_ip;
use crate::detectors::off_hours;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::intel::{IpInfo, NetClass};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "net_anonymizer",
    raises: &["RF-NET-ANONYMIZER"],
    summary: "weighted share of a subject's logins, activity and access through VPN, hosting/VPS, Tor or proxy addresses (each hit with the list that classified it)",
    false_positives: "iCloud Private Relay and corporate proxies (Zscaler) weigh little or nothing even when also listed as hosting; occasional VPN use stays below the share threshold",
};

/// Parameters (`[detectors.net_anonymizer]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Weight of an event through a Tor exit.
    pub tor_weight: f64,
    /// Weight of an event through a hosting/VPS/datacenter address.
    pub hosting_weight: f64,
    /// Weight of an event through an open or commercial proxy.
    pub proxy_weight: f64,
    /// Weight of an event through a commercial VPN exit.
    pub vpn_weight: f64,
    /// Weight of an event through a privacy relay (overrides the classes above).
    pub relay_weight: f64,
    /// Weight of an event through a corporate egress or security proxy (overrides all).
    pub corporate_weight: f64,
    /// Minimum number of events through an anonymizer.
    pub min_events: usize,
    /// Weighted share of events at which the flag fires.
    pub min_share: f64,
    /// Weighted share at which the strength reaches 1.
    pub full_share: f64,
    /// Events needed before the activity rhythm's offset is shown for a relay inside the
    /// claimed country (evidence only; RF-AVAIL-OFF-HOURS weighs it).
    pub rhythm_min_events: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tor_weight: 1.0,
            hosting_weight: 0.9,
            proxy_weight: 0.8,
            vpn_weight: 0.7,
            relay_weight: 0.05,
            corporate_weight: 0.0,
            min_events: 3,
            min_share: 0.2,
            full_share: 0.6,
            rhythm_min_events: 40,
        }
    }
}

impl Params {
    /// The weight of one event through an address with this intel.
    pub fn weight(&self, info: &IpInfo) -> f64 {
        if info.has_class(NetClass::Corporate) {
            return self.corporate_weight;
        }
        if info.has_class(NetClass::Relay) {
            return self.relay_weight;
        }
        info.classes
            .iter()
            .map(|h| match h.class {
                NetClass::Tor => self.tor_weight,
                NetClass::Hosting => self.hosting_weight,
                NetClass::Proxy => self.proxy_weight,
                NetClass::Vpn => self.vpn_weight,
                _ => 0.0,
            })
            .fold(0.0, f64::max)
    }
}

pub struct NetAnonymizer(pub Params);

/// The whole-hour UTC offset that the subject's activity rhythm fits best (activity, successful
/// logins, messages sent), with at least `min_events` events.
fn rhythm_offset(s: &crate::SubjectData, min_events: usize) -> Option<i32> {
    use kensa_model::record::Direction;
    let ts = s
        .activities
        .iter()
        .map(|a| a.r.at)
        .chain(
            s.logins
                .iter()
                .filter(|l| l.r.success != Some(false))
                .map(|l| l.r.at),
        )
        .chain(
            s.messages
                .iter()
                .filter(|m| m.r.direction == Direction::FromSubject)
                .map(|m| m.r.at),
        );
    let hist = off_hours::utc_histogram(ts);
    if (hist.iter().sum::<u32>() as usize) < min_events.max(1) {
        return None;
    }
    let prefer = s.claimed_country().and_then(off_hours::country_offsets);
    Some(off_hours::best_offset(&hist, prefer).0)
}

impl Detector for NetAnonymizer {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, ds: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(ds, s).into_iter().collect()
    }
}

impl NetAnonymizer {
    /// Phase 2 for one subject.
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let events = s
            .logins
            .iter()
            .filter(|l| l.r.success != Some(false))
            .map(|l| (&l.id, l.r.ip))
            .chain(s.activities.iter().filter_map(|a| Some((&a.id, a.r.ip?))))
            .chain(s.accesses.iter().filter_map(|a| Some((&a.id, a.r.ip?))));
        let mut total = 0usize;
        let mut weighted = 0.0;
        // Per anonymizing address: (events, weight, record ids).
        let mut hits: BTreeMap<IpAddr, (usize, f64, Vec<&String>)> = BTreeMap::new();
        let mut relay_events = 0usize;
        let mut corporate_events = 0usize;
        for (id, ip) in events {
            total += 1;
            let Some(info) = ds.ip_info(ip) else { continue };
            if info.has_class(NetClass::Corporate) {
                corporate_events += 1;
            } else if info.has_class(NetClass::Relay) {
                relay_events += 1;
            }
            let w = p.weight(info);
            weighted += w;
            if w > 0.0 && info.is_anonymizer() {
                let e = hits.entry(ip).or_insert((0, w, Vec::new()));
                e.0 += 1;
                if e.2.len() < 10 {
                    e.2.push(id);
                }
            }
        }
        let anon_events: usize = hits.values().map(|h| h.0).sum();
        if total == 0 || anon_events < p.min_events {
            return None;
        }
        let share = weighted / total as f64;
        if share < p.min_share {
            return None;
        }
        let strength = (share / p.full_share).clamp(0.05, 1.0);
        let claimed = s.claimed_country();
        let mut by_class: BTreeMap<String, usize> = BTreeMap::new();
        let mut same_country = 0usize;
        let mut listed: Vec<(usize, IpAddr)> = Vec::new();
        for (ip, (n, _, _)) in &hits {
            let Some(info) = ds.ip_info(*ip) else {
                continue;
            };
            for h in &info.classes {
                if matches!(
                    h.class,
                    NetClass::Vpn | NetClass::Hosting | NetClass::Tor | NetClass::Proxy
                ) {
                    *by_class
                        .entry(format!("{} ({})", h.class.as_str(), h.source))
                        .or_default() += n;
                }
            }
            if claimed.is_some() && info.country.as_deref() == claimed {
                same_country += n;
            }
            listed.push((*n, *ip));
        }
        listed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let ips: Vec<String> = listed
            .iter()
            .take(20)
            .map(|(n, ip)| format!("{} ×{n}", describe_ip(ds, *ip)))
            .collect();
        let records: Vec<String> = listed
            .iter()
            .flat_map(|(_, ip)| hits[ip].2.iter().map(|s| (*s).clone()))
            .take(50)
            .collect();
        let classes: Vec<String> = by_class.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        // `hosting (source)` → `ホスティング（source）417件`.
        let classes_ja: Vec<String> = by_class
            .iter()
            .map(|(k, n)| {
                let (class, rest) = k.split_once(' ').unwrap_or((k.as_str(), ""));
                let class_ja = match class {
                    "hosting" => "ホスティング",
                    "vpn" => "VPN",
                    "tor" => "Tor",
                    "proxy" => "プロキシ",
                    "relay" => "リレー",
                    "mobile" => "モバイル",
                    "corporate" => "企業ネットワーク",
                    other => other,
                };
                let src = rest.trim().trim_start_matches('(').trim_end_matches(')');
                if src.is_empty() {
                    format!("{class_ja} {n}件")
                } else {
                    format!("{class_ja}（{src}）{n}件")
                }
            })
            .collect();
        let pct = (100.0 * anon_events as f64 / total as f64).round();
        // For a relay inside the claimed country, say which offset the activity rhythm
        // fits (the off_hours estimator), when there is enough activity to tell.
        let rhythm = (same_country > 0)
            .then(|| rhythm_offset(s, p.rhythm_min_events))
            .flatten();
        let (same_en, same_ja) = match (same_country, claimed) {
            (n, Some(c)) if n > 0 => {
                let (r_en, r_ja) = match (rhythm, off_hours::country_offsets(c)) {
                    (Some(o), Some(r)) => (
                        format!(
                            " The activity rhythm fits {}; {c} is {}.",
                            off_hours::fmt_offset(o as f64),
                            off_hours::fmt_offset(r.0)
                        ),
                        format!(
                            "活動の時間帯は{}に合致します（{}は{}）。",
                            off_hours::fmt_offset(o as f64),
                            kensa_model::country::ja(c),
                            off_hours::fmt_offset(r.0)
                        ),
                    ),
                    _ => (String::new(), String::new()),
                };
                (
                    format!(
                        " {n} of them are {c} addresses, the claimed country: a relay inside the \
                                 claimed country hides where the work is really done.{r_en}"
                    ),
                    format!(
                        "うち{n}件は申告された所在国（{}）のアドレスで、申告国内の中継により実際の作業場所が\
                                 隠されている可能性があります。{r_ja}",
                        kensa_model::country::ja(c)
                    ),
                )
            }
            _ => (String::new(), String::new()),
        };
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-NET-ANONYMIZER".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("events", total)
                .value("anonymized_events", anon_events)
                .value("weighted_share", (share * 1000.0).round() / 1000.0)
                .value("by_class", serde_json::json!(classes))
                .value("ips", serde_json::json!(ips))
                .value("relay_events", relay_events)
                .value("corporate_events", corporate_events)
                .value("same_country_as_claimed", same_country)
                .value(
                    "activity_rhythm_offset",
                    rhythm.map(|o| off_hours::fmt_offset(o as f64)),
                )
                .threshold("min_events", p.min_events)
                .threshold("min_share", p.min_share)
                .threshold("full_share", p.full_share)
                .threshold("rhythm_min_events", p.rhythm_min_events)
                .threshold("tor_weight", p.tor_weight)
                .threshold("hosting_weight", p.hosting_weight)
                .threshold("proxy_weight", p.proxy_weight)
                .threshold("vpn_weight", p.vpn_weight)
                .threshold("relay_weight", p.relay_weight)
                .threshold("corporate_weight", p.corporate_weight),
            explanation: Text::new(
                format!(
                    "{anon_events} of {total} logins/activity/access events ({pct}%) came through \
                             anonymizing addresses: {}. Weighted share {share:.2} (threshold {}).{same_en}",
                    classes.join(", "),
                    p.min_share
                ),
                format!(
                    "ログイン・活動・アクセス{total}件のうち{anon_events}件（{pct}%）がVPN・VPS（ホスティング）・\
                             Tor・プロキシ経由で、接続元の偽装が疑われます：{}。重み付き割合は{share:.2}\
                             （しきい値{}）。{same_ja}",
                    classes_ja.join("、"),
                    p.min_share
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::intel::NetClassHit;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn login(sub: &str, i: u32, ip: &str) -> String {
        format!(
            r#"{{"kind":"login","subject_id":"{sub}","at":"2026-09-{:02}T{:02}:00:00Z","ip":"{ip}"}}"#,
            1 + i / 24,
            i % 24
        )
    }

    fn intel(ds: &mut Dataset, ip: &str, cc: &str, cls: &[(NetClass, &str)]) {
        ds.ip.insert(
            ip.parse().unwrap(),
            IpInfo {
                country: Some(cc.into()),
                classes: cls
                    .iter()
                    .map(|(c, s)| NetClassHit {
                        class: *c,
                        source: (*s).into(),
                        label: None,
                    })
                    .collect(),
                ..Default::default()
            },
        );
    }

    #[test]
    fn mostly_vpn_and_hosting_fires_with_the_lists_named() {
        let subj =
            r#"{"kind":"subject","subject_id":"u1","source":"hr_system","claimed_country":"JP"}"#;
        let mut lines = vec![subj.to_string()];
        for i in 0..20 {
            let ip = match i % 4 {
                0 => "45.1.1.1",
                1 | 2 => "103.2.2.2",
                _ => "126.3.3.3",
            };
            lines.push(login("u1", i, ip));
        }
        let mut d = ds(&lines);
        intel(&mut d, "45.1.1.1", "US", &[(NetClass::Vpn, "x4bnet-vpn")]);
        intel(
            &mut d,
            "103.2.2.2",
            "JP",
            &[(NetClass::Hosting, "x4bnet-datacenter")],
        );
        intel(&mut d, "126.3.3.3", "JP", &[]);
        let f = NetAnonymizer(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.values["anonymized_events"], 15);
        assert_eq!(f[0].evidence.values["same_country_as_claimed"], 10);
        assert!(f[0].strength > 0.9);
        let ips = f[0].evidence.values["ips"].to_string();
        assert!(ips.contains("hosting (x4bnet-datacenter)"), "{ips}");
        assert!(f[0].explanation.ja.contains("接続元の偽装"));
    }

    #[test]
    fn a_japanese_claim_relayed_through_japanese_hosting_shows_the_rhythm() {
        let subj =
            r#"{"kind":"subject","subject_id":"j1","source":"hr_system","claimed_country":"JP"}"#;
        let mut lines = vec![subj.to_string()];
        // Working 09:00-18:00 in UTC+8 (01:00-10:00 UTC) for 10 days, via Japanese hosting.
        for d in 0..10u32 {
            for h in 1..10u32 {
                lines.push(login("j1", d * 24 + h, "103.2.2.2"));
            }
        }
        let mut d = ds(&lines);
        intel(
            &mut d,
            "103.2.2.2",
            "JP",
            &[(NetClass::Hosting, "x4bnet-datacenter")],
        );
        let f = NetAnonymizer(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        let o = f[0].evidence.values["activity_rhythm_offset"]
            .as_str()
            .unwrap();
        assert!(["UTC+7", "UTC+8", "UTC+9"].contains(&o), "{o}");
        assert!(f[0].explanation.en.contains("The activity rhythm fits"));
    }

    #[test]
    fn private_relay_and_zscaler_users_do_not_fire() {
        let mut lines = Vec::new();
        for i in 0..30 {
            lines.push(login("r1", i, "172.225.9.9"));
            lines.push(login("z1", i, "165.225.1.1"));
        }
        let mut d = ds(&lines);
        intel(
            &mut d,
            "172.225.9.9",
            "US",
            &[(NetClass::Relay, "icloud-relay"), (NetClass::Hosting, "dc")],
        );
        intel(
            &mut d,
            "165.225.1.1",
            "US",
            &[(NetClass::Corporate, "zscaler"), (NetClass::Hosting, "dc")],
        );
        assert!(NetAnonymizer(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn an_occasional_hotel_vpn_does_not_fire() {
        let mut lines: Vec<String> = (0..40).map(|i| login("h1", i, "24.1.1.1")).collect();
        lines.extend((40..44).map(|i| login("h1", i, "45.1.1.1")));
        let mut d = ds(&lines);
        intel(&mut d, "45.1.1.1", "US", &[(NetClass::Vpn, "x4bnet-vpn")]);
        assert!(NetAnonymizer(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn without_intel_nothing_fires() {
        let lines: Vec<String> = (0..10).map(|i| login("n1", i, "45.1.1.1")).collect();
        assert!(NetAnonymizer(Params::default()).run(&ds(&lines)).is_empty());
    }
}
