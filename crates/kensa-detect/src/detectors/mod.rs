//! The detectors, one per file, and the one registry that lists them.
//!
//! To add a detector: write `detectors/<name>.rs` with a `Params` struct (serde, documented
//! defaults) and a type implementing [`crate::Detector`]; add a field for its parameters to
//! [`DetectorParams`]; add one [`DetectorSpec`] line to [`registry`]; add its section with the
//! defaults to the shipped policy file. The shared compliance tests then check it.

pub mod disposable_email;
pub mod login_multi_ip;
pub mod sanctions;

// --- detectors I ---
pub mod access_bulk;
pub mod access_foreign;
pub mod endpoint_tools;
pub mod impossible_travel;
pub mod login_multi_country;
pub mod net_anonymizer;
pub mod off_hours;
pub mod shared_residential_ip;
// --- end detectors I ---
// --- detectors II ---
pub mod history_skewed;
pub mod id_document;
pub mod meetings;
pub mod message_patterns;
pub mod payout_changes;
pub mod payout_frequency;
pub mod profile_ja;
pub mod shipping;
pub mod underpriced;
// --- end detectors II ---

// --- pay ---
pub mod contact_signals;
pub mod crypto_payout;
pub mod payout_name;
pub mod prc_bank;
pub mod profile_consistency;
// --- end pay ---

// --- link ---
pub mod laptop_farm;
pub mod review_manipulation;
pub mod shared_identity;
// --- end link ---

use crate::Detector;
use serde::{Deserialize, Serialize};

/// The `[detectors]` section of the policy file: one table per detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorParams {
    pub login_multi_ip: login_multi_ip::Params,
    pub sanctions_screening: sanctions::Params,
    pub disposable_email: disposable_email::Params,
    // --- detectors I ---
    pub login_multi_country: login_multi_country::Params,
    pub impossible_travel: impossible_travel::Params,
    pub net_anonymizer: net_anonymizer::Params,
    pub shared_residential_ip: shared_residential_ip::Params,
    pub off_hours: off_hours::Params,
    pub access_bulk: access_bulk::Params,
    pub access_foreign: access_foreign::Params,
    pub endpoint_tools: endpoint_tools::Params,
    // --- end detectors I ---
    // --- detectors II ---
    pub message_patterns: message_patterns::Params,
    pub meetings: meetings::Params,
    pub id_document: id_document::Params,
    pub profile_ja: profile_ja::Params,
    pub shipping: shipping::Params,
    pub payout_changes: payout_changes::Params,
    pub underpriced: underpriced::Params,
    pub payout_frequency: payout_frequency::Params,
    pub history_skewed: history_skewed::Params,
    // --- end detectors II ---
    // --- pay ---
    pub prc_bank: prc_bank::Params,
    pub crypto_payout: crypto_payout::Params,
    pub payout_name: payout_name::Params,
    pub profile_consistency: profile_consistency::Params,
    pub contact_signals: contact_signals::Params,
    // --- end pay ---
    // --- link ---
    pub shared_identity: shared_identity::Params,
    pub review_manipulation: review_manipulation::Params,
    pub laptop_farm: laptop_farm::Params,
    // --- end link ---
}

/// What the registry knows about a detector without running it.
pub struct DetectorSpec {
    pub name: &'static str,
    pub raises: &'static [&'static str],
    /// One-line description.
    pub summary: &'static str,
    /// The legitimate behaviour that looks similar, and how the detector avoids it.
    pub false_positives: &'static str,
}

/// Every detector Kensa has.
pub fn registry() -> &'static [DetectorSpec] {
    &[
        login_multi_ip::SPEC,
        sanctions::SPEC,
        disposable_email::SPEC,
        // --- detectors I ---
        login_multi_country::SPEC,
        impossible_travel::SPEC,
        net_anonymizer::SPEC,
        shared_residential_ip::SPEC,
        off_hours::SPEC,
        access_bulk::SPEC,
        access_foreign::SPEC,
        endpoint_tools::SPEC,
        // --- end detectors I ---
        // --- detectors II ---
        message_patterns::SPEC,
        meetings::SPEC,
        id_document::SPEC,
        profile_ja::SPEC,
        shipping::SPEC,
        payout_changes::SPEC,
        underpriced::SPEC,
        payout_frequency::SPEC,
        history_skewed::SPEC,
        // --- end detectors II ---
        // --- pay ---
        prc_bank::SPEC,
        crypto_payout::SPEC,
        payout_name::SPEC,
        profile_consistency::SPEC,
        contact_signals::SPEC,
        // --- end pay ---
        // --- link ---
        shared_identity::SPEC,
        review_manipulation::SPEC,
        laptop_farm::SPEC,
        // --- end link ---
    ]
}

