//! RF-PAY-ACCOUNT-CHANGED — the payout account is changed mid-contract, repeatedly
//! (途中で何度も変更される).
//!
//! What is measured: the subject's `payout_account` records in time order. The first is the
//! initial registration; every later record whose `account_id` differs from the one before is a
//! *change*. A change after the subject's first `contract` (`at`) is *mid-contract* (contract
//! ends are not in the data, so every time after the first contract counts as during a
//! contract). The flag fires on one mid-contract change (strength `single_change`), and more
//! strongly on `repeat_count` or more changes within `window` (strength `repeated`, plus
//! `per_extra` per further change). Repeated changes none of which is mid-contract (or with no
//! contract data at all) fire at `no_contract_factor` of that strength.
//!
//! Due diligence: the government advice is to re-verify after each change (途中で口座変更された
//! 場合は、再度確認 — DD-PAYMENT-RECHECK). Whether that was done is recorded as `check` records,
//! which by design never reach a detector (they are kept in the `Sidecar` with the labels). The
//! finding therefore lists every change with its record id and time, and the workflow shows the
//! DD-PAYMENT-RECHECK status next to it.
//!
//! False positives: people set up payouts more than once before any work starts (a typo, a
//! better bank); a single change before the first contract never fires, and repeated ones fire
//! at a reduced strength. A single change during a long contract (a new bank) fires only
//! weakly.

use crate::params::Dur;
use crate::util::window_text;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "payout_changes",
    raises: &["RF-PAY-ACCOUNT-CHANGED"],
    summary: "payout-account changes after the first contract, and repeated changes within a window",
    false_positives: "changes before any contract do not fire alone; one change mid-contract is weak; DD-PAYMENT-RECHECK status is shown by the workflow (checks never reach detectors)",
};

/// Parameters (`[detectors.payout_changes]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Window in which repeated changes are counted.
    pub window: Dur,
    /// Changes within `window` that make a repeated change.
    pub repeat_count: usize,
    /// Strength of a single mid-contract change.
    pub single_change: f64,
    /// Strength of repeated changes (at least one of them mid-contract).
    pub repeated: f64,
    /// Extra strength per change beyond `repeat_count`.
    pub per_extra: f64,
    /// Factor for repeated changes none of which is after the first contract.
    pub no_contract_factor: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Dur::days(90),
            repeat_count: 2,
            single_change: 0.4,
            repeated: 0.8,
            per_extra: 0.1,
            no_contract_factor: 0.6,
        }
    }
}

pub struct PayoutChanges(pub Params);

