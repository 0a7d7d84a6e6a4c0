//! Issue 14 item 2: TLS from certificate files — the API answers over HTTPS with the given
//! certificate, and a plain-HTTP request to the TLS port gets no HTTP answer.

use std::sync::Arc;

#[test]
fn the_api_answers_over_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    // A key that is not the certificate's is refused, naming the problem.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let other_key = dir.path().join("other.pem");
    std::fs::write(&other_key, other.key_pair.serialize_pem()).unwrap();
    let e = kensa_server::tls::server_config(&cert, &other_key).unwrap_err();
    assert!(e.contains("do not fit"), "{e}");
    assert!(kensa_server::tls::server_config(&key, &key).is_err());
    let cfg = kensa_server::tls::server_config(&cert, &key).unwrap();

    let db = dir.path().join("k.db");
    let store = kensa_store::Store::open(&db, kensa_store::Durability::Normal).unwrap();
    let ws = kensa_engine::Workspace::open(Box::new(store), kensa_engine::EngineConfig::builtin());
    let state = Arc::new(kensa_server::AppState::open(ws, &db, Default::default()).unwrap());
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let t = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let l = kensa_server::tls::TlsListener::new(tcp, cfg).unwrap();
            addr_tx
                .send(axum::serve::Listener::local_addr(&l).unwrap())
                .unwrap();
            kensa_server::serve(l, state, async {
                let _ = stop_rx.await;
            })
            .await
            .unwrap();
        });
    });
    let addr = addr_rx.recv().unwrap();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![
            ureq::tls::Certificate::from_der(ck.cert.der()).to_owned(),
        ])))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(format!("https://localhost:{}/healthz", addr.port()))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.body_mut().read_to_string().unwrap().contains("ok"));
    // Authentication works the same over TLS.
    let r = agent
        .get(format!("https://localhost:{}/v1/subjects", addr.port()))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Plain HTTP to the TLS port: no HTTP answer.
    let plain: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(15)))
        .build()
        .into();
    assert!(
        plain
            .get(format!("http://127.0.0.1:{}/healthz", addr.port()))
            .call()
            .is_err()
    );
    stop_tx.send(()).unwrap();
    t.join().unwrap();
}
