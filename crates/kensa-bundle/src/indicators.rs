//! Sharing indicators without sharing people (指標の共有).
//!
//! Platforms want to warn each other about a wallet, a phone number or a laptop-farm address a
//! confirmed DPRK IT worker used, without handing over personal data. Two forms:
//!
//! * **STIX 2.1** ([`stix_bundle`]): indicators with STIX patterns for IP addresses, e-mail
//!   domains, wallets, phone numbers and postal addresses, and `tool` objects for the
//!   remote-access and KVM tools seen on the worker's devices — for threat-intelligence
//!   platforms and partners allowed to see the values.
//! * **Keyed hashes** ([`hashed_list`]): each identifier normalised
//!   ([`kensa_detect::indicators`], the one place both directions share) and replaced by
//!   HMAC-SHA256 under a key the participating organisations share. The file holds no raw
//!   value; another Kensa with the same key loads it as an intel source of kind
//!   `shared_indicators`, and its `partner_indicators` detector raises a red flag in every scan
//!   ([`match_list`] is the one-off listing). Without the key the hashes cannot be tested
//!   against guesses.
//!
//! What is extracted per subject: login, activity and access source IPs; crypto wallets of
//! payout accounts and payouts; e-mail domains of the profiles (in STIX free-mail domains too:
//! the pattern matches the domain and a partner decides what to do with `gmail.com`; the hashed
//! form leaves them out); phone numbers (E.164 digits when they parse); postal addresses of
//! profiles, documents and shipments (normalised); and endpoint tool names on the
//! remote-access and IP-KVM lists of `endpoint_tools` (STIX only).

use crate::BundleError;
use kensa_detect::indicators::{identifiers, is_identifying, tool_names};
pub use kensa_enrich::shared::{
    HASHED_FORMAT, Hashed, HashedList, IndicatorKind as Kind, SharedList, key_id,
};
use kensa_store::EvidenceStore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// One indicator: a normalised value of a kind, with the subjects it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub kind: Kind,
    pub value: String,
    pub subjects: BTreeSet<String>,
}

