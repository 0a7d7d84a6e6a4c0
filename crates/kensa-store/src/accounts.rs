//! API tokens and the access log of `kensa serve` (利用者トークンとアクセス記録).
//!
//! Kept in the same database file as the evidence log, in tables of their own, opened with a
//! connection of their own so that checking a token does not queue behind the engine:
//!
//! * `api_tokens`: one row per token — its name, role, the SHA-256 of the secret (the secret
//!   itself is shown once, at creation, and never stored), when it was created, last used and
//!   revoked. A token is 32 random bytes, so a plain SHA-256 is enough to store it (slow
//!   password hashes are for secrets people choose).
//! * `access_log`: who read which subject's data, when, through which endpoint — "access to
//!   subject data is itself logged". It is not part of the hash chain (a read changes nothing
//!   the chain proves), and it keeps no IP address.
//!
//! Creating and revoking a token are also entries of the evidence log (the CLI writes them),
//! so that who could act is part of the record.

use crate::{Result, StoreError, now_rfc3339};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::Path;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    secret_hash  BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE TABLE IF NOT EXISTS access_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject_id TEXT
);
CREATE INDEX IF NOT EXISTS access_log_subject ON access_log (subject_id);
CREATE TABLE IF NOT EXISTS users (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    disabled_at     TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    secret_hash BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    event           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    body            BLOB NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    next_attempt_ms INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX IF NOT EXISTS webhook_due ON webhook_deliveries (state, next_attempt_ms);
"#;

/// A webhook delivery waiting or done (the outbox of `kensa serve`'s webhooks).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
    pub id: i64,
    pub url: String,
    pub event: String,
    pub idempotency_key: String,
    #[serde(skip)]
    pub body: Vec<u8>,
    /// `pending`, `delivered` or `failed` (gave up).
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

fn row_delivery(r: &rusqlite::Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        url: r.get(1)?,
        event: r.get(2)?,
        idempotency_key: r.get(3)?,
        body: r.get(4)?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        last_status: r.get(7)?,
        last_error: r.get(8)?,
        created_at: r.get(9)?,
        delivered_at: r.get(10)?,
    })
}

const DELIVERY_COLUMNS: &str = "id, url, event, idempotency_key, body, state, attempts, last_status, last_error, created_at, delivered_at";

/// The prefix of every token, so that secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "kensa_";

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Access {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject_id: Option<String>,
}

/// The accounts tables of one database.
pub struct Accounts {
    conn: Connection,
}

fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

impl Accounts {
    /// Opens the accounts tables of an existing Kensa database (creating the tables if needed).
    pub fn open(path: &Path) -> Result<Accounts> {
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
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA journal_mode=WAL;")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Accounts { conn })
    }

