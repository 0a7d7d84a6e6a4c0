//! The screening step of enrichment: every subject's names, payout beneficiaries and wallets
//! against the sanctions lists, results attached to the data set for the RF-SANCTIONED detector.

use kensa_detect::Dataset;
use kensa_model::intel::SanctionsHit;
use kensa_screen::{Query, Screener};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};

/// One value to screen.
struct Item {
    subject: usize,
    record_id: String,
    field: &'static str,
    value: String,
}

/// Screens the data set and fills `ds.sanctions`. Returns the number of hits.
pub fn screen(
    ds: &mut Dataset,
    screener: &Screener,
    intel: &kensa_enrich::Intel,
    threshold: f64,
) -> usize {
    ds.sanctions.clear();
    screen_subjects(ds, screener, intel, threshold, None)
}

/// Record kinds screening reads: a batch with none of them leaves every subject's screening
/// as it was (defined beside the detector that reads the screening's hits).
pub use kensa_detect::detectors::sanctions::SCREENED_KINDS;

/// Screens only the subjects at these indexes of `ds.subjects` (all when `None`), replacing
/// their entries of `ds.sanctions`. Returns the number of hits found for them.
pub fn screen_subjects(
    ds: &mut Dataset,
    screener: &Screener,
    intel: &kensa_enrich::Intel,
    threshold: f64,
    only: Option<&[usize]>,
) -> usize {
    let mut names: Vec<(Item, Query)> = Vec::new();
    let mut wallets: Vec<Item> = Vec::new();
    let all: Vec<usize>;
    let indexes = match only {
        Some(ix) => ix,
        None => {
            all = (0..ds.subjects.len()).collect();
            &all
        }
    };
    for &i in indexes {
        let s = &ds.subjects[i];
        ds.sanctions.remove(&s.id);
        // The subject's own date of birth and nationality: an identity document's first (the
        // confirmed ones), else a profile's; a passport's issuing country stands for the
        // nationality when no profile states one.
        let birth = s
            .id_documents
            .iter()
            .find_map(|d| d.r.date_of_birth.map(|d| d.0.to_string()))
            .or_else(|| {
                s.profiles
                    .iter()
                    .find_map(|p| p.r.date_of_birth.map(|d| d.0.to_string()))
            });
        let country = s
            .profiles
            .iter()
            .find_map(|p| p.r.nationality.as_ref().map(|c| c.0.clone()))
            .or_else(|| {
                s.id_documents
                    .iter()
                    .filter(|d| d.r.doc_type.eq_ignore_ascii_case("passport"))
                    .find_map(|d| d.r.issuing_country.as_ref().map(|c| c.0.clone()))
            });
        // Sex, as an identity document's machine-readable zone states it.
        let gender = s.id_documents.iter().find_map(|d| {
            d.r.mrz
                .as_deref()
                .and_then(|m| kensa_detect::detectors::id_document::parse_mrz(m).ok())
                .and_then(|m| m.sex)
                .map(String::from)
        });
        let mut seen: BTreeSet<(String, &'static str)> = BTreeSet::new();
        let mut name =
            |rid: &str, field: &'static str, v: &Option<String>, names: &mut Vec<(Item, Query)>| {
                if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty())
                    && seen.insert((v.to_owned(), field))
                {
                    names.push((
                        Item {
                            subject: i,
                            record_id: rid.to_owned(),
                            field,
                            value: v.to_owned(),
                        },
                        // A beneficiary is a third party: the subject's date of birth and
                        // nationality say nothing about them.
                        if field == "beneficiary_name" {
                            Query::name(v)
                        } else {
                            Query {
                                name: v.to_owned(),
                                birth_date: birth.clone(),
                                country: country.clone(),
                                gender: gender.clone(),
                            }
                        },
                    ));
                }
            };
        for p in &s.profiles {
            name(&p.id, "display_name", &p.r.display_name, &mut names);
            name(&p.id, "legal_name", &p.r.legal_name, &mut names);
            name(&p.id, "name_native", &p.r.name_native, &mut names);
            for f in &p.r.former_names {
                name(&p.id, "former_names", &Some(f.clone()), &mut names);
            }
        }
        for a in &s.payout_accounts {
            name(&a.id, "beneficiary_name", &a.r.beneficiary_name, &mut names);
            if let Some(addr) = a.r.crypto.as_ref().and_then(|c| c.address.clone()) {
                wallets.push(Item {
                    subject: i,
                    record_id: a.id.clone(),
                    field: "crypto.address",
                    value: addr,
                });
            }
        }
        for p in &s.payouts {
            name(&p.id, "beneficiary_name", &p.r.beneficiary_name, &mut names);
            if let Some(addr) = p.r.crypto.as_ref().and_then(|c| c.address.clone()) {
                wallets.push(Item {
                    subject: i,
                    record_id: p.id.clone(),
                    field: "crypto.address",
                    value: addr,
                });
            }
        }
        for d in &s.id_documents {
            name(&d.id, "id_document.name", &d.r.name, &mut names);
        }
    }
    let queries: Vec<Query> = names.iter().map(|(_, q)| q.clone()).collect();
    let results = screener.screen_batch(&queries, threshold);
    let mut hits: HashMap<usize, Vec<SanctionsHit>> = HashMap::new();
    for ((item, _), matches) in names.iter().zip(results) {
        for m in matches {
            hits.entry(item.subject).or_default().push(SanctionsHit {
                record_id: item.record_id.clone(),
                field: item.field.into(),
                value: item.value.clone(),
                list: m.list,
                entry_id: m.entry_id,
                matched_name: m.matched_name,
                score: m.score,
                programs: m.programs,
                how: serde_json::to_value(&m.explanation).unwrap_or_default(),
                secondary: m.evidence.iter().map(|e| e.kind.to_owned()).collect(),
            });
        }
    }
    // Wallets: the lists' own addresses and the intel's address files (e.g. OFAC per-asset).
    let wallet_hits: Vec<Vec<SanctionsHit>> = wallets
        .par_iter()
        .map(|w| {
            let mut out: Vec<SanctionsHit> = screener
                .screen_wallet(&w.value)
                .into_iter()
                .map(|m| SanctionsHit {
                    record_id: w.record_id.clone(),
                    field: w.field.into(),
                    value: w.value.clone(),
                    list: m.list,
                    entry_id: m.entry_id,
                    matched_name: format!("{} ({} {})", m.name, m.currency, m.address),
                    score: 1.0,
                    programs: m.programs,
                    how: serde_json::Value::String("exact wallet address".into()),
                    secondary: Vec::new(),
                })
                .collect();
            for h in intel.wallet(&w.value, None).sanctioned {
                out.push(SanctionsHit {
                    record_id: w.record_id.clone(),
                    field: w.field.into(),
                    value: w.value.clone(),
                    list: h.source.clone(),
                    entry_id: w.value.clone(),
                    matched_name: w.value.clone(),
                    score: 1.0,
                    programs: h.asset.into_iter().collect(),
                    how: serde_json::Value::String("exact wallet address (address list)".into()),
                    secondary: Vec::new(),
                });
            }
            out
        })
        .collect();
    for (w, hs) in wallets.iter().zip(wallet_hits) {
        if !hs.is_empty() {
            hits.entry(w.subject).or_default().extend(hs);
        }
    }
    let mut n = 0;
    for (i, mut hs) in hits {
        hs.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.record_id.cmp(&b.record_id))
        });
        n += hs.len();
        ds.sanctions.insert(ds.subjects[i].id.clone(), hs);
    }
    n
}
