//! RF-ACCESS-FOREIGN — abnormal communication with overseas IPs.
//!
//! For each `access` record, the source `ip` (where the subject connected from) and the
//! `dest_ip` (where data went) are geolocated; a country other than the subject's
//! `claimed_country` (and not in `allow_countries`, the client's own foreign sites) is foreign.
//! Each distinct foreign country contributes its weight — `high_risk` countries (KP, CN, RU, IR
//! by default) weigh much more than `foreign_weight` — times the largest *address factor* among
//! its records:
//! * a destination in hosting/cloud ranges weighs `hosting_dest_factor`: cloud services the
//!   client uses by default (object storage, SaaS) sit in datacenters all over the world;
//! * a source that is a VPN/hosting/Tor/proxy exit weighs `anonymizer_src_factor` (its country
//!   is the exit's, which is RF-NET-ANONYMIZER's business);
//! * corporate egress and privacy relays weigh nothing;
//! * anything else weighs 1.
//!
//! The flag fires when the sum reaches `min_score`; strength reaches 1 at `full_score`.
//! Subjects without a claimed country have no reference and are skipped; addresses without
//! geolocation are not evidence.
//!
//! False positives: a traveller working from a hotel in France touches one ordinary foreign
//! country (0.4 < 1.5); SaaS and cloud destinations abroad are discounted; the client's own
//! offshore offices go in `allow_countries`. A single flow to a North Korean address, or steady
//! traffic to Chinese or Russian residential/business networks, is enough to fire.

use crate::detectors::login_multi_country::describe_ip;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::intel::{IpInfo, NetClass};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "access_foreign",
    raises: &["RF-ACCESS-FOREIGN"],
    summary: "access records whose source or destination address is in a country inconsistent with the claimed one, weighted by country (KP/CN/RU/IR) and by address type",
    false_positives: "one ordinary foreign country (a trip) stays below the threshold; cloud/hosting destinations and anonymizer sources are discounted, corporate and relay addresses ignored; allow_countries for the client's own sites",
};

/// Parameters (`[detectors.access_foreign]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Weights of high-risk countries (ISO 3166-1 alpha-2 → weight).
    pub high_risk: BTreeMap<String, f64>,
    /// Weight of any other foreign country.
    pub foreign_weight: f64,
    /// Factor for a destination address in hosting/cloud ranges.
    pub hosting_dest_factor: f64,
    /// Factor for a source address that is a VPN/hosting/Tor/proxy exit.
    pub anonymizer_src_factor: f64,
    /// Countries never counted as foreign (the client's own foreign sites).
    pub allow_countries: Vec<String>,
    /// Score at which the flag fires.
    pub min_score: f64,
    /// Score at which the strength reaches 1.
    pub full_score: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            high_risk: [("CN", 2.0), ("IR", 2.0), ("KP", 3.0), ("RU", 2.0)]
                .iter()
                .map(|(c, w)| (c.to_string(), *w))
                .collect(),
            foreign_weight: 0.4,
            hosting_dest_factor: 0.25,
            anonymizer_src_factor: 0.5,
            allow_countries: Vec::new(),
            min_score: 1.5,
            full_score: 4.0,
        }
    }
}

pub struct AccessForeign(pub Params);

/// How much an address's country says, by its classification.
fn factor(p: &Params, info: &IpInfo, dest: bool) -> f64 {
    if info.has_class(NetClass::Corporate) || info.has_class(NetClass::Relay) {
        0.0
    } else if dest && info.has_class(NetClass::Hosting) {
        p.hosting_dest_factor
    } else if !dest && info.is_anonymizer() {
        p.anonymizer_src_factor
    } else {
        1.0
    }
}

#[derive(Default)]
struct PerCountry<'a> {
    factor: f64,
    records: usize,
    bytes: u64,
    ips: BTreeSet<(IpAddr, &'static str)>,
    ids: Vec<&'a String>,
}

impl Detector for AccessForeign {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["access", "subject"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, ds: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(ds, s).into_iter().collect()
    }
}

