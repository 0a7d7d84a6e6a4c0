//! The evidence chain: duplicates are stored once, tampering is caught and named.

use kensa_model::validate_value;
use kensa_store::{Durability, Outcome, Store, segment};

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
    for sql in [
        "DELETE FROM log WHERE seq = 4",
        "UPDATE log SET body = x'00' WHERE seq = 4",
        "DELETE FROM record_segments WHERE first_seq = 1",
        "UPDATE record_segments SET entries = x'00' WHERE first_seq = 1",
    ] {
        assert!(s.connection().execute(sql, []).is_err(), "{sql}");
    }
}

/// The first broken entry `verify` names; fails the test if it names none.
fn first_break(s: &Store) -> kensa_store::Broken {
    let report = s.verify(&|_| {}).unwrap();
    report.broken.expect("verify must catch the change")
}

/// Verification stops at entry `seq` for a reason that mentions `why`.
fn assert_broken(s: &Store, seq: i64, why: &str) {
    let broken = first_break(s);
    assert_eq!(broken.seq, seq, "{}", broken.reason);
    assert!(broken.reason.contains(why), "{}", broken.reason);
}

/// The one value a query returns.
fn scalar<T: rusqlite::types::FromSql>(s: &Store, sql: &str) -> T {
    s.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Goes around the triggers, as someone with raw write access to the file could.
fn tamper(s: &Store, sql: &str) {
    let c = s.connection();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS log_append_only_update; DROP TRIGGER IF EXISTS log_append_only_delete;
         DROP TRIGGER IF EXISTS record_segments_append_only_update;
         DROP TRIGGER IF EXISTS record_segments_append_only_delete;",
    )
    .unwrap();
    c.execute_batch(sql).unwrap();
}

/// The record segment holding entry `seq`: its first entry's number and its bytes.
fn segment_of(s: &Store, seq: i64) -> (i64, i64, Vec<u8>) {
    s.connection()
        .query_row(
            "SELECT first_seq, last_seq, entries FROM record_segments WHERE first_seq <= ?1 \
             ORDER BY first_seq DESC LIMIT 1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

/// Replaces the bytes of a segment, going around the triggers.
fn put_segment(s: &Store, first_seq: i64, blob: &[u8]) {
    tamper(
        s,
        &format!(
            "UPDATE record_segments SET entries = x'{}' WHERE first_seq = {first_seq}",
            hex::encode(blob)
        ),
    );
}

/// Replaces, in place, the first `from` in one stored field of entry `seq` by `to` (as
/// long), as a flipped byte in the file would.
fn change_entry(
    s: &Store,
    seq: i64,
    field: for<'a> fn(&segment::SegEntry<'a>) -> &'a [u8],
    from: &[u8],
    to: &[u8],
) {
    assert_eq!(from.len(), to.len());
    let (first, last, mut blob) = segment_of(s, seq);
    let range = {
        let entries = segment::decode(&blob, first, last).unwrap();
        let f = field(&entries[(seq - first) as usize]);
        let start = f.as_ptr() as usize - blob.as_ptr() as usize;
        let at = f
            .windows(from.len())
            .position(|w| w == from)
            .expect("pattern in field");
        start + at..start + at + from.len()
    };
    blob[range].copy_from_slice(to);
    put_segment(s, first, &blob);
}

#[test]
fn flipping_one_byte_of_a_stored_record_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    // Flip one byte of record 2's body: "1.2.3.5" becomes "1.2.3.4".
    change_entry(&s, 2, |e| e.body.0, b"1.2.3.5", b"1.2.3.4");
    assert_broken(&s, 2, "content");
}

#[test]
fn flipping_one_byte_of_a_log_entry_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    // Entry 4 (the scan) is a row of `log`.
    let prev: Vec<u8> = scalar(&s, "SELECT prev_hash FROM log WHERE seq = 4");
    let mut flipped = prev.clone();
    flipped[0] ^= 0x80;
    tamper(
        &s,
        &format!(
            "UPDATE log SET prev_hash = x'{}' WHERE seq = 4",
            hex::encode(&flipped)
        ),
    );
    let broken = first_break(&s);
    assert_eq!(broken.seq, 4);

    // A changed subject of a record (covered by the entry hash) is caught too.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = sample_store(dir2.path());
    change_entry(&s2, 3, |e| e.subject_id.as_bytes(), b"u2", b"u3");
    assert_broken(&s2, 3, "entry hash");

    // A deleted record entry is caught at the next one.
    let dir3 = tempfile::tempdir().unwrap();
    let s3 = sample_store(dir3.path());
    let (first, _, _) = segment_of(&s3, 3);
    tamper(
        &s3,
        &format!("DELETE FROM record_segments WHERE first_seq = {first}"),
    );
    assert_eq!(first_break(&s3).seq, 4);
}

