//! Cases: linked subjects worked together (assignee, status, notes, tags, due date), every
//! change an evidence-log entry (type `case`, ref = the case id) naming its actor and time.
//!
//! A case's state is the fold of its entries; the workspace keeps the folded cases in memory
//! (read once from the log) and appends an entry before changing them. Rules that protect a
//! decision live here, so every caller (API, web UI, CLI) gets the same answers:
//!
//! - **Four eyes**: a case holding a subject whose current tier is critical is closed only by a
//!   person with role `lead` who is not the case's assignee.
//! - **Closed — cleared** needs every subject's latest decision to be `approve`; **closed —
//!   confirmed** needs it to be `reject` and the policy's `confirmed` steps (report, preserve
//!   evidence, revoke access) done for every subject.
//! - Closing writes one `label` record per subject (`legit` or `dprk`, `source` = the case), so
//!   `kensa eval` and `kensa tune` learn from analysts' closing decisions.

use crate::EngineError;
use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    New,
    Investigating,
    /// Waiting on due diligence (an interview, documents, the bank).
    WaitingDd,
    Escalated,
    /// Closed: the subjects are not DPRK workers.
    ClosedCleared,
    /// Closed: confirmed DPRK workers (or their facilitators).
    ClosedConfirmed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::New,
        CaseStatus::Investigating,
        CaseStatus::WaitingDd,
        CaseStatus::Escalated,
        CaseStatus::ClosedCleared,
        CaseStatus::ClosedConfirmed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::New => "new",
            CaseStatus::Investigating => "investigating",
            CaseStatus::WaitingDd => "waiting_dd",
            CaseStatus::Escalated => "escalated",
            CaseStatus::ClosedCleared => "closed_cleared",
            CaseStatus::ClosedConfirmed => "closed_confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            CaseStatus::ClosedCleared | CaseStatus::ClosedConfirmed
        )
    }
}

/// A note on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseNote {
    pub at: String,
    pub by: String,
    pub text: String,
}

/// A case as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub case_id: String,
    pub title: String,
    pub subjects: Vec<String>,
    pub assignee: Option<String>,
    pub status: CaseStatus,
    pub tags: Vec<String>,
    /// Due date, `YYYY-MM-DD`.
    pub due: Option<String>,
    pub notes: Vec<CaseNote>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    /// Who closed it (the second person of four eyes when it held a critical subject).
    pub closed_by: Option<String>,
}

/// A change to a case; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub title: Option<String>,
    pub add_subjects: Option<Vec<String>>,
    pub remove_subjects: Option<Vec<String>>,
    /// `""` clears the assignee.
    pub assignee: Option<String>,
    pub status: Option<CaseStatus>,
    pub tags: Option<Vec<String>>,
    /// `YYYY-MM-DD`; `""` clears it.
    pub due: Option<String>,
    /// Why (recorded with the change; required to reopen a closed case).
    pub reason: Option<String>,
}

/// Who acts, and whether they hold role `lead` (four eyes).
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub lead: bool,
}

/// One entry of a case's log (the body of a `case` evidence entry).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseEvent {
    pub case_id: String,
    /// `created`, `updated` or `note`.
    pub event: String,
    pub by: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<CasePatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every case, folded from the log.
#[derive(Debug, Default)]
pub struct Cases {
    cases: Vec<Case>,
    /// Each case's entries with their log positions, for the timeline (kept here so that a
    /// case page does not scan the log).
    log: std::collections::HashMap<String, Vec<(i64, CaseEvent)>>,
    by_id: std::collections::HashMap<String, usize>,
    /// Open case of each subject (the latest case it was added to).
    of_subject: std::collections::HashMap<String, usize>,
}

