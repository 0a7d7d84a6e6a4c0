//! Okta System Log (`GET /api/v1/logs`, or an export of it): one event per sign-in, MFA
//! step, session end or admin action.
//!
//! * `user.session.start`, `user.authentication.*` with a client IP → `login`
//!   (`success` from `outcome.result`; `method` from the event type: `sso`, `mfa`, or the
//!   credential type); without a usable IP → skipped (a login needs one).
//! * `policy.evaluate_sign_on` → skipped (the sign-in is its own event).
//! * Any other event by a user → `activity` (`activity` = the event type), with the IP when
//!   there is one.
//! * Events whose actor is not a user (`SystemPrincipal`, apps) → skipped.

use crate::obj::Obj;
use crate::out::{parse_ip, parse_time};
use crate::{Cx, nonempty};
use std::borrow::Cow;

pub(crate) fn detect(o: &Obj<'_>) -> bool {
    o.has("eventType") && o.has("actor") && (o.has("published") || o.has("uuid"))
}

pub(crate) fn convert(o: &Obj<'_>, cx: &mut Cx<'_, '_>) {
    let Some(at) = o
        .raw("published")
        .and_then(parse_time)
        .or_else(|| o.raw("p_event_time").and_then(parse_time))
    else {
        return cx.skip("no readable `published` time");
    };
    let event_type = o.str("eventType").unwrap_or(Cow::Borrowed(""));
    // Each nested object is parsed once.
    let actor = o.obj("actor");
    let actor = |k: &str| actor.as_ref().and_then(|a| a.str(k));
    let actor_type = actor("type").unwrap_or(Cow::Borrowed(""));
    if !actor_type.eq_ignore_ascii_case("user") {
        return cx.skip(format!("Okta actor type {actor_type:?} is not a user"));
    }
    if event_type == "policy.evaluate_sign_on" {
        return cx.skip("Okta sign-on policy evaluation (the sign-in is its own event)");
    }
    let Some(who) = cx.who(&[actor("alternateId"), actor("id")]) else {
        return;
    };
    let client = o.obj("client");
    let client = |k: &str| client.as_ref().and_then(|c| c.str(k));
    let ip = client("ipAddress").as_deref().and_then(parse_ip);
    let is_login =
        event_type == "user.session.start" || event_type.starts_with("user.authentication.");
    let result = o.str("outcome.result").map(|r| r.to_ascii_uppercase());
    if is_login {
        let Some(ip) = ip else {
            return cx.skip("Okta sign-in without a usable client IP");
        };
        let mut r = cx.new_out("login", who, at);
        r.ip = Some(ip);
        r.success = match result.as_deref() {
            Some("SUCCESS" | "ALLOW") => Some(true),
            Some("FAILURE" | "DENY") => Some(false),
            _ => None,
        };
        r.method = Some(match event_type.as_ref() {
            "user.authentication.sso" => Cow::Borrowed("sso"),
            t if t.contains("mfa") || t == "user.authentication.verify" => Cow::Borrowed("mfa"),
            "user.session.start" => o
                .str("authenticationContext.credentialType")
                .map(|c| Cow::Owned(c.to_ascii_lowercase()))
                .unwrap_or(Cow::Borrowed("password")),
            t => Cow::Owned(t.trim_start_matches("user.authentication.").to_owned()),
        });
        r.user_agent = nonempty(client("userAgent.rawUserAgent"));
        r.device_id = nonempty(o.str("debugContext.debugData.deviceFingerprint"))
            .or_else(|| nonempty(o.str("device.id")));
        r.event_type = Some(event_type);
        cx.record(&r);
    } else {
        let mut r = cx.new_out("activity", who, at);
        r.ip = ip;
        r.activity = Some(event_type.clone());
        r.event_type = Some(event_type);
        cx.record(&r);
    }
}
