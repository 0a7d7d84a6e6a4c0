//! The **present** stage for files: `report.html`, one self-contained page (no network, no
//! external assets) listing subjects by score with their flags, evidence and explanations, in
//! English and Japanese with a switch.
//!
//! The page is rendered from a `minijinja` template (`templates/report.html`) with HTML
//! auto-escaping: every value that came from input data is escaped.

use kensa_model::catalog;
use kensa_model::finding::{SubjectResult, Tier};
use serde::Serialize;

/// Flagged subjects below tier high get a detail section up to this many (every high and
/// critical subject gets one); all are in `subjects.jsonl`.
pub const MAX_DETAILED: usize = 500;
/// Unflagged subjects are listed up to this many rows of the ranking table (every flagged
/// subject is listed).
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
    /// Neighbourhood pictures for linked subjects (subject id → graph).
    #[serde(skip)]
    pub graphs: std::collections::HashMap<String, MiniGraph>,
}

/// A subject's neighbourhood in the identifier graph, for a small picture in the report.
#[derive(Debug, Clone, Default)]
pub struct MiniGraph {
    pub center: String,
    pub others: Vec<String>,
    /// `(a, b, weight, label)`; the label lists the (masked) shared identifiers.
    pub edges: Vec<(String, String, f64, String)>,
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Draws the neighbourhood as an inline SVG: the subject in the middle, linked subjects on a
/// circle, edge thickness by weight, shared identifiers in each edge's tooltip.
pub fn graph_svg(g: &MiniGraph) -> String {
    use std::fmt::Write as _;
    let others: Vec<&String> = g.others.iter().take(24).collect();
    let (w, h, r) = (420.0f64, 300.0f64, 110.0f64);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let mut pos: std::collections::HashMap<&str, (f64, f64)> = std::collections::HashMap::new();
    pos.insert(g.center.as_str(), (cx, cy));
    for (i, o) in others.iter().enumerate() {
        let a = std::f64::consts::TAU * i as f64 / others.len().max(1) as f64;
        pos.insert(o.as_str(), (cx + r * 1.5 * a.cos(), cy + r * a.sin()));
    }
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">"#
    );
    for (a, b, weight, label) in &g.edges {
        if let (Some(p), Some(q)) = (pos.get(a.as_str()), pos.get(b.as_str())) {
            let _ = write!(
                s,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#a4161a" stroke-opacity="0.6" stroke-width="{:.1}"><title>{}</title></line>"##,
                p.0,
                p.1,
                q.0,
                q.1,
                1.0 + weight.min(4.0),
                xml(label)
            );
        }
    }
    for (name, (x, y)) in &pos {
        let fill = if *name == g.center {
            "#f4cccc"
        } else {
            "#ffffff"
        };
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="76" height="20" rx="4" fill="{fill}" stroke="#555"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" font-family="monospace">{}</text>"##,
            x - 38.0,
            y - 10.0,
            x,
            y + 4.0,
            xml(name)
        );
    }
    s.push_str("</svg>");
    s
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
    /// The neighbourhood picture (SVG, generated and escaped by [`graph_svg`]).
    graph_svg: Option<String>,
    /// Due-diligence items (id, en, ja, status, required) and whether approval is allowed.
    dd: Vec<serde_json::Value>,
    approve_allowed: Option<bool>,
}

fn show(key: &str, v: &serde_json::Value) -> String {
    match masked(key, v) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Account and document numbers as a report shows them: the last four characters only (the
/// full values stay in the evidence log and in `subjects.jsonl`).
fn masked(key: &str, v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    const KEYS: [&str; 4] = ["iban", "account_number", "number", "mrz"];
    match v {
        Value::String(s) if KEYS.contains(&key) && !s.is_empty() => {
            let tail: String = s
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Value::String(format!("••••{tail}"))
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| masked(key, x)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), masked(k, x))).collect())
        }
        other => other.clone(),
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
    // Every flagged subject is listed (no cap), then unflagged ones up to MAX_ROWS rows; every
    // high and critical subject is detailed, other flagged ones up to MAX_DETAILED.
    let subjects: Vec<SubjectView> = results
        .iter()
        .enumerate()
        .filter(|(i, r)| !r.flags.is_empty() || *i < MAX_ROWS)
        .map(|(i, r)| {
            let show_detail =
                !r.flags.is_empty() && (r.tier >= Tier::High || detailed < MAX_DETAILED);
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
                graph_svg: if show_detail {
                    meta.graphs.get(&r.subject_id).map(graph_svg)
                } else {
                    None
                },
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
                                .map(|(k, v)| (k.clone(), show(k, v)))
                                .collect(),
                            thresholds: f
                                .evidence
                                .thresholds
                                .iter()
                                .map(|(k, v)| (k.clone(), show(k, v)))
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
