//! `kensa serve`: the real-time decision API over the engine library (`spec/service.md`).
//!
//! One [`kensa_engine::Workspace`] per server, opened and loaded before the server listens;
//! requests that read or change it take it in turn on tokio's blocking pool (SQLite has one
//! writer anyway). Tokens and the access log have their own connection to the same database
//! ([`kensa_store::accounts`]), so authentication does not queue behind the engine.
//!
//! Layers, outermost first: request timeout → metrics and the request log (route template,
//! status, time, caller — never a name, e-mail, IP or token) → authorisation ([`auth`], one
//! table of routes and permissions) → the handler ([`api`]).

pub mod api;
pub mod auth;
pub mod cases;
pub mod cluster;
pub mod error;
pub mod ingest;
pub mod metrics;
pub mod tls;
pub mod ui;
pub mod users;
pub mod webhooks;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use kensa_engine::Workspace;
use kensa_store::accounts::Accounts;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Limits of a server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body accepted (bytes); larger ones get 413.
    pub max_body_bytes: usize,
    /// Time after which a request is answered 408 and abandoned.
    pub request_timeout: Duration,
    /// Mark the session cookie `Secure` (served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 << 20,
            request_timeout: Duration::from_secs(60),
            secure_cookies: false,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub ws: Mutex<Workspace>,
    pub accounts: Mutex<Accounts>,
    pub metrics: metrics::Metrics,
    pub limits: Limits,
    /// Where attachments are kept, content-addressed (`<db>.attachments/`).
    pub attachments: std::path::PathBuf,
    /// Webhook destinations, when configured.
    pub webhooks: Option<webhooks::WebhookConfig>,
    /// Wakes the webhook worker when a delivery is queued.
    pub webhook_wake: tokio::sync::Notify,
    /// The group-commit queue of `/v1/events` ([`ingest`]), started on first use.
    ingest_queue: std::sync::OnceLock<std::sync::mpsc::Sender<ingest::Job>>,
    /// Password checks running at once (argon2id is expensive by design).
    pub sign_in_permits: tokio::sync::Semaphore,
    /// Each subject's tier as last answered, to tell tier changes.
    pub tiers: Mutex<std::collections::HashMap<String, kensa_model::finding::Tier>>,
    /// Multi-node mode: events go to the stream, results come from the workers through the
    /// shared log ([`cluster`]).
    pub cluster: Option<cluster::Cluster>,
}

impl AppState {
    /// Opens the accounts tables beside the workspace's store and loads the engine (reads
    /// every stored record once), so that the first request is answered at full speed.
    pub fn open(
        mut ws: Workspace,
        db: &std::path::Path,
        limits: Limits,
    ) -> Result<AppState, kensa_engine::EngineError> {
        ws.load(&kensa_engine::NoProgress)?;
        let accounts = Accounts::open(db)?;
        let metrics = metrics::Metrics::new();
        let live = ws.live()?;
        metrics.subjects.set(live.len() as i64);
        let tiers = live
            .results_unsorted()
            .iter()
            .map(|r| (r.subject_id.clone(), r.tier))
            .collect();
        let mut attachments = db.as_os_str().to_owned();
        attachments.push(".attachments");
        Ok(AppState {
            ws: Mutex::new(ws),
            accounts: Mutex::new(accounts),
            metrics,
            limits,
            attachments: attachments.into(),
            webhooks: None,
            webhook_wake: tokio::sync::Notify::new(),
            sign_in_permits: tokio::sync::Semaphore::new(2),
            ingest_queue: std::sync::OnceLock::new(),
            tiers: Mutex::new(tiers),
            cluster: None,
        })
    }

    /// Multi-node mode: `/v1/events` publishes to the stream instead of storing (the
    /// workspace must follow the shared store: [`kensa_engine::Workspace::following`]).
    pub fn with_cluster(mut self, c: cluster::Cluster) -> Self {
        self.cluster = Some(c);
        self
    }

    /// The queue of the group-commit loop (started on first use; it ends with the server).
    pub(crate) fn ingest_queue(self: &Arc<Self>) -> &std::sync::mpsc::Sender<ingest::Job> {
        self.ingest_queue
            .get_or_init(|| ingest::start(Arc::downgrade(self)).0)
    }

    /// Sends tier changes, newly critical subjects and decisions to these URLs.
    pub fn with_webhooks(mut self, cfg: webhooks::WebhookConfig) -> Self {
        if !cfg.urls.is_empty() {
            self.webhooks = Some(cfg);
        }
        self
    }
}

/// The router with every endpoint and layer.
pub fn router(state: Arc<AppState>) -> Router {
    let timeout = state.limits.request_timeout;
    let max_body = state.limits.max_body_bytes;
    api::routes()
        .route_layer(from_fn_with_state(state.clone(), auth::authorize))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .fallback(api::fallback)
        .layer(from_fn_with_state(state.clone(), observe))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

/// Counts and logs every request by route template.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    // Bounded label values: any other method is "other".
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |m| m.as_str())
        .to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let secs = start.elapsed().as_secs_f64();
    state
        .metrics
        .requests
        .get_or_create(&metrics::HttpLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        })
        .inc();
    state
        .metrics
        .duration
        .get_or_create(&metrics::RouteLabels {
            route: route.clone(),
        })
        .observe(secs);
    let caller = res
        .extensions()
        .get::<auth::Caller>()
        .map(|c| c.name.clone());
    tracing::info!(
        target: "kensa::access",
        method,
        route,
        status,
        ms = secs * 1000.0,
        caller = caller.as_deref().unwrap_or("-"),
        "request"
    );
    res
}

/// Serves until `shutdown` completes, then finishes the requests in flight. The listener is a
/// [`tokio::net::TcpListener`], or a [`tls::TlsListener`] for HTTPS.
pub async fn serve<L>(
    listener: L,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    if let Some(c) = &state.cluster {
        // (PostgreSQL's synchronous client must not be used on a runtime thread.)
        let (weak, url) = (Arc::downgrade(&state), c.store_url().to_owned());
        tokio::task::spawn_blocking(move || cluster::start_follower(weak, &url))
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)?;
    }
    let worker = tokio::spawn(webhooks::worker(state.clone()));
    let app = router(state);
    let served = axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown)
        .await;
    worker.abort();
    served
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
