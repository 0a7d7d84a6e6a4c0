//! Issue 15: cases over real HTTP — open, assign, note, one timeline, four eyes on closing a
//! critical case and on overriding its due diligence, what closing needs (decisions, the
//! confirmed-worker steps), labels written on closing, and the chain still verifying.

mod common;

use common::start;
use kensa_store::accounts::Accounts;
use serde_json::json;

/// The demo data, sent through `/v1/events`; returns the id of a critical subject.
fn seed_demo(s: &common::Server) -> String {
    let demo = kensa_demo::generate(&kensa_demo::DemoConfig {
        legit_subjects: 30,
        days: 20,
        ..Default::default()
    });
    for chunk in demo.records.chunks(2000) {
        let (st, v) = s.post_json("/v1/events", "ingest", &json!(chunk));
        assert_eq!(st, 200, "{v}");
    }
    // The queue's order: score, then (where scores saturate) the weight of evidence.
    let (_, all) = s.call("GET", "/v1/subjects?limit=200", Some("analyst"), None);
    let key = |r: &serde_json::Value| {
        let lo: f64 = r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["log_odds"].as_f64().unwrap())
            .sum();
        (r["score"].as_f64().unwrap(), lo)
    };
    let items = all["items"].as_array().unwrap();
    for w in items.windows(2) {
        let (a, b) = (key(&w[0]), key(&w[1]));
        assert!(
            a.0 > b.0 || (a.0 == b.0 && a.1 >= b.1),
            "{a:?} before {b:?}"
        );
    }
    let (st, page) = s.call(
        "GET",
        "/v1/subjects?tier=critical&limit=1",
        Some("analyst"),
        None,
    );
    assert_eq!(st, 200, "{page}");
    page["items"][0]["subject_id"]
        .as_str()
        .expect("the demo has a critical subject")
        .to_owned()
}

#[test]
fn a_critical_case_is_worked_and_closed_with_four_eyes() {
    let s = start(16 << 20);
    let critical = seed_demo(&s);
    let lead2 = {
        let mut acc = Accounts::open(&s.db).unwrap();
        acc.create_token("lead-2", "lead").unwrap().1
    };
    let analyst = s.tokens["analyst"].clone();
    let lead1 = s.tokens["lead"].clone();

    // Open a case; an analyst may take it but not give it to someone else.
    let (st, c) = s.json_with(
        "POST",
        "/v1/cases",
        &analyst,
        &json!({"title":"Laptop farm ring","subjects":[critical],"assignee":"lead-1"}),
    );
    assert_eq!(st, 403, "{c}");
    let (st, c) = s.json_with(
        "POST",
        "/v1/cases",
        &analyst,
        &json!({"title":"Laptop farm ring","subjects":[critical],"tags":["laptop-farm"],"due":"2026-12-31"}),
    );
    assert_eq!(st, 201, "{c}");
    let id = c["case_id"].as_str().unwrap().to_owned();
    assert_eq!(c["status"], "new");
    assert_eq!(c["tags"], json!(["laptop-farm"]));
    // The subject is in one open case at a time.
    let (st, v) = s.json_with(
        "POST",
        "/v1/cases",
        &analyst,
        &json!({"title":"again","subjects":[critical]}),
    );
    assert_eq!(st, 409, "{v}");
    // Unknown subjects and bad fields.
    let (st, _) = s.json_with(
        "POST",
        "/v1/cases",
        &analyst,
        &json!({"title":"x","subjects":["nobody-at-all"]}),
    );
    assert_eq!(st, 404);
    let (st, v) = s.json_with(
        "PATCH",
        &format!("/v1/cases/{id}"),
        &analyst,
        &json!({"due":"next week"}),
    );
    assert_eq!(st, 422, "{v}");
    let (st, _) = s.json_with(
        "PATCH",
        "/v1/cases/C-999999",
        &analyst,
        &json!({"status":"investigating"}),
    );
    assert_eq!(st, 404);

    // A lead assigns it to lead-1; the subject's page names the case.
    let (st, v) = s.json_with(
        "PATCH",
        &format!("/v1/cases/{id}"),
        &lead2,
        &json!({"assignee":"lead-1","status":"investigating"}),
    );
    assert_eq!(st, 200, "{v}");
    let (st, v) = s.call(
        "GET",
        &format!("/v1/subjects/{critical}"),
        Some("auditor"),
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(v["case"]["case_id"], id.as_str(), "{}", v["case"]);
    // Assignee filter of the queue.
    let (_, page) = s.call("GET", "/v1/subjects?assignee=lead-1", Some("analyst"), None);
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![critical.as_str()]);

    // Work: a note and a check.
    let (st, v) = s.json_with(
        "POST",
        &format!("/v1/cases/{id}/notes"),
        &analyst,
        &json!({"text":"Video interview scheduled; camera refused twice."}),
    );
    assert_eq!(st, 201, "{v}");
    let (st, v) = s.json_with(
        "POST",
        &format!("/v1/cases/{id}/notes"),
        &analyst,
        &json!({"text":"  "}),
    );
    assert_eq!(st, 422, "{v}");
    let (st, v) = s.json_with(
        "POST",
        &format!("/v1/subjects/{critical}/checks"),
        &analyst,
        &json!({"check":"DD-VIDEO-INTERVIEW","result":"pass","notes":"on camera, matched the ID"}),
    );
    assert_eq!(st, 201, "{v}");

    // Approval is refused with steps missing; the assignee (a lead) cannot override it.
    let (st, v) = s.json_with(
        "POST",
        &format!("/v1/subjects/{critical}/decisions"),
        &analyst,
        &json!({"decision":"approve","reason":"looks fine"}),
    );
    assert_eq!(st, 409, "{v}");
    let (st, v) = s.json_with(
        "POST",
        &format!("/v1/subjects/{critical}/decisions"),
        &lead1,
        &json!({"decision":"approve","reason":"r","override":"bank confirmed by phone"}),
    );
    assert_eq!(st, 403, "four eyes: {v}");
    // Closing as cleared before an approval: refused, naming why.
    let (st, v) = s.json_with(
        "PATCH",
        &format!("/v1/cases/{id}"),
        &lead2,
        &json!({"status":"closed_cleared"}),
    );
    assert_eq!(st, 409, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("approve"),
        "{v}"
    );
    // Another lead overrides.
    let (st, v) = s.json_with(
        "POST",
        &format!("/v1/subjects/{critical}/decisions"),
        &lead2,
        &json!({"decision":"approve","reason":"r","override":"bank confirmed by phone"}),
    );
    assert_eq!(st, 201, "{v}");

    // Closing a critical case: not by an analyst, not by the assignee, by another lead.
    let close = json!({"status":"closed_cleared"});
    let (st, v) = s.json_with("PATCH", &format!("/v1/cases/{id}"), &analyst, &close);
    assert_eq!(st, 403, "{v}");
    let (st, v) = s.json_with("PATCH", &format!("/v1/cases/{id}"), &lead1, &close);
    assert_eq!(st, 403, "{v}");
    let (st, v) = s.json_with("PATCH", &format!("/v1/cases/{id}"), &lead2, &close);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "closed_cleared");
    assert_eq!(v["closed_by"], "lead-2");

    // One timeline: created, updates, note, check and decisions, in log order.
    let (st, d) = s.call("GET", &format!("/v1/cases/{id}"), Some("auditor"), None);
    assert_eq!(st, 200);
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["case", "case", "case", "case", "check", "decision", "case"],
        "{}",
        d["timeline"]
    );
    assert_eq!(d["notes"][0]["by"], "analyst-1");
    assert_eq!(d["subject_results"][0]["decision"], "approve");
    // Reopening needs a reason.
    let (st, _) = s.json_with(
        "PATCH",
        &format!("/v1/cases/{id}"),
        &lead2,
        &json!({"status":"investigating"}),
    );
    assert_eq!(st, 422);
    // Lists and filters.
    let (_, l) = s.call("GET", "/v1/cases?status=open", Some("analyst"), None);
    assert!(l["items"].as_array().unwrap().is_empty(), "{l}");
    let (_, l) = s.call(
        "GET",
        "/v1/cases?status=closed_cleared",
        Some("analyst"),
        None,
    );
    assert_eq!(l["items"][0]["case_id"], id.as_str());
    let (st, _) = s.call("GET", "/v1/cases?status=maybe", Some("analyst"), None);
    assert_eq!(st, 422);

    // The closing decision became a label for eval/tune; the chain verifies.
    let store = kensa_store::Store::open_existing(&s.db).unwrap();
    let mut labels = Vec::new();
    store
        .for_each_record(|kind, body| {
            if kind == "label" {
                labels.push(String::from_utf8_lossy(body).into_owned());
            }
        })
        .unwrap();
    assert!(
        labels
            .iter()
            .any(|l| l.contains(&critical) && l.contains("\"legit\"")),
        "{labels:?}"
    );
    let (st, v) = s.call("GET", "/v1/verify", Some("auditor"), None);
    assert_eq!((st, &v["ok"]), (200, &json!(true)), "{v}");
}

