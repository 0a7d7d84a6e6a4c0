//! The PostgreSQL store: the same evidence chain as the embedded [`Store`](crate::Store), for
//! deployments that outgrow one SQLite file (issue 16). `kensa ... --store postgres://...`.
//!
//! One row per log entry in the table `log`, with exactly the fields the chain hashes
//! ([`entry_hash`]): an entry written here verifies by the same rule as one written by SQLite,
//! and `verify` makes the same checks in the same order, with the same messages. Differences
//! are only in layout: no record segments (PostgreSQL's own storage and a `UNIQUE` index on the
//! record id do what segments and the in-memory key index do for SQLite).
//!
//! **Append-only, enforced by the database**: triggers refuse `UPDATE`, `DELETE` and
//! `TRUNCATE` on `log` for every role, the owner included; [`GRANTS`] gives the role a
//! deployment runs Kensa as only `SELECT, INSERT` (docs/scale.md). Writers take one
//! transaction-scoped advisory lock, read the head and append after it, so that several
//! processes (the API server, workers) can append to one chain.
//!
//! Schema changes are numbered migrations ([`MIGRATIONS`]), applied on open inside one
//! transaction under the same lock, each recorded in `kensa_migrations`.

use std::collections::HashMap;
use std::sync::Mutex;

use kensa_model::Validated;
use postgres::{Client, NoTls, Transaction};
use sha2::{Digest, Sha256};

use crate::{
    Broken, EntryFields, EvidenceStore, Head, Outcome, OwnedRecord, RejectRow, Result, StoreError,
    VerifyReport, chain_fault, entry_hash, now_rfc3339,
};

/// The advisory lock every writer (and the migrations) holds while appending: "KENS".
const LOCK: i64 = 0x4B45_4E53;

/// Numbered schema changes, applied in order on open; never edited once released (a change is
/// a new entry).
pub const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "evidence log, rejects, purged; append-only triggers",
    r#"
CREATE TABLE log (
    seq          BIGINT PRIMARY KEY,
    entry_type   TEXT NOT NULL,
    ref          TEXT NOT NULL,
    kind         TEXT,
    subject_id   TEXT,
    recorded_at  TEXT NOT NULL,
    body         BYTEA NOT NULL,
    content_hash BYTEA NOT NULL,
    prev_hash    BYTEA NOT NULL,
    entry_hash   BYTEA NOT NULL
);
-- A record id is stored once; the index also answers "is this record new?".
CREATE UNIQUE INDEX log_record_ref ON log (ref) WHERE entry_type = 'record';
-- A subject's records and entries without scanning the log.
CREATE INDEX log_subject ON log (subject_id, entry_type, seq) WHERE subject_id IS NOT NULL;
CREATE INDEX log_type ON log (entry_type, seq);
CREATE TABLE rejects (
    id          BIGSERIAL PRIMARY KEY,
    run_id      TEXT NOT NULL,
    file        TEXT NOT NULL,
    line        BIGINT NOT NULL,
    field       TEXT,
    reason      TEXT NOT NULL,
    raw         BYTEA,
    recorded_at TEXT NOT NULL
);
CREATE TABLE purged (
    seq       BIGINT PRIMARY KEY,
    purge_seq BIGINT NOT NULL
);
CREATE FUNCTION kensa_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the evidence log is append-only';
END
$$;
CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON log
    FOR EACH ROW EXECUTE FUNCTION kensa_log_append_only();
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log
    FOR EACH STATEMENT EXECUTE FUNCTION kensa_log_append_only();
"#,
)];

/// What a database administrator grants the role Kensa runs as (`ROLE` replaced by its name):
/// reading and appending, never changing or removing. (The triggers hold for the owner too.)
pub const GRANTS: &str = "GRANT SELECT, INSERT ON log, rejects, purged, kensa_migrations TO ROLE;\n\
GRANT USAGE ON SEQUENCE rejects_id_seq TO ROLE;";

/// Rows per `INSERT ... SELECT FROM UNNEST(...)` statement.
const CHUNK: usize = 4096;

