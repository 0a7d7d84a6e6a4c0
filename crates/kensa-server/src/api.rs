//! The endpoints of `spec/service.md`, each annotated for the OpenAPI document
//! ([`ApiDoc`]), which `/openapi.json` serves as generated from these annotations.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{AppState, metrics};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use kensa_model::finding::SubjectResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kensa API",
        description = "Real-time decisions on DPRK IT worker red flags: events in, scored subjects with explained flags out. Authenticate with `Authorization: Bearer TOKEN` (`kensa token create`).",
    ),
    paths(crate::users::login_page, crate::users::login, crate::users::logout, crate::users::session, healthz, readyz, openapi_json, metrics_text, events, subjects, subject, records, add_check, add_decision, graph, attachment, screen, verify, deliveries, catalog, crate::ui::index, crate::ui::asset, crate::cases::list, crate::cases::create, crate::cases::get_case, crate::cases::patch_case, crate::cases::add_note),
    components(schemas(ErrorBody, PartitionHealth, CatalogItem, Catalog, GraphReply, GraphNode, EventsReply, RejectItem, SubjectPage, SubjectDetail, RecordItem, CheckBody, CheckReply, DecisionBody, AttachmentReply, VerifyReply, Health, DeliveryItem, ScreenBody, ScreenName, ScreenLine, crate::users::LoginBody, crate::users::SessionInfo, crate::cases::CaseList, crate::cases::NewCase, crate::cases::CaseDetail, crate::cases::CaseSubject, crate::cases::CaseChange, crate::cases::NoteBody)),
    modifiers(&Security),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route (the permissions are in [`crate::auth::ROUTES`]).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/login",
            get(crate::users::login_page).post(crate::users::login),
        )
        .route("/logout", post(crate::users::logout))
        .route("/v1/session", get(crate::users::session))
        .route("/openapi.json", get(openapi_json))
        .route("/metrics", get(metrics_text))
        .route("/v1/events", post(events))
        .route("/v1/subjects", get(subjects))
        .route("/v1/subjects/{subject_id}", get(subject))
        .route("/v1/subjects/{subject_id}/records", get(records))
        .route("/v1/subjects/{subject_id}/graph", get(graph))
        .route("/v1/subjects/{subject_id}/checks", post(add_check))
        .route("/v1/subjects/{subject_id}/decisions", post(add_decision))
        .route("/v1/attachments", post(attachment))
        .route("/v1/screen", post(screen))
        .route("/v1/verify", get(verify))
        .route("/v1/webhooks/deliveries", get(deliveries))
        .route("/v1/catalog", get(catalog))
        .route("/", get(crate::ui::index))
        .route("/assets/{file}", get(crate::ui::asset))
        .route(
            "/v1/cases",
            get(crate::cases::list).post(crate::cases::create),
        )
        .route(
            "/v1/cases/{case_id}",
            get(crate::cases::get_case).patch(crate::cases::patch_case),
        )
        .route("/v1/cases/{case_id}/notes", post(crate::cases::add_note))
}

/// Unknown paths.
pub async fn fallback(State(state): State<Arc<AppState>>, headers: HeaderMap) -> ApiError {
    if crate::auth::has_credentials(&state, &headers) {
        ApiError::not_found("no such endpoint (GET /openapi.json lists them)")
    } else {
        ApiError::unauthorized()
    }
}

/// Runs engine work on the blocking pool with the workspace locked.
pub(crate) async fn with_ws<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&mut kensa_engine::Workspace) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut ws = state.ws.lock().map_err(|_| ApiError::poisoned())?;
        f(&mut ws)
    })
    .await
    .map_err(|_| ApiError::internal("engine task panicked"))?
}

/// Logs that `caller` read subject data (a SQLite write: on the blocking pool, so that a
/// runtime thread never waits for the database).
pub(crate) async fn log_access(
    state: &Arc<AppState>,
    caller: &Caller,
    action: &'static str,
    subject: Option<&str>,
) -> Result<(), ApiError> {
    let (state, name, subject) = (
        state.clone(),
        caller.name.clone(),
        subject.map(str::to_owned),
    );
    tokio::task::spawn_blocking(move || {
        state
            .accounts
            .lock()
            .map_err(|_| ApiError::poisoned())?
            .log_access(&name, action, subject.as_deref())
            .map_err(ApiError::store)
    })
    .await
    .map_err(|_| ApiError::internal("access log task failed"))?
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    /// Multi-node mode: each partition's lag (events not yet acknowledged by its worker;
    /// `null` when no worker has consumed the partition yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<Vec<PartitionHealth>>,
    /// Multi-node mode: the last log entry this server has read from the shared store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followed_entry: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PartitionHealth {
    pub partition: u32,
    pub lag: Option<u64>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        partitions: None,
        followed_entry: None,
    })
}

/// Readiness: the store answers (multi-node mode: the shared store and the stream, with each
/// partition's lag).
#[utoipa::path(get, path = "/readyz", security(()), responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn readyz(State(state): State<Arc<AppState>>) -> Result<Json<Health>, ApiError> {
    let ok = state
        .accounts
        .lock()
        .map_err(|_| ApiError::poisoned())?
        .tokens()
        .is_ok();
    if ok && !state.ws.is_poisoned() {
        let mut health = Health {
            status: "ready".into(),
            partitions: None,
            followed_entry: None,
        };
        if let Some(c) = &state.cluster {
            let lags = cluster_lags(&state).await.map_err(|e| {
                tracing::warn!(error = %e, "readiness: the stream or the store does not answer");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the event stream or the shared store does not answer",
                )
            })?;
            health.followed_entry = Some(c.followed.load(std::sync::atomic::Ordering::Relaxed));
            health.partitions = Some(
                lags.into_iter()
                    .enumerate()
                    .map(|(i, lag)| PartitionHealth {
                        partition: i as u32,
                        lag,
                    })
                    .collect(),
            );
        }
        Ok(Json(health))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the store does not answer",
        ))
    }
}

