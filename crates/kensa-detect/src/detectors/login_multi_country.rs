//! RF-LOGIN-MULTI-COUNTRY — logins to one account from IP addresses in several countries,
//! weighted by how unusual those countries are for the subject's claimed location.
//!
//! Only *presence* logins count: successful logins from an address whose country is known and
//! that is not classified VPN, hosting, Tor, proxy or privacy relay (such an address says where
//! the exit is, not where the person is — that is RF-NET-ANONYMIZER's business). Consecutive
//! logins from one country are merged into a *stay*; a window of `window` slides over the
//! stays, and each window is scored as the sum of the weights of the distinct countries other
//! than the claimed one (`country_weights` for the countries DPRK IT workers are known to
//! operate from, `foreign_weight` for any other). The claimed country is the subject's latest
//! `claimed_country`; without one, the country of most presence logins stands in as "home".
//!
//! False positives: a frequent traveller visits several countries in a week. A traveller is in
//! one country at a time: the stays do not interleave (no return to a foreign country already
//! left within the window) and each change of country is at least `min_dwell` after the last
//! login in the previous country. Such a "plausible itinerary" has its score multiplied by
//! `traveller_discount`, so a US subject in US→CA→MX on a trip does not fire, while the same
//! subject seen from CN, RU, VN and LA within a week, going back and forth, fires strongly.
//! North Korea weighs so much (12) that presence there fires even as a "plausible itinerary"
//! (12 × 0.25 = the threshold of 3): nobody commutes to Pyongyang for remote work.
//! Anonymizer exits, iCloud Private Relay, corporate secure-access egress (Zscaler, Netskope,
//! Prisma Access, Cloudflare: class `corporate`) and addresses without geolocation are not
//! presence, so they never make a country appear.
//!
//! **A slip between home logins** (issue 17): a worker who normally appears in the claimed
//! country through a laptop farm or a residential proxy shows up once from a high-risk country
//! (`high_risk`: China, Russia, and the places the October 2025 Multilateral Sanctions
//! Monitoring Team report names — Laos, Cambodia, Equatorial Guinea, Guinea, Nigeria, Tanzania)
//! with claimed-country logins on both sides less than `interleave_gap` apart. Nobody flies
//! there and back in that time, so such a stay adds `interleave_score` to its window and the
//! window is never a plausible itinerary: it fires even when it is the subject's only
//! presence abroad. A traveller's real trip lasts longer than the gap.

use crate::params::Dur;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::intel::{IpInfo, NetClass};
use kensa_model::{Evidence, Finding, Text, Ts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "login_multi_country",
    raises: &["RF-LOGIN-MULTI-COUNTRY"],
    summary: "distinct countries of presence (non-anonymized) logins within a sliding window, weighted by how unusual each is for the claimed country; one stay in a high-risk country between claimed-country logins hours apart counts on its own",
    false_positives: "travellers: a plausible itinerary (one country at a time, changes at least min_dwell apart, no back-and-forth) is discounted, and a real trip lasts longer than interleave_gap; VPN/hosting/Tor/proxy/relay exits and corporate secure-access egress (Zscaler, Netskope, Prisma Access, Cloudflare) are not presence",
};

/// Parameters (`[detectors.login_multi_country]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Length of the sliding window.
    pub window: Dur,
    /// Weight of a foreign country that is not in `country_weights`.
    pub foreign_weight: f64,
    /// Weights of countries that are unusual for most claimed locations and typical of DPRK
    /// IT-worker operations (ISO 3166-1 alpha-2 → weight). The claimed country weighs 0.
    pub country_weights: BTreeMap<String, f64>,
    /// Minimum weighted score of a window for the flag to fire.
    pub min_score: f64,
    /// A change of country sooner than this after the last login in the previous country is
    /// not a traveller's move.
    pub min_dwell: Dur,
    /// Factor applied to the score of a window that looks like a plausible itinerary.
    pub traveller_discount: f64,
    /// Countries where a single stay between claimed-country logins counts on its own.
    pub high_risk: Vec<String>,
    /// Longest time between the claimed-country logins around such a stay.
    pub interleave_gap: Dur,
    /// Added to a window's score for each high-risk country seen between home logins.
    pub interleave_score: f64,
}

