//! `kensa catalog`: every RF and DD id of domain/red-flags.md with what covers it.

use kensa_model::catalog::{DD, KENSA, RF};

/// Due-diligence measures are covered by the workflow: recorded with `kensa check` (or `check`
/// records), required by the policy per tier and flag, shown in subjects.jsonl and the report,
/// and enforced by `kensa decide`.
fn dd_steps(id: &str) -> Vec<String> {
    let policy = kensa_score::Policy::default_policy();
    let dd = &policy.due_diligence;
    let mut tiers: Vec<&str> = Vec::new();
    for (t, list) in [
        ("medium", &dd.medium),
        ("high", &dd.high),
        ("critical", &dd.critical),
    ] {
        if list.iter().any(|s| s == id) {
            tiers.push(t);
        }
    }
    let flags: Vec<&str> = dd
        .by_flag
        .iter()
        .filter(|(_, v)| v.iter().any(|s| s == id))
        .map(|(k, _)| k.as_str())
        .collect();
    let mut why = Vec::new();
    if !tiers.is_empty() {
        why.push(format!("tiers {}", tiers.join("/")));
    }
    if !flags.is_empty() {
        why.push(format!("flags {}", flags.join("/")));
    }
    let required = if why.is_empty() {
        "recordable".to_owned()
    } else {
        format!("required at {}", why.join("; "))
    };
    vec![format!("kensa check + decide ({required})")]
}

pub fn print(json: bool) {
    let text = render(json);
    crate::write_stdout(&text);
}

fn render(json: bool) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let registry = kensa_detect::registry();
    let detectors_for = |id: &str| -> Vec<&'static str> {
        registry
            .iter()
            .filter(|d| d.raises.contains(&id))
            .map(|d| d.name)
            .collect()
    };
    if json {
        let rf: Vec<_> = RF
            .iter()
            .map(|i| serde_json::json!({"id": i.id, "en": i.en, "ja": i.ja, "covered_by": detectors_for(i.id)}))
            .collect();
        let dd: Vec<_> = DD
            .iter()
            .map(|i| serde_json::json!({"id": i.id, "en": i.en, "ja": i.ja, "covered_by": dd_steps(i.id)}))
            .collect();
        let kx: Vec<_> = KENSA
            .iter()
            .map(|(i, supports)| serde_json::json!({"id": i.id, "en": i.en, "ja": i.ja, "supports": supports, "covered_by": detectors_for(i.id)}))
            .collect();
        let detectors: Vec<_> = registry
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "raises": d.raises, "summary": d.summary, "false_positives": d.false_positives}))
            .collect();
        let _ = writeln!(o,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"red_flags": rf, "due_diligence": dd, "kensa_ids": kx, "detectors": detectors}))
                .expect("catalog serialises")
        );
        return o;
    }
    let mut covered = 0;
    let _ = writeln!(o, "Red flags (domain/red-flags.md §A)");
    for i in RF {
        let d = detectors_for(i.id);
        if !d.is_empty() {
            covered += 1;
        }
        let _ = writeln!(o, "  {:<28} {}", i.id, i.en);
        let _ = writeln!(
            o,
            "  {:<28} ↳ {}",
            "",
            if d.is_empty() {
                "not yet".to_owned()
            } else {
                d.join(", ")
            }
        );
    }
    let _ = writeln!(o, "  {covered}/{} red flags covered", RF.len());
    let _ = writeln!(o);
    let _ = writeln!(o, "Due-diligence measures (§B)");
    for i in DD {
        let s = dd_steps(i.id);
        let _ = writeln!(o, "  {:<28} {}", i.id, i.en);
        let _ = writeln!(
            o,
            "  {:<28} ↳ {}",
            "",
            if s.is_empty() {
                "not yet".to_owned()
            } else {
                s.join(", ")
            }
        );
    }
    if !KENSA.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Kensa ids (specific detections supporting red flags)");
        for (i, supports) in KENSA {
            let _ = writeln!(
                o,
                "  {:<28} supports {:<40} {}",
                i.id,
                supports.join(", "),
                i.en
            );
        }
    }
    o
}
