//! Issue 14: real HTTP to a server on an ephemeral port — every endpoint × every role (the
//! table `auth::ROUTES`), 401 without credentials, the 400/404/409/413/422 cases, events stored
//! exactly once with results, paging, checks and decisions, the OpenAPI document and metrics.

mod common;

use common::start;
use kensa_server::auth::{Perm, ROUTES, Role};
use kensa_store::accounts::Accounts;
use serde_json::{Value, json};

fn login(sub: &str, at: &str, ip: &str) -> Value {
    json!({"kind":"login","subject_id":sub,"at":at,"ip":ip})
}

fn seed(s: &common::Server) {
    let recs = json!([
        {"kind":"subject","subject_id":"u1","source":"freelance_platform","display_name":"Alex Kim","claimed_country":"US","claimed_timezone":"America/New_York"},
        login("u1", "2026-10-01T01:00:00Z", "175.45.176.9"),
        login("u1", "2026-10-01T02:00:00Z", "203.0.113.7"),
        {"kind":"subject","subject_id":"u2","source":"freelance_platform","display_name":"Sam Lee","claimed_country":"US"},
        login("u2", "2026-10-02T15:00:00Z", "198.51.100.7"),
    ]);
    let (st, v) = s.post_json("/v1/events", "ingest", &recs);
    assert_eq!(st, 200, "{v}");
}

#[test]
fn every_endpoint_for_every_role_and_without_credentials() {
    let s = start(1 << 20);
    seed(&s);
    // A subject per role for the cases each role may open (a subject is in one open case).
    let extra: Vec<Value> = Role::ALL
        .iter()
        .map(|r| json!({"kind":"subject","subject_id":format!("case-{}", r.as_str()),"source":"freelance_platform"}))
        .collect();
    assert_eq!(s.post_json("/v1/events", "ingest", &json!(extra)).0, 200);
    let (st, v) = s.post_json(
        "/v1/cases",
        "lead",
        &json!({"title":"seeded","subjects":["u2"]}),
    );
    assert_eq!(st, 201, "{v}");
    let case_id = v["case_id"].as_str().unwrap().to_owned();
    for (method, route, perm) in ROUTES {
        let path = route
            .replace("{subject_id}", "u1")
            .replace("{case_id}", &case_id)
            .replace("{file}", "app.js");
        let body = match *route {
            "/v1/events" => Some((
                "application/json",
                serde_json::to_vec(&login("u9", "2026-10-03T00:00:00Z", "192.0.2.1")).unwrap(),
            )),
            "/v1/subjects/{subject_id}/checks" => Some((
                "application/json",
                br#"{"check":"DD-VIDEO-INTERVIEW","result":"pass"}"#.to_vec(),
            )),
            "/v1/subjects/{subject_id}/decisions" => Some((
                "application/json",
                br#"{"decision":"escalate","reason":"test"}"#.to_vec(),
            )),
            "/v1/attachments" => Some(("application/octet-stream", b"%PDF-1.4 notes".to_vec())),
            "/v1/screen" => Some((
                "application/json",
                br#"{"names":[{"name":"Kim Sang-man"}]}"#.to_vec(),
            )),
            "/v1/cases/{case_id}/notes" => Some((
                "application/json",
                br#"{"text":"called the bank"}"#.to_vec(),
            )),
            "/v1/cases/{case_id}" if *method == "PATCH" => Some((
                "application/json",
                br#"{"status":"investigating","tags":["laptop-farm"]}"#.to_vec(),
            )),
            "/login" if *method == "POST" => Some((
                "application/json",
                br#"{"name":"nobody","password":"x"}"#.to_vec(),
            )),
            _ => None,
        };
        // Without credentials.
        let (st, v) = s.call(method, &path, None, body.clone());
        if *perm == Perm::Public {
            // Public; signing in as nobody is refused like a wrong password.
            let want = if *route == "/login" && *method == "POST" {
                401
            } else {
                200
            };
            assert_eq!(st, want, "{method} {route} public: {v}");
            continue;
        }
        if *route == "/" {
            // A person without a session is sent to sign in.
            assert_eq!(st, 303, "{method} {route} without a session");
            continue;
        }
        assert_eq!(st, 401, "{method} {route} without a token: {v}");
        assert_eq!(v["error"]["code"], "unauthorized", "{v}");
        // A token that does not exist.
        let url = format!("{}{path}", s.base);
        let st = s
            .agent
            .get(&url)
            .header("Authorization", "Bearer kensa_00")
            .call()
            .unwrap()
            .status()
            .as_u16();
        if *method == "GET" {
            assert_eq!(st, 401, "{route} with a wrong token");
        }
        for role in Role::ALL {
            let body = if *route == "/v1/cases" && *method == "POST" {
                let b = json!({"title":"t","subjects":[format!("case-{}", role.as_str())]});
                Some(("application/json", serde_json::to_vec(&b).unwrap()))
            } else {
                body.clone()
            };
            let (st, v) = s.call(method, &path, Some(role.as_str()), body);
            if role.allows(*perm) {
                assert!(
                    (200..300).contains(&st),
                    "{method} {route} as {}: {st} {v}",
                    role.as_str()
                );
            } else {
                assert_eq!(st, 403, "{method} {route} as {}: {v}", role.as_str());
                assert_eq!(v["error"]["code"], "forbidden");
            }
        }
    }
    // The table is the routes: the OpenAPI document lists exactly these paths.
    let (st, doc) = s.call("GET", "/openapi.json", Some("auditor"), None);
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (p, ops) in doc["paths"].as_object().unwrap() {
        for m in ops.as_object().unwrap().keys() {
            documented.push((m.to_uppercase(), p.clone()));
        }
    }
    documented.sort();
    let mut table: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    table.sort();
    assert_eq!(documented, table);
    // A known path with a method it does not have: 405 naming the methods it has.
    let rq = ureq::http::Request::builder()
        .method("DELETE")
        .uri(format!("{}/v1/events", s.base))
        .header("Authorization", format!("Bearer {}", s.tokens["ingest"]))
        .body(())
        .unwrap();
    let res = s.agent.run(rq).unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    // Without credentials neither unknown paths nor other methods are told apart: 401.
    assert_eq!(s.call("GET", "/v1/nothing", None, None).0, 401);
    let rq = ureq::http::Request::builder()
        .method("DELETE")
        .uri(format!("{}/v1/events", s.base))
        .body(())
        .unwrap();
    assert_eq!(s.agent.run(rq).unwrap().status().as_u16(), 401);
    let rq = ureq::http::Request::builder()
        .method("HEAD")
        .uri(format!("{}/healthz", s.base))
        .body(())
        .unwrap();
    assert_eq!(s.agent.run(rq).unwrap().status().as_u16(), 200);
    // Unknown endpoints.
    let (st, v) = s.call("GET", "/v1/nothing", Some("analyst"), None);
    assert_eq!((st, v["error"]["code"].as_str()), (404, Some("not_found")));
}

