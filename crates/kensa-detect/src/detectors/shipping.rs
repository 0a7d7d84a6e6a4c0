//! RF-SHIP-ADDRESS — goods cannot be received at the address on the identity document
//! (開発者が身元確認書類にある住所で品物を受け取れない).
//!
//! What is measured, per shipment to the subject (DD-SHIP-TO-ID is the matching due-diligence
//! step):
//! * `refused` (weight 0.6) and `failed` (0.35) deliveries, unless a later shipment was
//!   delivered at an identity-document address (then the failure was a one-off);
//! * `redirected` shipments whose `redirect_address` is not an identity-document address (0.6;
//!   0.5 when the new address is unknown);
//! * `delivered` shipments whose `address` is not an identity-document address (0.6).
//!
//! Strength is `1 − Π(1 − w)`; findings under `min_strength` are not raised.
//!
//! Addresses are compared tolerantly: case, punctuation and diacritics are ignored, common
//! abbreviations are folded (Street/St, Avenue/Ave, Apartment/Apt/#/Unit, Suite/Ste...), unit
//! markers dropped, postal codes reduced to letters and digits (US ZIP+4 to 5 digits, `〒100-0001`
//! to `1000001`). Street token sets must overlap by `street_similarity` (Jaccard). When the two
//! addresses are written in different scripts (a romanised and a Japanese address), only the
//! postal code (and the city when both are in the same script) is compared. When nothing
//! comparable is present the shipment is not counted against the subject.
//!
//! False positives: a courier misses people now and then; a single failed delivery followed by a
//! delivery at the ID address is resolved and not counted. Formatting differences between the
//! courier's and the document's address are normalised away.

use crate::normalize::{is_latin, normalize_words};
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::record::{Address, ShipmentStatus};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "shipping",
    raises: &["RF-SHIP-ADDRESS"],
    summary: "refused, failed or redirected shipments, or deliveries away from the identity-document address (tolerant address comparison)",
    false_positives: "a failed delivery later delivered at the ID address is resolved; formatting, abbreviations, postal-code styles and romanised vs native scripts are normalised",
};

/// Parameters (`[detectors.shipping]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Jaccard similarity of street tokens at which two streets are the same.
    pub street_similarity: f64,
    /// Findings weaker than this are not raised.
    pub min_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            street_similarity: 0.75,
            min_strength: 0.3,
        }
    }
}

pub struct Shipping(pub Params);

/// An address reduced for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct NormAddr {
    pub country: Option<String>,
    pub postal: Option<String>,
    pub city: Option<String>,
    pub street: BTreeSet<String>,
    pub latin: bool,
}

fn abbreviate(t: &str) -> Option<&str> {
    Some(match t {
        "STREET" | "STR" => "ST",
        "AVENUE" | "AV" => "AVE",
        "ROAD" => "RD",
        "BOULEVARD" => "BLVD",
        "DRIVE" => "DR",
        "LANE" => "LN",
        "COURT" => "CT",
        "PLACE" => "PL",
        "HIGHWAY" => "HWY",
        "NORTH" => "N",
        "SOUTH" => "S",
        "EAST" => "E",
        "WEST" => "W",
        "BUILDING" => "BLDG",
        "FLOOR" => "FL",
        // Unit markers carry no information once the unit number is kept.
        "APARTMENT" | "APT" | "UNIT" | "SUITE" | "STE" | "NO" | "NUMBER" | "FLAT" => return None,
        other => other,
    })
}