#[test]
fn a_damaged_segment_or_head_hash_is_caught_where_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    let (first, _, blob) = segment_of(&s, 2);
    put_segment(&s, first, &blob[..blob.len() - 5]);
    assert_broken(&s, 1, "cannot be read");
    assert!(
        s.for_each_record(|_, _| {}).is_err(),
        "readers refuse it too"
    );

    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    tamper(
        &s,
        "UPDATE record_segments SET last_hash = zeroblob(32) WHERE first_seq = 1",
    );
    assert_broken(&s, 2, "last_hash");
}

/// The schema-1 layout: no `ref_key`, uniqueness on the id text.
const SCHEMA_V1: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log (
    seq INTEGER PRIMARY KEY, entry_type TEXT NOT NULL, ref TEXT NOT NULL, kind TEXT,
    subject_id TEXT, recorded_at TEXT NOT NULL, body BLOB NOT NULL, content_hash BLOB NOT NULL,
    prev_hash BLOB NOT NULL, entry_hash BLOB NOT NULL);
CREATE UNIQUE INDEX log_record ON log(ref) WHERE entry_type = 'record';
CREATE TRIGGER log_append_only_update BEFORE UPDATE ON log
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER log_append_only_delete BEFORE DELETE ON log
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
INSERT INTO meta VALUES ('schema_version', '1');
"#;

