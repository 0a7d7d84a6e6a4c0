//! The evidence chain: duplicates are stored once, tampering is caught and named.

use kensa_model::validate_value;
use kensa_store::{Durability, Outcome, Store};

fn rec(json: &str) -> kensa_model::Validated {
    validate_value(serde_json::from_str(json).unwrap()).unwrap()
}

fn sample_store(dir: &std::path::Path) -> Store {
    let mut s = Store::open(&dir.join("k.db"), Durability::Normal).unwrap();
    let a = rec(r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T00:00:00Z","ip":"1.2.3.4"}"#);
    let b = rec(r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T01:00:00Z","ip":"1.2.3.5"}"#);
    let c = rec(r#"{"kind":"login","subject_id":"u2","at":"2026-09-01T02:00:00Z","ip":"1.2.3.6"}"#);
    assert_eq!(
        s.append_records(&[&a, &b]).unwrap(),
        vec![Outcome::Stored, Outcome::Stored]
    );
    assert_eq!(
        s.append_records(&[&b, &c]).unwrap(),
        vec![Outcome::Duplicate, Outcome::Stored]
    );
    s.append_entry("scan", "scan-1", None, br#"{"subjects":2}"#)
        .unwrap();
    s
}

#[test]
fn records_are_stored_once_and_conflicts_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(dir.path());
    assert_eq!(s.record_count().unwrap(), 3);
    let x1 =
        rec(r#"{"kind":"activity","record_id":"X","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#);
    let x2 =
        rec(r#"{"kind":"activity","record_id":"X","subject_id":"u9","at":"2026-09-01T00:00:00Z"}"#);
    assert_eq!(s.append_records(&[&x1]).unwrap(), vec![Outcome::Stored]);
    assert_eq!(s.append_records(&[&x2]).unwrap(), vec![Outcome::Conflict]);
    assert_eq!(s.record_count().unwrap(), 4);
    let report = s.verify(&|_| {}).unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.entries, 5);
}

#[test]
fn updates_and_deletes_are_refused_by_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    assert!(
        s.connection()
            .execute("DELETE FROM log WHERE seq = 1", [])
            .is_err()
    );
    assert!(
        s.connection()
            .execute("UPDATE log SET body = x'00' WHERE seq = 1", [])
            .is_err()
    );
}

/// Goes around the triggers, as someone with raw write access to the file could.
fn tamper(s: &Store, sql: &str) {
    let c = s.connection();
    c.execute_batch("DROP TRIGGER log_append_only_update; DROP TRIGGER log_append_only_delete;")
        .unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn flipping_one_byte_of_a_stored_record_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    // Flip one byte of record 2's body: "1.2.3.5" becomes "1.2.3.4".
    let body: Vec<u8> = s
        .connection()
        .query_row("SELECT body FROM log WHERE seq = 2", [], |r| r.get(0))
        .unwrap();
    let mut flipped = body.clone();
    let pos = flipped.windows(7).position(|w| w == b"1.2.3.5").unwrap() + 6;
    flipped[pos] ^= 0x01;
    tamper(
        &s,
        &format!(
            "UPDATE log SET body = x'{}' WHERE seq = 2",
            hex::encode(&flipped)
        ),
    );
    let report = s.verify(&|_| {}).unwrap();
    let broken = report.broken.expect("tampering must be caught");
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("content"), "{}", broken.reason);
}

#[test]
fn flipping_one_byte_of_a_log_entry_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    let prev: Vec<u8> = s
        .connection()
        .query_row("SELECT prev_hash FROM log WHERE seq = 3", [], |r| r.get(0))
        .unwrap();
    let mut flipped = prev.clone();
    flipped[0] ^= 0x80;
    tamper(
        &s,
        &format!(
            "UPDATE log SET prev_hash = x'{}' WHERE seq = 3",
            hex::encode(&flipped)
        ),
    );
    let broken = s.verify(&|_| {}).unwrap().broken.expect("caught");
    assert_eq!(broken.seq, 3);

    // A changed subject column (covered by the entry hash) is caught too.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = sample_store(dir2.path());
    tamper(&s2, "UPDATE log SET subject_id = 'u3' WHERE seq = 3");
    assert_eq!(s2.verify(&|_| {}).unwrap().broken.unwrap().seq, 3);

    // A deleted entry is caught at the next one.
    let dir3 = tempfile::tempdir().unwrap();
    let s3 = sample_store(dir3.path());
    tamper(&s3, "DELETE FROM log WHERE seq = 2");
    assert_eq!(s3.verify(&|_| {}).unwrap().broken.unwrap().seq, 3);
}
