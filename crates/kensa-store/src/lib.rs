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
//! Where an entry's bytes live does not change its hash: scans, results and decisions are
//! rows of the table `log` (as were records before schema 3); record entries are stored many
//! to a row in `record_segments` (see [`segment`]), because one SQLite row per record was the
//! largest cost of bulk ingest. Readers merge the two by sequence number.
//!
//! Records are stored once: the `record_id` (given, or derived from the content by
//! `kensa-model`) is unique among record entries, so feeding the same file twice stores nothing
//! new. A record whose id is already stored with *different* content is refused as a conflict
//! rather than silently replacing or shadowing the first.
//!
//! Uniqueness is kept by a 64-bit key derived from the record id ([`record_key`]: the first 8
//! bytes of its SHA-256), held by every record entry (`ref_key`) and listed compactly, one
//! row per segment, in the table `segment_keys` (the keys of records stored before schema 3
//! are rows of `record_keys`). A writer loads all keys into memory once (16 bytes a record)
//! and afterwards reads only the rows other connections have appended since, so deciding
//! whether a record is new costs no database lookup, and registering it costs 8 bytes
//! written once. (Schema 2 kept them in a B-tree table; inserting random keys into it
//! rewrote most of its pages at every commit.) Two different ids with the same 64-bit key
//! (about one chance in 10^7 among a million records) are handled by open addressing: the
//! second takes the next free key. `ref_key` is not part of the hashed entry; `verify` checks
//! that it lies within [`MAX_PROBE`] of the id's key and that the key lists hold exactly the
//! record entries.
//!
//! Architecture invariant: the log is append-only. SQL triggers refuse `UPDATE` and `DELETE` on
//! it, and nothing in Kensa issues them but [`Store::purge_records`], which empties the stored
//! content of record entries past retention (after appending a `purge` entry, and listing each
//! in `purged`): the envelopes and content hashes stay, so the chain verifies, and `verify`
//! accepts an empty body only for a listed entry purged by a later `purge` entry. `verify`
//! catches what goes around the triggers.
//! Verification cannot detect the removal of entries at the *end* of the log; for that,
//! `kensa verify` prints the head hash, which an investigator can record elsewhere.

use kensa_model::Validated;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::Path;

pub mod accounts;
pub mod checkpoint;
pub mod postgres;
pub mod segment;
use segment::{Bytes, SEGMENT_ENTRIES, SegEntry, SegmentError};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// (The SQLite error is shown, not chained: its own cause repeats it.)
    #[error("database {path}: {error}")]
    Open {
        path: String,
        error: rusqlite::Error,
    },
    #[error("database {path}: cannot create it: the directory {dir} does not exist")]
    NoDirectory { path: String, dir: String },
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
    #[error("database: record segment starting at entry {first_seq}: {source}")]
    Segment {
        first_seq: i64,
        #[source]
        source: SegmentError,
    },
    #[error(
        "database: the uniqueness index points at entry {seq}, which is not a stored record (damaged database? run `kensa verify`)"
    )]
    MissingEntry { seq: i64 },
    #[error("database: the uniqueness index is damaged: {0} (run `kensa verify`)")]
    Index(String),
    /// An operation refused for a reason the message gives (nothing was written).
    #[error("database: {0}")]
    Refused(String),
    /// A PostgreSQL error (the store's location is added by [`StoreError::at`]).
    #[error("database: {0}")]
    Postgres(String),
    /// The PostgreSQL server cannot be reached or went away (a restart, the network, a
    /// serialisation failure): trying again later may succeed.
    #[error("database: {0}")]
    Unavailable(String),
    #[error(
        "database {path} was written by a newer Kensa (schema {found}, this build knows {known})"
    )]
    Schema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "{path} is a database of another application ({what}); Kensa does not add its tables to it: give --db a new file or a Kensa database"
    )]
    Foreign { path: String, what: String },
    /// Any of the errors above that does not name its database, with the database's path.
    #[error("database {path}: {}", without_prefix(inner))]
    In {
        path: String,
        inner: Box<StoreError>,
    },
}

