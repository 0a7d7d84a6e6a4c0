//! The detection state kept between batches, and the one code path that updates it.
//!
//! [`Live`] holds the data set (every record, grouped by subject), each detector's population
//! state, each subject's direct findings, the findings risk propagation adds, and each
//! subject's current result. [`Live::full`] evaluates everything; [`Live::add`] takes a batch
//! of newly stored records and re-evaluates only what the batch can change:
//!
//! 1. the subjects whose records arrived (*touched*; a review touches its reviewer too), for
//!    every detector;
//! 2. for a detector whose population state reads a kind that arrived
//!    ([`Detector::population_inputs`]): the state is rebuilt and asked which other subjects it
//!    affects ([`kensa_detect::Population::affected`]), and those are re-evaluated too;
//! 3. subjects whose due-diligence checks arrived are re-scored;
//! 4. risk propagation is recomputed from the direct results, and subjects whose propagated
//!    findings changed are re-scored.
//!
//! A full evaluation is the same code with every subject touched, so incremental and full
//! results agree by construction of each step (and a test checks the whole).

use kensa_detect::util::map_maybe_par;
use kensa_detect::{Added, Affected, Change, Dataset, Detector, Finding, Population, Sidecar};
use kensa_model::Record;
use kensa_model::finding::{SubjectResult, Tier};
use kensa_score::Policy;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// What a workspace detects with: reference data, screening and the policy.
#[derive(Clone)]
pub struct EngineConfig {
    /// Reference data for enrichment (`Intel::builtin()` for the offline demo).
    pub intel: Arc<kensa_enrich::Intel>,
    /// Sanctions screening of names and wallets, with its threshold.
    pub screener: Option<(Arc<kensa_screen::Screener>, f64)>,
    pub policy: Policy,
    /// Where the policy came from (`built-in default` or a path), for reports.
    pub policy_label: String,
    /// The policy file's text, hashed into evidence entries.
    pub policy_text: String,
}

impl EngineConfig {
    /// The built-in intel sample, the built-in screening sample and the default policy: what
    /// the offline demo uses.
    pub fn builtin() -> EngineConfig {
        let intel = kensa_enrich::Intel::builtin();
        let screener = kensa_screen::Screener::new(&kensa_screen::builtin_sample());
        EngineConfig {
            intel: Arc::new(intel),
            screener: Some((Arc::new(screener), kensa_screen::DEFAULT_THRESHOLD)),
            policy: Policy::default_policy(),
            policy_label: "built-in default".into(),
            policy_text: kensa_score::DEFAULT_POLICY.into(),
        }
    }

    /// The SHA-256 of the policy text.
    pub fn policy_sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.policy_text.as_bytes()))
    }
}

/// The configuration of a scan: ready, or being loaded on another thread while the records
/// are ingested (intel sources and sanctions lists do not depend on the records, and ingest
/// leaves part of the second core idle: overlapping them saves about a second of a scan).
pub struct EngineSource {
    state: SourceState,
}

enum SourceState {
    Ready(Box<EngineConfig>),
    Loading(std::thread::JoinHandle<Result<EngineConfig, String>>),
    /// Loading failed: the message, returned by every later `get`.
    Failed(String),
}

impl EngineSource {
    /// Starts loading on a thread of its own; the error is a message for the user.
    pub fn spawn(load: impl FnOnce() -> Result<EngineConfig, String> + Send + 'static) -> Self {
        let state = match std::thread::Builder::new()
            .name("kensa-config".into())
            .spawn(load)
        {
            Ok(h) => SourceState::Loading(h),
            Err(e) => SourceState::Failed(format!("cannot start a thread to load intel: {e}")),
        };
        EngineSource { state }
    }

