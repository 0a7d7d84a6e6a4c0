//! RF-LOGIN-IMPOSSIBLE-TRAVEL — consecutive logins whose distance and time are physically
//! impossible.
//!
//! Over an account's successful logins whose address has a geolocation (latitude/longitude),
//! the detector takes each pair of consecutive logins and computes the *least* distance the
//! person must have covered: the great-circle (haversine) distance minus both locations'
//! accuracy radii. Divided by the time between the logins, that is a lower bound on the speed;
//! a hop above `max_speed_kmh` (and at least `min_distance_km` long) is impossible travel.
//!
//! False positives, and how they are avoided:
//! * A long-haul flight (US → JP in 14 h is about 730 km/h) stays below the airliner-plus-margin
//!   default of 1000 km/h.
//! * VPN, hosting, Tor, proxy and privacy-relay (iCloud Private Relay) addresses are not where
//!   the user is, so logins through them are left out: a hop to or from them is not travel
//!   (hiding the location is RF-NET-ANONYMIZER's business). The hop is taken between the real
//!   locations on either side.
//! * Mobile carriers geolocate whole address pools to one place (often the country's centroid,
//!   thousands of km from the user): with `skip_mobile` (the default) logins from addresses
//!   classified Mobile are left out like relays; otherwise they get an accuracy radius of at
//!   least `mobile_accuracy_km`. An address without a radius gets `default_accuracy_km`, so
//!   coarse geolocation does not produce travel.
//! * Short hops (below `min_distance_km` after subtracting the radii) are geolocation noise.

use crate::detectors::login_multi_country::describe_ip;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::intel::{IpInfo, NetClass};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "impossible_travel",
    raises: &["RF-LOGIN-IMPOSSIBLE-TRAVEL"],
    summary: "speed between consecutive geolocated logins (haversine distance minus both accuracy radii, over the time between them) above a maximum",
    false_positives: "flights stay below the maximum speed; VPN/hosting/Tor/proxy/relay and mobile-carrier logins are skipped (not travel); imprecise geolocation is absorbed by the accuracy radii",
};

/// Parameters (`[detectors.impossible_travel]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Speed above which a hop is impossible, in km/h (an airliner plus margin).
    pub max_speed_kmh: f64,
    /// Minimum distance of a hop, after subtracting the accuracy radii, in km.
    pub min_distance_km: f64,
    /// Accuracy radius assumed when the geolocation gives none, in km.
    pub default_accuracy_km: f64,
    /// Leave out logins from addresses classified Mobile (carrier-level geolocation).
    pub skip_mobile: bool,
    /// Minimum accuracy radius of an address classified Mobile when it is not skipped, in km.
    pub mobile_accuracy_km: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_speed_kmh: 1000.0,
            min_distance_km: 500.0,
            default_accuracy_km: 50.0,
            skip_mobile: true,
            mobile_accuracy_km: 500.0,
        }
    }
}

pub struct ImpossibleTravel(pub Params);

/// Great-circle distance in km between two points given in degrees.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

/// Where a login places its user: (lat, lon, accuracy radius), or `None` when the address is
/// unknown, not geolocated, or hides the user's location (anonymizers, privacy relays, and
/// corporate secure-access egress, whose point of presence may be anywhere).
fn place(p: &Params, info: Option<&IpInfo>) -> Option<(f64, f64, f64)> {
    let i = info?;
    if i.is_anonymizer()
        || i.has_class(NetClass::Relay)
        || i.has_class(NetClass::Corporate)
        || (p.skip_mobile && i.has_class(NetClass::Mobile))
    {
        return None;
    }
    let (lat, lon) = (i.latitude?, i.longitude?);
    if !(lat.is_finite() && lon.is_finite()) {
        return None;
    }
    let mut acc = i
        .accuracy_km
        .filter(|a| a.is_finite() && *a >= 0.0)
        .unwrap_or(p.default_accuracy_km);
    if i.has_class(NetClass::Mobile) {
        acc = acc.max(p.mobile_accuracy_km);
    }
    Some((lat, lon, acc))
}

