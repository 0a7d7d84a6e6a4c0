//! Issue 19 item 3: a purge past retention removes personal content while `kensa verify` and
//! bundles exported before still verify; a subject on hold survives a purge; every purge and
//! hold is a log entry; content removed without a logged purge breaks the chain.

use kensa_bundle::retention::{Retention, hold, holds, plan, purge};
use kensa_bundle::{ExportOptions, export, generate_key, verify_bytes};
use kensa_model::validate_value;
use kensa_store::{Durability, EvidenceStore, Store};
use serde_json::json;

fn records() -> Vec<serde_json::Value> {
    let mut v = Vec::new();
    for s in ["old-1", "held-2", "new-3"] {
        v.push(json!({"kind":"subject","subject_id":s,"source":"freelance_platform","display_name":format!("Person {s}"),
            "observed_at":"2026-11-01T00:00:00Z"}));
        // Two years old, and recent.
        v.push(
            json!({"kind":"login","subject_id":s,"at":"2024-10-01T00:00:00Z","ip":"198.51.100.7"}),
        );
        v.push(
            json!({"kind":"login","subject_id":s,"at":"2026-11-20T00:00:00Z","ip":"198.51.100.8"}),
        );
    }
    v
}

fn store(path: &std::path::Path) -> Store {
    let mut s = Store::open(path, Durability::Normal).unwrap();
    let vals: Vec<_> = records()
        .into_iter()
        .map(|r| validate_value(r).unwrap())
        .collect();
    let refs: Vec<_> = vals.iter().collect();
    s.append_records(&refs).unwrap();
    s
}

#[test]
fn a_purge_removes_old_content_keeps_held_subjects_and_every_proof() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir.path().join("k.db"));
    // A bundle exported before the purge.
    let key = generate_key().unwrap();
    let pk = key.verifying_key();
    export(
        &mut s,
        ExportOptions {
            subjects: vec!["old-1".into()],
            case_id: None,
            reason: "r".into(),
            exported_by: "a".into(),
            key: Some(key),
            tool: "t",
            pdf_font: None,
        },
        &dir.path().join("before.tar"),
    )
    .unwrap();
    hold(&mut s, "held-2", "litigation 2026-17", "counsel", false).unwrap();
    assert_eq!(holds(&s).unwrap().len(), 1);
    let keep = Retention::parse(&["login=365".into()]).unwrap();
    let now: jiff::Timestamp = "2026-12-06T00:00:00Z".parse().unwrap();
    let p = plan(&s, &keep, now).unwrap();
    assert_eq!(p.seqs.len(), 2, "{p:?}"); // the old logins of old-1 and new-3
    assert_eq!(p.kept_on_hold, 1);
    let (purge_seq, n) = purge(&mut s, &p, &keep, "dpo", "retention policy 2026").unwrap();
    assert_eq!(n, 2);
    // The content is gone from every read; the held subject keeps its old login.
    let logins = |s: &Store, sid: &str| -> usize {
        s.subject_records(sid)
            .unwrap()
            .iter()
            .filter(|r| r.kind == "login")
            .count()
    };
    assert_eq!(logins(&s, "old-1"), 1);
    assert_eq!(logins(&s, "new-3"), 1);
    assert_eq!(logins(&s, "held-2"), 2);
    let mut all = 0;
    s.for_each_record(|_, body| {
        assert!(
            !String::from_utf8_lossy(body).contains("2024-10-01")
                || String::from_utf8_lossy(body).contains("held-2")
        );
        all += 1;
    })
    .unwrap();
    assert_eq!(all, 7);
    // Counted as read: purged records are no longer stored records.
    assert_eq!(s.record_count().unwrap(), 7);
    // The chain verifies, the purge is logged, a second purge finds nothing more.
    let r = EvidenceStore::verify(&s, &|_| {}).unwrap();
    assert!(r.broken.is_none(), "{:?}", r.broken);
    let purges = s.entries_of_type("purge").unwrap();
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0].0, purge_seq);
    assert!(plan(&s, &keep, now).unwrap().seqs.is_empty());
    // The bundle made before still verifies (it carries its own copy and proof).
    let b = std::fs::read(dir.path().join("before.tar")).unwrap();
    let v = verify_bytes(&b, Some(&pk), None).unwrap();
    assert!(v.ok(), "{:?}", v.problems);
    // Released, the held subject's old login goes at the next purge.
    hold(&mut s, "held-2", "case closed", "counsel", true).unwrap();
    let p = plan(&s, &keep, now).unwrap();
    assert_eq!(p.seqs.len(), 1);
    purge(&mut s, &p, &keep, "dpo", "retention policy 2026").unwrap();
    assert_eq!(logins(&s, "held-2"), 1);
    assert!(EvidenceStore::verify(&s, &|_| {}).unwrap().broken.is_none());
}

