//! The embedded store and the evidence chain.
//!
//! Everything Kensa keeps lives in one SQLite database (WAL mode): every accepted record,
//! every scan result and every decision is an **entry of one append-only log**. Each entry
//! holds the SHA-256 of its own canonical content and the hash of the previous entry, so that
//! changing, removing or reordering anything after the fact breaks the chain at a place that
//! [`Store::verify`] names.
//!
//! ```text
//! entry_hash(n) = SHA-256( "kensa-log-v1" ‖ seq ‖ entry_type ‖ ref ‖ kind ‖ subject_id
//!                          ‖ recorded_at ‖ content_hash(n) ‖ entry_hash(n-1) )
//! content_hash(n) = SHA-256(body(n))          (each field length-prefixed)
//! ```
//!
//! Records are stored once: the `record_id` (given, or derived from the content by
//! `kensa-model`) is unique among record entries, so feeding the same file twice stores nothing
//! new. A record whose id is already stored with *different* content is refused as a conflict
//! rather than silently replacing or shadowing the first.
//!
//! Uniqueness is kept by the table `record_keys`, keyed by a 64-bit key derived from the record
//! id ([`record_key`]: the first 8 bytes of its SHA-256) and pointing at the record's entry;
//! the entry keeps the same key in `ref_key`. Record ids are hashes, so their keys land at
//! random places: indexing them on the log itself made every insert a random B-tree descent
//! and every transaction rewrite most index pages. A batch instead looks its keys up and
//! inserts them into `record_keys` in sorted order, which touches each page once, and the log
//! itself is only ever appended to. Two different ids with the same 64-bit key (about one
//! chance in 10^7 among a million records) are handled by open addressing: the second takes
//! the next free key. `ref_key` is not part of the hashed entry; `verify` checks that it lies
//! within [`MAX_PROBE`] of the id's key.
//!
//! Architecture invariant: the log is append-only. SQL triggers refuse `UPDATE` and `DELETE` on
//! it, and nothing in Kensa issues them; `verify` catches what goes around the triggers.
//! Verification cannot detect the removal of entries at the *end* of the log; for that,
//! `kensa verify` prints the head hash, which an investigator can record elsewhere.

use kensa_model::Validated;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::Path;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database: unexpected value: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),
    #[error(
        "record {record_id:?}: {MAX_PROBE} consecutive record keys are taken by other ids (damaged database?)"
    )]
    KeyProbe { record_id: String },
    #[error("database {path} does not exist")]
    Missing { path: String },
    #[error(
        "database {path} was written by a newer Kensa (schema {found}, this build knows {known})"
    )]
    Schema {
        path: String,
        found: i64,
        known: i64,
    },
}

/// Schema 1 indexed the record id text; schema 2 indexes `ref_key` (migrated on open).
const SCHEMA_VERSION: i64 = 2;

/// Most keys tried after a record's own before giving up (a 64-bit collision run this long
/// would mean a broken hash or a crafted database).
pub const MAX_PROBE: i64 = 64;

