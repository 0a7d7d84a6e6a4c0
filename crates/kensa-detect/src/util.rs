//! Small helpers shared by detectors: text snippets for evidence, robust statistics and
//! calendar helpers. Nothing here does I/O. (Identity normalisation is in `crate::normalize`.)

use kensa_model::Ts;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
        let unit = if n == 1 { "day" } else { "days" };
        (format!("{n} {unit}"), format!("{n}日"))
    } else if secs > 0 && secs.is_multiple_of(3_600) {
        let n = secs / 3_600;
        let unit = if n == 1 { "hour" } else { "hours" };
        (format!("{n} {unit}"), format!("{n}時間"))
    } else {
        (d.to_string(), d.to_string())
    }
}

/// An identifier index across subjects for a population state: key → subject → what the
/// subject contributes under that key (e.g. its record ids), keeping only the keys that at
/// least two subjects share — a key of one subject links nobody, so the index stays small —
/// and, for incremental re-scoring, the reverse (subject → its shared keys). Owned data.
#[derive(Debug)]
pub struct SharedIndex<V> {
    keys: BTreeMap<String, BTreeMap<String, V>>,
    of_subject: HashMap<String, Vec<String>>,
}

/// The subjects sharing one key, with what each contributes.
pub type Sharers<V> = BTreeMap<String, V>;

impl<V> SharedIndex<V> {
    /// From the full index (every key, shared or not); keys of a single subject are dropped.
    pub fn new(full: BTreeMap<String, Sharers<V>>) -> Self {
        let keys: BTreeMap<String, Sharers<V>> =
            full.into_iter().filter(|(_, m)| m.len() >= 2).collect();
        let mut of_subject: HashMap<String, Vec<String>> = HashMap::new();
        for (k, m) in &keys {
            for sid in m.keys() {
                of_subject.entry(sid.clone()).or_default().push(k.clone());
            }
        }
        SharedIndex { keys, of_subject }
    }

    /// The subjects sharing `key`, or `None` when fewer than two have it.
    pub fn get(&self, key: &str) -> Option<&Sharers<V>> {
        self.keys.get(key)
    }

    /// The keys `subject` shares with someone, sorted.
    pub fn keys_of(&self, subject: &str) -> &[String] {
        self.of_subject.get(subject).map_or(&[], Vec::as_slice)
    }

    /// Number of shared keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The subjects, other than `touched`, that share a key with a touched subject in `before`
    /// or in `self`, for the keys where `changed(sharers before, sharers now)` holds (`None`:
    /// fewer than two subjects had the key); sorted. A key no touched subject has is the same
    /// in both indexes when only the touched subjects' records changed, so it is not looked at.
    pub fn reached(
        &self,
        before: &Self,
        touched: &HashSet<&str>,
        changed: impl Fn(Option<&Sharers<V>>, Option<&Sharers<V>>) -> bool,
    ) -> Vec<String> {
        let mut keys: BTreeSet<&str> = BTreeSet::new();
        for t in touched {
            for idx in [before, self] {
                keys.extend(idx.keys_of(t).iter().map(String::as_str));
            }
        }
        let mut out: BTreeSet<&str> = BTreeSet::new();
        for k in keys {
            let (old, new) = (before.get(k), self.get(k));
            if changed(old, new) {
                out.extend(
                    old.into_iter()
                        .chain(new)
                        .flat_map(|m| m.keys().map(String::as_str))
                        .filter(|sid| !touched.contains(sid)),
                );
            }
        }
        out.into_iter().map(str::to_owned).collect()
    }
}

/// [`crate::Affected`] for a list of further subjects: `Touched` when it is empty.
pub fn affected_also(also: Vec<String>) -> crate::Affected {
    if also.is_empty() {
        crate::Affected::Touched
    } else {
        crate::Affected::Also(also)
    }
}

/// Below this many items, [`map_maybe_par`] works on the calling thread: handing a few
/// items to rayon's pool (waking a worker, joining) costs ~10 µs, more than evaluating them.
pub const PAR_MIN: usize = 16;

/// `items.map(f)` in order: on rayon's pool when there are at least [`PAR_MIN`] items, else
/// on the calling thread (a batch of a few events evaluates dozens of detectors; each would
/// pay the pool's hand-off for nothing).
pub fn map_maybe_par<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < PAR_MIN {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
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
    fn shared_index_keeps_shared_keys_and_reaches_co_sharers() {
        let idx = |pairs: &[(&str, &str)]| {
            let mut full: BTreeMap<String, Sharers<()>> = BTreeMap::new();
            for (k, s) in pairs {
                full.entry(k.to_string())
                    .or_default()
                    .insert(s.to_string(), ());
            }
            SharedIndex::new(full)
        };
        let before = idx(&[
            ("k1", "a"),
            ("k1", "b"),
            ("k2", "c"),
            ("k3", "d"),
            ("k3", "e"),
        ]);
        assert_eq!(before.len(), 2);
        assert!(before.get("k2").is_none());
        assert_eq!(before.keys_of("a"), ["k1"]);
        // t joins k2 (c no longer alone) and k3; k1 does not change.
        let after = idx(&[
            ("k1", "a"),
            ("k1", "b"),
            ("k2", "c"),
            ("k2", "t"),
            ("k3", "d"),
            ("k3", "e"),
            ("k3", "t"),
        ]);
        let touched: HashSet<&str> = ["t"].into_iter().collect();
        assert_eq!(
            after.reached(&before, &touched, |a, b| a != b),
            ["c", "d", "e"]
        );
        // Touching a, whose key did not move, reaches nobody.
        let touched: HashSet<&str> = ["a"].into_iter().collect();
        assert!(after.reached(&before, &touched, |a, b| a != b).is_empty());
    }

    #[test]
    fn snippets_are_cut_on_characters() {
        let t = "こんにちは、テレグラムで話しましょう";
        let i = t.find("テレグラム").unwrap();
        let s = snippet(t, i, i + "テレグラム".len(), 3);
        assert_eq!(s, "…ちは、テレグラムで話し…");
    }
}
