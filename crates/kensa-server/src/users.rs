//! People who sign in to the web UI: argon2id password hashes, sessions in HttpOnly
//! SameSite=Strict cookies, a CSRF token per session for every state-changing request made
//! with the cookie, and lock-out after repeated failures.
//!
//! API clients use bearer tokens ([`crate::auth`]); a browser signs in at `/login` and sends
//! the cookie. A request authenticated by the cookie that changes something (any method but
//! GET/HEAD) must carry the session's token in `X-CSRF-Token` (`GET /v1/session` gives it to
//! the page): another site can make the browser send the cookie, but cannot read the token.

use crate::AppState;
use crate::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The session cookie's name.
pub const COOKIE: &str = "kensa_session";
/// Failed sign-ins in a row that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// How long a lock lasts.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// How long a session lasts.
pub const SESSION_MS: i64 = 12 * 3600 * 1000;

/// An argon2id hash (PHC string) of a password, with a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no random source: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether a password matches a hash made by [`hash_password`].
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The session cookie's value, when the request has one.
pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == COOKIE && !v.is_empty()).then(|| v.to_owned())
        })
}

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub name: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub name: String,
    pub role: String,
    /// Send it as `X-CSRF-Token` with every request that changes something.
    pub csrf_token: String,
}

/// The sign-in page (the analyst workspace will replace it).
#[utoipa::path(get, path = "/login", security(()), responses((status = 200, description = "sign-in form", content_type = "text/html", body = String)))]
pub async fn login_page() -> Html<&'static str> {
    Html(LOGIN_PAGE)
}

const LOGIN_PAGE: &str = r#"<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Kensa — サインイン / Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto">
<h1>Kensa 検査</h1>
<form method="post" action="/login">
<p><label>ユーザー名 / User name<br><input name="name" autocomplete="username" required></label></p>
<p><label>パスワード / Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">サインイン / Sign in</button></p>
</form></body></html>"#;

fn failed() -> ApiError {
    // One answer for an unknown name, a wrong password and a locked account: the reply does
    // not tell an attacker which names exist.
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "sign-in failed: wrong name or password, or the account is locked after repeated failures (try again later)",
    )
}

/// Sign in with a name and password (JSON, or a form post from `/login`). Sets the session
/// cookie; a JSON caller gets the CSRF token, a form post is sent on to `/`.
#[utoipa::path(post, path = "/login", security(()), request_body = LoginBody,
    responses((status = 200, body = SessionInfo), (status = 303, description = "form sign-in: to /"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let b: LoginBody = if form {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| ApiError::malformed(format!("not a sign-in form: {e}")))?
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::malformed(format!("expected {{\"name\",\"password\"}}: {e}")))?
    };
    // A form posted from another site (sign-in forgery: the victim's browser would keep the
    // attacker's session) is refused.
    if cross_site(&headers) {
        return Err(ApiError::forbidden("sign-in from another site"));
    }
    // Password hashing is deliberately expensive: a few at a time, whatever arrives.
    let _permit = state
        .sign_in_permits
        .acquire()
        .await
        .map_err(|_| ApiError::internal("sign-in closed"))?;
    let st = state.clone();
    let outcome =
        tokio::task::spawn_blocking(move || -> Result<(String, SessionInfo), ApiError> {
            let user = {
                let acc = st.accounts.lock().map_err(|_| ApiError::poisoned())?;
                acc.user(&b.name).map_err(ApiError::store)?
            };
            let now = now_ms();
            let Some(user) = user.filter(|u| !u.disabled) else {
                // The same work as a real check, so that timing does not tell names apart.
                let _ = verify_password(&b.password, dummy_hash());
                return Err(failed());
            };
            // Every attempt counts as a failure before the password is checked (in one
            // statement, so that guesses sent at once cannot all pass an unlocked check); a
            // success clears the count.
            let admitted = st
                .accounts
                .lock()
                .map_err(|_| ApiError::poisoned())?
                .begin_sign_in(user.id, now, MAX_FAILURES, now + LOCK_MS)
                .map_err(ApiError::store)?;
            if !admitted {
                let _ = verify_password(&b.password, dummy_hash());
                tracing::warn!(user = user.id, "sign-in refused: account locked");
                return Err(failed());
            }
            if !verify_password(&b.password, &user.password_hash) {
                tracing::warn!(user = user.id, "sign-in failed");
                return Err(failed());
            }
            let (secret, csrf) = st
                .accounts
                .lock()
                .map_err(|_| ApiError::poisoned())?
                .open_session(user.id, now + SESSION_MS)
                .map_err(ApiError::store)?;
            Ok((
                secret,
                SessionInfo {
                    name: user.name,
                    role: user.role,
                    csrf_token: csrf,
                },
            ))
        })
        .await
        .map_err(|_| ApiError::internal("sign-in task failed"))??;
    let (secret, info) = outcome;
    let cookie = format!(
        "{COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        SESSION_MS / 1000,
        if state.limits.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let mut res = if form {
        let mut r = StatusCode::SEE_OTHER.into_response();
        r.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
        r
    } else {
        Json(info).into_response()
    };
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal("cookie"))?,
    );
    Ok(res)
}

/// Whether a request comes from another site: the browser says so (`Sec-Fetch-Site`), or its
/// `Origin` names another host than the one asked.
fn cross_site(headers: &HeaderMap) -> bool {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(site) = h("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (h("origin"), h("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .is_none_or(|o| o != host),
        _ => false,
    }
}

/// A hash of a random password, verified against when the name is unknown or locked.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("kensa-dummy-password").unwrap_or_default())
}

/// Sign out: the session ends and the cookie is cleared.
#[utoipa::path(post, path = "/logout", responses((status = 204, description = "signed out"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    // Read (and ignored), so that the connection stays usable for the next request.
    _body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    if let Some(c) = cookie(&headers) {
        state
            .accounts
            .lock()
            .map_err(|_| ApiError::poisoned())?
            .close_session(&c)
            .map_err(ApiError::store)?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("kensa_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(res)
}

/// Who is signed in, and the CSRF token of the session.
#[utoipa::path(get, path = "/v1/session", responses((status = 200, body = SessionInfo), (status = 401, body = crate::error::ErrorBody)))]
pub async fn session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::Extension(caller): axum::Extension<crate::auth::Caller>,
) -> Result<Json<SessionInfo>, ApiError> {
    let csrf = match cookie(&headers) {
        Some(c) => state
            .accounts
            .lock()
            .map_err(|_| ApiError::poisoned())?
            .session(&c, now_ms())
            .map_err(ApiError::store)?
            .map(|s| s.csrf_token)
            .unwrap_or_default(),
        // A bearer token needs no CSRF token.
        None => String::new(),
    };
    Ok(Json(SessionInfo {
        name: caller.name,
        role: caller.role.as_str().into(),
        csrf_token: csrf,
    }))
}
