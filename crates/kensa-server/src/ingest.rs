//! Group commit for `/v1/events`: requests that arrive while the engine is busy are merged
//! into one engine call (one transaction, one re-evaluation of the subjects they touch) and
//! each gets back its own share. Under load a request then waits for at most the batch ahead
//! of it plus its own, instead of a queue of single commits: the per-call costs (the commits,
//! the result and batch entries, collecting results) are paid once for many requests.
//!
//! Embedded, with a second connection to the store ([`AppState::with_record_store`]), the
//! loop is a pipeline of two threads: one appends a merged batch's records (the commit that
//! makes them durable) while the other evaluates the batch stored before it and answers its
//! requests. Storing and evaluating used to take turns on one thread, and under load a third
//! of the two cores sat idle. A request is still answered only after its records are stored
//! and its subjects re-scored. Batches are evaluated in the order they were stored; the
//! workspace is loaded before the first one is stored (it would otherwise load those records
//! and then add them again). A workspace that follows a shared log stores and evaluates in
//! turn, on one thread.
//!
//! The threads hold the server state weakly, so they end with the server.

use crate::AppState;
use crate::error::ApiError;
use kensa_model::Validated;
use kensa_model::finding::SubjectResult;
use kensa_store::Outcome;
use std::collections::BTreeSet;
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Weak};

/// At most this many records are merged into one engine call.
const MAX_MERGED: usize = 20_000;

/// A request's share of a merged call.
pub struct Share {
    pub outcomes: Vec<kensa_store::Outcome>,
    /// The new results of the subjects this request's records touched.
    pub results: Vec<SubjectResult>,
}

pub(crate) struct Job {
    pub records: Vec<Validated>,
    pub reply: tokio::sync::oneshot::Sender<Result<Share, ApiError>>,
}

/// Starts the loop; returns the queue's sender.
pub(crate) fn start(state: Weak<AppState>) -> (Sender<Job>, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let t = std::thread::Builder::new()
        .name("kensa-ingest".into())
        .spawn(move || {
            if pipelined(&state) {
                // One stored batch may wait while another is evaluated; the store thread then
                // waits too, and the requests queued meanwhile merge into its next batch.
                let (stored_tx, stored_rx) = std::sync::mpsc::sync_channel::<Merged>(1);
                let st = state.clone();
                let store = std::thread::Builder::new()
                    .name("kensa-ingest-store".into())
                    .spawn(move || store_loop(st, rx, stored_tx))
                    .expect("the ingest store thread starts");
                apply_loop(state, stored_rx);
                let _ = store.join();
            } else {
                run(state, rx)
            }
        })
        .expect("the ingest thread starts");
    (tx, t)
}

/// Whether batches are stored on a connection of their own, ahead of their evaluation; loads
/// the workspace first when they are.
fn pipelined(state: &Weak<AppState>) -> bool {
    let Some(st) = state.upgrade() else {
        return false;
    };
    if st.record_store.is_none() || st.cluster.is_some() {
        return false;
    }
    let Ok(mut ws) = st.ws.lock() else {
        return false;
    };
    !ws.is_following() && ws.load(&kensa_engine::NoProgress).is_ok()
}

/// Requests merged into one engine call.
#[derive(Default)]
struct Merged {
    records: Vec<Validated>,
    /// One per record, once stored.
    outcomes: Vec<Outcome>,
    /// Per request: its first record, its number of records, the subjects they name.
    spans: Vec<Span>,
    replies: Vec<Reply>,
}

type Span = (usize, usize, BTreeSet<String>);
type Reply = tokio::sync::oneshot::Sender<Result<Share, ApiError>>;

impl Merged {
    fn push(&mut self, j: Job) {
        let subjects: BTreeSet<String> = j
            .records
            .iter()
            .map(|r| r.record.subject_id().to_owned())
            .collect();
        self.spans
            .push((self.records.len(), j.records.len(), subjects));
        self.records.extend(j.records);
        self.replies.push(j.reply);
    }

    /// Another stored batch behind this one, evaluated with it.
    fn append(&mut self, mut other: Merged) {
        let base = self.records.len();
        self.records.append(&mut other.records);
        self.outcomes.append(&mut other.outcomes);
        self.spans.extend(
            other
                .spans
                .into_iter()
                .map(|(start, len, subjects)| (base + start, len, subjects)),
        );
        self.replies.append(&mut other.replies);
    }
}

