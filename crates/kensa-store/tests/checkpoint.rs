//! Checkpoints on a thread of their own: the log is copied back without the writer's help,
//! the writer starts the log over afterwards, and nothing is lost or breaks the chain.

use kensa_model::validate_value;
use kensa_store::{Durability, Outcome, Store};

fn login(i: usize) -> kensa_model::Validated {
    validate_value(serde_json::json!({
        "kind": "login",
        "record_id": format!("r{i}"),
        "subject_id": format!("u{}", i % 50),
        "at": "2026-09-01T00:00:00Z",
        "ip": format!("10.0.{}.{}", i / 250, 1 + i % 250),
    }))
    .unwrap()
}

#[test]
fn background_checkpoints_copy_the_log_and_let_it_start_over() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let ck = s.checkpoint_in_background().unwrap();
    // Many small commits, as a server answering single events makes them.
    for i in 0..600 {
        let r = login(i);
        assert_eq!(s.append_records(&[&r]).unwrap(), vec![Outcome::Stored]);
        s.append_entry(
            "result",
            "t",
            Some("u1"),
            format!("{{\"n\":{i}}}").as_bytes(),
        )
        .unwrap();
    }
    assert!(ck.wait_round(), "the checkpoint thread is running");
    let (log, copied) = ck.last_round();
    assert!(log > 0, "the commits went to the log ({log} frames)");
    assert_eq!(
        copied, log,
        "a round with the writer idle copies the whole log"
    );
    // The writer starts the log over once everything was copied: a few more commits make a
    // short log, not one as long as all commits so far.
    for i in 600..605 {
        s.append_records(&[&login(i)]).unwrap();
    }
    assert!(ck.wait_round());
    let (short, copied) = ck.last_round();
    assert!(
        short > 0 && short < log / 10,
        "the log started over: {short} frames after 5 commits, {log} after 1,200"
    );
    assert_eq!(copied, short);
    drop(ck);
    assert_eq!(s.record_count().unwrap(), 605);
    let report = s.verify(&|_| {}).unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.entries, 605 + 600);
}
