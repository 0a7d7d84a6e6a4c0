//! RF-PAY-NAME-MISMATCH (アカウント名義と報酬口座名義の不一致) and RF-PAY-THIRD-PARTY
//! (第三者の口座を経由した報酬受取) — who the money goes to.
//!
//! The beneficiary name of every incoming payout destination (`payout_account` records and
//! `payout` records, merged by `account_id`) is compared with every name the subject is known by:
//! `legal_name`, `display_name`, `name_native` and `former_names` of every profile snapshot, and
//! the `name` of identity documents. The comparison ([`crate::names`]) is order-independent and
//! reads Hangul, kana and Han characters and romanisation variants, so `KIM MINJUN`, `김민준` and
//! `Min-jun Kim` are one name, as are `サトウ ケンジ` and `佐藤 健二`.
//!
//! * A beneficiary that matches no identity name raises RF-PAY-NAME-MISMATCH: at
//!   `partial_strength` when it shares part of a name (a relative, a shortened name), at full
//!   strength when it shares nothing, in which case it is also RF-PAY-THIRD-PARTY
//!   (`third_party_strength`): the fees go to another person.
//! * An account number (IBAN, account number or wallet address) that receives payouts for at
//!   least `min_shared_subjects` subjects, for a subject whose names do not match its beneficiary,
//!   (or the same `account_id`, such as `paypal:<e-mail>`)
//!   is a facilitator's account: RF-PAY-THIRD-PARTY at `shared_strength`. The other subjects are
//!   listed in the evidence for link analysis.
//! * A beneficiary that looks like a company (`LLC`, `Ltd`, `株式会社`, `有限公司`...) is an
//!   agency or employer account: `business_strength`, and only `employer_business_strength` when
//!   the company is an employer named in the subject's own profiles.
//!
//! False positives: a married name (the maiden name is in `former_names`), family-name-first
//! order, a missing middle name, kanji vs romaji vs katakana all match; the Manila agency staff
//! paid into the agency's business account that every profile names as employer fire at
//! `employer_business_strength` only.

use crate::detectors::prc_bank::{Dest, destinations};
use crate::names::{self, SAME_PERSON, UNRELATED};
use crate::util::{SharedIndex, Sharers, affected_also};
use crate::{Affected, Dataset, Detector, DetectorSpec, Population, SubjectData, state};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashSet};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "payout_name",
    raises: &["RF-PAY-NAME-MISMATCH", "RF-PAY-THIRD-PARTY"],
    summary: "payout beneficiary names compared with every identity name across scripts and romanisations; accounts receiving payouts for several subjects",
    false_positives: "former (maiden) names, name order, missing middle names and kanji/kana/romaji renderings match; an agency's business account named as employer in the profiles fires at employer_business_strength only",
};

/// Parameters (`[detectors.payout_name]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Name similarity (0–1) at or above which the beneficiary is the subject.
    pub match_score: f64,
    /// Name similarity below which the beneficiary shares nothing with the subject.
    pub unrelated_score: f64,
    /// RF-PAY-NAME-MISMATCH strength for a beneficiary that shares part of a name.
    pub partial_strength: f64,
    /// RF-PAY-THIRD-PARTY strength for an unrelated person as beneficiary.
    pub third_party_strength: f64,
    /// RF-PAY-THIRD-PARTY strength for an account shared with other subjects.
    pub shared_strength: f64,
    /// Subjects (this one included) an account must pay to count as shared.
    pub min_shared_subjects: usize,
    /// Strength for a company beneficiary that is not an employer in the profiles.
    pub business_strength: f64,
    /// Strength for a company beneficiary that is an employer named in the profiles.
    pub employer_business_strength: f64,
    /// Strength when the only identity names are in another script with Han characters
    /// (kanji vs romaji), whose name readings cannot be checked reliably.
    pub cross_script_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            match_score: SAME_PERSON,
            unrelated_score: UNRELATED,
            partial_strength: 0.5,
            third_party_strength: 0.6,
            shared_strength: 1.0,
            min_shared_subjects: 2,
            business_strength: 0.4,
            employer_business_strength: 0.1,
            cross_script_strength: 0.1,
        }
    }
}