    /// The configuration, waiting for the loading thread if needed.
    pub fn get(&mut self) -> Result<&EngineConfig, crate::EngineError> {
        if matches!(self.state, SourceState::Loading(_)) {
            let taken = std::mem::replace(&mut self.state, SourceState::Failed(String::new()));
            if let SourceState::Loading(h) = taken {
                self.state = match h.join() {
                    Ok(Ok(cfg)) => SourceState::Ready(Box::new(cfg)),
                    Ok(Err(e)) => SourceState::Failed(e),
                    Err(_) => SourceState::Failed(
                        "loading intel and screening lists failed unexpectedly (panic)".into(),
                    ),
                };
            }
        }
        match &self.state {
            SourceState::Ready(cfg) => Ok(cfg),
            SourceState::Failed(e) => Err(crate::EngineError::BadInput(e.clone())),
            SourceState::Loading(_) => Err(crate::EngineError::Internal(
                "intel is still loading".into(),
            )),
        }
    }
}

impl EngineSource {
    /// The configuration itself, waiting for the loading thread if needed.
    pub fn into_config(mut self) -> Result<EngineConfig, crate::EngineError> {
        self.get()?;
        match self.state {
            SourceState::Ready(cfg) => Ok(*cfg),
            SourceState::Failed(e) => Err(crate::EngineError::BadInput(e)),
            SourceState::Loading(_) => Err(crate::EngineError::Internal(
                "intel is still loading".into(),
            )),
        }
    }
}

impl From<EngineConfig> for EngineSource {
    fn from(cfg: EngineConfig) -> Self {
        EngineSource {
            state: SourceState::Ready(Box::new(cfg)),
        }
    }
}

/// The detection state of a workspace.
pub struct Live {
    pub ds: Dataset,
    pub side: Sidecar,
    detectors: Vec<Box<dyn Detector>>,
    pops: Vec<Box<dyn Population>>,
    /// Per subject (index of `ds.subjects`): its direct findings, tagged with the index of the
    /// detector that raised them, in detector order.
    direct: Vec<Vec<(u16, Finding)>>,
    /// Per subject: its result from direct findings only (what propagation starts from).
    direct_results: Vec<SubjectResult>,
    /// Findings risk propagation adds, per subject id.
    propagated: HashMap<String, Vec<Finding>>,
    /// Per subject: its current result.
    results: Vec<SubjectResult>,
    /// The subjects whose `direct_results` are critical: propagation starts from these (kept
    /// here so that a batch does not look at every subject to find them).
    critical_direct: BTreeSet<usize>,
    /// Sanctions hits found (all subjects), for summaries.
    pub sanctions_hits: usize,
    /// Subjects whose result differs from the one before, since [`Live::take_differed`] was
    /// last called.
    differed: Changed,
}

/// Subjects whose result was (re)computed by an update, as indexes of `ds.subjects`.
pub type Changed = BTreeSet<usize>;

/// One subject's findings from each detector that evaluated it (by detector index).
type PerDetector = Vec<(u16, Vec<Finding>)>;

/// What the enrich step needs of a batch: the touched subjects, the new records' IP addresses
/// and the record kinds that arrived.
type Batch<'a> = (
    &'a [usize],
    &'a [std::net::IpAddr],
    &'a BTreeSet<&'static str>,
);

impl Live {
    /// Evaluates a whole data set: enrichment, screening, every detector over every subject,
    /// scoring and propagation.
    pub fn full(ds: Dataset, side: Sidecar, cfg: &EngineConfig) -> Live {
        let detectors = kensa_detect::build_all(&cfg.policy.detectors);
        let pops = detectors
            .iter()
            .map(|_| Box::new(kensa_detect::NoPopulation) as Box<dyn Population>)
            .collect();
        let mut live = Live {
            ds,
            side,
            detectors,
            pops,
            direct: Vec::new(),
            direct_results: Vec::new(),
            propagated: HashMap::new(),
            results: Vec::new(),
            critical_direct: BTreeSet::new(),
            sanctions_hits: 0,
            differed: Changed::new(),
        };
        live.update(cfg, None, false);
        live
    }

    /// Builds what incremental batches need besides the full evaluation (the identifier index:
    /// which subjects hold each address, device, e-mail...). [`Live::add`] builds it on first
    /// use; a long-running process calls this when it opens, so that its first batch is as fast
    /// as the others (at 1M subjects the index takes ~3 s to build).
    pub fn prepare_batches(&mut self, cfg: &EngineConfig) {
        self.ds
            .index_identifiers(&cfg.policy.detectors.shared_identity.graph);
    }

