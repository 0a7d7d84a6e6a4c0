//! `kensa eval`: scan, then grade the ranking against the `label` records.

use crate::{EngineError, ScanOptions, ScanSummary, io_err, scan};
use kensa_model::finding::SubjectResult;
use kensa_model::record::LabelValue;
use kensa_model::{Record, fast::validate_line};
use kensa_score::eval::{EvalReport, Labelled, evaluate};
use kensa_store::EvidenceStore;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Runs a scan and evaluates it; writes `eval.json` and `eval.html` beside the scan outputs.
pub fn eval(
    store: &mut dyn EvidenceStore,
    mut opts: ScanOptions<'_>,
) -> Result<(ScanSummary, EvalReport), EngineError> {
    let policy = opts.engine.get()?.policy.clone();
    let out_dir = opts.out_dir.clone();
    let summary = scan(store, opts)?;
    let results: Vec<SubjectResult> = std::fs::read_to_string(&summary.subjects_path)
        .map_err(io_err(&summary.subjects_path))?
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // The latest label per subject.
    type Latest = (Option<kensa_model::Ts>, LabelValue, Vec<String>);
    let mut labels: HashMap<String, Latest> = HashMap::new();
    store.for_each_record(&mut |kind, body| {
        if kind != "label" {
            return;
        }
        if let Ok(v) = validate_line(body)
            && let Record::Label(l) = v.record
        {
            let newer = labels
                .get(&l.subject_id)
                .is_none_or(|(at, _, _)| l.at >= *at);
            if newer {
                labels.insert(l.subject_id.clone(), (l.at, l.label, l.flags));
            }
        }
    })?;
    let mut labelled = Vec::new();
    let mut unlabelled = 0;
    for r in &results {
        match labels.get(&r.subject_id) {
            Some((_, LabelValue::Dprk, carries)) => labelled.push(Labelled {
                result: r,
                positive: true,
                carries: carries.clone(),
            }),
            Some((_, LabelValue::Legit, carries)) => labelled.push(Labelled {
                result: r,
                positive: false,
                carries: carries.clone(),
            }),
            _ => unlabelled += 1,
        }
    }
    if labelled.is_empty() {
        return Err(EngineError::Unusable(
            "no `label` records (dprk or legit) for the scanned subjects: nothing to evaluate"
                .into(),
        ));
    }
    let report = evaluate(&policy, &labelled, unlabelled);
    // Both or neither: a failed write leaves no grade that looks complete.
    let mut staged = crate::Staged::new();
    let json_path = out_dir.join("eval.json");
    std::fs::write(
        staged.path(&json_path),
        serde_json::to_vec_pretty(&report).expect("report serialises"),
    )
    .map_err(io_err(&json_path))?;
    let html_path = out_dir.join("eval.html");
    std::fs::write(staged.path(&html_path), render(&report)).map_err(io_err(&html_path))?;
    staged.commit()?;
    Ok((summary, report))
}

fn f(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{x:.3}")
    }
}

