//! RF-PAY-THIRD-PARTY — the proxy-payout pattern: fees received into an account, then almost all
//! of each payment sent abroad within days (第三者の口座を経由した報酬受取).
//!
//! Source: the Tokyo Metropolitan Police Department's 2025 case against Japanese account
//! holders who let North Korean IT workers receive platform fees in their accounts and forwarded
//! the money abroad; the Japan–US–ROK joint statement (March 2025) names "fees received through
//! someone else's account, then forwarded abroad" among the red flags.
//!
//! What is measured, over the subject's `payout` records: each incoming payment (direction
//! `incoming`, the default) is matched with the onward transfers (`direction: "outgoing"`) in
//! the same currency made within `window` after it that leave the country — a bank in another
//! country than the subject's claimed one (or, without a claim, than the bank the payment came
//! into), or any crypto destination. Each onward transfer counts for one payment only (the
//! earliest open one). A payment counts as *forwarded* when at least `min_share` of it left
//! the country this way and it was at least `min_amount`.
//!
//! Strength: `base_strength` for one forwarded payment, `per_extra` more for each further one.
//!
//! False positives: paying rent, moving money to one's own savings account at home, or sending
//! part of one's pay to family abroad. Domestic transfers never count; transfers to an account in
//! the subject's own name (the beneficiary matching an identity name, `own_name_score`) do not
//! count either (an expatriate moving pay to their account at home); and a remittance of a part of
//! the pay stays below `min_share`.

use crate::detectors::payout_name::identity_names;
use crate::params::Dur;
use crate::util::{round2, window_text};
use crate::{Dataset, Detector, DetectorSpec, Population, Rec, SubjectData, names};
use kensa_model::record::{Payout, PayoutMethod};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "proxy_payout",
    raises: &["RF-PAY-THIRD-PARTY"],
    summary: "payments received and then almost all of each sent abroad (another country's bank or crypto) within days — the proxy-payout pattern of the 2025 Tokyo police case",
    false_positives: "domestic transfers (rent, savings) and transfers to an account in the subject's own name never count; sending part of the pay to family abroad stays below min_share",
};

/// Parameters (`[detectors.proxy_payout]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// How long after a payment onward transfers count towards it.
    pub window: Dur,
    /// Share of a payment that must leave the country within the window.
    pub min_share: f64,
    /// Smallest payment considered (in the payment's currency units).
    pub min_amount: f64,
    /// Strength of one forwarded payment.
    pub base_strength: f64,
    /// Added strength per further forwarded payment.
    pub per_extra: f64,
    /// Name similarity (0–1) from which a beneficiary is the subject themself.
    pub own_name_score: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Dur::days(7),
            min_share: 0.8,
            min_amount: 100.0,
            base_strength: 0.6,
            per_extra: 0.2,
            own_name_score: 0.85,
        }
    }
}

pub struct ProxyPayout(pub Params);

fn outgoing(p: &Payout) -> bool {
    crate::detectors::prc_bank::is_outgoing(p.direction.as_deref())
}

/// Where an onward transfer went: `Some(country)` for a bank, `Some("crypto")` for a wallet,
/// `None` when the record does not tell.
fn destination_country(p: &Payout) -> Option<String> {
    if let Some(c) = p.bank.as_ref().and_then(|b| b.country.as_ref()) {
        return Some(c.as_str().to_owned());
    }
    let crypto = p.crypto.as_ref().is_some_and(|c| c.address.is_some())
        || matches!(p.method, Some(PayoutMethod::Crypto));
    crypto.then(|| "crypto".to_owned())
}

/// One payment and what left the country after it.
struct Forwarded<'a> {
    payment: &'a Rec<Payout>,
    sent: f64,
    transfers: Vec<(&'a Rec<Payout>, String)>,
}

