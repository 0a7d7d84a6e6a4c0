//! RF-LOGIN-MULTI-IP — many logins to one account from many IP addresses in a short period.
//!
//! For each account, a window of `window` slides over its successful logins; the detector
//! finds the window holding the most distinct *networks* (an IPv4 /24 or an IPv6 /48) and
//! fires when that number reaches `count`.
//!
//! False positives: a phone on a mobile carrier changes address often, and a laptop that
//! moves between home, office and café sees a few addresses a day. Counting networks instead of
//! addresses collapses carrier-grade NAT pools and DHCP churn inside one provider block, and the
//! default threshold (5 networks in 24 h) sits above a busy commuter's day. Failed logins are
//! ignored: a password-spraying attack on the account is not the account holder's behaviour.
//! Addresses the intel sources classify Mobile (carrier pools) or Relay (iCloud Private Relay)
//! rotate across many /24s of one operator, so they count as one network per ASN (or per
//! IPv4 /16, IPv6 /32 when the ASN is unknown): a phone user does not fire.

use crate::params::Dur;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text, Ts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "login_multi_ip",
    raises: &["RF-LOGIN-MULTI-IP"],
    summary: "distinct networks (IPv4 /24, IPv6 /48) among an account's logins within a sliding window",
    false_positives: "mobile carriers and DHCP churn: counting networks rather than addresses collapses them, and mobile/relay addresses count once per ASN (or /16); failed logins are ignored",
};

/// Parameters (`[detectors.login_multi_ip]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Length of the sliding window.
    pub window: Dur,
    /// Distinct networks within one window at which the flag fires.
    pub count: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Dur::hours(24),
            count: 5,
        }
    }
}

pub struct LoginMultiIp(pub Params);

/// The network an address belongs to, for counting: /24 for IPv4, /48 for IPv6.
pub fn network_of(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => (u32::from(v4) >> 8) as u128,
        IpAddr::V6(v6) => (1u128 << 127) | (u128::from(v6) >> 80),
    }
}

/// The network key used for counting: [`network_of`], except that an address classified
/// Mobile or Relay counts as its ASN (or its IPv4 /16, IPv6 /32 when the ASN is unknown),
/// because carrier and relay pools rotate a user across many blocks of one operator.
pub fn network_key(ds: &Dataset, ip: IpAddr) -> u128 {
    use kensa_model::intel::NetClass;
    match ds.ip_info(ip) {
        Some(i) if i.has_class(NetClass::Mobile) || i.has_class(NetClass::Relay) => {
            match (i.asn, ip) {
                (Some(asn), _) => (1u128 << 126) | asn as u128,
                (None, IpAddr::V4(v4)) => (1u128 << 125) | (u32::from(v4) >> 16) as u128,
                (None, IpAddr::V6(v6)) => (1u128 << 124) | (u128::from(v6) >> 96),
            }
        }
        _ => network_of(ip),
    }
}

impl Detector for LoginMultiIp {
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

impl LoginMultiIp {
    /// Phase 2 for one subject.
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let window = p.window.millis();
        let logins: Vec<_> = s
            .logins
            .iter()
            .filter(|l| l.r.success != Some(false))
            .collect();
        if logins.len() < p.count {
            return None;
        }
        // Two pointers over time-sorted logins, counting logins per network in the window.
        let mut in_window: HashMap<u128, usize> = HashMap::new();
        let mut lo = 0;
        let mut best = (0usize, 0usize, 0usize); // (distinct networks, lo, hi)
        for hi in 0..logins.len() {
            *in_window
                .entry(network_key(ds, logins[hi].r.ip))
                .or_default() += 1;
            while logins[hi].r.at.0 - logins[lo].r.at.0 > window {
                let n = network_key(ds, logins[lo].r.ip);
                if let Some(c) = in_window.get_mut(&n) {
                    *c -= 1;
                    if *c == 0 {
                        in_window.remove(&n);
                    }
                }
                lo += 1;
            }
            if in_window.len() > best.0 {
                best = (in_window.len(), lo, hi);
            }
        }
        let (networks, lo, hi) = best;
        if networks < p.count {
            return None;
        }
        let span = &logins[lo..=hi];
        let ips: BTreeSet<String> = span.iter().map(|l| l.r.ip.to_string()).collect();
        let (from, to) = (span[0].r.at, span[span.len() - 1].r.at);
        let strength = (0.5 + 0.5 * (networks - p.count) as f64 / p.count as f64).min(1.0);
        let shown: Vec<&String> = ips.iter().take(20).collect();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LOGIN-MULTI-IP".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(span.iter().take(50).map(|l| l.id.clone()))
                .value("logins_in_window", span.len())
                .value("distinct_networks", networks)
                .value("distinct_ips", ips.len())
                .value("ips", serde_json::json!(shown))
                .value("window_start", from.to_rfc3339())
                .value("window_end", to.to_rfc3339())
                .threshold("window", p.window.to_string())
                .threshold("count", p.count),
            explanation: explain(
                span.len(),
                networks,
                ips.len(),
                &p.window,
                from,
                to,
                p.count,
            ),
        })
    }
}

