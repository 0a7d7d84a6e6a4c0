//! Issue 14 item 3: a local receiver gets the webhooks — a subject turning critical and a
//! decision — with a valid signature over timestamp and body; a first attempt answered 500 is
//! retried with the same idempotency key; the delivery log says what happened.

mod common;

use serde_json::{Value, json};
use std::sync::mpsc;
use std::time::Duration;

struct Received {
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

/// A receiver on an ephemeral port: answers 500 to the first request, 200 afterwards, and
/// hands every request to the test.
fn receiver() -> (String, mpsc::Receiver<Received>) {
    let (tx, rx) = mpsc::channel();
    let (addr_tx, addr_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let app = axum::Router::new().route(
                "/hook",
                axum::routing::post(
                    move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                        let tx = tx.clone();
                        let count = count.clone();
                        async move {
                            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let _ = tx.send(Received {
                                headers,
                                body: body.to_vec(),
                            });
                            if n == 0 {
                                axum::http::StatusCode::INTERNAL_SERVER_ERROR
                            } else {
                                axum::http::StatusCode::OK
                            }
                        }
                    },
                ),
            );
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(l.local_addr().unwrap()).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    let addr = addr_rx.recv().unwrap();
    (format!("http://{addr}/hook"), rx)
}

const SECRET: &[u8] = b"test-webhook-secret-0123456789";

fn verify(r: &Received) -> Value {
    let sig = r.headers["kensa-signature"].to_str().unwrap();
    let t: i64 = sig
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(sig, kensa_server::webhooks::sign(SECRET, t, &r.body));
    assert_ne!(
        sig,
        kensa_server::webhooks::sign(b"another secret!!", t, &r.body)
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - t).abs() < 300, "timestamp {t} vs now {now}");
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn deliveries_are_signed_retried_with_one_idempotency_key_and_logged() {
    let (url, rx) = receiver();
    let s = common::start_with(
        1 << 20,
        Some(kensa_server::webhooks::WebhookConfig {
            urls: vec![url.clone()],
            secret: SECRET.to_vec(),
            retry_base: Duration::from_millis(50),
            max_attempts: 5,
            timeout: Duration::from_secs(5),
        }),
    );
    // Paid into the built-in sample's sanctioned wallet: critical.
    let (st, v) = s.post_json(
        "/v1/events",
        "ingest",
        &json!([
            {"kind":"subject","subject_id":"w1","source":"freelance_platform","claimed_country":"US"},
            {"kind":"payout_account","subject_id":"w1","at":"2026-10-02T00:00:00Z","account_id":"a1","method":"crypto",
             "crypto":{"chain":"ethereum","asset":"ETH","address":"0x97b1043abd9e6fc31681635166d430a458d14f9c"}},
            {"kind":"subject","subject_id":"ok1","source":"freelance_platform","claimed_country":"US"}
        ]),
    );
    assert_eq!(st, 200, "{v}");
    let wait = || {
        rx.recv_timeout(Duration::from_secs(20))
            .expect("a delivery")
    };
    // Three requests: the tier change (answered 500 the first time), the critical event, and
    // the tier change's retry — in whatever order the worker sent them.
    let got: Vec<Received> = (0..3).map(|_| wait()).collect();
    let key = |r: &Received| r.headers["idempotency-key"].to_str().unwrap().to_owned();
    let tier: Vec<&Received> = got
        .iter()
        .filter(|r| r.headers["kensa-event"] == "subject.tier_changed")
        .collect();
    assert_eq!(tier.len(), 2, "the first attempt and its retry");
    assert_eq!(key(tier[0]), key(tier[1]));
    assert_eq!(tier[0].body, tier[1].body);
    let retry = tier[1];
    let e1 = verify(retry);
    assert_eq!(e1["type"], "subject.tier_changed", "{e1}");
    assert_eq!(e1["data"]["subject_id"], "w1");
    assert_eq!(e1["data"]["to"], "critical");
    assert!(
        e1["data"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "RF-SANCTIONED")
    );
    let second = got
        .iter()
        .find(|r| r.headers["kensa-event"] == "subject.critical")
        .expect("subject.critical");
    let e2 = verify(second);
    assert_eq!(e2["type"], "subject.critical");
    assert_ne!(key(second), key(retry));
    // No personal data in the bodies, no event for the low-tier newcomer.
    for r in [retry, second] {
        let text = String::from_utf8_lossy(&r.body);
        assert!(!text.contains("0x97b1043abd"), "{text}");
        assert!(!text.contains("ok1"), "{text}");
    }
    // A decision.
    let (st, v) = s.post_json(
        "/v1/subjects/w1/decisions",
        "lead",
        &json!({"decision":"hold","reason":"sanctions hit"}),
    );
    assert_eq!(st, 201, "{v}");
    let d = verify(&wait());
    assert_eq!(
        (d["type"].as_str(), d["data"]["decision"].as_str()),
        (Some("decision.recorded"), Some("hold"))
    );
    assert!(
        d["data"].get("by").is_none(),
        "no names in webhook bodies: {d}"
    );
    // The delivery log: an admin reads it, an analyst may not.
    let (st, log) = s.call("GET", "/v1/webhooks/deliveries", Some("admin"), None);
    assert_eq!(st, 200, "{log}");
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3, "{log:?}");
    let tier = log
        .iter()
        .find(|x| x["event"] == "subject.tier_changed")
        .unwrap();
    assert_eq!(
        (tier["state"].as_str(), tier["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );
    assert_eq!(tier["url"], url.as_str());
    assert_eq!(
        s.call("GET", "/v1/webhooks/deliveries", Some("analyst"), None)
            .0,
        403
    );
    // Nothing else arrives.
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
}
