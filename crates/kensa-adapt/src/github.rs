//! GitHub enterprise / organisation audit log: the REST API
//! (`GET /enterprises/{e}/audit-log`, `/orgs/{o}/audit-log`), the JSON export, and audit-log
//! streaming (`@timestamp`, `_document_id`).
//!
//! * `user.login` with an IP → `login`; without one (GitHub includes `actor_ip` only when
//!   IP disclosure is on) → `activity` `login`. `user.failed_login` → a failed `login`.
//! * Reading code and data — `git.clone`, `git.fetch`, `repo.download_zip`, `api.request`,
//!   `repo.*` on a repository — → `access` (`resource` the repository or API route,
//!   `action` the event, `sensitivity` `internal` for private or internal repositories).
//! * `git.push` → `activity` `commit`; any other event of a user → `activity`.
//! * Events by bots (`actor_is_bot`) and without an actor → skipped.

use crate::obj::Obj;
use crate::out::{parse_ip, parse_time};
use crate::{Cx, nonempty};
use std::borrow::Cow;

pub(crate) fn detect(o: &Obj<'_>) -> bool {
    o.str("action").is_some()
        && !o.has("eventType")
        && !o.has("class_uid")
        && (o.has("@timestamp") || o.has("created_at"))
        // GitHub's actor is a login (a string), never an object (as OCSF's is).
        && o.raw("actor").is_none_or(|a| a.get().starts_with('"') || a.get() == "null")
        && (o.has("actor") || o.has("org") || o.has("business"))
}

pub(crate) fn convert(o: &Obj<'_>, cx: &mut Cx<'_, '_>) {
    let Some(at) = o
        .raw("@timestamp")
        .and_then(parse_time)
        .or_else(|| o.raw("created_at").and_then(parse_time))
        .or_else(|| o.raw("p_event_time").and_then(parse_time))
    else {
        return cx.skip("no readable `@timestamp` or `created_at`");
    };
    if o.bool("actor_is_bot") == Some(true) {
        return cx.skip("GitHub event by a bot");
    }
    let action = o.str("action").unwrap_or(Cow::Borrowed(""));
    let actor_id = o
        .raw("actor_id")
        .map(|v| Cow::Owned(v.get().trim_matches('"').to_owned()));
    let Some(who) = cx.who(&[o.str("actor"), o.str("actor_email"), actor_id]) else {
        return;
    };
    let ip = o
        .str("actor_ip")
        .as_deref()
        .and_then(parse_ip)
        .or_else(|| o.str("actor_location.ip").as_deref().and_then(parse_ip));
    let ua = nonempty(o.str("user_agent"));
    let resource = o
        .str("repo")
        .or_else(|| o.str("repository"))
        .or_else(|| o.str("route"));
    match action.as_ref() {
        "user.login" | "user.failed_login" if ip.is_some() => {
            let mut r = cx.new_out("login", who, at);
            r.ip = ip;
            r.success = Some(action == "user.login");
            r.method = nonempty(o.str("login_method")).or(Some(Cow::Borrowed("password")));
            r.user_agent = ua;
            r.event_type = Some(action);
            cx.record(&r);
        }
        "git.clone" | "git.fetch" | "repo.download_zip" | "api.request" => {
            let mut r = cx.new_out("access", who, at);
            let Some(resource) = resource else {
                return cx.skip(format!("GitHub {action} without a repository or route"));
            };
            r.resource = Some(resource);
            r.action = Some(action.clone());
            r.ip = ip;
            r.sensitivity = sensitivity(o);
            r.user_agent = ua;
            r.event_type = Some(action);
            cx.record(&r);
        }
        _ => {
            let mut r = cx.new_out("activity", who, at);
            r.ip = ip;
            r.activity = Some(match action.as_ref() {
                "git.push" => Cow::Borrowed("commit"),
                "user.login" | "user.failed_login" => Cow::Borrowed("login"),
                _ => action.clone(),
            });
            r.user_agent = ua;
            r.event_type = Some(action);
            cx.record(&r);
        }
    }
}

fn sensitivity(o: &Obj<'_>) -> Option<&'static str> {
    match o.str("visibility").as_deref() {
        Some("private" | "internal") => return Some("internal"),
        Some("public") => return Some("public"),
        _ => {}
    }
    match o
        .bool("public_repo")
        .or_else(|| o.bool("repository_public"))
    {
        Some(false) => Some("internal"),
        Some(true) => Some("public"),
        None => None,
    }
}
