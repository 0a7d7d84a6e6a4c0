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

const SCHEMA_VERSION: i64 = 1;

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
    entry_hash   BLOB NOT NULL
);
-- A record_id is stored once; other entry types may repeat a ref (e.g. a scan id).
CREATE UNIQUE INDEX IF NOT EXISTS log_record ON log(ref) WHERE entry_type = 'record';
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
}

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
        conn.execute_batch(SCHEMA)?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key='schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )?;
            }
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::Schema {
                    path,
                    found: v,
                    known: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
        }
        Ok(Store { conn, path })
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
        let mut h = head(&tx)?;
        let recorded_at = now_rfc3339();
        let mut out = Vec::with_capacity(recs.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO log (seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash) \
                 VALUES (?1, 'record', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut existing = tx.prepare_cached(
                "SELECT content_hash FROM log WHERE entry_type = 'record' AND ref = ?1",
            )?;
            for r in recs {
                let seq = h.seq + 1;
                let kind = r.kind.as_str();
                let eh = entry_hash(&EntryFields {
                    seq,
                    entry_type: "record",
                    r#ref: &r.record_id,
                    kind: Some(kind),
                    subject_id: Some(&r.subject_id),
                    recorded_at: &recorded_at,
                    content_hash: &r.body_hash,
                    prev_hash: &h.hash,
                });
                let n = insert.execute(params![
                    seq,
                    r.record_id,
                    kind,
                    r.subject_id,
                    recorded_at,
                    r.body,
                    &r.body_hash[..],
                    &h.hash[..],
                    &eh[..],
                ])?;
                if n == 1 {
                    h = Head { seq, hash: eh };
                    out.push(Outcome::Stored);
                } else {
                    let stored: Vec<u8> = existing.query_row([&r.record_id], |row| row.get(0))?;
                    out.push(if stored == r.body_hash {
                        Outcome::Duplicate
                    } else {
                        Outcome::Conflict
                    });
                }
            }
        }
        tx.commit()?;
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
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM log", [], |r| r.get(0))?;
        let mut st = self.conn.prepare(
            "SELECT seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash FROM log ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        let mut prev = Head::GENESIS;
        let mut checked = 0u64;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let entry_type = row.get_ref(1)?.as_str()?.to_owned();
            let r#ref = row.get_ref(2)?.as_str()?.to_owned();
            let kind: Option<String> = row.get(3)?;
            let subject_id: Option<String> = row.get(4)?;
            let recorded_at = row.get_ref(5)?.as_str()?.to_owned();
            let body = row.get_ref(6)?.as_blob()?;
            let content_hash = row.get_ref(7)?.as_blob()?;
            let prev_hash = row.get_ref(8)?.as_blob()?;
            let stored_hash = row.get_ref(9)?.as_blob()?;
            let broken = |reason: String| VerifyReport {
                entries: checked,
                head: prev,
                broken: Some(Broken {
                    seq,
                    entry_type: entry_type.clone(),
                    r#ref: r#ref.clone(),
                    reason,
                }),
            };
            if seq != prev.seq + 1 {
                return Ok(broken(format!(
                    "entry {} follows entry {} (entries missing or renumbered)",
                    seq, prev.seq
                )));
            }
            let actual: [u8; 32] = Sha256::digest(body).into();
            if actual[..] != *content_hash {
                return Ok(broken(
                    "content does not match its hash (the stored body was changed)".into(),
                ));
            }
            if prev_hash != prev.hash {
                return Ok(broken(
                    "previous-entry hash does not match the entry before it".into(),
                ));
            }
            let computed = entry_hash(&EntryFields {
                seq,
                entry_type: &entry_type,
                r#ref: &r#ref,
                kind: kind.as_deref(),
                subject_id: subject_id.as_deref(),
                recorded_at: &recorded_at,
                content_hash,
                prev_hash,
            });
            if computed[..] != *stored_hash {
                return Ok(broken(
                    "entry hash does not match its fields (the entry was changed)".into(),
                ));
            }
            prev = Head {
                seq,
                hash: computed,
            };
            checked += 1;
            if checked.is_multiple_of(65_536) {
                progress(checked);
            }
        }
        progress(checked);
        debug_assert!(checked as i64 <= total);
        Ok(VerifyReport {
            entries: checked,
            head: prev,
            broken: None,
        })
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