impl Detector for ProxyPayout {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["subject", "payout"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

impl ProxyPayout {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let onward: Vec<&Rec<Payout>> = s.payouts.iter().filter(|x| outgoing(&x.r)).collect();
        if onward.is_empty() {
            return None;
        }
        let claimed = s.claimed_country();
        let ids = identity_names(s);
        let own = |x: &Payout| {
            x.beneficiary_name.as_deref().is_some_and(|b| {
                names::best_identity_match(b, &ids).is_some_and(|m| m.score >= p.own_name_score)
            })
        };
        let window = p.window.millis();
        let mut used = vec![false; onward.len()];
        let mut forwarded: Vec<Forwarded> = Vec::new();
        let mut payments = 0usize;
        // Payouts are in time order, so each onward transfer goes to the earliest open payment.
        for pay in s.payouts.iter().filter(|x| !outgoing(&x.r)) {
            if pay.r.amount < p.min_amount {
                continue;
            }
            payments += 1;
            let home = claimed.or_else(|| {
                pay.r
                    .bank
                    .as_ref()
                    .and_then(|b| b.country.as_ref())
                    .map(|c| c.as_str())
            });
            let mut f = Forwarded {
                payment: pay,
                sent: 0.0,
                transfers: Vec::new(),
            };
            for (i, o) in onward.iter().enumerate() {
                let dt = o.r.at.0 - pay.r.at.0;
                if used[i] || dt < 0 || dt > window || o.r.currency != pay.r.currency {
                    continue;
                }
                let Some(dest) = destination_country(&o.r) else {
                    continue;
                };
                if Some(dest.as_str()) == home || own(&o.r) {
                    continue;
                }
                if f.sent >= pay.r.amount {
                    break;
                }
                used[i] = true;
                f.sent += o.r.amount;
                f.transfers.push((o, dest));
            }
            if f.sent >= p.min_share * pay.r.amount {
                forwarded.push(f);
            } else {
                // Not forwarded: its transfers stay free for a later payment.
                for (o, _) in &f.transfers {
                    if let Some(i) = onward.iter().position(|x| std::ptr::eq(*x, *o)) {
                        used[i] = false;
                    }
                }
            }
        }
        if forwarded.is_empty() {
            return None;
        }
        let n = forwarded.len();
        let strength = (p.base_strength + p.per_extra * (n as f64 - 1.0)).clamp(0.05, 1.0);
        let share = forwarded
            .iter()
            .map(|f| f.sent / f.payment.r.amount)
            .fold(0.0, f64::max);
        let mut dests: Vec<&str> = forwarded
            .iter()
            .flat_map(|f| f.transfers.iter().map(|(_, d)| d.as_str()))
            .collect();
        dests.sort_unstable();
        dests.dedup();
        let (win_en, win_ja) = window_text(&p.window);
        let records: Vec<String> = forwarded
            .iter()
            .flat_map(|f| {
                std::iter::once(f.payment.id.clone())
                    .chain(f.transfers.iter().map(|(o, _)| o.id.clone()))
            })
            .take(50)
            .collect();
        let detail: Vec<serde_json::Value> = forwarded
            .iter()
            .take(20)
            .map(|f| {
                json!({
                    "payment": f.payment.id,
                    "amount": f.payment.r.amount,
                    "currency": f.payment.r.currency.0,
                    "sent_abroad": round2(f.sent),
                    "share": round2(f.sent / f.payment.r.amount),
                    "transfers": f.transfers.iter().map(|(o, d)| json!({
                        "record": o.id,
                        "amount": o.r.amount,
                        "destination": d,
                        "days_after": round2((o.r.at.0 - f.payment.r.at.0) as f64 / 86_400_000.0),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let dest_en = dests.join(", ");
        let dest_ja = dests
            .iter()
            .map(|d| {
                if *d == "crypto" {
                    "暗号資産".to_owned()
                } else {
                    kensa_model::country::ja(d)
                }
            })
            .collect::<Vec<_>>()
            .join("、");
        let pct = (p.min_share * 100.0).round();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PAY-THIRD-PARTY".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("forwarded_payments", n)
                .value("payments", payments)
                .value("claimed_country", claimed)
                .value("destinations", json!(dests))
                .value("largest_share", round2(share))
                .value("forwarded", serde_json::Value::Array(detail))
                .threshold("window", p.window.to_string())
                .threshold("min_share", p.min_share)
                .threshold("min_amount", p.min_amount)
                .threshold("own_name_score", p.own_name_score),
            explanation: Text::new(
                format!(
                    "{n} of {payments} payment(s) received were sent on abroad ({dest_en}) \
                     within {win_en}: up to {}% of a payment (threshold {pct}%). Receiving fees \
                     and forwarding them abroad is how accounts lent to DPRK IT workers are used.",
                    (share * 100.0).round()
                ),
                format!(
                    "受け取った報酬{payments}件のうち{n}件が、{win_ja}以内に海外（{dest_ja}）へ送金されています\
                     （1件あたり最大{}%、しきい値{pct}%）。第三者の口座で報酬を受け取り、\
                     海外へ転送する手口に当たります。",
                    (share * 100.0).round()
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ds;
    use serde_json::Value;

    fn subject(sid: &str, name: &str) -> Value {
        json!({"kind":"subject","subject_id":sid,"source":"payment_platform","legal_name":name,"claimed_country":"JP"})
    }

    fn pay_in(sid: &str, day: u32, amount: f64) -> Value {
        json!({"kind":"payout","subject_id":sid,"at":format!("2026-09-{day:02}T01:00:00Z"),"amount":amount,"currency":"USD",
            "account_id":"jp-1","method":"bank","bank":{"account_number":"1234567","country":"JP","bank_name":"MUFG"}})
    }

    fn pay_out(sid: &str, day: u32, amount: f64, country: &str, beneficiary: &str) -> Value {
        json!({"kind":"payout","subject_id":sid,"at":format!("2026-09-{day:02}T09:00:00Z"),"amount":amount,"currency":"USD",
            "direction":"outgoing","transfer_type":"onward_transfer","method":"bank","beneficiary_name":beneficiary,
            "bank":{"account_number":format!("{country}-99"),"country":country}})
    }

    /// Issue 17 item 8: the account holder receives the fees and sends ~90% of each payment to a
    /// bank abroad (and to a crypto wallet) within days — fires. The look-alikes: rent and savings
    /// at home, a part of the pay sent to family abroad, and an expatriate moving pay to an
    /// account in their own name at home — silent.
    #[test]
    fn forwarding_most_of_each_payment_abroad_fires_and_look_alikes_do_not() {
        let mut lines = vec![subject("proxy", "Sato Kenji")];
        for (d, amount) in [(2, 3000.0), (16, 2800.0)] {
            lines.push(pay_in("proxy", d, amount));
            lines.push(pay_out("proxy", d + 2, amount * 0.6, "CN", "Liu Wei Trading"));
            lines.push(json!({"kind":"payout","subject_id":"proxy","at":format!("2026-09-{:02}T09:00:00Z", d + 3),
                "amount":amount * 0.3,"currency":"USD","direction":"outgoing","method":"crypto",
                "crypto":{"chain":"tron","asset":"USDT","address":"TXYZabc"}}));
        }
        // Rent and savings at home.
        lines.push(subject("home", "Suzuki Aiko"));
        for d in [2, 16] {
            lines.push(pay_in("home", d, 3000.0));
            lines.push(pay_out("home", d + 1, 2900.0, "JP", "Sakura Estate"));
        }
        // Family remittance: a third of the pay.
        lines.push(subject("family", "Maria Santos"));
        for d in [2, 16] {
            lines.push(pay_in("family", d, 3000.0));
            lines.push(pay_out("family", d + 1, 1000.0, "PH", "Rosa Santos"));
        }
        // An expatriate moving the pay to their own account at home.
        lines.push(subject("expat", "Thomas Mueller"));
        for d in [2, 16] {
            lines.push(pay_in("expat", d, 3000.0));
            lines.push(pay_out("expat", d + 1, 2950.0, "DE", "MUELLER THOMAS"));
        }
        let f = ProxyPayout(Params::default()).run(&ds(&lines));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject_id, "proxy");
        assert_eq!(f[0].id, "RF-PAY-THIRD-PARTY");
        assert_eq!(f[0].detector, "proxy_payout");
        assert!((f[0].strength - 0.8).abs() < 1e-9);
        assert_eq!(f[0].evidence.values["forwarded_payments"], 2);
        assert_eq!(f[0].evidence.values["largest_share"], 0.9);
        assert_eq!(f[0].evidence.values["destinations"], json!(["CN", "crypto"]));
        assert!(f[0].explanation.ja.contains("7日以内に海外（中国、暗号資産）"), "{}", f[0].explanation.ja);
    }

    /// Transfers before the payment, after the window or in another currency do not count.
    #[test]
    fn transfers_outside_the_window_do_not_count() {
        let mut lines = vec![subject("late", "Sato Kenji"), pay_in("late", 10, 3000.0)];
        lines.push(pay_out("late", 5, 2900.0, "CN", "X"));
        lines.push(pay_out("late", 25, 2900.0, "CN", "X"));
        let f = ProxyPayout(Params::default()).run(&ds(&lines));
        assert!(f.is_empty(), "{f:?}");
    }
}
