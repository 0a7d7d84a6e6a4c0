//! Multi-node mode (`kensa serve --store postgres://... --nats ...`, docs/scale.md): the API
//! server stores nothing itself. `/v1/events` checks which records are already stored,
//! publishes the new ones to the JetStream stream (partitioned by subject), and either answers
//! 202 once JetStream has them or waits until the partition workers have stored them and
//! answers with the touched subjects' results.
//!
//! The server keeps a workspace that follows the shared log ([`kensa_engine::Workspace::following`],
//! owning no subject): a follower thread wakes on PostgreSQL's notification of new records,
//! reads them, re-evaluates what they change (the same results the workers log), sends
//! webhooks for tier changes, and releases the requests waiting for those records.

use crate::AppState;
use crate::error::ApiError;
use kensa_model::Validated;
use kensa_store::Outcome;
use kensa_store::postgres::{LogListener, PgStore};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// How a multi-node server reaches the stream and the shared store.
pub struct Cluster {
    publisher: Mutex<kensa_stream::Publisher>,
    /// A connection of its own for duplicate checks (the workspace's is busy following).
    probe: PgStore,
    url: String,
    waiters: Mutex<Waiters>,
    /// How long `/v1/events` waits for the workers before answering 202.
    pub wait_timeout: Duration,
    /// Batches larger than this are answered 202 unless `?wait=true` asks otherwise.
    pub wait_max_records: usize,
    /// The last log entry the follower read.
    pub followed: AtomicI64,
}

impl Cluster {
    /// Connects to the store (`store_url`) and the stream.
    pub fn connect(
        store_url: &str,
        nats_url: &str,
        names: &kensa_stream::Names,
        partitions: u32,
    ) -> Result<Cluster, String> {
        let publisher = kensa_stream::Publisher::connect(nats_url, names, partitions)
            .map_err(|e| e.to_string())?;
        let probe = PgStore::open(store_url).map_err(|e| e.to_string())?;
        Ok(Cluster {
            publisher: Mutex::new(publisher),
            probe,
            url: store_url.to_owned(),
            waiters: Mutex::new(Waiters::default()),
            wait_timeout: Duration::from_secs(30),
            wait_max_records: 1000,
            followed: AtomicI64::new(0),
        })
    }

    /// Each partition's lag (`None`: no worker has consumed it yet).
    pub fn lags(&self) -> Result<Vec<Option<u64>>, String> {
        self.publisher
            .lock()
            .map_err(|_| "poisoned".to_owned())?
            .lags()
            .map_err(|e| e.to_string())
    }

    /// Whether the shared store answers.
    pub fn store_answers(&self) -> Result<(), String> {
        use kensa_store::EvidenceStore as _;
        self.probe.head().map(|_| ()).map_err(|e| e.to_string())
    }

    /// The shared store's URL (with any password: never shown).
    pub fn store_url(&self) -> &str {
        &self.url
    }
}

/// Requests waiting for records to appear in the log.
#[derive(Default)]
struct Waiters {
    /// Record id → the requests waiting for it, each with the SHA-256 of its copy's body.
    ids: HashMap<String, Vec<(u64, [u8; 32])>>,
    reqs: HashMap<u64, Waiting>,
    next: u64,
}

struct Waiting {
    /// Records still missing.
    left: usize,
    ids: Vec<String>,
    /// Ids stored with other content than this request's copy (another request's copy came
    /// first): conflicts, not stored.
    conflicts: Vec<String>,
    tx: tokio::sync::oneshot::Sender<Vec<String>>,
}

impl Waiters {
    fn register(
        &mut self,
        recs: &[(&str, [u8; 32])],
    ) -> (u64, tokio::sync::oneshot::Receiver<Vec<String>>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let req = self.next;
        self.next += 1;
        if recs.is_empty() {
            let _ = tx.send(Vec::new());
            return (req, rx);
        }
        for (id, hash) in recs {
            self.ids
                .entry((*id).to_owned())
                .or_default()
                .push((req, *hash));
        }
        self.reqs.insert(
            req,
            Waiting {
                left: recs.len(),
                ids: recs.iter().map(|(id, _)| (*id).to_owned()).collect(),
                conflicts: Vec::new(),
                tx,
            },
        );
        (req, rx)
    }