    /// Creates a token; returns its id and the secret (shown once).
    pub fn create_token(&mut self, name: &str, role: &str) -> Result<(i64, String)> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b)
            .map_err(|e| StoreError::Refused(format!("no random source for a token: {e}")))?;
        let secret = format!("{TOKEN_PREFIX}{}", hex::encode(b));
        self.conn.execute(
            "INSERT INTO api_tokens (name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role, secret_hash(&secret), now_rfc3339()],
        )?;
        Ok((self.conn.last_insert_rowid(), secret))
    }

    /// The token a secret belongs to, when it exists and is not revoked; records the use
    /// (at most once a minute per token, so that reads do not turn into writes).
    pub fn authenticate(&mut self, secret: &str) -> Result<Option<TokenInfo>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let info = self
            .conn
            .prepare_cached(
                "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens WHERE secret_hash = ?1",
            )?
            .query_row([secret_hash(secret)], row_info)
            .optional()?;
        let Some(info) = info.filter(|i| i.revoked_at.is_none()) else {
            return Ok(None);
        };
        let now = now_rfc3339();
        if info.last_used_at.as_deref().map(|t| &t[..16.min(t.len())]) != Some(&now[..16]) {
            self.conn
                .prepare_cached("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2")?
                .execute(params![now, info.id])?;
        }
        Ok(Some(info))
    }

    /// Every token, newest first.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let mut st = self.conn.prepare(
            "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id DESC",
        )?;
        let rows = st.query_map([], row_info)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Revokes a token by id; false when there is no such token or it was revoked already.
    pub fn revoke_token(&mut self, id: i64) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![now_rfc3339(), id],
        )? == 1)
    }

    /// Records that `actor` read subject data (`subject_id`, or a listing when `None`).
    pub fn log_access(
        &mut self,
        actor: &str,
        action: &str,
        subject_id: Option<&str>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO access_log (at, actor, action, subject_id) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![now_rfc3339(), actor, action, subject_id])?;
        Ok(())
    }

    /// The access log of one subject (or all), oldest first.
    pub fn accesses(&self, subject_id: Option<&str>) -> Result<Vec<Access>> {
        let mut st = self.conn.prepare(
            "SELECT at, actor, action, subject_id FROM access_log WHERE ?1 IS NULL OR subject_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([subject_id], |r| {
            Ok(Access {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                subject_id: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

impl Accounts {
    /// Queues a webhook delivery (durable before it is sent: a restart sends what is left).
    pub fn enqueue_webhook(&mut self, url: &str, event: &str, body: &[u8]) -> Result<i64> {
        let mut k = [0u8; 16];
        getrandom::fill(&mut k)
            .map_err(|e| StoreError::Refused(format!("no random source: {e}")))?;
        self.conn.execute(
            "INSERT INTO webhook_deliveries (url, event, idempotency_key, body, state, next_attempt_ms, created_at) \
             VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5)",
            params![url, event, hex::encode(k), body, now_rfc3339()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Pending deliveries due at `now_ms` (milliseconds since the Unix epoch), oldest first.
    pub fn due_webhooks(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = st.query_map(params![now_ms, limit as i64], row_delivery)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Records an attempt: delivered, or retried at `retry_at_ms`, or (None) given up.
    pub fn webhook_attempt(
        &mut self,
        id: i64,
        status: Option<i64>,
        error: Option<&str>,
        delivered: bool,
        retry_at_ms: Option<i64>,
    ) -> Result<()> {
        let state = if delivered {
            "delivered"
        } else if retry_at_ms.is_some() {
            "pending"
        } else {
            "failed"
        };
        self.conn.execute(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?2, last_error = ?3, state = ?4, \
             next_attempt_ms = ?5, delivered_at = CASE WHEN ?4 = 'delivered' THEN ?6 ELSE delivered_at END WHERE id = ?1",
            params![id, status, error, state, retry_at_ms.unwrap_or(0), now_rfc3339()],
        )?;
        Ok(())
    }

    /// The delivery log, newest first.
    pub fn webhook_deliveries(&self, limit: usize) -> Result<Vec<Delivery>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = st.query_map([limit as i64], row_delivery)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// A person who signs in to the web UI (the password hash is the caller's: argon2id).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_attempts: i64,
    pub locked_until_ms: i64,
    pub disabled: bool,
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

fn random_hex(n: usize) -> Result<String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| StoreError::Refused(format!("no random source: {e}")))?;
    Ok(hex::encode(b))
}

impl Accounts {
    /// Adds a person; `password_hash` is an argon2id PHC string made by the caller.
    pub fn create_user(&mut self, name: &str, role: &str, password_hash: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, role, password_hash, now_rfc3339()],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::Refused(format!("a user named {name:?} exists already"))
                }
                e => e.into(),
            })?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A person by name.
    pub fn user(&self, name: &str) -> Result<Option<User>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, name, role, password_hash, failed_attempts, locked_until_ms, disabled_at FROM users WHERE name = ?1",
            )?
            .query_row([name], row_user)
            .optional()?)
    }

    /// Counts a sign-in attempt before its password is checked: false (and nothing counted)
    /// when the account is locked at `now_ms`; the attempt that reaches `max_failures` locks it
    /// until `lock_until_ms`. A successful sign-in ([`Accounts::open_session`]) clears the count.
    pub fn begin_sign_in(
        &mut self,
        id: i64,
        now_ms: i64,
        max_failures: i64,
        lock_until_ms: i64,
    ) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE users SET failed_attempts = failed_attempts + 1, \
             locked_until_ms = CASE WHEN failed_attempts + 1 >= ?3 THEN ?4 ELSE locked_until_ms END \
             WHERE id = ?1 AND locked_until_ms <= ?2",
            params![id, now_ms, max_failures, lock_until_ms],
        )? == 1)
    }

    /// Opens a session for a person (and clears their failures); returns the session secret
    /// (the cookie's value; only its hash is stored) and the CSRF token.
    pub fn open_session(&mut self, user_id: i64, expires_ms: i64) -> Result<(String, String)> {
        let secret = random_hex(32)?;
        let csrf = random_hex(32)?;
        self.conn.execute(
            "UPDATE users SET failed_attempts = 0, locked_until_ms = 0 WHERE id = ?1",
            [user_id],
        )?;
        self.conn.execute(
            "INSERT INTO sessions (secret_hash, user_id, csrf_token, created_at, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![secret_hash(&secret), user_id, csrf, now_rfc3339(), expires_ms],
        )?;
        Ok((secret, csrf))
    }

    /// The live session a cookie's secret belongs to.
    pub fn session(&self, secret: &str, now_ms: i64) -> Result<Option<Session>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT u.id, u.name, u.role, u.password_hash, u.failed_attempts, u.locked_until_ms, u.disabled_at, s.csrf_token \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ?1 AND s.expires_ms > ?2",
            )?
            .query_row(params![secret_hash(secret), now_ms], |r| {
                Ok(Session {
                    user: row_user(r)?,
                    csrf_token: r.get(7)?,
                })
            })
            .optional()?;
        Ok(row.filter(|s| !s.user.disabled))
    }

    /// Ends a session.
    pub fn close_session(&mut self, secret: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE secret_hash = ?1",
            [secret_hash(secret)],
        )?;
        Ok(())
    }
}

fn row_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        password_hash: r.get(3)?,
        failed_attempts: r.get(4)?,
        locked_until_ms: r.get(5)?,
        disabled: r.get::<_, Option<String>>(6)?.is_some(),
    })
}

fn row_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        created_at: r.get(3)?,
        last_used_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_authenticates_until_revoked_and_only_its_hash_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(crate::Store::open(&path, crate::Durability::Normal).unwrap());
        let mut a = Accounts::open(&path).unwrap();
        let (id, secret) = a.create_token("platform-hooks", "ingest").unwrap();
        assert!(secret.starts_with(TOKEN_PREFIX) && secret.len() == TOKEN_PREFIX.len() + 64);
        let t = a.authenticate(&secret).unwrap().unwrap();
        assert_eq!((t.id, t.role.as_str()), (id, "ingest"));
        assert!(a.authenticate("kensa_0000").unwrap().is_none());
        assert!(a.authenticate("").unwrap().is_none());
        let raw = std::fs::read(&path).unwrap();
        let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
        for bytes in [&raw, &wal] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the secret is stored"
            );
        }
        assert!(a.tokens().unwrap()[0].last_used_at.is_some());
        assert!(a.revoke_token(id).unwrap());
        assert!(!a.revoke_token(id).unwrap());
        assert!(a.authenticate(&secret).unwrap().is_none());
    }
}
