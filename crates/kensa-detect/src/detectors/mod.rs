//! The detectors, one per file, and the one registry that lists them.
//!
//! To add a detector: write `detectors/<name>.rs` (see CONTRIBUTING.md: a `SPEC`, a `Params`
//! struct with documented defaults, a type implementing [`crate::Detector`], tests) and add one
//! line to the [`detectors!`] list below. That line declares the module, adds its parameters to
//! [`DetectorParams`] (the policy file's `[detectors.<name>]` table), lists its `SPEC` in
//! [`registry`] (which `kensa catalog` and the README's detector table are made from) and
//! builds it in [`build_all`]. The contract tests then hold it to the rules every detector
//! keeps (`tests/contract.rs`, `tests/incremental.rs`), and the score crate's tests fail until
//! the shipped policy has its section.

use crate::Detector;
use serde::{Deserialize, Serialize};

/// What the registry knows about a detector without running it.
pub struct DetectorSpec {
    pub name: &'static str,
    pub raises: &'static [&'static str],
    /// One-line description.
    pub summary: &'static str,
    /// The legitimate behaviour that looks similar, and how the detector avoids it.
    pub false_positives: &'static str,
}

/// The registry: `policy_field: module => constructor`, in the order detectors run.
macro_rules! detectors {
    ($($field:ident : $module:ident => $build:expr,)*) => {
        $(pub mod $module;)*

        /// The `[detectors]` section of the policy file: one table per detector.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct DetectorParams {
            $(pub $field: $module::Params,)*
        }

        /// Every detector Kensa has, in the order they run.
        pub fn registry() -> &'static [DetectorSpec] {
            &[$($module::SPEC,)*]
        }

        /// Builds every detector with the given parameters.
        pub fn build_all(p: &DetectorParams) -> Vec<Box<dyn Detector>> {
            vec![$({
                let build: fn(&DetectorParams) -> Box<dyn Detector> = $build;
                build(p)
            },)*]
        }
    };
}

detectors! {
    login_multi_ip: login_multi_ip => |p| Box::new(login_multi_ip::LoginMultiIp(p.login_multi_ip.clone())),
    sanctions_screening: sanctions => |p| Box::new(sanctions::Sanctions(p.sanctions_screening.clone())),
    disposable_email: disposable_email => |p| Box::new(disposable_email::DisposableEmail(p.disposable_email.clone())),
    login_multi_country: login_multi_country => |p| Box::new(login_multi_country::LoginMultiCountry(p.login_multi_country.clone())),
    impossible_travel: impossible_travel => |p| Box::new(impossible_travel::ImpossibleTravel(p.impossible_travel.clone())),
    net_anonymizer: net_anonymizer => |p| Box::new(net_anonymizer::NetAnonymizer(p.net_anonymizer.clone())),
    shared_residential_ip: shared_residential_ip => |p| Box::new(shared_residential_ip::SharedResidentialIp(p.shared_residential_ip.clone())),
    off_hours: off_hours => |p| Box::new(off_hours::OffHours(p.off_hours.clone())),
    access_bulk: access_bulk => |p| Box::new(access_bulk::AccessBulk(p.access_bulk.clone())),
    access_foreign: access_foreign => |p| Box::new(access_foreign::AccessForeign(p.access_foreign.clone())),
    endpoint_tools: endpoint_tools => |p| Box::new(endpoint_tools::EndpointTools(p.endpoint_tools.clone())),
    device_location: device_location => |p| Box::new(device_location::DeviceLocation(p.device_location.clone())),
    message_patterns: message_patterns => |p| Box::new(message_patterns::MessagePatterns::new(p.message_patterns.clone())),
    meetings: meetings => |p| Box::new(meetings::Meetings(p.meetings.clone())),
    id_document: id_document => |p| Box::new(id_document::IdDocument(p.id_document.clone())),
    profile_ja: profile_ja => |p| Box::new(profile_ja::ProfileJa(p.profile_ja.clone())),
    shipping: shipping => |p| Box::new(shipping::Shipping(p.shipping.clone())),
    payout_changes: payout_changes => |p| Box::new(payout_changes::PayoutChanges(p.payout_changes.clone())),
    underpriced: underpriced => |p| Box::new(underpriced::Underpriced(p.underpriced.clone())),
    payout_frequency: payout_frequency => |p| Box::new(payout_frequency::PayoutFrequency(p.payout_frequency.clone())),
    history_skewed: history_skewed => |p| Box::new(history_skewed::HistorySkewed(p.history_skewed.clone())),
    prc_bank: prc_bank => |p| Box::new(prc_bank::PrcBank(p.prc_bank.clone())),
    crypto_payout: crypto_payout => |p| Box::new(crypto_payout::CryptoPayout(p.crypto_payout.clone())),
    payout_name: payout_name => |p| Box::new(payout_name::PayoutName(p.payout_name.clone())),
    proxy_payout: proxy_payout => |p| Box::new(proxy_payout::ProxyPayout(p.proxy_payout.clone())),
    profile_consistency: profile_consistency => |p| Box::new(profile_consistency::ProfileConsistency(p.profile_consistency.clone())),
    contact_signals: contact_signals => |p| Box::new(contact_signals::ContactSignals(p.contact_signals.clone())),
    shared_identity: shared_identity => |p| Box::new(shared_identity::SharedIdentity(p.shared_identity.clone())),
    partner_indicators: partner_indicators => |p| Box::new(partner_indicators::PartnerIndicators(p.partner_indicators.clone())),
    duplicate_applicant: duplicate_applicant => |p| Box::new(duplicate_applicant::DuplicateApplicant(p.duplicate_applicant.clone())),
    review_manipulation: review_manipulation => |p| Box::new(review_manipulation::ReviewManipulation(p.review_manipulation.clone())),
    laptop_farm: laptop_farm => |p| Box::new(laptop_farm::LaptopFarm(laptop_farm::Params { tools: p.endpoint_tools.clone(), ..p.laptop_farm.clone() })),
}

