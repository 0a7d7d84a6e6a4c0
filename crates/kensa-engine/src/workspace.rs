//! The engine as a library: a [`Workspace`] is opened once (store, intel, screener, policy)
//! and then handed records; it stores them, re-evaluates only the subjects they can change
//! (see [`crate::live`]) and answers with those subjects' new results. A subject's result,
//! records, checks and decisions are read by id. Nothing here touches the filesystem except
//! through the store; writing `subjects.jsonl` or `report.html` is a presentation step on top
//! ([`crate::scan`]).
//!
//! ```no_run
//! use kensa_engine::{EngineConfig, Workspace};
//! use kensa_store::{Durability, Store};
//!
//! let store = Store::open("kensa.db".as_ref(), Durability::Full)?;
//! let mut ws = Workspace::open(Box::new(store), EngineConfig::builtin());
//! let login = kensa_model::validate_value(serde_json::json!({
//!     "kind": "login", "subject_id": "u1", "at": "2026-09-01T00:00:00Z", "ip": "203.0.113.7"
//! }))?;
//! let done = ws.submit(vec![login])?;
//! for r in &done.results {
//!     println!("{} {} {}", r.subject_id, r.score, r.tier.as_str());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::live::{EngineConfig, Live};
use crate::{EngineError, NoProgress, Progress};
use kensa_model::Validated;
use kensa_model::finding::SubjectResult;
use kensa_model::record::Check;
use kensa_store::{EvidenceStore, NewEntry, Outcome, OwnedRecord};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

static RUNS: AtomicU64 = AtomicU64::new(0);

/// A new run id, unique within this process (and, by time and process id, across processes):
/// `{prefix}-{UTC time}-{pid}-{n}`.
pub fn run_id(prefix: &str) -> String {
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    format!(
        "{prefix}-{}-{}-{n}",
        kensa_store::now_rfc3339().replace([':', '-'], ""),
        std::process::id()
    )
}

/// An open workspace.
pub struct Workspace {
    pub(crate) store: Box<dyn EvidenceStore>,
    pub(crate) cfg: EngineConfig,
    live: Option<Live>,
    /// Cases, folded from the log on first use ([`crate::cases`]).
    pub(crate) cases: Option<crate::cases::Cases>,
    /// Per subject, the [`decision_digest`] of the result last appended to the log by this
    /// workspace: a result with the same digest is not appended again.
    logged: std::collections::HashMap<String, u64>,
    /// Subjects (indexes of the data set) whose current result has the digest last logged:
    /// they need not even be compared again until their result changes.
    clean: std::collections::HashSet<usize>,
    /// Set when the store is shared with other writers (multi-node mode): see
    /// [`Workspace::following`].
    follow: Option<Follow>,
}

/// Which subjects' results a workspace appends to the log.
pub type Owned = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// A workspace that follows a shared log.
struct Follow {
    /// The last log entry whose records the detection state holds.
    seen: i64,
    /// Records this workspace stored itself after `seen` (already in the detection state):
    /// skipped, once, when the follower passes them.
    mine: std::collections::HashSet<String>,
    /// `None`: owns no subject (an API server), logs no result.
    owned: Option<Owned>,
}

/// What [`Workspace::follow`] read.
#[derive(Debug, Clone, Default)]
pub struct Followed {
    /// The records other writers stored, now in the detection state (their ids).
    pub record_ids: Vec<String>,
    /// The SHA-256 of each of those records' stored body, in the same order (what
    /// `Validated::body_hash` is for the record as sent: a waiter tells its own copy from
    /// another one with the same id).
    pub body_hashes: Vec<[u8; 32]>,
    /// The recomputed results (every subject's, owned or not).
    pub rescored: Vec<SubjectResult>,
    /// Results appended to the log (owned subjects whose result changed).
    pub results_logged: usize,
    /// The last log entry read.
    pub seen: i64,
}

/// What [`Workspace::submit`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    /// The run id of this batch (the `ref` of its evidence entries).
    pub run_id: String,
    /// One outcome per record handed in, in order.
    pub outcomes: Vec<Outcome>,
    /// The new results of the subjects the stored records touched, in output order.
    pub results: Vec<SubjectResult>,
    /// Results of other subjects that changed because of the batch (shared identifiers, peer
    /// groups, propagation), in output order.
    pub also_changed: Vec<SubjectResult>,
}