impl Detector for PayoutChanges {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["contract", "payout_account"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

impl PayoutChanges {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let window = p.window.millis();
        let accts = &s.payout_accounts;
        if accts.len() < 2 {
            return None;
        }
        let contract_start = s.contracts.iter().map(|c| c.r.at).min();
        // (index of the change record, previous account).
        let changes: Vec<(usize, &str)> = (1..accts.len())
            .filter(|&i| accts[i].r.account_id != accts[i - 1].r.account_id)
            .map(|i| (i, accts[i - 1].r.account_id.as_str()))
            .collect();
        let mid = |i: usize| contract_start.is_some_and(|c| accts[i].r.at > c);
        let mid_count = changes.iter().filter(|(i, _)| mid(*i)).count();
        if changes.is_empty() {
            return None;
        }
        // Most changes inside one window.
        let mut best = 0usize;
        let mut lo = 0usize;
        for hi in 0..changes.len() {
            while accts[changes[hi].0].r.at.0 - accts[changes[lo].0].r.at.0 > window {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        let strength = if best >= p.repeat_count {
            let s = p.repeated + p.per_extra * (best - p.repeat_count) as f64;
            if mid_count == 0 {
                s * p.no_contract_factor
            } else {
                s
            }
        } else if mid_count > 0 {
            p.single_change
        } else {
            return None;
        }
        .clamp(0.05, 1.0);
        let list: Vec<serde_json::Value> = changes
            .iter()
            .map(|&(i, from)| {
                let a = &accts[i].r;
                json!({
                    "record": accts[i].id,
                    "at": a.at.to_rfc3339(),
                    "from_account": from,
                    "to_account": a.account_id,
                    "method": a.method,
                    "mid_contract": mid(i),
                    "recheck": "DD-PAYMENT-RECHECK",
                })
            })
            .collect();
        let n = changes.len();
        let (win_en, win_ja) = window_text(&p.window);
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PAY-ACCOUNT-CHANGED".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(changes.iter().map(|(i, _)| accts[*i].id.clone()))
                .value("changes", serde_json::Value::Array(list))
                .value("change_count", n)
                .value("mid_contract_changes", mid_count)
                .value("most_changes_in_window", best)
                .value(
                    "first_contract",
                    contract_start.map(|c| c.to_rfc3339()).unwrap_or_default(),
                )
                .threshold("window", win_en.clone())
                .threshold("repeat_count", p.repeat_count),
            explanation: Text::new(
                format!(
                    "The payout account was changed {n} time(s), {mid_count} of them after the \
                             first contract; up to {best} change(s) within {win_en}. Re-verify the \
                             account after each change (DD-PAYMENT-RECHECK)."
                ),
                format!(
                    "報酬口座が{n}回変更され、そのうち{mid_count}回は最初の契約の後（契約途中）でした。\
                             {win_ja}以内に最大{best}回の変更があります。途中で口座変更された場合は、再度確認を取って\
                             ください（DD-PAYMENT-RECHECK）。"
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(recs: &[serde_json::Value]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, r) in recs.iter().enumerate() {
            let mut v = r.clone();
            v["record_id"] = format!("r{i}").into();
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn acct(sub: &str, day: u32, id: &str, method: &str) -> serde_json::Value {
        json!({"kind":"payout_account","subject_id":sub,"at":format!("2026-{:02}-{:02}T00:00:00Z", 1 + day / 28, 1 + day % 28),
            "account_id":id,"method":method})
    }

    #[test]
    fn repeated_mid_contract_changes_fire() {
        let f = PayoutChanges(Params::default()).run(&ds(&[
            json!({"kind":"contract","subject_id":"u1","at":"2026-01-05T00:00:00Z"}),
            acct("u1", 0, "bank-1", "bank"),
            acct("u1", 20, "bank-2", "bank"),
            acct("u1", 40, "wallet-9", "crypto"),
            acct("u1", 60, "bank-3", "bank"),
        ]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.values["change_count"], 3);
        assert_eq!(f[0].evidence.values["most_changes_in_window"], 3);
        assert!((f[0].strength - 0.9).abs() < 1e-9);
        assert_eq!(f[0].evidence.values["changes"][1]["method"], "crypto");
        assert!(f[0].explanation.ja.contains("再度確認"));
    }

    #[test]
    fn repeated_changes_without_contract_data_fire_weaker() {
        let f = PayoutChanges(Params::default()).run(&ds(&[
            acct("u3", 0, "bank-1", "bank"),
            acct("u3", 5, "bank-2", "bank"),
            acct("u3", 10, "bank-3", "bank"),
        ]));
        assert_eq!(f.len(), 1);
        assert!((f[0].strength - 0.48).abs() < 1e-9);
        assert_eq!(f[0].evidence.values["mid_contract_changes"], 0);
    }

    #[test]
    fn one_change_before_any_contract_does_not_fire() {
        let f = PayoutChanges(Params::default()).run(&ds(&[
            acct("u2", 0, "bank-1", "bank"),
            acct("u2", 3, "bank-2", "bank"),
            json!({"kind":"contract","subject_id":"u2","at":"2026-03-01T00:00:00Z"}),
            acct("u2", 70, "bank-2", "bank"),
        ]));
        assert!(f.is_empty(), "{f:#?}");
    }
}