/// Each partition's lag, and a check that the shared store answers (multi-node mode).
async fn cluster_lags(state: &Arc<AppState>) -> Result<Vec<Option<u64>>, String> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let c = st.cluster.as_ref().ok_or("not in multi-node mode")?;
        c.store_answers()?;
        c.lags()
    })
    .await
    .map_err(|_| "the readiness task panicked".to_owned())?
}

/// The OpenAPI 3 description of every endpoint.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json", body = Object), (status = 401, body = ErrorBody)))]
async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// Prometheus metrics (text format).
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String), (status = 401, body = ErrorBody)))]
async fn metrics_text(State(state): State<Arc<AppState>>) -> Response {
    if let Some(c) = &state.cluster {
        // Read at scrape time; a stream that does not answer leaves the last values.
        if let Ok(lags) = cluster_lags(&state).await {
            for (i, lag) in lags.into_iter().enumerate() {
                let g = state
                    .metrics
                    .partition_lag
                    .get_or_create(&metrics::PartitionLabels {
                        partition: i.to_string(),
                    });
                g.set(lag.map_or(-1, |l| l as i64));
            }
        }
        state
            .metrics
            .followed_entry
            .set(c.followed.load(std::sync::atomic::Ordering::Relaxed));
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Events

#[derive(Deserialize, IntoParams)]
pub struct EventsQuery {
    /// `false`: answer 202 once the records are stored, without results.
    pub wait: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct RejectItem {
    /// Position of the record in the request (0-based; the line for JSON Lines, from 0).
    pub index: usize,
    /// The field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventsReply {
    pub read: usize,
    pub stored: usize,
    pub duplicate: usize,
    pub rejected: usize,
    pub rejects: Vec<RejectItem>,
    /// The new result (a `subjects.jsonl` line) of every subject the batch touched.
    #[schema(value_type = Vec<Object>)]
    pub subjects: Vec<SubjectResult>,
}

/// Reads a body up to the limit: 413 past it.
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, ApiError> {
    let limit = state.limits.max_body_bytes;
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // axum wraps http-body's `LengthLimitError`; its message is the stable part.
        let mut src: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = src {
            if s.to_string().contains("length limit exceeded") {
                return ApiError::too_large(limit);
            }
            src = s.source();
        }
        ApiError::malformed(format!("could not read the body: {e}"))
    })
}

/// Send records (one object, a JSON array, or JSON Lines). Answers after they are durable.
#[utoipa::path(post, path = "/v1/events", params(EventsQuery),
    request_body(content = Object, description = "one record, an array of records, or JSON Lines (application/x-ndjson) in the record format of input-format.md"),
    responses(
        (status = 200, body = EventsReply, description = "stored (exactly once); results of the touched subjects"),
        (status = 202, body = EventsReply, description = "stored; results not waited for (?wait=false)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn events(
    State(state): State<Arc<AppState>>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&state, body).await?;
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| {
            c.starts_with("application/x-ndjson") || c.starts_with("application/jsonl")
        });
    let values: Vec<Result<Value, String>> = if ndjson {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| ApiError::malformed("the body is not UTF-8"))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| format!("not JSON: {e}")))
            .collect()
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Array(a)) => a.into_iter().map(Ok).collect(),
            Ok(v @ Value::Object(_)) => vec![Ok(v)],
            Ok(_) => {
                return Err(ApiError::malformed(
                    "the body must be a record object, an array of records or JSON Lines",
                ));
            }
            Err(e) => return Err(ApiError::malformed(format!("the body is not JSON: {e}"))),
        }
    };
    if values.is_empty() {
        return Err(ApiError::malformed("no records in the body"));
    }
    let read = values.len();
    let mut rejects = Vec::new();
    let mut valid = Vec::new();
    let mut index_of = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        match v.and_then(|v| kensa_model::validate_value(v).map_err(|e| e.to_string())) {
            Ok(rec) => {
                valid.push(rec);
                index_of.push(i);
            }
            Err(reason) => rejects.push(RejectItem {
                index: i,
                field: field_of(&reason),
                reason,
            }),
        }
    }
    if valid.is_empty() {
        let first = &rejects[0];
        let mut e = ApiError::invalid(format!(
            "all {read} records were rejected; record {}: {}",
            first.index, first.reason
        ));
        e.field = first.field.clone();
        state
            .metrics
            .records
            .get_or_create(&metrics::OutcomeLabels {
                outcome: "rejected".into(),
            })
            .inc_by(read as u64);
        return Err(e);
    }
    if state.cluster.is_some() {
        return cluster_events(&state, q.wait, read, valid, index_of, rejects).await;
    }
    let wait = q.wait.unwrap_or(true);
    // Stored through the group-commit loop: merged with the requests that arrive meanwhile.
    let (reply, answer) = tokio::sync::oneshot::channel();
    state
        .ingest_queue()
        .send(crate::ingest::Job {
            records: valid,
            reply,
        })
        .map_err(|_| ApiError::poisoned())?;
    let submitted = answer
        .await
        .map_err(|_| ApiError::internal("the ingest loop ended"))??;
    let (stored, duplicate) = tally(&state, &submitted.outcomes, &index_of, &mut rejects);
    let reply = EventsReply {
        read,
        stored,
        duplicate,
        rejected: rejects.len(),
        rejects,
        subjects: if wait { submitted.results } else { Vec::new() },
    };
    let status = if wait {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(reply)).into_response())
}

