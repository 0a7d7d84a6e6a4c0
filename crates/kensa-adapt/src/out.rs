//! The contract record an adapter makes, and the small parsers every adapter shares.

use serde::Serialize;
use std::borrow::Cow;
use std::net::IpAddr;

/// One contract record (`login`, `activity`, `access`, `endpoint`) made from a log event.
/// Fields beyond the contract's (`source`, `event_type`, `log_identity`, `event`) are kept
/// with the record as unknown fields are; `event` is the original event, unchanged.
#[derive(Serialize)]
pub struct Out<'a> {
    pub kind: &'static str,
    pub subject_id: String,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The adapter that made the record (`okta`, `entra`, ...).
    pub source: &'static str,
    /// The event's own type (`user.session.start`, `git.clone`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<Cow<'a, str>>,
    /// The identity as the log names it (an e-mail, a login, a host), before resolution.
    pub log_identity: String,
    /// The original event (for osquery: the result row), byte for byte (written last, by
    /// [`Out::to_json`]).
    #[serde(skip)]
    pub event: &'a str,
}

impl<'a> Out<'a> {
    /// A record of `kind` with the given subject, time, source and original event.
    pub fn new(
        kind: &'static str,
        who: Who,
        at: jiff::Timestamp,
        source: &'static str,
        event: &'a str,
    ) -> Out<'a> {
        Out {
            kind,
            subject_id: who.subject_id,
            at: at.to_string(),
            ip: None,
            success: None,
            method: None,
            user_agent: None,
            device_id: None,
            activity: None,
            resource: None,
            action: None,
            sensitivity: None,
            observation: None,
            name: None,
            detail: None,
            source,
            event_type: None,
            log_identity: who.identity,
            event,
        }
    }

    /// The record as one JSON line (without the newline), the event last and as it was.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(256 + self.event.len());
        serde_json::to_writer(&mut v, self).expect("a record of strings serialises");
        v.pop(); // the closing brace
        v.extend_from_slice(b",\"event\":");
        v.extend_from_slice(self.event.as_bytes());
        v.push(b'}');
        v
    }
}

/// A resolved subject.
pub struct Who {
    pub subject_id: String,
    pub identity: String,
}

/// A timestamp as logs write it: RFC 3339 with an offset (any number of fraction digits);
/// the same without an offset or with a space for `T` (read as UTC, as SIEM exports write
/// it); or Unix time as a number or numeric string (seconds, milliseconds or microseconds,
/// told apart by size).
pub fn parse_time(raw: crate::obj::Raw<'_>) -> Option<jiff::Timestamp> {
    let t = raw.get();
    if !t.starts_with('"') {
        return epoch(t.parse::<f64>().ok()?);
    }
    let s = crate::obj::string(raw)?;
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return epoch(n);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    // No offset: UTC.
    let dt: jiff::civil::DateTime = s.replacen(' ', "T", 1).parse().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Unix time in seconds, milliseconds or microseconds.
fn epoch(n: f64) -> Option<jiff::Timestamp> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = if n < 1e11 {
        n * 1e3
    } else if n < 1e14 {
        n
    } else {
        n / 1e3
    };
    jiff::Timestamp::from_millisecond(ms as i64).ok()
}

/// An IP address as logs write it (`"null"`, `"-"` and empty mean none; a port, brackets or
/// an IPv4-mapped IPv6 form are accepted).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = s.parse::<std::net::SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    let s = s.trim_start_matches('[').trim_end_matches(']');
    s.parse::<IpAddr>().ok().map(canonical)
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<String> {
        let raw: &serde_json::value::RawValue = serde_json::from_str(s).unwrap();
        parse_time(raw.into()).map(|t| t.to_string())
    }

    #[test]
    fn times_as_logs_write_them() {
        assert_eq!(
            t(r#""2022-01-24T05:10:08.6816663Z""#).unwrap(),
            "2022-01-24T05:10:08.6816663Z"
        );
        assert_eq!(
            t(r#""2020-02-14T20:18:57.718-05:00""#).unwrap(),
            "2020-02-15T01:18:57.718Z"
        );
        assert_eq!(
            t(r#""2023-07-26 22:58:30.983201900""#).unwrap(),
            "2023-07-26T22:58:30.9832019Z"
        );
        assert_eq!(t("1741611463961").unwrap(), "2025-03-10T12:57:43.961Z");
        assert_eq!(t("1723564700").unwrap(), "2024-08-13T15:58:20Z");
        assert_eq!(t(r#""1641801600""#).unwrap(), "2022-01-10T08:00:00Z");
        assert_eq!(t(r#""yesterday""#), None);
        assert_eq!(t("null"), None);
    }

    #[test]
    fn ips_as_logs_write_them() {
        assert_eq!(parse_ip("81.2.69.144").unwrap().to_string(), "81.2.69.144");
        assert_eq!(
            parse_ip("[2001:db8::1]:443").unwrap().to_string(),
            "2001:db8::1"
        );
        assert_eq!(parse_ip("::ffff:10.0.0.1").unwrap().to_string(), "10.0.0.1");
        assert_eq!(parse_ip("null"), None);
        assert_eq!(parse_ip("-"), None);
    }
}
