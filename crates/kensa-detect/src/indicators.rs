//! The identifiers of a subject that organisations exchange as indicators (指標), normalised
//! once for both directions: `kensa indicators export` lists them for confirmed workers, and
//! the `partner_indicators` detector looks them up in the lists partners shared. Both sides
//! must normalise alike or a shared hash never matches, so this is the one place that does.
//!
//! What is taken: login, activity and access source IPs; crypto wallets of payout accounts and
//! payouts; e-mail domains of the profiles; phone numbers (E.164 digits when the number parses
//! in the profile's claimed country, else its digits); postal addresses of profiles, documents
//! and shipments; remote-access and IP-KVM tool names seen on work devices (STIX only).

use crate::dataset::{Dataset, SubjectData};
use crate::detectors::endpoint_tools;
use crate::normalize::{normalize_address, normalize_email, normalize_phone, normalize_wallet};
pub use kensa_enrich::shared::IndicatorKind;
use std::collections::{BTreeMap, BTreeSet};

/// Phone numbers shorter than this are not identifiers.
pub const MIN_PHONE_DIGITS: usize = 7;

/// The lowercased tool names of the remote-access and IP-KVM lists (default parameters).
pub fn tool_names(p: &endpoint_tools::Params) -> Vec<String> {
    p.remote_access
        .iter()
        .chain(&p.ip_kvm)
        .map(|t| t.to_lowercase())
        .collect()
}

/// Every identifier of one subject, with the ids of the records it appears in.
pub fn identifiers(
    ds: &Dataset,
    s: &SubjectData,
    tools: &[String],
) -> BTreeMap<(IndicatorKind, String), BTreeSet<String>> {
    let mut found: BTreeMap<(IndicatorKind, String), BTreeSet<String>> = BTreeMap::new();
    let mut add = |kind: IndicatorKind, value: Option<String>, rec: &str| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            found.entry((kind, v)).or_default().insert(rec.to_owned());
        }
    };
    for l in &s.logins {
        add(IndicatorKind::Ip, Some(l.r.ip.to_string()), &l.id);
    }
    for a in &s.activities {
        add(IndicatorKind::Ip, a.r.ip.map(|ip| ip.to_string()), &a.id);
    }
    for a in &s.accesses {
        add(IndicatorKind::Ip, a.r.ip.map(|ip| ip.to_string()), &a.id);
    }
    for p in &s.payout_accounts {
        let w = p.r.crypto.as_ref().and_then(|c| c.address.as_deref());
        add(IndicatorKind::Wallet, w.and_then(normalize_wallet), &p.id);
    }
    for p in &s.payouts {
        let w = p.r.crypto.as_ref().and_then(|c| c.address.as_deref());
        add(IndicatorKind::Wallet, w.and_then(normalize_wallet), &p.id);
    }
    let claimed = s.claimed_country();
    for pr in &s.profiles {
        for e in &pr.r.emails {
            let domain = normalize_email(e).and_then(|e| e.rsplit('@').next().map(str::to_owned));
            add(IndicatorKind::EmailDomain, domain, &pr.id);
        }
        let region =
            pr.r.claimed_country
                .as_ref()
                .map(|c| c.as_str())
                .or(claimed);
        for n in &pr.r.phones {
            add(
                IndicatorKind::Phone,
                phone_value(ds, n.trim(), region),
                &pr.id,
            );
        }
        if let Some(a) = &pr.r.address {
            add(IndicatorKind::PostalAddress, normalize_address(a), &pr.id);
        }
    }
    for d in &s.id_documents {
        if let Some(a) = &d.r.address {
            add(IndicatorKind::PostalAddress, normalize_address(a), &d.id);
        }
    }
    for sh in &s.shipments {
        for a in [&sh.r.address, &sh.r.redirect_address]
            .into_iter()
            .flatten()
        {
            add(IndicatorKind::PostalAddress, normalize_address(a), &sh.id);
        }
    }
    for e in &s.endpoints {
        if let Some(n) = &e.r.name {
            let lc = n.to_lowercase();
            if let Some(t) = tools.iter().find(|t| lc.contains(t.as_str())) {
                add(IndicatorKind::Tool, Some(t.clone()), &e.id);
            }
        }
    }
    found
}

/// A phone number as an indicator: the E.164 digits when it parses (so `+1 (312) 555-0147`
/// and `312-555-0147` of a US profile are one value), else its digits.
fn phone_value(ds: &Dataset, number: &str, region: Option<&str>) -> Option<String> {
    let info = ds.phone_info(number, region);
    match info.e164.as_deref() {
        Some(e) if info.valid => Some(e.trim_start_matches('+').to_owned()),
        _ => normalize_phone(number, MIN_PHONE_DIGITS),
    }
}

/// Whether an identifier is worth exchanging and matching: not a free-mail domain (shared by
/// millions), not a tool name (names no one).
pub fn is_identifying(kind: IndicatorKind, value: &str) -> bool {
    match kind {
        IndicatorKind::EmailDomain => !kensa_enrich::is_builtin_free_mail_domain(value),
        IndicatorKind::Tool => false,
        _ => true,
    }
}
