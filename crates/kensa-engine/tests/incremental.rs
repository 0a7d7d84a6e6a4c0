//! Incremental re-scoring gives exactly what one full evaluation gives: the synthetic demo
//! population is fed to a workspace in random batches (seeded; a failure names its seed), and
//! after the last batch every subject's result (score, tier, flags with evidence, due
//! diligence) equals that of one full evaluation of all records. Also: a batch answers with
//! the touched subjects' results, duplicates change nothing, and the store reads a subject's
//! records back by id. All data is synthetic.

use kensa_detect::DatasetBuilder;
use kensa_engine::{EngineConfig, Live, Workspace};
use kensa_model::Validated;
use kensa_store::{Durability, Outcome, Store};
use std::collections::BTreeMap;

fn demo_records() -> Vec<Validated> {
    let demo = kensa_demo::generate(&kensa_demo::DemoConfig::default());
    demo.records
        .iter()
        .map(|v| kensa_model::validate_value(v.clone()).expect("demo records validate"))
        .collect()
}

fn by_subject(results: Vec<kensa_model::finding::SubjectResult>) -> BTreeMap<String, String> {
    results
        .into_iter()
        .map(|r| (r.subject_id.clone(), serde_json::to_string(&r).unwrap()))
        .collect()
}

/// The demo's records (each once), stored and evaluated in a fresh workspace: the records, the
/// configuration, the directory holding the database (keep it alive) and the workspace.
fn demo_workspace() -> (Vec<Validated>, EngineConfig, tempfile::TempDir, Workspace) {
    let mut records = demo_records();
    let mut seen = std::collections::HashSet::new();
    records.retain(|v| seen.insert(v.record_id.clone()));
    let cfg = EngineConfig::builtin();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let mut ws = Workspace::open(Box::new(store), cfg.clone());
    ws.submit(records.clone()).unwrap();
    (records, cfg, dir, ws)
}

