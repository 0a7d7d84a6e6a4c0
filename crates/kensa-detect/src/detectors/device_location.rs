//! RF-LOGIN-MULTI-COUNTRY — the company laptop is never where the logins come from
//! (ログイン元の国と業務端末の所在地が一致しない).
//!
//! Source: the US Department of Justice's laptop-farm cases (2024–2025: the company laptop sits
//! in a facilitator's home in the US while the worker operates it from abroad), the FBI's
//! January 2025 PSA (I-012325-PSA) and the Japan–US–ROK joint statement of March 2025, which
//! tell employers to compare where the issued device is with where the worker connects from.
//!
//! What is measured: the device's location from `endpoint` records — the `country` of a
//! location report, or the geolocation of its `ip` when that address is a presence (not a VPN,
//! relay, hosting or corporate secure-access egress) — against the countries of the subject's
//! successful logins from presence addresses. It fires when the device was located at least
//! `min_reports` times, at least `min_logins` presence logins have a country, and at most
//! `max_match_share` of those logins come from a country where the device was ever seen.
//! Strength `strength`, or `high_risk_strength` when logins come from a `high_risk` country.
//!
//! False positives: a traveller takes the laptop along (its reports follow the logins); logins
//! through a VPN, a privacy relay or a corporate egress (Zscaler, Netskope...) say nothing about
//! where the person is and are left out, so a VPN user with the laptop at home stays silent; a
//! subject without device location reports is never judged.

use crate::detectors::login_multi_country::{HIGH_RISK, presence_country};
use crate::util::round2;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "device_location",
    raises: &["RF-LOGIN-MULTI-COUNTRY"],
    summary: "the company device's reported location (endpoint location reports, by country or address) never matches the countries the logins come from — the laptop-farm pattern",
    false_positives: "a laptop that travels with its user matches the logins; VPN, relay, hosting and corporate-egress logins are left out, so a VPN user with the laptop at home is silent; no device reports, no judgement",
};

/// Parameters (`[detectors.device_location]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Device location reports needed.
    pub min_reports: usize,
    /// Presence logins (with a country) needed.
    pub min_logins: usize,
    /// Largest share of presence logins from a country where the device was seen.
    pub max_match_share: f64,
    /// Strength when it fires.
    pub strength: f64,
    /// Strength when logins come from a high-risk country.
    pub high_risk_strength: f64,
    /// High-risk login countries (ISO 3166-1 alpha-2).
    pub high_risk: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_reports: 2,
            min_logins: 5,
            max_match_share: 0.0,
            strength: 0.6,
            high_risk_strength: 0.9,
            high_risk: std::iter::once("KP")
                .chain(HIGH_RISK)
                .map(String::from)
                .collect(),
        }
    }
}

pub struct DeviceLocation(pub Params);