    /// Adds newly stored records (each once: only records the store accepted as new) and
    /// re-evaluates what they can change. Returns the subjects whose result was recomputed.
    pub fn add(&mut self, cfg: &EngineConfig, recs: Vec<(String, Record)>) -> Changed {
        self.prepare_batches(cfg);
        crate::progress::phase_done("batch received");
        // The data set keeps its identifier graphs and updates them, part by part, from what
        // the batch changed (`Dataset::link_graph`).
        let added = self.ds.add_records(&mut self.side, recs);
        // Only addresses and devices arrived, and no identifier two subjects share changed:
        // everything built from shared identifiers stays as it was.
        const LIGHT: [&str; 4] = ["login", "activity", "access", "endpoint"];
        let unshared = !added.shared_changed && added.kinds.iter().all(|k| LIGHT.contains(k));
        crate::progress::phase_done("records added");
        self.update(cfg, Some(&added), unshared)
    }

    /// The subjects whose result differs from the one they had before, since the last call
    /// (every subject after a full evaluation): what a caller that keeps copies of results,
    /// or of their serialised bodies, must refresh.
    pub fn take_differed(&mut self) -> Changed {
        std::mem::take(&mut self.differed)
    }

    /// The detectors in effect (built from the policy).
    pub fn detectors(&self) -> &[Box<dyn Detector>] {
        &self.detectors
    }

    /// A subject's current result.
    pub fn result(&self, subject_id: &str) -> Option<&SubjectResult> {
        self.ds.index_of(subject_id).map(|i| &self.results[i])
    }

    /// Number of subjects with a result.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether no subject has a result yet.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }

    /// Every subject's current result, unsorted, borrowed (for listings that filter first).
    pub fn results_unsorted(&self) -> &[SubjectResult] {
        &self.results
    }

    /// A subject's result by index of `ds.subjects`.
    pub fn result_at(&self, i: usize) -> &SubjectResult {
        &self.results[i]
    }

    /// Every subject's result, in output order (score, highest first, then id).
    pub fn results(&self) -> Vec<SubjectResult> {
        let mut v = self.results.clone();
        kensa_score::sort_results(&mut v);
        v
    }

    /// Every finding detectors raised (propagation aside), in output order.
    pub fn direct_findings(&self) -> Vec<Finding> {
        let mut all: Vec<Finding> = self
            .direct
            .iter()
            .flat_map(|fs| fs.iter().map(|(_, f)| f.clone()))
            .collect();
        kensa_detect::sort_findings(&mut all);
        all
    }

    /// How many findings there are (direct and propagated), without copying them.
    pub fn finding_count(&self) -> usize {
        self.direct.iter().map(Vec::len).sum::<usize>()
            + self.propagated.values().map(Vec::len).sum::<usize>()
    }

    /// Whether any finding (direct or propagated) satisfies `pred`.
    pub fn any_finding(&self, pred: impl Fn(&Finding) -> bool) -> bool {
        self.direct.iter().flatten().any(|(_, f)| pred(f))
            || self.propagated.values().flatten().any(pred)
    }

