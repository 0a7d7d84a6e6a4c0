//! The test server: `kensa serve`'s router on an ephemeral port, one token per role.
#![allow(dead_code)]

use kensa_server::auth::Role;
use kensa_store::accounts::Accounts;
use kensa_store::{Durability, Store};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Server {
    pub base: String,
    pub tokens: BTreeMap<&'static str, String>,
    pub agent: ureq::Agent,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn start(max_body_bytes: usize) -> Server {
    start_with(max_body_bytes, None)
}

pub fn start_with(
    max_body_bytes: usize,
    hooks: Option<kensa_server::webhooks::WebhookConfig>,
) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let store = Store::open(&db, Durability::Normal).unwrap();
    let mut acc = Accounts::open(&db).unwrap();
    let mut tokens = BTreeMap::new();
    for r in Role::ALL {
        tokens.insert(
            r.as_str(),
            acc.create_token(&format!("{}-1", r.as_str()), r.as_str())
                .unwrap()
                .1,
        );
    }
    drop(acc);
    let ws = kensa_engine::Workspace::open(Box::new(store), kensa_engine::EngineConfig::builtin());
    let state = Arc::new(
        kensa_server::AppState::open(
            ws,
            &db,
            kensa_server::Limits {
                max_body_bytes,
                ..Default::default()
            },
        )
        .unwrap()
        .with_webhooks(hooks.unwrap_or(kensa_server::webhooks::WebhookConfig {
            urls: Vec::new(),
            secret: Vec::new(),
            retry_base: std::time::Duration::from_secs(1),
            max_attempts: 1,
            timeout: std::time::Duration::from_secs(1),
        })),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(l.local_addr().unwrap()).unwrap();
            kensa_server::serve(l, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
    });
    let addr = addr_rx.recv().unwrap();
    // Redirects are answers to check, not to follow.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    Server {
        base: format!("http://{addr}"),
        tokens,
        agent,
        stop: Some(tx),
        thread: Some(thread),
        _dir: dir,
        db,
    }
}

impl Server {
    /// (status, JSON body or Null).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        role: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        let token = role.map(|r| self.tokens[r].clone());
        self.call_with(method, path, token.as_deref(), body)
    }

    /// As [`Server::call`] with a raw token (any method).
    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let mut rq = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            rq = rq.header("Authorization", format!("Bearer {t}"));
        }
        let mut res = if method == "GET" || method == "HEAD" {
            self.agent.run(rq.body(()).unwrap()).unwrap()
        } else {
            let (ct, bytes) = body.unwrap_or(("application/json", b"{}".to_vec()));
            rq = rq.header("Content-Type", ct);
            self.agent.run(rq.body(bytes).unwrap()).unwrap()
        };
        let status = res.status().as_u16();
        let text = res.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A JSON request with a raw token.
    pub fn json_with(&self, method: &str, path: &str, token: &str, v: &Value) -> (u16, Value) {
        self.call_with(
            method,
            path,
            Some(token),
            Some(("application/json", serde_json::to_vec(v).unwrap())),
        )
    }

    pub fn post_json(&self, path: &str, role: &str, v: &Value) -> (u16, Value) {
        self.call(
            "POST",
            path,
            Some(role),
            Some(("application/json", serde_json::to_vec(v).unwrap())),
        )
    }
}
