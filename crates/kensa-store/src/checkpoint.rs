//! Checkpointing the write-ahead log off the writer's path.
//!
//! SQLite copies the WAL back into the database file (a *checkpoint*) when it has grown past
//! `wal_autocheckpoint` pages, inside the commit that crossed the mark: that commit then takes
//! 100–180 ms instead of about one, and a server answering single events holds every queued
//! request for it (the p99 of `bench/serve.sh`). [`Store::checkpoint_in_background`] turns
//! the automatic checkpoint off for the store's connection and runs passive checkpoints from a
//! second connection on a thread of its own instead. A passive checkpoint never blocks the
//! writer; the writer starts the log over at its next commit once everything has been copied
//! (between the batches of a server there is always such a moment). Should the log still grow
//! past [`HARD_LIMIT_BYTES`] (a writer that never pauses), a restarting checkpoint waits for
//! the writer once and starts it over.

use crate::{Result, Store};
use rusqlite::Connection;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How often the thread checkpoints.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// Past this much log, the thread checkpoints with `RESTART` (waits for the writer once, and
/// the next commit starts the log over) instead of `PASSIVE`.
pub const HARD_LIMIT_BYTES: i64 = 256 << 20;

#[derive(Default)]
struct State {
    stop: bool,
    /// Checkpoint rounds completed.
    rounds: u64,
    /// What the last round reported: (frames in the log, frames copied).
    last: (i64, i64),
}

/// The checkpointing thread of a store; stops (and is joined) when dropped.
pub struct Checkpointer {
    shared: Arc<(Mutex<State>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Store {
    /// Moves WAL checkpoints to a thread of its own (see the [module](crate::checkpoint)
    /// documentation): what a long-running writer whose commits must stay short (`kensa
    /// serve`) does. The store keeps working without the thread being alive: if it stops, the
    /// log only grows until the store is closed (closing checkpoints).
    pub fn checkpoint_in_background(&mut self) -> Result<Checkpointer> {
        // The file this connection has open (never created anew: a wrong path must fail here,
        // not leave the real log growing while another file is checkpointed).
        let path = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| self.path.clone());
        let flags =
            rusqlite::OpenFlags::default().difference(rusqlite::OpenFlags::SQLITE_OPEN_CREATE);
        let conn = Connection::open_with_flags(&path, flags)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        let page: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        let shared: Arc<(Mutex<State>, Condvar)> = Default::default();
        let s = shared.clone();
        let hard_frames = HARD_LIMIT_BYTES / page.max(512);
        let thread = std::thread::Builder::new()
            .name("kensa-checkpoint".into())
            .spawn(move || {
                // However the loop ends (a panic included), waiters are told.
                let _done = Finished(&s);
                run(conn, &s, hard_frames)
            })
            .map_err(|e| {
                crate::StoreError::Refused(format!("cannot start the checkpoint thread: {e}"))
            })?;
        let ck = Checkpointer {
            shared,
            thread: Some(thread),
        };
        // Off only once the thread runs (dropping `ck` on an error stops it again).
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(ck)
    }
}

fn run(conn: Connection, shared: &(Mutex<State>, Condvar), hard_frames: i64) {
    let (lock, cv) = shared;
    loop {
        {
            let Ok(st) = lock.lock() else { return };
            let Ok((st, _)) = cv.wait_timeout_while(st, INTERVAL, |s| !s.stop) else {
                return;
            };
            if st.stop {
                return;
            }
        }
        let done = match checkpoint(&conn, "PASSIVE") {
            // Past the limit in all, not in frames left to copy: a writer that never pauses
            // never finds the log wholly copied when its next transaction starts, so it never
            // starts the log over, however well the passive rounds keep up (the log reached
            // 3.5 GB in a minute of continuous batches; now it stays near the limit).
            Ok((log, _)) if log > hard_frames => checkpoint(&conn, "RESTART"),
            other => other,
        };
        let Ok(mut st) = lock.lock() else { return };
        match done {
            Ok(frames) => st.last = frames,
            Err(e) => {
                tracing::warn!(error = %e, "checkpointing the evidence log's WAL failed (retried)")
            }
        }
        st.rounds += 1;
        cv.notify_all();
    }
}

/// Marks the thread stopped and wakes waiters when dropped.
struct Finished<'a>(&'a (Mutex<State>, Condvar));

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        let (lock, cv) = self.0;
        let mut st = match lock.lock() {
            Ok(st) => st,
            Err(poisoned) => poisoned.into_inner(),
        };
        st.stop = true;
        cv.notify_all();
    }
}

/// Runs a checkpoint; returns (frames in the log, frames copied).
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}

impl Checkpointer {
    /// Waits until a checkpoint round that started after this call has finished (tests, and
    /// callers that want the log copied before they go on). Returns false if the thread ended.
    pub fn wait_round(&self) -> bool {
        let (lock, cv) = &*self.shared;
        let Ok(st) = lock.lock() else { return false };
        // The round in progress may have started before the call: wait for the one after.
        let target = st.rounds + 2;
        match cv.wait_while(st, |s| s.rounds < target && !s.stop) {
            Ok(st) => st.rounds >= target,
            Err(_) => false,
        }
    }
}

impl Checkpointer {
    /// What the last round found: (frames in the log, frames copied into the database).
    pub fn last_round(&self) -> (i64, i64) {
        let (lock, _) = &*self.shared;
        match lock.lock() {
            Ok(st) => st.last,
            Err(p) => p.into_inner().last,
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, cv) = &*self.shared;
        if let Ok(mut st) = lock.lock() {
            st.stop = true;
        }
        cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
