//! Roles and what each may do — the one place authorisation is decided.
//!
//! Every route is listed in [`ROUTES`] with the permission it needs; the [`authorize`]
//! middleware looks the matched route up, authenticates the bearer token and checks the role
//! before any handler runs. A route missing from the table is refused (403), so a new endpoint
//! cannot be reachable by accident. The table-driven test walks the same table.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The roles of `spec/service.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sends events only.
    Ingest,
    /// Reads, works cases, records checks and decisions.
    Analyst,
    /// An analyst who also approves overrides and assigns.
    Lead,
    /// Users, tokens, policy.
    Admin,
    /// Reads everything, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Ingest,
        Role::Analyst,
        Role::Lead,
        Role::Admin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ingest => "ingest",
            Role::Analyst => "analyst",
            Role::Lead => "lead",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role holds a permission.
    pub fn allows(self, p: Perm) -> bool {
        use Role::*;
        match p {
            Perm::Public | Perm::Authenticated => true,
            Perm::Ingest => self == Ingest,
            Perm::ReadSubjects => matches!(self, Analyst | Lead | Auditor),
            Perm::Work => matches!(self, Analyst | Lead),
            Perm::Verify | Perm::AdminRead => matches!(self, Auditor | Admin),
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    /// No credentials (`/healthz`, `/readyz`).
    Public,
    /// Any valid token.
    Authenticated,
    /// Send events.
    Ingest,
    /// Read subjects' results and records.
    ReadSubjects,
    /// Record checks, decisions, attachments; screen names.
    Work,
    /// Re-compute the evidence chain.
    Verify,
    /// Read operational logs (webhook deliveries).
    AdminRead,
}

/// Every route: method, path template (as axum matches it), permission.
pub const ROUTES: &[(&str, &str, Perm)] = &[
    ("GET", "/healthz", Perm::Public),
    ("GET", "/readyz", Perm::Public),
    ("GET", "/login", Perm::Public),
    ("POST", "/login", Perm::Public),
    ("POST", "/logout", Perm::Authenticated),
    ("GET", "/v1/session", Perm::Authenticated),
    ("GET", "/openapi.json", Perm::Authenticated),
    ("GET", "/metrics", Perm::Authenticated),
    ("POST", "/v1/events", Perm::Ingest),
    ("GET", "/v1/subjects", Perm::ReadSubjects),
    ("GET", "/v1/subjects/{subject_id}", Perm::ReadSubjects),
    (
        "GET",
        "/v1/subjects/{subject_id}/records",
        Perm::ReadSubjects,
    ),
    ("GET", "/v1/subjects/{subject_id}/graph", Perm::ReadSubjects),
    ("POST", "/v1/subjects/{subject_id}/checks", Perm::Work),
    ("POST", "/v1/subjects/{subject_id}/decisions", Perm::Work),
    ("POST", "/v1/attachments", Perm::Work),
    ("POST", "/v1/screen", Perm::Work),
    ("GET", "/v1/verify", Perm::Verify),
    ("GET", "/v1/webhooks/deliveries", Perm::AdminRead),
    ("GET", "/v1/catalog", Perm::Authenticated),
    ("GET", "/", Perm::Authenticated),
    ("GET", "/assets/{file}", Perm::Authenticated),
    ("GET", "/v1/cases", Perm::ReadSubjects),
    ("POST", "/v1/cases", Perm::Work),
    ("GET", "/v1/cases/{case_id}", Perm::ReadSubjects),
    ("PATCH", "/v1/cases/{case_id}", Perm::Work),
    ("POST", "/v1/cases/{case_id}/notes", Perm::Work),
];

/// The permission a request needs, from its method and matched route; `None` for a route not
/// in the table.
pub fn needed(method: &Method, route: &str) -> Option<Perm> {
    // HEAD is a GET without the body.
    let m = if *method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES
        .iter()
        .find(|(rm, p, _)| *rm == m && *p == route)
        .map(|(_, _, perm)| *perm)
}

/// Whether a request carries valid credentials (a live token or session), for answers outside
/// the route table (the fallback): 401 without them.
pub(crate) fn has_credentials(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let Ok(mut acc) = state.accounts.lock() else {
        return false;
    };
    match (bearer, crate::users::cookie(headers)) {
        (Some(t), _) => acc.authenticate(t.trim()).ok().flatten().is_some(),
        (None, Some(c)) => acc
            .session(&c, crate::users::now_ms())
            .ok()
            .flatten()
            .is_some(),
        (None, None) => false,
    }
}

pub(crate) struct Who {
    name: String,
    role: String,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who is calling: the token's (or person's) name and role.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

/// Authenticates and authorises every request before its handler; puts the [`Caller`] into
/// the request's extensions.
pub async fn authorize(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let (method, headers) = (req.method().clone(), req.headers().clone());
    let is_root = route.as_deref() == Some("/");
    match check(&state, &method, &headers, route).await {
        // A person opening the workspace without a session is sent to sign in.
        Err(e) if is_root && e.status == axum::http::StatusCode::UNAUTHORIZED => {
            axum::response::IntoResponse::into_response(axum::response::Redirect::to("/login"))
        }
        Ok(None) => next.run(req).await,
        Ok(Some(caller)) => {
            req.extensions_mut().insert(caller.clone());
            let mut res = next.run(req).await;
            // For the request log (the observing layer sees the response).
            res.extensions_mut().insert(caller);
            res
        }
        Err(e) => reject(req, e).await,
    }
}

/// An error answer before the handler read the body: a small body is read (and dropped) so
/// that the connection stays usable for the client's next request; with a larger one the
/// connection is closed after the answer.
async fn reject(req: Request, e: ApiError) -> Response {
    const DRAIN: usize = 64 << 10;
    let len = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let chunked = req
        .headers()
        .contains_key(axum::http::header::TRANSFER_ENCODING);
    let mut res = axum::response::IntoResponse::into_response(e);
    match len {
        Some(0) | None if !chunked => {}
        Some(n) if n <= DRAIN => {
            let _ = axum::body::to_bytes(req.into_body(), DRAIN).await;
        }
        _ => {
            res.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
    }
    res
}

/// Authenticates and authorises a request: `Ok(None)` for a public route, the caller
/// otherwise.
async fn check(
    state: &Arc<AppState>,
    method: &Method,
    headers: &axum::http::HeaderMap,
    route: Option<String>,
) -> Result<Option<Caller>, ApiError> {
    // Unknown paths never reach this layer: the fallback answers them (401 without valid
    // credentials, else 404).
    let perm = route.as_deref().and_then(|r| needed(method, r));
    if perm == Some(Perm::Public) {
        return Ok(None);
    }
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
    // A bearer token (API clients), else the session cookie (people in a browser).
    let (name, role_name) = if let Some(token) = token {
        // SQLite (a lookup, a last-used update a minute): on the blocking pool.
        let st = state.clone();
        let info = tokio::task::spawn_blocking(move || {
            let mut acc = st.accounts.lock().map_err(|_| ApiError::poisoned())?;
            acc.authenticate(&token).map_err(ApiError::store)
        })
        .await
        .map_err(|_| ApiError::internal("authentication task failed"))??;
        let Some(info) = info else {
            return Err(ApiError::unauthorized());
        };
        (info.name, info.role)
    } else if let Some(c) = crate::users::cookie(headers) {
        let st = state.clone();
        let session = tokio::task::spawn_blocking(move || {
            let acc = st.accounts.lock().map_err(|_| ApiError::poisoned())?;
            acc.session(&c, crate::users::now_ms())
                .map_err(ApiError::store)
        })
        .await
        .map_err(|_| ApiError::internal("authentication task failed"))??;
        let Some(session) = session else {
            return Err(ApiError::unauthorized());
        };
        // Changes made with the cookie need the session's CSRF token.
        if !matches!(*method, Method::GET | Method::HEAD) {
            let sent = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "a change made with the session cookie needs the session's X-CSRF-Token (GET /v1/session)",
                ));
            }
        }
        (session.user.name, session.user.role)
    } else {
        return Err(ApiError::unauthorized());
    };
    let info = crate::auth::Who {
        name,
        role: role_name,
    };
    let Some(role) = Role::parse(&info.role) else {
        return Err(ApiError::forbidden(&format!(
            "token role {:?} is not a role this server knows",
            info.role
        )));
    };
    // A known path with a method it does not have: 405 naming the ones it has (after
    // authentication, so that the routes cannot be mapped without a token).
    if let (Some(r), None) = (route.as_deref(), perm) {
        let allowed: Vec<&str> = ROUTES
            .iter()
            .filter(|(_, p, _)| *p == r)
            .map(|(m, _, _)| *m)
            .collect();
        if !allowed.is_empty() {
            return Err(ApiError::method_not_allowed(&allowed));
        }
    }
    match (route, perm) {
        (None, _) => return Err(ApiError::not_found("no such endpoint")),
        (Some(_), Some(p)) if role.allows(p) => {}
        (Some(r), _) => {
            return Err(ApiError::forbidden(&format!(
                "role {} may not {} {r}",
                role.as_str(),
                method
            )));
        }
    }
    let caller = Caller {
        name: info.name,
        role,
    };
    Ok(Some(caller))
}
