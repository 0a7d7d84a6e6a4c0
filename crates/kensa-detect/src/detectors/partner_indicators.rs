//! RF-LINK-SHARED-IDENTITY — an identifier of the subject is on an indicator list another
//! organisation shared: a wallet, phone number, postal address, e-mail domain or IP address
//! that organisation saw used by an account it confirmed as a DPRK IT worker.
//!
//! The lists are keyed hashes (`kensa indicators export --format hashed`, loaded as intel
//! sources of kind `shared_indicators` with the shared key): the subject's identifiers are
//! normalised the way the exporter normalised them ([`crate::indicators`]) and hashed under the
//! same key; neither organisation sees the other's raw values. The evidence names the sharing
//! party and the date it shared the list, so that an analyst can ask that party about it.
//! Without a loaded list the detector is silent.
//!
//! False positives: values many people share. Free-mail domains are never matched (and never
//! exported); an IP address in a VPN, hosting, Tor, proxy, relay or mobile (CGNAT) network
//! matches at `shared_network_ip_strength` only — another customer of the same VPN exit is not
//! the worker; a residential or office address matches at `ip_strength`. A wallet or a phone
//! number is personal and matches at full or near-full strength. A partner's list can be wrong
//! or old: the flag asks for due diligence (DD-IDENTITY-VERIFY, DD-EVIDENCE-PRESERVE), it does
//! not decide.

use crate::indicators::{IndicatorKind, identifiers, is_identifying, tool_names};
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "partner_indicators",
    raises: &["RF-LINK-SHARED-IDENTITY"],
    summary: "wallets, phones, addresses, e-mail domains or IPs on a keyed-hash indicator list another organisation shared (confirmed DPRK IT workers)",
    false_positives: "free-mail domains never match; IPs of VPN/hosting/Tor/proxy/relay/mobile networks match weakly; the party and date are evidence for follow-up",
};

/// Parameters (`[detectors.partner_indicators]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Strength of a listed crypto wallet.
    pub wallet_strength: f64,
    /// Strength of a listed phone number.
    pub phone_strength: f64,
    /// Strength of a listed postal address (laptop farms and drop addresses).
    pub postal_address_strength: f64,
    /// Strength of a listed e-mail domain (free-mail domains never match).
    pub email_domain_strength: f64,
    /// Strength of a listed IP address of a residential, office or unclassified network.
    pub ip_strength: f64,
    /// Strength of a listed IP address in a network many people share (VPN, hosting, Tor,
    /// proxy, relay, mobile carrier).
    pub shared_network_ip_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            wallet_strength: 1.0,
            phone_strength: 0.9,
            postal_address_strength: 0.8,
            email_domain_strength: 0.6,
            ip_strength: 0.6,
            shared_network_ip_strength: 0.2,
        }
    }
}

pub struct PartnerIndicators(pub Params);

impl PartnerIndicators {
    fn strength(&self, ds: &Dataset, kind: IndicatorKind, value: &str) -> f64 {
        let p = &self.0;
        match kind {
            IndicatorKind::Wallet => p.wallet_strength,
            IndicatorKind::Phone => p.phone_strength,
            IndicatorKind::PostalAddress => p.postal_address_strength,
            IndicatorKind::EmailDomain => p.email_domain_strength,
            IndicatorKind::Ip => {
                use kensa_model::intel::NetClass;
                let shared = value.parse().ok().and_then(|ip| ds.ip_info(ip)).is_some_and(|i| {
                    i.is_anonymizer()
                        || i.has_class(NetClass::Relay)
                        || i.has_class(NetClass::Mobile)
                });
                if shared {
                    p.shared_network_ip_strength
                } else {
                    p.ip_strength
                }
            }
            IndicatorKind::Tool => 0.0,
        }
        .clamp(0.0, 1.0)
    }
}