/// Every subject's result from one full evaluation of these records.
fn full_results<'a>(
    records: impl Iterator<Item = &'a Validated>,
    cfg: &EngineConfig,
) -> BTreeMap<String, String> {
    let mut b = DatasetBuilder::new();
    for v in records {
        b.add(v.record_id.clone(), v.record.clone());
    }
    let (ds, side) = b.build();
    by_subject(Live::full(ds, side, cfg).results())
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_batches_end_where_one_full_evaluation_ends() {
    let records = demo_records();
    let cfg = EngineConfig::builtin();
    // The demo repeats a few records (as real exports do); the store keeps each once.
    let full = {
        let mut seen = std::collections::HashSet::new();
        full_results(
            records.iter().filter(|v| seen.insert(v.record_id.clone())),
            &cfg,
        )
    };
    for seed in [11u64, 12] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
        let mut ws = Workspace::open(Box::new(store), cfg.clone());
        let mut rng = Rng(seed);
        // Shuffle, then cut into batches of 1 to ~4,000 records (many small ones first: the
        // everyday case is a trickle onto a large population).
        let mut order: Vec<usize> = (0..records.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let mut at = 0;
        let mut batches = 0;
        while at < order.len() {
            let size = if batches < 40 {
                1 + (rng.next() % 20) as usize
            } else {
                1 + (rng.next() % 4000) as usize
            };
            let batch: Vec<Validated> = order[at..(at + size).min(order.len())]
                .iter()
                .map(|&i| records[i].clone())
                .collect();
            at += batch.len();
            let touched: std::collections::BTreeSet<String> =
                batch.iter().map(|v| v.subject_id().to_owned()).collect();
            let done = ws.submit(batch).unwrap();
            assert!(
                done.outcomes
                    .iter()
                    .all(|o| matches!(o, Outcome::Stored | Outcome::Duplicate))
            );
            for r in &done.results {
                assert!(touched.contains(&r.subject_id));
            }
            batches += 1;
        }
        let got = by_subject(ws.results().unwrap());
        assert_eq!(got.len(), full.len(), "seed {seed}: subject count");
        for (id, want) in &full {
            let have = got.get(id).map(String::as_str).unwrap_or("(missing)");
            if have != want {
                let at = have
                    .char_indices()
                    .zip(want.chars())
                    .find(|((_, a), b)| a != b)
                    .map(|((i, _), _)| i)
                    .unwrap_or(have.len().min(want.len()));
                let from = at.saturating_sub(150);
                panic!(
                    "seed {seed}: subject {id} differs after {batches} batches, at byte {at}:\n incremental: …{}\n full:        …{}",
                    have.get(from..(at + 150).min(have.len())).unwrap_or(have),
                    want.get(from..(at + 150).min(want.len())).unwrap_or(want),
                );
            }
        }
        // Re-sending records stores nothing and changes nothing.
        let again = ws.submit(records[..50].to_vec()).unwrap();
        assert!(again.outcomes.iter().all(|o| *o == Outcome::Duplicate));
        assert!(again.results.is_empty() && again.also_changed.is_empty());
    }
}

#[test]
fn a_workspace_reads_a_subject_by_id_and_says_what_is_missing() {
    let records = demo_records();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let mut ws = Workspace::open(Box::new(store), EngineConfig::builtin());
    let done = ws.submit(records.clone()).unwrap();
    assert!(!done.results.is_empty());
    let sid = records[0].subject_id().to_owned();
    let view = ws.subject(&sid).unwrap();
    let want = records
        .iter()
        .filter(|v| v.subject_id() == sid && !matches!(v.kind.as_str(), "check" | "label"))
        .count();
    assert_eq!(view.records.len(), want);
    assert_eq!(view.result.as_ref().unwrap().subject_id, sid);
    let err = ws.subject("no-such-subject").unwrap_err();
    assert_eq!(err.kind(), kensa_engine::ErrorKind::NotFound);
    // A workspace opened afresh on the same store gives the same results (it loads and
    // evaluates what is stored).
    let before = by_subject(ws.results().unwrap());
    let store = ws.into_store();
    let mut again = Workspace::open(store, EngineConfig::builtin());
    assert_eq!(by_subject(again.results().unwrap()), before);
}

#[test]
fn run_ids_are_unique_within_a_process() {
    let ids: std::collections::HashSet<String> =
        (0..1000).map(|_| kensa_engine::run_id("scan")).collect();
    assert_eq!(ids.len(), 1000);
}

/// The everyday trickle: one login at a time, mostly from addresses nobody else uses (the
/// identifier graph is then kept, not rebuilt), sometimes from another subject's address (it
/// is rebuilt). The end equals one full evaluation of everything.
#[test]
fn a_trickle_of_single_logins_ends_where_one_full_evaluation_ends() {
    let (records, cfg, _dir, mut ws) = demo_workspace();
    let ids: Vec<String> = {
        let mut v: Vec<String> = records.iter().map(|r| r.subject_id().to_owned()).collect();
        v.sort();
        v.dedup();
        v
    };
    let someone_elses_ip = records
        .iter()
        .find_map(|r| match &r.record {
            kensa_model::Record::Login(l) => Some(l.ip.to_string()),
            _ => None,
        })
        .unwrap();
    let mut rng = Rng(99);
    let mut extra = Vec::new();
    for k in 0..40u64 {
        let sid = &ids[(rng.next() % ids.len() as u64) as usize];
        let ip = if k % 8 == 7 {
            someone_elses_ip.clone()
        } else {
            format!("198.51.100.{}", 1 + k)
        };
        let v = kensa_model::validate_value(serde_json::json!({
            "kind": "login", "subject_id": sid,
            "at": format!("2026-11-{:02}T{:02}:00:00Z", 1 + k % 28, k % 24),
            "ip": ip, "device_id": format!("trickle-{k}")
        }))
        .unwrap();
        extra.push(v.clone());
        let done = ws.submit(vec![v]).unwrap();
        assert_eq!(done.outcomes, vec![Outcome::Stored]);
    }
    let full = full_results(records.iter().chain(&extra), &cfg);
    assert_eq!(by_subject(ws.results().unwrap()), full);
}

/// Records a population state reads directly, not through shared identifiers: two accounts on
/// one home line (the graph changes), then a remote-control tool on each, one batch at a time
/// (no identifier changes: endpoint records without a device). The tools make the pair a
/// two-person laptop farm, and the incremental result must say so as the full one does.
#[test]
fn tools_arriving_after_a_shared_line_end_where_one_full_evaluation_ends() {
    let (records, cfg, _dir, mut ws) = demo_workspace();
    let v = |j: serde_json::Value| kensa_model::validate_value(j).unwrap();
    let batches = vec![
        vec![
            v(
                serde_json::json!({"kind":"login","subject_id":"pair-1","at":"2026-11-02T09:00:00Z","ip":"203.0.113.77","device_id":"lap-1"}),
            ),
            v(
                serde_json::json!({"kind":"login","subject_id":"pair-2","at":"2026-11-02T09:05:00Z","ip":"203.0.113.77","device_id":"lap-2"}),
            ),
        ],
        vec![v(
            serde_json::json!({"kind":"endpoint","subject_id":"pair-1","at":"2026-11-03T09:00:00Z","observation":"running_process","name":"AnyDesk"}),
        )],
        vec![v(
            serde_json::json!({"kind":"endpoint","subject_id":"pair-2","at":"2026-11-03T09:00:00Z","observation":"running_process","name":"TinyPilot"}),
        )],
    ];
    let mut extra = Vec::new();
    for b in batches {
        extra.extend(b.iter().cloned());
        ws.submit(b).unwrap();
    }
    let full = full_results(records.iter().chain(&extra), &cfg);
    assert!(
        full["pair-1"].contains("laptop_farm"),
        "the pair is a farm: {}",
        full["pair-1"]
    );
    assert_eq!(by_subject(ws.results().unwrap()), full);
}

/// A result as far as a decision reads it: without its flags' evidence and explanations.
fn decision_view(r: &serde_json::Value) -> serde_json::Value {
    let mut r = r.clone();
    for f in r["flags"].as_array_mut().unwrap() {
        let f = f.as_object_mut().unwrap();
        f.remove("evidence");
        f.remove("explanation");
    }
    r
}

/// The log takes a subject's result when what a decision reads changes, and only then: after
/// every single login, the latest logged result agrees with the current one on score, tier,
/// flags and strengths and due diligence; a result appended differs there from the one before
/// it; and some logins only lengthen an evidence list, which is answered but not logged.
#[test]
fn a_result_is_logged_when_what_a_decision_reads_changes() {
    let (records, _cfg, _dir, mut ws) = demo_workspace();
    // Subjects with a login-based flag: their evidence lists name logins.
    let flagged: Vec<String> = ws
        .results()
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.flags
                .iter()
                .any(|f| f.detector == "off_hours" || f.detector == "login_multi_ip")
        })
        .map(|r| r.subject_id)
        .collect();
    assert!(!flagged.is_empty());
    let logged = |ws: &Workspace, sid: &str| -> Vec<serde_json::Value> {
        ws.store()
            .subject_entries("result", sid)
            .unwrap()
            .into_iter()
            .map(|(_, _, b)| serde_json::from_slice(&b).unwrap())
            .collect()
    };
    let (mut appended, mut answered_only) = (0, 0);
    for k in 0..60u64 {
        let sid = &flagged[(k as usize * 7) % flagged.len()];
        let before = logged(&ws, sid);
        assert!(
            !before.is_empty(),
            "{sid}: the first submit logged every result"
        );
        let v = kensa_model::validate_value(serde_json::json!({
            "kind": "login", "subject_id": sid,
            "at": format!("2026-10-{:02}T{:02}:{:02}:00Z", 1 + k % 28, (k * 5) % 24, k % 60),
            "ip": format!("198.51.100.{}", 1 + k % 200), "device_id": format!("digest-{k}")
        }))
        .unwrap();
        let done = ws.submit(vec![v]).unwrap();
        assert_eq!(done.outcomes, vec![Outcome::Stored]);
        // Through text, as the logged body is read: serde_json's float parsing may differ from
        // the value in memory in the last bit, so both sides take the same path.
        let current: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&ws.result(sid).unwrap()).unwrap())
                .unwrap();
        let after = logged(&ws, sid);
        let latest = after.last().unwrap();
        assert_eq!(decision_view(latest), decision_view(&current), "{sid}");
        match after.len() - before.len() {
            0 => {
                if *latest != current {
                    answered_only += 1;
                }
            }
            1 => {
                assert_ne!(
                    decision_view(latest),
                    decision_view(before.last().unwrap()),
                    "{sid}: a result logged with nothing a decision reads changed"
                );
                appended += 1;
            }
            n => panic!("{sid}: {n} results logged for one login"),
        }
    }
    assert!(
        answered_only > 0,
        "no login only lengthened an evidence list ({appended} appended)"
    );
    let _ = records;
}