#[test]
fn a_schema_1_database_is_migrated_and_still_verifies_and_deduplicates() {
    let dir = tempfile::tempdir().unwrap();
    drop(sample_store(dir.path()));
    // Copy the entries into a database laid out as schema 1 wrote it.
    let old = dir.path().join("old.db");
    {
        let entries = all_entries(&Store::open_existing(&dir.path().join("k.db")).unwrap());
        let c = rusqlite::Connection::open(&old).unwrap();
        c.execute_batch(SCHEMA_V1).unwrap();
        for e in entries {
            c.execute(
                "INSERT INTO log VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                rusqlite::params![
                    e.seq,
                    e.entry_type,
                    e.r#ref,
                    e.kind,
                    e.subject_id,
                    e.recorded_at,
                    e.body,
                    e.content_hash,
                    e.prev_hash,
                    e.entry_hash
                ],
            )
            .unwrap();
        }
    }
    let mut s = Store::open(&old, Durability::Normal).unwrap();
    let version: String = scalar(&s, "SELECT value FROM meta WHERE key='schema_version'");
    assert_eq!(version, "5");
    assert_eq!(s.verify(&|_| {}).unwrap().broken, None);
    let keyed: i64 = scalar(&s, "SELECT count(*) FROM log WHERE ref_key IS NOT NULL");
    assert_eq!(keyed, 3, "every record got its key, the scan entry none");
    let registered: i64 = scalar(&s, "SELECT count(*) FROM record_keys");
    assert_eq!(registered, 3);
    // Still append-only, and the old records are recognised as duplicates.
    assert!(
        s.connection()
            .execute("UPDATE log SET body = x'00' WHERE seq = 1", [])
            .is_err()
    );
    let b = rec(r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T01:00:00Z","ip":"1.2.3.5"}"#);
    assert_eq!(s.append_records(&[&b]).unwrap(), vec![Outcome::Duplicate]);
    // New records go to segments after the old rows; the chain runs on across both.
    let d = rec(r#"{"kind":"login","subject_id":"u3","at":"2026-09-01T03:00:00Z","ip":"1.2.3.7"}"#);
    assert_eq!(
        s.append_records(&[&d, &b]).unwrap(),
        vec![Outcome::Stored, Outcome::Duplicate]
    );
    assert_eq!(s.verify(&|_| {}).unwrap().broken, None);
    assert_eq!(s.record_count().unwrap(), 4);
    let mut subjects = Vec::new();
    s.for_each_record(|_, body| {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        subjects.push(v["subject_id"].as_str().unwrap().to_owned());
    })
    .unwrap();
    assert_eq!(subjects, ["u1", "u1", "u2", "u3"]);
}

fn all_entries(s: &Store) -> Vec<kensa_store::Entry> {
    let mut out = Vec::new();
    s.for_each_entry(|e| out.push(e.clone())).unwrap();
    out
}

const SQUATTER_AT: &str = "2026-09-01T00:00:00Z";

/// Body, content hash and entry hash of a record "squatter" chained as entry 1 of a fresh log.
fn squatter() -> (&'static [u8], [u8; 32], [u8; 32]) {
    let body: &[u8] = br#"{"kind":"activity"}"#;
    let content: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(body).into();
    let eh = kensa_store::entry_hash(&kensa_store::EntryFields {
        seq: 1,
        entry_type: "record",
        r#ref: "squatter",
        kind: Some("activity"),
        subject_id: Some("u0"),
        recorded_at: SQUATTER_AT,
        content_hash: &content,
        prev_hash: &[0u8; 32],
    });
    (body, content, eh)
}

#[test]
fn a_key_taken_by_another_id_moves_the_record_to_the_next_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let x =
        rec(r#"{"kind":"activity","record_id":"X","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#);
    // A validly chained record "squatter" that holds X's key, as a 64-bit collision would.
    let key = kensa_store::record_key("X");
    let (body, content, eh) = squatter();
    s.connection()
        .execute(
            "INSERT INTO log VALUES (1, 'record', 'squatter', 'activity', 'u0', \
             '2026-09-01T00:00:00Z', ?1, ?2, zeroblob(32), ?3, ?4)",
            rusqlite::params![body, &content[..], &eh[..], key],
        )
        .unwrap();
    s.connection()
        .execute("INSERT INTO record_keys VALUES (?1, 1)", [key])
        .unwrap();
    assert_eq!(s.append_records(&[&x]).unwrap(), vec![Outcome::Stored]);
    assert_eq!(s.append_records(&[&x]).unwrap(), vec![Outcome::Duplicate]);
    let stored_key = all_entries(&s)
        .into_iter()
        .find(|e| e.r#ref == "X")
        .and_then(|e| e.ref_key);
    assert_eq!(stored_key, Some(key.wrapping_add(1)));
    // A real collision is not at hand, so the squatter's key is not its own, and verify says
    // so (and stops there).
    let broken = first_break(&s);
    assert_eq!((broken.seq, broken.r#ref.as_str()), (1, "squatter"));
}

#[test]
fn a_uniqueness_key_changed_behind_the_chain_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    // Not covered by the entry hash, but a wrong key would let a record in twice.
    let (first, last, blob) = segment_of(&s, 2);
    let mut entries = segment::decode(&blob, first, last).unwrap();
    entries[(2 - first) as usize].ref_key += 1000;
    put_segment(&s, first, &segment::encode(&entries, Vec::new()));
    assert_broken(&s, 2, "ref_key");
}

#[test]
fn a_uniqueness_entry_removed_or_added_behind_the_chain_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    // Entry 3's key removed from its segment's key list.
    let (first, _, _) = segment_of(&s, 3);
    tamper(
        &s,
        &format!(
            "DROP TRIGGER segment_keys_append_only_delete; DELETE FROM segment_keys WHERE first_seq = {first}"
        ),
    );
    assert_broken(&s, 3, "key lists");

    // A key list cut short.
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    tamper(
        &s,
        "DROP TRIGGER segment_keys_append_only_update; \
         UPDATE segment_keys SET keys = substr(keys, 1, 12) WHERE first_seq = 1",
    );
    let broken = first_break(&s);
    assert_eq!(
        (broken.seq, broken.entry_type.as_str()),
        (1, "segment_keys")
    );

    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(dir.path());
    // A key pointing at the scan entry (seq 4), as if it were a record.
    s.connection()
        .execute("INSERT INTO record_keys VALUES (42, 4)", [])
        .unwrap();
    let broken = first_break(&s);
    assert_eq!((broken.seq, broken.entry_type.as_str()), (4, "record_keys"));
}

#[test]
fn copies_within_one_batch_are_stored_once_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let a =
        rec(r#"{"kind":"activity","record_id":"A","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#);
    let a2 =
        rec(r#"{"kind":"activity","record_id":"A","subject_id":"u2","at":"2026-09-01T00:00:00Z"}"#);
    let b =
        rec(r#"{"kind":"activity","record_id":"B","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#);
    assert_eq!(
        s.append_records(&[&b, &a, &a, &a2]).unwrap(),
        vec![
            Outcome::Stored,
            Outcome::Stored,
            Outcome::Duplicate,
            Outcome::Conflict
        ]
    );
    let refs: Vec<String> = all_entries(&s).into_iter().map(|e| e.r#ref).collect();
    assert_eq!(refs, ["B", "A"], "log order is input order");
    assert_eq!(s.verify(&|_| {}).unwrap().broken, None);
}

#[test]
fn a_bulk_writer_sees_records_another_connection_stored_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut a = Store::open(&path, Durability::Normal).unwrap();
    let mut b = Store::open(&path, Durability::Normal).unwrap();
    let login = |i: usize| {
        rec(&format!(
            r#"{{"kind":"login","subject_id":"u{}","at":"2026-09-01T00:00:00Z","ip":"10.0.{}.{}"}}"#,
            i % 50,
            i / 250,
            i % 250
        ))
    };
    let append = |s: &mut Store, range: std::ops::Range<usize>| {
        let recs: Vec<_> = range.map(login).collect();
        let refs: Vec<_> = recs.iter().collect();
        s.append_records(&refs).unwrap()
    };
    let all = |out: &[Outcome], want: Outcome| out.iter().all(|o| *o == want);
    // A batch large enough for `a` to keep the stored keys in memory.
    assert!(all(&append(&mut a, 0..9000), Outcome::Stored));
    // Another connection stores new records; `a` must not take them for new.
    assert!(all(&append(&mut b, 9000..9100), Outcome::Stored));
    let out = append(&mut a, 8990..9010);
    assert!(all(&out, Outcome::Duplicate), "{out:?}");
    // And its own earlier batch is known too.
    assert_eq!(append(&mut a, 5..6), vec![Outcome::Duplicate]);
    assert_eq!(a.record_count().unwrap(), 9100);
    assert_eq!(a.verify(&|_| {}).unwrap().broken, None);
}

/// Verification hashes blocks of entries in parallel; the first broken entry is still the one
/// named, also beyond the first block, and the entries before it are counted.
#[test]
fn a_change_far_into_a_large_log_is_named_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let recs: Vec<_> = (0..20_000)
        .map(|i| {
            rec(&format!(
                r#"{{"kind":"activity","subject_id":"u{}","at":"2026-09-01T00:00:00Z","n":{i}}}"#,
                i % 100
            ))
        })
        .collect();
    let refs: Vec<_> = recs.iter().collect();
    s.append_records(&refs).unwrap();
    assert_eq!(s.verify(&|_| {}).unwrap().broken, None);
    change_entry(&s, 17_001, |e| e.body.0, b"u", b"v");
    change_entry(&s, 19_000, |e| e.body.0, b"u", b"v");
    assert_broken(&s, 17_001, "content");
    assert_eq!(s.verify(&|_| {}).unwrap().entries, 17_000);
}

/// As above, but the squatter is a record entry inside a segment, as every record stored by
/// schema 3 is: the holder is compared after the batch's lookups, by decoding its segment.
#[test]
fn a_key_taken_by_a_segment_entry_moves_the_record_to_the_next_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    let key = kensa_store::record_key("X");
    let (body, content, eh) = squatter();
    let at = SQUATTER_AT;
    let blob = segment::encode(
        &[segment::SegEntry {
            r#ref: "squatter",
            kind: "activity",
            subject_id: "u0",
            body: segment::Bytes(body),
            content_hash: segment::Bytes(&content),
            entry_hash: segment::Bytes(&eh),
            ref_key: key,
        }],
        Vec::new(),
    );
    let c = s.connection();
    c.execute(
        "INSERT INTO record_segments VALUES (1, 1, ?1, ?2, ?3)",
        rusqlite::params![at, &eh[..], blob],
    )
    .unwrap();
    c.execute(
        "INSERT INTO segment_keys VALUES (1, ?1)",
        [key.to_le_bytes().to_vec()],
    )
    .unwrap();
    let x =
        rec(r#"{"kind":"activity","record_id":"X","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#);
    let y =
        rec(r#"{"kind":"activity","record_id":"Y","subject_id":"u1","at":"2026-09-01T00:00:00Z"}"#);
    assert_eq!(
        s.append_records(&[&x, &y]).unwrap(),
        vec![Outcome::Stored, Outcome::Stored]
    );
    // From a fresh connection too (the key index is rebuilt from the key lists).
    drop(s);
    let mut s = Store::open(&dir.path().join("k.db"), Durability::Normal).unwrap();
    assert_eq!(
        s.append_records(&[&y, &x, &x]).unwrap(),
        vec![Outcome::Duplicate, Outcome::Duplicate, Outcome::Duplicate]
    );
    let stored_key = all_entries(&s)
        .into_iter()
        .find(|e| e.r#ref == "X")
        .and_then(|e| e.ref_key);
    assert_eq!(stored_key, Some(key.wrapping_add(1)));
    assert_eq!(s.record_count().unwrap(), 3);
    let broken = first_break(&s);
    assert_eq!((broken.seq, broken.r#ref.as_str()), (1, "squatter"));
}

#[test]
fn a_key_listed_twice_stops_ingest_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    drop(sample_store(dir.path()));
    {
        let s = Store::open_existing(&path).unwrap();
        let (first, _, _) = segment_of(&s, 3);
        let keys: Vec<u8> = s
            .connection()
            .query_row(
                "SELECT keys FROM segment_keys WHERE first_seq = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // Entry 3's list now repeats entry 1's key.
        tamper(
            &s,
            &format!(
                "DROP TRIGGER segment_keys_append_only_update; \
                 UPDATE segment_keys SET keys = x'{}' WHERE first_seq = {first}",
                hex::encode(&keys[..8])
            ),
        );
    }
    let mut s = Store::open_existing(&path).unwrap();
    let d = rec(r#"{"kind":"login","subject_id":"u3","at":"2026-09-01T03:00:00Z","ip":"1.2.3.7"}"#);
    let err = s.append_records(&[&d]).unwrap_err().to_string();
    assert!(err.contains("uniqueness index is damaged"), "{err}");
    assert!(err.contains("kensa verify"), "{err}");
    // A second try does not go on with the index read up to the damage.
    assert!(s.append_records(&[&d]).is_err());
    assert_eq!(s.record_count().unwrap(), 3, "nothing was written");
}

/// A subject's records come back through the per-subject index exactly as a scan of the whole
/// log would find them, for records in segments and in old log rows alike, and a schema 3
/// database gets the index filled on upgrade.
#[test]
fn a_subjects_records_are_read_through_the_subject_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut s = Store::open(&path, Durability::Normal).unwrap();
    // 600 records over 7 subjects: three segments, each holding several subjects.
    let recs: Vec<_> = (0..600)
        .map(|i| {
            rec(&format!(
                r#"{{"kind":"login","subject_id":"u{}","at":"2026-09-01T00:{:02}:{:02}Z","ip":"1.2.3.{}"}}"#,
                i % 7,
                (i / 60) % 60,
                i % 60,
                i % 250
            ))
        })
        .collect();
    let refs: Vec<_> = recs.iter().collect();
    s.append_records(&refs).unwrap();
    s.append_entry("result", "scan-1", Some("u3"), br#"{"score":1}"#)
        .unwrap();
    let by_scan = |s: &Store, subject: &str| -> Vec<(String, Vec<u8>)> {
        let mut v = Vec::new();
        s.for_each_entry(|e| {
            if e.entry_type == "record" && e.subject_id.as_deref() == Some(subject) {
                v.push((e.r#ref.clone(), e.body.clone()));
            }
        })
        .unwrap();
        v
    };
    let check = |s: &Store| {
        for k in 0..7 {
            let sid = format!("u{k}");
            let got: Vec<(String, Vec<u8>)> = s
                .subject_records(&sid)
                .unwrap()
                .into_iter()
                .map(|r| (r.record_id, r.body))
                .collect();
            assert!(!got.is_empty());
            assert_eq!(got, by_scan(s, &sid), "{sid}");
        }
        assert!(s.subject_records("nobody").unwrap().is_empty());
        let results = s.subject_entries("result", "u3").unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].1, "scan-1");
    };
    check(&s);
    let indexed: i64 = scalar(&s, "SELECT count(*) FROM subject_segments");
    assert_eq!(indexed, 3 * 7, "one row per subject and segment");
    // The index is append-only like the log.
    assert!(
        s.connection()
            .execute("DELETE FROM subject_segments", [])
            .is_err()
    );
    // A schema 3 database (no index yet) gets it on open.
    s.connection()
        .execute_batch(
            "DROP TABLE subject_segments; UPDATE meta SET value = '3' WHERE key = 'schema_version';",
        )
        .unwrap();
    drop(s);
    let s = Store::open(&path, Durability::Normal).unwrap();
    check(&s);
    assert_eq!(s.verify(&|_| {}).unwrap().broken, None);
}