/// Normalises an address for comparison.
pub fn normalize(a: &Address) -> NormAddr {
    let street_raw = [a.line1.as_deref(), a.line2.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let street: BTreeSet<String> = normalize_words(&street_raw)
        .split(' ')
        .filter(|t| !t.is_empty())
        .filter_map(abbreviate)
        .map(str::to_owned)
        .collect();
    let country = a.country.as_ref().map(|c| c.as_str().to_owned());
    let postal = a.postal_code.as_deref().map(|p| {
        let mut p: String = p
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if country.as_deref() == Some("US") && p.len() == 9 && p.bytes().all(|b| b.is_ascii_digit())
        {
            p.truncate(5);
        }
        p
    });
    let city = a
        .city
        .as_deref()
        .map(normalize_words)
        .filter(|c| !c.is_empty());
    let latin = is_latin(&street_raw) && a.city.as_deref().is_none_or(is_latin);
    NormAddr {
        country,
        postal: postal.filter(|p| !p.is_empty()),
        city,
        street,
        latin,
    }
}

/// Whether two addresses are the same place: `Some(true)`, `Some(false)`, or `None` when
/// nothing comparable is present.
pub fn same_address(a: &NormAddr, b: &NormAddr, street_similarity: f64) -> Option<bool> {
    if let (Some(x), Some(y)) = (&a.country, &b.country)
        && x != y
    {
        return Some(false);
    }
    let postal = match (&a.postal, &b.postal) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    if postal == Some(false) {
        return Some(false);
    }
    if a.latin != b.latin {
        // Different scripts: only the postal code can be compared.
        return postal;
    }
    if let (Some(x), Some(y)) = (&a.city, &b.city)
        && x != y
    {
        return Some(false);
    }
    if !a.street.is_empty() && !b.street.is_empty() {
        let inter = a.street.intersection(&b.street).count() as f64;
        let union = a.street.union(&b.street).count() as f64;
        return Some(inter / union >= street_similarity);
    }
    postal
}

fn show(a: &Address) -> String {
    [
        a.line1.as_deref(),
        a.line2.as_deref(),
        a.city.as_deref(),
        a.region.as_deref(),
        a.postal_code.as_deref(),
        a.country.as_ref().map(|c| c.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

impl Detector for Shipping {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["identity_document", "shipment"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

impl Shipping {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        if s.shipments.is_empty() {
            return None;
        }
        let id_addrs: Vec<(&Address, NormAddr)> = s
            .id_documents
            .iter()
            .filter_map(|d| d.r.address.as_ref())
            .map(|a| (a, normalize(a)))
            .collect();
        // Some(true) at an ID address, Some(false) elsewhere, None unknown.
        let at_id = |a: Option<&Address>| -> Option<bool> {
            let a = normalize(a?);
            if id_addrs.is_empty() {
                return None;
            }
            let v: Vec<Option<bool>> = id_addrs
                .iter()
                .map(|(_, n)| same_address(&a, n, p.street_similarity))
                .collect();
            if v.contains(&Some(true)) {
                Some(true)
            } else if v.contains(&Some(false)) {
                Some(false)
            } else {
                None
            }
        };
        let mut problems = Vec::new();
        for (i, sh) in s.shipments.iter().enumerate() {
            let r = &sh.r;
            let (what, weight, shown) = match r.status {
                ShipmentStatus::Refused | ShipmentStatus::Failed => {
                    let resolved = s.shipments[i + 1..].iter().any(|later| {
                        later.r.status == ShipmentStatus::Delivered
                            && at_id(later.r.address.as_ref()) == Some(true)
                    });
                    if resolved {
                        continue;
                    }
                    if r.status == ShipmentStatus::Refused {
                        ("refused", 0.6, r.address.as_ref())
                    } else {
                        ("failed", 0.35, r.address.as_ref())
                    }
                }
                ShipmentStatus::Redirected => match at_id(r.redirect_address.as_ref()) {
                    Some(true) => continue,
                    Some(false) => ("redirected_elsewhere", 0.6, r.redirect_address.as_ref()),
                    None => ("redirected", 0.5, r.redirect_address.as_ref()),
                },
                ShipmentStatus::Delivered => match at_id(r.address.as_ref()) {
                    Some(false) => ("delivered_elsewhere", 0.6, r.address.as_ref()),
                    _ => continue,
                },
            };
            problems.push((sh.id.clone(), what, weight, shown.map(show), r.at));
        }
        if problems.is_empty() {
            return None;
        }
        let strength = 1.0 - problems.iter().map(|q| 1.0 - q.2).product::<f64>();
        if strength < p.min_strength {
            return None;
        }
        let id_shown: Vec<String> = id_addrs.iter().map(|(a, _)| show(a)).collect();
        let list: Vec<serde_json::Value> = problems
                    .iter()
                    .map(|(id, what, w, addr, at)| {
                        json!({"record": id, "outcome": what, "weight": w, "address": addr, "at": at.to_rfc3339()})
                    })
                    .collect();
        let kinds: BTreeSet<&str> = problems.iter().map(|q| q.1).collect();
        let kinds_en = kinds
            .iter()
            .map(|k| k.replace('_', " "))
            .collect::<Vec<_>>()
            .join(", ");
        let kinds_ja = kinds
            .iter()
            .map(|k| match *k {
                "refused" => "受取拒否",
                "failed" => "配達不能",
                "redirected" | "redirected_elsewhere" => "別住所への転送",
                _ => "身元確認書類と異なる住所での受取",
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join("、");
        let n = problems.len();
        let total = s.shipments.len();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-SHIP-ADDRESS".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(problems.iter().map(|q| q.0.clone()))
                .value("shipments", total)
                .value("problem_shipments", serde_json::Value::Array(list))
                .value("id_document_addresses", json!(id_shown))
                .threshold("street_similarity", p.street_similarity)
                .threshold("min_strength", p.min_strength),
            explanation: Text::new(
                format!(
                    "{n} of {total} shipments could not be received at the identity-document \
                             address ({kinds_en})."
                ),
                format!(
                    "{total}件の発送のうち{n}件で、身元確認書類にある住所で品物を受け取れませんでした\
                             （{kinds_ja}）。"
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

    fn addr(v: serde_json::Value) -> NormAddr {
        normalize(&serde_json::from_value(v).unwrap())
    }

    #[test]
    fn addresses_compare_tolerantly() {
        let a = addr(
            json!({"line1":"123 North Main Street, Apt. 4","city":"Springfield","postal_code":"62701-1234","country":"US"}),
        );
        let b = addr(
            json!({"line1":"123 N. Main St #4","city":"SPRINGFIELD","postal_code":"62701","country":"us"}),
        );
        assert_eq!(same_address(&a, &b, 0.75), Some(true));
        let c = addr(
            json!({"line1":"9 Elm Road","city":"Springfield","postal_code":"62702","country":"US"}),
        );
        assert_eq!(same_address(&a, &c, 0.75), Some(false));
        let jp = addr(
            json!({"line1":"千代田区千代田1-1","city":"東京都","postal_code":"〒100-0001","country":"JP"}),
        );
        let ro = addr(
            json!({"line1":"1-1 Chiyoda, Chiyoda-ku","city":"Tokyo","postal_code":"1000001","country":"JP"}),
        );
        assert_eq!(same_address(&jp, &ro, 0.75), Some(true));
    }

    const ID: &str = r#"{"kind":"identity_document","subject_id":"SUB","at":"2026-08-01T00:00:00Z","doc_type":"passport",
        "address":{"line1":"123 Main Street","city":"Springfield","postal_code":"62701","country":"US"}}"#;

    fn id_doc(sub: &str) -> serde_json::Value {
        serde_json::from_str(&ID.replace("SUB", sub)).unwrap()
    }

    #[test]
    fn refused_and_redirected_elsewhere_fire() {
        let f = Shipping(Params::default()).run(&ds(&[
            id_doc("u1"),
            json!({"kind":"shipment","subject_id":"u1","at":"2026-09-01T00:00:00Z","status":"refused",
                "address":{"line1":"123 Main St","city":"Springfield","postal_code":"62701","country":"US"}}),
            json!({"kind":"shipment","subject_id":"u1","at":"2026-09-10T00:00:00Z","status":"redirected",
                "redirect_address":{"line1":"55 Warehouse Rd","city":"Newark","postal_code":"07105","country":"US"}}),
        ]));
        assert_eq!(f.len(), 1);
        assert!((f[0].strength - 0.84).abs() < 1e-9);
        assert_eq!(f[0].evidence.records, ["r1", "r2"]);
        assert!(
            f[0].explanation
                .ja
                .contains("身元確認書類にある住所で品物を受け取れません")
        );
    }

    #[test]
    fn one_failed_delivery_then_delivered_at_the_id_address_does_not_fire() {
        let f = Shipping(Params::default()).run(&ds(&[
            id_doc("u2"),
            json!({"kind":"shipment","subject_id":"u2","at":"2026-09-01T00:00:00Z","status":"failed",
                "address":{"line1":"123 Main Street","city":"Springfield","postal_code":"62701","country":"US"}}),
            json!({"kind":"shipment","subject_id":"u2","at":"2026-09-03T00:00:00Z","status":"delivered",
                "address":{"line1":"123 MAIN ST.","city":"Springfield","postal_code":"62701-0001","country":"US"}}),
        ]));
        assert!(f.is_empty(), "{f:#?}");
    }
}
