//! Issue 14 item 2: people sign in with a password (argon2id), get an HttpOnly SameSite
//! cookie, must send the session's CSRF token with every change made with it, and are locked
//! out after repeated failures; signing out ends the session.

mod common;

use serde_json::{Value, json};

fn login(s: &common::Server, name: &str, password: &str) -> (u16, Option<String>, Value) {
    let mut r = s
        .agent
        .post(format!("{}/login", s.base))
        .send_json(json!({"name": name, "password": password}))
        .unwrap();
    let cookie = r
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    let st = r.status().as_u16();
    (st, cookie, r.body_mut().read_json().unwrap_or(Value::Null))
}

fn with_cookie(
    s: &common::Server,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> u16 {
    let url = format!("{}{path}", s.base);
    let res = if method == "GET" {
        s.agent.get(&url).header("Cookie", cookie).call().unwrap()
    } else {
        let mut rq = s.agent.post(&url).header("Cookie", cookie);
        if let Some(t) = csrf {
            rq = rq.header("X-CSRF-Token", t);
        }
        rq.send_json(body.unwrap_or(json!({}))).unwrap()
    };
    res.status().as_u16()
}

#[test]
fn sign_in_cookie_csrf_lockout_and_sign_out() {
    let s = common::start(1 << 20);
    let hash = kensa_server::users::hash_password("correct horse battery").unwrap();
    assert!(hash.starts_with("$argon2id$"));
    {
        let mut acc = kensa_store::accounts::Accounts::open(&s.db).unwrap();
        acc.create_user("tanaka", "analyst", &hash).unwrap();
        acc.create_user("sato", "analyst", &hash).unwrap();
        assert!(acc.create_user("tanaka", "lead", &hash).is_err());
    }
    let (st, _) = s.post_json(
        "/v1/events",
        "ingest",
        &json!([{"kind":"subject","subject_id":"u1","source":"freelance_platform"},
                 {"kind":"login","subject_id":"u1","at":"2026-10-01T00:00:00Z","ip":"198.51.100.7"}]),
    );
    assert_eq!(st, 200);

    // A wrong password and an unknown name get the same answer.
    let (st1, c1, v1) = login(&s, "tanaka", "wrong");
    let (st2, _, v2) = login(&s, "nobody", "wrong");
    assert_eq!((st1, st2), (401, 401));
    assert!(c1.is_none());
    assert_eq!(v1["error"]["message"], v2["error"]["message"]);

    // Signed in: an HttpOnly, SameSite=Strict cookie and a CSRF token.
    let (st, cookie, info) = login(&s, "tanaka", "correct horse battery");
    assert_eq!(st, 200, "{info}");
    let set = cookie.unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();
    let csrf = info["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(info["role"], "analyst");
    assert_eq!(
        with_cookie(&s, "GET", "/v1/subjects/u1", &cookie, None, None),
        200
    );
    assert_eq!(
        with_cookie(&s, "GET", "/v1/verify", &cookie, None, None),
        403
    );
    // A change without the token (what a forged cross-site form would send): refused.
    let decision = json!({"decision":"escalate","reason":"second look"});
    assert_eq!(
        with_cookie(
            &s,
            "POST",
            "/v1/subjects/u1/decisions",
            &cookie,
            None,
            Some(decision.clone())
        ),
        403
    );
    assert_eq!(
        with_cookie(
            &s,
            "POST",
            "/v1/subjects/u1/decisions",
            &cookie,
            Some("0000"),
            Some(decision.clone())
        ),
        403
    );
    assert_eq!(
        with_cookie(
            &s,
            "POST",
            "/v1/subjects/u1/decisions",
            &cookie,
            Some(&csrf),
            Some(decision)
        ),
        201
    );
    let (_, v) = s.call("GET", "/v1/subjects/u1", Some("auditor"), None);
    assert_eq!(v["decisions"][0]["by"], "tanaka");

    // Signed out: the cookie no longer works.
    assert_eq!(
        with_cookie(&s, "POST", "/logout", &cookie, Some(&csrf), None),
        204
    );
    assert_eq!(
        with_cookie(&s, "GET", "/v1/subjects/u1", &cookie, None, None),
        401
    );

    // A sign-in form posted from another site is refused.
    let r = s
        .agent
        .post(format!("{}/login", s.base))
        .header("Origin", "https://evil.example")
        .send_json(json!({"name": "tanaka", "password": "correct horse battery"}))
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Lock-out: five failures in a row lock the account, even against the right password;
    // another person is not affected.
    for _ in 0..kensa_server::users::MAX_FAILURES {
        assert_eq!(login(&s, "sato", "guess").0, 401);
    }
    assert_eq!(login(&s, "sato", "correct horse battery").0, 401);
    assert_eq!(login(&s, "tanaka", "correct horse battery").0, 200);
    let acc = kensa_store::accounts::Accounts::open(&s.db).unwrap();
    let sato = acc.user("sato").unwrap().unwrap();
    assert!(sato.locked_until_ms > 0 && sato.failed_attempts >= kensa_server::users::MAX_FAILURES);
}