#[test]
fn events_are_stored_once_with_results_and_bad_input_is_named() {
    let s = start(64 << 10);
    let batch = json!([
        {"kind":"subject","subject_id":"u1","source":"freelance_platform","claimed_country":"US"},
        login("u1", "2026-10-01T01:00:00Z", "175.45.176.9"),
        {"kind":"login","subject_id":"u1","at":"yesterday","ip":"203.0.113.7"},
    ]);
    let (st, v) = s.post_json("/v1/events", "ingest", &batch);
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            v["read"].as_u64(),
            v["stored"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(3), Some(2), Some(1)),
        "{v}"
    );
    assert_eq!(v["rejects"][0]["index"], 2);
    assert_eq!(v["rejects"][0]["field"], "at", "{v}");
    let subs = v["subjects"].as_array().unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["subject_id"], "u1");
    assert!(
        subs[0]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "RF-LOGIN-KP-IP" || f["id"].as_str().unwrap().starts_with("RF-")),
        "{v}"
    );
    // The same events again: stored once.
    let (st, v) = s.post_json("/v1/events", "ingest", &batch);
    assert_eq!(st, 200);
    assert_eq!(
        (v["stored"].as_u64(), v["duplicate"].as_u64()),
        (Some(0), Some(2)),
        "{v}"
    );
    // JSON Lines, and ?wait=false.
    let nd = format!(
        "{}\n{}\n",
        login("u2", "2026-10-01T03:00:00Z", "198.51.100.7"),
        login("u2", "2026-10-01T04:00:00Z", "198.51.100.8")
    );
    let (st, v) = s.call(
        "POST",
        "/v1/events?wait=false",
        Some("ingest"),
        Some(("application/x-ndjson", nd.into_bytes())),
    );
    assert_eq!(st, 202, "{v}");
    assert_eq!(v["stored"], 2);
    assert!(v["subjects"].as_array().unwrap().is_empty());
    // 400: not JSON; not records; no records.
    for (ct, body) in [
        ("application/json", &b"{nope"[..]),
        ("application/json", b"42"),
        ("application/json", b"[]"),
    ] {
        let (st, v) = s.call(
            "POST",
            "/v1/events",
            Some("ingest"),
            Some((ct, body.to_vec())),
        );
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (400, Some("malformed")),
            "{v}"
        );
    }
    // 422: every record refused.
    let (st, v) = s.post_json(
        "/v1/events",
        "ingest",
        &json!({"kind":"login","subject_id":"u3"}),
    );
    assert_eq!(st, 422, "{v}");
    assert_eq!(v["error"]["code"], "invalid");
    // 413: over the limit.
    let big = vec![b' '; 100 << 10];
    let (st, v) = s.call(
        "POST",
        "/v1/events",
        Some("ingest"),
        Some(("application/json", big)),
    );
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (413, Some("too_large")),
        "{v}"
    );
    // A record id reused with other content is a reject, not a silent overwrite.
    let a = json!({"kind":"login","record_id":"fixed-1","subject_id":"u4","at":"2026-10-01T00:00:00Z","ip":"192.0.2.1"});
    let b = json!({"kind":"login","record_id":"fixed-1","subject_id":"u4","at":"2026-10-01T00:00:00Z","ip":"192.0.2.2"});
    assert_eq!(s.post_json("/v1/events", "ingest", &a).1["stored"], 1);
    let (st, v) = s.post_json("/v1/events", "ingest", &json!([b]));
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["stored"].as_u64(), v["rejected"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
    assert_eq!(v["rejects"][0]["field"], "record_id");
    // Counted in the metrics.
    let url = format!("{}/metrics", s.base);
    let mut res = s
        .agent
        .get(&url)
        .header("Authorization", format!("Bearer {}", s.tokens["auditor"]))
        .call()
        .unwrap();
    let text = res.body_mut().read_to_string().unwrap();
    assert!(
        text.contains("kensa_event_records_total{outcome=\"duplicate\"} 2"),
        "{text}"
    );
    assert!(
        text.contains(
            "kensa_http_requests_total{method=\"POST\",route=\"/v1/events\",status=\"413\"} 1"
        ),
        "{text}"
    );
    assert!(!text.contains("175.45.176.9"));
}

