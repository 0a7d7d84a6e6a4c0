//! RF-PAY-PRC-BANK — transfers to bank accounts in the People's Republic of China
//! (中華人民共和国（PRC）にある銀行口座への送金).
//!
//! Every payout destination of a subject (its `payout_account` records, and `payout` records,
//! incoming or onward `outgoing` transfers, merged by `account_id`) that carries bank details is
//! resolved with `kensa_enrich::bank`: the BIC's country, then the IBAN's, then the stated
//! country, then a PRC bank recognised by name in Latin or Chinese script (`ICBC`, `中国工商银行`).
//! Hong Kong, Macau and Taiwan are separate banking systems and are not PRC accounts, even for
//! "Bank of China (Hong Kong)".
//!
//! The strength depends on what the subject claims: a subject who says they live in China and
//! is paid there is doing nothing unusual (`resident_strength`, default 0.1: the flag is shown but
//! weighs little); a subject who claims another country and is paid into a PRC account is the
//! pattern of the advisory (`mismatch_strength`); without a claimed country,
//! `unknown_claim_strength`.
//!
//! False positives: the openly Shanghai-based developer paid into a Chinese account in their own
//! name fires at `resident_strength` only; accounts in Hong Kong, Macau or Taiwan never fire.

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::record::{Bank, Crypto, PayoutMethod};
use kensa_model::{Evidence, Finding, Text, Ts};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "prc_bank",
    raises: &["RF-PAY-PRC-BANK"],
    summary: "payout accounts and transfers whose bank resolves to mainland China (BIC, IBAN, stated country or PRC bank name), weighed against the claimed country",
    false_positives: "a subject who openly claims to live in China fires at resident_strength only; Hong Kong, Macau and Taiwan accounts (even of PRC bank groups) are not PRC accounts",
};

/// Parameters (`[detectors.prc_bank]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Strength when the subject claims to live in China (CN); 0 disables the flag for them.
    pub resident_strength: f64,
    /// Strength when the subject claims another country.
    pub mismatch_strength: f64,
    /// Strength when the subject claims no country.
    pub unknown_claim_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            resident_strength: 0.1,
            mismatch_strength: 1.0,
            unknown_claim_strength: 0.6,
        }
    }
}

pub struct PrcBank(pub Params);

/// One payout destination of a subject: an account record and/or the payouts that name it.
#[derive(Debug, Clone)]
pub(crate) struct Dest<'a> {
    /// `account_id`, or a key derived from the bank/crypto details or beneficiary.
    pub key: String,
    pub method: Option<PayoutMethod>,
    pub beneficiary: Option<&'a str>,
    pub bank: Option<&'a Bank>,
    pub crypto: Option<&'a Crypto>,
    pub first_at: Ts,
    /// Record ids: the account record(s) first, then payouts (at most 20 payouts).
    pub records: Vec<&'a str>,
    /// Number of payouts to this destination.
    pub payouts: usize,
    /// Whether the destination only receives onward transfers (`direction: outgoing`).
    pub outgoing: bool,
}

impl Dest<'_> {
    /// The account's identifying number: IBAN, account number or crypto address.
    pub fn number(&self) -> Option<String> {
        let b = self.bank;
        b.and_then(|b| b.iban.as_deref().or(b.account_number.as_deref()))
            .or(self.crypto.and_then(|c| c.address.as_deref()))
            .map(|s| {
                s.chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_lowercase()
            })
    }
}

/// Whether a payout's `direction` says the money was moved onward by the subject.
pub(crate) fn is_outgoing(direction: Option<&str>) -> bool {
    direction.is_some_and(|d| d.eq_ignore_ascii_case("outgoing"))
}

/// The payout destinations of a subject, in order of first appearance.
pub(crate) fn destinations(s: &SubjectData) -> Vec<Dest<'_>> {
    let mut out: Vec<Dest> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for a in &s.payout_accounts {
        let key = a.r.account_id.clone();
        if let Some(&i) = index.get(&key) {
            // A later record of the same account updates its details.
            let d = &mut out[i];
            d.records.push(&a.id);
            d.beneficiary = a.r.beneficiary_name.as_deref().or(d.beneficiary);
            d.bank = a.r.bank.as_ref().or(d.bank);
            d.crypto = a.r.crypto.as_ref().or(d.crypto);
            continue;
        }
        index.insert(key.clone(), out.len());
        out.push(Dest {
            key,
            method: Some(a.r.method),
            beneficiary: a.r.beneficiary_name.as_deref(),
            bank: a.r.bank.as_ref(),
            crypto: a.r.crypto.as_ref(),
            first_at: a.r.at,
            records: vec![&a.id],
            payouts: 0,
            outgoing: false,
        });
    }
    for p in &s.payouts {
        let r = &p.r;
        let derived = || {
            r.bank
                .as_ref()
                .and_then(|b| b.iban.clone().or(b.account_number.clone()))
                .or(r.crypto.as_ref().and_then(|c| c.address.clone()))
                .or(r.beneficiary_name.clone())
                .map(|k| format!("payout:{k}"))
        };
        let Some(key) = r.account_id.clone().or_else(derived) else {
            continue;
        };
        let outgoing = is_outgoing(r.direction.as_deref());
        match index.get(&key) {
            Some(&i) => {
                let d = &mut out[i];
                d.payouts += 1;
                if d.payouts <= 20 {
                    d.records.push(&p.id);
                }
                d.outgoing &= outgoing;
                d.beneficiary = d.beneficiary.or(r.beneficiary_name.as_deref());
                d.bank = d.bank.or(r.bank.as_ref());
                d.crypto = d.crypto.or(r.crypto.as_ref());
                d.method = d.method.or(r.method);
                d.first_at = d.first_at.min(r.at);
            }
            None => {
                index.insert(key.clone(), out.len());
                out.push(Dest {
                    key,
                    method: r.method,
                    beneficiary: r.beneficiary_name.as_deref(),
                    bank: r.bank.as_ref(),
                    crypto: r.crypto.as_ref(),
                    first_at: r.at,
                    records: vec![&p.id],
                    payouts: 1,
                    outgoing,
                });
            }
        }
    }
    out
}