#[test]
fn closing_as_confirmed_needs_the_confirmed_worker_steps() {
    let s = start(16 << 20);
    let critical = seed_demo(&s);
    let lead2 = {
        let mut acc = Accounts::open(&s.db).unwrap();
        acc.create_token("lead-2", "lead").unwrap().1
    };
    let (st, c) = s.post_json(
        "/v1/cases",
        "analyst",
        &json!({"title":"confirmed","subjects":[critical]}),
    );
    assert_eq!(st, 201, "{c}");
    let id = c["case_id"].as_str().unwrap().to_owned();
    let (st, _) = s.post_json(
        &format!("/v1/subjects/{critical}/decisions"),
        "analyst",
        &json!({"decision":"reject","reason":"DPRK IT worker"}),
    );
    assert_eq!(st, 201);
    let close = json!({"status":"closed_confirmed"});
    let (st, v) = s.json_with("PATCH", &format!("/v1/cases/{id}"), &lead2, &close);
    assert_eq!(st, 409, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    for step in ["DD-EVIDENCE-PRESERVE", "DD-LEAST-ACCESS", "DD-REPORT"] {
        assert!(msg.contains(step), "{msg}");
    }
    // The approval of a critical subject no longer needs the confirmed-worker steps.
    let (_, d) = s.call(
        "GET",
        &format!("/v1/subjects/{critical}"),
        Some("analyst"),
        None,
    );
    let required: Vec<&str> = d["due_diligence"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(!required.contains(&"DD-REPORT"), "{required:?}");
    for step in ["DD-EVIDENCE-PRESERVE", "DD-LEAST-ACCESS", "DD-REPORT"] {
        let (st, v) = s.post_json(
            &format!("/v1/subjects/{critical}/checks"),
            "analyst",
            &json!({"check":step,"result":"pass"}),
        );
        assert_eq!(st, 201, "{v}");
    }
    let (st, v) = s.json_with("PATCH", &format!("/v1/cases/{id}"), &lead2, &close);
    assert_eq!(st, 200, "{v}");
    let store = kensa_store::Store::open_existing(&s.db).unwrap();
    let mut dprk = false;
    store
        .for_each_record(|kind, body| {
            let b = String::from_utf8_lossy(body);
            dprk |= kind == "label" && b.contains(&critical) && b.contains("\"dprk\"");
        })
        .unwrap();
    assert!(dprk);
}