    /// A record was stored (read from the log) with this body hash.
    fn seen(&mut self, id: &str, hash: &[u8; 32]) {
        for (req, want) in self.ids.remove(id).unwrap_or_default() {
            let Some(w) = self.reqs.get_mut(&req) else {
                continue;
            };
            if &want != hash {
                w.conflicts.push(id.to_owned());
            }
            w.left -= 1;
            if w.left == 0
                && let Some(w) = self.reqs.remove(&req)
            {
                let _ = w.tx.send(w.conflicts);
            }
        }
    }

    /// A request that stopped waiting.
    fn forget(&mut self, req: u64) {
        if let Some(w) = self.reqs.remove(&req) {
            for id in w.ids {
                if let Some(v) = self.ids.get_mut(&id) {
                    v.retain(|(r, _)| *r != req);
                    if v.is_empty() {
                        self.ids.remove(&id);
                    }
                }
            }
        }
    }
}

/// Starts the follower thread (it ends with the server: it holds the state weakly).
pub fn start_follower(state: Weak<AppState>, store_url: &str) -> Result<(), String> {
    let mut listener = LogListener::open(store_url).map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("kensa-follow".into())
        .spawn(move || {
            loop {
                // The timeout only lets the thread notice that the server has ended; new
                // records wake it through the notification.
                listener.wait(Duration::from_secs(1));
                let Some(state) = state.upgrade() else {
                    return;
                };
                follow_once(&state);
            }
        })
        .map_err(|e| format!("cannot start the follower thread: {e}"))?;
    Ok(())
}

/// Reads what the workers stored, updates the server's state and releases waiting requests.
pub fn follow_once(state: &Arc<AppState>) {
    let Some(cluster) = &state.cluster else {
        return;
    };
    let followed = match state.ws.lock() {
        Ok(mut ws) => ws.follow(),
        Err(_) => return,
    };
    match followed {
        Ok(f) => {
            cluster.followed.store(f.seen, Ordering::Relaxed);
            if f.record_ids.is_empty() {
                return;
            }
            crate::api::tier_events(state, f.rescored.iter());
            if let Ok(mut w) = cluster.waiters.lock() {
                for (id, hash) in f.record_ids.iter().zip(&f.body_hashes) {
                    w.seen(id, hash);
                }
            }
        }
        // Logged without detail that could name a subject; the next wake tries again.
        Err(e) => tracing::warn!(error = %e, "following the shared log failed"),
    }
}

/// What `/v1/events` gets back in multi-node mode.
pub struct Published {
    /// One outcome per record: `Stored` for a record handed to the workers.
    pub outcomes: Vec<Outcome>,
    /// Whether the workers stored the new records in time (and `results` holds their subjects'
    /// results).
    pub done: bool,
    pub results: Vec<kensa_model::finding::SubjectResult>,
}

