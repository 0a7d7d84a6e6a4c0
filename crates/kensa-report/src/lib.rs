//! The **present** stage for files: `report.html`, one self-contained page (no network, no
//! external assets) for an offline hand-off. It is the analyst workspace itself ([`assets`]):
//! the same queue — search, filters, sort, every flagged subject — and the same subject page
//! with its pictures, flags, evidence and due diligence, in English and Japanese, reading the
//! results embedded in the page instead of the API. Without JavaScript the page still shows the
//! summary and the ranking of flagged subjects (a `minijinja` template, auto-escaped).

pub mod assets;

use std::collections::HashMap;

use kensa_model::catalog;
use kensa_model::finding::{SubjectResult, Tier};
use serde::Serialize;

/// Every flagged subject is listed; unflagged ones up to this many (all are in
/// `subjects.jsonl`).
pub const MAX_ROWS: usize = 2000;
/// Subjects whose records are embedded for their pictures, profile and messages: every high
/// and critical one, and the first this many other flagged ones ([`detailed`]).
pub const MAX_DETAILED: usize = 50;
/// The latest records embedded per subject, and in all (the page stays small enough to open
/// and mail; the rest are in the evidence log and `kensa serve`).
pub const MAX_RECORDS: usize = 2000;
pub const MAX_RECORDS_TOTAL: usize = 200_000;

#[derive(Debug, thiserror::Error)]
#[error("rendering the report: {0}")]
pub struct ReportError(#[from] minijinja::Error);

/// A line of text in both languages.
#[derive(Debug, Clone, Serialize)]
pub struct Bi {
    pub en: String,
    pub ja: String,
}

impl Bi {
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Bi {
        Bi {
            en: en.into(),
            ja: ja.into(),
        }
    }
}

/// What the report shows besides the results.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMeta {
    pub title: String,
    pub generated_at: String,
    /// Counts such as records read/stored/duplicate/rejected, shown as a summary table.
    pub summary: Vec<(Bi, String)>,
    /// Prominent notices (e.g. "synthetic demo data").
    pub notices: Vec<Bi>,
    /// Credits required by the licences of the reference data used.
    pub attributions: Vec<String>,
    pub policy: String,
    /// What the subject page shows besides the result, for the subjects of [`detailed`].
    #[serde(skip)]
    pub details: HashMap<String, Detail>,
}

/// One subject's records and links, as the workspace's API gives them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Detail {
    /// The latest records (up to [`MAX_RECORDS`]), oldest first, each
    /// `{seq, record_id, kind, record, ip_info?}` as `GET /v1/subjects/{id}/records?enrich=true`.
    pub records: Vec<serde_json::Value>,
    /// How many records the subject has in all.
    pub records_total: usize,
    /// `{subject_id, nodes, edges}` as `GET /v1/subjects/{id}/graph`.
    pub graph: Option<serde_json::Value>,
    /// Decisions, oldest first.
    pub decisions: Vec<serde_json::Value>,
}

impl Detail {
    /// A record as the workspace's API gives it: `{seq, record_id, kind, record, ip_info?}`.
    pub fn record(
        seq: i64,
        record_id: &str,
        kind: &str,
        record: serde_json::Value,
        ip_info: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let mut v = serde_json::json!({
            "seq": seq, "record_id": record_id, "kind": kind, "record": record,
        });
        if let Some(i) = ip_info {
            v["ip_info"] = i;
        }
        v
    }
}

/// The subjects (ids, in the order given) whose records a report embeds: every flagged one of
/// tier high or critical, and other flagged ones up to [`MAX_DETAILED`].
pub fn detailed(results: &[SubjectResult]) -> Vec<&str> {
    let mut others = 0;
    results
        .iter()
        .filter(|r| !r.flags.is_empty())
        .filter(|r| {
            r.tier >= Tier::High || {
                others += 1;
                others <= MAX_DETAILED
            }
        })
        .map(|r| r.subject_id.as_str())
        .collect()
}

#[derive(Serialize)]
struct Row<'a> {
    rank: usize,
    id: &'a str,
    name: Option<&'a str>,
    score: String,
    tier: &'static str,
    tier_ja: &'static str,
    flag_ids: Vec<&'a str>,
}

#[derive(Serialize)]
struct CatalogItem {
    id: &'static str,
    en: &'static str,
    ja: &'static str,
}

/// What the page's script reads: the workspace's API answers, precomputed.
#[derive(Serialize)]
struct Payload<'a> {
    meta: &'a ReportMeta,
    details: &'a HashMap<String, Detail>,
    catalog: serde_json::Value,
    total: usize,
    max_detailed: usize,
    subjects: Vec<&'a SubjectResult>,
}

/// JSON inside a `<script>` element: `<` escaped so that no text of the data can close it.
fn script_json(v: &impl Serialize) -> String {
    serde_json::to_string(v)
        .expect("report data serialises")
        .replace('<', "\\u003c")
}

/// JavaScript inside a `<script>` element.
fn script_js(js: &str) -> String {
    js.replace("</script", "<\\/script")
}

/// Renders the report. `results` in rank order (highest score first).
pub fn render(meta: &ReportMeta, results: &[SubjectResult]) -> Result<String, ReportError> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", include_str!("../templates/report.html"))?;
    let mut tiers = [0usize; 4];
    for r in results {
        tiers[r.tier as usize] += 1;
    }
    // Every flagged subject, then unflagged ones up to MAX_ROWS rows.
    let listed: Vec<&SubjectResult> = results
        .iter()
        .enumerate()
        .filter(|(i, r)| !r.flags.is_empty() || *i < MAX_ROWS)
        .map(|(_, r)| r)
        .collect();
    let rows: Vec<Row> = listed
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.flags.is_empty())
        .map(|(i, r)| Row {
            rank: i + 1,
            id: &r.subject_id,
            name: r.display_name.as_deref(),
            score: format!("{:.1}", r.score),
            tier: r.tier.as_str(),
            tier_ja: r.tier.ja(),
            flag_ids: {
                let mut ids: Vec<&str> = r.flags.iter().map(|f| f.id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            },
        })
        .collect();
    let item = |i: &catalog::Item| CatalogItem {
        id: i.id,
        en: i.en,
        ja: i.ja,
    };
    let payload = Payload {
        meta,
        details: &meta.details,
        catalog: serde_json::json!({
            "flags": catalog::RF.iter().chain(catalog::KENSA.iter().map(|(i, _)| i)).map(item).collect::<Vec<_>>(),
            "steps": catalog::DD.iter().map(item).collect::<Vec<_>>(),
        }),
        total: results.len(),
        max_detailed: MAX_DETAILED,
        subjects: listed,
    };
    let tmpl = env.get_template("report.html")?;
    Ok(tmpl.render(minijinja::context! {
        meta => meta,
        rows => rows,
        total => results.len(),
        tier_counts => [
            (Tier::Critical.as_str(), Tier::Critical.ja(), tiers[Tier::Critical as usize]),
            (Tier::High.as_str(), Tier::High.ja(), tiers[Tier::High as usize]),
            (Tier::Medium.as_str(), Tier::Medium.ja(), tiers[Tier::Medium as usize]),
            (Tier::Low.as_str(), Tier::Low.ja(), tiers[Tier::Low as usize]),
        ],
        css => assets::APP_CSS,
        data => script_json(&payload),
        world => assets::WORLD_JSON.replace('<', "\\u003c"),
        echarts => script_js(assets::ECHARTS_JS),
        app => script_js(assets::APP_JS),
    })?)
}