/// Builds every detector with the given parameters.
pub fn build_all(p: &DetectorParams) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(login_multi_ip::LoginMultiIp(p.login_multi_ip.clone())),
        Box::new(sanctions::Sanctions(p.sanctions_screening.clone())),
        Box::new(disposable_email::DisposableEmail(
            p.disposable_email.clone(),
        )),
        // --- detectors I ---
        Box::new(login_multi_country::LoginMultiCountry(
            p.login_multi_country.clone(),
        )),
        Box::new(impossible_travel::ImpossibleTravel(
            p.impossible_travel.clone(),
        )),
        Box::new(net_anonymizer::NetAnonymizer(p.net_anonymizer.clone())),
        Box::new(shared_residential_ip::SharedResidentialIp(
            p.shared_residential_ip.clone(),
        )),
        Box::new(off_hours::OffHours(p.off_hours.clone())),
        Box::new(access_bulk::AccessBulk(p.access_bulk.clone())),
        Box::new(access_foreign::AccessForeign(p.access_foreign.clone())),
        Box::new(endpoint_tools::EndpointTools(p.endpoint_tools.clone())),
        // --- end detectors I ---
        // --- detectors II ---
        Box::new(message_patterns::MessagePatterns::new(
            p.message_patterns.clone(),
        )),
        Box::new(meetings::Meetings(p.meetings.clone())),
        Box::new(id_document::IdDocument(p.id_document.clone())),
        Box::new(profile_ja::ProfileJa(p.profile_ja.clone())),
        Box::new(shipping::Shipping(p.shipping.clone())),
        Box::new(payout_changes::PayoutChanges(p.payout_changes.clone())),
        Box::new(underpriced::Underpriced(p.underpriced.clone())),
        Box::new(payout_frequency::PayoutFrequency(
            p.payout_frequency.clone(),
        )),
        Box::new(history_skewed::HistorySkewed(p.history_skewed.clone())),
        // --- end detectors II ---
        // --- pay ---
        Box::new(prc_bank::PrcBank(p.prc_bank.clone())),
        Box::new(crypto_payout::CryptoPayout(p.crypto_payout.clone())),
        Box::new(payout_name::PayoutName(p.payout_name.clone())),
        Box::new(profile_consistency::ProfileConsistency(
            p.profile_consistency.clone(),
        )),
        Box::new(contact_signals::ContactSignals(p.contact_signals.clone())),
        // --- end pay ---
        // --- link ---
        Box::new(shared_identity::SharedIdentity(p.shared_identity.clone())),
        Box::new(review_manipulation::ReviewManipulation(
            p.review_manipulation.clone(),
        )),
        Box::new(laptop_farm::LaptopFarm(laptop_farm::Params {
            tools: p.endpoint_tools.clone(),
            ..p.laptop_farm.clone()
        })),
        // --- end link ---
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry and the constructors are two lists; they must name the same detectors.
    #[test]
    fn registry_and_build_all_agree() {
        let built: Vec<&str> = build_all(&DetectorParams::default())
            .iter()
            .map(|d| d.name())
            .collect();
        let listed: Vec<&str> = registry().iter().map(|s| s.name).collect();
        assert_eq!(built, listed);
        for (d, s) in build_all(&DetectorParams::default()).iter().zip(registry()) {
            assert_eq!(d.raises(), s.raises);
            for id in s.raises {
                assert!(
                    kensa_model::catalog::flag(id).is_some(),
                    "{} raises unknown id {id}",
                    s.name
                );
            }
        }
    }
}
