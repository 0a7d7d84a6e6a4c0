//! The detectors, one per file, and the one registry that lists them.
//!
//! To add a detector: write `detectors/<name>.rs` with a `Params` struct (serde, documented
//! defaults) and a type implementing [`crate::Detector`]; add a field for its parameters to
//! [`DetectorParams`]; add one [`DetectorSpec`] line to [`registry`]; add its section with the
//! defaults to the shipped policy file. The shared compliance tests then check it.

pub mod login_multi_ip;
// --- detectors II ---
pub mod det2_util;
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

use crate::Detector;
use serde::{Deserialize, Serialize};

/// The `[detectors]` section of the policy file: one table per detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorParams {
    pub login_multi_ip: login_multi_ip::Params,
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
    ]
}

/// Builds every detector with the given parameters.
pub fn build_all(p: &DetectorParams) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(login_multi_ip::LoginMultiIp(p.login_multi_ip.clone())),
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
    ]
}