impl Detector for DeviceLocation {
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

impl DeviceLocation {
    /// Phase 2 for one subject.
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        // Device country → (reports, first report ids).
        let mut device: BTreeMap<String, (usize, Vec<&str>)> = BTreeMap::new();
        for e in &s.endpoints {
            let cc = match (&e.r.country, e.r.ip) {
                (Some(c), _) => Some(c.as_str().to_owned()),
                (None, Some(ip)) => presence_country(ds.ip_info(ip)).map(str::to_owned),
                _ => None,
            };
            if let Some(cc) = cc {
                let d = device.entry(cc).or_default();
                d.0 += 1;
                if d.1.len() < 10 {
                    d.1.push(&e.id);
                }
            }
        }
        let reports: usize = device.values().map(|d| d.0).sum();
        if reports < p.min_reports {
            return None;
        }
        let mut logins: BTreeMap<&str, (usize, Vec<&str>)> = BTreeMap::new();
        for l in s.logins.iter().filter(|l| l.r.success != Some(false)) {
            if let Some(cc) = presence_country(ds.ip_info(l.r.ip)) {
                let e = logins.entry(cc).or_default();
                e.0 += 1;
                if e.1.len() < 10 {
                    e.1.push(&l.id);
                }
            }
        }
        let total: usize = logins.values().map(|x| x.0).sum();
        if total < p.min_logins {
            return None;
        }
        let matching: usize = logins
            .iter()
            .filter(|(cc, _)| device.contains_key(**cc))
            .map(|(_, x)| x.0)
            .sum();
        let share = matching as f64 / total as f64;
        if share > p.max_match_share {
            return None;
        }
        let high: Vec<&str> = logins
            .keys()
            .copied()
            .filter(|cc| p.high_risk.iter().any(|h| h == cc))
            .collect();
        let strength = if high.is_empty() {
            p.strength
        } else {
            p.high_risk_strength
        };
        let dev_list = device
            .iter()
            .map(|(cc, d)| format!("{cc} ({})", d.0))
            .collect::<Vec<_>>();
        let login_list = logins
            .iter()
            .map(|(cc, x)| format!("{cc} ({})", x.0))
            .collect::<Vec<_>>();
        let records: Vec<String> = device
            .values()
            .flat_map(|d| d.1.iter())
            .chain(logins.values().flat_map(|x| x.1.iter()))
            .map(|s| (*s).to_owned())
            .take(50)
            .collect();
        let pct = (p.max_match_share * 100.0).round();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LOGIN-MULTI-COUNTRY".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value(
                    "device_countries",
                    json!(device.iter().map(|(c, d)| json!({"country": c, "reports": d.0})).collect::<Vec<_>>()),
                )
                .value(
                    "login_countries",
                    json!(logins.iter().map(|(c, x)| json!({"country": c, "logins": x.0})).collect::<Vec<_>>()),
                )
                .value("matching_share", round2(share))
                .value("high_risk_login_countries", json!(high))
                .threshold("min_reports", p.min_reports)
                .threshold("min_logins", p.min_logins)
                .threshold("max_match_share", p.max_match_share)
                .threshold("high_risk", json!(p.high_risk)),
            explanation: Text::new(
                format!(
                    "The work device reports its location in {} but the {total} logins come from \
                     {} ({}% from a country where the device was; threshold {pct}%): the \
                     person is not where the device is, as with a laptop farm.",
                    dev_list.join(", "),
                    login_list.join(", "),
                    (share * 100.0).round()
                ),
                format!(
                    "業務端末の所在地は{}と報告されていますが、ログイン{total}件の送信元は{}です\
                     （端末の所在国からのログインは{}%、しきい値{pct}%）。端末のある場所に本人がいない、\
                     いわゆるラップトップファームの兆候です。",
                    dev_list.join("、").replace(" (", "（").replace(')', "件）"),
                    login_list.join("、").replace(" (", "（").replace(')', "件）"),
                    (share * 100.0).round()
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{ds, set_ip};
    use kensa_model::intel::NetClass;
    use serde_json::Value;

    fn login(sid: &str, day: u32, ip: &str) -> Value {
        json!({"kind":"login","subject_id":sid,"at":format!("2026-09-{day:02}T01:00:00Z"),"ip":ip})
    }

    fn located(sid: &str, day: u32, country: Option<&str>, ip: Option<&str>) -> Value {
        let mut v = json!({"kind":"endpoint","subject_id":sid,"at":format!("2026-09-{day:02}T02:00:00Z"),
            "observation":"location","device_id":format!("{sid}-laptop")});
        if let Some(c) = country {
            v["country"] = json!(c);
        }
        if let Some(ip) = ip {
            v["ip"] = json!(ip);
        }
        v
    }

    /// Issue 17 item 8: the laptop checks in from the US (by country and by a US home address)
    /// while every login comes from China — fires, high-risk strength. Look-alikes: the
    /// traveller whose laptop reports follow the logins, and the VPN user whose laptop is at home
    /// and whose logins all leave through a VPN — silent.
    #[test]
    fn a_laptop_never_where_the_logins_are_fires_and_look_alikes_do_not() {
        let mut lines = Vec::new();
        for d in 1..=8 {
            lines.push(login("farm", d, "36.110.1.1"));
            lines.push(login("trav", d, if d < 5 { "24.1.1.1" } else { "81.2.2.2" }));
            lines.push(login("vpn", d, "185.1.1.1"));
        }
        lines.push(located("farm", 1, Some("US"), None));
        lines.push(located("farm", 4, None, Some("24.9.9.9")));
        lines.push(located("trav", 1, Some("US"), None));
        lines.push(located("trav", 6, Some("FR"), None));
        lines.push(located("vpn", 1, Some("US"), None));
        lines.push(located("vpn", 5, None, Some("24.9.9.9")));
        let mut d = ds(&lines);
        set_ip(&mut d, "36.110.1.1", "CN", &[]);
        set_ip(&mut d, "24.1.1.1", "US", &[]);
        set_ip(&mut d, "24.9.9.9", "US", &[]);
        set_ip(&mut d, "81.2.2.2", "FR", &[]);
        set_ip(&mut d, "185.1.1.1", "NL", &[NetClass::Vpn]);
        let f = DeviceLocation(Params::default()).run(&d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject_id, "farm");
        assert_eq!(f[0].id, "RF-LOGIN-MULTI-COUNTRY");
        assert_eq!(f[0].detector, "device_location");
        assert_eq!(f[0].strength, 0.9);
        assert_eq!(f[0].evidence.values["device_countries"][0]["reports"], 2);
        assert!(f[0].explanation.ja.contains("ラップトップファーム"), "{}", f[0].explanation.ja);
        assert!(f[0].explanation.ja.contains("US（2件）"), "{}", f[0].explanation.ja);
    }
}
