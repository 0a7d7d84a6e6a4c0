//! The **act** stage: recording due-diligence steps and decisions in the evidence log.

use crate::EngineError;
use kensa_model::finding::{SubjectResult, Tier};
use kensa_model::record::Check;
use kensa_model::{Record, validate_value};
use kensa_score::Policy;
use kensa_score::dd::DdStatus;
use kensa_store::{EvidenceStore, Outcome};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// A due-diligence step to record.
pub struct CheckInput {
    pub subject_id: String,
    pub check: String,
    pub result: String,
    pub by: String,
    pub notes: Option<String>,
    /// Files attached as evidence: their SHA-256 is recorded (the files stay where they are).
    pub evidence: Vec<PathBuf>,
}

/// Records a `check` record (a due-diligence step performed) and returns its record id.
pub fn record_check(
    store: &mut dyn EvidenceStore,
    input: CheckInput,
) -> Result<String, EngineError> {
    // Evidence about nobody would sit in the log unseen (and `decide` would then refuse the
    // subject): the subject must be known first.
    if !subject_known(store, &input.subject_id)? {
        return Err(EngineError::NotFound(format!(
            "no subject {:?} in {}: nothing was ingested or scanned for it (check the id, or ingest the subject's records first)",
            input.subject_id,
            store.location()
        )));
    }
    let mut hashes = Vec::new();
    for p in &input.evidence {
        let bytes = std::fs::read(p).map_err(crate::io_err(p))?;
        hashes.push(hex::encode(Sha256::digest(&bytes)));
    }
    let v = serde_json::json!({
        "kind": "check",
        "subject_id": input.subject_id,
        "at": kensa_store::now_rfc3339(),
        "check": input.check,
        "result": input.result,
        "by": input.by,
        "notes": input.notes,
        "evidence": hashes,
    });
    let rec =
        validate_value(v).map_err(|e| EngineError::BadInput(format!("invalid check: {e}")))?;
    match store.append_records(&[&rec])?.as_slice() {
        [Outcome::Stored] | [Outcome::Duplicate] => Ok(rec.record_id),
        _ => Err(EngineError::Conflict(
            "the check conflicts with a stored record".into(),
        )),
    }
}

/// True when the store holds a record of the subject (of any kind) or a result for it.
pub(crate) fn subject_known(
    store: &dyn EvidenceStore,
    subject_id: &str,
) -> Result<bool, EngineError> {
    Ok(!store.subject_entries("result", subject_id)?.is_empty()
        || !store.subject_records(subject_id)?.is_empty())
}

/// A subject's stored `check` records, `(record_id, check)`, in log order.
pub fn checks_of(
    store: &dyn EvidenceStore,
    subject_id: &str,
) -> Result<Vec<(String, Check)>, kensa_store::StoreError> {
    Ok(store
        .records_for_subject("check", subject_id)?
        .into_iter()
        .filter_map(|(id, body)| {
            let v = serde_json::from_slice(&body).ok()?;
            match validate_value(v).ok()?.record {
                Record::Check(c) => Some((id, c)),
                _ => None,
            }
        })
        .collect())
}

/// A decision about a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Escalate,
    Hold,
}

impl std::str::FromStr for Decision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            "escalate" => Ok(Decision::Escalate),
            "hold" => Ok(Decision::Hold),
            _ => Err(format!(
                "unknown decision {s:?}: expected approve, reject, escalate or hold"
            )),
        }
    }
}

/// What was decided, as appended to the log.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRecord {
    pub subject_id: String,
    pub decision: Decision,
    pub by: String,
    pub note: Option<String>,
    pub at: String,
    pub score: Option<f64>,
    pub tier: Option<Tier>,
    pub due_diligence: DdStatus,
    /// Set when an approval was forced past missing steps: the reason given.
    pub override_reason: Option<String>,
    pub seq: i64,
}

/// Records a decision. An `approve` is refused while a due-diligence step that the policy
/// requires for the subject's latest tier and flags is missing, unless `override_reason` is given.
pub fn decide(
    store: &mut dyn EvidenceStore,
    policy: &Policy,
    subject_id: &str,
    decision: Decision,
    by: &str,
    note: Option<String>,
    override_reason: Option<String>,
) -> Result<DecisionRecord, EngineError> {
    let latest: Option<SubjectResult> = store
        .subject_entries("result", subject_id)?
        .pop()
        .and_then(|(_, _, b)| serde_json::from_slice(&b).ok());
    if latest.is_none() && !subject_known(store, subject_id)? {
        return Err(EngineError::NotFound(format!(
            "no subject {subject_id:?} in {}: nothing was ingested or scanned for it",
            store.location()
        )));
    }
    let checks = checks_of(store, subject_id)?;
    let refs: Vec<(&str, &Check)> = checks.iter().map(|(id, c)| (id.as_str(), c)).collect();
    // A subject never scanned is treated as low tier with no flags.
    let tier = latest.as_ref().map(|r| r.tier).unwrap_or(Tier::Low);
    let flags: Vec<&str> = latest
        .as_ref()
        .map(|r| r.flags.iter().map(|f| f.id.as_str()).collect())
        .unwrap_or_default();
    let dd = kensa_score::dd::status(&policy.due_diligence, tier, flags, &refs);
    if decision == Decision::Approve && !dd.approve_allowed && override_reason.is_none() {
        return Err(EngineError::Conflict(format!(
            "approval of {subject_id} (tier {}) is blocked: required due-diligence steps missing or failed: {}. \
             Record them with `kensa check`, or give --override REASON (recorded in the evidence log).",
            tier.as_str(),
            dd.missing.join(", ")
        )));
    }
    let mut rec = DecisionRecord {
        subject_id: subject_id.to_owned(),
        decision,
        by: by.to_owned(),
        note,
        at: kensa_store::now_rfc3339(),
        score: latest.as_ref().map(|r| r.score),
        tier: latest.as_ref().map(|r| r.tier),
        due_diligence: dd,
        override_reason,
        seq: 0,
    };
    let body =
        kensa_model::canonical::to_canonical(&serde_json::to_value(&rec).expect("serialises"));
    rec.seq = store.append_entry("decision", subject_id, Some(subject_id), &body)?;
    Ok(rec)
}