impl Detector for PartnerIndicators {
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
        if ds.shared_lists.iter().all(|l| l.is_empty()) {
            return Vec::new();
        }
        let mut matches = Vec::new();
        let mut records = Vec::new();
        let mut strength: f64 = 0.0;
        let mut best: Option<(f64, IndicatorKind, String, &str, &str)> = None;
        for ((kind, value), recs) in identifiers(ds, s, &tool_names(&Default::default())) {
            if !is_identifying(kind, &value) {
                continue;
            }
            for l in ds.shared_lists.iter().filter(|l| l.contains(kind, &value)) {
                let st = self.strength(ds, kind, &value);
                strength = strength.max(st);
                if best.as_ref().is_none_or(|b| st > b.0) {
                    best = Some((st, kind, value.clone(), &l.party, &l.shared_at));
                }
                matches.push(serde_json::json!({
                    "kind": kind, "value": value, "party": l.party,
                    "shared_at": l.shared_at, "source": l.source,
                    "records": recs, "strength": st,
                }));
                records.extend(recs.iter().cloned());
            }
        }
        let Some((_, kind, value, party, shared_at)) = best.filter(|b| b.0 > 0.0) else {
            return Vec::new();
        };
        records.sort();
        records.dedup();
        let more = if matches.len() > 1 {
            (
                format!("; {} listed identifiers in all", matches.len()),
                format!("（一致は計{}件）", matches.len()),
            )
        } else {
            (String::new(), String::new())
        };
        let date = shared_at.get(..10).unwrap_or(shared_at);
        vec![Finding {
            subject_id: s.id.clone(),
            id: "RF-LINK-SHARED-IDENTITY".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("matches", serde_json::Value::Array(matches))
                .threshold("wallet_strength", self.0.wallet_strength)
                .threshold("phone_strength", self.0.phone_strength)
                .threshold("postal_address_strength", self.0.postal_address_strength)
                .threshold("email_domain_strength", self.0.email_domain_strength)
                .threshold("ip_strength", self.0.ip_strength)
                .threshold(
                    "shared_network_ip_strength",
                    self.0.shared_network_ip_strength,
                ),
            explanation: Text::new(
                format!(
                    "The {} {value} is on the indicator list {party} shared on {date} \
                     (identifiers of accounts it confirmed as North Korean IT workers){}.",
                    kind.en(),
                    more.0
                ),
                format!(
                    "この{}（{value}）は、{party}が{date}に共有した指標リスト（北朝鮮IT労働者と確認されたアカウントの識別子）に含まれています{}。",
                    kind.ja(),
                    more.1
                ),
            ),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_enrich::shared::{HASHED_FORMAT, Hashed, HashedList, SharedList, indicator_hmac};
    use serde_json::json;
    use std::sync::Arc;

    const KEY: [u8; 32] = [9; 32];

    fn list(items: &[(IndicatorKind, &str)]) -> Arc<SharedList> {
        let l = HashedList {
            format: HASHED_FORMAT.into(),
            party: "Platform A".into(),
            shared_at: "2026-11-30T09:00:00Z".into(),
            key_id: kensa_enrich::shared::key_id(&KEY),
            indicators: items
                .iter()
                .map(|(k, v)| Hashed {
                    kind: *k,
                    hmac: hex::encode(indicator_hmac(&KEY, *k, v)),
                })
                .collect(),
        };
        Arc::new(SharedList::new("partner-a", l, KEY.to_vec()).unwrap())
    }

    fn ds(records: &[serde_json::Value], lists: Vec<Arc<SharedList>>) -> Dataset {
        let mut b = DatasetBuilder::new();
        for r in records {
            let v = kensa_model::validate_value(r.clone()).unwrap();
            b.add(v.record_id, v.record);
        }
        let (mut ds, _) = b.build();
        ds.attach_intel(&kensa_enrich::Intel::builtin());
        ds.shared_lists = lists;
        ds
    }

    fn run(ds: &Dataset) -> Vec<Finding> {
        PartnerIndicators(Params::default()).run(ds)
    }

    #[test]
    fn a_listed_wallet_and_phone_raise_the_flag_with_party_and_date() {
        let d = ds(
            &[
                json!({"kind":"subject","subject_id":"b-7","source":"payment_platform","claimed_country":"US",
                    "phones":["(312) 555-0147"]}),
                json!({"kind":"payout","subject_id":"b-7","at":"2026-10-01T00:00:00Z","amount":900,"currency":"USD",
                    "method":"crypto","crypto":{"chain":"tron","asset":"USDT","address":"TXkF3pLmN8qR2sT4uV6wX8yZ1aB3cD5eF7"}}),
                json!({"kind":"subject","subject_id":"b-8","source":"payment_platform","claimed_country":"US",
                    "phones":["(312) 555-0148"]}),
            ],
            // The exporter saw the phone written another way: E.164 digits make them one value.
            vec![list(&[
                (IndicatorKind::Wallet, "TXkF3pLmN8qR2sT4uV6wX8yZ1aB3cD5eF7"),
                (IndicatorKind::Phone, "13125550147"),
            ])],
        );
        let f = run(&d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject_id, "b-7");
        assert_eq!(f[0].strength, 1.0);
        let m = f[0].evidence.values["matches"].as_array().unwrap();
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().all(|x| x["party"] == "Platform A"));
        assert!(m.iter().all(|x| x["shared_at"] == "2026-11-30T09:00:00Z"));
        assert!(f[0].explanation.en.contains("Platform A shared on 2026-11-30"));
        assert!(f[0].explanation.ja.contains("2026-11-30に共有"));
    }

    #[test]
    fn free_mail_domains_never_match_and_a_listed_ip_matches_at_ip_strength() {
        let records = [
            json!({"kind":"subject","subject_id":"u1","source":"freelance_platform","emails":["a.b@gmail.com"]}),
            json!({"kind":"login","subject_id":"u1","at":"2026-10-01T00:00:00Z","ip":"175.45.176.9"}),
        ];
        let d = ds(
            &records,
            vec![list(&[(IndicatorKind::EmailDomain, "gmail.com")])],
        );
        assert!(run(&d).is_empty());
        let d = ds(&records, vec![list(&[(IndicatorKind::Ip, "175.45.176.9")])]);
        let f = run(&d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, Params::default().ip_strength);
    }

    #[test]
    fn silent_without_lists() {
        let d = ds(
            &[
                json!({"kind":"login","subject_id":"u1","at":"2026-10-01T00:00:00Z","ip":"175.45.176.9"}),
            ],
            Vec::new(),
        );
        assert!(run(&d).is_empty());
    }
}
