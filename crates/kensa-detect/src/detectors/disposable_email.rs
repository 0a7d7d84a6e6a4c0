//! KX-CONTACT-DISPOSABLE-EMAIL — a profile gives a disposable (throw-away) e-mail address.
//!
//! Supports RF-PROFILE-INCONSISTENT and RF-LINK-SHARED-IDENTITY: operators who run many accounts
//! register them with throw-away addresses. The list comes from the intel configuration (e.g.
//! the disposable-email-domains list; `kensa intel status`), attached to the data set by the
//! enrich step; without such a list the detector stays silent.
//!
//! False positives: privacy-minded people use forwarding services. Forwarding services that
//! keep an address for good (Apple Hide My Email, Firefox Relay) are not on the disposable list;
//! only a profile address counts (not message text), and the flag is supporting evidence with a
//! small likelihood ratio.

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "disposable_email",
    raises: &["KX-CONTACT-DISPOSABLE-EMAIL"],
    summary: "profile e-mail addresses on a disposable-domain list of the intel configuration",
    false_positives: "long-lived forwarding services are not disposable; profile addresses only; low lr",
};

/// Parameters (`[detectors.disposable_email]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Strength of the flag when a profile address is disposable.
    pub strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { strength: 1.0 }
    }
}

pub struct DisposableEmail(pub Params);

impl Detector for DisposableEmail {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["subject"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, ds: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        if ds.email.is_empty() {
            return Vec::new();
        }
        let mut records = Vec::new();
        let mut hits: Vec<(String, String)> = Vec::new();
        for p in &s.profiles {
            for e in &p.r.emails {
                let key = e.trim().to_lowercase();
                if let Some(info) = ds.email.get(&key)
                    && info.disposable
                {
                    let source = info
                        .hits
                        .iter()
                        .map(|h| h.source.clone())
                        .next()
                        .unwrap_or_default();
                    let domain = info.domain.clone().unwrap_or_default();
                    if !hits.iter().any(|(d, _)| d == &domain) {
                        hits.push((domain, source));
                    }
                    records.push(p.id.clone());
                }
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        records.sort();
        records.dedup();
        let domains: Vec<String> = hits.iter().map(|(d, _)| d.clone()).collect();
        vec![Finding {
            subject_id: s.id.clone(),
            id: "KX-CONTACT-DISPOSABLE-EMAIL".into(),
            detector: SPEC.name.into(),
            strength: self.0.strength.clamp(0.0, 1.0),
            evidence: Evidence::default()
                .records(records)
                .value("domains", serde_json::json!(domains))
                .value(
                    "lists",
                    serde_json::json!(hits.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>()),
                ),
            explanation: Text::new(
                format!(
                    "The profile gives an e-mail address at a disposable (throw-away) domain: {}.",
                    domains.join(", ")
                ),
                format!(
                    "プロフィールに使い捨てメールドメインのアドレスが登録されています：{}。",
                    domains.join("、")
                ),
            ),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;

    fn ds(emails: &[&str]) -> Dataset {
        let mut b = DatasetBuilder::new();
        let v = serde_json::json!({"kind":"subject","subject_id":"u1","source":"freelance_platform","emails": emails});
        let v = kensa_model::validate_value(v).unwrap();
        b.add(v.record_id, v.record);
        b.build().0
    }

    fn info(addr: &str, disposable: bool) -> kensa_enrich::EmailInfo {
        kensa_enrich::EmailInfo {
            address: addr.into(),
            valid: true,
            domain: addr.split('@').nth(1).map(str::to_owned),
            disposable,
            hits: vec![],
            ..Default::default()
        }
    }

    #[test]
    fn disposable_fires_and_ordinary_mail_does_not() {
        let mut d = ds(&["Dev.Wolf@Mailinator.com"]);
        d.email.insert(
            "dev.wolf@mailinator.com".into(),
            info("dev.wolf@mailinator.com", true),
        );
        let f = DisposableEmail(Params::default()).run(&d);
        assert_eq!(f.len(), 1);
        assert!(f[0].explanation.ja.contains("mailinator.com"));

        let mut d = ds(&["jane@gmail.com"]);
        d.email
            .insert("jane@gmail.com".into(), info("jane@gmail.com", false));
        assert!(DisposableEmail(Params::default()).run(&d).is_empty());
        // No e-mail intel loaded: silent.
        assert!(
            DisposableEmail(Params::default())
                .run(&ds(&["x@mailinator.com"]))
                .is_empty()
        );
    }
}
