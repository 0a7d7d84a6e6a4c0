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
//!
//! Two patterns of 2025–2026 tradecraft fire too (issue 17), each with its own evidence:
//! * **residential-proxy rotation**: within `rotation_window`, home-ISP addresses (known to
//!   the intel sources, no VPN, hosting, mobile, corporate or relay class) of at least
//!   `rotation_isps` different providers (ASNs) in at least two cities, alternating — the
//!   account comes back to a provider it had left at least `rotation_returns` times. DHCP churn
//!   inside one provider and city is one network; someone who moves or travels does not go
//!   back and forth between providers.
//! * **VPN exit hopping**: at least `vpn_exits` different VPN/proxy exit networks within
//!   `window`. One privacy VPN exit a day (or two around a reconnect) stays below it.

use crate::params::Dur;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text, Ts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use kensa_model::intel::IpInfo;
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "login_multi_ip",
    raises: &["RF-LOGIN-MULTI-IP"],
    summary: "distinct networks (IPv4 /24, IPv6 /48) among an account's logins within a sliding window; residential-proxy rotation (home ISPs of several providers and cities, alternating within days); VPN exit hopping within a day",
    false_positives: "mobile carriers and DHCP churn: counting networks rather than addresses collapses them, mobile/relay addresses count once per ASN (or /16), one provider in one city is one network; a move does not alternate; one privacy VPN exit a day stays below vpn_exits; failed logins are ignored",
};

/// Parameters (`[detectors.login_multi_ip]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Length of the sliding window.
    pub window: Dur,
    /// Distinct networks within one window at which the flag fires.
    pub count: usize,
    /// Window of the residential-proxy rotation pattern.
    pub rotation_window: Dur,
    /// Distinct home-ISP providers (ASNs) within `rotation_window` for the rotation pattern.
    pub rotation_isps: usize,
    /// Returns to a provider already left, within `rotation_window`, for the rotation pattern.
    pub rotation_returns: usize,
    /// Distinct VPN/proxy exit networks within `window` for the hopping pattern.
    pub vpn_exits: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Dur::hours(24),
            count: 5,
            rotation_window: Dur::days(7),
            rotation_isps: 3,
            rotation_returns: 2,
            vpn_exits: 3,
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

/// The network key used for counting, from the address's looked-up answer: [`network_of`], except that an address classified
/// Mobile or Relay counts as its ASN (or its IPv4 /16, IPv6 /32 when the ASN is unknown),
/// because carrier and relay pools rotate a user across many blocks of one operator.
fn network_key_of(info: Option<&IpInfo>, ip: IpAddr) -> u128 {
    use kensa_model::intel::NetClass;
    match info {
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
        // Successful logins with their addresses' answers, looked up once for the three checks.
        let logins: Vec<Login<'_>> = s
            .logins
            .iter()
            .filter(|l| l.r.success != Some(false))
            .map(|l| (l, ds.ip_info(l.r.ip)))
            .collect();
        // The strongest of the three patterns.
        [
            self.subject(s, &logins),
            self.rotation(s, &logins),
            self.vpn_hopping(s, &logins),
        ]
        .into_iter()
        .flatten()
        .fold(None, |best: Option<Finding>, f| match best {
            Some(b) if b.strength >= f.strength => Some(b),
            _ => Some(f),
        })
        .into_iter()
        .collect()
    }
}

/// What a login address is, for the two tradecraft patterns.
enum Kind<'a> {
    /// A home ISP: (ASN, city as the source spells it).
    Home(u32, &'a str),
    /// A VPN, proxy or Tor exit.
    Exit,
    Other,
}

/// A successful login and what intel says about its address.
type Login<'a> = (&'a crate::Rec<kensa_model::record::Login>, Option<&'a IpInfo>);

fn kind(info: Option<&IpInfo>) -> Kind<'_> {
    use kensa_model::intel::NetClass;
    let Some(i) = info else {
        return Kind::Other;
    };
    if i.has_class(NetClass::Vpn) || i.has_class(NetClass::Proxy) || i.has_class(NetClass::Tor) {
        return Kind::Exit;
    }
    if i.is_anonymizer()
        || i.has_class(NetClass::Mobile)
        || i.has_class(NetClass::Corporate)
        || i.has_class(NetClass::Relay)
    {
        return Kind::Other;
    }
    match (i.asn, i.city.as_deref()) {
        (Some(asn), Some(city)) => Kind::Home(asn, city),
        _ => Kind::Other,
    }
}