impl Default for Params {
    fn default() -> Self {
        let w = [
            ("KP", 12.0),
            ("CN", 2.5),
            ("RU", 2.5),
            ("VN", 2.0),
            ("LA", 2.0),
            ("KH", 2.0),
            ("MM", 2.0),
            ("IR", 2.0),
            ("AE", 1.5),
            ("NG", 1.5),
            ("GQ", 2.0),
            ("GN", 2.0),
            ("TZ", 1.5),
        ];
        Params {
            window: Dur::days(7),
            foreign_weight: 1.0,
            country_weights: w.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
            min_score: 3.0,
            min_dwell: Dur::hours(6),
            traveller_discount: 0.25,
            high_risk: HIGH_RISK.map(String::from).to_vec(),
            interleave_gap: Dur::hours(48),
            interleave_score: 3.0,
        }
    }
}

pub struct LoginMultiCountry(pub Params);

/// A one-line description of an address and what the intel sources say about it, e.g.
/// `175.45.176.1 → KP, Pyongyang, AS131279 Star JV [vpn (x4bnet-vpn)]`.
pub(crate) fn describe_ip(ds: &Dataset, ip: IpAddr) -> String {
    match ds.ip_info(ip) {
        Some(i) => {
            let mut i = i.clone();
            i.ip = ip;
            i.summary()
        }
        None => format!("{ip} → unknown"),
    }
}

/// Whether an address's geolocation can stand for where the user is: it must be known and the
/// address must not be an anonymizer, a privacy relay or a corporate secure-access egress
/// (Zscaler, Netskope, Prisma Access, Cloudflare...: the provider's point of presence, often in
/// another country).
pub(crate) fn presence_country(info: Option<&IpInfo>) -> Option<&str> {
    let i = info?;
    if i.is_anonymizer() || i.has_class(NetClass::Relay) || i.has_class(NetClass::Corporate) {
        return None;
    }
    i.country.as_deref()
}

/// The high-risk presence countries of issue 17: China, Russia, and the places the October
/// 2025 Multilateral Sanctions Monitoring Team report names as hosts of DPRK IT workers.
pub(crate) const HIGH_RISK: [&str; 8] = ["CN", "RU", "LA", "KH", "GQ", "GN", "NG", "TZ"];

/// A run of consecutive presence logins from one country.
struct Stay<'a> {
    country: &'a str,
    first: Ts,
    last: Ts,
    /// Indices into the presence logins.
    lo: usize,
    hi: usize,
}

impl Params {
    fn weight(&self, country: &str, home: Option<&str>) -> f64 {
        if Some(country) == home {
            0.0
        } else {
            self.country_weights
                .get(country)
                .copied()
                .unwrap_or(self.foreign_weight)
        }
    }
}

