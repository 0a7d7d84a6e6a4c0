//! The detectors, one per file, and the one registry that lists them.
//!
//! To add a detector: write `detectors/<name>.rs` with a `Params` struct (serde, documented
//! defaults) and a type implementing [`crate::Detector`]; add a field for its parameters to
//! [`DetectorParams`]; add one [`DetectorSpec`] line to [`registry`]; add its section with the
//! defaults to the shipped policy file. The shared compliance tests then check it.

pub mod login_multi_ip;
pub mod sanctions;

use crate::Detector;
use serde::{Deserialize, Serialize};

/// The `[detectors]` section of the policy file: one table per detector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorParams {
    pub login_multi_ip: login_multi_ip::Params,
    pub sanctions_screening: sanctions::Params,
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
    &[login_multi_ip::SPEC, sanctions::SPEC]
}

/// Builds every detector with the given parameters.
pub fn build_all(p: &DetectorParams) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(login_multi_ip::LoginMultiIp(p.login_multi_ip.clone())),
        Box::new(sanctions::Sanctions(p.sanctions_screening.clone())),
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
