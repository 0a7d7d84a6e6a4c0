//! Google Workspace Admin SDK Reports API, `applicationName=login`
//! (`GET admin/reports/v1/activity/users/all/applications/login`): one activity per
//! request, each with one or more `events` (an array in the API; one object per line in
//! some exports — both are read).
//!
//! * `login_success`, `login_failure`, `login_verification`, `login_challenge` → `login`
//!   (`method` from `login_type`, or `mfa` for a second-factor step; `success` from the event
//!   name or `login_challenge_status`). Without an IP → skipped.
//! * `logout` and other events of the user → `activity`.
//! * `account_warning` events (`suspicious_login`, `account_disabled_*`) → skipped: they are
//!   Google's verdicts about the account, not actions of the user.

use crate::Cx;
use crate::obj::{Obj, array, string};
use crate::out::{parse_ip, parse_time};
use std::borrow::Cow;

pub(crate) fn detect(o: &Obj<'_>) -> bool {
    o.str("kind")
        .is_some_and(|k| k.starts_with("admin#reports#activity"))
        || o.str("id.applicationName").is_some()
}

/// A parameter of an event (`value`, `intValue`, `boolValue` or the first `multiValue`).
fn param<'a>(e: &Obj<'a>, name: &str) -> Option<Cow<'a, str>> {
    let params = e.raw("parameters")?;
    if params.get().starts_with('{') {
        // Flattened exports: {"name": value}.
        return Obj::parse(params)?.str(name);
    }
    array(params).into_iter().find_map(|p| {
        let p = Obj::parse(p)?;
        if p.str("name")? != name {
            return None;
        }
        p.str("value")
            .or_else(|| {
                p.raw("intValue")
                    .map(|v| Cow::Owned(v.get().trim_matches('"').to_owned()))
            })
            .or_else(|| p.raw("boolValue").map(|v| Cow::Owned(v.get().to_owned())))
            .or_else(|| {
                p.raw("multiValue")
                    .and_then(|m| array(m).first().and_then(|v| string(*v)))
            })
    })
}

pub(crate) fn convert(o: &Obj<'_>, cx: &mut Cx<'_, '_>) {
    let Some(at) = o
        .raw_at("id.time")
        .and_then(parse_time)
        .or_else(|| o.raw("p_event_time").and_then(parse_time))
    else {
        return cx.skip("no readable `id.time`");
    };
    let events: Vec<Obj<'_>> = match o.raw("events") {
        Some(e) if e.get().starts_with('[') => {
            array(e).into_iter().filter_map(Obj::parse).collect()
        }
        Some(e) => Obj::parse(e).into_iter().collect(),
        // Flattened exports (one event per activity, its fields at the top).
        None if o.has("name") => Obj::parse_str(cx.event).into_iter().collect(),
        None => Vec::new(),
    };
    if events.is_empty() {
        return cx.skip("Google activity without events");
    }
    let ip = o.str("ipAddress").as_deref().and_then(parse_ip);
    for e in events {
        let name = e.str("name").unwrap_or(Cow::Borrowed(""));
        let etype = e.str("type").unwrap_or(Cow::Borrowed(""));
        if etype == "account_warning" {
            cx.skip(
                "Google account warning (a verdict about the account, not an action of the user)",
            );
            continue;
        }
        let Some(who) = cx.who(&[
            o.str("actor.email"),
            o.str("actor.profileId").or_else(|| {
                o.raw_at("actor.profileId")
                    .map(|v| Cow::Owned(v.get().to_owned()))
            }),
        ]) else {
            continue;
        };
        match name.as_ref() {
            "login_success" | "login_failure" | "login_verification" | "login_challenge" => {
                let Some(ip) = ip else {
                    cx.skip("Google sign-in without an IP");
                    continue;
                };
                let mut r = cx.new_out("login", who, at);
                r.ip = Some(ip);
                let status = param(&e, "login_challenge_status");
                r.success = match name.as_ref() {
                    "login_success" => Some(true),
                    "login_failure" => Some(false),
                    // "Challenge Passed." / "Challenge Failed." (and "passed" in some exports).
                    _ => status
                        .as_deref()
                        .map(|s| s.to_ascii_lowercase().contains("pass")),
                };
                let second = param(&e, "is_second_factor").is_some_and(|v| v == "true");
                r.method = if second || name == "login_verification" {
                    Some(Cow::Borrowed("mfa"))
                } else {
                    param(&e, "login_type")
                };
                r.event_type = Some(name);
                cx.record(&r);
            }
            _ => {
                let mut r = cx.new_out("activity", who, at);
                r.ip = ip;
                r.activity = Some(name.clone());
                r.event_type = Some(name);
                cx.record(&r);
            }
        }
    }
}