impl Cases {
    /// Folds the `case` entries of the log, in log order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CaseEvent>) -> Cases {
        let mut c = Cases::default();
        for e in events {
            c.apply(e);
        }
        c
    }

    /// Applies an entry and keeps it, with its log position, for [`Cases::entries_of`].
    pub fn apply_logged(&mut self, seq: i64, e: CaseEvent) {
        self.apply(&e);
        self.log
            .entry(e.case_id.clone())
            .or_default()
            .push((seq, e));
    }

    /// A case's entries in log order, with their positions.
    pub fn entries_of(&self, case_id: &str) -> &[(i64, CaseEvent)] {
        self.log.get(case_id).map_or(&[], Vec::as_slice)
    }

    pub fn get(&self, case_id: &str) -> Option<&Case> {
        self.by_id.get(case_id).map(|&i| &self.cases[i])
    }

    /// The case a subject belongs to (the one it was added to last).
    pub fn of_subject(&self, subject_id: &str) -> Option<&Case> {
        self.of_subject.get(subject_id).map(|&i| &self.cases[i])
    }

    /// Every case, newest first.
    pub fn all(&self) -> impl Iterator<Item = &Case> {
        self.cases.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// A new case id: `C-000001`, ...
    pub fn next_id(&self) -> String {
        format!("C-{:06}", self.cases.len() + 1)
    }

    /// Applies one event (already appended to the log).
    pub fn apply(&mut self, e: &CaseEvent) {
        match e.event.as_str() {
            "created" => {
                let i = self.cases.len();
                let subjects = e.subjects.clone().unwrap_or_default();
                for s in &subjects {
                    self.of_subject.insert(s.clone(), i);
                }
                self.cases.push(Case {
                    case_id: e.case_id.clone(),
                    title: e.title.clone().unwrap_or_default(),
                    subjects,
                    assignee: None,
                    status: CaseStatus::New,
                    tags: vec![],
                    due: None,
                    notes: vec![],
                    created_at: e.at.clone(),
                    created_by: e.by.clone(),
                    updated_at: e.at.clone(),
                    closed_by: None,
                });
                self.by_id.insert(e.case_id.clone(), i);
            }
            "updated" => {
                let (Some(&i), Some(p)) = (self.by_id.get(&e.case_id), &e.patch) else {
                    return;
                };
                let c = &mut self.cases[i];
                if let Some(t) = &p.title {
                    c.title = t.clone();
                }
                for s in p.add_subjects.iter().flatten() {
                    if !c.subjects.contains(s) {
                        c.subjects.push(s.clone());
                    }
                    self.of_subject.insert(s.clone(), i);
                }
                for s in p.remove_subjects.iter().flatten() {
                    c.subjects.retain(|x| x != s);
                    if self.of_subject.get(s) == Some(&i) {
                        self.of_subject.remove(s);
                    }
                }
                if let Some(a) = &p.assignee {
                    c.assignee = (!a.is_empty()).then(|| a.clone());
                }
                if let Some(t) = &p.tags {
                    c.tags = t.clone();
                }
                if let Some(d) = &p.due {
                    c.due = (!d.is_empty()).then(|| d.clone());
                }
                if let Some(s) = p.status {
                    c.closed_by = s.is_closed().then(|| e.by.clone());
                    c.status = s;
                }
                c.updated_at = e.at.clone();
            }
            "note" => {
                let Some(&i) = self.by_id.get(&e.case_id) else {
                    return;
                };
                let c = &mut self.cases[i];
                c.notes.push(CaseNote {
                    at: e.at.clone(),
                    by: e.by.clone(),
                    text: e.note.clone().unwrap_or_default(),
                });
                c.updated_at = e.at.clone();
            }
            _ => {}
        }
    }
}

/// Checks a patch on its own (before the rules that need the subjects' state).
pub fn check_patch(p: &CasePatch) -> Result<(), EngineError> {
    if let Some(t) = &p.title
        && t.trim().is_empty()
    {
        return Err(EngineError::BadInput("title must not be blank".into()));
    }
    if let Some(d) = &p.due
        && !d.is_empty()
        && jiff::civil::Date::strptime("%Y-%m-%d", d).is_err()
    {
        return Err(EngineError::BadInput(format!(
            "due must be a date YYYY-MM-DD, not {d:?}"
        )));
    }
    for t in p.tags.iter().flatten() {
        if t.trim().is_empty() || t.len() > 64 {
            return Err(EngineError::BadInput(
                "each tag must be 1 to 64 characters".into(),
            ));
        }
    }
    Ok(())
}

/// One line of a case's timeline: a case event, or a check or decision about one of its
/// subjects.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    /// Position in the evidence log.
    pub seq: i64,
    pub at: String,
    pub by: Option<String>,
    /// `case`, `check` or `decision`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    /// The entry itself (the case event, the check record, the decision).
    pub detail: serde_json::Value,
}

use crate::Workspace;
use kensa_model::finding::Tier;

/// A case as the log holds it now, read straight from a store (for the CLI's `--case`).
pub fn case_in_store(
    store: &dyn kensa_store::EvidenceStore,
    case_id: &str,
) -> Result<Case, EngineError> {
    let events: Vec<CaseEvent> = store
        .entries_of_type("case")?
        .into_iter()
        .filter(|(_, r, _)| r == case_id)
        .filter_map(|(_, _, b)| serde_json::from_slice(&b).ok())
        .collect();
    Cases::from_events(&events)
        .get(case_id)
        .cloned()
        .ok_or_else(|| EngineError::NotFound(format!("no case {case_id:?}")))
}