impl AccessForeign {
    /// Phase 2 for one subject.
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        if s.accesses.is_empty() {
            return None;
        }
        let claimed = s.claimed_country()?;
        let mut by: BTreeMap<&str, PerCountry> = BTreeMap::new();
        for a in &s.accesses {
            for (ip, dest) in [(a.r.ip, false), (a.r.dest_ip, true)] {
                let Some(ip) = ip else { continue };
                let Some(info) = ds.ip_info(ip) else { continue };
                let Some(cc) = info.country.as_deref() else {
                    continue;
                };
                if cc == claimed || p.allow_countries.iter().any(|c| c == cc) {
                    continue;
                }
                let f = factor(p, info, dest);
                if f <= 0.0 {
                    continue;
                }
                let e = by.entry(cc).or_default();
                e.factor = e.factor.max(f);
                e.records += 1;
                e.bytes += a.r.bytes.unwrap_or(0);
                if e.ips.len() < 10 {
                    e.ips
                        .insert((ip, if dest { "destination" } else { "source" }));
                }
                if e.ids.last() != Some(&&a.id) && e.ids.len() < 20 {
                    e.ids.push(&a.id);
                }
            }
        }
        let weight = |cc: &str| p.high_risk.get(cc).copied().unwrap_or(p.foreign_weight);
        let score: f64 = by.iter().map(|(cc, e)| weight(cc) * e.factor).sum();
        if score < p.min_score {
            return None;
        }
        let strength = (score / p.full_score).clamp(0.05, 1.0);
        // Countries by contribution, highest first.
        let mut order: Vec<(&str, f64)> = by
            .iter()
            .map(|(cc, e)| (*cc, weight(cc) * e.factor))
            .collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let countries: Vec<serde_json::Value> = order
                    .iter()
                    .map(|(cc, w)| {
                        let e = &by[cc];
                        serde_json::json!({
                            "country": cc,
                            "contribution": (w * 100.0).round() / 100.0,
                            "records": e.records,
                            "bytes": e.bytes,
                            "ips": e.ips.iter().map(|(ip, role)| format!("{role} {}", describe_ip(ds, *ip))).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
        let records: Vec<String> = order
            .iter()
            .flat_map(|(cc, _)| by[cc].ids.iter().map(|s| (*s).clone()))
            .take(50)
            .collect();
        let list: Vec<String> = order
            .iter()
            .map(|(cc, _)| format!("{cc} ({} records)", by[cc].records))
            .collect();
        let list_ja: Vec<String> = order
            .iter()
            .map(|(cc, _)| format!("{}（{}件）", kensa_model::country::ja(cc), by[cc].records))
            .collect();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-ACCESS-FOREIGN".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("claimed_country", claimed)
                .value("score", (score * 100.0).round() / 100.0)
                .value("countries", serde_json::Value::Array(countries))
                .threshold(
                    "high_risk",
                    serde_json::to_value(&p.high_risk).unwrap_or_default(),
                )
                .threshold("foreign_weight", p.foreign_weight)
                .threshold("hosting_dest_factor", p.hosting_dest_factor)
                .threshold("anonymizer_src_factor", p.anonymizer_src_factor)
                .threshold("allow_countries", serde_json::json!(p.allow_countries))
                .threshold("min_score", p.min_score)
                .threshold("full_score", p.full_score),
            explanation: Text::new(
                format!(
                    "Access records of a subject who claims {claimed} involve addresses in {}: \
                             score {score:.1} (threshold {}; KP, CN, RU and IR weigh most, cloud \
                             destinations and VPN sources little).",
                    list.join(", "),
                    p.min_score
                ),
                format!(
                    "所在国を{}と申告している対象者のアクセス記録に、海外IPへの異常通信が見られます：{}。\
                             スコア{score:.1}（しきい値{}。北朝鮮・中国・ロシア・イランの重みが大きく、クラウド宛て・VPN経由は小さく評価）。",
                    kensa_model::country::ja(claimed),
                    list_ja.join("、"),
                    p.min_score
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use crate::testing::set_ip;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn subject(sub: &str) -> String {
        format!(
            r#"{{"kind":"subject","subject_id":"{sub}","source":"hr_system","claimed_country":"US"}}"#
        )
    }

    fn access(sub: &str, i: u32, ip: &str, dest: &str) -> String {
        format!(
            r#"{{"kind":"access","subject_id":"{sub}","at":"2026-09-01T10:{i:02}:00Z","resource":"s3://bucket/f{i}","bytes":1000,"ip":"{ip}","dest_ip":"{dest}"}}"#
        )
    }

    #[test]
    fn traffic_to_north_korea_and_china_fires() {
        let lines = vec![
            subject("u1"),
            access("u1", 1, "24.1.1.1", "175.45.176.9"),
            access("u1", 2, "24.1.1.1", "36.110.1.1"),
            access("u1", 3, "24.1.1.1", "52.1.1.1"),
        ];
        let mut d = ds(&lines);
        set_ip(&mut d, "24.1.1.1", "US", &[]);
        set_ip(&mut d, "175.45.176.9", "KP", &[]);
        set_ip(&mut d, "36.110.1.1", "CN", &[]);
        set_ip(&mut d, "52.1.1.1", "IE", &[NetClass::Hosting]);
        let f = AccessForeign(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 1.0);
        assert_eq!(f[0].evidence.values["countries"][0]["country"], "KP");
        assert!(f[0].explanation.ja.contains("海外IPへの異常通信"));
    }

    #[test]
    fn a_trip_abroad_and_cloud_storage_abroad_do_not_fire() {
        let mut lines = vec![subject("t1")];
        for i in 0..30 {
            // Working from a hotel in France, syncing to cloud storage in Ireland and China.
            lines.push(access(
                "t1",
                i,
                "90.1.1.1",
                if i % 2 == 0 { "52.1.1.1" } else { "47.1.1.1" },
            ));
        }
        let mut d = ds(&lines);
        set_ip(&mut d, "90.1.1.1", "FR", &[]);
        set_ip(&mut d, "52.1.1.1", "IE", &[NetClass::Hosting]);
        set_ip(&mut d, "47.1.1.1", "CN", &[NetClass::Hosting]);
        assert!(AccessForeign(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn unknown_addresses_and_no_claim_are_not_evidence() {
        let lines = vec![
            access("n1", 1, "24.1.1.1", "175.45.176.9"),
            subject("n2"),
            access("n2", 1, "9.9.9.9", "8.8.8.8"),
        ];
        let mut d = ds(&lines);
        set_ip(&mut d, "175.45.176.9", "KP", &[]);
        assert!(AccessForeign(Params::default()).run(&d).is_empty());
    }
}