/// The PostgreSQL evidence store.
pub struct PgStore {
    client: Mutex<Client>,
    /// The URL connected to (with its password, if any): a connection PostgreSQL closed (a
    /// server restart) is opened again on next use. Never shown: see `location`.
    url: String,
    /// The URL without its password, for messages.
    location: String,
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        // Connection-level failures (no SQLSTATE: the socket; class 08: connection exception;
        // 57P01-57P03: shutdown, crash, starting up; 40001/40P01: retry the transaction) may
        // pass; anything else is what it says.
        let transient = e.is_closed()
            || match e.code() {
                Some(c) => {
                    let c = c.code();
                    c.starts_with("08") || c.starts_with("57P") || c == "40001" || c == "40P01"
                }
                None => {
                    e.as_db_error().is_none()
                        && std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>())
                }
            };
        if transient {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Postgres(e.to_string())
        }
    }
}

/// The channel writers notify when they commit new records (`LISTEN kensa_log`).
pub const CHANNEL: &str = "kensa_log";

/// Waits for other processes to append records (PostgreSQL's `LISTEN`/`NOTIFY`), so that a
/// follower reads the log when something arrived instead of polling it.
pub struct LogListener {
    client: Client,
    url: String,
}

impl LogListener {
    pub fn open(url: &str) -> Result<LogListener> {
        let location = redact(url);
        let mut client = Client::connect(url, NoTls)
            .map_err(|e| StoreError::Postgres(format!("{location}: {e}")))?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| StoreError::Postgres(format!("{location}: {e}")))?;
        Ok(LogListener {
            client,
            url: url.to_owned(),
        })
    }

    /// Waits until records were appended since the last call, or `timeout` passed: true when
    /// notified. After a lost connection it connects again and answers true (what was
    /// appended meanwhile was not notified to it: the caller reads the log anyway).
    pub fn wait(&mut self, timeout: std::time::Duration) -> bool {
        if self.client.is_closed() {
            match LogListener::open(&self.url) {
                Ok(l) => *self = l,
                Err(_) => {
                    std::thread::sleep(timeout);
                    return false;
                }
            }
            return true;
        }
        use postgres::fallible_iterator::FallibleIterator as _;
        let got = {
            let mut n = self.client.notifications();
            let got = matches!(n.timeout_iter(timeout).next(), Ok(Some(_)));
            // One wake for everything that arrived meanwhile.
            while let Ok(Some(_)) = n.iter().next() {}
            got
        };
        got || self.client.is_closed()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db` (a URL in a message never
/// carries a password).
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..s + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Whether `--db`/`--store` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

impl PgStore {
    /// Connects and brings the schema up to date (creating it in an empty database).
    pub fn open(url: &str) -> Result<PgStore> {
        let location = redact(url);
        let at = |e: postgres::Error| StoreError::Postgres(format!("{location}: {e}"));
        let mut client = Client::connect(url, NoTls).map_err(at)?;
        migrate(&mut client).map_err(|e| e.at(&location))?;
        Ok(PgStore {
            client: Mutex::new(client),
            url: url.to_owned(),
            location,
        })
    }

    fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        // A panic while holding the lock leaves the connection as PostgreSQL left it (any open
        // transaction is rolled back when dropped): usable.
        let mut c = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if c.is_closed() {
            // The server restarted or the network dropped the connection: the operation that
            // noticed failed (nothing it did was committed, or it was and is found again);
            // this one connects again. If that fails too, it fails on the closed connection.
            match Client::connect(&self.url, NoTls) {
                Ok(fresh) => {
                    tracing::warn!(store = %self.location, "connection to PostgreSQL lost: connected again");
                    *c = fresh;
                }
                Err(e) => {
                    tracing::warn!(store = %self.location, error = %e, "connection to PostgreSQL lost: cannot connect again yet")
                }
            }
        }
        c
    }

    /// What storing these records would do, without storing them: `Some(Duplicate)` for an id
    /// stored with the same content, `Some(Conflict)` for one stored with other content, `None`
    /// for a new id (an API server that hands records to workers answers duplicates and
    /// conflicts itself and waits only for the new ones).
    pub fn probe(&self, recs: &[&Validated]) -> Result<Vec<Option<Outcome>>> {
        let r = (|| {
            let ids: Vec<&str> = recs.iter().map(|r| r.record_id.as_str()).collect();
            let mut stored: HashMap<String, Vec<u8>> = HashMap::new();
            let mut c = self.client();
            for chunk in ids.chunks(CHUNK) {
                for row in c.query(
                    "SELECT ref, content_hash FROM log WHERE entry_type = 'record' AND ref = ANY($1)",
                    &[&chunk],
                )? {
                    stored.insert(row.get(0), row.get(1));
                }
            }
            Ok(recs
                .iter()
                .map(|r| {
                    stored.get(r.record_id.as_str()).map(|h| {
                        if h == &r.body_hash[..] {
                            Outcome::Duplicate
                        } else {
                            Outcome::Conflict
                        }
                    })
                })
                .collect())
        })();
        self.wrap(r)
    }

    fn wrap<T>(&self, r: Result<T>) -> Result<T> {
        r.map_err(|e| e.at(&self.location))
    }
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS kensa_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let done: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM kensa_migrations",
            &[],
        )?
        .get(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if done > known {
        return Err(StoreError::Refused(format!(
            "the database was written by a newer Kensa (schema {done}, this build knows {known})"
        )));
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > done) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO kensa_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The head, read inside a writer's transaction (after the lock).
fn head_in(tx: &mut Transaction<'_>) -> Result<Head> {
    Ok(
        match tx.query_opt(
            "SELECT seq, entry_hash FROM log ORDER BY seq DESC LIMIT 1",
            &[],
        )? {
            Some(row) => Head {
                seq: row.get(0),
                hash: hash32(row.get(1))?,
            },
            None => Head::GENESIS,
        },
    )
}

fn hash32(b: &[u8]) -> Result<[u8; 32]> {
    b.try_into()
        .map_err(|_| StoreError::Index(format!("a stored hash has {} bytes, not 32", b.len())))
}

/// One new entry, chained.
struct Chained<'a> {
    seq: i64,
    entry_type: &'a str,
    r#ref: &'a str,
    kind: Option<&'a str>,
    subject_id: Option<&'a str>,
    body: &'a [u8],
    content_hash: [u8; 32],
    prev_hash: [u8; 32],
    entry_hash: [u8; 32],
}

/// Chains `(entry_type, ref, kind, subject, body, content hash)` after `head`.
fn chain<'a>(
    head: &mut Head,
    recorded_at: &str,
    items: impl IntoIterator<
        Item = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            &'a [u8],
            [u8; 32],
        ),
    >,
) -> Vec<Chained<'a>> {
    items
        .into_iter()
        .map(
            |(entry_type, r#ref, kind, subject_id, body, content_hash)| {
                let seq = head.seq + 1;
                let eh = entry_hash(&EntryFields {
                    seq,
                    entry_type,
                    r#ref,
                    kind,
                    subject_id,
                    recorded_at,
                    content_hash: &content_hash,
                    prev_hash: &head.hash,
                });
                let e = Chained {
                    seq,
                    entry_type,
                    r#ref,
                    kind,
                    subject_id,
                    body,
                    content_hash,
                    prev_hash: head.hash,
                    entry_hash: eh,
                };
                *head = Head { seq, hash: eh };
                e
            },
        )
        .collect()
}

fn insert(tx: &mut Transaction<'_>, recorded_at: &str, entries: &[Chained<'_>]) -> Result<()> {
    let st = tx.prepare(
        "INSERT INTO log (seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash) \
         SELECT s, t, r, k, sub, $6, b, ch, ph, eh \
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $7::bytea[], $8::bytea[], $9::bytea[], $10::bytea[]) \
              AS u(s, t, r, k, sub, b, ch, ph, eh)",
    )?;
    for c in entries.chunks(CHUNK) {
        let seqs: Vec<i64> = c.iter().map(|e| e.seq).collect();
        let types: Vec<&str> = c.iter().map(|e| e.entry_type).collect();
        let refs: Vec<&str> = c.iter().map(|e| e.r#ref).collect();
        let kinds: Vec<Option<&str>> = c.iter().map(|e| e.kind).collect();
        let subjects: Vec<Option<&str>> = c.iter().map(|e| e.subject_id).collect();
        let bodies: Vec<&[u8]> = c.iter().map(|e| e.body).collect();
        let chs: Vec<&[u8]> = c.iter().map(|e| &e.content_hash[..]).collect();
        let phs: Vec<&[u8]> = c.iter().map(|e| &e.prev_hash[..]).collect();
        let ehs: Vec<&[u8]> = c.iter().map(|e| &e.entry_hash[..]).collect();
        tx.execute(
            &st,
            &[
                &seqs,
                &types,
                &refs,
                &kinds,
                &subjects,
                &recorded_at,
                &bodies,
                &chs,
                &phs,
                &ehs,
            ],
        )?;
    }
    Ok(())
}

impl PgStore {
    fn append_records_in(&self, recs: &[&Validated]) -> Result<Vec<Outcome>> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
        // 1. Each record's fate: against the stored ones, then against earlier copies in the
        //    same batch (the first copy of an id is the one stored).
        let ids: Vec<&str> = recs.iter().map(|r| r.record_id.as_str()).collect();
        let mut stored: HashMap<String, Vec<u8>> = HashMap::new();
        for c in ids.chunks(CHUNK) {
            for row in tx.query(
                "SELECT ref, content_hash FROM log WHERE entry_type = 'record' AND ref = ANY($1)",
                &[&c],
            )? {
                stored.insert(row.get(0), row.get(1));
            }
        }
        let mut first: HashMap<&str, &[u8]> = HashMap::with_capacity(recs.len());
        let mut out = Vec::with_capacity(recs.len());
        let mut new = Vec::new();
        for r in recs {
            let same = |h: &[u8]| {
                if h == &r.body_hash[..] {
                    Outcome::Duplicate
                } else {
                    Outcome::Conflict
                }
            };
            let o = if let Some(h) = stored.get(r.record_id.as_str()) {
                same(h)
            } else if let Some(h) = first.get(r.record_id.as_str()) {
                same(h)
            } else {
                first.insert(&r.record_id, &r.body_hash[..]);
                new.push(*r);
                Outcome::Stored
            };
            out.push(o);
        }
        // 2. The new ones, chained in input order.
        if !new.is_empty() {
            let mut head = head_in(&mut tx)?;
            let recorded_at = now_rfc3339();
            let entries = chain(
                &mut head,
                &recorded_at,
                new.iter().map(|r| {
                    (
                        "record",
                        r.record_id.as_str(),
                        Some(r.kind.as_str()),
                        Some(r.subject_id()),
                        &r.body[..],
                        r.body_hash,
                    )
                }),
            );
            insert(&mut tx, &recorded_at, &entries)?;
            // Followers waiting in `LogListener::wait` wake when this commits.
            tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL])?;
        }
        tx.commit()?;
        Ok(out)
    }

    fn append_entries_in<'a>(
        &self,
        entries: &mut dyn Iterator<Item = crate::NewEntry<'a>>,
    ) -> Result<(usize, i64)> {
        let items: Vec<crate::NewEntry<'a>> = entries.collect();
        let mut client = self.client();
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
        let mut head = head_in(&mut tx)?;
        let recorded_at = now_rfc3339();
        let new = chain(
            &mut head,
            &recorded_at,
            items.iter().map(|e| {
                (
                    e.entry_type,
                    e.r#ref,
                    None,
                    e.subject_id,
                    e.body,
                    Sha256::digest(e.body).into(),
                )
            }),
        );
        insert(&mut tx, &recorded_at, &new)?;
        tx.commit()?;
        Ok((new.len(), head.seq))
    }

    fn verify_in(&self, progress: &dyn Fn(u64)) -> Result<VerifyReport> {
        let mut client = self.client();
        // One snapshot for the whole check.
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let purged: HashMap<i64, i64> = tx
            .query("SELECT seq, purge_seq FROM purged", &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let st = tx.prepare(
            "SELECT seq, entry_type, ref, kind, subject_id, recorded_at, body, content_hash, prev_hash, entry_hash \
             FROM log ORDER BY seq",
        )?;
        let portal = tx.bind(&st, &[])?;
        let mut prev = Head::GENESIS;
        let mut checked = 0u64;
        loop {
            let rows = tx.query_portal(&portal, 8192)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let seq: i64 = row.get(0);
                let entry_type: &str = row.get(1);
                let r#ref: &str = row.get(2);
                let body: &[u8] = row.get(6);
                let content_hash: &[u8] = row.get(7);
                let prev_hash: &[u8] = row.get(8);
                let stored: &[u8] = row.get(9);
                let computed = entry_hash(&EntryFields {
                    seq,
                    entry_type,
                    r#ref,
                    kind: row.get(3),
                    subject_id: row.get(4),
                    recorded_at: row.get(5),
                    content_hash,
                    prev_hash,
                });
                let is_purged =
                    entry_type == "record" && purged.get(&seq).is_some_and(|p| *p > seq);
                let content_ok =
                    Sha256::digest(body)[..] == content_hash[..] || (is_purged && body.is_empty());
                if let Some(reason) =
                    chain_fault(prev, seq, content_ok, prev_hash, &computed, stored)
                {
                    return Ok(VerifyReport {
                        entries: checked,
                        head: prev,
                        broken: Some(Broken {
                            seq,
                            entry_type: entry_type.to_owned(),
                            r#ref: r#ref.to_owned(),
                            reason,
                        }),
                    });
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
        }
        Ok(VerifyReport {
            entries: checked,
            head: prev,
            broken: None,
        })
    }
}

impl EvidenceStore for PgStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn head(&self) -> Result<Head> {
        let r = (|| {
            let mut c = self.client();
            let mut tx = c.transaction()?;
            head_in(&mut tx)
        })();
        self.wrap(r)
    }

    fn append_records(&mut self, recs: &[&Validated]) -> Result<Vec<Outcome>> {
        let r = self.append_records_in(recs);
        self.wrap(r)
    }

    fn append_entry(
        &mut self,
        entry_type: &str,
        r#ref: &str,
        subject_id: Option<&str>,
        body: &[u8],
    ) -> Result<i64> {
        let r = self.append_entries_in(&mut std::iter::once(crate::NewEntry {
            entry_type,
            r#ref,
            subject_id,
            body,
        }));
        self.wrap(r.map(|(_, seq)| seq))
    }

    fn append_entries<'a>(
        &mut self,
        entries: &mut dyn Iterator<Item = crate::NewEntry<'a>>,
    ) -> Result<usize> {
        let r = self.append_entries_in(entries);
        self.wrap(r.map(|(n, _)| n))
    }

    fn add_rejects(&mut self, run_id: &str, rejects: &[RejectRow<'_>]) -> Result<()> {
        let r = (|| {
            let mut c = self.client();
            let mut tx = c.transaction()?;
            let st = tx.prepare(
                "INSERT INTO rejects (run_id, file, line, field, reason, raw, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )?;
            let at = now_rfc3339();
            for (file, line, field, reason, raw) in rejects {
                tx.execute(
                    &st,
                    &[&run_id, file, &(*line as i64), field, reason, raw, &at],
                )?;
            }
            tx.commit()?;
            Ok(())
        })();
        self.wrap(r)
    }

    fn record_count(&self) -> Result<u64> {
        let r = (|| {
            let n: i64 = self
                .client()
                .query_one(
                    "SELECT (SELECT count(*) FROM log WHERE entry_type = 'record') - (SELECT count(*) FROM purged)",
                    &[],
                )?
                .get(0);
            Ok(n as u64)
        })();
        self.wrap(r)
    }

    fn for_each_record(&self, f: &mut dyn FnMut(&str, &[u8])) -> Result<()> {
        self.for_each_record_with_id(&mut |_, kind, body| f(kind, body))
    }

    fn for_each_record_with_id(&self, f: &mut dyn FnMut(&str, &str, &[u8])) -> Result<()> {
        self.for_each_record_upto(i64::MAX, f)
    }

    fn followable(&self) -> bool {
        true
    }

    fn latest_per_subject(&self, entry_type: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let r = (|| {
            let rows = self.client().query(
                "SELECT DISTINCT ON (subject_id) subject_id, body FROM log \
                 WHERE entry_type = $1 AND subject_id IS NOT NULL ORDER BY subject_id, seq DESC",
                &[&entry_type],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })();
        self.wrap(r)
    }

    fn records_after(&self, after: i64, limit: usize) -> Result<Vec<OwnedRecord>> {
        let r = (|| {
            let rows = self.client().query(
                "SELECT seq, ref, kind, body FROM log WHERE entry_type = 'record' AND seq > $1 \
                 AND octet_length(body) > 0 ORDER BY seq LIMIT $2",
                &[&after, &(limit.min(i64::MAX as usize) as i64)],
            )?;
            Ok(rows
                .iter()
                .map(|row| OwnedRecord {
                    seq: row.get(0),
                    record_id: row.get(1),
                    kind: row.get(2),
                    body: row.get(3),
                })
                .collect())
        })();
        self.wrap(r)
    }

    fn for_each_record_upto(&self, upto: i64, f: &mut dyn FnMut(&str, &str, &[u8])) -> Result<()> {
        let r = (|| {
            let mut c = self.client();
            let mut tx = c.transaction()?;
            let st = tx.prepare(
                "SELECT ref, kind, body FROM log WHERE entry_type = 'record' AND seq <= $1 AND octet_length(body) > 0 ORDER BY seq",
            )?;
            let portal = tx.bind(&st, &[&upto])?;
            loop {
                let rows = tx.query_portal(&portal, 8192)?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    f(row.get(0), row.get(1), row.get(2));
                }
            }
            Ok(())
        })();
        self.wrap(r)
    }

    fn subject_records(&self, subject_id: &str) -> Result<Vec<OwnedRecord>> {
        let r = (|| {
            Ok(self
                .client()
                .query(
                    "SELECT seq, ref, kind, body FROM log \
                     WHERE subject_id = $1 AND entry_type = 'record' AND octet_length(body) > 0 ORDER BY seq",
                    &[&subject_id],
                )?
                .into_iter()
                .map(|row| OwnedRecord {
                    seq: row.get(0),
                    record_id: row.get(1),
                    kind: row.get::<_, Option<String>>(2).unwrap_or_default(),
                    body: row.get(3),
                })
                .collect())
        })();
        self.wrap(r)
    }

    fn subject_entries(
        &self,
        entry_type: &str,
        subject_id: &str,
    ) -> Result<Vec<(i64, String, Vec<u8>)>> {
        let r = (|| {
            Ok(self
                .client()
                .query(
                    "SELECT seq, ref, body FROM log WHERE subject_id = $1 AND entry_type = $2 ORDER BY seq",
                    &[&subject_id, &entry_type],
                )?
                .into_iter()
                .map(|row| (row.get(0), row.get(1), row.get(2)))
                .collect())
        })();
        self.wrap(r)
    }

    fn latest_scan_results(&self) -> Result<Option<(String, Vec<Vec<u8>>)>> {
        let r = (|| {
            let mut c = self.client();
            let Some(scan) = c.query_opt(
                "SELECT ref FROM log WHERE entry_type = 'scan' ORDER BY seq DESC LIMIT 1",
                &[],
            )?
            else {
                return Ok(None);
            };
            let scan: String = scan.get(0);
            let bodies = c
                .query(
                    "SELECT body FROM log WHERE entry_type = 'result' AND ref = $1 ORDER BY seq",
                    &[&scan],
                )?
                .into_iter()
                .map(|row| row.get(0))
                .collect();
            Ok(Some((scan, bodies)))
        })();
        self.wrap(r)
    }

    fn entries_of_type(&self, entry_type: &str) -> Result<Vec<(i64, String, Vec<u8>)>> {
        let r = (|| {
            Ok(self
                .client()
                .query(
                    "SELECT seq, ref, body FROM log WHERE entry_type = $1 ORDER BY seq",
                    &[&entry_type],
                )?
                .into_iter()
                .map(|row| (row.get(0), row.get(1), row.get(2)))
                .collect())
        })();
        self.wrap(r)
    }

    fn verify(&self, progress: &dyn Fn(u64)) -> Result<VerifyReport> {
        let r = self.verify_in(progress);
        self.wrap(r)
    }
}

/// Fresh databases for tests against a real server (this crate's and the CLI's). The server:
/// `KENSA_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`), a role that may
/// create databases. Outside CI an unreachable server skips the test with the reason printed;
/// under `CI=true` it fails it (`.ci/run` installs and starts PostgreSQL).
#[doc(hidden)]
pub mod testing {
    use postgres::{Client, NoTls};

    pub fn admin_url() -> String {
        std::env::var("KENSA_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    }

    /// A database of its own for one test, dropped when the guard goes.
    pub struct TestDb {
        pub name: String,
        pub url: String,
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Ok(mut c) = Client::connect(&admin_url(), NoTls) {
                let _ = c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    /// `None` (with the reason printed) when no server is reachable outside CI.
    pub fn test_db(tag: &str) -> Option<TestDb> {
        let mut admin = match Client::connect(&admin_url(), NoTls) {
            Ok(c) => c,
            Err(e) => {
                let why = format!("no PostgreSQL at {}: {e}", super::redact(&admin_url()));
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("the PostgreSQL tests cannot run under CI=true: {why}");
                }
                eprintln!("skipped: {why}");
                return None;
            }
        };
        let name = format!("kensa_t_{tag}_{}", std::process::id());
        // (Two statements: neither may run inside a transaction block.)
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("dropping a test database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating a test database");
        let base = admin_url();
        let cut = base.rfind('/').expect("a database in the URL");
        Some(TestDb {
            url: format!("{}/{name}", &base[..cut]),
            name,
        })
    }
}