/// Lists `seq` as purged by `purge_seq` behind Kensa's back, reopens the store and returns
/// where `verify` says the chain breaks.
fn list_as_purged_and_verify(
    path: &std::path::Path,
    seq: i64,
    purge_seq: i64,
) -> kensa_store::Broken {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "INSERT INTO purged (seq, purge_seq) VALUES (?1, ?2)",
        [seq, purge_seq],
    )
    .unwrap();
    drop(conn);
    let s = Store::open_existing(path).unwrap();
    EvidenceStore::verify(&s, &|_| {})
        .unwrap()
        .broken
        .expect("broken")
}

/// Empties the stored body of record entry `seq` behind Kensa's back: the segment holding it
/// decoded, changed and written again with the append-only trigger dropped.
fn blank_in_segment(conn: &rusqlite::Connection, seq: i64) {
    let (first, last, blob): (i64, i64, Vec<u8>) = conn
        .query_row(
            "SELECT first_seq, last_seq, entries FROM record_segments WHERE first_seq <= ?1 AND last_seq >= ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let mut entries = kensa_store::segment::decode(&blob, first, last).unwrap();
    entries[(seq - first) as usize].body = kensa_store::segment::Bytes(&[]);
    let enc = kensa_store::segment::encode(&entries, Vec::new());
    conn.execute_batch("DROP TRIGGER IF EXISTS record_segments_append_only_update;")
        .unwrap();
    conn.execute(
        "UPDATE record_segments SET entries = ?1 WHERE first_seq = ?2",
        rusqlite::params![enc, first],
    )
    .unwrap();
}

#[test]
fn content_removed_without_a_logged_purge_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    drop(store(&path));
    // Listing an entry as purged by an entry that is not a purge: refused.
    let b = list_as_purged_and_verify(&path, 2, 5);
    assert_eq!(b.seq, 2, "{b:?}");
    assert!(b.reason.contains("purge"), "{}", b.reason);
    // A body emptied behind Kensa's back (the segment rewritten, nothing listed): broken there.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    drop(store(&path));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let first: i64 = conn
        .query_row("SELECT min(first_seq) FROM record_segments", [], |r| {
            r.get(0)
        })
        .unwrap();
    blank_in_segment(&conn, first + 1);
    drop(conn);
    let s = Store::open_existing(&path).unwrap();
    let b = EvidenceStore::verify(&s, &|_| {})
        .unwrap()
        .broken
        .expect("broken");
    assert_eq!(b.seq, first + 1);
    assert!(b.reason.contains("content does not match"), "{}", b.reason);
}

/// Review findings: a purge entry covers only the entries it lists, only record entries can be
/// purged, and a hold recorded while a purge was planned stops it.
#[test]
fn a_purge_covers_only_what_it_lists_and_yields_to_a_new_hold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut s = store(&path);
    let keep = Retention::parse(&["login=365".into()]).unwrap();
    let now: jiff::Timestamp = "2026-12-06T00:00:00Z".parse().unwrap();
    // A hold recorded after the plan: the purge is refused, nothing changes.
    let p = plan(&s, &keep, now).unwrap();
    assert_eq!(p.seqs.len(), 3);
    hold(&mut s, "old-1", "new case", "counsel", false).unwrap();
    let err = purge(&mut s, &p, &keep, "dpo", "r").unwrap_err();
    assert!(err.to_string().contains("plan it again"), "{err}");
    assert!(s.entries_of_type("purge").unwrap().is_empty());
    let p = plan(&s, &keep, now).unwrap();
    assert_eq!(p.seqs.len(), 2);
    let (purge_seq, _) = purge(&mut s, &p, &keep, "dpo", "r").unwrap();
    assert!(EvidenceStore::verify(&s, &|_| {}).unwrap().broken.is_none());
    let held_login = s
        .subject_records("old-1")
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "login" && String::from_utf8_lossy(&r.body).contains("2024"))
        .unwrap()
        .seq;
    drop(s);
    // Emptying the held subject's old login and listing it under the real purge entry: the
    // purge entry does not list it, so the chain breaks there.
    let conn = rusqlite::Connection::open(&path).unwrap();
    blank_in_segment(&conn, held_login);
    drop(conn);
    let b = list_as_purged_and_verify(&path, held_login, purge_seq);
    assert_eq!(b.seq, held_login, "{b:?}");
    // A non-record entry (the hold itself) emptied and listed: broken too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut s = store(&path);
    let hold_seq = hold(&mut s, "new-3", "x", "y", false).unwrap();
    let p = plan(&s, &keep, now).unwrap();
    let (purge_seq, _) = purge(&mut s, &p, &keep, "dpo", "r").unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER log_append_only_update;")
        .unwrap();
    conn.execute("UPDATE log SET body = x'' WHERE seq = ?1", [hold_seq])
        .unwrap();
    drop(conn);
    let b = list_as_purged_and_verify(&path, hold_seq, purge_seq);
    assert_eq!(b.seq, hold_seq, "{b:?}");
}

