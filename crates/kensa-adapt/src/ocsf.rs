//! OCSF 1.x (Open Cybersecurity Schema Framework) events, as security data lakes, SIEMs
//! and Amazon Security Lake write them.
//!
//! * Authentication (`class_uid` 3002): Logon → `login` (`success` from `status_id`,
//!   `method` `mfa` when `is_mfa`, else the `auth_protocol`); Logoff → `activity`
//!   `logout`. Without a usable `src_endpoint.ip` → skipped.
//! * Any other class that names a user, a time and an IP (API activity, account change,
//!   web resource access, ...) → `activity` (`activity` = the class and activity name).
//! * Events that name no user → skipped.

use crate::obj::Obj;
use crate::out::{parse_ip, parse_time};
use crate::{Cx, nonempty};
use std::borrow::Cow;

pub(crate) fn detect(o: &Obj<'_>) -> bool {
    o.num("class_uid").is_some() && (o.has("metadata") || o.has("category_uid"))
}

pub(crate) fn convert(o: &Obj<'_>, cx: &mut Cx<'_, '_>) {
    let Some(at) = o
        .raw("time")
        .and_then(parse_time)
        .or_else(|| o.raw("time_dt").and_then(parse_time))
    else {
        return cx.skip("no readable `time`");
    };
    let class = o.num("class_uid").unwrap_or(0.0) as i64;
    // Each nested object is parsed once.
    fn user_of(u: Option<Obj<'_>>) -> [Option<Cow<'_, str>>; 3] {
        match u {
            Some(u) => [u.str("email_addr"), u.str("name"), u.str("uid")],
            None => [None, None, None],
        }
    }
    let target = user_of(o.obj("user"));
    let actor = user_of(o.obj("actor").and_then(|a| a.obj("user")));
    let mut ids = Vec::new();
    if class == 3002 {
        ids.extend(target.iter().cloned());
    }
    ids.extend(actor);
    ids.extend(target);
    if ids.iter().all(Option::is_none) {
        return cx.skip(format!("OCSF class {class} event that names no user"));
    }
    let Some(who) = cx.who(&ids) else { return };
    let src = o.obj("src_endpoint");
    let ip = src
        .as_ref()
        .and_then(|s| s.str("ip"))
        .as_deref()
        .and_then(parse_ip);
    let ua = nonempty(o.str("http_request.user_agent"));
    let activity_id = o.num("activity_id").unwrap_or(0.0) as i64;
    let event_type = o
        .str("activity_name")
        .map(|a| Cow::Owned(format!("{class}:{a}")))
        .or_else(|| Some(Cow::Owned(format!("{class}:{activity_id}"))));
    if class == 3002 && activity_id != 2 {
        let Some(ip) = ip else {
            return cx.skip("OCSF authentication without a usable src_endpoint.ip");
        };
        let mut r = cx.new_out("login", who, at);
        r.ip = Some(ip);
        r.success = match o.num("status_id").map(|s| s as i64) {
            Some(1) => Some(true),
            Some(2) => Some(false),
            _ => o.str("status").map(|s| s.eq_ignore_ascii_case("success")),
        };
        r.method = if o.bool("is_mfa") == Some(true) {
            Some(Cow::Borrowed("mfa"))
        } else {
            o.str("auth_protocol")
                .map(|p| Cow::Owned(p.to_ascii_lowercase()))
        };
        r.user_agent = ua;
        r.device_id = nonempty(o.str("device.uid"))
            .or_else(|| nonempty(src.as_ref().and_then(|s| s.str("uid"))));
        r.event_type = event_type;
        cx.record(&r);
    } else {
        let mut r = cx.new_out("activity", who, at);
        r.ip = ip;
        r.activity = Some(if class == 3002 {
            Cow::Borrowed("logout")
        } else {
            o.str("class_name")
                .map(|c| Cow::Owned(c.to_ascii_lowercase().replace(' ', "_")))
                .unwrap_or(Cow::Owned(format!("ocsf_{class}")))
        });
        r.user_agent = ua;
        r.event_type = event_type;
        cx.record(&r);
    }
}
