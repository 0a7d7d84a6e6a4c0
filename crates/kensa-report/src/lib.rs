//! The **present** stage for files: `report.html`, one self-contained page (no network, no
//! external assets) listing subjects by score with their flags, evidence and explanations, in
//! English and Japanese with a switch.
//!
//! The page is rendered from a `minijinja` template (`templates/report.html`) with HTML
//! auto-escaping: every value that came from input data is escaped.

use kensa_model::catalog;
use kensa_model::finding::{SubjectResult, Tier};
use serde::Serialize;

/// At most this many subjects get a detail section; all are in `subjects.jsonl`.
pub const MAX_DETAILED: usize = 500;
/// At most this many rows in the ranking table.
pub const MAX_ROWS: usize = 2000;

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
}

#[derive(Serialize)]
struct FlagView<'a> {
    id: &'a str,
    name: Bi,
    detector: &'a str,
    weight: String,
    strength: String,
    explanation: &'a kensa_model::Text,
    values: Vec<(String, String)>,
    thresholds: Vec<(String, String)>,
    records: &'a [String],
}

#[derive(Serialize)]
struct SubjectView<'a> {
    rank: usize,
    id: &'a str,
    anchor: String,
    name: Option<&'a str>,
    score: String,
    base_score: String,
    tier: &'static str,
    tier_ja: &'static str,
    flag_ids: Vec<&'a str>,
    flags: Vec<FlagView<'a>>,
    detailed: bool,
    /// Due-diligence items (id, en, ja, status, required) and whether approval is allowed.
    dd: Vec<serde_json::Value>,
    approve_allowed: Option<bool>,
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders the report.
pub fn render(meta: &ReportMeta, results: &[SubjectResult]) -> Result<String, ReportError> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", include_str!("../templates/report.html"))?;
    let mut tiers = [0usize; 4];
    for r in results {
        tiers[r.tier as usize] += 1;
    }
    let mut detailed = 0;
    let subjects: Vec<SubjectView> = results
        .iter()
        .take(MAX_ROWS)
        .enumerate()
        .map(|(i, r)| {
            let show_detail = !r.flags.is_empty() && detailed < MAX_DETAILED;
            if show_detail {
                detailed += 1;
            }
            SubjectView {
                rank: i + 1,
                id: &r.subject_id,
                anchor: format!("s{i}"),
                name: r.display_name.as_deref(),
                score: format!("{:.1}", r.score),
                base_score: format!("{:.1}", r.base_score),
                tier: r.tier.as_str(),
                tier_ja: r.tier.ja(),
                flag_ids: {
                    let mut ids: Vec<&str> = r.flags.iter().map(|f| f.id.as_str()).collect();
                    ids.dedup();
                    ids
                },
                detailed: show_detail,
                dd: r
                    .due_diligence
                    .as_ref()
                    .and_then(|d| d.get("items"))
                    .and_then(|i| i.as_array())
                    .cloned()
                    .unwrap_or_default(),
                approve_allowed: r
                    .due_diligence
                    .as_ref()
                    .and_then(|d| d.get("approve_allowed"))
                    .and_then(|a| a.as_bool()),
                flags: r
                    .flags
                    .iter()
                    .map(|f| {
                        let item = catalog::flag(&f.id);
                        FlagView {
                            id: &f.id,
                            name: Bi::new(
                                item.map(|i| i.en).unwrap_or(""),
                                item.map(|i| i.ja).unwrap_or(""),
                            ),
                            detector: &f.detector,
                            weight: format!("{:+.1}", f.weight),
                            strength: format!("{:.2}", f.strength),
                            explanation: &f.explanation,
                            values: f
                                .evidence
                                .values
                                .iter()
                                .map(|(k, v)| (k.clone(), show(v)))
                                .collect(),
                            thresholds: f
                                .evidence
                                .thresholds
                                .iter()
                                .map(|(k, v)| (k.clone(), show(v)))
                                .collect(),
                            records: &f.evidence.records,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let tmpl = env.get_template("report.html")?;
    Ok(tmpl.render(minijinja::context! {
        meta => meta,
        subjects => subjects,
        total => results.len(),
        shown => subjects.len(),
        tier_counts => [
            (Tier::Critical.as_str(), Tier::Critical.ja(), tiers[Tier::Critical as usize]),
            (Tier::High.as_str(), Tier::High.ja(), tiers[Tier::High as usize]),
            (Tier::Medium.as_str(), Tier::Medium.ja(), tiers[Tier::Medium as usize]),
            (Tier::Low.as_str(), Tier::Low.ja(), tiers[Tier::Low as usize]),
        ],
    })?)
}