/// Counts a batch's outcomes (conflicts join the rejects, by index) and adds them to the
/// metrics; returns `(stored, duplicate)`.
fn tally(
    state: &AppState,
    outcomes: &[kensa_store::Outcome],
    index_of: &[usize],
    rejects: &mut Vec<RejectItem>,
) -> (usize, usize) {
    let (mut stored, mut duplicate) = (0, 0);
    for (o, &i) in outcomes.iter().zip(index_of) {
        match o {
            kensa_store::Outcome::Stored => stored += 1,
            kensa_store::Outcome::Duplicate => duplicate += 1,
            kensa_store::Outcome::Conflict => rejects.push(RejectItem {
                index: i,
                field: Some("record_id".into()),
                reason: "a record with this record_id is stored with other content".into(),
            }),
        }
    }
    rejects.sort_by_key(|r| r.index);
    for (outcome, n) in [
        ("stored", stored),
        ("duplicate", duplicate),
        ("rejected", rejects.len()),
    ] {
        state
            .metrics
            .records
            .get_or_create(&metrics::OutcomeLabels {
                outcome: outcome.into(),
            })
            .inc_by(n as u64);
    }
    (stored, duplicate)
}

/// `/v1/events` in multi-node mode: published to the stream; answered with results once the
/// workers stored the records (by default for batches up to the server's limit, 1,000 records),
/// or 202 at once (`?wait=false`, larger batches) or when they take longer than the wait limit.
async fn cluster_events(
    state: &Arc<AppState>,
    wait: Option<bool>,
    read: usize,
    valid: Vec<kensa_model::Validated>,
    index_of: Vec<usize>,
    mut rejects: Vec<RejectItem>,
) -> Result<Response, ApiError> {
    let cluster = state.cluster.as_ref().expect("multi-node mode");
    let wait = wait.unwrap_or(valid.len() <= cluster.wait_max_records);
    let published = crate::cluster::publish(state, valid, wait).await?;
    let (stored, duplicate) = tally(state, &published.outcomes, &index_of, &mut rejects);
    let status = if published.done {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    let reply = EventsReply {
        read,
        stored,
        duplicate,
        rejected: rejects.len(),
        rejects,
        subjects: published.results,
    };
    Ok((status, Json(reply)).into_response())
}

/// Webhook events for subjects whose tier changed (and those newly critical).
pub(crate) fn tier_events<'a>(state: &AppState, results: impl Iterator<Item = &'a SubjectResult>) {
    let mut changes = Vec::new();
    if let Ok(mut tiers) = state.tiers.lock() {
        for r in results {
            let before = tiers.insert(r.subject_id.clone(), r.tier);
            // A subject seen for the first time is news only at high or critical.
            if before != Some(r.tier)
                && (before.is_some() || r.tier >= kensa_model::finding::Tier::High)
            {
                changes.push((r, before));
            }
        }
        state.metrics.subjects.set(tiers.len() as i64);
    }
    for (r, before) in changes {
        // Queued, or the tier is set back so that the next change of this subject reports it.
        let mut queued = true;
        let data = serde_json::json!({
            "subject_id": r.subject_id,
            "from": before.map(|t| t.as_str()),
            "to": r.tier.as_str(),
            "score": r.score,
            "flags": r.flags.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        });
        queued &= crate::webhooks::emit(state, "subject.tier_changed", data.clone());
        if r.tier == kensa_model::finding::Tier::Critical {
            queued &= crate::webhooks::emit(state, "subject.critical", data);
        }
        if !queued && let Ok(mut tiers) = state.tiers.lock() {
            match before {
                Some(t) => tiers.insert(r.subject_id.clone(), t),
                None => tiers.remove(&r.subject_id),
            };
        }
    }
}

/// The field a validation message names (`field "ip": ...` or `ip: ...`).
fn field_of(reason: &str) -> Option<String> {
    let r = reason.trim_start();
    if let Some(rest) = r.strip_prefix("field ") {
        let rest = rest.trim_start_matches(['"', '`', '\'']);
        let end = rest.find(['"', '`', '\'', ':', ' '])?;
        return Some(rest[..end].to_owned()).filter(|f| !f.is_empty());
    }
    let (head, _) = r.split_once(": ")?;
    (!head.is_empty()
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c)))
    .then(|| head.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Subjects

#[derive(Deserialize, IntoParams)]
pub struct SubjectsQuery {
    /// Only this tier.
    #[param(pattern = "^(low|medium|high|critical)?$")]
    pub tier: Option<String>,
    /// Only subjects with this flag id (e.g. `RF-PAY-THIRD-PARTY`).
    pub flag: Option<String>,
    /// Subject id or display name contains this (case-insensitive), or it is one of the
    /// subject's identifiers exactly: an e-mail address, phone number, IP address, wallet or
    /// payout account.
    pub q: Option<String>,
    /// Due-diligence status: `complete` (nothing required is missing) or `open`.
    #[param(pattern = "^(complete|open)?$")]
    pub status: Option<String>,
    /// Only subjects whose case is assigned to this person.
    pub assignee: Option<String>,
    /// Only subjects with a profile from this source (`freelance_platform`, `hr_system`...).
    pub source: Option<String>,
    /// Order: `score` (default, highest first; ties by summed log-odds), `score_asc`, `flags`
    /// (most distinct red flags first), `name` (A→Z) or `id`.
    #[param(pattern = "^(score|score_asc|flags|name|id)?$")]
    pub sort: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = "^([0-9a-f]{2})*$")]
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<SubjectResult>,
    pub next_cursor: Option<String>,
}