/// An SVG line chart of (x, y) points in [0, 1]², with axis names.
fn chart(points: &[(f64, f64)], x: &str, y: &str, diagonal: bool) -> String {
    let (w, h, m) = (320.0, 320.0, 40.0);
    let px = |v: f64| m + v * (w - 2.0 * m);
    let py = |v: f64| h - m - v * (h - 2.0 * m);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    let _ = write!(
        s,
        r##"<rect x="{m}" y="{m}" width="{}" height="{}" fill="#fafbfc" stroke="#ccc"/>"##,
        w - 2.0 * m,
        h - 2.0 * m
    );
    if diagonal {
        let _ = write!(
            s,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#bbb" stroke-dasharray="4"/>"##,
            px(0.0),
            py(0.0),
            px(1.0),
            py(1.0)
        );
    }
    let pts: Vec<String> = points
        .iter()
        .map(|(a, b)| format!("{:.1},{:.1}", px(*a), py(*b)))
        .collect();
    let _ = write!(
        s,
        r##"<polyline fill="none" stroke="#a4161a" stroke-width="2" points="{}"/>"##,
        pts.join(" ")
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="12" text-anchor="middle">{x}</text>"#,
        w / 2.0,
        h - 8.0
    );
    let _ = write!(
        s,
        r#"<text x="12" y="{}" font-size="12" transform="rotate(-90 12 {})" text-anchor="middle">{y}</text>"#,
        h / 2.0,
        h / 2.0
    );
    for t in [0.0, 0.5, 1.0] {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{t}</text>"#,
            px(t),
            h - m + 14.0
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="end">{t}</text>"#,
            m - 4.0,
            py(t) + 3.0
        );
    }
    s.push_str("</svg>");
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn render(r: &EvalReport) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Kensa evaluation / 評価</title><style>body{{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:2rem;max-width:1000px}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}}th:first-child,td:first-child{{text-align:left}}.charts{{display:flex;gap:2rem;flex-wrap:wrap}}</style></head><body>
<h1>Kensa evaluation / 評価</h1>
<p>Labelled subjects / ラベル付き対象者: {} DPRK, {} legitimate / 正規; unlabelled / ラベルなし: {}. Labels grade the ranking only; they are never a signal. / ラベルは評価にのみ使用し、検知には使用しません。</p>
<table><tr><th>metric / 指標</th><th>value / 値</th></tr><tr><td>ROC AUC</td><td>{}</td></tr><tr><td>PR AUC (average precision)</td><td>{}</td></tr></table>"#,
        r.positives,
        r.negatives,
        r.unlabelled,
        f(r.roc_auc),
        f(r.pr_auc)
    );
    let _ = write!(
        h,
        r#"<div class="charts">{}{}</div>"#,
        chart(
            &r.roc_curve,
            "false positive rate / 偽陽性率",
            "true positive rate / 真陽性率",
            true
        ),
        chart(&r.pr_curve, "recall / 再現率", "precision / 適合率", false)
    );
    h.push_str("<h2>At each tier threshold / 区分しきい値ごと</h2><table><tr><th>tier / 区分</th><th>score ≥</th><th>flagged</th><th>TP</th><th>FP</th><th>precision / 適合率</th><th>recall / 再現率</th><th>FP rate / 偽陽性率</th></tr>");
    for t in &r.at_tiers {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            t.tier,
            t.threshold,
            t.flagged,
            t.true_positives,
            t.false_positives,
            f(t.precision),
            f(t.recall),
            f(t.false_positive_rate)
        );
    }
    h.push_str("</table><h2>Precision@k</h2><table><tr><th>k</th><th>precision</th></tr>");
    for (k, p) in &r.precision_at_k {
        let _ = write!(h, "<tr><td>{k}</td><td>{}</td></tr>", f(*p));
    }
    let c = &r.confusion;
    let _ = write!(
        h,
        "</table><h2>Confusion at tier {} / 混同行列</h2><table><tr><th></th><th>flagged / 検出</th><th>not flagged / 非検出</th></tr><tr><td>DPRK</td><td>{}</td><td>{}</td></tr><tr><td>legitimate / 正規</td><td>{}</td><td>{}</td></tr></table>",
        c.threshold_tier, c.true_positives, c.false_negatives, c.false_positives, c.true_negatives
    );
    if !r.flag_recall.is_empty() {
        h.push_str("<h2>Per-flag recall / フラグ別の再現率</h2><p>Subjects whose label lists the red flags they show (label <code>flags</code>): how many got each flag raised. / ラベルに示された各レッドフラグを実際に検出できた割合。</p><table><tr><th>flag</th><th>carriers / 該当</th><th>raised / 検出</th><th>recall / 再現率</th><th>missed / 見逃し</th></tr>");
        for fr in &r.flag_recall {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&fr.id),
                fr.carriers,
                fr.raised,
                f(fr.recall),
                esc(&fr.missed.join(", "))
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h2>Flag hit rates / フラグ別の検出率</h2><table><tr><th>flag</th><th>DPRK share</th><th>legitimate share</th></tr>");
    for fl in &r.flags {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{} ({})</td><td>{} ({})</td></tr>",
            esc(&fl.id),
            f(fl.dprk),
            fl.dprk_count,
            f(fl.legit),
            fl.legit_count
        );
    }
    h.push_str("</table><h2>Calibration / 較正</h2><table><tr><th>score bin</th><th>subjects</th><th>mean predicted</th><th>observed DPRK share</th></tr>");
    for b in &r.calibration {
        let _ = write!(
            h,
            "<tr><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            b.from,
            b.to,
            b.subjects,
            f(b.predicted),
            f(b.observed)
        );
    }
    h.push_str("</table><h2>Legitimate subjects at tier high or critical / 高区分の正規対象者</h2><table><tr><th>subject</th><th>score</th><th>tier</th></tr>");
    for (s, sc, t) in &r.legit_high {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{sc:.1}</td><td>{t}</td></tr>",
            esc(s)
        );
    }
    h.push_str("</table><h2>DPRK subjects below tier medium / 見逃し</h2><table><tr><th>subject</th><th>score</th><th>tier</th></tr>");
    for (s, sc, t) in &r.dprk_missed {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{sc:.1}</td><td>{t}</td></tr>",
            esc(s)
        );
    }
    h.push_str("</table></body></html>\n");
    h
}
