//! The analyst workspace: a single-page web UI served at `/`, its files built into the binary
//! (no CDN, works offline, no Node.js needed to run it). It talks to the same JSON API as any
//! other client, with the session cookie and the session's CSRF token.
//!
//! The files are `kensa_report::assets` (shared with the offline `report.html`, which shows a
//! subject with the same code).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kensa_report::assets;

/// Only our own files; inline styles for the chart library's tooltips.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The workspace page (sign in first: without a session `/` sends you to `/login`).
#[utoipa::path(get, path = "/", responses((status = 200, description = "the analyst workspace", content_type = "text/html", body = String), (status = 303, description = "no session: to /login")))]
pub async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        assets::INDEX_HTML,
    )
        .into_response()
}

/// A file of the workspace.
#[utoipa::path(get, path = "/assets/{file}", params(("file" = String, Path)), responses((status = 200, description = "the file", body = String), (status = 404, body = crate::error::ErrorBody)))]
pub async fn asset(Path(file): Path<String>) -> Response {
    match assets::FILES.iter().find(|(n, _, _)| *n == file) {
        Some((_, ct, text)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "private, max-age=300"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            *text,
        )
            .into_response(),
        None => crate::error::ApiError::not_found(format!("no asset {file:?}")).into_response(),
    }
}
