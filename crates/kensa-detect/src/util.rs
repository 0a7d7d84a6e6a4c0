//! Small helpers shared by detectors: text snippets for evidence, robust statistics and
//! calendar helpers. Nothing here does I/O. (Identity normalisation is in `crate::normalize`.)

use kensa_model::Ts;

/// Up to `radius` characters either side of the byte range `start..end` of `text`, with
/// ellipses where the text was cut; used to show a matched phrase in evidence.
pub fn snippet(text: &str, start: usize, end: usize, radius: usize) -> String {
    let before: Vec<char> = text[..start].chars().collect();
    let after: Vec<char> = text[end..].chars().collect();
    let b0 = before.len().saturating_sub(radius);
    let a1 = after.len().min(radius);
    let mut s = String::new();
    if b0 > 0 {
        s.push('…');
    }
    s.extend(&before[b0..]);
    s.push_str(&text[start..end]);
    s.extend(&after[..a1]);
    if a1 < after.len() {
        s.push('…');
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The median of a non-empty slice (sorted copy).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median and scaled median absolute deviation (1.4826 × MAD, a consistent estimate of the
/// standard deviation for normal data). The MAD is floored at `floor` so that a population of
/// identical values does not make every difference infinitely significant.
pub fn median_mad(xs: &[f64], floor: f64) -> (f64, f64) {
    let m = median(xs);
    let dev: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    let mad = 1.4826 * median(&dev);
    (m, mad.max(floor))
}

/// Rounds for display in evidence.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The civil date (UTC) of a timestamp.
pub fn civil_date(t: Ts) -> Option<jiff::civil::Date> {
    jiff::Timestamp::from_millisecond(t.0)
        .ok()
        .map(|x| x.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Whole years between two dates (age at `at` of someone born on `born`).
pub fn years_between(born: jiff::civil::Date, at: jiff::civil::Date) -> i32 {
    let mut y = at.year() as i32 - born.year() as i32;
    if (at.month(), at.day()) < (born.month(), born.day()) {
        y -= 1;
    }
    y
}

/// A year and month from a loose résumé date: `2019`, `2019-04`, `2019-04-01`, `04/2019`.
/// Returns months since year 0 (year × 12 + month − 1); a bare year counts as January for a
/// start and December for an end (`end = true`).
pub fn loose_month(s: &str, end: bool) -> Option<i64> {
    let s = s.trim();
    let digits: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .collect();
    let year_pos = digits.iter().position(|t| t.len() == 4)?;
    let year: i64 = digits[year_pos].parse().ok()?;
    let month: Option<i64> = if year_pos == 0 {
        digits.get(1).and_then(|m| m.parse().ok())
    } else {
        digits.get(year_pos - 1).and_then(|m| m.parse().ok())
    };
    let month = month
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(if end { 12 } else { 1 });
    Some(year * 12 + month - 1)
}

/// A window length for explanations: whole days when it is a whole number of days (humantime
/// would print 90 days as months, days and hours), else humantime's form.
pub fn window_text(d: &crate::params::Dur) -> (String, String) {
    let secs = d.0.as_secs();
    if secs > 0 && secs.is_multiple_of(86_400) {
        let n = secs / 86_400;
        (format!("{n} days"), format!("{n}日"))
    } else {
        (d.to_string(), d.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robust_stats() {
        let (m, s) = median_mad(&[1.0, 2.0, 3.0, 4.0, 100.0], 0.01);
        assert_eq!(m, 3.0);
        assert!((s - 1.4826).abs() < 1e-9);
    }

    #[test]
    fn loose_dates() {
        assert_eq!(loose_month("2019", false), Some(2019 * 12));
        assert_eq!(loose_month("2019", true), Some(2019 * 12 + 11));
        assert_eq!(loose_month("2019-04", false), Some(2019 * 12 + 3));
        assert_eq!(loose_month("04/2019", false), Some(2019 * 12 + 3));
        assert_eq!(loose_month("present", true), None);
    }

    #[test]
    fn snippets_are_cut_on_characters() {
        let t = "こんにちは、テレグラムで話しましょう";
        let i = t.find("テレグラム").unwrap();
        let s = snippet(t, i, i + "テレグラム".len(), 3);
        assert_eq!(s, "…ちは、テレグラムで話し…");
    }
}
