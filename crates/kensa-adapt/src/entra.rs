//! Microsoft Entra ID (Azure AD) sign-in logs, in either form: a Microsoft Graph `signIn`
//! object (`GET /auditLogs/signIns`), or an Azure Monitor diagnostic record (Event Hub,
//! storage account, Log Analytics export) whose `properties` hold the sign-in.
//!
//! * Interactive and non-interactive user sign-ins → `login` (`success` when
//!   `status.errorCode` is 0; `method` `mfa` when MFA was required or performed, `token` for
//!   a non-interactive sign-in, else `password`).
//! * Service-principal and managed-identity sign-ins → skipped (not a person).
//! * Without a usable IP → skipped.

use crate::obj::Obj;
use crate::out::{parse_ip, parse_time};
use crate::{Cx, nonempty};
use std::borrow::Cow;

pub(crate) fn detect(o: &Obj<'_>) -> bool {
    let signin =
        |s: &Obj<'_>| s.has("createdDateTime") && (s.has("userPrincipalName") || s.has("appId"));
    signin(o)
        || o.obj("properties").is_some_and(|p| signin(&p))
        || o.str("operationName")
            .is_some_and(|n| n == "Sign-in activity")
}

pub(crate) fn convert(o: &Obj<'_>, cx: &mut Cx<'_, '_>) {
    let props = o.obj("properties");
    let s = props.as_ref().unwrap_or(o);
    let category = o.str("category");
    if let Some(c) = &category {
        let user = ["SignInLogs", "NonInteractiveUserSignInLogs"]
            .iter()
            .any(|k| c.eq_ignore_ascii_case(k));
        if !user {
            return cx.skip(format!("Entra {c} record (not a person's sign-in)"));
        }
    }
    if s.arr("signInEventTypes").iter().any(|t| {
        crate::obj::string(*t)
            .is_some_and(|t| t.contains("servicePrincipal") || t.contains("managedIdentity"))
    }) {
        return cx.skip("Entra service-principal sign-in (not a person)");
    }
    let Some(at) = s
        .raw("createdDateTime")
        .and_then(parse_time)
        .or_else(|| o.raw("time").and_then(parse_time))
        .or_else(|| o.raw("p_event_time").and_then(parse_time))
    else {
        return cx.skip("no readable `createdDateTime` or `time`");
    };
    let Some(who) = cx.who(&[
        s.str("userPrincipalName"),
        s.str("userId"),
        o.str("identity"),
    ]) else {
        return;
    };
    let ip = s
        .str("ipAddress")
        .as_deref()
        .and_then(parse_ip)
        .or_else(|| o.str("callerIpAddress").as_deref().and_then(parse_ip));
    let Some(ip) = ip else {
        return cx.skip("Entra sign-in without a usable IP");
    };
    let mut r = cx.new_out("login", who, at);
    r.ip = Some(ip);
    r.success = s
        .num("status.errorCode")
        .or_else(|| o.num("resultType"))
        .map(|c| c == 0.0)
        .or_else(|| {
            o.str("resultType")
                .map(|t| t.eq_ignore_ascii_case("success"))
        });
    let mfa = s
        .str("authenticationRequirement")
        .is_some_and(|a| a.eq_ignore_ascii_case("multiFactorAuthentication"))
        || s.str("mfaDetail.authMethod").is_some();
    let interactive = s.bool("isInteractive").unwrap_or_else(|| {
        !category
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("NonInteractiveUserSignInLogs"))
    });
    r.method = Some(Cow::Borrowed(if mfa {
        "mfa"
    } else if !interactive {
        "token"
    } else {
        "password"
    }));
    r.user_agent = nonempty(s.str("userAgent"));
    r.device_id = nonempty(s.str("deviceDetail.deviceId"));
    r.event_type = Some(category.clone().unwrap_or(Cow::Borrowed("signIn")));
    cx.record(&r);
}