#[test]
fn subjects_page_by_cursor_and_checks_and_decisions_follow_the_policy() {
    let s = start(1 << 20);
    let mut recs = Vec::new();
    for i in 0..25 {
        let sid = format!("s{i:02}");
        recs.push(json!({"kind":"subject","subject_id":sid,"source":"freelance_platform","claimed_country":"US"}));
        let ip = if i % 5 == 0 {
            "175.45.176.9".to_string()
        } else {
            format!("198.51.100.{i}")
        };
        recs.push(login(&sid, "2026-10-01T01:00:00Z", &ip));
    }
    // s00 is paid into a sanctioned wallet (the built-in screening sample's): tier critical,
    // so approving it needs due diligence first.
    recs.push(json!({"kind":"payout_account","subject_id":"s00","at":"2026-10-02T00:00:00Z","account_id":"a1","method":"crypto",
        "crypto":{"chain":"ethereum","asset":"ETH","address":"0x97b1043abd9e6fc31681635166d430a458d14f9c"}}));
    assert_eq!(
        s.post_json("/v1/events", "ingest", &Value::Array(recs)).0,
        200
    );
    // Every subject exactly once over the pages, in score order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/subjects?limit=7&cursor={c}"),
            None => "/v1/subjects?limit=7".into(),
        };
        let (st, v) = s.call("GET", &path, Some("analyst"), None);
        assert_eq!(st, 200, "{v}");
        for it in v["items"].as_array().unwrap() {
            seen.push((
                it["score"].as_f64().unwrap(),
                it["subject_id"].as_str().unwrap().to_owned(),
            ));
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(
        seen.windows(2)
            .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1))
    );
    let top = seen[0].1.clone();
    assert_eq!(top, "s00");
    // The other orders page the same way, each total: every subject once, in order.
    let page_all = |sort: &str| {
        let mut items: Vec<Value> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/subjects?limit=4&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let (st, v) = s.call("GET", &path, Some("analyst"), None);
            assert_eq!(st, 200, "{v}");
            items.extend(v["items"].as_array().unwrap().iter().cloned());
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        items
    };
    let ids = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|x| x["subject_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_id = ids(&page_all("id"));
    let mut sorted = by_id.clone();
    sorted.sort();
    assert_eq!((by_id.len(), &by_id), (25, &sorted));
    let asc = page_all("score_asc");
    assert_eq!(asc.len(), 25);
    assert!(
        asc.windows(2)
            .all(|w| w[0]["score"].as_f64() <= w[1]["score"].as_f64())
    );
    assert_eq!(ids(&asc).last().map(String::as_str), Some("s00"));
    let by_flags = page_all("flags");
    let n_flags = |x: &Value| {
        let mut f: Vec<&str> = x["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        f.sort();
        f.dedup();
        f.len()
    };
    assert_eq!(by_flags.len(), 25);
    assert!(
        by_flags
            .windows(2)
            .all(|w| n_flags(&w[0]) >= n_flags(&w[1]))
    );
    assert_eq!(page_all("name").len(), 25);
    let (st, v) = s.call("GET", "/v1/subjects?sort=newest", Some("analyst"), None);
    assert_eq!((st, v["error"]["field"].as_str()), (422, Some("sort")));
    // A cursor belongs to its order.
    let (_, v) = s.call("GET", "/v1/subjects?limit=3&sort=id", Some("analyst"), None);
    let c = v["next_cursor"].as_str().unwrap().to_owned();
    let (st, _) = s.call(
        "GET",
        &format!("/v1/subjects?cursor={c}"),
        Some("analyst"),
        None,
    );
    assert_eq!(st, 422);
    // Filters.
    let (_, v) = s.call("GET", "/v1/subjects?q=S0&limit=500", Some("auditor"), None);
    assert_eq!(v["items"].as_array().unwrap().len(), 10);
    let (st, v) = s.call("GET", "/v1/subjects?tier=urgent", Some("analyst"), None);
    assert_eq!((st, v["error"]["field"].as_str()), (422, Some("tier")));
    let (st, _) = s.call("GET", "/v1/subjects?cursor=zz", Some("analyst"), None);
    assert_eq!(st, 422);
    // Subject detail, records, 404.
    let (st, v) = s.call("GET", &format!("/v1/subjects/{top}"), Some("analyst"), None);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["result"]["subject_id"], top.as_str());
    let (st, v) = s.call(
        "GET",
        &format!("/v1/subjects/{top}/records?kind=login"),
        Some("analyst"),
        None,
    );
    assert_eq!((st, v.as_array().unwrap().len()), (200, 1));
    assert_eq!(
        s.call("GET", "/v1/subjects/nobody", Some("analyst"), None)
            .0,
        404
    );
    assert_eq!(
        s.call("GET", "/v1/subjects/nobody/records", Some("analyst"), None)
            .0,
        404
    );
    // Checks: unknown step, bad result, unknown subject, then a real one.
    let (st, v) = s.post_json(
        &format!("/v1/subjects/{top}/checks"),
        "analyst",
        &json!({"check":"DD-NOPE","result":"pass"}),
    );
    assert_eq!((st, v["error"]["field"].as_str()), (422, Some("check")));
    let (st, _) = s.post_json(
        &format!("/v1/subjects/{top}/checks"),
        "analyst",
        &json!({"check":"DD-VIDEO-INTERVIEW","result":"maybe"}),
    );
    assert_eq!(st, 422);
    let (st, _) = s.post_json(
        "/v1/subjects/nobody/checks",
        "analyst",
        &json!({"check":"DD-VIDEO-INTERVIEW","result":"pass"}),
    );
    assert_eq!(st, 404);
    let (st, v) = s.call(
        "POST",
        &format!("/v1/subjects/{top}/checks"),
        Some("analyst"),
        Some(("application/json", b"{not json".to_vec())),
    );
    assert_eq!(st, 400, "{v}");
    // Attachments are content-addressed and citable.
    let (st, a) = s.call(
        "POST",
        "/v1/attachments",
        Some("analyst"),
        Some(("application/octet-stream", b"interview notes".to_vec())),
    );
    assert_eq!(st, 201, "{a}");
    let sha = a["sha256"].as_str().unwrap().to_owned();
    let (st, v) = s.post_json(
        &format!("/v1/subjects/{top}/checks"),
        "analyst",
        &json!({"check":"DD-VIDEO-INTERVIEW","result":"pass","notes":"camera on","evidence":[sha]}),
    );
    assert_eq!(st, 201, "{v}");
    assert!(v["record_id"].is_string());
    // An approval with required steps missing: 409 naming them; escalate is fine.
    let (st, v) = s.post_json(
        &format!("/v1/subjects/{top}/decisions"),
        "analyst",
        &json!({"decision":"approve","reason":"looks fine"}),
    );
    assert_eq!(st, 409, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("DD-"),
        "{v}"
    );
    let (st, v) = s.post_json(
        &format!("/v1/subjects/{top}/decisions"),
        "lead",
        &json!({"decision":"escalate","reason":"needs a second look"}),
    );
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["by"], "lead-1");
    let (_, v) = s.call("GET", &format!("/v1/subjects/{top}"), Some("auditor"), None);
    assert_eq!(v["decisions"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["checks"].as_array().unwrap().len(), 1);
    assert_eq!(v["checks"][0]["record"]["by"], "analyst-1");
    // Screening over HTTP: the built-in sample's listed name, in Hangul too.
    let (st, v) = s.post_json(
        "/v1/screen",
        "analyst",
        &json!({"names":[{"name":"KIM Sang Man"},{"name":"김상만"},{"name":"Taro Yamada"}]}),
    );
    assert_eq!(st, 200, "{v}");
    assert!(!v[0]["matches"].as_array().unwrap().is_empty(), "{v}");
    assert!(!v[1]["matches"].as_array().unwrap().is_empty(), "{v}");
    assert!(v[2]["matches"].as_array().unwrap().is_empty(), "{v}");
    let (st, _) = s.post_json("/v1/screen", "analyst", &json!({"names":[]}));
    assert_eq!(st, 422);
    // The chain verifies; reads were logged with who read what.
    let (st, v) = s.call("GET", "/v1/verify", Some("auditor"), None);
    assert_eq!((st, v["ok"].as_bool()), (200, Some(true)), "{v}");
    let acc = Accounts::open(&s.db).unwrap();
    let reads = acc.accesses(Some(&top)).unwrap();
    assert!(
        reads
            .iter()
            .any(|a| a.actor == "auditor-1" && a.action == "read_subject"),
        "{reads:?}"
    );
    assert!(
        reads
            .iter()
            .any(|a| a.actor == "analyst-1" && a.action == "read_records")
    );
}