impl Workspace {
    /// Every case (read from the log on first use).
    pub fn cases(&mut self) -> Result<&Cases, EngineError> {
        if self.cases.is_none() {
            let mut cases = Cases::default();
            for (seq, _, b) in self.store.entries_of_type("case")? {
                if let Ok(e) = serde_json::from_slice::<CaseEvent>(&b) {
                    cases.apply_logged(seq, e);
                }
            }
            self.cases = Some(cases);
        }
        Ok(self.cases.as_ref().expect("loaded above"))
    }

    /// A case by id.
    pub fn case(&mut self, case_id: &str) -> Result<Case, EngineError> {
        self.cases()?
            .get(case_id)
            .cloned()
            .ok_or_else(|| EngineError::NotFound(format!("no case {case_id:?}")))
    }

    fn append_case_event(&mut self, e: CaseEvent) -> Result<Case, EngineError> {
        let body = kensa_model::canonical::to_canonical(
            &serde_json::to_value(&e).map_err(|x| EngineError::Internal(x.to_string()))?,
        );
        let seq = self.store.append_entry("case", &e.case_id, None, &body)?;
        let cases = self.cases.as_mut().expect("loaded by the caller");
        let id = e.case_id.clone();
        cases.apply_logged(seq, e);
        Ok(cases.get(&id).cloned().expect("applied"))
    }

    fn check_subjects_known(&mut self, subjects: &[String]) -> Result<(), EngineError> {
        for s in subjects {
            let scored = self.live()?.result(s).is_some();
            if !scored && !crate::act::subject_known(&*self.store, s)? {
                return Err(EngineError::NotFound(format!("no subject {s:?}")));
            }
        }
        Ok(())
    }

    /// Opens a case over linked subjects. A subject already in an open case is refused
    /// (`Conflict`): add it to that case, or close it first.
    pub fn create_case(
        &mut self,
        by: &str,
        title: &str,
        subjects: &[String],
    ) -> Result<Case, EngineError> {
        if title.trim().is_empty() {
            return Err(EngineError::BadInput("title must not be blank".into()));
        }
        if subjects.is_empty() {
            return Err(EngineError::BadInput(
                "a case needs at least one subject".into(),
            ));
        }
        self.check_subjects_known(subjects)?;
        self.cases()?;
        let cases = self.cases.as_ref().expect("loaded");
        for s in subjects {
            if let Some(c) = cases.of_subject(s)
                && !c.status.is_closed()
            {
                return Err(EngineError::Conflict(format!(
                    "subject {s:?} is already in open case {}",
                    c.case_id
                )));
            }
        }
        let mut subjects = subjects.to_vec();
        subjects.dedup();
        let e = CaseEvent {
            case_id: cases.next_id(),
            event: "created".into(),
            by: by.to_owned(),
            at: kensa_store::now_rfc3339(),
            title: Some(title.trim().to_owned()),
            subjects: Some(subjects),
            patch: None,
            note: None,
        };
        self.append_case_event(e)
    }

