//! Retention, purging and legal hold (保存期間・削除・訴訟ホールド).
//!
//! Data-protection law (Japan's APPI, the GDPR) limits how long personal data is kept; an
//! investigation needs some of it kept untouched. The design keeps both promises:
//!
//! * **Content apart from the hashed envelope.** Each log entry's hash covers the SHA-256 of its
//!   content, not the content itself. Purging removes the content of a record entry (its stored
//!   body becomes empty) and keeps the envelope with the content hash, so the chain — and every
//!   bundle's proof made before — still verifies. `kensa verify` accepts an empty body only for
//!   an entry listed in the store's `purged` table by a `purge` entry after it; anything else is
//!   a broken chain. What a purge removes is gone from every read (scans, subject pages,
//!   bundles exported later).
//! * **Retention per record kind** ([`Retention`]): `login=400` keeps logins for 400 days after
//!   the time the record states (`at`, else `observed_at`, else when it was stored). Kinds
//!   without a period are kept.
//! * **Legal hold** ([`hold`]): a subject on hold is never purged, whatever its records' age,
//!   until the hold is released. Holds and releases are log entries with who and why; so is
//!   every purge (how many entries of which kinds, under which periods, by whom, why).

use crate::BundleError;
use kensa_store::{EvidenceStore, Store};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The retention key for rejected input (the `rejects` table behind `rejects.jsonl`): lines that
/// failed validation, kept whole for the rejects report, aged from when they were stored.
pub const REJECTS: &str = "rejects";

/// How long each record kind (and, under [`REJECTS`], rejected input) is kept, in days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub days: BTreeMap<String, i64>,
}

impl Retention {
    /// Parses `KIND=DAYS` items (`login=400`).
    pub fn parse(items: &[String]) -> Result<Retention, BundleError> {
        let mut days = BTreeMap::new();
        for it in items {
            let bad = || {
                BundleError::Unreadable(format!(
                    "--keep {it:?}: write KIND=DAYS, e.g. login=400 (record kinds: {}; `rejects` for rejected input)",
                    kensa_model::Kind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            let (k, d) = it.split_once('=').ok_or_else(bad)?;
            let k = k.trim();
            if k != REJECTS && !kensa_model::Kind::ALL.iter().any(|x| x.as_str() == k) {
                return Err(bad());
            }
            let d: i64 = d.trim().parse().map_err(|_| bad())?;
            // At most a thousand years: `days × 86,400` seconds must not overflow.
            if !(0..=365_250).contains(&d) {
                return Err(bad());
            }
            days.insert(k.to_owned(), d);
        }
        Ok(Retention { days })
    }
}

/// Places a subject on legal hold, or releases it; returns the log entry's sequence number.
pub fn hold(
    store: &mut Store,
    subject_id: &str,
    reason: &str,
    by: &str,
    release: bool,
) -> Result<i64, BundleError> {
    if store.subject_records(subject_id)?.is_empty()
        && store.subject_entries("result", subject_id)?.is_empty()
    {
        return Err(BundleError::UnknownSubject(subject_id.to_owned()));
    }
    let body = serde_json::to_vec(&serde_json::json!({
        "action": if release { "release" } else { "hold" },
        "reason": reason,
        "by": by,
    }))
    .expect("hold serialises");
    Ok(store.append_entry("hold", subject_id, Some(subject_id), &body)?)
}

/// The subjects on hold now (the latest hold entry of each says `hold`), with the reason.
pub fn holds(store: &dyn EvidenceStore) -> Result<BTreeMap<String, String>, BundleError> {
    let mut latest: BTreeMap<String, (bool, String)> = BTreeMap::new();
    for (_, subject, body) in store.entries_of_type("hold")? {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        latest.insert(
            subject,
            (
                v["action"] == "hold",
                v["reason"].as_str().unwrap_or("").to_owned(),
            ),
        );
    }
    Ok(latest
        .into_iter()
        .filter(|(_, (on, _))| *on)
        .map(|(s, (_, r))| (s, r))
        .collect())
}

/// What a purge would remove.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// Record entries past retention, not on hold.
    pub seqs: BTreeSet<i64>,
    /// Of those, per record kind.
    pub by_kind: BTreeMap<String, usize>,
    /// Records past retention kept because their subject is on hold (rejects too, when the
    /// rejected line names a subject on hold).
    pub kept_on_hold: usize,
    /// Rows of the rejects table past retention, not naming a subject on hold.
    pub rejects: Vec<i64>,
    /// The log head when the plan was made: a hold recorded after it makes the purge refuse.
    pub head: i64,
}

/// The record entries past retention at `now`, leaving subjects on hold alone.
pub fn plan(
    store: &Store,
    retention: &Retention,
    now: jiff::Timestamp,
) -> Result<Plan, BundleError> {
    let mut p = Plan {
        head: EvidenceStore::head(store)?.seq,
        ..Plan::default()
    };
    let on_hold = holds(store)?;
    store.for_each_entry(|e| {
        if e.entry_type != "record" || e.body.is_empty() || e.seq > p.head {
            return;
        }
        let Some(kind) = e.kind.as_deref() else {
            return;
        };
        let Some(days) = retention.days.get(kind) else {
            return;
        };
        let v: serde_json::Value = serde_json::from_slice(&e.body).unwrap_or_default();
        let when = ["at", "observed_at"]
            .iter()
            .find_map(|k| v[*k].as_str())
            .unwrap_or(&e.recorded_at);
        let Ok(t) = when.parse::<jiff::Timestamp>() else {
            return;
        };
        if now.duration_since(t).as_secs() < days * 86_400 {
            return;
        }
        if e.subject_id
            .as_deref()
            .is_some_and(|s| on_hold.contains_key(s))
        {
            p.kept_on_hold += 1;
            return;
        }
        p.seqs.insert(e.seq);
        *p.by_kind.entry(kind.to_owned()).or_default() += 1;
    })?;
    if let Some(days) = retention.days.get(REJECTS) {
        store.for_each_reject(|id, at, raw| {
            let Ok(t) = at.parse::<jiff::Timestamp>() else {
                return;
            };
            if now.duration_since(t).as_secs() < days * 86_400 {
                return;
            }
            // A rejected line that still reads as JSON may name its subject.
            let subject = raw
                .and_then(|r| serde_json::from_slice::<serde_json::Value>(r).ok())
                .and_then(|v| {
                    v.get("subject_id")
                        .and_then(|s| s.as_str())
                        .map(str::to_owned)
                });
            if subject.is_some_and(|s| on_hold.contains_key(&s)) {
                p.kept_on_hold += 1;
                return;
            }
            p.rejects.push(id);
        })?;
    }
    Ok(p)
}

/// Carries out a plan: one `purge` entry (kinds, counts, periods, who, why) and the content of
/// the planned entries removed. Returns the purge entry's sequence number and how many entries
/// were purged.
pub fn purge(
    store: &mut Store,
    plan: &Plan,
    retention: &Retention,
    by: &str,
    reason: &str,
) -> Result<(i64, usize), BundleError> {
    let details = serde_json::json!({
        "by": by,
        "reason": reason,
        "retention_days": retention.days,
        "planned_by_kind": plan.by_kind,
        "kept_on_hold": plan.kept_on_hold,
        "planned_rejects": plan.rejects.len(),
    });
    let serde_json::Value::Object(details) = details else {
        unreachable!("a JSON object")
    };
    let r = format!("purge-{}", kensa_store::now_rfc3339());
    Ok(store.purge_records(&plan.seqs, &plan.rejects, &r, details, plan.head)?)
}
