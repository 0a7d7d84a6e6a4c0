//! `/v1/cases`: linked subjects worked together. The rules (four eyes, what closing needs,
//! labels written on closing) are the engine's ([`kensa_engine::cases`]); this module maps
//! them to HTTP and adds one role rule: assigning a case to someone else is a lead's call.

use crate::AppState;
use crate::api::{json_body, log_access, with_ws};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kensa_engine::cases::{Actor, Case, CasePatch, CaseStatus, TimelineItem};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct CasesQuery {
    /// Only cases in this status (`new`, `investigating`, `waiting_dd`, `escalated`,
    /// `closed_cleared`, `closed_confirmed`), or `open` for any not closed.
    pub status: Option<String>,
    /// Only cases assigned to this person.
    pub assignee: Option<String>,
    /// Only the case holding this subject.
    pub subject: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Case>,
}

/// Cases, newest first.
#[utoipa::path(get, path = "/v1/cases", params(CasesQuery),
    responses((status = 200, body = CaseList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<CasesQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some(None),
        Some(s) => Some(Some(CaseStatus::parse(s).ok_or_else(|| {
            ApiError::invalid("status must be open or a case status").field("status")
        })?)),
    };
    log_access(&state, &caller, "list_cases", None).await?;
    let items = with_ws(&state, move |ws| {
        Ok(ws
            .cases()?
            .all()
            .filter(|c| match status {
                None => true,
                Some(None) => !c.status.is_closed(),
                Some(Some(s)) => c.status == s,
            })
            .filter(|c| {
                q.assignee
                    .as_deref()
                    .filter(|a| !a.is_empty())
                    .is_none_or(|a| c.assignee.as_deref() == Some(a))
            })
            .filter(|c| {
                q.subject
                    .as_deref()
                    .filter(|a| !a.is_empty())
                    .is_none_or(|s| c.subjects.iter().any(|x| x == s))
            })
            .cloned()
            .collect())
    })
    .await?;
    Ok(Json(CaseList { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    #[schema(min_length = 1, pattern = "\\S")]
    pub title: String,
    /// The linked subjects (at least one; none may be in another open case).
    #[schema(min_items = 1)]
    pub subjects: Vec<String>,
    /// Who works it (yourself, or anyone when you are a lead).
    pub assignee: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// `YYYY-MM-DD`
    pub due: Option<String>,
}

fn actor(caller: &Caller) -> Actor {
    Actor {
        name: caller.name.clone(),
        lead: caller.role == Role::Lead,
    }
}

fn check_assign(caller: &Caller, assignee: Option<&str>) -> Result<(), ApiError> {
    match assignee {
        Some(a) if !a.is_empty() && a != caller.name && caller.role != Role::Lead => {
            Err(ApiError::forbidden(
                "only a lead assigns a case to someone else (you may take it yourself)",
            ))
        }
        _ => Ok(()),
    }
}

/// Open a case over linked subjects (an evidence-log entry naming the caller).
#[utoipa::path(post, path = "/v1/cases", request_body = NewCase,
    responses((status = 201, body = Object, description = "the case"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: NewCase = json_body(&body)?;
    check_assign(&caller, b.assignee.as_deref())?;
    let patch = CasePatch {
        assignee: b.assignee.clone(),
        tags: (!b.tags.is_empty()).then(|| b.tags.clone()),
        due: b.due.clone(),
        ..Default::default()
    };
    kensa_engine::cases::check_patch(&patch)?;
    let who = actor(&caller);
    let case = with_ws(&state, move |ws| {
        let c = ws.create_case(&who.name, &b.title, &b.subjects)?;
        if patch.assignee.is_some() || patch.tags.is_some() || patch.due.is_some() {
            return Ok(ws.update_case(&c.case_id, patch, &who)?);
        }
        Ok(c)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(case)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub case: Case,
    /// The case's events and every check and decision about its subjects, in log order.
    #[schema(value_type = Vec<Object>)]
    pub timeline: Vec<TimelineItem>,
    /// Each subject's current score and tier.
    pub subject_results: Vec<CaseSubject>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseSubject {
    pub subject_id: String,
    pub display_name: Option<String>,
    pub score: Option<f64>,
    pub tier: Option<String>,
    /// The latest decision, if any.
    pub decision: Option<String>,
}

/// A case with its subjects and timeline.
#[utoipa::path(get, path = "/v1/cases/{case_id}", params(("case_id" = String, Path)),
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_case(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    log_access(&state, &caller, "read_case", None).await?;
    let detail = with_ws(&state, move |ws| detail(ws, &id)).await?;
    Ok(Json(detail))
}

fn detail(ws: &mut kensa_engine::Workspace, id: &str) -> Result<CaseDetail, ApiError> {
    let case = ws.case(id)?;
    let timeline = ws.case_timeline(id)?;
    let mut subject_results = Vec::new();
    for s in &case.subjects {
        let r = ws.live()?.result(s).cloned();
        let decision = ws
            .decisions(s)?
            .last()
            .and_then(|d| d["decision"].as_str().map(str::to_owned));
        subject_results.push(CaseSubject {
            subject_id: s.clone(),
            display_name: r.as_ref().and_then(|r| r.display_name.clone()),
            score: r.as_ref().map(|r| r.score),
            tier: r.as_ref().map(|r| r.tier.as_str().to_owned()),
            decision,
        });
    }
    Ok(CaseDetail {
        case,
        timeline,
        subject_results,
    })
}

/// The fields of a case change (absent fields stay).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChange {
    pub title: Option<String>,
    pub add_subjects: Option<Vec<String>>,
    pub remove_subjects: Option<Vec<String>>,
    /// `""` clears it. Someone else than yourself: role lead.
    pub assignee: Option<String>,
    /// Closing a case with a critical subject needs a lead who is not its assignee; closed —
    /// cleared needs every subject approved, closed — confirmed every subject rejected and the
    /// policy's confirmed-worker steps done.
    #[schema(
        pattern = "^(new|investigating|waiting_dd|escalated|closed_cleared|closed_confirmed)$"
    )]
    pub status: Option<String>,
    pub tags: Option<Vec<String>>,
    /// `YYYY-MM-DD`; `""` clears it.
    pub due: Option<String>,
    /// Why (needed to reopen a closed case).
    pub reason: Option<String>,
}

/// Change a case: status, assignee, subjects, tags, due date (an evidence-log entry naming the
/// caller). Closing writes each subject's label for `kensa eval` and `kensa tune`.
#[utoipa::path(patch, path = "/v1/cases/{case_id}", params(("case_id" = String, Path)), request_body = CaseChange,
    responses((status = 200, body = Object, description = "the case"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_case(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Case>, ApiError> {
    let b: CaseChange = json_body(&body)?;
    check_assign(&caller, b.assignee.as_deref())?;
    let status = match b.status.as_deref() {
        None => None,
        Some(s) => Some(CaseStatus::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "status must be new, investigating, waiting_dd, escalated, closed_cleared or closed_confirmed",
            )
            .field("status")
        })?),
    };
    let patch = CasePatch {
        title: b.title,
        add_subjects: b.add_subjects,
        remove_subjects: b.remove_subjects,
        assignee: b.assignee,
        status,
        tags: b.tags,
        due: b.due,
        reason: b.reason,
    };
    let who = actor(&caller);
    let case = with_ws(&state, move |ws| Ok(ws.update_case(&id, patch, &who)?)).await?;
    Ok(Json(case))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[schema(min_length = 1, pattern = "\\S")]
    pub text: String,
}

/// Add a note to a case (an evidence-log entry naming the caller).
#[utoipa::path(post, path = "/v1/cases/{case_id}/notes", params(("case_id" = String, Path)), request_body = NoteBody,
    responses((status = 201, body = Object, description = "the case"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: NoteBody = json_body(&body)?;
    let by = caller.name.clone();
    let case = with_ws(&state, move |ws| Ok(ws.add_case_note(&id, &by, &b.text)?)).await?;
    Ok((StatusCode::CREATED, Json(case)).into_response())
}
