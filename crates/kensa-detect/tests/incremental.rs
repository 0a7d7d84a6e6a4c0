//! The incremental contract of every registered detector, on the synthetic demo population:
//! after a batch of records arrives, a subject that the batch did not touch and that the new
//! population state does not name as affected gets exactly the findings it had before. That is
//! what lets the engine re-evaluate only touched and affected subjects.
//!
//! The batches are random (seeded, so a failure reproduces): a small one (~1 % of records,
//! the everyday case) and a large one (~40 %). All data is synthetic.

use kensa_detect::{Affected, Dataset, DatasetBuilder, DetectorParams, build_all};
use kensa_model::Validated;
use std::collections::HashSet;

fn demo_records() -> Vec<Validated> {
    let demo = kensa_demo::generate(&kensa_demo::DemoConfig::default());
    demo.records
        .iter()
        .map(|v| kensa_model::validate_value(v.clone()).expect("demo records validate"))
        .collect()
}

fn dataset(recs: &[&Validated]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for v in recs {
        b.add(v.record_id.clone(), v.record.clone());
    }
    let (mut ds, _) = b.build();
    ds.attach_intel(&kensa_enrich::Intel::builtin());
    ds
}

/// Subjects whose own records are in the batch (a review touches its reviewer too).
fn touched(batch: &[&Validated]) -> HashSet<String> {
    let mut t = HashSet::new();
    for v in batch {
        t.insert(v.subject_id().to_owned());
        if let kensa_model::Record::Review(r) = &v.record {
            t.insert(r.reviewer_id.clone());
        }
    }
    t
}

/// A tiny deterministic PRNG (xorshift), so that a failing split can be reproduced by seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn check_split(all: &[Validated], seed: u64, batch_per_mille: u64) {
    let mut rng = Rng(seed);
    split_and_check(all, seed, batch_per_mille, |_| {
        rng.next() % 1000 < batch_per_mille
    });
}

/// A batch holding some of the records of a few subjects: what arrives when a handful of
/// accounts are active (most subjects stay untouched, so the check has much to check).
fn check_subject_split(all: &[Validated], seed: u64, subjects: usize) {
    let mut rng = Rng(seed);
    let mut ids: Vec<&str> = all.iter().map(|v| v.subject_id()).collect();
    ids.sort_unstable();
    ids.dedup();
    let chosen: HashSet<String> = (0..subjects)
        .map(|_| ids[(rng.next() % ids.len() as u64) as usize].to_owned())
        .collect();
    split_and_check(all, seed, 0, |v| {
        chosen.contains(v.subject_id()) && !rng.next().is_multiple_of(3)
    });
}

fn split_and_check(
    all: &[Validated],
    seed: u64,
    batch_per_mille: u64,
    mut in_batch: impl FnMut(&Validated) -> bool,
) {
    let (mut before, mut batch): (Vec<&Validated>, Vec<&Validated>) = (Vec::new(), Vec::new());
    for v in all {
        if in_batch(v) {
            batch.push(v);
        } else {
            before.push(v);
        }
    }
    let ds1 = dataset(&before);
    let ds2 = dataset(&all.iter().collect::<Vec<_>>());
    let touched = touched(&batch);
    let touched_ref: HashSet<&str> = touched.iter().map(String::as_str).collect();
    for d in build_all(&DetectorParams::default()) {
        let p1 = d.population(&ds1);
        let p2 = d.population(&ds2);
        let also: HashSet<String> = match p2.affected(&*p1, &touched_ref) {
            Affected::All => continue,
            Affected::Touched => HashSet::new(),
            Affected::Also(v) => v.into_iter().collect(),
        };
        let mut checked = 0usize;
        for s in &ds2.subjects {
            if touched.contains(&s.id) || also.contains(&s.id) {
                continue;
            }
            let s1 = ds1.get(&s.id).unwrap_or_else(|| {
                panic!(
                    "{}: subject {} is new but not touched (seed {seed})",
                    d.name(),
                    s.id
                )
            });
            let now = serde_json::to_string(&d.evaluate(&ds2, &*p2, s)).unwrap();
            let then = serde_json::to_string(&d.evaluate(&ds1, &*p1, s1)).unwrap();
            assert_eq!(
                now,
                then,
                "{}: subject {} was neither touched nor named affected, yet its findings changed (seed {seed}, batch {batch_per_mille}‰)",
                d.name(),
                s.id
            );
            checked += 1;
        }
        eprintln!(
            "{:24} seed {seed} batch {batch_per_mille}‰: {} touched, {} also affected, {checked} unchanged",
            d.name(),
            touched.len(),
            also.len()
        );
    }
}