/// Everything known about one subject, as an analyst's screen or an API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectView {
    pub subject_id: String,
    /// The current result (score, tier, flags with evidence, due-diligence status).
    pub result: Option<SubjectResult>,
    /// Every stored record about the subject, in log order (canonical JSON).
    pub records: Vec<StoredRecordView>,
    /// The due-diligence checks recorded for the subject, in log order.
    pub checks: Vec<StoredRecordView>,
    /// Decisions, as recorded in the evidence log (JSON), oldest first.
    pub decisions: Vec<serde_json::Value>,
}

/// A stored record as read back.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRecordView {
    pub seq: i64,
    pub record_id: String,
    pub kind: String,
    pub record: serde_json::Value,
}

impl From<OwnedRecord> for StoredRecordView {
    fn from(r: OwnedRecord) -> Self {
        StoredRecordView {
            seq: r.seq,
            record_id: r.record_id,
            kind: r.kind,
            record: serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// What a decision reads of a result, hashed: the score, tier and base score, each flag's
/// id, detector, weight, log-odds and strength, the due-diligence status and the display
/// name — not the flags' evidence lists and explanations. A result is appended to the log
/// when this changes: a new login usually adds one more record id to an evidence list and
/// changes a count in an explanation, and logging ~2 KB per touched subject for that made
/// the log (and the served database's writes) grow by a result per event. `decide` reads the
/// latest logged tier and flags, the API answers the current result from memory, and the
/// records in the log, with the policy hash of each batch entry, reproduce any result.
pub(crate) fn decision_digest(r: &SubjectResult) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
    let mut h = BuildHasherDefault::<std::hash::DefaultHasher>::default().build_hasher();
    r.subject_id.hash(&mut h);
    r.score.to_bits().hash(&mut h);
    r.tier.hash(&mut h);
    r.base_score.to_bits().hash(&mut h);
    r.display_name.hash(&mut h);
    r.flags.len().hash(&mut h);
    for f in &r.flags {
        f.id.hash(&mut h);
        f.detector.hash(&mut h);
        f.weight.to_bits().hash(&mut h);
        f.log_odds.to_bits().hash(&mut h);
        f.strength.to_bits().hash(&mut h);
    }
    // `serde_json::Value` is not `Hash`; its canonical text is.
    r.due_diligence
        .as_ref()
        .map(kensa_model::canonical::to_canonical)
        .hash(&mut h);
    h.finish()
}

/// The [`decision_digest`] of a logged result body; `None` when it does not parse (then the
/// current result is logged again). serde_json may parse a float back one bit off the value
/// it wrote, so a digest read back can differ from the one computed in memory: the cost is one
/// result logged again when a follower starts, never a change left unlogged.
fn body_digest(body: &[u8]) -> Option<u64> {
    serde_json::from_slice::<SubjectResult>(body)
        .ok()
        .map(|r| decision_digest(&r))
}

impl Workspace {
    /// Opens a workspace over a store. Nothing is read until first needed.
    pub fn open(store: Box<dyn EvidenceStore>, cfg: EngineConfig) -> Workspace {
        Workspace {
            store,
            cfg,
            live: None,
            cases: None,
            logged: Default::default(),
            clean: Default::default(),
            follow: None,
        }
    }

    /// Opens a workspace over a store that other processes append to as well (PostgreSQL in
    /// multi-node mode): the detection state is loaded from a snapshot of the log and then kept
    /// up to date by [`Workspace::follow`], which reads what the others stored. Only the results
    /// of subjects `owned` says are this workspace's are appended to the log (a partition
    /// worker owns its partition's subjects; an API server owns none): every workspace
    /// evaluates every subject from the same records, so each result is logged once, by its
    /// owner, and equals what an embedded scan of the same records gives.
    pub fn following(
        store: Box<dyn EvidenceStore>,
        cfg: EngineConfig,
        owned: Option<Owned>,
    ) -> Result<Workspace, EngineError> {
        if !store.followable() {
            return Err(EngineError::BadInput(format!(
                "{}: only a PostgreSQL store is shared by several processes",
                store.location()
            )));
        }
        let mut ws = Workspace::open(store, cfg);
        ws.follow = Some(Follow {
            seen: 0,
            mine: Default::default(),
            owned,
        });
        Ok(ws)
    }

    /// Whether this workspace follows a shared log ([`Workspace::following`]).
    pub fn is_following(&self) -> bool {
        self.follow.is_some()
    }

    /// Reads the records other writers appended since the last call (or since loading), adds
    /// them to the detection state, re-evaluates what they change and appends the changed
    /// results of owned subjects. A no-op for a workspace that does not follow.
    pub fn follow(&mut self) -> Result<Followed, EngineError> {
        /// Records read per query.
        const PAGE: usize = 20_000;
        self.load(&NoProgress)?;
        let Some(f) = self.follow.as_mut() else {
            return Ok(Followed::default());
        };
        // Everything is read before anything changes: a failed read leaves the workspace as
        // it was, to read the same records again next time.
        let mut read = Vec::new();
        let mut seen = f.seen;
        loop {
            let page = self.store.records_after(seen, PAGE)?;
            let n = page.len();
            if let Some(last) = page.last() {
                seen = last.seq;
            }
            read.extend(page);
            if n < PAGE {
                break;
            }
        }
        f.seen = seen;
        let mut out = Followed {
            seen,
            ..Default::default()
        };
        let mut recs = Vec::new();
        for r in read {
            if f.mine.remove(&r.record_id) {
                continue;
            }
            match kensa_model::fast::stored_record(&r.kind, &r.body) {
                Some(rec) => {
                    use sha2::{Digest, Sha256};
                    out.body_hashes.push(Sha256::digest(&r.body).into());
                    out.record_ids.push(r.record_id.clone());
                    recs.push((r.record_id, rec));
                }
                None => tracing::warn!(
                    seq = r.seq,
                    "a stored record no longer validates; run `kensa verify`"
                ),
            }
        }
        if recs.is_empty() {
            return Ok(out);
        }
        let live = self.live.as_mut().expect("loaded above");
        let changed: Vec<usize> = live.add(&self.cfg, recs).into_iter().collect();
        out.rescored = changed.iter().map(|&i| live.result_at(i).clone()).collect();
        let bodies = self.new_bodies(&changed);
        self.log_results(&run_id("follow"), &bodies, None)?;
        out.results_logged = bodies.len();
        Ok(out)
    }

    /// A follower that starts (or starts again after a crash) logs the results of its subjects
    /// that differ from the latest ones in the log: a process killed after storing a batch
    /// and before logging its results leaves them to be logged here (the batch, delivered
    /// again, holds only duplicates and changes nothing).
    fn reconcile(&mut self) -> Result<(), EngineError> {
        let Some(Some(own)) = self.follow.as_ref().map(|f| &f.owned) else {
            return Ok(());
        };
        self.clean.clear();
        for (subject, body) in self.store.latest_per_subject("result")? {
            if own(&subject)
                && let Some(d) = body_digest(&body)
            {
                self.logged.insert(subject, d);
            }
        }
        let live = self.live.as_ref().expect("loaded by the caller");
        let mine: Vec<usize> = (0..live.len())
            .filter(|&i| own(&live.ds.subjects[i].id))
            .collect();
        let bodies = self.new_bodies(&mine);
        self.log_results(&run_id("follow"), &bodies, None)?;
        Ok(())
    }

    /// Appends `result` entries, `ref` = the run id, then `last` (the batch entry that sums
    /// them up) in one transaction, and remembers the results as logged once committed.
    fn log_results(
        &mut self,
        run_id: &str,
        bodies: &[(String, Vec<u8>, u64)],
        last: Option<NewEntry<'_>>,
    ) -> Result<(), EngineError> {
        if bodies.is_empty() && last.is_none() {
            return Ok(());
        }
        self.store.append_entries(
            &mut bodies
                .iter()
                .map(|(s, b, _)| NewEntry {
                    entry_type: "result",
                    r#ref: run_id,
                    subject_id: Some(s.as_str()),
                    body: b.as_slice(),
                })
                .chain(last),
        )?;
        let live = self.live.as_ref();
        for (s, _, d) in bodies {
            self.logged.insert(s.clone(), *d);
            if let Some(i) = live.and_then(|l| l.ds.index_of(s)) {
                self.clean.insert(i);
            }
        }
        Ok(())
    }

    /// The result bodies of these subjects to append to the log: those this workspace owns
    /// (all, unless it follows a shared log) whose [`decision_digest`] differs from that of the
    /// one it last appended, each with its digest.
    fn new_bodies(&mut self, changed: &[usize]) -> Vec<(String, Vec<u8>, u64)> {
        let live = self.live.as_mut().expect("loaded by the caller");
        for i in live.take_differed() {
            self.clean.remove(&i);
        }
        let owned = match &self.follow {
            None => None,
            // Owns nothing: nothing to serialise.
            Some(Follow { owned: None, .. }) => return Vec::new(),
            Some(Follow {
                owned: Some(own), ..
            }) => Some(own),
        };
        let live = self.live.as_ref().expect("loaded by the caller");
        // Compared by digest first: only results whose digest changed are serialised.
        let mut todo: Vec<(usize, u64)> = Vec::new();
        for &i in changed {
            if self.clean.contains(&i) {
                continue;
            }
            let r = live.result_at(i);
            if owned.is_some_and(|own| !own(&r.subject_id)) {
                continue;
            }
            let d = decision_digest(r);
            if self.logged.get(&r.subject_id) == Some(&d) {
                self.clean.insert(i);
            } else {
                todo.push((i, d));
            }
        }
        let subjects: Vec<usize> = todo.iter().map(|(i, _)| *i).collect();
        live.result_bodies(&subjects)
            .into_iter()
            .zip(todo)
            .map(|((s, b), (_, d))| (s, b, d))
            .collect()
    }

    /// Opens a workspace whose detection state is built from an already-loaded data set
    /// (the one-pass scan: records parsed and stored once, never read back).
    pub fn with_dataset(
        store: Box<dyn EvidenceStore>,
        cfg: EngineConfig,
        ds: kensa_detect::Dataset,
        side: kensa_detect::Sidecar,
    ) -> Workspace {
        let mut live = Live::full(ds, side, &cfg);
        live.prepare_batches(&cfg);
        Workspace {
            store,
            cfg,
            live: Some(live),
            cases: None,
            logged: Default::default(),
            clean: Default::default(),
            follow: None,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    pub fn store(&self) -> &dyn EvidenceStore {
        &*self.store
    }

    pub fn store_mut(&mut self) -> &mut dyn EvidenceStore {
        &mut *self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> Box<dyn EvidenceStore> {
        self.store
    }

    /// The detection state, built from the store on first use (every stored record is read
    /// once and every subject evaluated).
    pub fn live(&mut self) -> Result<&mut Live, EngineError> {
        self.load(&NoProgress)
    }

    /// As [`Workspace::live`], reporting progress while loading.
    pub fn load(&mut self, progress: &dyn Progress) -> Result<&mut Live, EngineError> {
        if self.live.is_none() {
            // A follower loads a snapshot up to the head it read first, and follows from there.
            let upto = match &self.follow {
                Some(_) => Some(self.store.head()?.seq),
                None => None,
            };
            let (ds, side) = crate::scan::load_dataset_upto(&*self.store, upto, progress)?;
            if let (Some(f), Some(upto)) = (self.follow.as_mut(), upto) {
                f.seen = upto;
            }
            let reconcile = self.follow.is_some();
            progress.start("detect", 0);
            let mut live = Live::full(ds, side, &self.cfg);
            live.prepare_batches(&self.cfg);
            self.live = Some(live);
            progress.finish();
            if reconcile {
                self.reconcile()?;
            }
        }
        Ok(self.live.as_mut().expect("loaded above"))
    }

    /// Stores records (one transaction; durable when this returns) and re-evaluates the
    /// subjects they touch and those whose findings depend on them. New results are appended
    /// to the evidence log (entry type `result`, ref = the run id) together with one `batch`
    /// entry; a result that differs from the one this workspace last appended for the subject
    /// only in its evidence lists and explanations is not appended again (see
    /// [`decision_digest`]), though it is still answered in full. Records already stored are counted as duplicates and change nothing; a record
    /// reusing a stored id with other content is refused as a conflict (its outcome says so).
    pub fn submit(&mut self, records: Vec<Validated>) -> Result<Submitted, EngineError> {
        self.load(&NoProgress)?;
        crate::progress::phase_done("batch started");
        let run_id = run_id("batch");
        let refs: Vec<&Validated> = records.iter().collect();
        let outcomes = if refs.is_empty() {
            Vec::new()
        } else {
            self.store.append_records(&refs)?
        };
        drop(refs);
        crate::progress::phase_done("records stored");
        let stored: Vec<(String, kensa_model::Record)> = records
            .into_iter()
            .zip(&outcomes)
            .filter(|(_, o)| **o == Outcome::Stored)
            .map(|(v, _)| (v.record_id, v.record))
            .collect();
        let n_stored = stored.len();
        if let Some(f) = self.follow.as_mut() {
            f.mine.extend(stored.iter().map(|(id, _)| id.clone()));
        }
        let live = self.live.as_mut().expect("loaded above");
        let touched: std::collections::BTreeSet<String> = stored
            .iter()
            .map(|(_, r)| r.subject_id().to_owned())
            .collect();
        let changed = if stored.is_empty() {
            Default::default()
        } else {
            live.add(&self.cfg, stored)
        };
        let changed: Vec<usize> = changed.into_iter().collect();
        let bodies = self.new_bodies(&changed);
        let live = self.live.as_mut().expect("loaded above");
        let mut results = Vec::new();
        let mut also_changed = Vec::new();
        for &i in &changed {
            let r = live.result_at(i).clone();
            if touched.contains(&r.subject_id) {
                results.push(r);
            } else {
                also_changed.push(r);
            }
        }
        kensa_score::sort_results(&mut results);
        kensa_score::sort_results(&mut also_changed);
        crate::progress::phase_done("results collected");
        // The results and the batch entry commit together.
        let batch = (n_stored > 0).then(|| {
            kensa_model::canonical::to_canonical(&serde_json::json!({
                "run_id": run_id,
                "records": outcomes.len(),
                "stored": n_stored,
                "rescored": changed.len(),
                "results_logged": bodies.len(),
                "policy_sha256": self.cfg.policy_sha256(),
            }))
        });
        self.log_results(
            &run_id,
            &bodies,
            batch.as_deref().map(|body| NewEntry {
                entry_type: "batch",
                r#ref: &run_id,
                subject_id: None,
                body,
            }),
        )?;
        crate::progress::phase_done("results logged");
        Ok(Submitted {
            run_id,
            outcomes,
            results,
            also_changed,
        })
    }

    /// A subject's current result.
    pub fn result(&mut self, subject_id: &str) -> Result<SubjectResult, EngineError> {
        self.live()?
            .result(subject_id)
            .cloned()
            .ok_or_else(|| EngineError::NotFound(format!("no subject {subject_id:?}")))
    }

    /// Every subject's current result, in output order.
    pub fn results(&mut self) -> Result<Vec<SubjectResult>, EngineError> {
        Ok(self.live()?.results())
    }

    /// A subject's stored records (checks and labels aside), read through the store's
    /// per-subject index.
    pub fn records(&self, subject_id: &str) -> Result<Vec<StoredRecordView>, EngineError> {
        Ok(self
            .store
            .subject_records(subject_id)?
            .into_iter()
            .filter(|r| r.kind != "check" && r.kind != "label")
            .map(StoredRecordView::from)
            .collect())
    }

    /// A subject's due-diligence checks.
    pub fn checks(&self, subject_id: &str) -> Result<Vec<(String, Check)>, EngineError> {
        Ok(crate::act::checks_of(&*self.store, subject_id)?)
    }

    /// A subject's decisions, oldest first.
    pub fn decisions(&self, subject_id: &str) -> Result<Vec<serde_json::Value>, EngineError> {
        Ok(self
            .store
            .subject_entries("decision", subject_id)?
            .into_iter()
            .filter_map(|(_, _, b)| serde_json::from_slice(&b).ok())
            .collect())
    }

    /// Everything about one subject; `NotFound` when nothing is stored about it.
    pub fn subject(&mut self, subject_id: &str) -> Result<SubjectView, EngineError> {
        let result = self.live()?.result(subject_id).cloned();
        let (checks, records): (Vec<StoredRecordView>, Vec<StoredRecordView>) = self
            .store
            .subject_records(subject_id)?
            .into_iter()
            .filter(|r| r.kind != "label")
            .map(StoredRecordView::from)
            .partition(|r| r.kind == "check");
        let decisions = self.decisions(subject_id)?;
        if result.is_none() && records.is_empty() && checks.is_empty() && decisions.is_empty() {
            return Err(EngineError::NotFound(format!("no subject {subject_id:?}")));
        }
        Ok(SubjectView {
            subject_id: subject_id.to_owned(),
            result,
            records,
            checks,
            decisions,
        })
    }
}

impl Workspace {
    /// A subject's neighbourhood in the identifier graph (identifier values masked), from the
    /// live detection state: the graph the link detectors use, built once and cached.
    pub fn neighbourhood(
        &mut self,
        subject_id: &str,
        depth: usize,
    ) -> Result<kensa_detect::link::export::Neighbourhood, EngineError> {
        let params = self.cfg.policy.detectors.shared_identity.graph.clone();
        let live = self.live()?;
        let g = live.ds.link_graph(&params);
        if let Some(n) = kensa_detect::link::export::neighbourhood(&g, subject_id, depth) {
            return Ok(n);
        }
        // A subject that shares nothing is not in the graph: itself alone.
        if live.result(subject_id).is_some() {
            return Ok(kensa_detect::link::export::Neighbourhood {
                subject_id: subject_id.to_owned(),
                depth,
                nodes: vec![kensa_detect::link::export::Node {
                    subject_id: subject_id.to_owned(),
                    hops: 0,
                }],
                edges: vec![],
            });
        }
        Err(EngineError::NotFound(format!("no subject {subject_id:?}")))
    }
}

impl Workspace {
    /// Subjects an analyst's search term points at: an exact identifier — an e-mail address, a
    /// phone number, an IP address seen in logins or activity, a wallet or payout account —
    /// compared without case. (Names and ids are matched by the caller on the results.)
    pub fn subjects_with_identifier(
        &mut self,
        term: &str,
    ) -> Result<std::collections::HashSet<String>, EngineError> {
        let term = term.trim().to_lowercase();
        let ip: Option<std::net::IpAddr> = term.parse().ok();
        let eq = |s: &str| s.trim().eq_ignore_ascii_case(&term);
        let mut out = std::collections::HashSet::new();
        for s in &self.live()?.ds.subjects {
            let hit = s
                .profiles
                .iter()
                .any(|p| p.r.emails.iter().any(|e| eq(e)) || p.r.phones.iter().any(|x| eq(x)))
                || ip.is_some_and(|ip| {
                    s.logins.iter().any(|l| l.r.ip == ip)
                        || s.activities.iter().any(|a| a.r.ip == Some(ip))
                })
                || s.payout_accounts.iter().any(|a| {
                    eq(&a.r.account_id)
                        || a.r
                            .crypto
                            .as_ref()
                            .and_then(|c| c.address.as_deref())
                            .is_some_and(eq)
                })
                || s.payouts.iter().any(|a| {
                    a.r.crypto
                        .as_ref()
                        .and_then(|c| c.address.as_deref())
                        .is_some_and(eq)
                });
            if hit {
                out.insert(s.id.clone());
            }
        }
        Ok(out)
    }

    /// The sources (`freelance_platform`, `payment_platform`, ...) that stated a profile of
    /// each subject.
    pub fn subject_sources(
        &mut self,
    ) -> Result<std::collections::HashMap<String, Vec<String>>, EngineError> {
        Ok(self
            .live()?
            .ds
            .subjects
            .iter()
            .map(|s| {
                let mut v: Vec<String> =
                    s.profiles.iter().map(|p| p.r.source.to_string()).collect();
                v.sort();
                v.dedup();
                (s.id.clone(), v)
            })
            .collect())
    }
}