/// The indicators of the given subjects, from their stored records, normalised as the
/// `partner_indicators` detector normalises its own subjects' identifiers
/// ([`kensa_detect::indicators`]).
pub fn extract(
    store: &dyn EvidenceStore,
    subjects: &[String],
) -> Result<Vec<Indicator>, BundleError> {
    let mut b = kensa_detect::DatasetBuilder::new();
    for sid in subjects {
        let records = store.subject_records(sid)?;
        if records.is_empty() {
            return Err(BundleError::UnknownSubject(sid.clone()));
        }
        for r in records {
            if let Ok(v) = kensa_model::fast::validate_line(&r.body) {
                b.add(v.record_id, v.record);
            }
        }
    }
    let (ds, _) = b.build();
    let tools = tool_names(&Default::default());
    let mut found: BTreeMap<(Kind, String), BTreeSet<String>> = BTreeMap::new();
    for s in &ds.subjects {
        for (k, _) in identifiers(&ds, s, &tools) {
            found.entry(k).or_default().insert(s.id.clone());
        }
    }
    Ok(found
        .into_iter()
        .map(|((kind, value), subjects)| Indicator {
            kind,
            value,
            subjects,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// STIX 2.1

/// A deterministic RFC 4122 identifier for a STIX object: 122 bits of a SHA-256 of the name in
/// the version-4 layout (STIX recommends v4; the same indicator keeps its id across exports).
fn stix_id(kind: &str, name: &str) -> String {
    let h = Sha256::digest(format!("kensa:{kind}:{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{kind}--{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// An RFC 3339 UTC time with milliseconds (`2026-12-06T17:48:02Z` → `2026-12-06T17:48:02.000Z`).
fn stix_time(t: &str) -> String {
    match t.strip_suffix('Z') {
        Some(base) if !base.contains('.') => format!("{base}.000Z"),
        _ => t.to_owned(),
    }
}

fn quote(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\'', "\\'")
}

/// A STIX 2.1 bundle of the indicators, produced by `party`, at `created` (RFC 3339, UTC).
pub fn stix_bundle(indicators: &[Indicator], party: &str, created: &str) -> serde_json::Value {
    // STIX timestamps are UTC with milliseconds.
    let created = &stix_time(created);
    let identity = stix_id("identity", party);
    let mut objects = vec![serde_json::json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": identity,
        "created": created,
        "modified": created,
        "name": party,
        "identity_class": "organization",
    })];
    for i in indicators {
        if i.kind == Kind::Tool {
            objects.push(serde_json::json!({
                "type": "tool",
                "spec_version": "2.1",
                "id": stix_id("tool", &i.value),
                "created": created,
                "modified": created,
                "created_by_ref": identity,
                "name": i.value,
                "tool_types": ["remote-access"],
                "description": "Remote-access or IP-KVM tool seen on a confirmed DPRK IT worker's work device (Kensa).",
            }));
            continue;
        }
        let v = quote(&i.value);
        let (pattern, what) = match i.kind {
            Kind::Ip if i.value.contains(':') => {
                (format!("[ipv6-addr:value = '{v}']"), "IP address")
            }
            Kind::Ip => (format!("[ipv4-addr:value = '{v}']"), "IP address"),
            Kind::EmailDomain => (format!("[email-addr:value LIKE '%@{v}']"), "e-mail domain"),
            Kind::Wallet => (
                format!("[x-kensa-crypto-wallet:address = '{v}']"),
                "cryptocurrency wallet",
            ),
            Kind::Phone => (
                format!("[x-kensa-phone-number:digits = '{v}']"),
                "phone number",
            ),
            Kind::PostalAddress => (
                format!("[x-kensa-postal-address:normalized = '{v}']"),
                "postal address (laptop-farm or drop address)",
            ),
            Kind::Tool => unreachable!("tools are tool objects"),
        };
        objects.push(serde_json::json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": stix_id("indicator", &format!("{}:{}", i.kind.as_str(), i.value)),
            "created": created,
            "modified": created,
            "created_by_ref": identity,
            "name": format!("DPRK IT worker: {what}"),
            "description": format!("A {what} used by an account confirmed as a North Korean IT worker (Kensa)."),
            "indicator_types": ["attribution"],
            "pattern": pattern,
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": created,
            "labels": ["dprk-it-worker"],
        }));
    }
    serde_json::json!({
        "type": "bundle",
        "id": stix_id("bundle", &format!("{party}:{created}:{}", indicators.len())),
        "objects": objects,
    })
}

// ---------------------------------------------------------------------------------------------
// Keyed hashes

/// The indicators as keyed hashes (sorted, so the order says nothing about the subjects).
/// Values that identify no one — free-mail domains, tool names — are left out.
pub fn hashed_list(
    indicators: &[Indicator],
    key: &[u8],
    party: &str,
    shared_at: &str,
) -> HashedList {
    let mut hashes: Vec<Hashed> = indicators
        .iter()
        .filter(|i| is_identifying(i.kind, &i.value))
        .map(|i| Hashed {
            kind: i.kind,
            hmac: hex::encode(kensa_enrich::shared::indicator_hmac(key, i.kind, &i.value)),
        })
        .collect();
    hashes.sort_by(|a, b| a.hmac.cmp(&b.hmac));
    hashes.dedup();
    HashedList {
        format: HASHED_FORMAT.into(),
        party: party.into(),
        shared_at: shared_at.into(),
        key_id: key_id(key),
        indicators: hashes,
    }
}

/// A match of a shared list against one's own subjects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListMatch {
    pub subject_id: String,
    pub kind: Kind,
    /// The matching value, from one's own data (never from the list).
    pub value: String,
    pub party: String,
    pub shared_at: String,
}

/// Matches a shared list against the identifiers of `subjects` in one's own store (what the
/// `partner_indicators` detector does during a scan, as a one-off listing).
pub fn match_list(
    store: &dyn EvidenceStore,
    subjects: &[String],
    list: &HashedList,
    key: &[u8],
) -> Result<Vec<ListMatch>, BundleError> {
    let shared =
        SharedList::new("list", list.clone(), key.to_vec()).map_err(BundleError::Unreadable)?;
    let mut out = Vec::new();
    for i in extract(store, subjects)? {
        if is_identifying(i.kind, &i.value) && shared.contains(i.kind, &i.value) {
            for s in &i.subjects {
                out.push(ListMatch {
                    subject_id: s.clone(),
                    kind: i.kind,
                    value: i.value.clone(),
                    party: list.party.clone(),
                    shared_at: list.shared_at.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.subject_id.cmp(&b.subject_id).then(a.kind.cmp(&b.kind)));
    Ok(out)
}

/// Every subject id that has a stored record (for matching a list against everyone).
pub fn all_subjects(store: &dyn EvidenceStore) -> Result<Vec<String>, BundleError> {
    let mut ids = BTreeSet::new();
    store.for_each_record(&mut |_, body| {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body)
            && let Some(s) = v.get("subject_id").and_then(|s| s.as_str())
        {
            ids.insert(s.to_owned());
        }
    })?;
    Ok(ids.into_iter().collect())
}

/// Writes a new shared key (32 random bytes, hex) to `path`, readable by the owner only; the
/// participating organisations exchange it out of band.
pub fn write_shared_key(path: &std::path::Path) -> Result<String, BundleError> {
    if path.exists() {
        return Err(BundleError::Key {
            path: path.display().to_string(),
            reason: "exists already; a key is never overwritten".into(),
        });
    }
    let mut k = [0u8; 32];
    getrandom::fill(&mut k)
        .map_err(|e| BundleError::Unreadable(format!("no random source: {e}")))?;
    crate::write_private(path, format!("{}\n", hex::encode(k)).as_bytes())?;
    Ok(key_id(&k))
}

/// Reads a shared key written by [`write_shared_key`] (hex, at least 16 bytes).
pub fn read_shared_key(path: &std::path::Path) -> Result<Vec<u8>, BundleError> {
    kensa_enrich::shared::read_shared_key(path).map_err(|e| BundleError::Key {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