impl Detector for LoginMultiCountry {
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

impl LoginMultiCountry {
    /// Phase 2 for one subject.
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let logins: Vec<(&crate::Rec<kensa_model::record::Login>, &str)> = s
            .logins
            .iter()
            .filter(|l| l.r.success != Some(false))
            .filter_map(|l| Some((l, presence_country(ds.ip_info(l.r.ip))?)))
            .collect();
        if logins.is_empty() {
            return None;
        }
        let claimed = s.claimed_country();
        let home: Option<&str> = claimed.or_else(|| {
            let mut n: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, c) in &logins {
                *n.entry(c).or_default() += 1;
            }
            n.into_iter().max_by_key(|(_, k)| *k).map(|(c, _)| c)
        });
        let mut stays: Vec<Stay> = Vec::new();
        for (i, (l, c)) in logins.iter().enumerate() {
            match stays.last_mut() {
                Some(st) if st.country == *c => {
                    st.last = l.r.at;
                    st.hi = i;
                }
                _ => stays.push(Stay {
                    country: c,
                    first: l.r.at,
                    last: l.r.at,
                    lo: i,
                    hi: i,
                }),
            }
        }
        // Nothing but the claimed (or usual) country: nothing to say.
        if stays.iter().all(|st| Some(st.country) == home) {
            return None;
        }
        // High-risk stays with home logins on both sides, closer than `interleave_gap`.
        let gap = p.interleave_gap.millis();
        let interleaved: Vec<bool> = (0..stays.len())
            .map(|i| {
                i > 0
                    && i + 1 < stays.len()
                    && Some(stays[i].country) != home
                    && p.high_risk.iter().any(|c| c == stays[i].country)
                    && Some(stays[i - 1].country) == home
                    && Some(stays[i + 1].country) == home
                    && stays[i + 1].first.0 - stays[i - 1].last.0 <= gap
            })
            .collect();
        let window = p.window.millis();
        let dwell = p.min_dwell.millis();
        // Windows of stays: [lo, hi] with stays[hi].first - stays[lo].last <= window.
        let mut best: Option<(f64, f64, usize, usize, bool)> = None;
        let mut lo = 0;
        for hi in 0..stays.len() {
            while stays[hi].first.0 - stays[lo].last.0 > window {
                lo += 1;
            }
            let (mut raw, mut plausible) = score_window(p, &stays[lo..=hi], home, dwell);
            let slips: BTreeSet<&str> = (lo..=hi)
                .filter(|&i| interleaved[i])
                .map(|i| stays[i].country)
                .collect();
            if !slips.is_empty() {
                raw += p.interleave_score * slips.len() as f64;
                plausible = false;
            }
            let score = if plausible {
                raw * p.traveller_discount
            } else {
                raw
            };
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, raw, lo, hi, plausible));
            }
        }
        let (score, raw, lo, hi, plausible) = best?;
        if score < p.min_score {
            return None;
        }
        let span = &stays[lo..=hi];
        let recs = &logins[span[0].lo..=span[span.len() - 1].hi];
        let mut countries: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, c) in recs {
            *countries.entry(c).or_default() += 1;
        }
        let foreign: Vec<String> = countries
            .keys()
            .filter(|c| Some(**c) != home)
            .map(|c| c.to_string())
            .collect();
        let sequence: Vec<String> = span
            .iter()
            .map(|st| format!("{} {} – {}", st.country, st.first, st.last))
            .take(30)
            .collect();
        let ips: BTreeSet<IpAddr> = recs.iter().map(|(l, _)| l.r.ip).collect();
        let ip_desc: Vec<String> = ips.iter().take(20).map(|ip| describe_ip(ds, *ip)).collect();
        let (from, to) = (span[0].first, span[span.len() - 1].last);
        let slips: Vec<String> = (lo..=hi)
            .filter(|&i| interleaved[i])
            .map(|i| {
                let hours = (stays[i + 1].first.0 - stays[i - 1].last.0) / 3_600_000;
                format!(
                    "{} {} – {} between {} logins {hours} h apart",
                    stays[i].country,
                    stays[i].first,
                    stays[i].last,
                    home.unwrap_or("?")
                )
            })
            .collect();
        let strength = (0.5 + 0.5 * (score - p.min_score) / (2.0 * p.min_score)).min(1.0);
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LOGIN-MULTI-COUNTRY".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(recs.iter().take(50).map(|(l, _)| l.id.clone()))
                .value("claimed_country", claimed)
                .value("home_country", home)
                .value(
                    "countries",
                    serde_json::to_value(&countries).unwrap_or_default(),
                )
                .value("foreign_countries", serde_json::json!(foreign))
                .value("stays", serde_json::json!(sequence))
                .value("ips", serde_json::json!(ip_desc))
                .value("raw_score", raw)
                .value("score", score)
                .value("plausible_itinerary", plausible)
                .value("between_home_logins", serde_json::json!(slips))
                .value("window_start", from.to_rfc3339())
                .value("window_end", to.to_rfc3339())
                .threshold("window", p.window.to_string())
                .threshold("min_score", p.min_score)
                .threshold("min_dwell", p.min_dwell.to_string())
                .threshold("traveller_discount", p.traveller_discount)
                .threshold("high_risk", serde_json::json!(p.high_risk))
                .threshold("interleave_gap", p.interleave_gap.to_string())
                .threshold("interleave_score", p.interleave_score)
                .threshold("foreign_weight", p.foreign_weight)
                .threshold(
                    "country_weights",
                    serde_json::to_value(&p.country_weights).unwrap_or_default(),
                ),
            explanation: {
                let mut t = explain(&foreign, home, claimed.is_some(), score, p, from, to);
                if let Some(first) = slips.first() {
                    let c = first.split(' ').next().unwrap_or("?");
                    let h = p.interleave_gap.millis() / 3_600_000;
                    let home = home.unwrap_or("?");
                    t.en.push_str(&format!(
                        " A login from {}, a high-risk country, came between logins from {} less than {h} hours apart: nobody travels there and back in that time.",
                        kensa_model::country::en(c),
                        kensa_model::country::en(home)
                    ));
                    t.ja.push_str(&format!(
                        "高リスク国の{}からのログインが、{h}時間以内の{}からのログインの間に挟まっています。その間に往復することはできません。",
                        kensa_model::country::ja(c),
                        kensa_model::country::ja(home)
                    ));
                }
                t
            },
        })
    }
}

/// Scores a window of stays: the weighted distinct foreign countries, and whether the stays
/// form a plausible itinerary (no return to a foreign country already left, changes of country
/// at least `dwell` apart).
fn score_window(p: &Params, stays: &[Stay], home: Option<&str>, dwell: i64) -> (f64, bool) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for st in stays {
        *seen.entry(st.country).or_default() += 1;
    }
    let raw: f64 = seen.keys().map(|c| p.weight(c, home)).sum();
    let back_and_forth = seen.iter().any(|(c, n)| Some(*c) != home && *n > 1);
    let fast = stays.windows(2).any(|w| w[1].first.0 - w[0].last.0 < dwell);
    (raw, !back_and_forth && !fast)
}