fn explain(
    logins: usize,
    networks: usize,
    ips: usize,
    window: &Dur,
    from: Ts,
    to: Ts,
    count: usize,
) -> Text {
    Text::new(
        format!(
            "{logins} logins from {networks} different networks ({ips} IP addresses) within {window} \
             ({from} – {to}); the threshold is {count} networks."
        ),
        format!(
            "{window}以内に{networks}個の異なるネットワーク（IPアドレス{ips}個）から{logins}回のログインがありました\
             （{from} – {to}）。しきい値は{count}ネットワークです。"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn login(sub: &str, minute: u32, ip: &str) -> String {
        format!(
            r#"{{"kind":"login","subject_id":"{sub}","at":"2026-09-01T{:02}:{:02}:00Z","ip":"{ip}"}}"#,
            minute / 60,
            minute % 60
        )
    }

    #[test]
    fn fires_on_many_networks_in_a_day() {
        let lines: Vec<String> = (0..8)
            .map(|i| login("u1", i * 60, &format!("{}.10.20.30", 20 + i)))
            .collect();
        let f = LoginMultiIp(Params::default()).run(&ds(&lines));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.values["distinct_networks"], 8);
        assert_eq!(f[0].evidence.records.len(), 8);
        assert!(f[0].strength > 0.5);
        assert!(f[0].explanation.ja.contains("8個の異なるネットワーク"));
    }

    #[test]
    fn mobile_carrier_churn_in_one_block_does_not_fire() {
        // Twenty logins from twenty addresses, all inside one carrier /24.
        let lines: Vec<String> = (0..20)
            .map(|i| login("u2", i * 30, &format!("172.56.1.{}", i + 1)))
            .collect();
        assert!(LoginMultiIp(Params::default()).run(&ds(&lines)).is_empty());
    }

    fn mobile(ds: &mut Dataset, ip: &str, asn: Option<u32>, class: kensa_model::intel::NetClass) {
        ds.ip.insert(
            ip.parse().unwrap(),
            kensa_model::intel::IpInfo {
                country: Some("US".into()),
                asn,
                classes: vec![kensa_model::intel::NetClassHit {
                    class,
                    source: "test".into(),
                    label: None,
                }],
                ..Default::default()
            },
        );
    }

    #[test]
    fn a_phone_on_a_carrier_pool_across_many_blocks_does_not_fire() {
        use kensa_model::intel::NetClass;
        // Twelve logins in a day from twelve /24s: carrier pool (ASN known), carrier pool
        // without ASN inside one /16, and iCloud Private Relay egress.
        let ips: Vec<String> = (0..4)
            .map(|i| format!("172.{}.1.1", 32 + i * 7))
            .chain((0..4).map(|i| format!("100.64.{}.1", i * 9)))
            .chain((0..4).map(|i| format!("104.{}.3.3", 28 + i)))
            .collect();
        let lines: Vec<String> = ips
            .iter()
            .enumerate()
            .map(|(i, ip)| login("m1", i as u32 * 60, ip))
            .collect();
        let mut d = ds(&lines);
        for ip in &ips[0..4] {
            mobile(&mut d, ip, Some(21928), NetClass::Mobile);
        }
        for ip in &ips[4..8] {
            mobile(&mut d, ip, None, NetClass::Mobile);
        }
        for ip in &ips[8..12] {
            mobile(&mut d, ip, Some(36183), NetClass::Relay);
        }
        assert!(LoginMultiIp(Params::default()).run(&d).is_empty());
        // Without intel the same twelve /24s fire.
        assert_eq!(LoginMultiIp(Params::default()).run(&ds(&lines)).len(), 1);
    }

    #[test]
    fn the_same_networks_spread_over_weeks_do_not_fire() {
        // A traveller: eight networks, but one a day.
        let lines: Vec<String> = (0..8)
            .map(|d| {
                format!(
                    r#"{{"kind":"login","subject_id":"u3","at":"2026-09-{:02}T10:00:00Z","ip":"{}.1.1.1"}}"#,
                    d + 1,
                    30 + d
                )
            })
            .collect();
        assert!(LoginMultiIp(Params::default()).run(&ds(&lines)).is_empty());
    }
}