pub struct PayoutName(pub Params);

/// Every name the subject is known by, deduplicated, in order of appearance.
pub(crate) fn identity_names(s: &SubjectData) -> Vec<&str> {
    let mut all: Vec<&str> = Vec::new();
    for p in &s.profiles {
        all.extend(p.r.legal_name.as_deref());
        all.extend(p.r.display_name.as_deref());
        all.extend(p.r.name_native.as_deref());
        all.extend(p.r.former_names.iter().map(String::as_str));
    }
    all.extend(s.id_documents.iter().filter_map(|d| d.r.name.as_deref()));
    let mut out: Vec<&str> = Vec::new();
    for n in all.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// What identifies one real account across subjects: its number (IBAN, account number, wallet
/// address) and the source's `account_id` (e.g. `paypal:<e-mail>`).
fn share_keys(d: &Dest) -> Vec<String> {
    let mut k: Vec<String> = d
        .number()
        .map(|n| format!("number:{n}"))
        .into_iter()
        .collect();
    if !d.key.starts_with("payout:") {
        k.push(format!("id:{}", d.key));
    }
    k
}

fn employers(s: &SubjectData) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in &s.profiles {
        for e in &p.r.employment {
            if let Some(n) = e.employer.as_deref()
                && !out.contains(&n)
            {
                out.push(n);
            }
        }
    }
    out
}

#[derive(Default)]
struct Outcome {
    mismatch: f64,
    third: f64,
    records: Vec<String>,
    items: Vec<serde_json::Value>,
    en: Vec<String>,
    ja: Vec<String>,
}

impl Detector for PayoutName {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["identity_document", "subject", "payout", "payout_account"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn population_inputs(&self) -> &'static [&'static str] {
        &["payout_account", "payout"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        // Which subjects each account pays.
        let mut shared: BTreeMap<String, Sharers<()>> = BTreeMap::new();
        for s in &ds.subjects {
            for d in destinations(s) {
                if !d.outgoing {
                    for k in share_keys(&d) {
                        shared.entry(k).or_default().insert(s.id.clone(), ());
                    }
                }
            }
        }
        Box::new(SharedAccounts(SharedIndex::new(shared)))
    }

    fn evaluate(&self, _: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(&self.0, s, &state::<SharedAccounts>(pop).0)
    }
}

/// Population state: the accounts (number or `account_id`) that receive payouts for several
/// subjects.
pub struct SharedAccounts(SharedIndex<()>);

impl Population for SharedAccounts {
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let before = state::<SharedAccounts>(before);
        // Another subject's destination lists who else the account pays.
        affected_also(self.0.reached(&before.0, touched, |a, b| a != b))
    }
}

