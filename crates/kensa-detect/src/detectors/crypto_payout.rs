//! RF-PAY-CRYPTO — being paid in cryptocurrency (暗号資産での支払い要求), from payout data.
//!
//! A payout destination is a crypto destination when its method is `crypto` or it carries a
//! wallet address (`payout_account` records and incoming `payout` records, merged by
//! `account_id`; onward `outgoing` transfers are RF-PAY-FREQUENT-TRANSFER's business). Each
//! address is analysed with `kensa_enrich::analyze_wallet`: the chain it belongs to, whether its
//! format and checksum are valid. What raises the strength:
//! * switching from a bank, card or wallet destination to crypto after payouts started
//!   (`switch_strength`) — the advisory's pattern of asking to be paid in crypto mid-contract,
//!   which `DD-PAYMENT-RECHECK` asks to record;
//! * an address whose format or checksum is invalid (`invalid_address_strength`): a copied or
//!   hand-typed address no wallet software would produce, or one mislabelled as another chain.
//!
//! Requests for crypto in message text are another detector (`message_patterns`) raising the
//! same id; the scorer combines the two so that one red flag is not counted twice.
//!
//! False positives: the web3 freelancer paid in stablecoins from the first payout, to a valid
//! address, fires at `from_start_strength` only (weak); whether the beneficiary is the person
//! is RF-PAY-NAME-MISMATCH's business.

use crate::detectors::prc_bank::{Dest, destinations};
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::record::PayoutMethod;
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "crypto_payout",
    raises: &["RF-PAY-CRYPTO"],
    summary: "payouts to crypto wallets (chain, asset, address validity), strongest when the subject switched from bank to crypto and when an address is invalid",
    false_positives: "a web3 freelancer paid in crypto from the first payout to a valid address fires weakly (from_start_strength)",
};

/// Parameters (`[detectors.crypto_payout]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Strength when every destination has been crypto from the start.
    pub from_start_strength: f64,
    /// Strength when the subject moved from a bank/card/wallet destination to crypto.
    pub switch_strength: f64,
    /// Minimum strength when an address has an invalid format or checksum.
    pub invalid_address_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            from_start_strength: 0.3,
            switch_strength: 1.0,
            invalid_address_strength: 0.8,
        }
    }
}

pub struct CryptoPayout(pub Params);

fn is_crypto(d: &Dest) -> bool {
    d.method == Some(PayoutMethod::Crypto)
        || d.crypto
            .is_some_and(|c| c.address.as_deref().is_some_and(|a| !a.trim().is_empty()))
}

fn method_name(m: Option<PayoutMethod>) -> &'static str {
    match m {
        Some(PayoutMethod::Bank) => "bank",
        Some(PayoutMethod::Crypto) => "crypto",
        Some(PayoutMethod::Wallet) => "wallet",
        Some(PayoutMethod::Card) => "card",
        None => "unknown",
    }
}

