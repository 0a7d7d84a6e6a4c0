//! Due-diligence requirements (domain/red-flags.md §B): which steps a subject needs before it
//! may be approved, which are done (from `check` records) and which are missing.

use kensa_model::catalog;
use kensa_model::finding::Tier;
use kensa_model::record::{Check, CheckResult};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The `[due_diligence]` section of the policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DdPolicy {
    pub low: Vec<String>,
    pub medium: Vec<String>,
    pub high: Vec<String>,
    pub critical: Vec<String>,
    /// Steps required whenever a flag is raised, whatever the tier.
    pub by_flag: BTreeMap<String, Vec<String>>,
    /// Steps taken once a worker is confirmed (report to the authorities, preserve evidence,
    /// revoke access): never needed to clear a subject, required to close a case as
    /// confirmed.
    pub confirmed: Vec<String>,
}

impl DdPolicy {
    pub fn for_tier(&self, t: Tier) -> &[String] {
        match t {
            Tier::Low => &self.low,
            Tier::Medium => &self.medium,
            Tier::High => &self.high,
            Tier::Critical => &self.critical,
        }
    }

    /// Every DD id named, with the key it appears under (for error messages).
    pub fn all_ids(&self) -> impl Iterator<Item = &String> {
        self.low
            .iter()
            .chain(&self.medium)
            .chain(&self.high)
            .chain(&self.critical)
            .chain(self.by_flag.values().flatten())
            .chain(&self.confirmed)
    }

    /// The steps to take once a worker is confirmed, in catalogue order, with those done
    /// (passed checks) and those still missing: `(required, missing)`.
    pub fn confirmed_status(&self, checks: &[(&str, &Check)]) -> (Vec<String>, Vec<String>) {
        let mut latest: BTreeMap<&str, CheckResult> = BTreeMap::new();
        for (_, c) in checks {
            latest.insert(c.check.as_str(), c.result);
        }
        let required: Vec<String> = catalog::DD
            .iter()
            .map(|i| i.id)
            .filter(|id| self.confirmed.iter().any(|c| c == id))
            .map(str::to_owned)
            .collect();
        let missing = required
            .iter()
            .filter(|id| latest.get(id.as_str()) != Some(&CheckResult::Pass))
            .cloned()
            .collect();
        (required, missing)
    }

    /// The steps required for a subject at `tier` with these flags, in catalogue order.
    pub fn required<'a>(
        &'a self,
        tier: Tier,
        flags: impl IntoIterator<Item = &'a str>,
    ) -> Vec<&'a str> {
        let mut set: BTreeSet<&str> = self.for_tier(tier).iter().map(String::as_str).collect();
        for f in flags {
            if let Some(steps) = self.by_flag.get(f) {
                set.extend(steps.iter().map(String::as_str));
            }
        }
        catalog::DD
            .iter()
            .map(|i| i.id)
            .filter(|id| set.contains(id))
            .collect()
    }
}

/// One step's status for a subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DdItem {
    pub id: String,
    pub en: String,
    pub ja: String,
    /// `done` (passed), `failed`, `inconclusive` or `missing`.
    pub status: String,
    pub required: bool,
    /// The latest check record for the step, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckRef>,
}

/// A check record, as evidence of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRef {
    pub record_id: String,
    pub at: String,
    pub result: String,
    pub by: Option<String>,
    pub notes: Option<String>,
    pub evidence: Vec<String>,
}

/// A subject's due-diligence status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DdStatus {
    pub required: Vec<String>,
    pub done: Vec<String>,
    pub missing: Vec<String>,
    /// False while a required step is missing (or failed).
    pub approve_allowed: bool,
    /// Every step that is required or was performed, with its status.
    pub items: Vec<DdItem>,
}

/// Evaluates the status from the subject's check records (`(record_id, check)` in time order).
pub fn status<'a>(
    policy: &'a DdPolicy,
    tier: Tier,
    flags: impl IntoIterator<Item = &'a str>,
    checks: &[(&str, &Check)],
) -> DdStatus {
    let required = policy.required(tier, flags);
    // The latest check per step decides its status.
    let mut latest: BTreeMap<&str, (&str, &Check)> = BTreeMap::new();
    for (rid, c) in checks {
        latest.insert(c.check.as_str(), (rid, c));
    }
    let mut items = Vec::new();
    let mut done = Vec::new();
    let mut missing = Vec::new();
    for item in catalog::DD {
        let req = required.contains(&item.id);
        let check = latest.get(item.id);
        if !req && check.is_none() {
            continue;
        }
        let status = match check.map(|(_, c)| c.result) {
            Some(CheckResult::Pass) => "done",
            Some(CheckResult::Fail) => "failed",
            Some(CheckResult::Inconclusive) => "inconclusive",
            None => "missing",
        };
        if status == "done" {
            done.push(item.id.to_owned());
        } else if req {
            missing.push(item.id.to_owned());
        }
        items.push(DdItem {
            id: item.id.into(),
            en: item.en.into(),
            ja: item.ja.into(),
            status: status.into(),
            required: req,
            check: check.map(|(rid, c)| CheckRef {
                record_id: (*rid).to_owned(),
                at: c.at.to_rfc3339(),
                result: match c.result {
                    CheckResult::Pass => "pass",
                    CheckResult::Fail => "fail",
                    CheckResult::Inconclusive => "inconclusive",
                }
                .into(),
                by: c.by.clone(),
                notes: c.notes.clone(),
                evidence: c.evidence.clone(),
            }),
        });
    }
    DdStatus {
        required: required.iter().map(|s| (*s).to_owned()).collect(),
        approve_allowed: missing.is_empty(),
        done,
        missing,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, result: &str) -> Check {
        let v = serde_json::json!({"kind":"check","subject_id":"u1","at":"2026-09-01T00:00:00Z","check":id,"result":result,"by":"analyst-7"});
        match kensa_model::validate_value(v).unwrap().record {
            kensa_model::Record::Check(c) => c,
            _ => unreachable!(),
        }
    }

    #[test]
    fn missing_steps_block_approval_until_they_pass() {
        let p = crate::Policy::default_policy().due_diligence;
        let st = status(&p, Tier::High, ["RF-PAY-ACCOUNT-CHANGED"], &[]);
        assert!(
            st.required.contains(&"DD-PAYMENT-RECHECK".to_string()),
            "flag-specific step"
        );
        assert!(
            st.required.contains(&"DD-VIDEO-INTERVIEW".to_string()),
            "tier step"
        );
        assert!(!st.approve_allowed);

        let passed: Vec<Check> = st.required.iter().map(|id| check(id, "pass")).collect();
        let refs: Vec<(&str, &Check)> = passed.iter().map(|c| ("r", c)).collect();
        let st = status(&p, Tier::High, ["RF-PAY-ACCOUNT-CHANGED"], &refs);
        assert!(st.approve_allowed, "{:?}", st.missing);

        // A failed check is shown but does not satisfy the requirement.
        let failed = check("DD-VIDEO-INTERVIEW", "fail");
        let mut refs2 = refs.clone();
        refs2.push(("r2", &failed));
        let st = status(&p, Tier::High, ["RF-PAY-ACCOUNT-CHANGED"], &refs2);
        assert_eq!(st.missing, vec!["DD-VIDEO-INTERVIEW".to_string()]);
        assert!(!st.approve_allowed);
    }

    #[test]
    fn low_tier_requires_nothing() {
        let p = crate::Policy::default_policy().due_diligence;
        let st = status(&p, Tier::Low, [], &[]);
        assert!(st.approve_allowed && st.items.is_empty());
    }
}