/// Publishes the new records and, with `wait`, waits for the workers to store them.
pub async fn publish(
    state: &Arc<AppState>,
    records: Vec<Validated>,
    wait: bool,
) -> Result<Published, ApiError> {
    let st = state.clone();
    let unavailable = |e: String| {
        tracing::error!(error = %e, "handing events to the stream failed");
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the records may not have been accepted (logged): send them again — a record already stored counts as a duplicate, never twice",
        )
    };
    let (mut outcomes, sent_ids, new, touched, req, rx) = tokio::task::spawn_blocking(move || {
        let cluster = st.cluster.as_ref().expect("multi-node mode");
        let refs: Vec<&Validated> = records.iter().collect();
        let known = cluster.probe.probe(&refs).map_err(|e| e.to_string())?;
        // The first copy of an id in the request is the one handed on; later copies are
        // duplicates or conflicts of it.
        let mut first: HashMap<&str, &[u8]> = HashMap::new();
        let mut outcomes = Vec::with_capacity(records.len());
        let mut new = Vec::new();
        for (r, k) in records.iter().zip(known) {
            let o = match (k, first.get(r.record_id.as_str())) {
                (Some(o), _) => o,
                (None, Some(h)) if *h == &r.body_hash[..] => Outcome::Duplicate,
                (None, Some(_)) => Outcome::Conflict,
                (None, None) => {
                    first.insert(&r.record_id, &r.body_hash[..]);
                    new.push(r.clone());
                    Outcome::Stored
                }
            };
            outcomes.push(o);
        }
        let ids: Vec<(&str, [u8; 32])> = new
            .iter()
            .map(|r| (r.record_id.as_str(), r.body_hash))
            .collect();
        let touched: BTreeSet<String> = new.iter().map(|r| r.subject_id().to_owned()).collect();
        // Registered before publishing: the workers may store them before this returns.
        let (req, rx) = cluster
            .waiters
            .lock()
            .map_err(|_| "poisoned".to_owned())?
            .register(&ids);
        let published = cluster
            .publisher
            .lock()
            .map_err(|_| "poisoned".to_owned())
            .and_then(|p| p.publish(&new).map_err(|e| e.to_string()));
        if let Err(e) = published {
            if let Ok(mut w) = cluster.waiters.lock() {
                w.forget(req);
            }
            return Err(e);
        }
        let sent_ids: Vec<String> = records.iter().map(|r| r.record_id.clone()).collect();
        Ok::<_, String>((outcomes, sent_ids, new, touched, req, rx))
    })
    .await
    .map_err(|_| ApiError::internal("the publishing task panicked"))?
    .map_err(unavailable)?;
    let cluster = state.cluster.as_ref().expect("multi-node mode");
    if !wait {
        if let Ok(mut w) = cluster.waiters.lock() {
            w.forget(req);
        }
        return Ok(Published {
            outcomes,
            done: false,
            results: Vec::new(),
        });
    }
    let conflicts = match tokio::time::timeout(cluster.wait_timeout, rx).await {
        Ok(Ok(c)) => Some(c),
        _ => None,
    };
    let conflicts = match conflicts {
        Some(c) => Some(c),
        None => {
            if let Ok(mut w) = cluster.waiters.lock() {
                w.forget(req);
            }
            // A copy sent by another request may have been stored between this request's
            // check and its registration (the follower then read it before anyone waited):
            // look again before answering 202.
            let st = state.clone();
            tokio::task::spawn_blocking(move || {
                let c = st.cluster.as_ref().expect("multi-node mode");
                let refs: Vec<&Validated> = new.iter().collect();
                let known = c.probe.probe(&refs).ok()?;
                known.iter().all(Option::is_some).then(|| {
                    new.iter()
                        .zip(&known)
                        .filter(|(_, k)| **k == Some(Outcome::Conflict))
                        .map(|(r, _)| r.record_id.clone())
                        .collect::<Vec<String>>()
                })
            })
            .await
            .ok()
            .flatten()
        }
    };
    let Some(conflicts) = conflicts else {
        return Ok(Published {
            outcomes,
            done: false,
            results: Vec::new(),
        });
    };
    // Another request's copy was stored first under the same id: this one is a conflict.
    if !conflicts.is_empty() {
        let conflicts: std::collections::HashSet<&str> =
            conflicts.iter().map(String::as_str).collect();
        for (o, id) in outcomes.iter_mut().zip(&sent_ids) {
            if *o == Outcome::Stored && conflicts.contains(id.as_str()) {
                *o = Outcome::Conflict;
            }
        }
    }
    let results = crate::api::with_ws(state, move |ws| {
        let mut out = Vec::new();
        for s in &touched {
            if let Ok(r) = ws.result(s) {
                out.push(r);
            }
        }
        kensa_score::sort_results(&mut out);
        Ok(out)
    })
    .await?;
    Ok(Published {
        outcomes,
        done: true,
        results,
    })
}
