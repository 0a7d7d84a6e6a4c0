//! Group commit for `/v1/events`: requests that arrive while the engine is busy are merged
//! into one engine call (one transaction, one re-evaluation of the subjects they touch) and
//! each gets back its own share. Under load a request then waits for at most the batch ahead
//! of it plus its own, instead of a queue of single commits: the per-call costs (the commits,
//! the result and batch entries, collecting results) are paid once for many requests.
//!
//! One thread owns the loop; it holds the server state weakly, so it ends with the server.

use crate::AppState;
use crate::error::ApiError;
use kensa_model::Validated;
use kensa_model::finding::SubjectResult;
use std::collections::BTreeSet;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
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
        .spawn(move || run(state, rx))
        .expect("the ingest thread starts");
    (tx, t)
}

fn run(state: Weak<AppState>, rx: Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        let mut n = jobs[0].records.len();
        while n < MAX_MERGED {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.records.len();
                    jobs.push(j);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let Some(state) = state.upgrade() else {
            return;
        };
        process(&state, jobs);
    }
}

fn process(state: &Arc<AppState>, jobs: Vec<Job>) {
    let mut all = Vec::new();
    let mut spans = Vec::with_capacity(jobs.len());
    let mut replies = Vec::with_capacity(jobs.len());
    for j in jobs {
        let subjects: BTreeSet<String> = j
            .records
            .iter()
            .map(|r| r.record.subject_id().to_owned())
            .collect();
        spans.push((all.len(), j.records.len(), subjects));
        all.extend(j.records);
        replies.push(j.reply);
    }
    let submitted = match state.ws.lock() {
        Ok(mut ws) => ws.submit(all).map_err(|e| e.to_string()),
        Err(_) => Err("poisoned".to_owned()),
    };
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