    fn update(&mut self, cfg: &EngineConfig, added: Option<&Added>, unshared: bool) -> Changed {
        let n = self.ds.subjects.len();
        self.direct.resize_with(n, Vec::new);
        let all: Vec<usize>;
        let touched: &[usize] = match added {
            Some(a) => &a.touched,
            None => {
                all = (0..n).collect();
                &all
            }
        };
        // Enrich and screen what is new.
        self.enrich(cfg, added.map(|a| (touched, a.ips.as_slice(), &a.kinds)));
        if let Some((screener, threshold)) = &cfg.screener {
            match added {
                None => {
                    self.sanctions_hits =
                        crate::screening::screen(&mut self.ds, screener, &cfg.intel, *threshold);
                }
                // Logins, activity and the like carry no name, birth date, nationality or
                // wallet: the touched subjects' screening stands.
                Some(a)
                    if !crate::screening::SCREENED_KINDS
                        .iter()
                        .any(|k| a.kinds.contains(k)) => {}
                Some(_) => {
                    crate::screening::screen_subjects(
                        &mut self.ds,
                        screener,
                        &cfg.intel,
                        *threshold,
                        Some(touched),
                    );
                    self.sanctions_hits = self.ds.sanctions.values().map(Vec::len).sum();
                }
            }
        }

        crate::progress::phase_done("enrich and screen");
        // Detect.
        let touched_ids: HashSet<&str> = touched
            .iter()
            .map(|&i| self.ds.subjects[i].id.as_str())
            .collect();
        let mut rescore: Changed = touched.iter().copied().collect();
        // Phase 1 for every detector (population states updated or rebuilt), and which
        // subjects each must evaluate.
        let mut plan: Vec<(u16, Vec<usize>)> = Vec::with_capacity(self.detectors.len());
        for (di, d) in self.detectors.iter().enumerate() {
            let mut every = added.is_none();
            let mut also: Vec<usize> = Vec::new();
            let rebuild = match added {
                None => true,
                Some(a)
                    if unshared
                        && d.shared_identifiers_only()
                        && !d
                            .direct_population_inputs()
                            .iter()
                            .any(|k| a.kinds.contains(k)) =>
                {
                    false
                }
                Some(a) => d
                    .population_inputs()
                    .iter()
                    .any(|k| *k == "*" || a.kinds.contains(k)),
            };
            // Nothing this detector reads changed: its findings stand.
            if let Some(a) = added
                && !rebuild
                && !d
                    .subject_inputs()
                    .iter()
                    .any(|k| *k == "*" || a.kinds.contains(k))
            {
                continue;
            }
            if rebuild {
                // In place when the detector can; else rebuilt and compared.
                let updated = added.and_then(|a| {
                    let change = Change {
                        touched,
                        touched_ids: &touched_ids,
                        kinds: &a.kinds,
                    };
                    d.update_population(&mut *self.pops[di], &self.ds, &change)
                });
                let reach = match updated {
                    Some(reach) => Some(reach),
                    None => {
                        let new = d.population(&self.ds);
                        let reach = added
                            .is_some()
                            .then(|| new.affected(&*self.pops[di], &touched_ids));
                        self.pops[di] = new;
                        reach
                    }
                };
                match reach {
                    None | Some(Affected::Touched) => {}
                    Some(Affected::All) => every = true,
                    Some(Affected::Also(ids)) => {
                        also = ids.iter().filter_map(|s| self.ds.index_of(s)).collect();
                    }
                }
            }
            let targets: Vec<usize> = if every {
                (0..n).collect()
            } else {
                let mut t: BTreeSet<usize> = touched.iter().copied().collect();
                t.extend(also);
                t.into_iter().collect()
            };
            plan.push((di as u16, targets));
        }
        crate::progress::phase_done("populations");
        // Phase 2 subject by subject: each subject's records (and the intel entries of its
        // addresses) are read by every detector while they are in the CPU's caches, and the
        // pool is handed the batch once instead of once per detector.
        let every_detector: Vec<u16> = plan.iter().map(|(di, _)| *di).collect();
        let mut wanted: Vec<Vec<u16>> = Vec::new();
        let mut subjects: Vec<usize> = Vec::new();
        // Every detector over every subject (a full evaluation): one shared list of detectors.
        let full = !plan.is_empty() && plan.iter().all(|(_, t)| t.len() == n);
        if !full {
            let mut at: HashMap<usize, usize> = HashMap::new();
            for (di, targets) in &plan {
                for &si in targets {
                    let k = *at.entry(si).or_insert_with(|| {
                        subjects.push(si);
                        wanted.push(Vec::new());
                        subjects.len() - 1
                    });
                    wanted[k].push(*di);
                }
            }
        }
        let work: Vec<(usize, &[u16])> = if full {
            (0..n).map(|si| (si, every_detector.as_slice())).collect()
        } else {
            subjects
                .iter()
                .zip(&wanted)
                .map(|(&si, w)| (si, w.as_slice()))
                .collect()
        };
        let timed = tracing::enabled!(target: "kensa::phase", tracing::Level::DEBUG);
        let spent: Vec<std::sync::atomic::AtomicU64> = (0..self.detectors.len())
            .map(|_| Default::default())
            .collect();
        let (ds, pops, detectors, direct) = (&self.ds, &self.pops, &self.detectors, &self.direct);
        let found: Vec<(usize, PerDetector)> = map_maybe_par(&work, |&(si, dis)| {
            let s = &ds.subjects[si];
            let per = dis
                .iter()
                .map(|&di| {
                    let started = timed.then(std::time::Instant::now);
                    let fs = detectors[di as usize].evaluate(ds, &*pops[di as usize], s);
                    if let Some(t) = started {
                        spent[di as usize].fetch_add(
                            t.elapsed().as_micros() as u64,
                            std::sync::atomic::Ordering::Relaxed,
                        );
                    }
                    (di, fs)
                })
                // Nothing found and nothing there before: nothing to merge (and nothing to
                // hold for every subject of a full evaluation).
                .filter(|(di, fs)| !fs.is_empty() || direct[si].iter().any(|(t, _)| t == di))
                .collect();
            (si, per)
        });
        for (si, per) in found {
            for (tag, fs) in per {
                let slot = &mut self.direct[si];
                let before: Vec<&Finding> = slot
                    .iter()
                    .filter(|(t, _)| *t == tag)
                    .map(|(_, f)| f)
                    .collect();
                let same = before.len() == fs.len() && before.iter().zip(&fs).all(|(a, b)| *a == b);
                if same {
                    continue;
                }
                slot.retain(|(t, _)| *t != tag);
                // Keep detector order: insert after the findings of earlier detectors.
                let at = slot.partition_point(|(t, _)| *t < tag);
                slot.splice(at..at, fs.into_iter().map(|f| (tag, f)));
                rescore.insert(si);
            }
        }
        if timed {
            for (di, _) in &plan {
                let d = &self.detectors[*di as usize];
                let us = spent[*di as usize].load(std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(target: "kensa::phase", detector = d.name(), us, "detector done (CPU time over its subjects)");
            }
        }
        crate::progress::phase_done("detectors");
        if let Some(a) = added {
            rescore.extend(a.checked.iter().filter_map(|s| self.ds.index_of(s)));
        }

        // Score from direct findings.
        let policy = &cfg.policy;
        if self.direct_results.len() < n {
            self.direct_results
                .resize_with(n, || kensa_score::score_subject(policy, "", None, &[]));
            self.results
                .resize_with(n, || kensa_score::score_subject(policy, "", None, &[]));
        }
        let targets: Vec<usize> = if added.is_none() {
            (0..n).collect()
        } else {
            rescore.iter().copied().collect()
        };
        let scored: Vec<(usize, SubjectResult)> =
            map_maybe_par(&targets, |&si| (si, self.score(cfg, si, false)));
        for (si, r) in scored {
            if r.tier == Tier::Critical {
                self.critical_direct.insert(si);
            } else {
                self.critical_direct.remove(&si);
            }
            self.direct_results[si] = r;
        }

        // Propagate from critical subjects; re-score whoever's propagated findings changed.
        crate::progress::phase_done("scored");
        let propagated = self.propagate(cfg);
        crate::progress::phase_done("propagated");
        let mut moved: Changed = rescore;
        for id in propagated.keys().chain(self.propagated.keys()) {
            if propagated.get(id) != self.propagated.get(id)
                && let Some(i) = self.ds.index_of(id)
            {
                moved.insert(i);
            }
        }
        self.propagated = propagated;
        let targets: Vec<usize> = if added.is_none() {
            (0..n).collect()
        } else {
            moved.iter().copied().collect()
        };
        // A subject no propagated finding reaches has its direct result (scored above or in an
        // earlier batch, whenever its findings or checks changed): not scored a second time.
        let scored: Vec<(usize, SubjectResult)> = map_maybe_par(&targets, |&si| {
            let r = if self.propagated.contains_key(&self.ds.subjects[si].id) {
                self.score(cfg, si, true)
            } else {
                self.direct_results[si].clone()
            };
            (si, r)
        });
        let mut changed = Changed::new();
        for (si, r) in scored {
            if self.results[si] != r {
                self.differed.insert(si);
                self.results[si] = r;
            }
            changed.insert(si);
        }
        changed
    }

    /// A subject's result from its direct findings (and its propagated ones when asked).
    fn score(&self, cfg: &EngineConfig, si: usize, with_propagated: bool) -> SubjectResult {
        let s = &self.ds.subjects[si];
        let mut fs: Vec<Finding> = self.direct[si].iter().map(|(_, f)| f.clone()).collect();
        kensa_detect::sort_findings(&mut fs);
        if with_propagated && let Some(p) = self.propagated.get(&s.id) {
            fs.extend(p.iter().cloned());
        }
        kensa_score::score_with_checks(
            &cfg.policy,
            s,
            self.side.checks.get(&s.id).map(Vec::as_slice),
            &fs,
        )
    }

    fn propagate(&self, cfg: &EngineConfig) -> HashMap<String, Vec<Finding>> {
        let p = &cfg.policy.propagation;
        let mut out: HashMap<String, Vec<Finding>> = HashMap::new();
        if !p.enabled || self.critical_direct.is_empty() {
            return out;
        }
        let graph = self
            .ds
            .link_graph(&cfg.policy.detectors.shared_identity.graph);
        let critical: std::collections::BTreeMap<&str, f64> = self
            .critical_direct
            .iter()
            .map(|&i| {
                let r = &self.direct_results[i];
                (r.subject_id.as_str(), r.score)
            })
            .collect();
        for f in kensa_score::propagation::propagate_from(p, &graph, &critical) {
            out.entry(f.subject_id.clone()).or_default().push(f);
        }
        out
    }

    /// Looks up the IP addresses and e-mail addresses not yet enriched: of every subject, or
    /// of a batch (the touched subjects' profiles, the new records' addresses).
    fn enrich(&mut self, cfg: &EngineConfig, batch: Option<Batch<'_>>) {
        if self.ds.shared_lists.len() != cfg.intel.shared_lists().len() {
            self.ds.shared_lists = cfg.intel.shared_lists().to_vec();
        }
        let Some((touched, new_ips, kinds)) = batch else {
            self.ds.attach_intel(&cfg.intel);
            return;
        };
        // E-mail addresses and phone numbers come from profiles only.
        let profiles: &[usize] = if kinds.contains("subject") {
            touched
        } else {
            &[]
        };
        let mut emails = BTreeSet::new();
        for &i in profiles {
            emails.extend(
                self.ds.subjects[i]
                    .profiles
                    .iter()
                    .flat_map(|p| p.r.emails.iter())
                    .map(|e| e.trim().to_lowercase())
                    .filter(|e| !e.is_empty() && !self.ds.email.contains_key(e)),
            );
        }
        let ips: Vec<std::net::IpAddr> = new_ips
            .iter()
            .copied()
            .filter(|ip| !self.ds.ip.contains_key(ip))
            .collect();
        if !profiles.is_empty() {
            self.ds.enrich_phones(Some(profiles));
        }
        let intel = &cfg.intel;
        self.ds.look_up_ips(&ips, intel);
        for e in emails {
            let info = intel.email(&e);
            self.ds.email.insert(e, info);
        }
    }

    /// Results as canonical JSON bodies for the evidence log, for these subjects.
    pub fn result_bodies(&self, subjects: &[usize]) -> Vec<(String, Vec<u8>)> {
        map_maybe_par(subjects, |&i| {
            let r = &self.results[i];
            (
                r.subject_id.clone(),
                kensa_model::canonical::to_canonical(
                    &serde_json::to_value(r).expect("results serialise"),
                ),
            )
        })
    }
}