impl PayoutName {
    fn subject(&self, p: &Params, s: &SubjectData, shared: &SharedIndex<()>) -> Vec<Finding> {
        let ids = identity_names(s);
        if ids.is_empty() {
            return Vec::new();
        }
        let employers = employers(s);
        let mut o = Outcome::default();
        for d in destinations(s).iter().filter(|d| !d.outgoing) {
            self.dest(p, s, d, &ids, &employers, shared, &mut o);
        }
        let mut out = Vec::new();
        let ev = |strength_key: &str| {
            Evidence::default()
                .records(o.records.iter().take(50).cloned())
                .value("identity_names", json!(ids))
                .value("destinations", serde_json::Value::Array(o.items.clone()))
                .value("strength_reason", strength_key)
                .threshold("match_score", p.match_score)
                .threshold("unrelated_score", p.unrelated_score)
                .threshold("partial_strength", p.partial_strength)
                .threshold("third_party_strength", p.third_party_strength)
                .threshold("shared_strength", p.shared_strength)
                .threshold("min_shared_subjects", p.min_shared_subjects)
                .threshold("business_strength", p.business_strength)
                .threshold("employer_business_strength", p.employer_business_strength)
                .threshold("cross_script_strength", p.cross_script_strength)
        };
        if o.mismatch > 0.0 {
            out.push(Finding {
                subject_id: s.id.clone(),
                id: "RF-PAY-NAME-MISMATCH".into(),
                detector: SPEC.name.into(),
                strength: o.mismatch.clamp(0.01, 1.0),
                evidence: ev("name_mismatch"),
                explanation: Text::new(
                    format!(
                        "The payout account holder differs from the subject's names ({}): {}",
                        ids.join(", "),
                        o.en.join(" ")
                    ),
                    format!(
                        "アカウント名義と報酬口座名義の不一致があります（本人の氏名: {}）。{}",
                        ids.join("、"),
                        o.ja.join("")
                    ),
                ),
            });
        }
        if o.third > 0.0 {
            out.push(Finding {
                subject_id: s.id.clone(),
                id: "RF-PAY-THIRD-PARTY".into(),
                detector: SPEC.name.into(),
                strength: o.third.clamp(0.01, 1.0),
                evidence: ev("third_party"),
                explanation: Text::new(
                    format!(
                        "Fees are received through someone else's account: {}",
                        o.en.join(" ")
                    ),
                    format!(
                        "第三者の口座を経由した報酬受取の疑いがあります。{}",
                        o.ja.join("")
                    ),
                ),
            });
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn dest(
        &self,
        p: &Params,
        s: &SubjectData,
        d: &Dest,
        ids: &[&str],
        employers: &[&str],
        shared: &SharedIndex<()>,
        o: &mut Outcome,
    ) {
        let Some(ben) = d.beneficiary.map(str::trim).filter(|b| !b.is_empty()) else {
            return;
        };
        let m = names::best_identity_match(ben, ids);
        let score = m.as_ref().map_or(0.0, |m| m.score);
        if score >= p.match_score {
            return;
        }
        let others: Vec<&str> = share_keys(d)
            .iter()
            .filter_map(|k| shared.get(k))
            .flat_map(|m| m.keys().map(String::as_str))
            .filter(|x| *x != s.id)
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .collect();
        let is_shared = others.len() + 1 >= p.min_shared_subjects.max(2);
        let business = names::looks_like_business(ben);
        let employer = business
            .then(|| {
                employers
                    .iter()
                    .find(|e| names::name_similarity(ben, e).0 >= 0.8)
            })
            .flatten();
        let (mismatch, third, kind) = if let Some(_e) = employer {
            let t = if is_shared {
                p.employer_business_strength
            } else {
                0.0
            };
            (p.employer_business_strength, t, "employer_business")
        } else if business {
            let t = if is_shared { p.shared_strength } else { 0.0 };
            (p.business_strength, t, "business")
        } else if !ids.iter().any(|n| names::comparable_scripts(ben, n)) {
            let t = if is_shared { p.shared_strength } else { 0.0 };
            (p.cross_script_strength, t, "cross_script")
        } else if score >= p.unrelated_score {
            let t = if is_shared { p.shared_strength } else { 0.0 };
            (p.partial_strength, t, "partial_name")
        } else {
            let t = if is_shared {
                p.shared_strength
            } else {
                p.third_party_strength
            };
            (1.0, t, "other_person")
        };
        o.mismatch = o.mismatch.max(mismatch);
        o.third = o.third.max(third);
        o.records.extend(d.records.iter().map(|r| r.to_string()));
        o.items.push(json!({
            "account": d.key,
            "beneficiary_name": ben,
            "closest_identity_name": m.as_ref().map(|m| m.name.clone()),
            "similarity": score,
            "tokens": m.as_ref().map(|m| serde_json::to_value(&m.tokens).unwrap_or_default()),
            "kind": kind,
            "employer": employer,
            "shared_with_subjects": others,
            "payouts": d.payouts,
        }));
        let closest = m.as_ref().map_or("-", |m| m.name.as_str());
        let (en, ja) = match kind {
            "employer_business" => (
                format!(
                    "\"{ben}\" is a company named as employer in the profiles (agency account; weak)."
                ),
                format!(
                    "「{ben}」はプロフィールに雇用主として記載された会社の口座です（代理店口座のため弱い兆候）。"
                ),
            ),
            "business" => (
                format!("\"{ben}\" is a company not named in the profiles."),
                format!("「{ben}」はプロフィールに記載のない会社名義の口座です。"),
            ),
            "cross_script" => (
                format!(
                    "\"{ben}\" cannot be checked reliably against names written in Han characters only ({}); weak.",
                    ids.join(", ")
                ),
                format!(
                    "「{ben}」は漢字表記の氏名（{}）としか照合できず、読みを確認できないため弱い兆候です。",
                    ids.join("、")
                ),
            ),
            "partial_name" => (
                format!(
                    "\"{ben}\" shares only part of a name with \"{closest}\" (similarity {score:.2} < {}).",
                    p.match_score
                ),
                format!(
                    "「{ben}」は「{closest}」と氏名の一部のみ一致します（類似度{score:.2}、基準{}）。",
                    p.match_score
                ),
            ),
            _ => (
                format!(
                    "\"{ben}\" matches none of the subject's names (best similarity {score:.2})."
                ),
                format!("「{ben}」は本人のいずれの氏名とも一致しません（最大類似度{score:.2}）。"),
            ),
        };
        o.en.push(en);
        o.ja.push(ja);
        if is_shared {
            o.en.push(format!(
                "The same account also receives payouts for {} other subject(s): {}.",
                others.len(),
                others.join(", ")
            ));
            o.ja.push(format!(
                "同じ口座が他の{}アカウント（{}）の報酬も受け取っています。",
                others.len(),
                others.join("、")
            ));
        }
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

    fn subject(sub: &str, extra: &str) -> String {
        format!(
            r#"{{"kind":"subject","subject_id":"{sub}","source":"freelance_platform",{extra}}}"#
        )
    }

    fn account(sub: &str, ben: &str, number: &str) -> String {
        format!(
            r#"{{"kind":"payout_account","subject_id":"{sub}","at":"2026-09-01T00:00:00Z","account_id":"acc-{sub}","method":"bank","beneficiary_name":"{ben}","bank":{{"account_number":"{number}","bic":"CHASUS33","country":"US"}}}}"#
        )
    }

    fn run(lines: &[String]) -> Vec<Finding> {
        PayoutName(Params::default()).run(&ds(lines))
    }

    fn ids(f: &[Finding]) -> Vec<(&str, f64)> {
        f.iter().map(|f| (f.id.as_str(), f.strength)).collect()
    }

    #[test]
    fn another_persons_account_is_mismatch_and_third_party() {
        let f = run(&[
            subject(
                "u1",
                r#""legal_name":"Kenji Sato","name_native":"佐藤 健二""#,
            ),
            account("u1", "LI HUA", "111"),
        ]);
        assert_eq!(
            ids(&f),
            vec![("RF-PAY-NAME-MISMATCH", 1.0), ("RF-PAY-THIRD-PARTY", 0.6)]
        );
        assert_eq!(
            f[0].evidence.values["destinations"][0]["kind"],
            "other_person"
        );
        assert!(f[1].explanation.ja.contains("第三者の口座"));
    }

    #[test]
    fn facilitator_account_shared_by_several_subjects() {
        let mut lines = Vec::new();
        for (sub, name) in [
            ("u1", "John Miller"),
            ("u2", "Mark Davis"),
            ("u3", "Paul Wilson"),
        ] {
            lines.push(subject(sub, &format!(r#""legal_name":"{name}""#)));
            lines.push(account(sub, "Christina Chapman", "999-1"));
        }
        let f = run(&lines);
        let third: Vec<&Finding> = f.iter().filter(|f| f.id == "RF-PAY-THIRD-PARTY").collect();
        assert_eq!(third.len(), 3);
        assert!(third.iter().all(|f| f.strength == 1.0));
        let others = &third[0].evidence.values["destinations"][0]["shared_with_subjects"];
        assert_eq!(others.as_array().unwrap().len(), 2);
    }

    /// A fake client account registering the reviewee's PayPal account: the owner is fine, the
    /// other account receives through a third party's account.
    #[test]
    fn shared_wallet_account_id_links_subjects() {
        let wallet = |sub: &str| {
            format!(
                r#"{{"kind":"payout_account","subject_id":"{sub}","at":"2026-09-01T00:00:00Z","account_id":"paypal:jolene@example.com","method":"wallet","provider":"PayPal","beneficiary_name":"Jolene Lim"}}"#
            )
        };
        let f = run(&[
            subject("u1", r#""legal_name":"Jolene Lim""#),
            wallet("u1"),
            subject(
                "u2",
                r#""display_name":"Block Labs","legal_name":"Arjun Mehta""#,
            ),
            wallet("u2"),
        ]);
        assert!(f.iter().all(|f| f.subject_id == "u2"), "{f:?}");
        let third = f.iter().find(|f| f.id == "RF-PAY-THIRD-PARTY").unwrap();
        assert_eq!(third.strength, 1.0);
        assert_eq!(
            third.evidence.values["destinations"][0]["shared_with_subjects"][0],
            "u1"
        );
    }

    #[test]
    fn partial_name_is_a_weaker_mismatch() {
        let f = run(&[
            subject("u1", r#""legal_name":"Kim Min-jun""#),
            account("u1", "Kim Min-seo", "111"),
        ]);
        assert_eq!(ids(&f), vec![("RF-PAY-NAME-MISMATCH", 0.5)]);
    }

    /// Look-alikes: the same person written another way must not fire.
    #[test]
    fn own_name_in_other_forms_does_not_fire() {
        for (extra, ben) in [
            // Married name: the bank is in the new name, the old portfolio in the maiden name.
            (
                r#""legal_name":"Emily Johnson","former_names":["Emily Carter"]"#,
                "EMILY JOHNSON",
            ),
            (
                r#""display_name":"Emily Carter","former_names":["Emily Carter"],"legal_name":"Emily Johnson""#,
                "Emily Carter",
            ),
            // Family name first, no hyphen.
            (r#""legal_name":"Min-jun Kim""#, "KIM MINJUN"),
            // Hangul beneficiary.
            (r#""legal_name":"Kim Min-jun""#, "김민준"),
            // Missing middle name.
            (r#""legal_name":"Maria Elena Garcia""#, "MARIA GARCIA"),
            // Kanji display name, katakana bank name, romaji legal name.
            (
                r#""display_name":"佐藤 健二","legal_name":"Kenji Sato""#,
                "サトウ ケンジ",
            ),
            // Chinese resident, family name first.
            (r#""legal_name":"Wei Zhang""#, "ZHANG WEI"),
        ] {
            let f = run(&[subject("u1", extra), account("u1", ben, "111")]);
            assert!(f.is_empty(), "{extra} / {ben}: {f:?}");
        }
    }

    #[test]
    fn kanji_only_identity_fires_weakly() {
        let f = run(&[
            subject("u1", r#""display_name":"佐々木七海""#),
            account("u1", "TANAKA HANAKO", "111"),
        ]);
        assert_eq!(ids(&f), vec![("RF-PAY-NAME-MISMATCH", 0.1)]);
    }

    /// Look-alike: agency staff paid into the agency's account named as employer.
    #[test]
    fn agency_business_account_fires_weakly() {
        let mut lines = Vec::new();
        for (sub, name) in [("u1", "Jose Santos"), ("u2", "Ana Reyes")] {
            lines.push(subject(
                sub,
                &format!(
                    r#""legal_name":"{name}","employment":[{{"employer":"Bayanihan Dev Solutions Inc.","title":"Developer"}}]"#
                ),
            ));
            lines.push(account(sub, "BAYANIHAN DEV SOLUTIONS INC", "555"));
        }
        let f = run(&lines);
        assert!(!f.is_empty());
        assert!(f.iter().all(|f| f.strength <= 0.1), "{f:?}");
    }
}