impl Detector for PrcBank {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["subject", "payout_account", "payout"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

impl PrcBank {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let prc: Vec<(Dest, kensa_enrich::BankInfo)> = destinations(s)
            .into_iter()
            .filter_map(|d| {
                let b = d.bank?;
                let info = kensa_enrich::bank(
                    b.iban.as_deref(),
                    b.bic.as_deref(),
                    b.bank_name.as_deref(),
                    b.country.as_ref().map(|c| c.as_str()),
                );
                info.is_prc.then_some((d, info))
            })
            .collect();
        if prc.is_empty() {
            return None;
        }
        let claimed = s.claimed_country();
        let (strength, situation) = match claimed {
            Some("CN") => (p.resident_strength, "resident"),
            Some(_) => (p.mismatch_strength, "mismatch"),
            None => (p.unknown_claim_strength, "no_claim"),
        };
        if strength <= 0.0 {
            return None;
        }
        let strength = strength.clamp(0.01, 1.0);
        let accounts: Vec<serde_json::Value> = prc
            .iter()
            .map(|(d, i)| {
                let b = d.bank.cloned().unwrap_or_default();
                json!({
                    "account": d.key,
                    "bank_name": b.bank_name,
                    "bic": i.bic,
                    "iban": i.iban,
                    "account_number": b.account_number,
                    "country": i.country,
                    "country_source": i.country_source,
                    "prc_bank": i.prc_bank,
                    "prc_reason": i.prc_reason,
                    "notes": i.notes,
                    "beneficiary_name": d.beneficiary,
                    "payouts": d.payouts,
                    "onward_transfers_only": d.outgoing,
                })
            })
            .collect();
        let records: Vec<String> = prc
            .iter()
            .flat_map(|(d, _)| d.records.iter().map(|r| r.to_string()))
            .take(50)
            .collect();
        let payouts: usize = prc.iter().map(|(d, _)| d.payouts).sum();
        let banks: Vec<String> = prc
            .iter()
            .map(|(d, i)| {
                let name = d
                    .bank
                    .and_then(|b| b.bank_name.clone())
                    .or(i.prc_bank.clone())
                    .or(i.bic.clone())
                    .unwrap_or_else(|| d.key.clone());
                format!(
                    "{name} ({})",
                    i.prc_reason.as_deref().unwrap_or("resolved to CN")
                )
            })
            .collect();
        // The same reasons in Japanese (the enrichment's reason text is English).
        let banks_ja: Vec<String> = prc
            .iter()
            .map(|(d, i)| {
                let name = d
                    .bank
                    .and_then(|b| b.bank_name.clone())
                    .or(i.prc_bank.clone())
                    .or(i.bic.clone())
                    .unwrap_or_else(|| d.key.clone());
                let why = match i.country_source.as_deref() {
                    Some("bic") => format!(
                        "BIC {} は中国で登録",
                        i.bic.as_deref().unwrap_or_default()
                    ),
                    Some("country") => "申告された銀行所在国が中国".to_owned(),
                    Some("bank_name") => format!(
                        "銀行名が中国本土の銀行「{}」と一致",
                        i.prc_bank.as_deref().unwrap_or_default()
                    ),
                    _ => "口座の所在国が中国".to_owned(),
                };
                // A bank's name as the data gives it, quoted as Japanese quotes a name.
                format!("「{name}」（{why}）")
            })
            .collect();
        let claimed_s = claimed.unwrap_or("none");
        let (claimed_en, claimed_ja) = (
            kensa_model::country::en(claimed_s),
            kensa_model::country::ja(claimed_s),
        );
        let (en_tail, ja_tail) = match situation {
                    "resident" => (
                        "The subject openly claims to live in China, so this is expected and weighs little."
                            .to_string(),
                        "対象者は中国在住を申告しているため想定内であり、重みは小さく評価しています。"
                            .to_string(),
                    ),
                    "mismatch" => (
                        format!("The subject claims to live in {claimed_en}, not China."),
                        format!("対象者の申告所在国は{claimed_ja}であり、中国ではありません。"),
                    ),
                    _ => (
                        "The subject states no country of residence.".to_string(),
                        "対象者は所在国を申告していません。".to_string(),
                    ),
                };
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PAY-PRC-BANK".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("claimed_country", claimed)
                .value("situation", situation)
                .value("prc_accounts", serde_json::Value::Array(accounts))
                .value("payouts", payouts)
                .threshold("resident_strength", p.resident_strength)
                .threshold("mismatch_strength", p.mismatch_strength)
                .threshold("unknown_claim_strength", p.unknown_claim_strength),
            explanation: Text::new(
                format!(
                    "{} to a bank account in the People's Republic \
                             of China: {} ({payouts} payouts). {en_tail}",
                    if prc.len() == 1 { "A payout destination resolves" } else { "Payout destinations resolve" },
                    banks.join("; ")
                ),
                format!(
                    "中華人民共和国（PRC）にある銀行口座への送金が見られます：{}（送金{payouts}件）。{ja_tail}",
                    banks_ja.join("、")
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

    pub(crate) fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn subject(sub: &str, cc: &str) -> String {
        format!(
            r#"{{"kind":"subject","subject_id":"{sub}","source":"freelance_platform","legal_name":"Li Wei","claimed_country":"{cc}"}}"#
        )
    }

    fn account(sub: &str, bank: &str) -> String {
        format!(
            r#"{{"kind":"payout_account","subject_id":"{sub}","at":"2026-09-01T00:00:00Z","account_id":"acc-{sub}","method":"bank","beneficiary_name":"LI WEI","bank":{bank}}}"#
        )
    }

    fn payout(sub: &str, i: u32) -> String {
        format!(
            r#"{{"kind":"payout","subject_id":"{sub}","at":"2026-09-{:02}T00:00:00Z","amount":1000,"currency":"USD","account_id":"acc-{sub}"}}"#,
            i + 2
        )
    }

    fn run(lines: &[String]) -> Vec<Finding> {
        PrcBank(Params::default()).run(&ds(lines))
    }

    #[test]
    fn us_claimant_paid_into_icbc_fires_strongly() {
        let f = run(&[
            subject("u1", "US"),
            account(
                "u1",
                r#"{"bic":"ICBKCNBJ","bank_name":"Industrial and Commercial Bank of China","account_number":"6222020200112233445"}"#,
            ),
            payout("u1", 0),
            payout("u1", 1),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 1.0);
        let acc = &f[0].evidence.values["prc_accounts"][0];
        assert_eq!(acc["country_source"], "bic");
        assert_eq!(acc["bic"], "ICBKCNBJ");
        assert_eq!(f[0].evidence.values["claimed_country"], "US");
        assert_eq!(f[0].evidence.values["payouts"], 2);
        assert!(f[0].explanation.ja.contains("中華人民共和国"));
    }

    #[test]
    fn chinese_bank_name_alone_is_recognised() {
        let f = run(&[
            subject("u1", "JP"),
            account("u1", r#"{"bank_name":"中国工商银行"}"#),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence.values["prc_accounts"][0]["country_source"],
            "bank_name"
        );
    }

    #[test]
    fn onward_transfer_to_a_cn_account_counts() {
        let f = run(&[
            subject("u1", "US"),
            r#"{"kind":"payout","subject_id":"u1","at":"2026-09-03T00:00:00Z","amount":300,"currency":"USD","direction":"outgoing","transfer_type":"onward_transfer","beneficiary_name":"ZHANG SAN","bank":{"bic":"BKCHCNBJ","bank_name":"Bank of China","account_number":"6216600000000000"}}"#.to_string(),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence.values["prc_accounts"][0]["onward_transfers_only"],
            true
        );
    }

    /// Look-alike: the openly Shanghai-based developer paid in their own name fires weakly.
    #[test]
    fn resident_of_china_fires_weakly() {
        let f = run(&[
            subject("u1", "CN"),
            account(
                "u1",
                r#"{"bic":"ICBKCNBJ","bank_name":"ICBC","account_number":"6222020200112233445","country":"CN"}"#,
            ),
            payout("u1", 0),
        ]);
        assert_eq!(f.len(), 1);
        assert!(f[0].strength <= 0.1);
        assert_eq!(f[0].evidence.values["situation"], "resident");
    }

    /// Look-alike: Hong Kong, Macau and Taiwan accounts are not PRC accounts.
    #[test]
    fn hong_kong_branch_of_a_prc_bank_does_not_fire() {
        for bank in [
            r#"{"bic":"BKCHHKHH","bank_name":"Bank of China (Hong Kong)"}"#,
            r#"{"bank_name":"Bank of China Macau Branch","country":"MO"}"#,
            r#"{"bank_name":"Cathay United Bank","country":"TW"}"#,
        ] {
            let f = run(&[subject("u1", "US"), account("u1", bank)]);
            assert!(f.is_empty(), "{bank}: {f:?}");
        }
    }
}