#[test]
fn retention_items_are_checked() {
    assert!(Retention::parse(&["logins=3".into()]).is_err());
    assert!(Retention::parse(&["login=-1".into()]).is_err());
    assert!(Retention::parse(&["login".into()]).is_err());
    assert!(Retention::parse(&["login=200000000000000".into()]).is_err());
    assert_eq!(
        Retention::parse(&["payout=2555".into()]).unwrap().days["payout"],
        2555
    );
}

/// Rejected input (the `rejects` table behind `rejects.jsonl`) holds personal data too:
/// `--keep rejects=DAYS` deletes rows stored longer ago, in the same transaction as the purge
/// entry that counts them, except lines naming a subject on hold; the chain still verifies.
#[test]
fn rejected_input_past_retention_is_deleted_unless_it_names_a_held_subject() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut s = store(&path);
    let lines: [&[u8]; 3] = [
        br#"{"kind":"login","subject_id":"held-2","at":"yesterday","ip":"198.51.100.9"}"#,
        br#"{"kind":"login","subject_id":"old-1","at":"yesterday","ip":"198.51.100.9"}"#,
        b"not json at all, with a name: Kim Chol",
    ];
    s.add_rejects(
        "run-1",
        lines.iter().enumerate().map(|(i, l)| {
            (
                "in.jsonl",
                i as u64 + 1,
                Some("at"),
                "not a timestamp",
                Some(*l),
            )
        }),
    )
    .unwrap();
    s.add_rejects(
        "run-2",
        [("in2.jsonl", 1, None, "not JSON", Some(&b"recent junk"[..]))],
    )
    .unwrap();
    drop(s);
    // The first three were stored two years ago (the table has no append-only trigger).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE rejects SET recorded_at = '2024-10-01T00:00:00Z' WHERE run_id = 'run-1'",
            [],
        )
        .unwrap();
    let mut s = Store::open_existing(&path).unwrap();
    hold(&mut s, "held-2", "litigation", "counsel", false).unwrap();
    let keep = Retention::parse(&["rejects=365".into()]).unwrap();
    let p = plan(&s, &keep, jiff::Timestamp::now()).unwrap();
    assert_eq!(p.rejects.len(), 2, "{p:?}");
    assert!(p.seqs.is_empty());
    assert_eq!(p.kept_on_hold, 1);
    let (purge_seq, _) = purge(&mut s, &p, &keep, "dpo", "retention").unwrap();
    let mut left = Vec::new();
    s.for_each_reject(|_, _, raw| left.push(String::from_utf8_lossy(raw.unwrap()).into_owned()))
        .unwrap();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|l| l.contains("held-2")));
    assert!(left.iter().any(|l| l == "recent junk"));
    let entry = s
        .entries_of_type("purge")
        .unwrap()
        .into_iter()
        .find(|e| e.0 == purge_seq)
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&entry.2).unwrap();
    assert_eq!(body["rejects_deleted"], 2, "{body}");
    assert!(EvidenceStore::verify(&s, &|_| {}).unwrap().broken.is_none());
    // A kind that is neither a record kind nor `rejects` is refused with the list.
    let e = Retention::parse(&["reject=30".into()]).unwrap_err();
    assert!(e.to_string().contains("rejects"), "{e}");
}
