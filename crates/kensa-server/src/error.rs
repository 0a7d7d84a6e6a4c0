//! The error shape of `spec/service.md`: `{"error":{"code":"...","message":"...","field":"..."}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kensa_engine::{EngineError, ErrorKind};

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// For 405: the methods the path has (the `Allow` header).
    pub allow: Option<String>,
}

/// The body of an error answer (for the OpenAPI document).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code (`unauthorized`, `forbidden`, `not_found`,
    /// `malformed`, `too_large`, `invalid`, `conflict`, `unavailable`, `internal`).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            allow: None,
        }
    }
    pub fn field(mut self, f: impl Into<String>) -> Self {
        self.field = Some(f.into());
        self
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API token is needed: Authorization: Bearer TOKEN (kensa token create)",
        )
    }
    pub fn forbidden(why: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", why)
    }
    pub fn not_found(why: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", why)
    }
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("this path answers {}", allowed.join(", ")),
        );
        e.allow = Some(allowed.join(", "));
        e
    }
    pub fn malformed(why: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed", why)
    }
    pub fn invalid(why: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", why)
    }
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is over the limit of {limit} bytes (kensa serve --max-body-bytes)"),
        )
    }
    pub fn poisoned() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the engine stopped after an internal error; restart the server",
        )
    }
    pub fn store(e: kensa_store::StoreError) -> Self {
        tracing::error!(error = %e, "store error");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the store is not available",
        )
    }
    pub fn internal(what: &str) -> Self {
        tracing::error!(what, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error (logged)",
        )
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        let message = e.to_string();
        match e.kind() {
            ErrorKind::BadInput => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
            ErrorKind::NotFound => Self::new(StatusCode::NOT_FOUND, "not_found", message),
            ErrorKind::Conflict => Self::new(StatusCode::CONFLICT, "conflict", message),
            ErrorKind::Forbidden => Self::new(StatusCode::FORBIDDEN, "forbidden", message),
            ErrorKind::Unavailable => {
                tracing::error!(error = %message, "engine unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the engine or its store is not available (logged)",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message,
                field: self.field,
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(a) = self.allow.as_deref().and_then(|a| a.parse().ok()) {
            res.headers_mut().insert(axum::http::header::ALLOW, a);
        }
        res
    }
}