fn explain(
    foreign: &[String],
    home: Option<&str>,
    claimed: bool,
    score: f64,
    p: &Params,
    from: Ts,
    to: Ts,
) -> Text {
    let list = foreign.join(", ");
    let list_ja = foreign
        .iter()
        .map(|c| kensa_model::country::ja(c))
        .collect::<Vec<_>>()
        .join("、");
    let home = home.unwrap_or("?");
    let (win_en, win_ja) = crate::util::window_text(&p.window);
    let (home_en, home_ja) = if claimed {
        (
            format!("the claimed country {home}"),
            format!("申告された所在国（{}）", kensa_model::country::ja(home)),
        )
    } else {
        (
            format!("the usual country {home} (no claimed country)"),
            format!(
                "通常の接続国（{}、所在国の申告なし）",
                kensa_model::country::ja(home)
            ),
        )
    };
    Text::new(
        format!(
            "Within {win_en} ({from} – {to}) the account logged in from {} {} other than \
             {home_en}: {list} (VPN, hosting and relay addresses not counted). Weighted score \
             {score:.1}; the threshold is {}.",
            foreign.len(),
            if foreign.len() == 1 { "country" } else { "countries" },
            p.min_score
        ),
        format!(
            "{win_ja}以内（{from} – {to}）に、{home_ja}以外の{}か国（{list_ja}）のIPアドレスからログインがありました\
             （VPN・ホスティング・リレーのアドレスは除外）。重み付きスコアは{score:.1}で、しきい値は{}です。",
            foreign.len(),
            p.min_score
        ),
    )
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

    fn subject(sub: &str, country: &str) -> String {
        format!(
            r#"{{"kind":"subject","subject_id":"{sub}","source":"hr_system","claimed_country":"{country}"}}"#
        )
    }

    fn login(sub: &str, day: u32, hour: u32, ip: &str) -> String {
        format!(
            r#"{{"kind":"login","subject_id":"{sub}","at":"2026-09-{day:02}T{hour:02}:00:00Z","ip":"{ip}"}}"#
        )
    }

    fn geo(ds: &mut Dataset, ip: &str, country: &str, class: Option<NetClass>) {
        ds.ip.insert(
            ip.parse().unwrap(),
            IpInfo {
                country: Some(country.into()),
                classes: class
                    .map(|c| NetClassHit {
                        class: c,
                        source: "test-list".into(),
                        label: None,
                    })
                    .into_iter()
                    .collect(),
                ..Default::default()
            },
        );
    }

    /// Issue 17, item 3. Carriers: one login from China (or Tanzania) between two US logins
    /// hours apart, even as the only presence abroad. Look-alikes: a real trip to China (days
    /// away), and a corporate user whose secure-access egress appears in several countries
    /// between home logins.
    #[test]
    fn a_high_risk_slip_between_home_logins_fires_and_trips_and_sase_do_not() {
        let mut lines = vec![subject("w1", "US"), subject("w2", "US")];
        for (sub, ip) in [("w1", "2.2.2.2"), ("w2", "7.7.7.7")] {
            lines.push(login(sub, 1, 10, "1.1.1.1"));
            lines.push(login(sub, 1, 20, "1.1.1.1"));
            lines.push(login(sub, 2, 3, ip));
            lines.push(login(sub, 2, 12, "1.1.1.1"));
            lines.push(login(sub, 3, 12, "1.1.1.1"));
        }
        // A trip: home, then a week in China, then home.
        lines.push(subject("t1", "US"));
        lines.push(login("t1", 1, 10, "1.1.1.1"));
        for d in 3..10u32 {
            lines.push(login("t1", d, 9, "2.2.2.2"));
        }
        lines.push(login("t1", 12, 10, "1.1.1.1"));
        // Secure-access egress in CN, SG and DE between home logins.
        lines.push(subject("c1", "US"));
        for (d, h, ip) in [
            (1, 8, "1.1.1.1"),
            (1, 12, "8.8.8.1"),
            (1, 20, "1.1.1.1"),
            (2, 10, "8.8.8.2"),
            (2, 20, "1.1.1.1"),
            (3, 10, "8.8.8.3"),
            (3, 20, "1.1.1.1"),
        ] {
            lines.push(login("c1", d, h, ip));
        }
        let mut d = ds(&lines);
        geo(&mut d, "1.1.1.1", "US", None);
        geo(&mut d, "2.2.2.2", "CN", None);
        geo(&mut d, "7.7.7.7", "TZ", None);
        geo(&mut d, "8.8.8.1", "CN", Some(NetClass::Corporate));
        geo(&mut d, "8.8.8.2", "SG", Some(NetClass::Corporate));
        geo(&mut d, "8.8.8.3", "DE", Some(NetClass::Corporate));
        let f = LoginMultiCountry(Params::default()).run(&d);
        let who: Vec<&str> = f.iter().map(|f| f.subject_id.as_str()).collect();
        assert_eq!(who, ["w1", "w2"], "{f:#?}");
        assert_eq!(f[0].evidence.values["foreign_countries"], serde_json::json!(["CN"]));
        assert!(f[0].evidence.values["between_home_logins"][0]
            .as_str()
            .unwrap()
            .starts_with("CN "));
        assert!(f[0].explanation.ja.contains("高リスク国の中国"), "{}", f[0].explanation.ja);
        assert!(f[0].strength >= 0.5);
    }

    #[test]
    fn us_subject_seen_from_cn_kp_ru_vn_la_fires_strongly() {
        let ips = [
            ("1.1.1.1", "US"),
            ("2.2.2.2", "CN"),
            ("3.3.3.3", "KP"),
            ("4.4.4.4", "RU"),
            ("5.5.5.5", "VN"),
            ("6.6.6.6", "LA"),
        ];
        let mut lines = vec![subject("u1", "US")];
        for d in 0..6u32 {
            for (k, (ip, _)) in ips.iter().enumerate() {
                lines.push(login("u1", 1 + d, 2 + 3 * k as u32, ip));
            }
        }
        let mut d = ds(&lines);
        for (ip, c) in ips {
            geo(&mut d, ip, c, None);
        }
        let f = LoginMultiCountry(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 1.0);
        assert_eq!(
            f[0].evidence.values["foreign_countries"],
            serde_json::json!(["CN", "KP", "LA", "RU", "VN"])
        );
        assert_eq!(f[0].evidence.values["plausible_itinerary"], false);
        assert!(f[0].explanation.ja.contains("申告された所在国（アメリカ合衆国）"));
    }

    #[test]
    fn a_single_stay_in_north_korea_fires() {
        let mut lines = vec![subject("k1", "US")];
        for d in 1..4 {
            lines.push(login("k1", d, 1, "175.45.176.1"));
        }
        let mut d = ds(&lines);
        geo(&mut d, "175.45.176.1", "KP", None);
        let f = LoginMultiCountry(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.values["plausible_itinerary"], true);
        assert_eq!(f[0].strength, 0.5);
    }

    #[test]
    fn frequent_traveller_with_a_plausible_itinerary_does_not_fire() {
        // US → CA → MX → GB → US over a week, one country at a time, days apart.
        let plan = [
            (1, "1.1.1.1", "US"),
            (2, "1.1.1.1", "US"),
            (3, "7.7.7.7", "CA"),
            (4, "7.7.7.7", "CA"),
            (5, "8.8.8.8", "MX"),
            (7, "9.9.9.9", "GB"),
            (9, "1.1.1.1", "US"),
        ];
        let mut lines = vec![subject("t1", "US")];
        for (day, ip, _) in plan {
            lines.push(login("t1", day, 9, ip));
            lines.push(login("t1", day, 17, ip));
        }
        let mut d = ds(&lines);
        for (_, ip, c) in plan {
            geo(&mut d, ip, c, None);
        }
        assert!(LoginMultiCountry(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn countries_reached_through_vpn_or_relay_are_not_presence() {
        let mut lines = vec![subject("v1", "US")];
        for d in 1..7 {
            lines.push(login("v1", d, 10, "1.1.1.1"));
            lines.push(login("v1", d, 11, "2.2.2.2"));
            lines.push(login("v1", d, 12, "3.3.3.3"));
            lines.push(login("v1", d, 13, "4.4.4.4"));
        }
        let mut d = ds(&lines);
        geo(&mut d, "1.1.1.1", "US", None);
        geo(&mut d, "2.2.2.2", "CN", Some(NetClass::Vpn));
        geo(&mut d, "3.3.3.3", "RU", Some(NetClass::Hosting));
        geo(&mut d, "4.4.4.4", "DE", Some(NetClass::Relay));
        assert!(LoginMultiCountry(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn unknown_addresses_are_not_evidence() {
        let lines: Vec<String> = (1..7).map(|d| login("x1", d, 10, "9.9.9.9")).collect();
        assert!(
            LoginMultiCountry(Params::default())
                .run(&ds(&lines))
                .is_empty()
        );
    }
}