/// The next requests, merged: the first to arrive and whatever else is queued, up to
/// [`MAX_MERGED`] records. `None` when the server is gone.
fn next_merged(rx: &Receiver<Job>) -> Option<Merged> {
    let first = rx.recv().ok()?;
    let mut m = Merged::default();
    m.push(first);
    while m.records.len() < MAX_MERGED {
        match rx.try_recv() {
            Ok(j) => m.push(j),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        }
    }
    Some(m)
}

/// Stores and evaluates each merged batch in turn.
fn run(state: Weak<AppState>, rx: Receiver<Job>) {
    while let Some(m) = next_merged(&rx) {
        let Some(state) = state.upgrade() else {
            return;
        };
        let submitted = match state.ws.lock() {
            Ok(mut ws) => ws.submit(m.records).map_err(|e| e.to_string()),
            Err(_) => Err("poisoned".to_owned()),
        };
        answer(&state, m.spans, m.replies, submitted);
    }
}

/// The pipeline's first thread: appends each merged batch's records and hands the batch on.
fn store_loop(state: Weak<AppState>, rx: Receiver<Job>, next: SyncSender<Merged>) {
    while let Some(mut m) = next_merged(&rx) {
        let Some(st) = state.upgrade() else {
            return;
        };
        let stored = match st.record_store.as_ref().map(|s| s.lock()) {
            Some(Ok(mut store)) => {
                let refs: Vec<&Validated> = m.records.iter().collect();
                if refs.is_empty() {
                    Ok(Vec::new())
                } else {
                    store.append_records(&refs).map_err(|e| e.to_string())
                }
            }
            _ => Err("the record store is unavailable".to_owned()),
        };
        match stored {
            Ok(outcomes) => {
                m.outcomes = outcomes;
                drop(st);
                if next.send(m).is_err() {
                    return;
                }
            }
            Err(e) => answer(&st, m.spans, m.replies, Err(e)),
        }
    }
}

/// The pipeline's second thread: evaluates stored batches (those waiting, together) and
/// answers their requests.
fn apply_loop(state: Weak<AppState>, rx: Receiver<Merged>) {
    while let Ok(mut m) = rx.recv() {
        while let Ok(more) = rx.try_recv() {
            m.append(more);
        }
        let Some(state) = state.upgrade() else {
            return;
        };
        let submitted = match state.ws.lock() {
            Ok(mut ws) => ws
                .apply_stored(m.records, m.outcomes)
                .map_err(|e| e.to_string()),
            Err(_) => Err("poisoned".to_owned()),
        };
        answer(&state, m.spans, m.replies, submitted);
    }
}

/// Hands each request its share of a merged call's answer (or the error).
fn answer(
    state: &Arc<AppState>,
    spans: Vec<Span>,
    replies: Vec<Reply>,
    submitted: Result<kensa_engine::Submitted, String>,
) {
    match submitted {
        Ok(s) => {
            crate::api::tier_events(state, s.results.iter().chain(&s.also_changed));
            // Each result goes to the requests that named its subject: moved to the last of
            // them, cloned for the others (results are the biggest thing a batch handles).
            let mut shares: Vec<Vec<SubjectResult>> = vec![Vec::new(); spans.len()];
            for r in s.results {
                let wanting: Vec<usize> = spans
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, _, subjects))| subjects.contains(&r.subject_id))
                    .map(|(k, _)| k)
                    .collect();
                if let Some((&last, others)) = wanting.split_last() {
                    for &k in others {
                        shares[k].push(r.clone());
                    }
                    shares[last].push(r);
                }
            }
            for (((start, len, _), reply), results) in spans.into_iter().zip(replies).zip(shares) {
                let _ = reply.send(Ok(Share {
                    outcomes: s.outcomes[start..start + len].to_vec(),
                    results,
                }));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "storing a batch of events failed");
            for reply in replies {
                let _ = reply.send(Err(ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the records may not have been stored (logged): send them again — a record already stored counts as a duplicate, never twice",
                )));
            }
        }
    }
}