/// The 64-bit uniqueness key of a record id: the first 8 bytes of its SHA-256.
pub fn record_key(record_id: &str) -> i64 {
    let h = Sha256::digest(record_id.as_bytes());
    i64::from_le_bytes(h[..8].try_into().expect("8 bytes"))
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (
    seq          INTEGER PRIMARY KEY,
    entry_type   TEXT NOT NULL,
    ref          TEXT NOT NULL,
    kind         TEXT,
    subject_id   TEXT,
    recorded_at  TEXT NOT NULL,
    body         BLOB NOT NULL,
    content_hash BLOB NOT NULL,
    prev_hash    BLOB NOT NULL,
    entry_hash   BLOB NOT NULL,
    ref_key      INTEGER
);
-- Record entries by their 64-bit key: a record_id is stored once. Other entry types may repeat
-- a ref (e.g. a scan id) and have no key.
CREATE TABLE IF NOT EXISTS record_keys (key INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS record_keys_append_only_update BEFORE UPDATE ON record_keys
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_keys_append_only_delete BEFORE DELETE ON record_keys
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_append_only_update BEFORE UPDATE ON log
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_append_only_delete BEFORE DELETE ON log
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TABLE IF NOT EXISTS rejects (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL,
    file        TEXT NOT NULL,
    line        INTEGER NOT NULL,
    field       TEXT,
    reason      TEXT NOT NULL,
    raw         TEXT,
    recorded_at TEXT NOT NULL
);
"#;

/// Schema 1 → 2: add and fill `ref_key`, fill `record_keys`, drop the id-text index. The
/// append-only trigger is lifted for the one UPDATE per record that fills the new column,
/// inside the same transaction; the hashed fields are untouched, so the chain verifies as
/// before.
fn migrate_1_to_2(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE log ADD COLUMN ref_key INTEGER; DROP TRIGGER log_append_only_update;",
    )?;
    {
        let mut ids =
            conn.prepare("SELECT seq, ref FROM log WHERE entry_type = 'record' ORDER BY seq")?;
        let mut claim =
            conn.prepare("INSERT OR IGNORE INTO record_keys (key, seq) VALUES (?1, ?2)")?;
        let mut set = conn.prepare("UPDATE log SET ref_key = ?2 WHERE seq = ?1")?;
        let mut rows = ids.query([])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            // Schema 1 kept ids unique, so two entries share a key only if their hashes collide.
            let record_id = row.get_ref(1)?.as_str()?.to_owned();
            let mut key = record_key(&record_id);
            let mut probes = 0;
            while claim.execute(params![key, seq])? == 0 {
                probes += 1;
                if probes == MAX_PROBE {
                    return Err(StoreError::KeyProbe { record_id });
                }
                key = key.wrapping_add(1);
            }
            set.execute(params![seq, key])?;
        }
    }
    conn.execute_batch(
        "CREATE TRIGGER log_append_only_update BEFORE UPDATE ON log
         BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
         DROP INDEX IF EXISTS log_record;",
    )?;
    Ok(())
}

/// How an appended record fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New: appended to the log.
    Stored,
    /// The same record (same id, same content) is already stored.
    Duplicate,
    /// The id is already stored with different content; nothing was written.
    Conflict,
}

/// The last entry of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: [u8; 32],
}

impl Head {
    pub const GENESIS: Head = Head {
        seq: 0,
        hash: [0; 32],
    };
}

/// One log entry's fields that the hash covers.
pub struct EntryFields<'a> {
    pub seq: i64,
    pub entry_type: &'a str,
    pub r#ref: &'a str,
    pub kind: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub recorded_at: &'a str,
    pub content_hash: &'a [u8],
    pub prev_hash: &'a [u8],
}

/// The chain hash of one entry.
pub fn entry_hash(f: &EntryFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(b"kensa-log-v1");
    field(&f.seq.to_le_bytes());
    field(f.entry_type.as_bytes());
    field(f.r#ref.as_bytes());
    field(f.kind.unwrap_or("").as_bytes());
    field(f.subject_id.unwrap_or("").as_bytes());
    field(f.recorded_at.as_bytes());
    field(f.content_hash);
    field(f.prev_hash);
    h.finalize().into()
}

/// Durability of commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync at every commit: an acknowledged batch survives power loss.
    Full,
    /// Survives a crash or kill of the process, not necessarily a power loss.
    Normal,
}

/// The store.
pub struct Store {
    conn: Connection,
    path: String,
    /// All keys of `record_keys`, loaded for the first large batch so that bulk ingest need
    /// not ask SQLite about every new key. Valid while `PRAGMA data_version` (which changes
    /// when another connection commits) stays as it was when the set was last in sync.
    key_cache: Option<KeyCache>,
}

struct KeyCache {
    keys: std::collections::HashSet<i64>,
    data_version: i64,
}

/// Batches at least this large load the key cache.
const KEY_CACHE_MIN_BATCH: usize = 8_192;
/// No key cache for databases with more records than this (about 16 bytes of memory each).
const KEY_CACHE_MAX_KEYS: i64 = 20_000_000;

