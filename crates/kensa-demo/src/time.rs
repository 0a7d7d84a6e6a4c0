//! Minimal calendar and time-zone arithmetic (no wall clock is ever read).
//!
//! Offsets follow the IANA rules in force in 2026 for the zones the demo uses (US and EU daylight
//! saving included), which is all the demo needs.

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Weekday of a day number: 0 = Monday ... 6 = Sunday.
pub fn weekday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday (3).
    ((days + 3).rem_euclid(7)) as u32
}

/// Seconds since the epoch for a UTC civil time.
pub fn epoch(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> i64 {
    days_from_civil(y, m, d) * 86_400 + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss)
}

/// Parse `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `+HH:MM`/`-HH:MM` into epoch seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    let rest = s.get(i..)?;
    let off = if rest == "Z" || rest == "z" {
        0
    } else if rest.len() == 6
        && (rest.starts_with('+') || rest.starts_with('-'))
        && &rest[3..4] == ":"
    {
        let oh: i64 = rest[1..3].parse().ok()?;
        let om: i64 = rest[4..6].parse().ok()?;
        let v = oh * 3600 + om * 60;
        if rest.starts_with('-') { -v } else { v }
    } else {
        return None;
    };
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + se - off)
}

/// Format epoch seconds as RFC 3339 with the given UTC offset in minutes (`Z` for 0).
pub fn fmt(t: i64, offset_min: i32) -> String {
    let local = t + i64::from(offset_min) * 60;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let sod = local.rem_euclid(86_400);
    let (hh, mm, ss) = (sod / 3600, (sod % 3600) / 60, sod % 60);
    let off = if offset_min == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        let a = offset_min.abs();
        format!("{sign}{:02}:{:02}", a / 60, a % 60)
    };
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}{off}")
}

/// Format epoch seconds as RFC 3339 UTC (`...Z`).
pub fn utc(t: i64) -> String {
    fmt(t, 0)
}

/// `YYYY-MM-DD` of a UTC instant.
pub fn date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` for a civil date.
pub fn ymd(y: i64, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dst {
    None,
    Us,
    Eu,
}

/// The time zones used by the demo, with their standard offset and daylight-saving rule.
const ZONES: &[(&str, i32, Dst)] = &[
    ("America/New_York", -300, Dst::Us),
    ("America/Chicago", -360, Dst::Us),
    ("America/Denver", -420, Dst::Us),
    ("America/Phoenix", -420, Dst::None),
    ("America/Los_Angeles", -480, Dst::Us),
    ("America/Sao_Paulo", -180, Dst::None),
    ("Europe/London", 0, Dst::Eu),
    ("Europe/Berlin", 60, Dst::Eu),
    ("Europe/Amsterdam", 60, Dst::Eu),
    ("Europe/Kyiv", 120, Dst::Eu),
    ("Asia/Tokyo", 540, Dst::None),
    ("Asia/Seoul", 540, Dst::None),
    ("Asia/Pyongyang", 540, Dst::None),
    ("Asia/Shanghai", 480, Dst::None),
    ("Asia/Hong_Kong", 480, Dst::None),
    ("Asia/Singapore", 480, Dst::None),
    ("Asia/Manila", 480, Dst::None),
    ("Asia/Kolkata", 330, Dst::None),
    ("Asia/Ho_Chi_Minh", 420, Dst::None),
    ("Asia/Jakarta", 420, Dst::None),
    ("Asia/Vientiane", 420, Dst::None),
    ("Asia/Vladivostok", 600, Dst::None),
    ("UTC", 0, Dst::None),
];

/// Names of every zone the demo knows.
pub fn zone_names() -> impl Iterator<Item = &'static str> {
    ZONES.iter().map(|z| z.0)
}

fn nth_sunday(y: i64, m: u32, n: u32) -> i64 {
    let first = days_from_civil(y, m, 1);
    let wd = weekday(first);
    first + i64::from((6 + 7 - wd) % 7) + 7 * i64::from(n - 1)
}

fn last_sunday(y: i64, m: u32) -> i64 {
    let next = if m == 12 {
        days_from_civil(y + 1, 1, 1)
    } else {
        days_from_civil(y, m + 1, 1)
    };
    let last = next - 1;
    last - i64::from((weekday(last) + 1) % 7)
}

/// UTC offset in minutes of zone `tz` at instant `t`. Unknown zones are treated as UTC.
pub fn offset_at(tz: &str, t: i64) -> i32 {
    let Some(&(_, std, dst)) = ZONES.iter().find(|z| z.0 == tz) else {
        return 0;
    };
    let (y, _, _) = civil_from_days(t.div_euclid(86_400));
    let in_dst = match dst {
        Dst::None => false,
        Dst::Us => {
            let start = nth_sunday(y, 3, 2) * 86_400 + 2 * 3600 - i64::from(std) * 60;
            let end = nth_sunday(y, 11, 1) * 86_400 + 2 * 3600 - i64::from(std + 60) * 60;
            t >= start && t < end
        }
        Dst::Eu => {
            let start = last_sunday(y, 3) * 86_400 + 3600;
            let end = last_sunday(y, 10) * 86_400 + 3600;
            t >= start && t < end
        }
    };
    if in_dst { std + 60 } else { std }
}

/// Epoch seconds of a local wall-clock time (`local_days` = local day number, `secs` since local
/// midnight) in zone `tz`.
pub fn local_to_utc(tz: &str, local_days: i64, secs: i64) -> i64 {
    let local = local_days * 86_400 + secs;
    let guess = local - i64::from(offset_at(tz, local)) * 60;
    local - i64::from(offset_at(tz, guess)) * 60
}

/// Local day number and seconds since local midnight of instant `t` in zone `tz`.
pub fn to_local(tz: &str, t: i64) -> (i64, i64) {
    let local = t + i64::from(offset_at(tz, t)) * 60;
    (local.div_euclid(86_400), local.rem_euclid(86_400))
}

/// RFC 3339 string of `t` with the offset of zone `tz`.
pub fn fmt_tz(t: i64, tz: &str) -> String {
    fmt(t, offset_at(tz, t))
}
