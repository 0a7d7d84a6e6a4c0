//! What the offline `report.html` embeds about a subject: the answers the workspace's API
//! would give for its page (records enriched with IP intelligence, its neighbourhood in the
//! identifier graph, its decisions), so that the report shows it with the same code.

use std::collections::HashMap;

use kensa_detect::link::LinkGraph;
use kensa_model::finding::SubjectResult;
use kensa_report::{Detail, MAX_RECORDS, MAX_RECORDS_TOTAL};
use kensa_store::EvidenceStore;

use crate::EngineError;
use crate::workspace::StoredRecordView;

/// A stored record as `GET /v1/subjects/{id}/records?enrich=true` gives it, made smaller for
/// a file: the record without its `kind` and `subject_id` (said once around it), and what the
/// intel sources know about the IP address (country, network classes, ASN, organisation,
/// city) only for logins, the one kind the pictures place on a map.
pub fn record_json(r: StoredRecordView, intel: Option<&kensa_enrich::Intel>) -> serde_json::Value {
    let ip_info = intel
        .filter(|_| r.kind == "login")
        .and_then(|intel| {
            r.record["ip"]
                .as_str()
                .and_then(|s| s.parse::<std::net::IpAddr>().ok())
                .map(|ip| intel.lookup_ip(ip))
        })
        .map(|i| {
            serde_json::json!({
                "country": i.country, "classes": i.classes, "asn": i.asn, "org": i.org,
                "city": i.city,
            })
        });
    let mut record = r.record;
    if let Some(o) = record.as_object_mut() {
        o.remove("kind");
        o.remove("subject_id");
    }
    Detail::record(r.seq, &r.record_id, &r.kind, record, ip_info)
}

/// The subject's neighbourhood as `GET /v1/subjects/{id}/graph` gives it (nodes with their
/// score and tier, edges with the masked identifiers they share).
pub fn graph_json(
    n: &kensa_detect::link::export::Neighbourhood,
    result_of: impl Fn(&str) -> Option<(f64, &'static str)>,
) -> serde_json::Value {
    serde_json::json!({
        "subject_id": n.subject_id,
        "nodes": n.nodes.iter().map(|x| {
            let r = result_of(&x.subject_id);
            serde_json::json!({"subject_id": x.subject_id, "hops": x.hops,
                "score": r.map(|r| r.0), "tier": r.map(|r| r.1)})
        }).collect::<Vec<_>>(),
        "edges": n.edges.iter().filter_map(|e| serde_json::to_value(e).ok()).collect::<Vec<_>>(),
    })
}

/// The details of the subjects of [`kensa_report::detailed`]: their latest records (up to
/// [`MAX_RECORDS`] each and [`MAX_RECORDS_TOTAL`] in all, in rank order), their neighbourhood
/// (two hops) when a graph is given, and their decisions.
pub fn report_details(
    store: &dyn EvidenceStore,
    intel: Option<&kensa_enrich::Intel>,
    graph: Option<&LinkGraph>,
    results: &[SubjectResult],
) -> Result<HashMap<String, Detail>, EngineError> {
    let score_of: HashMap<&str, (f64, &'static str)> = results
        .iter()
        .map(|r| (r.subject_id.as_str(), (r.score, r.tier.as_str())))
        .collect();
    let mut budget = MAX_RECORDS_TOTAL;
    let mut out = HashMap::new();
    for id in kensa_report::detailed(results) {
        if budget == 0 {
            break;
        }
        let all: Vec<StoredRecordView> = store
            .subject_records(id)?
            .into_iter()
            .filter(|r| r.kind != "check" && r.kind != "label")
            .map(StoredRecordView::from)
            .collect();
        let total = all.len();
        let keep = total.min(MAX_RECORDS).min(budget);
        budget -= keep;
        let records = all
            .into_iter()
            .skip(total - keep)
            .map(|r| record_json(r, intel))
            .collect();
        let graph = graph
            .and_then(|g| kensa_detect::link::export::neighbourhood(g, id, 2))
            .map(|n| graph_json(&n, |s| score_of.get(s).copied()));
        let decisions = store
            .subject_entries("decision", id)?
            .into_iter()
            .filter_map(|(_, _, b)| serde_json::from_slice(&b).ok())
            .collect();
        out.insert(
            id.to_owned(),
            Detail {
                records,
                records_total: total,
                graph,
                decisions,
            },
        );
    }
    Ok(out)
}