/// Now, as RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl Store {
    /// Opens (creating if needed) a database for writing.
    pub fn open(path: &Path, durability: Durability) -> Result<Store> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: p.clone(),
            source,
        })?;
        Self::init(conn, p, durability)
    }

    /// Opens an existing database; fails if it does not exist.
    pub fn open_existing(path: &Path) -> Result<Store> {
        let p = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::Missing { path: p });
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(
            |source| StoreError::Open {
                path: p.clone(),
                source,
            },
        )?;
        Self::init(conn, p, Durability::Full)
    }

    fn init(conn: Connection, path: String, durability: Durability) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // Larger pages suit a log of ~300-byte rows written in bulk; only effective on a new file.
        conn.pragma_update(None, "page_size", 8192)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(
            None,
            "synchronous",
            match durability {
                Durability::Full => "FULL",
                Durability::Normal => "NORMAL",
            },
        )?;
        conn.pragma_update(None, "cache_size", -262_144)?; // 256 MiB
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint less often than every 1000 pages: bulk ingest rewrites the same index
        // pages in consecutive transactions, and each checkpoint copies a page once.
        conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
        conn.execute_batch(SCHEMA)?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key='schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let set_version = |conn: &Connection| {
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)",
                [SCHEMA_VERSION.to_string()],
            )
        };
        match found.and_then(|v| v.parse::<i64>().ok()) {
            None => {
                set_version(&conn)?;
            }
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::Schema {
                    path,
                    found: v,
                    known: SCHEMA_VERSION,
                });
            }
            Some(1) => {
                let tx = conn.unchecked_transaction()?;
                migrate_1_to_2(&tx)?;
                set_version(&tx)?;
                tx.commit()?;
            }
            Some(_) => {}
        }
        Ok(Store {
            conn,
            path,
            key_cache: None,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw connection, for read-only queries by other crates and for tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The current head of the log.
    pub fn head(&self) -> Result<Head> {
        head(&self.conn)
    }

    /// Appends a batch of validated records in one transaction, returning one outcome per
    /// record in order. When this returns `Ok`, the batch is committed (acknowledged).
    pub fn append_records(&mut self, recs: &[&Validated]) -> Result<Vec<Outcome>> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // 1. Decide each record's fate, visiting keys in sorted order (each `record_keys` page
        //    is then read once). Equal keys keep input order, so the first of two copies in
        //    one batch is the one stored.
        let keys: Vec<i64> = recs.iter().map(|r| record_key(&r.record_id)).collect();
        let data_version: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if self
            .key_cache
            .as_ref()
            .is_some_and(|c| c.data_version != data_version)
        {
            self.key_cache = None;
        }
        if self.key_cache.is_none() && recs.len() >= KEY_CACHE_MIN_BATCH {
            let n: i64 = tx.query_row("SELECT count(*) FROM record_keys", [], |r| r.get(0))?;
            if n <= KEY_CACHE_MAX_KEYS {
                let mut keys = std::collections::HashSet::with_capacity(n as usize + recs.len());
                let mut st = tx.prepare("SELECT key FROM record_keys")?;
                let mut rows = st.query([])?;
                while let Some(row) = rows.next()? {
                    keys.insert(row.get::<_, i64>(0)?);
                }
                self.key_cache = Some(KeyCache { keys, data_version });
            }
        }
        let cache = self.key_cache.as_ref().map(|c| &c.keys);
        let mut order: Vec<usize> = (0..recs.len()).collect();
        order.sort_unstable_by_key(|&i| (keys[i], i));
        let mut out: Vec<Outcome> = vec![Outcome::Stored; recs.len()];
        let mut taken: Vec<(i64, usize)> = Vec::with_capacity(recs.len());
        {
            let mut claimed: std::collections::HashMap<i64, usize> =
                std::collections::HashMap::with_capacity(recs.len());
            let mut lookup = tx.prepare_cached("SELECT seq FROM record_keys WHERE key = ?1")?;
            let mut entry =
                tx.prepare_cached("SELECT ref, content_hash FROM log WHERE seq = ?1")?;
            for &i in &order {
                let r = recs[i];
                let mut key = keys[i];
                let mut decided = false;
                for _ in 0..MAX_PROBE {
                    // Open addressing over the 64-bit key: a key holding the same id means the
                    // record is already there; the first free key stores it.
                    let holder: Option<(String, Vec<u8>)> = match claimed.get(&key) {
                        Some(&j) => Some((recs[j].record_id.clone(), recs[j].body_hash.to_vec())),
                        // A key the cache does not hold is not in the database either.
                        None if cache.is_some_and(|c| !c.contains(&key)) => None,
                        None => match lookup
                            .query_row([key], |row| row.get::<_, i64>(0))
                            .optional()?
                        {
                            None => None,
                            Some(seq) => {
                                Some(entry.query_row([seq], |row| Ok((row.get(0)?, row.get(1)?)))?)
                            }
                        },
                    };
                    match holder {
                        None => {
                            claimed.insert(key, i);
                            taken.push((key, i));
                            decided = true;
                            break;
                        }
                        Some((id, hash)) if id == r.record_id => {
                            out[i] = if hash[..] == r.body_hash[..] {
                                Outcome::Duplicate
                            } else {
                                Outcome::Conflict
                            };
                            decided = true;
                            break;
                        }
                        Some(_) => key = key.wrapping_add(1),
                    }
                }
                if !decided {
                    return Err(StoreError::KeyProbe {
                        record_id: r.record_id.clone(),
                    });
                }
            }
        }
        // 2. Append the new records to the log in input order, each chained to the one before.
        let mut key_of: Vec<Option<i64>> = vec![None; recs.len()];
        for &(k, i) in &taken {
            key_of[i] = Some(k);
        }
        let mut seq_of: Vec<i64> = vec![0; recs.len()];
        let mut h = head(&tx)?;
        let recorded_at = now_rfc3339();
        // (index in the batch, seq, previous entry's hash, entry hash, key) of each new entry.
        type NewEntry = (usize, i64, [u8; 32], [u8; 32], i64);
        let mut rows: Vec<NewEntry> = Vec::with_capacity(taken.len());
        for (i, r) in recs.iter().enumerate() {
            let Some(key) = key_of[i] else { continue };
            let seq = h.seq + 1;
            let eh = entry_hash(&EntryFields {
                seq,
                entry_type: "record",
                r#ref: &r.record_id,
                kind: Some(r.kind.as_str()),
                subject_id: Some(&r.subject_id),
                recorded_at: &recorded_at,
                content_hash: &r.body_hash,
                prev_hash: &h.hash,
            });
            rows.push((i, seq, h.hash, eh, key));
            seq_of[i] = seq;
            h = Head { seq, hash: eh };
        }
        insert_multi(
            &tx,
            "INSERT INTO log (seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash, ref_key) VALUES ",
            "(?, 'record', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            10,
            rows.len(),
            |st, p, n| {
                let (i, seq, prev, eh, key) = &rows[n];
                let r = recs[*i];
                st.raw_bind_parameter(p, seq)?;
                st.raw_bind_parameter(p + 1, &r.record_id)?;
                st.raw_bind_parameter(p + 2, r.kind.as_str())?;
                st.raw_bind_parameter(p + 3, &r.subject_id)?;
                st.raw_bind_parameter(p + 4, &recorded_at)?;
                st.raw_bind_parameter(p + 5, &r.body[..])?;
                st.raw_bind_parameter(p + 6, &r.body_hash[..])?;
                st.raw_bind_parameter(p + 7, &prev[..])?;
                st.raw_bind_parameter(p + 8, &eh[..])?;
                st.raw_bind_parameter(p + 9, key)
            },
        )?;
        // 3. Register the new keys, in key order.
        taken.sort_unstable();
        insert_multi(
            &tx,
            "INSERT INTO record_keys (key, seq) VALUES ",
            "(?, ?)",
            2,
            taken.len(),
            |st, p, n| {
                let (k, i) = taken[n];
                st.raw_bind_parameter(p, k)?;
                st.raw_bind_parameter(p + 1, seq_of[i])
            },
        )?;
        tx.commit()?;
        // Our own commit changes no data_version of ours; the cache now holds the new keys.
        if let Some(c) = self.key_cache.as_mut() {
            c.keys.extend(taken.iter().map(|&(k, _)| k));
        }
        Ok(out)
    }

    /// Appends one non-record entry (a scan, a result, a decision) and returns its sequence
    /// number. `body` should be canonical JSON.
    pub fn append_entry(
        &mut self,
        entry_type: &str,
        r#ref: &str,
        subject_id: Option<&str>,
        body: &[u8],
    ) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq = append_in(&tx, entry_type, r#ref, subject_id, body, &now_rfc3339())?;
        tx.commit()?;
        Ok(seq)
    }

    /// Appends many non-record entries in one transaction (e.g. one result per subject).
    pub fn append_entries<'a>(
        &mut self,
        entry_type: &str,
        entries: impl IntoIterator<Item = (&'a str, Option<&'a str>, &'a [u8])>,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now_rfc3339();
        let mut n = 0;
        for (r, subject, body) in entries {
            append_in(&tx, entry_type, r, subject, body, &at)?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Keeps rejected input with its reason.
    pub fn add_rejects<'a>(
        &mut self,
        run_id: &str,
        rejects: impl IntoIterator<Item = (&'a str, u64, Option<&'a str>, &'a str, Option<&'a str>)>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let at = now_rfc3339();
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO rejects (run_id, file, line, field, reason, raw, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (file, line, field, reason, raw) in rejects {
                st.execute(params![run_id, file, line as i64, field, reason, raw, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Number of stored records.
    pub fn record_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM log WHERE entry_type = 'record'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Calls `f(kind, body)` for every stored record, in log order.
    pub fn for_each_record(&self, mut f: impl FnMut(&str, &[u8])) -> Result<()> {
        let mut st = self
            .conn
            .prepare("SELECT kind, body FROM log WHERE entry_type = 'record' ORDER BY seq")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let kind = row.get_ref(0)?.as_str()?;
            let body = row.get_ref(1)?.as_blob()?;
            f(kind, body);
        }
        Ok(())
    }

    /// Bodies of the latest entries of one type for a reference (e.g. the last scan results).
    pub fn entries_of_type(&self, entry_type: &str) -> Result<Vec<(i64, String, Vec<u8>)>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, ref, body FROM log WHERE entry_type = ?1 ORDER BY seq")?;
        let rows = st.query_map([entry_type], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The body of the latest entry of a type about a subject (e.g. its latest `result`).
    pub fn latest_for_subject(
        &self,
        entry_type: &str,
        subject_id: &str,
    ) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM log WHERE entry_type = ?1 AND subject_id = ?2 ORDER BY seq DESC LIMIT 1",
                params![entry_type, subject_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The latest scan's id and its per-subject result bodies (for comparing policies).
    pub fn latest_scan_results(&self) -> Result<Option<(String, Vec<Vec<u8>>)>> {
        let scan: Option<String> = self
            .conn
            .query_row(
                "SELECT ref FROM log WHERE entry_type = 'scan' ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(scan) = scan else { return Ok(None) };
        let mut st = self.conn.prepare(
            "SELECT body FROM log WHERE entry_type = 'result' AND ref = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([&scan], |r| r.get(0))?;
        Ok(Some((scan, rows.collect::<Result<_, _>>()?)))
    }

    /// `(record_id, body)` of every stored record of a kind about a subject, in log order.
    pub fn records_for_subject(
        &self,
        kind: &str,
        subject_id: &str,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let mut st = self.conn.prepare(
            "SELECT ref, body FROM log WHERE entry_type = 'record' AND kind = ?1 AND subject_id = ?2 ORDER BY seq",
        )?;
        let rows = st.query_map(params![kind, subject_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Re-computes the whole chain. `progress` is called with the number of entries checked.
    pub fn verify(&self, progress: &dyn Fn(u64)) -> Result<VerifyReport> {
        use rayon::prelude::*;
        /// One entry as stored.
        struct Row {
            seq: i64,
            entry_type: String,
            r#ref: String,
            kind: Option<String>,
            subject_id: Option<String>,
            recorded_at: String,
            body: Vec<u8>,
            content_hash: Vec<u8>,
            prev_hash: Vec<u8>,
            entry_hash: Vec<u8>,
            ref_key: Option<i64>,
        }
        let mut st = self.conn.prepare(
            "SELECT seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash, ref_key FROM log ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        let mut prev = Head::GENESIS;
        let mut checked = 0u64;
        let pairs = PairHasher::new();
        let mut from_log = PairSet::default();
        // Entries are read in blocks; the hashing of a block (two SHA-256 per entry, the bulk
        // of the work) runs in parallel, and the checks are then made in order, so the first
        // broken entry is still the one named.
        const BLOCK: usize = 16_384;
        let mut block: Vec<Row> = Vec::with_capacity(BLOCK);
        loop {
            block.clear();
            while block.len() < BLOCK {
                let Some(row) = rows.next()? else { break };
                block.push(Row {
                    seq: row.get(0)?,
                    entry_type: row.get(1)?,
                    r#ref: row.get(2)?,
                    kind: row.get(3)?,
                    subject_id: row.get(4)?,
                    recorded_at: row.get(5)?,
                    body: row.get(6)?,
                    content_hash: row.get(7)?,
                    prev_hash: row.get(8)?,
                    entry_hash: row.get(9)?,
                    ref_key: row.get(10)?,
                });
            }
            if block.is_empty() {
                break;
            }
            // (content matches its hash, the entry hash recomputed from the stored fields)
            let hashed: Vec<(bool, [u8; 32])> = block
                .par_iter()
                .map(|r| {
                    let actual: [u8; 32] = Sha256::digest(&r.body).into();
                    let computed = entry_hash(&EntryFields {
                        seq: r.seq,
                        entry_type: &r.entry_type,
                        r#ref: &r.r#ref,
                        kind: r.kind.as_deref(),
                        subject_id: r.subject_id.as_deref(),
                        recorded_at: &r.recorded_at,
                        content_hash: &r.content_hash,
                        prev_hash: &r.prev_hash,
                    });
                    (actual[..] == r.content_hash[..], computed)
                })
                .collect();
            for (r, (content_ok, computed)) in block.iter().zip(hashed) {
                let broken = |reason: String| VerifyReport {
                    entries: checked,
                    head: prev,
                    broken: Some(Broken {
                        seq: r.seq,
                        entry_type: r.entry_type.clone(),
                        r#ref: r.r#ref.clone(),
                        reason,
                    }),
                };
                if r.seq != prev.seq + 1 {
                    return Ok(broken(format!(
                        "entry {} follows entry {} (entries missing or renumbered)",
                        r.seq, prev.seq
                    )));
                }
                if !content_ok {
                    return Ok(broken(
                        "content does not match its hash (the stored body was changed)".into(),
                    ));
                }
                if r.prev_hash[..] != prev.hash {
                    return Ok(broken(
                        "previous-entry hash does not match the entry before it".into(),
                    ));
                }
                if computed[..] != r.entry_hash[..] {
                    return Ok(broken(
                        "entry hash does not match its fields (the entry was changed)".into(),
                    ));
                }
                // The uniqueness key is not hashed; a wrong one would let a record be stored
                // twice.
                let key_ok = match (r.entry_type == "record", r.ref_key) {
                    (true, Some(k)) => {
                        (0..MAX_PROBE).contains(&k.wrapping_sub(record_key(&r.r#ref)))
                    }
                    (false, None) => true,
                    _ => false,
                };
                if !key_ok {
                    return Ok(broken(
                        "uniqueness key (ref_key) does not belong to the record id".into(),
                    ));
                }
                if let Some(k) = r.ref_key {
                    pairs.add(&mut from_log, k, r.seq);
                }
                prev = Head {
                    seq: r.seq,
                    hash: computed,
                };
                checked += 1;
                if checked.is_multiple_of(65_536) {
                    progress(checked);
                }
            }
        }
        progress(checked);
        // The uniqueness table must point at exactly the record entries, each by its own key:
        // otherwise a record could be stored twice or a duplicate taken for new. Compared as
        // sets by a fingerprint (one sequential pass over `record_keys`); only when they differ
        // do the joins below find the entry to name.
        let mut from_keys = PairSet::default();
        {
            let mut st = self.conn.prepare("SELECT key, seq FROM record_keys")?;
            let mut rows = st.query([])?;
            while let Some(row) = rows.next()? {
                pairs.add(&mut from_keys, row.get(0)?, row.get(1)?);
            }
        }
        if from_keys == from_log {
            return Ok(VerifyReport {
                entries: checked,
                head: prev,
                broken: None,
            });
        }
        let unindexed: Option<(i64, String, String)> = self
            .conn
            .query_row(
                "SELECT l.seq, l.entry_type, l.ref FROM log l LEFT JOIN record_keys k ON k.key = l.ref_key \
                 WHERE l.entry_type = 'record' AND (k.seq IS NULL OR k.seq <> l.seq) ORDER BY l.seq LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let stray: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT k.key, k.seq FROM record_keys k LEFT JOIN log l ON l.seq = k.seq \
                 WHERE l.ref_key IS NOT k.key OR l.entry_type IS NOT 'record' LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let broken = match (unindexed, stray) {
            (Some((seq, entry_type, r#ref)), _) => Some(Broken {
                seq,
                entry_type,
                r#ref,
                reason:
                    "the record's uniqueness key is missing from record_keys or points elsewhere"
                        .into(),
            }),
            (None, Some((key, seq))) => Some(Broken {
                seq,
                entry_type: "record_keys".into(),
                r#ref: key.to_string(),
                reason: format!(
                    "record_keys holds key {key} for entry {seq}, which is not that record"
                ),
            }),
            (None, None) => Some(Broken {
                seq: 0,
                entry_type: "record_keys".into(),
                r#ref: String::new(),
                reason: "record_keys does not hold exactly the record entries".into(),
            }),
        };
        Ok(VerifyReport {
            entries: checked,
            head: prev,
            broken,
        })
    }
}

/// Inserts `n` rows with multi-row `VALUES` lists of up to 64 rows, so that the statement
/// overhead (step, reset, bind bookkeeping) is paid per chunk rather than per row. `bind`
/// gets the statement, the 1-based index of the row's first parameter, and the row number.
fn insert_multi(
    conn: &Connection,
    head: &str,
    row: &str,
    width: usize,
    n: usize,
    mut bind: impl FnMut(&mut rusqlite::Statement<'_>, usize, usize) -> rusqlite::Result<()>,
) -> Result<()> {
    const CHUNK: usize = 64;
    let mut done = 0;
    while done < n {
        let m = (n - done).min(CHUNK);
        let mut sql = String::with_capacity(head.len() + m * (row.len() + 1));
        sql.push_str(head);
        for j in 0..m {
            if j > 0 {
                sql.push(',');
            }
            sql.push_str(row);
        }
        let mut st = conn.prepare_cached(&sql)?;
        for j in 0..m {
            bind(&mut st, j * width + 1, done + j)?;
        }
        st.raw_execute()?;
        done += m;
    }
    Ok(())
}

/// An order-independent fingerprint of a set of (key, entry) pairs: their count and two sums
/// of SipHash values under keys the OS draws at random for each verification, so that a table
/// changed beforehand cannot be made to match by construction.
#[derive(PartialEq, Eq, Default)]
struct PairSet {
    n: u64,
    sums: [u64; 2],
}

struct PairHasher([std::collections::hash_map::RandomState; 2]);

impl PairHasher {
    fn new() -> Self {
        PairHasher([Default::default(), Default::default()])
    }
    fn add(&self, set: &mut PairSet, key: i64, seq: i64) {
        use std::hash::BuildHasher;
        set.n += 1;
        for (sum, state) in set.sums.iter_mut().zip(&self.0) {
            *sum = sum.wrapping_add(state.hash_one((key, seq)));
        }
    }
}

fn head(conn: &Connection) -> Result<Head> {
    let h: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, entry_hash FROM log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match h {
        None => Head::GENESIS,
        Some((seq, hash)) => {
            let mut a = [0u8; 32];
            if hash.len() == 32 {
                a.copy_from_slice(&hash);
            }
            Head { seq, hash: a }
        }
    })
}

fn append_in(
    conn: &Connection,
    entry_type: &str,
    r#ref: &str,
    subject_id: Option<&str>,
    body: &[u8],
    recorded_at: &str,
) -> Result<i64> {
    let h = head(conn)?;
    let seq = h.seq + 1;
    let content_hash: [u8; 32] = Sha256::digest(body).into();
    let eh = entry_hash(&EntryFields {
        seq,
        entry_type,
        r#ref,
        kind: None,
        subject_id,
        recorded_at,
        content_hash: &content_hash,
        prev_hash: &h.hash,
    });
    conn.prepare_cached(
        "INSERT INTO log (seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash) \
         VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        entry_type,
        r#ref,
        subject_id,
        recorded_at,
        body,
        &content_hash[..],
        &h.hash[..],
        &eh[..]
    ])?;
    Ok(seq)
}

/// The result of [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked and found intact.
    pub entries: u64,
    /// The last intact entry.
    pub head: Head,
    /// The first broken entry, if any.
    pub broken: Option<Broken>,
}

/// The first entry where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub entry_type: String,
    pub r#ref: String,
    pub reason: String,
}