impl Detector for ImpossibleTravel {
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

impl ImpossibleTravel {
    /// Phase 2 for one subject.
    fn subject(&self, ds: &Dataset, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let placed: Vec<_> = s
            .logins
            .iter()
            .filter(|l| l.r.success != Some(false))
            .filter_map(|l| Some((l, place(p, ds.ip_info(l.r.ip))?)))
            .collect();
        // (speed, min distance, hours, index of the second login)
        let mut hops: Vec<(f64, f64, f64, usize)> = Vec::new();
        for i in 1..placed.len() {
            let (a, (la1, lo1, r1)) = placed[i - 1];
            let (b, (la2, lo2, r2)) = placed[i];
            let d = haversine_km(la1, lo1, la2, lo2) - r1 - r2;
            if d < p.min_distance_km {
                continue;
            }
            // A one-minute floor keeps the speed finite for same-second logins.
            let hours = ((b.r.at.0 - a.r.at.0) as f64 / 3_600_000.0).max(1.0 / 60.0);
            let speed = d / hours;
            if speed > p.max_speed_kmh {
                hops.push((speed, d, hours, i));
            }
        }
        if hops.is_empty() {
            return None;
        }
        let worst = hops
            .iter()
            .copied()
            .max_by(|x, y| x.0.total_cmp(&y.0))
            .unwrap_or(hops[0]);
        // Strength: 0.5 at the threshold, 1.0 at ten times it, plus 0.1 per extra hop.
        let strength = (0.5
            + 0.5 * ((worst.0 / p.max_speed_kmh).ln() / 10f64.ln()).min(1.0)
            + 0.1 * (hops.len() - 1) as f64)
            .min(1.0);
        let shown: Vec<serde_json::Value> = hops
            .iter()
            .take(20)
            .map(|&(speed, d, h, i)| {
                let (a, b) = (placed[i - 1].0, placed[i].0);
                serde_json::json!({
                    "from": describe_ip(ds, a.r.ip),
                    "to": describe_ip(ds, b.r.ip),
                    "from_at": a.r.at.to_rfc3339(),
                    "to_at": b.r.at.to_rfc3339(),
                    "min_distance_km": d.round(),
                    "hours": (h * 100.0).round() / 100.0,
                    "speed_kmh": speed.round(),
                })
            })
            .collect();
        let mut records: Vec<String> = Vec::new();
        for &(_, _, _, i) in hops.iter().take(25) {
            for l in [placed[i - 1].0, placed[i].0] {
                if records.last() != Some(&l.id) {
                    records.push(l.id.clone());
                }
            }
        }
        let (a, b) = (placed[worst.3 - 1].0, placed[worst.3].0);
        let country = |ip| {
            ds.ip_info(ip)
                .and_then(|i| i.country.clone())
                .unwrap_or_else(|| "?".into())
        };
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-LOGIN-IMPOSSIBLE-TRAVEL".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("impossible_hops", hops.len())
                .value("max_speed_kmh", worst.0.round())
                .value("hops", serde_json::Value::Array(shown))
                .threshold("max_speed_kmh", p.max_speed_kmh)
                .threshold("min_distance_km", p.min_distance_km)
                .threshold("default_accuracy_km", p.default_accuracy_km)
                .threshold("skip_mobile", p.skip_mobile)
                .threshold("mobile_accuracy_km", p.mobile_accuracy_km),
            explanation: Text::new(
                format!(
                    "{} consecutive login pair(s) {} impossible travel; the fastest: {} \
                             ({}) → {} ({}), at least {:.0} km in {:.1} h = {:.0} km/h (maximum {} \
                             km/h). VPN, hosting and relay addresses are not counted as travel.",
                    hops.len(),
                    if hops.len() == 1 { "implies" } else { "imply" },
                    a.r.ip,
                    kensa_model::country::en(&country(a.r.ip)),
                    b.r.ip,
                    kensa_model::country::en(&country(b.r.ip)),
                    worst.1,
                    worst.2,
                    worst.0,
                    p.max_speed_kmh
                ),
                format!(
                    "連続するログインのうち{}組が物理的に不可能な移動を示しています。最も速いものは\
                             {}（{}）→ {}（{}）で、少なくとも{:.0} kmを{:.1}時間で移動（時速{:.0} km、\
                             上限は時速{} km）。VPN・ホスティング・リレーのアドレスは移動として扱っていません。",
                    hops.len(),
                    a.r.ip,
                    kensa_model::country::ja(&country(a.r.ip)),
                    b.r.ip,
                    kensa_model::country::ja(&country(b.r.ip)),
                    worst.1,
                    worst.2,
                    worst.0,
                    p.max_speed_kmh
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

    fn login(sub: &str, at: &str, ip: &str) -> String {
        format!(r#"{{"kind":"login","subject_id":"{sub}","at":"{at}","ip":"{ip}"}}"#)
    }

    fn geo(ds: &mut Dataset, ip: &str, cc: &str, lat: f64, lon: f64, acc: f64, cls: &[NetClass]) {
        ds.ip.insert(
            ip.parse().unwrap(),
            IpInfo {
                country: Some(cc.into()),
                latitude: Some(lat),
                longitude: Some(lon),
                accuracy_km: Some(acc),
                classes: cls
                    .iter()
                    .map(|c| NetClassHit {
                        class: *c,
                        source: "test-list".into(),
                        label: None,
                    })
                    .collect(),
                ..Default::default()
            },
        );
    }

    // New York, Tokyo, Pyongyang.
    const NYC: (f64, f64) = (40.71, -74.01);
    const TYO: (f64, f64) = (35.68, 139.69);
    const FNJ: (f64, f64) = (39.03, 125.75);

    #[test]
    fn haversine_is_right() {
        let d = haversine_km(NYC.0, NYC.1, TYO.0, TYO.1);
        assert!((d - 10_850.0).abs() < 60.0, "{d}");
    }

    #[test]
    fn new_york_then_pyongyang_an_hour_later_fires() {
        let lines = vec![
            login("u1", "2026-09-01T14:00:00Z", "1.1.1.1"),
            login("u1", "2026-09-01T15:00:00Z", "175.45.176.1"),
            login("u1", "2026-09-01T16:00:00Z", "1.1.1.1"),
        ];
        let mut d = ds(&lines);
        geo(&mut d, "1.1.1.1", "US", NYC.0, NYC.1, 20.0, &[]);
        geo(&mut d, "175.45.176.1", "KP", FNJ.0, FNJ.1, 50.0, &[]);
        let f = ImpossibleTravel(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.values["impossible_hops"], 2);
        assert!(f[0].strength >= 0.9, "{}", f[0].strength);
        assert_eq!(f[0].evidence.records.len(), 3);
        // Countries by name, in each language.
        assert!(f[0].explanation.en.contains("(North Korea)"), "{}", f[0].explanation.en);
        assert!(f[0].explanation.ja.contains("物理的に不可能な移動"));
        assert!(f[0].explanation.ja.contains("（北朝鮮）"), "{}", f[0].explanation.ja);
    }

    #[test]
    fn a_flight_from_new_york_to_tokyo_does_not_fire() {
        let lines = vec![
            login("f1", "2026-09-01T14:00:00Z", "1.1.1.1"),
            login("f1", "2026-09-02T04:00:00Z", "2.2.2.2"),
        ];
        let mut d = ds(&lines);
        geo(&mut d, "1.1.1.1", "US", NYC.0, NYC.1, 20.0, &[]);
        geo(&mut d, "2.2.2.2", "JP", TYO.0, TYO.1, 20.0, &[]);
        assert!(ImpossibleTravel(Params::default()).run(&d).is_empty());
    }

    #[test]
    fn private_relay_vpn_and_mobile_hops_are_not_travel() {
        // Home in New York, then iCloud Private Relay egress geolocated in Tokyo, a VPN exit in
        // Frankfurt, and a mobile address geolocated at the carrier's centre 1200 km away.
        let lines = vec![
            login("r1", "2026-09-01T14:00:00Z", "1.1.1.1"),
            login("r1", "2026-09-01T14:10:00Z", "172.225.1.1"),
            login("r1", "2026-09-01T14:20:00Z", "185.1.1.1"),
            login("r1", "2026-09-01T14:30:00Z", "1.1.1.1"),
            login("r1", "2026-09-01T15:30:00Z", "172.56.1.1"),
            login("r1", "2026-09-01T16:30:00Z", "1.1.1.1"),
        ];
        let mut d = ds(&lines);
        geo(&mut d, "1.1.1.1", "US", NYC.0, NYC.1, 20.0, &[]);
        geo(
            &mut d,
            "172.225.1.1",
            "JP",
            TYO.0,
            TYO.1,
            20.0,
            &[NetClass::Relay, NetClass::Hosting],
        );
        geo(
            &mut d,
            "185.1.1.1",
            "DE",
            50.11,
            8.68,
            20.0,
            &[NetClass::Vpn],
        );
        geo(
            &mut d,
            "172.56.1.1",
            "US",
            41.88,
            -87.63,
            100.0,
            &[NetClass::Mobile],
        );
        assert!(ImpossibleTravel(Params::default()).run(&d).is_empty());
        // Not skipping mobile addresses, the 500 km radius still absorbs the carrier's centre.
        let p = Params {
            skip_mobile: false,
            ..Params::default()
        };
        assert!(ImpossibleTravel(p).run(&d).is_empty());
    }

    #[test]
    fn addresses_without_geolocation_are_not_evidence() {
        let lines = vec![
            login("n1", "2026-09-01T14:00:00Z", "1.1.1.1"),
            login("n1", "2026-09-01T14:01:00Z", "2.2.2.2"),
        ];
        assert!(
            ImpossibleTravel(Params::default())
                .run(&ds(&lines))
                .is_empty()
        );
    }
}