    /// Changes a case. Closing applies the rules of this module (four eyes for critical
    /// subjects, decisions and confirmed-worker steps) and writes one label per subject.
    pub fn update_case(
        &mut self,
        case_id: &str,
        patch: CasePatch,
        actor: &Actor,
    ) -> Result<Case, EngineError> {
        check_patch(&patch)?;
        let case = self.case(case_id)?;
        if let Some(add) = &patch.add_subjects {
            self.check_subjects_known(add)?;
            let cases = self.cases.as_ref().expect("loaded");
            for s in add {
                if let Some(c) = cases.of_subject(s)
                    && c.case_id != case.case_id
                    && !c.status.is_closed()
                {
                    return Err(EngineError::Conflict(format!(
                        "subject {s:?} is already in open case {}",
                        c.case_id
                    )));
                }
            }
        }
        if case.status.is_closed()
            && patch.status.is_some_and(|s| !s.is_closed())
            && patch.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            return Err(EngineError::BadInput(
                "reopening a closed case needs a reason".into(),
            ));
        }
        let mut labels = Vec::new();
        if let Some(status) = patch.status.filter(|s| s.is_closed() && *s != case.status) {
            let mut subjects = case.subjects.clone();
            for s in patch.add_subjects.iter().flatten() {
                if !subjects.contains(s) {
                    subjects.push(s.clone());
                }
            }
            subjects.retain(|s| !patch.remove_subjects.iter().flatten().any(|r| r == s));
            labels = self.check_close(&case, &subjects, status, actor)?;
        }
        let e = CaseEvent {
            case_id: case.case_id.clone(),
            event: "updated".into(),
            by: actor.name.clone(),
            at: kensa_store::now_rfc3339(),
            title: None,
            subjects: None,
            patch: Some(patch),
            note: None,
        };
        let updated = self.append_case_event(e)?;
        if !labels.is_empty() {
            let refs: Vec<&kensa_model::Validated> = labels.iter().collect();
            self.store.append_records(&refs)?;
        }
        Ok(updated)
    }

    /// The rules for closing; returns the label records to write.
    fn check_close(
        &mut self,
        case: &Case,
        subjects: &[String],
        status: CaseStatus,
        actor: &Actor,
    ) -> Result<Vec<kensa_model::Validated>, EngineError> {
        let mut critical = Vec::new();
        for s in subjects {
            if self
                .live()?
                .result(s)
                .is_some_and(|r| r.tier == Tier::Critical)
            {
                critical.push(s.clone());
            }
        }
        if !critical.is_empty() {
            if !actor.lead {
                return Err(EngineError::Forbidden(format!(
                    "closing a case with a critical subject ({}) needs a second person with role lead",
                    critical.join(", ")
                )));
            }
            if case.assignee.as_deref() == Some(actor.name.as_str()) {
                return Err(EngineError::Forbidden(format!(
                    "four eyes: the case's assignee ({}) cannot close a case with a critical subject; another lead must",
                    actor.name
                )));
            }
        }
        let want = if status == CaseStatus::ClosedCleared {
            "approve"
        } else {
            "reject"
        };
        let mut problems = Vec::new();
        for s in subjects {
            let last = self.decisions(s)?.last().and_then(|d| {
                d.get("decision")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            });
            if last.as_deref() != Some(want) {
                problems.push(format!(
                    "{s}: latest decision is {} (needs {want})",
                    last.as_deref().unwrap_or("none")
                ));
            }
            if status == CaseStatus::ClosedConfirmed {
                let checks = self.checks(s)?;
                let refs: Vec<(&str, &kensa_model::record::Check)> =
                    checks.iter().map(|(id, c)| (id.as_str(), c)).collect();
                let (_, missing) = self.cfg.policy.due_diligence.confirmed_status(&refs);
                if !missing.is_empty() {
                    problems.push(format!(
                        "{s}: steps for a confirmed worker missing: {}",
                        missing.join(", ")
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(EngineError::Conflict(format!(
                "case {} cannot be closed as {}: {}",
                case.case_id,
                status.as_str(),
                problems.join("; ")
            )));
        }
        let label = if status == CaseStatus::ClosedCleared {
            "legit"
        } else {
            "dprk"
        };
        subjects
            .iter()
            .map(|s| {
                kensa_model::validate_value(serde_json::json!({
                    "kind": "label",
                    "subject_id": s,
                    "label": label,
                    "at": kensa_store::now_rfc3339(),
                    "by": actor.name,
                    "notes": format!("case {} closed as {}", case.case_id, status.as_str()),
                }))
                .map_err(|e| EngineError::Internal(format!("label: {e}")))
            })
            .collect()
    }

    /// Adds a note to a case.
    pub fn add_case_note(
        &mut self,
        case_id: &str,
        by: &str,
        text: &str,
    ) -> Result<Case, EngineError> {
        if text.trim().is_empty() {
            return Err(EngineError::BadInput("a note must not be blank".into()));
        }
        let case = self.case(case_id)?;
        let e = CaseEvent {
            case_id: case.case_id,
            event: "note".into(),
            by: by.to_owned(),
            at: kensa_store::now_rfc3339(),
            title: None,
            subjects: None,
            patch: None,
            note: Some(text.to_owned()),
        };
        self.append_case_event(e)
    }

    /// One timeline across a case and its subjects: the case's events and every check and
    /// decision about its subjects, in log order.
    pub fn case_timeline(&mut self, case_id: &str) -> Result<Vec<TimelineItem>, EngineError> {
        let case = self.case(case_id)?;
        let mut items: Vec<TimelineItem> = self
            .cases()?
            .entries_of(&case.case_id)
            .iter()
            .map(|(seq, e)| TimelineItem {
                seq: *seq,
                at: e.at.clone(),
                by: Some(e.by.clone()),
                kind: "case".into(),
                subject_id: None,
                detail: serde_json::to_value(e).unwrap_or_default(),
            })
            .collect();
        for s in &case.subjects {
            for r in self.store.subject_records(s)? {
                if r.kind != "check" {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
                items.push(TimelineItem {
                    seq: r.seq,
                    at: v["at"].as_str().unwrap_or_default().to_owned(),
                    by: v["by"].as_str().map(str::to_owned),
                    kind: "check".into(),
                    subject_id: Some(s.clone()),
                    detail: v,
                });
            }
            for (seq, _, body) in self.store.subject_entries("decision", s)? {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                items.push(TimelineItem {
                    seq,
                    at: v["at"].as_str().unwrap_or_default().to_owned(),
                    by: v["by"].as_str().map(str::to_owned),
                    kind: "decision".into(),
                    subject_id: Some(s.clone()),
                    detail: v,
                });
            }
        }
        items.sort_by_key(|i| i.seq);
        Ok(items)
    }
}