/// Group commit: requests sent at once are merged into engine calls, and each still gets its
/// own outcomes and only its own subjects' results; nothing is lost or stored twice.
#[test]
fn concurrent_requests_each_get_their_own_share() {
    let s = std::sync::Arc::new(start(1 << 20));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                for r in 0..10 {
                    let sid = format!("c{t}-{r}");
                    let recs = json!([
                        login(
                            &sid,
                            "2026-10-01T01:00:00Z",
                            &format!("198.51.{t}.{}", r + 1)
                        ),
                        login(
                            &sid,
                            "2026-10-01T02:00:00Z",
                            &format!("198.51.{t}.{}", r + 101)
                        ),
                        // A duplicate within the same request.
                        login(
                            &sid,
                            "2026-10-01T02:00:00Z",
                            &format!("198.51.{t}.{}", r + 101)
                        ),
                    ]);
                    let (st, v) = s.post_json("/v1/events", "ingest", &recs);
                    assert_eq!(st, 200, "{v}");
                    assert_eq!(
                        (v["stored"].as_u64(), v["duplicate"].as_u64()),
                        (Some(2), Some(1)),
                        "{v}"
                    );
                    let subs: Vec<&str> = v["subjects"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x["subject_id"].as_str().unwrap())
                        .collect();
                    assert_eq!(subs, [sid.as_str()], "{v}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let (_, v) = s.call("GET", "/v1/subjects?q=c&limit=500", Some("analyst"), None);
    assert_eq!(v["items"].as_array().unwrap().len(), 80);
    let (_, v) = s.call("GET", "/v1/subjects/c3-7/records", Some("analyst"), None);
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn the_queue_search_finds_identifiers_and_filters_by_source() {
    let s = start(1 << 20);
    seed(&s);
    let ids = |path: &str| -> Vec<String> {
        let (st, v) = s.call("GET", path, Some("analyst"), None);
        assert_eq!(st, 200, "{path}: {v}");
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["subject_id"].as_str().unwrap().to_owned())
            .collect()
    };
    // An IP address seen in a login finds its subject; a name still matches by substring.
    assert_eq!(ids("/v1/subjects?q=175.45.176.9"), vec!["u1"]);
    assert_eq!(ids("/v1/subjects?q=sam"), vec!["u2"]);
    assert!(ids("/v1/subjects?q=192.0.2.200").is_empty());
    let mut both = ids("/v1/subjects?source=freelance_platform");
    both.sort();
    assert_eq!(both, vec!["u1", "u2"]);
    assert!(ids("/v1/subjects?source=hr_system").is_empty());
}