impl LoginMultiIp {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData, ok: &[Login<'_>]) -> Option<Finding> {
        let p = &self.0;
        let window = p.window.millis();
        if ok.len() < p.count {
            return None;
        }
        let logins: Vec<_> = ok.iter().map(|(l, _)| *l).collect();
        let keys: Vec<u128> = ok
            .iter()
            .map(|(l, info)| network_key_of(*info, l.r.ip))
            .collect();
        // Two pointers over time-sorted logins, counting logins per network in the window.
        let mut in_window: HashMap<u128, usize, crate::dataset::FastHash> = HashMap::default();
        let mut lo = 0;
        let mut best = (0usize, 0usize, 0usize); // (distinct networks, lo, hi)
        for hi in 0..logins.len() {
            *in_window.entry(keys[hi]).or_default() += 1;
            while logins[hi].r.at.0 - logins[lo].r.at.0 > window {
                if let Some(c) = in_window.get_mut(&keys[lo]) {
                    *c -= 1;
                    if *c == 0 {
                        in_window.remove(&keys[lo]);
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
                .value("pattern", "networks_in_window")
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

impl LoginMultiIp {
    /// Residential-proxy rotation: home ISPs of several providers and cities, alternating.
    fn rotation(&self, s: &SubjectData, ok: &[Login<'_>]) -> Option<Finding> {
        let p = &self.0;
        // (login, ASN, city number, intel answer); cities compared without case, each
        // distinct spelling lowercased once.
        type Home<'a> = (
            &'a crate::Rec<kensa_model::record::Login>,
            u32,
            u32,
            Option<&'a IpInfo>,
        );
        let mut spelled: HashMap<&str, u32> = HashMap::new();
        let mut lowered: HashMap<String, u32> = HashMap::new();
        let homes: Vec<Home<'_>> = ok
            .iter()
            .filter_map(|&(l, info)| match kind(info) {
                Kind::Home(asn, city) => {
                    let next = lowered.len() as u32;
                    let c = *spelled
                        .entry(city)
                        .or_insert_with(|| *lowered.entry(city.to_lowercase()).or_insert(next));
                    Some((l, asn, c, info))
                }
                _ => None,
            })
            .collect();
        let window = p.rotation_window.millis();
        let mut best: Option<(usize, usize, usize, usize, usize)> = None; // (returns, isps, cities, lo, hi)
        let mut lo = 0;
        // Scratch sets, reused for every window (small: a window holds a week of logins).
        let (mut isps, mut cities, mut left): (Vec<u32>, Vec<u32>, Vec<u32>) =
            (Vec::new(), Vec::new(), Vec::new());
        let distinct = |v: &mut Vec<u32>| {
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        for hi in 0..homes.len() {
            while homes[hi].0.r.at.0 - homes[lo].0.r.at.0 > window {
                lo += 1;
            }
            let span = &homes[lo..=hi];
            isps.clear();
            isps.extend(span.iter().map(|x| x.1));
            let n_isps = distinct(&mut isps);
            cities.clear();
            cities.extend(span.iter().map(|x| x.2));
            let n_cities = distinct(&mut cities);
            // Returns: a change of provider back to one already left in this window.
            left.clear();
            let mut returns = 0;
            for w in span.windows(2) {
                if w[0].1 != w[1].1 {
                    if !left.contains(&w[0].1) {
                        left.push(w[0].1);
                    }
                    if left.contains(&w[1].1) {
                        returns += 1;
                    }
                }
            }
            if n_isps >= p.rotation_isps
                && n_cities >= 2
                && returns >= p.rotation_returns
                && best.is_none_or(|b| (returns, n_isps) > (b.0, b.1))
            {
                best = Some((returns, n_isps, n_cities, lo, hi));
            }
        }
        let (returns, isps, cities, lo, hi) = best?;
        let span = &homes[lo..=hi];
        let (from, to) = (span[0].0.r.at, span[span.len() - 1].0.r.at);
        let strength = (0.5 + 0.1 * (returns - p.rotation_returns) as f64
            + 0.1 * (isps - p.rotation_isps) as f64)
            .min(1.0);
        let providers: BTreeSet<String> = span
            .iter()
            .filter_map(|x| {
                let i = x.3?;
                Some(format!(
                    "AS{} {} ({})",
                    x.1,
                    i.org.as_deref().unwrap_or("?"),
                    i.city.as_deref().unwrap_or("?")
                ))
            })
            .collect();
        let w = &p.rotation_window;
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LOGIN-MULTI-IP".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(span.iter().take(50).map(|x| x.0.id.clone()))
                .value("pattern", "residential_rotation")
                .value("providers", serde_json::json!(providers.iter().take(20).collect::<Vec<_>>()))
                .value("distinct_providers", isps)
                .value("distinct_cities", cities)
                .value("returns_to_a_provider", returns)
                .value("window_start", from.to_rfc3339())
                .value("window_end", to.to_rfc3339())
                .threshold("rotation_window", w.to_string())
                .threshold("rotation_isps", p.rotation_isps)
                .threshold("rotation_returns", p.rotation_returns),
            explanation: Text::new(
                format!(
                    "Within {w} ({from} – {to}) the account logged in from home-ISP addresses of {isps} \
                     providers in {cities} cities, going back to a provider it had left {returns} times: \
                     the rotation of a residential proxy service, not one household's line (thresholds \
                     {} providers, {} returns).",
                    p.rotation_isps, p.rotation_returns
                ),
                format!(
                    "{w}以内（{from} – {to}）に、{cities}都市・{isps}社の家庭向け回線のアドレスからログインし、\
                     いったん離れた回線事業者に{returns}回戻っています。1世帯の回線ではなく、\
                     住宅用プロキシの切り替えに見られる形です（しきい値は{}社、{}回）。",
                    p.rotation_isps, p.rotation_returns
                ),
            ),
        })
    }

    /// VPN exit hopping: several VPN/proxy exit networks within `window`.
    fn vpn_hopping(&self, s: &SubjectData, ok: &[Login<'_>]) -> Option<Finding> {
        let p = &self.0;
        let exits: Vec<&crate::Rec<kensa_model::record::Login>> = ok
            .iter()
            .filter(|(_, info)| matches!(kind(*info), Kind::Exit))
            .map(|(l, _)| *l)
            .collect();
        if exits.len() < p.vpn_exits {
            return None;
        }
        let window = p.window.millis();
        let mut best: Option<(usize, usize, usize)> = None;
        let mut lo = 0;
        for hi in 0..exits.len() {
            while exits[hi].r.at.0 - exits[lo].r.at.0 > window {
                lo += 1;
            }
            let n: BTreeSet<u128> = exits[lo..=hi].iter().map(|l| network_of(l.r.ip)).collect();
            if best.is_none_or(|b| n.len() > b.0) {
                best = Some((n.len(), lo, hi));
            }
        }
        let (n, lo, hi) = best?;
        if n < p.vpn_exits {
            return None;
        }
        let span = &exits[lo..=hi];
        let (from, to) = (span[0].r.at, span[span.len() - 1].r.at);
        let ips: BTreeSet<String> = span.iter().map(|l| l.r.ip.to_string()).collect();
        let strength = (0.5 + 0.15 * (n - p.vpn_exits) as f64).min(1.0);
        let w = &p.window;
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LOGIN-MULTI-IP".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(span.iter().take(50).map(|l| l.id.clone()))
                .value("pattern", "vpn_exit_hopping")
                .value("distinct_exit_networks", n)
                .value("ips", serde_json::json!(ips.iter().take(20).collect::<Vec<_>>()))
                .value("window_start", from.to_rfc3339())
                .value("window_end", to.to_rfc3339())
                .threshold("window", w.to_string())
                .threshold("vpn_exits", p.vpn_exits),
            explanation: Text::new(
                format!(
                    "Within {w} ({from} – {to}) the account logged in through {n} different VPN or \
                     proxy exit networks; a privacy VPN user keeps one exit for a day (threshold {}).",
                    p.vpn_exits
                ),
                format!(
                    "{w}以内（{from} – {to}）に、{n}か所の異なるVPN・プロキシの出口ネットワークからログインしています。\
                     プライバシー目的のVPN利用なら1日に使う出口は通常1か所です（しきい値は{}か所）。",
                    p.vpn_exits
                ),
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

    fn at(sub: &str, day: u32, hour: u32, ip: &str) -> String {
        format!(
            r#"{{"kind":"login","subject_id":"{sub}","at":"2026-09-{day:02}T{hour:02}:00:00Z","ip":"{ip}"}}"#
        )
    }

    fn net(ds: &mut Dataset, ip: &str, asn: u32, city: &str, class: Option<kensa_model::intel::NetClass>) {
        ds.ip.insert(
            ip.parse().unwrap(),
            kensa_model::intel::IpInfo {
                country: Some("US".into()),
                city: Some(city.into()),
                asn: Some(asn),
                org: Some(format!("ISP {asn}")),
                classes: class
                    .map(|c| kensa_model::intel::NetClassHit {
                        class: c,
                        source: "test".into(),
                        label: None,
                    })
                    .into_iter()
                    .collect(),
                ..Default::default()
            },
        );
    }

    /// Issue 17, item 2. Carriers: home-ISP addresses of three providers in three cities,
    /// alternating within days (a residential proxy); three VPN exits in one day. Look-alikes:
    /// DHCP churn inside one provider and city, a move to another provider, a phone, one
    /// privacy VPN exit a day.
    #[test]
    fn residential_proxy_rotation_and_vpn_hopping_fire_and_churn_does_not() {
        use kensa_model::intel::NetClass;
        let mut lines = Vec::new();
        // Rotation: Comcast Chicago, Charter Dallas, Verizon Denver, back and forth.
        for (k, ip) in ["24.1.1.1", "70.2.2.2", "24.1.1.1", "98.3.3.3", "70.2.2.2", "24.1.1.1"]
            .iter()
            .enumerate()
        {
            lines.push(at("rot", 1 + k as u32, 9, ip));
        }
        // VPN hopping: three exits in a day.
        for (h, ip) in [(8, "185.1.1.1"), (12, "185.2.2.2"), (18, "185.3.3.3")] {
            lines.push(at("hop", 3, h, ip));
        }
        // DHCP churn: six /24s of one provider in one city.
        for k in 0..6u32 {
            lines.push(at("dhcp", 1 + k, 9, &format!("24.1.{}.7", 10 + k)));
        }
        // A move: three days on one provider, then three on another in another city.
        for k in 0..6u32 {
            lines.push(at("mover", 1 + k, 9, if k < 3 { "24.1.1.2" } else { "70.2.2.3" }));
        }
        // A privacy VPN: one exit a day.
        for k in 0..5u32 {
            lines.push(at("privacy", 1 + k, 9, &format!("185.{}.9.9", 10 + k)));
        }
        // A phone on one carrier, many pools and cities.
        for k in 0..6u32 {
            lines.push(at("phone", 1 + k, 9, &format!("172.{}.0.1", 56 + k)));
        }
        let mut d = ds(&lines);
        net(&mut d, "24.1.1.1", 7922, "Chicago", None);
        net(&mut d, "24.1.1.2", 7922, "Chicago", None);
        net(&mut d, "70.2.2.2", 20115, "Dallas", None);
        net(&mut d, "70.2.2.3", 20115, "Dallas", None);
        net(&mut d, "98.3.3.3", 701, "Denver", None);
        for k in 0..6u32 {
            net(&mut d, &format!("24.1.{}.7", 10 + k), 7922, "Chicago", None);
            net(&mut d, &format!("172.{}.0.1", 56 + k), 21928, ["Austin", "Boston"][k as usize % 2], Some(NetClass::Mobile));
        }
        for ip in ["185.1.1.1", "185.2.2.2", "185.3.3.3"] {
            net(&mut d, ip, 9009, "Amsterdam", Some(NetClass::Vpn));
        }
        for k in 0..5u32 {
            net(&mut d, &format!("185.{}.9.9", 10 + k), 9009, "Zurich", Some(NetClass::Vpn));
        }
        let f: Vec<Finding> = d
            .subjects
            .iter()
            .flat_map(|s| LoginMultiIp(Params::default()).evaluate(&d, &crate::NoPopulation, s))
            .collect();
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.subject_id.as_str(),
                    f.evidence.values["pattern"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("rot", "residential_rotation"), ("hop", "vpn_exit_hopping")],
            "{f:#?}"
        );
        assert_eq!(f[0].evidence.values["distinct_providers"], 3);
        assert!(f[0].explanation.ja.contains("住宅用プロキシ"));
        assert!(f[1].explanation.ja.contains("出口ネットワーク"));
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