/// The orders the queue can be read in (`sort=`). `score` (the default): score, then — where
/// scores saturate at 100 — the weight of evidence (the flags' log-odds added up), highest
/// first; `score_asc` the reverse; `flags`: most distinct red flags first, then score; `name`:
/// display name A→Z (subjects without one last); `id`: subject id. Ties are broken by subject
/// id, so that every order is total and a cursor resumes exactly where a page ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Score,
    ScoreAsc,
    Flags,
    Name,
    Id,
}

impl Sort {
    fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "score" => Sort::Score,
            "score_asc" => Sort::ScoreAsc,
            "flags" => Sort::Flags,
            "name" => Sort::Name,
            "id" => Sort::Id,
            _ => return None,
        })
    }
}

/// A subject's place in an order; a cursor is the key of a page's last subject.
#[derive(Serialize, Deserialize, Debug, Clone)]
struct RankKey<'a> {
    sort: Sort,
    /// Score and summed log-odds (`score*`), distinct flags and score (`flags`).
    n: [f64; 2],
    /// Lower-cased display name, `None` when the subject has none (`name`).
    name: Option<String>,
    id: std::borrow::Cow<'a, str>,
}

fn rank_key(sort: Sort, r: &SubjectResult) -> RankKey<'_> {
    let n = match sort {
        Sort::Flags => {
            let mut ids: Vec<&str> = r.flags.iter().map(|f| f.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            [ids.len() as f64, r.score]
        }
        Sort::Score | Sort::ScoreAsc => [r.score, r.flags.iter().map(|f| f.log_odds).sum()],
        Sort::Name | Sort::Id => [0.0, 0.0],
    };
    RankKey {
        sort,
        n,
        name: match sort {
            Sort::Name => r.display_name.as_deref().map(str::to_lowercase),
            _ => None,
        },
        id: std::borrow::Cow::Borrowed(&r.subject_id),
    }
}

fn key_cmp(a: &RankKey<'_>, b: &RankKey<'_>) -> std::cmp::Ordering {
    let by_n = |x: &RankKey<'_>, y: &RankKey<'_>| {
        x.n[0]
            .total_cmp(&y.n[0])
            .then_with(|| x.n[1].total_cmp(&y.n[1]))
    };
    let primary = match a.sort {
        Sort::Score | Sort::Flags => by_n(b, a),
        Sort::ScoreAsc => by_n(a, b),
        // Named subjects first, A→Z.
        Sort::Name => match (&a.name, &b.name) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        },
        Sort::Id => std::cmp::Ordering::Equal,
    };
    primary.then_with(|| a.id.cmp(&b.id))
}

fn cursor_of(key: &RankKey<'_>) -> String {
    hex::encode(serde_json::to_vec(key).expect("a key serialises"))
}

/// The key of the last subject of the previous page, which must have been read in `sort`.
fn parse_cursor(c: &str, sort: Sort) -> Option<RankKey<'static>> {
    let key: RankKey<'static> = serde_json::from_slice(&hex::decode(c).ok()?).ok()?;
    (key.sort == sort).then_some(key)
}

fn dd_missing(r: &SubjectResult) -> bool {
    r.due_diligence
        .as_ref()
        .and_then(|d| d.get("missing"))
        .and_then(|m| m.as_array())
        .is_some_and(|m| !m.is_empty())
}