impl Detector for CryptoPayout {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["contract", "payout", "payout_account"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

impl CryptoPayout {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let dests: Vec<Dest> = destinations(s)
            .into_iter()
            .filter(|d| !d.outgoing)
            .collect();
        let crypto: Vec<&Dest> = dests.iter().filter(|d| is_crypto(d)).collect();
        let first_crypto = crypto.iter().map(|d| d.first_at).min()?;
        let before: Vec<&Dest> = dests
            .iter()
            .filter(|d| !is_crypto(d) && d.first_at < first_crypto)
            .collect();
        let switched = !before.is_empty();
        let contract_before = s.contracts.iter().any(|c| c.r.at <= first_crypto);
        let mut invalid = Vec::new();
        let wallets: Vec<serde_json::Value> = crypto
            .iter()
            .map(|d| {
                let c = d.crypto.cloned().unwrap_or_default();
                let hint = c.chain.as_deref().or(c.asset.as_deref());
                let info = c
                    .address
                    .as_deref()
                    .map(|a| kensa_enrich::analyze_wallet(a, hint));
                if let Some(i) = &info
                    && !i.valid
                {
                    invalid.push(i.address.clone());
                }
                json!({
                    "account": d.key,
                    "address": c.address,
                    "declared_chain": c.chain,
                    "asset": c.asset,
                    "detected_chain": info.as_ref().and_then(|i| i.chain.clone()),
                    "valid": info.as_ref().map(|i| i.valid),
                    "checksum_verified": info.as_ref().map(|i| i.checksum_verified),
                    "error": info.as_ref().and_then(|i| i.error.clone()),
                    "beneficiary_name": d.beneficiary,
                    "payouts": d.payouts,
                    "first_at": d.first_at.to_rfc3339(),
                })
            })
            .collect();
        let mut strength = if switched {
            p.switch_strength
        } else {
            p.from_start_strength
        };
        if !invalid.is_empty() {
            strength = strength.max(p.invalid_address_strength);
        }
        if strength <= 0.0 {
            return None;
        }
        let strength = strength.clamp(0.01, 1.0);
        let previous: Vec<serde_json::Value> = before
            .iter()
            .map(|d| {
                json!({
                    "account": d.key,
                    "method": method_name(d.method),
                    "first_at": d.first_at.to_rfc3339(),
                    "payouts": d.payouts,
                })
            })
            .collect();
        let records: Vec<String> = crypto
            .iter()
            .chain(before.iter())
            .flat_map(|d| d.records.iter().map(|r| r.to_string()))
            .take(50)
            .collect();
        let assets: Vec<String> = crypto
            .iter()
            .map(|d| {
                let c = d.crypto.cloned().unwrap_or_default();
                format!(
                    "{} on {}",
                    c.asset.as_deref().unwrap_or("crypto"),
                    c.chain.as_deref().unwrap_or("an unknown chain")
                )
            })
            .collect();
        let mut en = format!(
            "Paid to {} crypto wallet(s) ({}).",
            crypto.len(),
            assets.join(", ")
        );
        let mut ja = format!(
            "暗号資産ウォレット{}件への支払いがあります（{}）。",
            crypto.len(),
            assets.join("、")
        );
        if switched {
            en.push_str(&format!(
                " The subject was paid by {} first and switched to crypto on {}{}.",
                method_name(before[0].method),
                first_crypto.to_rfc3339(),
                if contract_before {
                    ", mid-contract"
                } else {
                    ""
                }
            ));
            ja.push_str(&format!(
                        "当初は{}で受け取っており、{}に暗号資産での受け取りへ切り替えています{}。暗号資産での支払い要求にあたります。",
                        method_name(before[0].method),
                        first_crypto.to_rfc3339(),
                        if contract_before { "（契約途中）" } else { "" }
                    ));
        } else {
            en.push_str(" Crypto has been the payout method from the start, which legitimate web3 freelancers also use; weak on its own.");
            ja.push_str("当初から暗号資産で受け取っており、正当なweb3分野のフリーランスにも見られるため、単独では弱い兆候です。");
        }
        if !invalid.is_empty() {
            en.push_str(&format!(
                " Invalid address format or checksum: {}.",
                invalid.join(", ")
            ));
            ja.push_str(&format!(
                "形式またはチェックサムが不正なアドレスがあります: {}。",
                invalid.join("、")
            ));
        }
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PAY-CRYPTO".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("wallets", serde_json::Value::Array(wallets))
                .value("switched_from", serde_json::Value::Array(previous))
                .value("first_crypto_at", first_crypto.to_rfc3339())
                .value("contract_before_switch", contract_before)
                .value("invalid_addresses", json!(invalid))
                .threshold("from_start_strength", p.from_start_strength)
                .threshold("switch_strength", p.switch_strength)
                .threshold("invalid_address_strength", p.invalid_address_strength),
            explanation: Text::new(en, ja),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    const TRON: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    const USDC: &str = "0x52908400098527886E0F7030069857D2E4169EE7";

    fn bank_account(day: u32) -> String {
        format!(
            r#"{{"kind":"payout_account","subject_id":"u1","at":"2026-09-{day:02}T00:00:00Z","account_id":"bank-1","method":"bank","beneficiary_name":"Sam Kim","bank":{{"bic":"CHASUS33","account_number":"123456789","country":"US"}}}}"#
        )
    }

    fn crypto_account(day: u32, chain: &str, asset: &str, addr: &str) -> String {
        format!(
            r#"{{"kind":"payout_account","subject_id":"u1","at":"2026-09-{day:02}T00:00:00Z","account_id":"w-{day}","method":"crypto","crypto":{{"chain":"{chain}","asset":"{asset}","address":"{addr}"}}}}"#
        )
    }

    fn payout(day: u32, acc: &str) -> String {
        format!(
            r#"{{"kind":"payout","subject_id":"u1","at":"2026-09-{day:02}T00:00:00Z","amount":900,"currency":"USD","account_id":"{acc}"}}"#
        )
    }

    fn run(lines: &[String]) -> Vec<Finding> {
        CryptoPayout(Params::default()).run(&ds(lines))
    }

    #[test]
    fn tron_address_is_valid() {
        assert!(kensa_enrich::analyze_wallet(TRON, Some("tron")).valid);
        assert!(kensa_enrich::analyze_wallet(USDC, Some("ethereum")).valid);
    }

    #[test]
    fn switch_from_bank_to_usdt_mid_contract_fires_strongly() {
        let f = run(&[
            r#"{"kind":"contract","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#.to_string(),
            bank_account(1),
            payout(5, "bank-1"),
            crypto_account(20, "tron", "USDT", TRON),
            payout(25, "w-20"),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 1.0);
        assert_eq!(f[0].evidence.values["contract_before_switch"], true);
        assert_eq!(f[0].evidence.values["switched_from"][0]["method"], "bank");
        assert_eq!(f[0].evidence.values["wallets"][0]["valid"], true);
        assert!(f[0].explanation.ja.contains("暗号資産での支払い要求"));
    }

    #[test]
    fn invalid_checksum_is_itself_suspicious() {
        // One character changed: the base58check checksum fails.
        let bad = TRON.replace("j6t", "j6u");
        let f = run(&[crypto_account(1, "tron", "USDT", &bad), payout(2, "w-1")]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 0.8);
        assert_eq!(f[0].evidence.values["wallets"][0]["valid"], false);
    }

    /// Look-alike: the web3 freelancer paid in USDC from the start fires weakly.
    #[test]
    fn crypto_from_the_start_fires_weakly() {
        let f = run(&[
            crypto_account(1, "ethereum", "USDC", USDC),
            payout(3, "w-1"),
            payout(17, "w-1"),
        ]);
        assert_eq!(f.len(), 1);
        assert!(f[0].strength <= 0.3);
    }

    #[test]
    fn bank_only_and_onward_crypto_transfers_do_not_fire() {
        let f = run(&[
            bank_account(1),
            payout(5, "bank-1"),
            format!(
                r#"{{"kind":"payout","subject_id":"u1","at":"2026-09-06T00:00:00Z","amount":100,"currency":"USD","direction":"outgoing","method":"crypto","crypto":{{"chain":"tron","asset":"USDT","address":"{TRON}"}}}}"#
            ),
        ]);
        assert!(f.is_empty(), "{f:?}");
    }
}