#[test]
fn untouched_unaffected_subjects_keep_their_findings_small_batches() {
    let all = demo_records();
    for seed in [1, 2, 3] {
        check_split(&all, seed, 10);
    }
}

#[test]
fn untouched_unaffected_subjects_keep_their_findings_large_batch() {
    let all = demo_records();
    check_split(&all, 7, 400);
}

#[test]
fn untouched_unaffected_subjects_keep_their_findings_few_active_subjects() {
    let all = demo_records();
    for (seed, n) in [(21, 1), (22, 3), (23, 8), (24, 20)] {
        check_subject_split(&all, seed, n);
    }
}

/// The subject's records of one kind removed (the kind's name as `Record::kind` spells it).
fn without(s: &kensa_detect::SubjectData, kind: &str) -> Option<kensa_detect::SubjectData> {
    let mut t = s.clone();
    let had = match kind {
        "subject" => std::mem::take(&mut t.profiles).len(),
        "login" => std::mem::take(&mut t.logins).len(),
        "activity" => std::mem::take(&mut t.activities).len(),
        "payout_account" => std::mem::take(&mut t.payout_accounts).len(),
        "payout" => std::mem::take(&mut t.payouts).len(),
        "message" => std::mem::take(&mut t.messages).len(),
        "review" => std::mem::take(&mut t.reviews).len(),
        "contract" => std::mem::take(&mut t.contracts).len(),
        "meeting" => std::mem::take(&mut t.meetings).len(),
        "identity_document" => std::mem::take(&mut t.id_documents).len(),
        "shipment" => std::mem::take(&mut t.shipments).len(),
        "access" => std::mem::take(&mut t.accesses).len(),
        "endpoint" => std::mem::take(&mut t.endpoints).len(),
        _ => 0,
    };
    (had > 0).then_some(t)
}

/// `Detector::subject_inputs` is what lets the engine skip a detector for a batch of other
/// kinds; so removing a subject's records of any kind a detector does not declare must leave
/// its findings exactly as they were (population state and enrichment unchanged).
#[test]
fn subject_inputs_name_every_kind_evaluate_reads() {
    let all = demo_records();
    let ds = dataset(&all.iter().collect::<Vec<_>>());
    let kinds: Vec<&str> = kensa_model::record::Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let mut declared = 0;
    let mut wrong = std::collections::BTreeMap::new();
    for d in build_all(&DetectorParams::default()) {
        let inputs = d.subject_inputs();
        if inputs.contains(&"*") {
            continue;
        }
        declared += 1;
        for k in inputs {
            assert!(kinds.contains(k), "{}: unknown record kind {k}", d.name());
        }
        let pop = d.population(&ds);
        let (mut compared, mut with_findings) = (0usize, 0usize);
        for s in &ds.subjects {
            let full = serde_json::to_string(&d.evaluate(&ds, &*pop, s)).unwrap();
            let fired = full != "[]";
            for k in kinds.iter().filter(|k| !inputs.contains(k)) {
                let Some(t) = without(s, k) else { continue };
                let cut = serde_json::to_string(&d.evaluate(&ds, &*pop, &t)).unwrap();
                if cut != full {
                    wrong.entry((d.name(), *k)).or_insert_with(|| s.id.clone());
                }
                compared += 1;
                with_findings += fired as usize;
            }
        }
        eprintln!(
            "{:24} inputs {inputs:?}: {compared} subject × kind removals compared ({with_findings} with findings)",
            d.name()
        );
        assert!(compared > 0, "{}: nothing compared", d.name());
    }
    let wrong: Vec<String> = wrong
        .into_iter()
        .map(|((d, k), s)| {
            format!("{d}: findings change without the subject's {k} records (e.g. subject {s}), which subject_inputs does not name")
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        declared > 10,
        "only {declared} detectors declare their inputs"
    );
}