/// Subjects, highest score first, filtered, one page at a time.
#[utoipa::path(get, path = "/v1/subjects", params(SubjectsQuery),
    responses((status = 200, body = SubjectPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn subjects(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(mut q): Query<SubjectsQuery>,
) -> Result<Json<SubjectPage>, ApiError> {
    // An empty parameter (`?tier=`) is an absent one.
    for p in [
        &mut q.tier,
        &mut q.flag,
        &mut q.q,
        &mut q.status,
        &mut q.assignee,
        &mut q.source,
        &mut q.sort,
        &mut q.cursor,
    ] {
        if p.as_deref() == Some("") {
            *p = None;
        }
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit must be 1 to 500").field("limit"));
    }
    if let Some(t) = &q.tier
        && !["low", "medium", "high", "critical"].contains(&t.as_str())
    {
        return Err(ApiError::invalid("tier must be low, medium, high or critical").field("tier"));
    }
    if let Some(s) = &q.status
        && !["complete", "open"].contains(&s.as_str())
    {
        return Err(ApiError::invalid("status must be complete or open").field("status"));
    }
    let sort = match q.sort.as_deref() {
        None => Sort::Score,
        Some(x) => Sort::parse(x).ok_or_else(|| {
            ApiError::invalid("sort must be score, score_asc, flags, name or id").field("sort")
        })?,
    };
    let after = match &q.cursor {
        Some(c) => Some(
            parse_cursor(c, sort)
                .ok_or_else(|| ApiError::invalid("not a cursor of this API").field("cursor"))?,
        ),
        None => None,
    };
    log_access(&state, &caller, "list_subjects", None).await?;
    let page = with_ws(&state, move |ws| {
        // Cases are needed only for the assignee filter; taken out while `live` is borrowed.
        let case_of: std::collections::HashMap<String, Option<String>> = match &q.assignee {
            Some(_) => ws
                .cases()?
                .all()
                .flat_map(|c| {
                    c.subjects
                        .iter()
                        .map(move |s| (s.clone(), c.assignee.clone()))
                })
                .collect(),
            None => Default::default(),
        };
        // Identifier matches and sources come from the detection state (a scan of it).
        let by_ident = match q.q.as_deref() {
            Some(t) => ws.subjects_with_identifier(t)?,
            None => Default::default(),
        };
        let sources = match q.source {
            Some(_) => ws.subject_sources()?,
            None => Default::default(),
        };
        let live = ws.live()?;
        let needle = q.q.as_deref().map(str::to_lowercase);
        let mut hits: Vec<(RankKey<'_>, &SubjectResult)> = live
            .results_unsorted()
            .iter()
            .filter(|r| q.tier.as_deref().is_none_or(|t| r.tier.as_str() == t))
            .filter(|r| {
                q.flag
                    .as_deref()
                    .is_none_or(|f| r.flags.iter().any(|x| x.id == f))
            })
            .filter(|r| {
                needle.as_deref().is_none_or(|n| {
                    by_ident.contains(&r.subject_id)
                        || r.subject_id.to_lowercase().contains(n)
                        || r.display_name
                            .as_deref()
                            .is_some_and(|d| d.to_lowercase().contains(n))
                })
            })
            .filter(|r| {
                q.source.as_deref().is_none_or(|src| {
                    sources
                        .get(&r.subject_id)
                        .is_some_and(|v| v.iter().any(|x| x == src))
                })
            })
            .filter(|r| match q.status.as_deref() {
                Some("complete") => !dd_missing(r),
                Some("open") => dd_missing(r),
                _ => true,
            })
            .filter(|r| {
                q.assignee.as_deref().is_none_or(|a| {
                    case_of
                        .get(&r.subject_id)
                        .is_some_and(|x| x.as_deref() == Some(a))
                })
            })
            .map(|r| (rank_key(sort, r), r))
            .filter(|(k, _)| after.as_ref().is_none_or(|a| key_cmp(k, a).is_gt()))
            .collect();
        // Only the page is ordered fully; the rest is only partitioned off.
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, |a, b| key_cmp(&a.0, &b.0));
        }
        let more = hits.len() > limit;
        hits.truncate(limit);
        hits.sort_by(|a, b| key_cmp(&a.0, &b.0));
        Ok(SubjectPage {
            next_cursor: if more {
                hits.last().map(|(k, _)| cursor_of(k))
            } else {
                None
            },
            items: hits.into_iter().map(|(_, r)| r.clone()).collect(),
        })
    })
    .await?;
    Ok(Json(page))
}

#[derive(Serialize, ToSchema)]
pub struct SubjectDetail {
    pub subject_id: String,
    /// The latest result (score, tier, flags with evidence and explanations), when scored.
    #[schema(value_type = Option<Object>)]
    pub result: Option<SubjectResult>,
    /// Required, done and missing due-diligence steps.
    #[schema(value_type = Option<Object>)]
    pub due_diligence: Option<Value>,
    /// The case the subject belongs to (cases come with the analyst workspace).
    #[schema(value_type = Option<Object>)]
    pub case: Option<Value>,
    /// Decisions, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<Value>,
    /// Due-diligence checks recorded, in log order.
    pub checks: Vec<RecordItem>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordItem {
    /// Position in the evidence log.
    pub seq: i64,
    pub record_id: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub record: Value,
    /// With `?enrich=true`: what the intel sources know about the record's `ip`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub ip_info: Option<Value>,
}

impl From<kensa_engine::StoredRecordView> for RecordItem {
    fn from(r: kensa_engine::StoredRecordView) -> Self {
        RecordItem {
            seq: r.seq,
            record_id: r.record_id,
            kind: r.kind,
            record: r.record,
            ip_info: None,
        }
    }
}

/// A subject's latest result, due-diligence status, checks and decisions.
#[utoipa::path(get, path = "/v1/subjects/{subject_id}", params(("subject_id" = String, Path)),
    responses((status = 200, body = SubjectDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn subject(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<SubjectDetail>, ApiError> {
    log_access(&state, &caller, "read_subject", Some(&id)).await?;
    let (view, case) = with_ws(&state, move |ws| {
        let view = ws.subject(&id)?;
        let case = ws.cases()?.of_subject(&id).cloned();
        Ok((view, case))
    })
    .await?;
    Ok(Json(SubjectDetail {
        due_diligence: view.result.as_ref().and_then(|r| r.due_diligence.clone()),
        subject_id: view.subject_id,
        result: view.result,
        case: case.and_then(|c| serde_json::to_value(c).ok()),
        decisions: view.decisions,
        checks: view.checks.into_iter().map(RecordItem::from).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct RecordsQuery {
    /// Only records of this kind (`login`, `payout`...).
    pub kind: Option<String>,
    /// Add what the intel sources know about each record's IP address (`ip_info`: country,
    /// network classes, ASN, location) — for the analyst's pictures.
    pub enrich: Option<bool>,
}

/// A subject's stored records, in log order.
#[utoipa::path(get, path = "/v1/subjects/{subject_id}/records", params(("subject_id" = String, Path), RecordsQuery),
    responses((status = 200, body = Vec<RecordItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn records(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<RecordsQuery>,
) -> Result<Json<Vec<RecordItem>>, ApiError> {
    log_access(&state, &caller, "read_records", Some(&id)).await?;
    let recs = with_ws(&state, move |ws| {
        let recs = ws.records(&id)?;
        if recs.is_empty() && ws.live()?.result(&id).is_none() {
            return Err(ApiError::not_found(format!("no subject {id:?}")));
        }
        Ok(recs)
    })
    .await?;
    let mut items: Vec<RecordItem> = recs
        .into_iter()
        .filter(|r| q.kind.as_deref().is_none_or(|k| r.kind == k))
        .map(RecordItem::from)
        .collect();
    if q.enrich == Some(true) {
        let intel = with_ws(&state, |ws| Ok(ws.config().intel.clone())).await?;
        for it in &mut items {
            if let Some(ip) = it.record["ip"]
                .as_str()
                .and_then(|s| s.parse::<std::net::IpAddr>().ok())
            {
                it.ip_info = serde_json::to_value(intel.lookup_ip(ip)).ok();
            }
        }
    }
    Ok(Json(items))
}

#[derive(Serialize, ToSchema)]
pub struct CatalogItem {
    pub id: String,
    pub en: String,
    pub ja: String,
}

#[derive(Serialize, ToSchema)]
pub struct Catalog {
    /// Red flags (`RF-...`) and Kensa's own ids (`KX-...`).
    pub flags: Vec<CatalogItem>,
    /// Due-diligence steps (`DD-...`).
    pub steps: Vec<CatalogItem>,
    /// The steps the policy requires once a worker is confirmed.
    pub confirmed_steps: Vec<String>,
}

/// The catalogue of red flags and due-diligence steps, in English and Japanese.
#[utoipa::path(get, path = "/v1/catalog", responses((status = 200, body = Catalog), (status = 401, body = ErrorBody)))]
async fn catalog(State(state): State<Arc<AppState>>) -> Result<Json<Catalog>, ApiError> {
    use kensa_model::catalog;
    let item = |i: &catalog::Item| CatalogItem {
        id: i.id.into(),
        en: i.en.into(),
        ja: i.ja.into(),
    };
    let confirmed = with_ws(&state, |ws| {
        Ok(ws.config().policy.due_diligence.confirmed.clone())
    })
    .await?;
    Ok(Json(Catalog {
        flags: catalog::RF
            .iter()
            .chain(catalog::KENSA.iter().map(|(i, _)| i))
            .map(item)
            .collect(),
        steps: catalog::DD.iter().map(item).collect(),
        confirmed_steps: confirmed,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct GraphQuery {
    /// Hops from the subject (1 to 3; default 2).
    pub depth: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct GraphNode {
    pub subject_id: String,
    pub hops: usize,
    pub score: Option<f64>,
    pub tier: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GraphReply {
    pub subject_id: String,
    pub nodes: Vec<GraphNode>,
    /// `{a, b, weight, identifiers: [[kind, masked value, weight]...]}`
    #[schema(value_type = Vec<Object>)]
    pub edges: Vec<Value>,
}

/// The subject's neighbourhood in the identifier graph: linked subjects and the shared
/// identifiers (masked) that link them.
#[utoipa::path(get, path = "/v1/subjects/{subject_id}/graph", params(("subject_id" = String, Path), GraphQuery),
    responses((status = 200, body = GraphReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn graph(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<GraphQuery>,
) -> Result<Json<GraphReply>, ApiError> {
    let depth = q.depth.unwrap_or(2);
    if !(1..=3).contains(&depth) {
        return Err(ApiError::invalid("depth must be 1 to 3").field("depth"));
    }
    log_access(&state, &caller, "read_graph", Some(&id)).await?;
    let reply = with_ws(&state, move |ws| {
        let n = ws.neighbourhood(&id, depth)?;
        let live = ws.live()?;
        Ok(GraphReply {
            nodes: n
                .nodes
                .iter()
                .map(|x| {
                    let r = live.result(&x.subject_id);
                    GraphNode {
                        subject_id: x.subject_id.clone(),
                        hops: x.hops,
                        score: r.map(|r| r.score),
                        tier: r.map(|r| r.tier.as_str().to_owned()),
                    }
                })
                .collect(),
            edges: n
                .edges
                .iter()
                .filter_map(|e| serde_json::to_value(e).ok())
                .collect(),
            subject_id: n.subject_id,
        })
    })
    .await?;
    Ok(Json(reply))
}

// ---------------------------------------------------------------------------------------------
// Checks, decisions, attachments

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// A due-diligence step id of the catalogue (`kensa catalog`).
    #[schema(schema_with = dd_step_schema)]
    pub check: String,
    #[schema(pattern = "^(pass|fail|inconclusive)$")]
    pub result: String,
    pub notes: Option<String>,
    /// SHA-256 (hex) of attachments uploaded with `POST /v1/attachments`.
    #[serde(default)]
    #[schema(schema_with = sha256_list_schema)]
    pub evidence: Vec<String>,
}

/// The due-diligence step ids of the catalogue, as an enum of the schema.
fn dd_step_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "A due-diligence step id of the catalogue (`kensa catalog`).",
        ))
        .enum_values(Some(kensa_model::catalog::DD.iter().map(|d| d.id)))
        .build()
}

fn sha256_list_schema() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[0-9a-fA-F]{64}$")),
        )
        .description(Some(
            "SHA-256 (hex) of attachments uploaded with `POST /v1/attachments`.",
        ))
        .build()
}

#[derive(Serialize, ToSchema)]
pub struct CheckReply {
    pub record_id: String,
    /// The subject's due-diligence status after the check.
    #[schema(value_type = Option<Object>)]
    pub due_diligence: Option<Value>,
}

pub(crate) fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            ApiError::invalid(format!("{e}"))
        } else {
            ApiError::malformed(format!("the body is not JSON: {e}"))
        }
    })
}

/// Record a due-diligence step performed for the subject (an evidence-log record naming the
/// caller).
#[utoipa::path(post, path = "/v1/subjects/{subject_id}/checks", params(("subject_id" = String, Path)), request_body = CheckBody,
    responses((status = 201, body = CheckReply), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_check(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: CheckBody = json_body(&body)?;
    if !kensa_model::catalog::DD.iter().any(|d| d.id == b.check) {
        return Err(ApiError::invalid(format!(
            "unknown due-diligence step {:?} (kensa catalog lists them)",
            b.check
        ))
        .field("check"));
    }
    if !["pass", "fail", "inconclusive"].contains(&b.result.as_str()) {
        return Err(ApiError::invalid("result must be pass, fail or inconclusive").field("result"));
    }
    for h in &b.evidence {
        if h.len() != 64 || !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(
                ApiError::invalid(format!("{h:?} is not a SHA-256 (64 hex digits)"))
                    .field("evidence"),
            );
        }
    }
    let by = caller.name.clone();
    let reply = with_ws(&state, move |ws| {
        if ws.live()?.result(&id).is_none() && ws.records(&id)?.is_empty() {
            return Err(ApiError::not_found(format!("no subject {id:?}")));
        }
        let v = serde_json::json!({
            "kind": "check",
            "subject_id": id,
            "at": kensa_store::now_rfc3339(),
            "check": b.check,
            "result": b.result,
            "by": by,
            "notes": b.notes,
            "evidence": b.evidence.iter().map(|h| h.to_lowercase()).collect::<Vec<_>>(),
        });
        let rec = kensa_model::validate_value(v)
            .map_err(|e| ApiError::invalid(format!("invalid check: {e}")))?;
        let record_id = rec.record_id.clone();
        ws.submit(vec![rec])?;
        let dd = ws.live()?.result(&id).and_then(|r| r.due_diligence.clone());
        Ok(CheckReply {
            record_id,
            due_diligence: dd,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[schema(pattern = "^(approve|reject|escalate|hold)$")]
    pub decision: String,
    pub reason: Option<String>,
    /// Approve although required due-diligence steps are missing: why (recorded; role lead;
    /// not blank).
    #[serde(rename = "override")]
    #[schema(pattern = "\\S")]
    pub override_reason: Option<String>,
}

/// Record a decision about the subject; an approval is refused (409, naming the missing
/// steps) while required due diligence is missing.
#[utoipa::path(post, path = "/v1/subjects/{subject_id}/decisions", params(("subject_id" = String, Path)), request_body = DecisionBody,
    responses((status = 201, body = Object, description = "the decision as logged"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_decision(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: DecisionBody = json_body(&body)?;
    // Approving past missing due diligence is a lead's call (spec: lead = analyst + approve
    // overrides), and needs a reason.
    if let Some(o) = &b.override_reason {
        if o.trim().is_empty() {
            return Err(ApiError::invalid("an override needs its reason").field("override"));
        }
        if caller.role != crate::auth::Role::Lead {
            return Err(ApiError::forbidden(
                "only a lead may approve past missing due-diligence steps (override)",
            ));
        }
    }
    let decision: kensa_engine::act::Decision = b
        .decision
        .parse()
        .map_err(|e: String| ApiError::invalid(e).field("decision"))?;
    let by = caller.name.clone();
    let overriding = b.override_reason.is_some();
    let rec = with_ws(&state, move |ws| {
        // Four eyes: the lead who overrides is not the one working the subject's case.
        if overriding
            && let Some(c) = ws.cases()?.of_subject(&id)
            && c.assignee.as_deref() == Some(by.as_str())
        {
            return Err(ApiError::forbidden(
                "four eyes: the case's assignee cannot override its due diligence; another lead must",
            ));
        }
        let policy = ws.config().policy.clone();
        Ok(kensa_engine::act::decide(
            ws.store_mut(),
            &policy,
            &id,
            decision,
            &by,
            b.reason,
            b.override_reason,
        )?)
    })
    .await?;
    crate::webhooks::emit(
        &state,
        "decision.recorded",
        serde_json::json!({
            "subject_id": rec.subject_id, "decision": rec.decision, "at": rec.at,
            "tier": rec.tier, "score": rec.score, "override": rec.override_reason.is_some(), "seq": rec.seq,
        }),
    );
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentReply {
    pub sha256: String,
    pub bytes: usize,
}

/// Upload a file (raw bytes); it is kept content-addressed and its hash logged with the
/// uploader. Cite the hash in a check's `evidence`.
#[utoipa::path(post, path = "/v1/attachments", request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn attachment(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&state, body).await?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("an empty attachment"));
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    let dir = state.attachments.clone();
    let by = caller.name.clone();
    let n = bytes.len();
    let sha2 = sha.clone();
    with_ws(&state, move |ws| {
        std::fs::create_dir_all(&dir)
            .map_err(|_| ApiError::internal("cannot create the attachments folder"))?;
        let path = dir.join(&sha2);
        if !path.exists() {
            let tmp = dir.join(format!(".{sha2}.tmp"));
            std::fs::write(&tmp, &bytes)
                .and_then(|_| std::fs::rename(&tmp, &path))
                .map_err(|_| ApiError::internal("cannot store the attachment"))?;
        }
        let body = serde_json::to_vec(&serde_json::json!({"sha256": sha2, "bytes": n, "by": by}))
            .expect("serialises");
        ws.store_mut()
            .append_entry("attachment", &sha2, None, &body)
            .map_err(ApiError::store)?;
        Ok(())
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentReply {
            sha256: sha,
            bytes: n,
        }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct VerifyReply {
    pub ok: bool,
    /// The head entry's hash (hex).
    pub head: String,
    pub entries: i64,
    /// The first broken entry, when the chain does not verify.
    #[schema(value_type = Option<Object>)]
    pub broken: Option<Value>,
}

/// Re-compute the evidence chain.
#[utoipa::path(get, path = "/v1/verify",
    responses((status = 200, body = VerifyReply), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn verify(State(state): State<Arc<AppState>>) -> Result<Json<VerifyReply>, ApiError> {
    let r = with_ws(&state, |ws| {
        let r = ws.store().verify(&|_| {}).map_err(ApiError::store)?;
        let head = ws.store().head().map_err(ApiError::store)?;
        Ok(VerifyReply {
            ok: r.broken.is_none(),
            head: hex::encode(head.hash),
            entries: head.seq,
            broken: r
                .broken
                .map(|b| serde_json::json!({"seq": b.seq, "reason": b.reason})),
        })
    })
    .await?;
    Ok(Json(r))
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryItem {
    pub id: i64,
    pub url: String,
    pub event: String,
    pub idempotency_key: String,
    /// `pending`, `delivered` or `failed` (gave up).
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// The webhook delivery log, newest first (at most 500).
#[utoipa::path(get, path = "/v1/webhooks/deliveries",
    responses((status = 200, body = Vec<DeliveryItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn deliveries(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Vec<DeliveryItem>>, ApiError> {
    let list = state
        .accounts
        .lock()
        .map_err(|_| ApiError::poisoned())?
        .webhook_deliveries(500)
        .map_err(ApiError::store)?;
    Ok(Json(
        list.into_iter()
            .map(|d| DeliveryItem {
                id: d.id,
                url: d.url,
                event: d.event,
                idempotency_key: d.idempotency_key,
                state: d.state,
                attempts: d.attempts,
                last_status: d.last_status,
                last_error: d.last_error,
                created_at: d.created_at,
                delivered_at: d.delivered_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenName {
    /// The name in any script (Latin, Hangul, kanji, katakana...); not blank.
    #[schema(min_length = 1, pattern = "\\S")]
    pub name: String,
    /// A date of birth (`1960-01-15`, `1960`, `15 Jan 1960`).
    pub birth_date: Option<String>,
    /// Nationality or residence (ISO 3166-1 alpha-2 or an English name).
    pub country: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenBody {
    /// 1 to 1,000 names.
    #[schema(min_items = 1, max_items = 1000)]
    pub names: Vec<ScreenName>,
}

/// One name's matches (a `kensa screen` line).
#[derive(Serialize, ToSchema)]
pub struct ScreenLine {
    pub query: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub matches: Vec<kensa_screen::Match>,
}

/// Screen names against the sanctions lists the server loaded (`kensa screen` over HTTP).
#[utoipa::path(post, path = "/v1/screen", request_body = ScreenBody,
    responses((status = 200, body = Vec<ScreenLine>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn screen(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Vec<ScreenLine>>, ApiError> {
    let b: ScreenBody = json_body(&body)?;
    if b.names.is_empty() || b.names.len() > 1000 {
        return Err(ApiError::invalid("give 1 to 1,000 names").field("names"));
    }
    if b.names.iter().any(|n| n.name.trim().is_empty()) {
        return Err(ApiError::invalid("a name is empty").field("names"));
    }
    // The workspace lock may be held by an ingest: wait for it on the blocking pool.
    let screener = with_ws(&state, |ws| Ok(ws.config().screener.clone())).await?;
    let Some((screener, threshold)) = screener else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "no sanctions lists are loaded (kensa serve --intel with sanctions_list sources)",
        ));
    };
    log_access(&state, &caller, "screen_names", None).await?;
    let lines = tokio::task::spawn_blocking(move || {
        let qs: Vec<kensa_screen::Query> = b
            .names
            .into_iter()
            .map(|n| kensa_screen::Query {
                name: n.name,
                birth_date: n.birth_date,
                country: n.country,
                gender: None,
            })
            .collect();
        let ms = screener.screen_batch(&qs, threshold);
        qs.into_iter()
            .zip(ms)
            .map(|(q, matches)| ScreenLine {
                query: q.name,
                birth_date: q.birth_date,
                country: q.country,
                matches,
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| ApiError::internal("screening task failed"))?;
    Ok(Json(lines))
}