fn without_prefix(e: &StoreError) -> String {
    let text = e.to_string();
    match text.strip_prefix("database: ") {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

impl StoreError {
    /// The error, naming the database at `path` if it does not already.
    pub fn at(self, path: &str) -> StoreError {
        match self {
            StoreError::Open { .. }
            | StoreError::NoDirectory { .. }
            | StoreError::Missing { .. }
            | StoreError::Schema { .. }
            | StoreError::Foreign { .. }
            | StoreError::In { .. } => self,
            other => StoreError::In {
                path: path.to_owned(),
                inner: Box::new(other),
            },
        }
    }

    /// Whether trying again later may succeed (the server is unreachable or restarting).
    pub fn is_unavailable(&self) -> bool {
        matches!(self.inner(), StoreError::Unavailable(_))
    }

    /// The error without the database path added by [`StoreError::at`].
    pub fn inner(&self) -> &StoreError {
        match self {
            StoreError::In { inner, .. } => inner,
            other => other,
        }
    }
}

/// SQLite's `application_id` of a Kensa database ("KENS"), set when Kensa creates it.
pub const APPLICATION_ID: i32 = 0x4B45_4E53;

/// Schema 1 indexed the record id text; schema 2 indexes `ref_key` (migrated on open);
/// schema 3 stores new record entries in `record_segments` (entries written before stay in
/// `log`, so the upgrade only adds the table); schema 4 adds the per-subject index
/// (`subject_segments`, `log_subject`), filled from the stored segments on upgrade.
const SCHEMA_VERSION: i64 = 5;

/// The 64-bit key of a subject id in the per-subject index.
pub fn subject_key(subject_id: &str) -> i64 {
    kensa_model::record_key(subject_id)
}

/// Most keys tried after a record's own before giving up (a 64-bit collision run this long
/// would mean a broken hash or a crafted database).
pub const MAX_PROBE: i64 = 64;

/// The 64-bit uniqueness key of a record id (the first 8 bytes of its SHA-256); each
/// [`Validated`] carries its own as `id_key`.
pub use kensa_model::record_key;

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
-- Record entries, many consecutive ones per row (see `segment`). `last_hash` repeats the entry
-- hash of the segment's last entry so that appending need not decode it.
CREATE TABLE IF NOT EXISTS record_segments (
    first_seq   INTEGER PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    last_hash   BLOB NOT NULL,
    entries     BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS record_segments_append_only_update BEFORE UPDATE ON record_segments
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_segments_append_only_delete BEFORE DELETE ON record_segments
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
-- The uniqueness keys of the records in the segment with the same first_seq, in entry order,
-- 8 bytes (little-endian) each.
CREATE TABLE IF NOT EXISTS segment_keys (first_seq INTEGER PRIMARY KEY, keys BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS segment_keys_append_only_update BEFORE UPDATE ON segment_keys
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS segment_keys_append_only_delete BEFORE DELETE ON segment_keys
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
-- Record entries written before schema 3 by their 64-bit key: a record_id is stored once.
-- Other entry types may repeat a ref (e.g. a scan id) and have no key.
CREATE TABLE IF NOT EXISTS record_keys (key INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
-- The per-subject index: which record segments hold records of a subject (one row per subject
-- and segment; `subject_key` is `subject_key(subject_id)`), and the log's own rows by subject.
-- Derived data, append-only like the rest; reads filter by the stored subject id, so a key
-- collision can only cost a segment decode, never show another subject's records.
CREATE TABLE IF NOT EXISTS subject_segments (
    subject_key INTEGER NOT NULL,
    first_seq   INTEGER NOT NULL,
    PRIMARY KEY (subject_key, first_seq)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS subject_segments_append_only_update BEFORE UPDATE ON subject_segments
BEGIN SELECT RAISE(ABORT, 'subject_segments is append-only'); END;
CREATE TRIGGER IF NOT EXISTS subject_segments_append_only_delete BEFORE DELETE ON subject_segments
BEGIN SELECT RAISE(ABORT, 'subject_segments is append-only'); END;
CREATE INDEX IF NOT EXISTS log_subject ON log (subject_id, entry_type, seq);
CREATE TRIGGER IF NOT EXISTS record_keys_append_only_update BEFORE UPDATE ON record_keys
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_keys_append_only_delete BEFORE DELETE ON record_keys
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_append_only_update BEFORE UPDATE ON log
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_append_only_delete BEFORE DELETE ON log
BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
-- Record entries whose content was removed past retention (`Store::purge_records`): the
-- envelope and its content hash stay, so the chain still verifies; `purge_seq` is the `purge`
-- entry that removed it.
CREATE TABLE IF NOT EXISTS purged (seq INTEGER PRIMARY KEY, purge_seq INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS purged_append_only_update BEFORE UPDATE ON purged
BEGIN SELECT RAISE(ABORT, 'purged is append-only'); END;
CREATE TRIGGER IF NOT EXISTS purged_append_only_delete BEFORE DELETE ON purged
BEGIN SELECT RAISE(ABORT, 'purged is append-only'); END;
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

/// Refuses a database another application made: one marked with another `application_id`,
/// or one with tables but without Kensa's (databases of Kensa versions before the mark have
/// its `meta` and `log` tables).
fn check_ours(conn: &Connection, path: &str) -> Result<()> {
    let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if app == APPLICATION_ID {
        return Ok(());
    }
    if app != 0 {
        return Err(StoreError::Foreign {
            path: path.to_owned(),
            what: format!("SQLite application_id {app:#x}"),
        });
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let kensa = ["log", "meta"]
        .iter()
        .all(|t| tables.iter().any(|n| n == t));
    if tables.is_empty() || kensa {
        return Ok(());
    }
    let mut shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    if tables.len() > 5 {
        shown.push("…");
    }
    Err(StoreError::Foreign {
        path: path.to_owned(),
        what: format!("tables {}", shown.join(", ")),
    })
}

/// Schema 1 → 2: add and fill `ref_key`, fill `record_keys`, drop the id-text index. The
/// append-only trigger is lifted for the one UPDATE per record that fills the new column,
/// inside the same transaction; the hashed fields are untouched, so the chain verifies as
/// before.
/// 3 → 4: fills the per-subject index from the stored segments (the table and the log index
/// were created by `SCHEMA`).
fn migrate_3_to_4(conn: &Connection) -> Result<()> {
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    {
        let mut st = conn.prepare("SELECT first_seq, last_seq, entries FROM record_segments")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let first_seq: i64 = row.get(0)?;
            let entries = segment::decode(row.get_ref(2)?.as_blob()?, first_seq, row.get(1)?)
                .map_err(|source| StoreError::Segment { first_seq, source })?;
            let mut keys: Vec<i64> = entries.iter().map(|e| subject_key(e.subject_id)).collect();
            keys.sort_unstable();
            keys.dedup();
            pairs.extend(keys.into_iter().map(|k| (k, first_seq)));
        }
    }
    let mut ins = conn.prepare(
        "INSERT OR IGNORE INTO subject_segments (subject_key, first_seq) VALUES (?1, ?2)",
    )?;
    for (k, f) in pairs {
        ins.execute(params![k, f])?;
    }
    Ok(())
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// New: appended to the log.
    Stored,
    /// The same record (same id, same content) is already stored.
    Duplicate,
    /// The id is already stored with different content; nothing was written.
    Conflict,
}

/// A non-record entry to append: its type, reference, subject (if any) and body.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub entry_type: &'a str,
    pub r#ref: &'a str,
    pub subject_id: Option<&'a str>,
    pub body: &'a [u8],
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
    /// Every record's uniqueness key, loaded by the first `append_records`.
    index: Option<KeyIndex>,
}

type KeyMap = std::collections::HashMap<i64, i64, foldhash::fast::RandomState>;

/// Every record entry's uniqueness key and sequence number, in memory. Valid while
/// `PRAGMA data_version` (which changes when another connection commits) stays as it was
/// when the index was last in sync; then the `segment_keys` rows after `through` are read.
struct KeyIndex {
    map: KeyMap,
    /// The last `segment_keys` row read.
    through: i64,
    data_version: i64,
}

impl KeyIndex {
    fn load(conn: &Connection, data_version: i64) -> Result<KeyIndex> {
        let n: i64 = conn.query_row(
            "SELECT (SELECT count(*) FROM record_keys) \
                  + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM segment_keys)",
            [],
            |r| r.get(0),
        )?;
        let mut ix = KeyIndex {
            map: KeyMap::with_capacity_and_hasher(n.max(0) as usize, Default::default()),
            through: 0,
            data_version,
        };
        let mut st = conn.prepare("SELECT key, seq FROM record_keys")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            ix.insert(row.get(0)?, row.get(1)?)?;
        }
        ix.read_segments(conn)?;
        Ok(ix)
    }

    /// Reads the `segment_keys` rows appended after the last one read.
    fn read_segments(&mut self, conn: &Connection) -> Result<()> {
        let mut st = conn.prepare_cached(
            "SELECT first_seq, keys FROM segment_keys WHERE first_seq > ?1 ORDER BY first_seq",
        )?;
        let mut rows = st.query([self.through])?;
        while let Some(row) = rows.next()? {
            let first_seq: i64 = row.get(0)?;
            let keys = decode_keys(row.get_ref(1)?.as_blob()?).ok_or_else(|| {
                StoreError::Index(format!("the key list of segment {first_seq} is cut short"))
            })?;
            for (i, key) in keys.enumerate() {
                self.insert(key, first_seq + i as i64)?;
            }
            self.through = first_seq;
        }
        Ok(())
    }

    fn insert(&mut self, key: i64, seq: i64) -> Result<()> {
        match self.map.insert(key, seq) {
            None => Ok(()),
            Some(other) => Err(StoreError::Index(format!(
                "key {key} is held by both entry {other} and entry {seq}"
            ))),
        }
    }
}

/// The keys of a `segment_keys` row, or `None` if its length is not a multiple of 8.
fn decode_keys(blob: &[u8]) -> Option<impl Iterator<Item = i64> + '_> {
    blob.len().is_multiple_of(8).then(|| {
        blob.chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
    })
}

/// Now, as RFC 3339 UTC with seconds.
/// Sorted sequence numbers as `[first, last]` runs.
pub fn ranges(seqs: &[i64]) -> Vec<[i64; 2]> {
    let mut out: Vec<[i64; 2]> = Vec::new();
    for &s in seqs {
        match out.last_mut() {
            Some(r) if r[1] + 1 == s => r[1] = s,
            _ => out.push([s, s]),
        }
    }
    out
}

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
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(StoreError::NoDirectory {
                path: p,
                dir: dir.display().to_string(),
            });
        }
        let conn = Connection::open(path).map_err(|error| StoreError::Open {
            path: p.clone(),
            error,
        })?;
        Self::init(conn, p.clone(), durability).map_err(|e| e.at(&p))
    }

    /// Opens an existing database; fails if it does not exist.
    pub fn open_existing(path: &Path) -> Result<Store> {
        let p = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::Missing { path: p });
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(
            |error| StoreError::Open {
                path: p.clone(),
                error,
            },
        )?;
        Self::init(conn, p.clone(), Durability::Full).map_err(|e| e.at(&p))
    }

    fn init(conn: Connection, path: String, durability: Durability) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        check_ours(&conn, &path)?;
        // 8 KiB pages (only effective on a new file). A served database takes batches that
        // touch subjects all over its per-subject indexes (`subject_segments`, `log_subject`),
        // and every index page touched is written whole to the WAL: with 64 KiB pages a batch
        // of 100 logins wrote ~5 MB (50 KiB per event) and `kensa serve` took ~7,600 events/s;
        // with 8 KiB pages 20 KiB per event and ~10,500 events/s. Bulk ingest of a new file
        // prefers large pages (1M records: 3.15 s with 64 KiB, 3.27 s with 8 KiB) and a whole
        // scan is unchanged within noise; serving matters more (BENCHMARKS.md, issue 14 fourth
        // round).
        conn.pragma_update(None, "page_size", 8_192)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(
            None,
            "synchronous",
            match durability {
                Durability::Full => "FULL",
                Durability::Normal => "NORMAL",
            },
        )?;
        // 64 MiB: record bodies are written once in large segments and read in sequence; the cache
        // mostly serves the id and subject indexes. (256 MiB cost ~230 MiB of resident memory in a
        // whole scan for no measurable gain in ingest time.)
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint when the WAL reaches 64 MiB (8192 pages of 8 KiB).
        conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
        conn.execute_batch(SCHEMA)?;
        // Marked once (a write); later opens only read the mark.
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        if app != APPLICATION_ID {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
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
            Some(v) if v < SCHEMA_VERSION => {
                // 2 → 3 only adds `record_segments`, and 4 → 5 only `purged` (a Kensa that
                // knows no purge must not read a purged store), which SCHEMA above has created.
                let tx = conn.unchecked_transaction()?;
                if v < 2 {
                    migrate_1_to_2(&tx)?;
                }
                if v < 4 {
                    migrate_3_to_4(&tx)?;
                }
                set_version(&tx)?;
                tx.commit()?;
            }
            Some(_) => {}
        }
        Ok(Store {
            conn,
            path,
            index: None,
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
        let keys: Vec<i64> = recs.iter().map(|r| r.id_key).collect();
        debug_assert!(recs.iter().all(|r| r.id_key == record_key(&r.record_id)));
        let data_version: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        // Taken out while refreshed: an index that failed to load or refresh part-way is
        // dropped (and loaded afresh next time), never used half-read.
        let index = match self.index.take() {
            Some(ix) if ix.data_version == data_version => ix,
            Some(mut ix) => {
                // Another connection has committed: read the keys it appended.
                ix.read_segments(&tx)?;
                ix.data_version = data_version;
                ix
            }
            None => KeyIndex::load(&tx, data_version)?,
        };
        let index = &self.index.insert(index).map;
        // 1. Decide each record's fate.
        let (out, taken) = decide(&tx, recs, &keys, index)?;
        // 2. Append the new records to the log in input order, each chained to the one before,
        //    in segments of up to SEGMENT_ENTRIES entries.
        let mut key_of: Vec<Option<i64>> = vec![None; recs.len()];
        for &(k, i) in &taken {
            key_of[i] = Some(k);
        }
        let mut seq_of: Vec<i64> = vec![0; recs.len()];
        let mut h = head(&tx)?;
        let recorded_at = now_rfc3339();
        // (index in the batch, entry hash, key) of each new entry, in log order.
        let mut new: Vec<(usize, [u8; 32], i64)> = Vec::with_capacity(taken.len());
        for (i, r) in recs.iter().enumerate() {
            let Some(key) = key_of[i] else { continue };
            let seq = h.seq + 1;
            let eh = entry_hash(&EntryFields {
                seq,
                entry_type: "record",
                r#ref: &r.record_id,
                kind: Some(r.kind.as_str()),
                subject_id: Some(r.subject_id()),
                recorded_at: &recorded_at,
                content_hash: &r.body_hash,
                prev_hash: &h.hash,
            });
            new.push((i, eh, key));
            seq_of[i] = seq;
            h = Head { seq, hash: eh };
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO record_segments (first_seq, last_seq, recorded_at, last_hash, entries) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut keys_row =
                tx.prepare_cached("INSERT INTO segment_keys (first_seq, keys) VALUES (?1, ?2)")?;
            let mut subject_row = tx.prepare_cached(
                "INSERT OR IGNORE INTO subject_segments (subject_key, first_seq) VALUES (?1, ?2)",
            )?;
            let mut subjects: Vec<&str> = Vec::new();
            let mut blob = Vec::new();
            let mut key_blob = Vec::new();
            for chunk in new.chunks(SEGMENT_ENTRIES) {
                let entries: Vec<SegEntry<'_>> = chunk
                    .iter()
                    .map(|(i, eh, key)| {
                        let r = recs[*i];
                        SegEntry {
                            r#ref: &r.record_id,
                            kind: r.kind.as_str(),
                            subject_id: r.subject_id(),
                            body: Bytes(&r.body),
                            content_hash: Bytes(&r.body_hash),
                            entry_hash: Bytes(eh),
                            ref_key: *key,
                        }
                    })
                    .collect();
                blob.clear();
                blob = segment::encode(&entries, blob);
                let (first, _, _) = chunk[0];
                let (last, last_hash, _) = chunk[chunk.len() - 1];
                insert.execute(params![
                    seq_of[first],
                    seq_of[last],
                    recorded_at,
                    &last_hash[..],
                    &blob
                ])?;
                key_blob.clear();
                key_blob.extend(chunk.iter().flat_map(|(_, _, k)| k.to_le_bytes()));
                keys_row.execute(params![seq_of[first], &key_blob])?;
                subjects.clear();
                subjects.extend(chunk.iter().map(|(i, _, _)| recs[*i].subject_id()));
                subjects.sort_unstable();
                subjects.dedup();
                for sid in &subjects {
                    subject_row.execute(params![subject_key(sid), seq_of[first]])?;
                }
            }
        }
        tx.commit()?;
        // Our own commit changes no data_version of ours; the index now holds the new keys.
        let ix = self.index.as_mut().expect("loaded above");
        for &(k, i) in &taken {
            ix.map.insert(k, seq_of[i]);
        }
        if let Some(&(i, _, _)) = new.last() {
            // The last segment written starts at most SEGMENT_ENTRIES - 1 entries earlier.
            let last_first = seq_of[i] - ((new.len() - 1) % SEGMENT_ENTRIES) as i64;
            ix.through = last_first;
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

    /// Appends many non-record entries in one transaction (e.g. one result per subject and the
    /// batch entry that sums them up), each of its own type, chained in order. The head is read
    /// once; each entry is chained to the one before in memory.
    pub fn append_entries<'a>(
        &mut self,
        entries: impl IntoIterator<Item = NewEntry<'a>>,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now_rfc3339();
        let mut h = head(&tx)?;
        let mut n = 0;
        for e in entries {
            h = append_after(&tx, h, e.entry_type, e.r#ref, e.subject_id, e.body, &at)?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Removes the content of record entries past retention, in one transaction: finds which of
    /// `seqs` are record entries with content (others, and records purged before, are left
    /// alone), appends a `purge` entry whose body is `details` with the exact list of those
    /// entries added (`"seqs"`, as `[first, last]` ranges), empties their stored bodies and lists
    /// each in `purged`. Envelopes and content hashes stay, so the chain — and every bundle's
    /// proof made before — still verifies; `verify` accepts an empty body only for a record entry
    /// that a later purge entry lists. Refused when a `hold` entry was written after `plan_head`
    /// (a legal hold placed while the purge was being planned). The rows `reject_ids` of the
    /// rejects table (rejected input, outside the chain) are deleted in the same transaction and
    /// counted in the entry (`"rejects_deleted"`). The one place Kensa lifts the append-only
    /// triggers, inside this transaction only. Returns the purge entry's sequence number and how
    /// many entries were purged.
    pub fn purge_records(
        &mut self,
        seqs: &std::collections::BTreeSet<i64>,
        reject_ids: &[i64],
        r#ref: &str,
        mut details: serde_json::Map<String, serde_json::Value>,
        plan_head: i64,
    ) -> Result<(i64, usize)> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let held: i64 = tx.query_row(
            "SELECT count(*) FROM log WHERE entry_type = 'hold' AND seq > ?1",
            [plan_head],
            |r| r.get(0),
        )?;
        if held > 0 {
            return Err(StoreError::Refused(
                "a legal hold (or release) was recorded while the purge was planned: plan it again"
                    .into(),
            ));
        }
        // Which of `seqs` hold record content: rows of `log`, and members of segments.
        let mut in_log: Vec<i64> = Vec::new();
        let mut in_segments: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        {
            let mut already = tx.prepare_cached("SELECT 1 FROM purged WHERE seq = ?1")?;
            let mut row = tx.prepare_cached(
                "SELECT 1 FROM log WHERE seq = ?1 AND entry_type = 'record' AND length(body) > 0",
            )?;
            let mut seg = tx.prepare_cached(
                "SELECT first_seq FROM record_segments WHERE first_seq <= ?1 AND last_seq >= ?1",
            )?;
            for &seq in seqs {
                if already.exists([seq])? {
                    continue;
                }
                if row.exists([seq])? {
                    in_log.push(seq);
                } else if let Some(first) =
                    seg.query_row([seq], |r| r.get::<_, i64>(0)).optional()?
                {
                    in_segments.entry(first).or_default().push(seq);
                }
            }
        }
        let mut targets: Vec<i64> = in_log
            .iter()
            .copied()
            .chain(in_segments.values().flatten().copied())
            .collect();
        targets.sort_unstable();
        // Rejected input kept for the rejects report is not part of the chain: its rows go.
        let mut rejects_deleted = 0usize;
        {
            let mut del = tx.prepare_cached("DELETE FROM rejects WHERE id = ?1")?;
            for &id in reject_ids {
                rejects_deleted += del.execute([id])?;
            }
        }
        details.insert("rejects_deleted".into(), rejects_deleted.into());
        details.insert("entries".into(), targets.len().into());
        details.insert(
            "seqs".into(),
            serde_json::to_value(ranges(&targets)).unwrap_or_default(),
        );
        let body = serde_json::to_vec(&details).expect("a JSON map serialises");
        let purge_seq = append_in(&tx, "purge", r#ref, None, &body, &now_rfc3339())?;
        tx.execute_batch(
            "DROP TRIGGER log_append_only_update; DROP TRIGGER record_segments_append_only_update;",
        )?;
        {
            let mut upd = tx.prepare_cached("UPDATE log SET body = x'' WHERE seq = ?1")?;
            for &seq in &in_log {
                upd.execute([seq])?;
            }
        }
        for (&first_seq, members) in &in_segments {
            let (last_seq, blob): (i64, Vec<u8>) = tx.query_row(
                "SELECT last_seq, entries FROM record_segments WHERE first_seq = ?1",
                [first_seq],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut entries = segment::decode(&blob, first_seq, last_seq)
                .map_err(|source| StoreError::Segment { first_seq, source })?;
            for &seq in members {
                entries[(seq - first_seq) as usize].body = segment::Bytes(&[]);
            }
            let encoded = segment::encode(&entries, Vec::with_capacity(blob.len()));
            tx.execute(
                "UPDATE record_segments SET entries = ?1 WHERE first_seq = ?2",
                params![encoded, first_seq],
            )?;
        }
        tx.execute_batch(
            "CREATE TRIGGER log_append_only_update BEFORE UPDATE ON log
             BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;
             CREATE TRIGGER record_segments_append_only_update BEFORE UPDATE ON record_segments
             BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END;",
        )?;
        {
            let mut ins =
                tx.prepare_cached("INSERT INTO purged (seq, purge_seq) VALUES (?1, ?2)")?;
            for &seq in &targets {
                ins.execute([seq, purge_seq])?;
            }
        }
        tx.commit()?;
        Ok((purge_seq, targets.len()))
    }

    /// Every kept reject: its row id, when it was stored and the raw input (as read).
    pub fn for_each_reject(&self, mut f: impl FnMut(i64, &str, Option<&[u8]>)) -> Result<()> {
        let mut st = self
            .conn
            .prepare("SELECT id, recorded_at, CAST(raw AS BLOB) FROM rejects ORDER BY id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let at: String = r.get(1)?;
            let raw: Option<Vec<u8>> = r.get(2)?;
            f(id, &at, raw.as_deref());
        }
        Ok(())
    }

    /// Keeps rejected input with its reason. `raw` is kept whole: as text when it is UTF-8,
    /// as a blob (the bytes as read) when it is not.
    pub fn add_rejects<'a>(
        &mut self,
        run_id: &str,
        rejects: impl IntoIterator<Item = RejectRow<'a>>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let at = now_rfc3339();
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO rejects (run_id, file, line, field, reason, raw, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (file, line, field, reason, raw) in rejects {
                let raw = raw.map(|b| match std::str::from_utf8(b) {
                    Ok(t) => rusqlite::types::ToSqlOutput::Borrowed(
                        rusqlite::types::ValueRef::Text(t.as_bytes()),
                    ),
                    Err(_) => {
                        rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Blob(b))
                    }
                });
                st.execute(params![run_id, file, line as i64, field, reason, raw, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Number of stored records.
    pub fn record_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM log WHERE entry_type = 'record') \
                  + (SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM record_segments) \
                  - (SELECT count(*) FROM purged)",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Calls `f(kind, body)` for every stored record, in log order.
    pub fn for_each_record(&self, mut f: impl FnMut(&str, &[u8])) -> Result<()> {
        each_record(&self.conn, |r| f(r.kind, r.body))
    }

    /// Calls `f(record_id, kind, body)` for every stored record, in log order.
    pub fn for_each_record_with_id(&self, mut f: impl FnMut(&str, &str, &[u8])) -> Result<()> {
        each_record(&self.conn, |r| f(r.record_id, r.kind, r.body))
    }

    /// Bodies of the latest entries of one type for a reference (e.g. the last scan results).
    pub fn entries_of_type(&self, entry_type: &str) -> Result<Vec<(i64, String, Vec<u8>)>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, ref, body FROM log WHERE entry_type = ?1 ORDER BY seq")?;
        let rows = st.query_map([entry_type], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// `(record_id, body)` of every stored record of a kind about a subject, in log order
    /// (read through the per-subject index, not by scanning the log).
    pub fn records_for_subject(
        &self,
        kind: &str,
        subject_id: &str,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(self
            .subject_records(subject_id)?
            .into_iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.record_id, r.body))
            .collect())
    }

    /// Every stored record about a subject, in log order, through the per-subject index.
    pub fn subject_records(&self, subject_id: &str) -> Result<Vec<OwnedRecord>> {
        let tx = self.conn.unchecked_transaction()?;
        let mut out = Vec::new();
        {
            let mut st = tx.prepare_cached(
                "SELECT seq, ref, kind, body FROM log \
                 WHERE subject_id = ?1 AND entry_type = 'record' ORDER BY seq",
            )?;
            let mut rows = st.query([subject_id])?;
            while let Some(row) = rows.next()? {
                let body: Vec<u8> = row.get(3)?;
                if body.is_empty() {
                    continue;
                }
                out.push(OwnedRecord {
                    seq: row.get(0)?,
                    record_id: row.get(1)?,
                    kind: row.get(2)?,
                    body,
                });
            }
            let mut st = tx.prepare_cached(
                "SELECT s.first_seq, s.last_seq, s.entries FROM subject_segments x \
                 JOIN record_segments s ON s.first_seq = x.first_seq \
                 WHERE x.subject_key = ?1 ORDER BY x.first_seq",
            )?;
            let mut rows = st.query([subject_key(subject_id)])?;
            while let Some(row) = rows.next()? {
                let first_seq: i64 = row.get(0)?;
                let entries = segment::decode(row.get_ref(2)?.as_blob()?, first_seq, row.get(1)?)
                    .map_err(|source| StoreError::Segment { first_seq, source })?;
                for (i, e) in entries.iter().enumerate() {
                    if e.subject_id == subject_id && !e.body.0.is_empty() {
                        out.push(OwnedRecord {
                            seq: first_seq + i as i64,
                            record_id: e.r#ref.to_owned(),
                            kind: e.kind.to_owned(),
                            body: e.body.0.to_vec(),
                        });
                    }
                }
            }
        }
        out.sort_by_key(|r| r.seq);
        Ok(out)
    }

    /// `(seq, ref, body)` of every log entry of a type about a subject (results, decisions,
    /// case events), in log order, through the per-subject index.
    pub fn subject_entries(
        &self,
        entry_type: &str,
        subject_id: &str,
    ) -> Result<Vec<(i64, String, Vec<u8>)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, ref, body FROM log WHERE subject_id = ?1 AND entry_type = ?2 ORDER BY seq",
        )?;
        let rows = st.query_map(params![subject_id, entry_type], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `f` for every entry of the log in order, with every stored field.
    pub fn for_each_entry(&self, mut f: impl FnMut(&Entry)) -> Result<()> {
        // One read transaction: `log` and `record_segments` are read from the same snapshot
        // even while another connection appends.
        let tx = self.conn.unchecked_transaction()?;
        stream_entries(&tx, |item| match item {
            Streamed::Entry(e) => {
                f(&e);
                Ok(ControlFlow::Continue(()))
            }
            Streamed::Damaged { first_seq, error } => Err(StoreError::Segment {
                first_seq,
                source: error,
            }),
        })
    }

    /// Re-computes the whole chain. `progress` is called with the number of entries checked.
    pub fn verify(&self, progress: &dyn Fn(u64)) -> Result<VerifyReport> {
        // One read transaction: every table is read from the same snapshot, so that a writer
        // appending meanwhile cannot make the tables disagree.
        let tx = self.conn.unchecked_transaction()?;
        let conn: &Connection = &tx;
        let pairs = PairHasher::new();
        let purged: HashMap<i64, i64> = {
            let mut st = conn.prepare("SELECT seq, purge_seq FROM purged")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let mut state = VerifyState {
            prev: Head::GENESIS,
            checked: 0,
            from_log: PairSet::default(),
            broken: None,
            purged,
            purge_entries: HashMap::new(),
        };
        // Entries are read in blocks; the hashing of a block (two SHA-256 per entry, the bulk
        // of the work) runs in parallel, and the checks are then made in order, so the first
        // broken entry is still the one named.
        const BLOCK: usize = 16_384;
        let mut block: Vec<Streamed> = Vec::with_capacity(BLOCK);
        stream_entries(conn, |item| {
            block.push(item);
            if block.len() == BLOCK {
                state.check_block(&mut block, &pairs, progress);
            }
            Ok(if state.broken.is_some() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        })?;
        if state.broken.is_none() {
            state.check_block(&mut block, &pairs, progress);
        }
        let report = |broken| VerifyReport {
            entries: state.checked,
            head: state.prev,
            broken,
        };
        if state.broken.is_some() {
            return Ok(report(state.broken.take()));
        }
        progress(state.checked);
        // Every purged entry names a purge entry after it (a listed entry with no purge entry
        // would be content removed unlogged).
        let mut by_purge: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (&seq, &by) in &state.purged {
            by_purge.entry(by).or_default().push(seq);
        }
        let mismatch = by_purge
            .iter_mut()
            .filter_map(|(by, seqs)| {
                seqs.sort_unstable();
                let listed = state.purge_entries.get(by);
                (listed != Some(&ranges(seqs)) || seqs.iter().any(|s| s >= by))
                    .then(|| (seqs[0], *by))
            })
            .min();
        if let Some((seq, by)) = mismatch {
            return Ok(report(Some(Broken {
                seq,
                entry_type: "record".into(),
                r#ref: String::new(),
                reason: format!(
                    "listed as purged by entry {by}, which is not a purge entry after it listing exactly the entries purged by it (content removed without a logged purge)"
                ),
            })));
        }
        // The key lists must name exactly the record entries, each by its own key: otherwise a
        // record could be stored twice or a duplicate taken for new. Compared as sets by a
        // fingerprint (one sequential pass over the lists); only when they differ is the
        // entry to name looked for.
        let mut from_keys = PairSet::default();
        if let Err(broken) = each_key(conn, |k, seq| pairs.add(&mut from_keys, k, seq))? {
            return Ok(report(Some(broken)));
        }
        if from_keys == state.from_log {
            return Ok(report(None));
        }
        let mut keys: std::collections::HashMap<i64, i64> = Default::default();
        let mut twice: Option<(i64, i64)> = None;
        let _ = each_key(conn, |k, seq| {
            if let Some(other) = keys.insert(k, seq) {
                twice.get_or_insert((k, other.max(seq)));
            }
        })?;
        if let Some((key, seq)) = twice {
            return Ok(report(Some(Broken {
                seq,
                entry_type: "record_keys".into(),
                r#ref: key.to_string(),
                reason: format!("key {key} is listed for two entries"),
            })));
        }
        let mut unindexed: Option<(i64, String)> = None;
        each_record(conn, |r| {
            if unindexed.is_some() {
                return;
            }
            match r.ref_key {
                Some(k) if keys.get(&k) == Some(&r.seq) => {
                    keys.remove(&k);
                }
                _ => unindexed = Some((r.seq, r.record_id.to_owned())),
            }
        })?;
        let stray = keys.into_iter().min_by_key(|&(_, seq)| seq);
        let broken = match (unindexed, stray) {
            (Some((seq, r#ref)), _) => Broken {
                seq,
                entry_type: "record".into(),
                r#ref,
                reason: "the record's uniqueness key is missing from the key lists (segment_keys, record_keys) or points elsewhere"
                    .into(),
            },
            (None, Some((key, seq))) => Broken {
                seq,
                entry_type: "record_keys".into(),
                r#ref: key.to_string(),
                reason: format!(
                    "the key lists hold key {key} for entry {seq}, which is not that record"
                ),
            },
            (None, None) => Broken {
                seq: 0,
                entry_type: "record_keys".into(),
                r#ref: String::new(),
                reason: "the key lists do not hold exactly the record entries".into(),
            },
        };
        Ok(report(Some(broken)))
    }
}

/// Where [`Store::verify`] has got to.
struct VerifyState {
    /// The last intact entry.
    prev: Head,
    checked: u64,
    /// (key, entry) of every record entry seen.
    from_log: PairSet,
    broken: Option<Broken>,
    /// Record entries purged past retention (seq → the purge entry that purged them).
    purged: HashMap<i64, i64>,
    /// The `purge` entries seen, with the runs of entries each lists.
    purge_entries: HashMap<i64, Vec<[i64; 2]>>,
}

impl VerifyState {
    /// Checks a block of entries in order (hashing them in parallel first) and empties it.
    fn check_block(
        &mut self,
        block: &mut Vec<Streamed>,
        pairs: &PairHasher,
        progress: &dyn Fn(u64),
    ) {
        use rayon::prelude::*;
        // (content matches its hash, the entry hash recomputed from the stored fields)
        let purged_map = &self.purged;
        let hashed: Vec<(bool, [u8; 32])> = block
            .par_iter()
            .map(|item| {
                let Streamed::Entry(r) = item else {
                    return (false, [0; 32]);
                };
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
                // A purged record keeps its envelope; its content is gone (and must be).
                let purged =
                    r.entry_type == "record" && purged_map.get(&r.seq).is_some_and(|p| *p > r.seq);
                (
                    actual[..] == r.content_hash[..] || (purged && r.body.is_empty()),
                    computed,
                )
            })
            .collect();
        for (item, (content_ok, computed)) in block.drain(..).zip(hashed) {
            if let Some(reason) = self.check(&item, content_ok, &computed) {
                let (seq, entry_type, r#ref) = match item {
                    Streamed::Entry(r) => (r.seq, r.entry_type, r.r#ref),
                    Streamed::Damaged { first_seq, .. } => {
                        (first_seq, "record".into(), String::new())
                    }
                };
                self.broken = Some(Broken {
                    seq,
                    entry_type,
                    r#ref,
                    reason,
                });
                return;
            }
            let Streamed::Entry(r) = item else {
                unreachable!("a damaged segment never passes")
            };
            if let Some(k) = r.ref_key {
                pairs.add(&mut self.from_log, k, r.seq);
            }
            if r.entry_type == "purge" {
                // The entries this purge says it purged, to compare with `purged`.
                let listed: Vec<[i64; 2]> = serde_json::from_slice::<serde_json::Value>(&r.body)
                    .ok()
                    .and_then(|v| serde_json::from_value(v["seqs"].clone()).ok())
                    .unwrap_or_default();
                self.purge_entries.insert(r.seq, listed);
            }
            self.prev = Head {
                seq: r.seq,
                hash: computed,
            };
            self.checked += 1;
            if self.checked.is_multiple_of(65_536) {
                progress(self.checked);
            }
        }
    }

    /// Why an entry breaks the chain, if it does.
    fn check(&self, item: &Streamed, content_ok: bool, computed: &[u8; 32]) -> Option<String> {
        let r = match item {
            Streamed::Entry(r) => r,
            Streamed::Damaged { error, .. } => {
                return Some(format!(
                    "the record segment starting here cannot be read: {error}"
                ));
            }
        };
        if let Some(fault) = chain_fault(
            self.prev,
            r.seq,
            content_ok,
            &r.prev_hash,
            computed,
            &r.entry_hash,
        ) {
            return Some(fault);
        }
        if r.segment_head
            .as_ref()
            .is_some_and(|h| h[..] != computed[..])
        {
            return Some(
                "the segment's stored head hash (last_hash) does not match its last entry".into(),
            );
        }
        // The uniqueness key is not hashed; a wrong one would let a record be stored twice.
        let key_ok = match (r.entry_type == "record", r.ref_key) {
            (true, Some(k)) => (0..MAX_PROBE).contains(&k.wrapping_sub(record_key(&r.r#ref))),
            (false, None) => true,
            _ => false,
        };
        if !key_ok {
            return Some("uniqueness key (ref_key) does not belong to the record id".into());
        }
        None
    }
}

/// A stored record read back by subject ([`Store::subject_records`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    pub seq: i64,
    pub record_id: String,
    pub kind: String,
    /// The canonical JSON body, exactly as hashed into the chain.
    pub body: Vec<u8>,
}

/// One entry of the log with every stored field, as [`Store::for_each_entry`] gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub entry_type: String,
    pub r#ref: String,
    pub kind: Option<String>,
    pub subject_id: Option<String>,
    pub recorded_at: String,
    pub body: Vec<u8>,
    pub content_hash: Vec<u8>,
    /// The previous entry's hash: as stored in a row of `log`; inside a segment, where it is
    /// not repeated, the entry hash stored before this entry.
    pub prev_hash: Vec<u8>,
    pub entry_hash: Vec<u8>,
    /// The uniqueness key of a record entry.
    pub ref_key: Option<i64>,
    /// On the last entry of a segment: the head hash the segment's row claims.
    segment_head: Option<Vec<u8>>,
    in_segment: bool,
}

/// What [`stream_entries`] hands on: an entry, or a segment that cannot be read.
// Nearly every item is an entry; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
enum Streamed {
    Entry(Entry),
    Damaged { first_seq: i64, error: SegmentError },
}

/// Calls `f` for every entry of the log in sequence order, merging the rows of `log` with the
/// entries of `record_segments`, until `f` breaks.
fn stream_entries(
    conn: &Connection,
    mut f: impl FnMut(Streamed) -> Result<ControlFlow<()>>,
) -> Result<()> {
    let mut log_st = conn.prepare(
        "SELECT seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash, ref_key FROM log ORDER BY seq",
    )?;
    let mut log_rows = log_st.query([])?;
    let mut next_log = || -> Result<Option<Entry>> {
        let Some(row) = log_rows.next()? else {
            return Ok(None);
        };
        Ok(Some(Entry {
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
            segment_head: None,
            in_segment: false,
        }))
    };
    let mut seg_st = conn.prepare(
        "SELECT first_seq, last_seq, recorded_at, last_hash, entries FROM record_segments ORDER BY first_seq",
    )?;
    let mut seg_rows = seg_st.query([])?;
    let mut seg: std::collections::VecDeque<Streamed> = Default::default();
    let mut segments_done = false;
    let mut log_entry = next_log()?;
    // The entry hash stored last: the previous-entry hash of the next entry of a segment.
    let mut last_stored: Vec<u8> = vec![0; 32];
    loop {
        if seg.is_empty() && !segments_done {
            match seg_rows.next()? {
                None => segments_done = true,
                Some(row) => {
                    let first_seq: i64 = row.get(0)?;
                    let last_seq: i64 = row.get(1)?;
                    let recorded_at: String = row.get(2)?;
                    let last_hash: Vec<u8> = row.get(3)?;
                    let blob = row.get_ref(4)?.as_blob()?;
                    match segment::decode(blob, first_seq, last_seq) {
                        Err(error) => seg.push_back(Streamed::Damaged { first_seq, error }),
                        Ok(entries) => {
                            let n = entries.len();
                            seg.extend(entries.into_iter().enumerate().map(|(i, e)| {
                                Streamed::Entry(Entry {
                                    seq: first_seq + i as i64,
                                    entry_type: "record".into(),
                                    r#ref: e.r#ref.to_owned(),
                                    kind: Some(e.kind.to_owned()),
                                    subject_id: Some(e.subject_id.to_owned()),
                                    recorded_at: recorded_at.clone(),
                                    body: e.body.0.to_vec(),
                                    content_hash: e.content_hash.0.to_vec(),
                                    prev_hash: Vec::new(),
                                    entry_hash: e.entry_hash.0.to_vec(),
                                    ref_key: Some(e.ref_key),
                                    segment_head: (i + 1 == n).then(|| last_hash.clone()),
                                    in_segment: true,
                                })
                            }));
                        }
                    }
                }
            }
        }
        let seg_seq = seg.front().map(|s| match s {
            Streamed::Entry(e) => e.seq,
            Streamed::Damaged { first_seq, .. } => *first_seq,
        });
        let mut item = match (&log_entry, seg_seq) {
            (None, None) => break,
            (Some(l), Some(s)) if s < l.seq => seg.pop_front().expect("front exists"),
            (None, Some(_)) => seg.pop_front().expect("front exists"),
            (Some(_), _) => {
                let e = log_entry.take().expect("log entry exists");
                log_entry = next_log()?;
                Streamed::Entry(e)
            }
        };
        if let Streamed::Entry(e) = &mut item {
            if e.in_segment {
                e.prev_hash = last_stored.clone();
            }
            last_stored = e.entry_hash.clone();
        }
        if f(item)?.is_break() {
            break;
        }
    }
    Ok(())
}

/// Calls `f(key, seq)` for every listed uniqueness key: the rows of `record_keys`, then the
/// lists of `segment_keys`. A list cut short is returned as the broken entry.
fn each_key(
    conn: &Connection,
    mut f: impl FnMut(i64, i64),
) -> Result<std::result::Result<(), Broken>> {
    let mut st = conn.prepare("SELECT key, seq FROM record_keys")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        f(row.get(0)?, row.get(1)?);
    }
    let mut st = conn.prepare("SELECT first_seq, keys FROM segment_keys ORDER BY first_seq")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let first_seq: i64 = row.get(0)?;
        let Some(keys) = decode_keys(row.get_ref(1)?.as_blob()?) else {
            return Ok(Err(Broken {
                seq: first_seq,
                entry_type: "segment_keys".into(),
                r#ref: String::new(),
                reason: "the segment's key list is cut short".into(),
            }));
        };
        for (i, k) in keys.enumerate() {
            f(k, first_seq + i as i64);
        }
    }
    Ok(Ok(()))
}

/// One stored record as [`each_record`] gives it.
struct StoredRecord<'a> {
    seq: i64,
    record_id: &'a str,
    kind: &'a str,
    body: &'a [u8],
    ref_key: Option<i64>,
}

/// Calls `f` for every stored record in log order: those written as rows of `log` (before
/// schema 3), then those in segments (all of which come later in the log).
fn each_record(conn: &Connection, mut f: impl FnMut(StoredRecord<'_>)) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT seq, ref, kind, body, ref_key FROM log WHERE entry_type = 'record' ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let body = row.get_ref(3)?.as_blob()?;
        // An empty body is a record purged past retention: nothing to read.
        if body.is_empty() {
            continue;
        }
        f(StoredRecord {
            seq: row.get(0)?,
            record_id: row.get_ref(1)?.as_str()?,
            kind: row.get_ref(2)?.as_str()?,
            body,
            ref_key: row.get(4)?,
        });
    }
    let mut st = conn
        .prepare("SELECT first_seq, last_seq, entries FROM record_segments ORDER BY first_seq")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let first_seq: i64 = row.get(0)?;
        let entries = segment::decode(row.get_ref(2)?.as_blob()?, first_seq, row.get(1)?)
            .map_err(|source| StoreError::Segment { first_seq, source })?;
        for (i, e) in entries.iter().enumerate() {
            if e.body.0.is_empty() {
                continue;
            }
            f(StoredRecord {
                seq: first_seq + i as i64,
                record_id: e.r#ref,
                kind: e.kind,
                body: e.body.0,
                ref_key: Some(e.ref_key),
            });
        }
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
        .prepare_cached(
            "SELECT * FROM (SELECT seq, entry_hash FROM log ORDER BY seq DESC LIMIT 1) \
             UNION ALL \
             SELECT * FROM (SELECT last_seq, last_hash FROM record_segments ORDER BY first_seq DESC LIMIT 1) \
             ORDER BY 1 DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
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
    Ok(append_after(conn, h, entry_type, r#ref, subject_id, body, recorded_at)?.seq)
}

/// Appends one non-record entry after `h` (the head, read in this transaction); returns the
/// new head.
fn append_after(
    conn: &Connection,
    h: Head,
    entry_type: &str,
    r#ref: &str,
    subject_id: Option<&str>,
    body: &[u8],
    recorded_at: &str,
) -> Result<Head> {
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
    Ok(Head { seq, hash: eh })
}

/// Why an entry breaks the chain after `prev`, if it does: the checks every store's `verify`
/// makes, in this order (numbering, content, link to the entry before, the entry's own hash).
pub(crate) fn chain_fault(
    prev: Head,
    seq: i64,
    content_ok: bool,
    prev_hash: &[u8],
    computed: &[u8; 32],
    stored_entry_hash: &[u8],
) -> Option<String> {
    if seq != prev.seq + 1 {
        return Some(format!(
            "entry {} follows entry {} (entries missing or renumbered)",
            seq, prev.seq
        ));
    }
    if !content_ok {
        return Some("content does not match its hash (the stored body was changed)".into());
    }
    if prev_hash[..] != prev.hash {
        return Some("previous-entry hash does not match the entry before it".into());
    }
    if computed[..] != stored_entry_hash[..] {
        return Some("entry hash does not match its fields (the entry was changed)".into());
    }
    None
}

/// Opens the store `location` names: a PostgreSQL URL (`postgres://...`) or a SQLite file
/// (created when `create`, else it must exist).
pub fn open_store(location: &str, create: bool) -> Result<Box<dyn EvidenceStore>> {
    if postgres::is_url(location) {
        return Ok(Box::new(postgres::PgStore::open(location)?));
    }
    let path = Path::new(location);
    Ok(Box::new(if create {
        Store::open(path, Durability::Full)?
    } else {
        Store::open_existing(path)?
    }))
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

/// Where probing for a record's key ended.
enum Probe {
    /// The key is free: the record is new and takes it.
    Free(i64),
    /// Decided against a copy earlier in the same batch.
    Decided(Outcome),
    /// The key is held by the stored entry `seq`; whether that entry is this record decides.
    Held { key: i64, seq: i64 },
}

fn same_id(stored_hash: &[u8], new_hash: &[u8]) -> Outcome {
    if stored_hash == new_hash {
        Outcome::Duplicate
    } else {
        Outcome::Conflict
    }
}

/// The keys of a batch's records that `append_records` tries, in order.
struct Prober<'a> {
    recs: &'a [&'a Validated],
    /// Keys taken by records of this batch, and by which.
    claimed: std::collections::HashMap<i64, usize, foldhash::fast::RandomState>,
    /// Keys taken by stored entries.
    index: &'a KeyMap,
}

impl Prober<'_> {
    /// Open addressing over the 64-bit key, from `key` on, with `tries` counting the keys
    /// tried for record `i` so far: the first free key stores it; a copy earlier in the batch
    /// decides it; a key held by a stored entry is left for the caller to compare.
    fn probe(&mut self, i: usize, mut key: i64, tries: &mut i64) -> Result<Probe> {
        let r = self.recs[i];
        while *tries < MAX_PROBE {
            *tries += 1;
            if let Some(&j) = self.claimed.get(&key) {
                if self.recs[j].record_id == r.record_id {
                    return Ok(Probe::Decided(same_id(
                        &self.recs[j].body_hash,
                        &r.body_hash,
                    )));
                }
            } else {
                return Ok(match self.index.get(&key) {
                    None => Probe::Free(key),
                    Some(&seq) => Probe::Held { key, seq },
                });
            }
            key = key.wrapping_add(1);
        }
        Err(StoreError::KeyProbe {
            record_id: r.record_id.clone(),
        })
    }
}

/// One outcome per record of a batch, and the `(key, index)` of each record to store.
type Decision = (Vec<Outcome>, Vec<(i64, usize)>);

/// Decides which records of a batch are new (and the key each takes: `(key, index)` pairs),
/// which are duplicates and which conflict.
///
/// Keys are visited in sorted order, and equal keys keep input order, so the first of two
/// copies in one batch is the one stored. Records whose
/// key is held by a stored entry are compared with it afterwards, all together in log order,
/// so that each segment is decoded once even when a whole file is fed again.
fn decide(
    conn: &Connection,
    recs: &[&Validated],
    keys: &[i64],
    index: &KeyMap,
) -> Result<Decision> {
    let mut order: Vec<usize> = (0..recs.len()).collect();
    order.sort_unstable_by_key(|&i| (keys[i], i));
    let mut out = vec![Outcome::Stored; recs.len()];
    let mut taken: Vec<(i64, usize)> = Vec::with_capacity(recs.len());
    let mut prober = Prober {
        recs,
        claimed: std::collections::HashMap::with_capacity_and_hasher(
            recs.len(),
            Default::default(),
        ),
        index,
    };
    // (holder's seq, record index, key, keys tried so far)
    let mut held: Vec<(i64, usize, i64, i64)> = Vec::new();
    let mut settle = |prober: &mut Prober<'_>,
                      held: &mut Vec<(i64, usize, i64, i64)>,
                      i: usize,
                      tries: i64,
                      p: Probe| match p {
        Probe::Free(key) => {
            prober.claimed.insert(key, i);
            taken.push((key, i));
        }
        Probe::Decided(o) => out[i] = o,
        Probe::Held { key, seq } => held.push((seq, i, key, tries)),
    };
    for &i in &order {
        let mut tries = 0;
        let p = prober.probe(i, keys[i], &mut tries)?;
        settle(&mut prober, &mut held, i, tries, p);
    }
    let mut reader = HolderReader::new();
    while !held.is_empty() {
        held.sort_unstable();
        let mut next = Vec::new();
        for (seq, i, key, mut tries) in std::mem::take(&mut held) {
            let (id, hash) = reader.get(conn, seq)?;
            if id == recs[i].record_id {
                let o = same_id(hash, &recs[i].body_hash);
                settle(&mut prober, &mut next, i, tries, Probe::Decided(o));
                continue;
            }
            // Another id holds the key (a 64-bit collision): try the next one.
            let p = prober.probe(i, key.wrapping_add(1), &mut tries)?;
            settle(&mut prober, &mut next, i, tries, p);
        }
        held = next;
    }
    Ok((out, taken))
}

/// Reads the record id and content hash of stored record entries by sequence number, keeping
/// the last segment decoded so that rising numbers decode each segment once.
struct HolderReader {
    first: i64,
    last: i64,
    entries: Vec<(String, Vec<u8>)>,
}

impl HolderReader {
    fn new() -> Self {
        HolderReader {
            first: 1,
            last: 0,
            entries: Vec::new(),
        }
    }

    fn get(&mut self, conn: &Connection, seq: i64) -> Result<(&str, &[u8])> {
        if !(self.first..=self.last).contains(&seq) {
            let seg: Option<(i64, i64, Vec<u8>)> = conn
                .prepare_cached(
                    "SELECT first_seq, last_seq, entries FROM record_segments \
                     WHERE first_seq <= ?1 ORDER BY first_seq DESC LIMIT 1",
                )?
                .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            match seg {
                Some((first, last, blob)) if seq <= last => {
                    let entries = segment::decode(&blob, first, last).map_err(|source| {
                        StoreError::Segment {
                            first_seq: first,
                            source,
                        }
                    })?;
                    self.entries = entries
                        .iter()
                        .map(|e| (e.r#ref.to_owned(), e.content_hash.0.to_vec()))
                        .collect();
                    (self.first, self.last) = (first, last);
                }
                // Records stored before schema 3 are rows of `log`.
                _ => {
                    let row: (String, Vec<u8>) = conn
                        .prepare_cached(
                            "SELECT ref, content_hash FROM log WHERE seq = ?1 AND entry_type = 'record'",
                        )?
                        .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()?
                        .ok_or(StoreError::MissingEntry { seq })?;
                    self.entries = vec![row];
                    (self.first, self.last) = (seq, seq);
                }
            }
        }
        let (id, hash) = &self.entries[(seq - self.first) as usize];
        Ok((id, hash))
    }
}

/// One rejected input line, as kept in the store: `(file, line, field, reason, raw bytes)`.
pub type RejectRow<'a> = (&'a str, u64, Option<&'a str>, &'a str, Option<&'a [u8]>);

/// The evidence store as the engine uses it: the seam where a backend plugs in. [`Store`]
/// (SQLite) is the embedded implementation; a PostgreSQL one implements the same trait.
///
/// Every implementation keeps the same guarantees: one hash-chained, append-only log; a record
/// acknowledged only after its transaction commits; `record_id` unique among records; a
/// subject's records and entries read through an index, never by scanning the log.
pub trait EvidenceStore: Send {
    /// Where the store is (a path or a URL without credentials), for messages.
    fn location(&self) -> &str;
    /// The current head of the log.
    fn head(&self) -> Result<Head>;
    /// Appends validated records in one transaction; one outcome per record, in order.
    fn append_records(&mut self, recs: &[&Validated]) -> Result<Vec<Outcome>>;
    /// Appends one non-record entry; returns its sequence number.
    fn append_entry(
        &mut self,
        entry_type: &str,
        r#ref: &str,
        subject_id: Option<&str>,
        body: &[u8],
    ) -> Result<i64>;
    /// Appends many non-record entries in one transaction, in order.
    fn append_entries<'a>(
        &mut self,
        entries: &mut dyn Iterator<Item = NewEntry<'a>>,
    ) -> Result<usize>;
    /// Keeps rejected input with its reason.
    fn add_rejects(&mut self, run_id: &str, rejects: &[RejectRow<'_>]) -> Result<()>;
    /// Number of stored records.
    fn record_count(&self) -> Result<u64>;
    /// Calls `f(kind, body)` for every stored record, in log order.
    fn for_each_record(&self, f: &mut dyn FnMut(&str, &[u8])) -> Result<()>;
    /// Calls `f(record_id, kind, body)` for every stored record, in log order (what loading a
    /// data set reads: the id is stored, so it need not be derived again from the body).
    fn for_each_record_with_id(&self, f: &mut dyn FnMut(&str, &str, &[u8])) -> Result<()>;
    /// Every stored record about a subject, in log order.
    fn subject_records(&self, subject_id: &str) -> Result<Vec<OwnedRecord>>;
    /// Whether other processes append to this store while this one reads it, so that a reader
    /// follows the log ([`EvidenceStore::records_after`]) to see their records: true for
    /// PostgreSQL. A SQLite store belongs to the process that opened it.
    fn followable(&self) -> bool {
        false
    }
    /// Up to `limit` stored records after entry `after`, in log order (what a follower reads
    /// next). Entries become visible in sequence order: writers append under one lock, so no
    /// committed entry ever appears behind one already read.
    fn records_after(&self, after: i64, limit: usize) -> Result<Vec<OwnedRecord>> {
        let _ = (after, limit);
        Err(StoreError::Refused(format!(
            "{}: this store cannot be followed (only PostgreSQL stores are shared)",
            self.location()
        )))
    }
    /// The latest entry of a type about each subject: `(subject_id, body)` (what a follower
    /// compares its results with when it starts).
    fn latest_per_subject(&self, entry_type: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let _ = entry_type;
        Err(StoreError::Refused(format!(
            "{}: this store cannot be followed (only PostgreSQL stores are shared)",
            self.location()
        )))
    }
    /// As [`EvidenceStore::for_each_record_with_id`], for the records up to entry `upto`
    /// (loading a snapshot that a follower then continues from).
    fn for_each_record_upto(&self, upto: i64, f: &mut dyn FnMut(&str, &str, &[u8])) -> Result<()> {
        let _ = (upto, f);
        Err(StoreError::Refused(format!(
            "{}: this store cannot be followed (only PostgreSQL stores are shared)",
            self.location()
        )))
    }
    /// `(record_id, body)` of a subject's stored records of one kind, in log order.
    fn records_for_subject(&self, kind: &str, subject_id: &str) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(self
            .subject_records(subject_id)?
            .into_iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.record_id, r.body))
            .collect())
    }
    /// `(seq, ref, body)` of the log entries of a type about a subject, in log order.
    fn subject_entries(
        &self,
        entry_type: &str,
        subject_id: &str,
    ) -> Result<Vec<(i64, String, Vec<u8>)>>;
    /// The latest scan's id and its per-subject result bodies.
    fn latest_scan_results(&self) -> Result<Option<(String, Vec<Vec<u8>>)>>;
    /// `(seq, ref, body)` of every entry of a type.
    fn entries_of_type(&self, entry_type: &str) -> Result<Vec<(i64, String, Vec<u8>)>>;
    /// Re-computes the whole chain.
    fn verify(&self, progress: &dyn Fn(u64)) -> Result<VerifyReport>;
}

impl EvidenceStore for Store {
    fn location(&self) -> &str {
        &self.path
    }
    fn head(&self) -> Result<Head> {
        Store::head(self).map_err(|e| e.at(&self.path))
    }
    fn append_records(&mut self, recs: &[&Validated]) -> Result<Vec<Outcome>> {
        Store::append_records(self, recs).map_err(|e| e.at(&self.path))
    }
    fn append_entry(
        &mut self,
        entry_type: &str,
        r#ref: &str,
        subject_id: Option<&str>,
        body: &[u8],
    ) -> Result<i64> {
        Store::append_entry(self, entry_type, r#ref, subject_id, body).map_err(|e| e.at(&self.path))
    }
    fn append_entries<'a>(
        &mut self,
        entries: &mut dyn Iterator<Item = NewEntry<'a>>,
    ) -> Result<usize> {
        Store::append_entries(self, entries).map_err(|e| e.at(&self.path))
    }
    fn add_rejects(&mut self, run_id: &str, rejects: &[RejectRow<'_>]) -> Result<()> {
        Store::add_rejects(self, run_id, rejects.iter().copied()).map_err(|e| e.at(&self.path))
    }
    fn record_count(&self) -> Result<u64> {
        Store::record_count(self).map_err(|e| e.at(&self.path))
    }
    fn for_each_record(&self, f: &mut dyn FnMut(&str, &[u8])) -> Result<()> {
        Store::for_each_record(self, f).map_err(|e| e.at(&self.path))
    }
    fn for_each_record_with_id(&self, f: &mut dyn FnMut(&str, &str, &[u8])) -> Result<()> {
        Store::for_each_record_with_id(self, f).map_err(|e| e.at(&self.path))
    }
    fn subject_records(&self, subject_id: &str) -> Result<Vec<OwnedRecord>> {
        Store::subject_records(self, subject_id).map_err(|e| e.at(&self.path))
    }
    fn subject_entries(
        &self,
        entry_type: &str,
        subject_id: &str,
    ) -> Result<Vec<(i64, String, Vec<u8>)>> {
        Store::subject_entries(self, entry_type, subject_id).map_err(|e| e.at(&self.path))
    }
    fn latest_scan_results(&self) -> Result<Option<(String, Vec<Vec<u8>>)>> {
        Store::latest_scan_results(self).map_err(|e| e.at(&self.path))
    }
    fn entries_of_type(&self, entry_type: &str) -> Result<Vec<(i64, String, Vec<u8>)>> {
        Store::entries_of_type(self, entry_type).map_err(|e| e.at(&self.path))
    }
    fn verify(&self, progress: &dyn Fn(u64)) -> Result<VerifyReport> {
        Store::verify(self, progress).map_err(|e| e.at(&self.path))
    }
}