/// The README's table of red flags and the detectors that cover them, made from the
/// registry and the catalogue (`kensa catalog --markdown` prints it).
pub fn markdown_table() -> String {
    use std::fmt::Write as _;
    let mut o = String::from("| red flag | detectors | false-positive guard |\n|---|---|---|\n");
    for item in kensa_model::catalog::RF {
        let specs: Vec<&DetectorSpec> = registry()
            .iter()
            .filter(|d| d.raises.contains(&item.id))
            .collect();
        let names: Vec<String> = specs.iter().map(|d| format!("`{}`", d.name)).collect();
        let guards: Vec<&str> = specs.iter().map(|d| d.false_positives).collect();
        let _ = writeln!(
            o,
            "| `{}` {} | {} | {} |",
            item.id,
            item.en,
            if names.is_empty() {
                "not yet".to_owned()
            } else {
                names.join(", ")
            },
            guards.join("; ")
        );
    }
    let kx: Vec<String> = kensa_model::catalog::KENSA
        .iter()
        .map(|(i, _)| format!("`{}`", i.id))
        .collect();
    let _ = write!(
        o,
        "\nKensa's own ids (specific detections that support red flags): {}.\n",
        kx.join(", ")
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's detector table is made from the registry; this fails when it is stale.
    #[test]
    fn readme_detector_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).expect("README.md beside the workspace");
        let (start, end) = ("<!-- detectors:start -->\n", "<!-- detectors:end -->");
        let a = readme
            .find(start)
            .expect("README has the detectors:start marker")
            + start.len();
        let b = readme
            .find(end)
            .expect("README has the detectors:end marker");
        let want = markdown_table();
        if readme[a..b] != want {
            let _ = std::fs::write(std::env::temp_dir().join("kensa-readme-table.md"), &want);
            panic!(
                "README.md's detector table is stale: replace the text between the markers with \
                 the output of `kensa catalog --markdown` (also written to {})",
                std::env::temp_dir().join("kensa-readme-table.md").display()
            );
        }
    }

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
