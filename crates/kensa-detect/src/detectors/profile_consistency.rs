//! RF-PROFILE-INCONSISTENT — name spelling, nationality, location, contact details, education
//! or work history differ between sources (氏名のつづり方、国籍、仕事場所、連絡先、学歴、職歴の不一致).
//!
//! Every pair of `subject` snapshots from different `source`s (freelance profile, payment
//! profile, résumé, portfolio, social, HR system) is compared field by field. Each field that
//! differs in at least one pair adds its weight once (the largest over pairs); the flag fires
//! when the sum reaches `min_score`, with strength `score / full_score`. The evidence is a
//! readable diff: field, source A and its value, source B and its value.
//!
//! | field | differs when | weight |
//! |---|---|---|
//! | name | no legal/display/native name of A matches one of B (or a former name) via [`crate::names`] | `name_weight` (nothing shared, or a word shared and another surname or given name) / `name_partial_weight` (a nickname: `Danny`/`Daniel`) |
//! | nationality, claimed country, date of birth | both stated and different | `identity_weight` |
//! | claimed city | both stated, and neither equal nor the same name in another script | `city_weight` |
//! | claimed time zone | both stated and different | `timezone_weight` |
//! | e-mails, phones | both listed and no address/number in common | `contact_weight` |
//! | education | no institution in common / same institution, other years | `education_weight` / `dates_weight` |
//! | employment | an employer for a period and another employer for the same period (≥ `min_overlap_months`), neither named by the other source / same employer, other dates | `employment_weight` / `dates_weight` |
//!
//! Institution and employer names are compared with abbreviations expanded (`Univ.`, `Inst.`,
//! `Tech.`, `Intl.`...), legal forms dropped (`Co.`, `Inc.`, `Ltd`, `KK`) and acronyms read
//! (`MIT`). Two names that share a word are one person's when the other words are an initial,
//! a prefix (`Alex`/`Alexander`), a spelling variant (`Sergey`/`Sergei`) or a known nickname
//! (`Bob`/`Robert`, `Alex`/`Oleksandr`); otherwise (`Min-jun Kim`/`Min-seo Kim`,
//! `Maria Garcia`/`Maria Lopez`) the surname or given name differs, which is a conflict between
//! two *legal* names (issue 17). A display name is chosen — an English name beside a Korean or
//! Chinese legal name is common — so it differs only partially (`name_partial_weight`).
//!
//! False positives: a résumé without the middle name, a Korean name written family name first,
//! a Japanese display name in kanji (Han-only names are not compared with Latin ones: their
//! readings are irregular), a romanisation variant (`Kenzi Satou`), a time-zone alias, an extra
//! billing e-mail, a shorter history on one site, two stints at one employer — none of these
//! differ under the rules above. A nickname (`name_partial_weight` 0.4), disjoint contacts or
//! another time zone (0.3) stay below `min_score` alone; a job listed by one source only, or a
//! change of jobs within a year given as years, is no conflict; a different city, school or
//! overlapping employer alone fires weakly (strength 0.25–0.3: people move and change jobs). A married name matches
//! through `former_names`. Different nationality, date of birth or country between sources is
//! what the advisory describes, and each weighs `identity_weight` (strength 0.5 alone).

use crate::names::{self, SAME_PERSON, UNRELATED};
use crate::{Dataset, Detector, DetectorSpec, Population, Rec, SubjectData};
use kensa_model::record::Subject;
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "profile_consistency",
    raises: &["RF-PROFILE-INCONSISTENT"],
    summary: "profile snapshots from different sources compared field by field (names across scripts, nationality, country, city, time zone, date of birth, contacts, education, employment), with a readable diff",
    false_positives: "missing middle names, name order, kanji vs romaji, romanisation and spelling variants, abbreviated school and employer names (Univ., Inst., Tech., Co.), time-zone aliases, an added e-mail, shorter histories and jobs missing from one source do not differ; a nickname, other contacts or time zone alone stay below min_score; a different city, school or an employer for the same period alone fires weakly; married names match through former_names",
};

/// Parameters (`[detectors.profile_consistency]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Weight of names that share nothing.
    pub name_weight: f64,
    /// Weight of names that share a part only (a nickname, a different given name).
    pub name_partial_weight: f64,
    /// Weight of a different nationality, claimed country or date of birth (each).
    pub identity_weight: f64,
    /// Weight of a different claimed city.
    pub city_weight: f64,
    /// Weight of a different claimed time zone.
    pub timezone_weight: f64,
    /// Weight of disjoint e-mails or phones (each).
    pub contact_weight: f64,
    /// Weight of no education institution in common.
    pub education_weight: f64,
    /// Weight of different employers for the same period (an entry of each source, neither
    /// employer named by the other source, overlapping by at least `min_overlap_months`).
    pub employment_weight: f64,
    /// Months two jobs must overlap to be "the same period" (dates given as years cover the
    /// whole year, so a change of jobs within one year is not a conflict).
    pub min_overlap_months: u32,
    /// Weight of one institution or employer with different years (each).
    pub dates_weight: f64,
    /// Score at which the flag fires.
    pub min_score: f64,
    /// Score at which the strength reaches 1.
    pub full_score: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            name_weight: 1.0,
            name_partial_weight: 0.4,
            identity_weight: 1.0,
            city_weight: 0.5,
            timezone_weight: 0.3,
            contact_weight: 0.3,
            education_weight: 0.6,
            employment_weight: 0.5,
            min_overlap_months: 6,
            dates_weight: 0.3,
            min_score: 0.5,
            full_score: 2.0,
        }
    }
}

pub struct ProfileConsistency(pub Params);

/// One field that differs between two snapshots.
struct Diff {
    field: &'static str,
    weight: f64,
    a: String,
    b: String,
    detail: Option<String>,
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Same place or institution name, in any script or spelling order, abbreviations expanded
/// (`Tokyo Inst. of Tech.` is `Tokyo Institute of Technology`, `Univ.` is `University`, `Co.`
/// and `Inc.` are dropped) and acronyms read (`MIT`).
fn same_text(a: &str, b: &str) -> bool {
    let (na, nb) = (norm(a), norm(b));
    if na == nb {
        return true;
    }
    let (ea, eb) = (
        crate::normalize::organisation_words(a),
        crate::normalize::organisation_words(b),
    );
    if !ea.is_empty() && (ea == eb || acronym_of(&ea, &eb) || acronym_of(&eb, &ea)) {
        return true;
    }
    !na.is_empty() && names::name_similarity(a, b).0 >= SAME_PERSON
}

/// `short` is one word made of the initials of `long` (`mit` of Massachusetts Institute of
/// Technology); at least two letters.
fn acronym_of(short: &[String], long: &[String]) -> bool {
    match short {
        [w] if w.chars().count() >= 2 && long.len() >= 2 => {
            let initials: String = long.iter().filter_map(|x| x.chars().next()).collect();
            initials == *w
        }
        _ => false,
    }
}

/// Common English given-name pairs (nickname, full name) that are one person's name.
const NICKNAMES: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("rob", "robert"),
    ("bill", "william"),
    ("will", "william"),
    ("liam", "william"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("mike", "michael"),
    ("tom", "thomas"),
    ("tony", "anthony"),
    ("ted", "edward"),
    ("ned", "edward"),
    ("jack", "john"),
    ("peggy", "margaret"),
    ("maggie", "margaret"),
    ("meg", "margaret"),
    ("kate", "katherine"),
    ("katie", "katherine"),
    ("kathy", "katherine"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("sue", "susan"),
    ("chuck", "charles"),
    ("charlie", "charles"),
    ("hank", "henry"),
    ("harry", "henry"),
    ("larry", "lawrence"),
    ("bobby", "robert"),
    ("jenny", "jennifer"),
    ("jen", "jennifer"),
    ("becky", "rebecca"),
    ("sasha", "alexander"),
    ("misha", "mikhail"),
    ("alex", "oleksandr"),
    ("alex", "aleksandr"),
    ("sasha", "oleksandr"),
    ("sasha", "aleksandr"),
    ("dima", "dmitry"),
    ("dima", "dmytro"),
    ("misha", "mykhailo"),
    ("kolya", "nikolai"),
    ("kolya", "mykola"),
    ("vova", "vladimir"),
    ("vova", "volodymyr"),
    ("zhenya", "evgeny"),
    ("zhenya", "yevhen"),
    ("katya", "ekaterina"),
    ("katya", "kateryna"),
    ("nastya", "anastasia"),
    ("lena", "elena"),
    ("lena", "olena"),
];

/// Whether two name words can be one person's: equal, one an initial or a prefix of the other
/// (`Dan`/`Daniel`, `Alex`/`Alexander`), a spelling variant (one letter apart, two in words of
/// six letters or more: `Becker`/`Bekker`, `Sergey`/`Sergei`), or a known nickname pair.
fn related_words(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let d = strsim::levenshtein(a, b);
    if d <= 1 || (d == 2 && a.chars().count() >= 6 && b.chars().count() >= 6) {
        return true;
    }
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() == 1 || cb.len() == 1 {
        return ca.first() == cb.first();
    }
    let common = ca.iter().zip(&cb).take_while(|(x, y)| x == y).count();
    common >= 3
        || NICKNAMES
            .iter()
            .any(|(n, f)| (a == *n && b == *f) || (a == *f && b == *n))
}

/// For two names that share a word but not all: the first pair of other words (one from each)
/// that cannot be one person's name — a different surname or given name.
fn conflicting_word(a: &str, b: &str) -> Option<(String, String)> {
    let (_, pairs) = names::name_similarity(a, b);
    if pairs.is_empty() {
        return None;
    }
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let matched = |side: &dyn Fn(&names::TokenPair) -> &str| -> Vec<String> {
        pairs.iter().flat_map(|p| words(side(p))).collect()
    };
    let (ma, mb) = (matched(&|p| p.a.as_str()), matched(&|p| p.b.as_str()));
    let ua: Vec<String> = words(a).into_iter().filter(|w| !ma.contains(w)).collect();
    let ub: Vec<String> = words(b).into_iter().filter(|w| !mb.contains(w)).collect();
    if ua.is_empty() || ub.is_empty() {
        return None;
    }
    if ua.iter().any(|x| ub.iter().any(|y| related_words(x, y))) {
        return None;
    }
    Some((ua[0].clone(), ub[0].clone()))
}

/// A date of a history entry (`2019`, `2019-04`, `2019-04-01`) as a month number; a year alone
/// is its first month (`last`: its last).
fn month(d: &str, last: bool) -> Option<i32> {
    let mut it = d.trim().split('-');
    let y: i32 = it.next()?.trim().parse().ok()?;
    let m: i32 = match it.next() {
        Some(m) => m.trim().parse().ok().filter(|m| (1..=12).contains(m))?,
        None if last => 12,
        None => 1,
    };
    Some(y * 12 + m - 1)
}

/// Months two periods surely overlap; an open end runs to `now` (a month number). A year alone
/// is read the narrow way (a start as its last month, an end as its first), so that a job
/// change within one year is never an overlap. `None` when a start is missing or unreadable.
fn overlap_months(
    x: (&Option<String>, &Option<String>),
    y: (&Option<String>, &Option<String>),
    now: i32,
) -> Option<i32> {
    let span = |(f, t): (&Option<String>, &Option<String>)| -> Option<(i32, i32)> {
        let from = month(f.as_deref()?, true)?;
        let to = match t.as_deref() {
            Some(t) if !t.trim().is_empty() => month(t, false)?,
            _ => now,
        };
        Some((from, to.max(from)))
    };
    let ((a0, a1), (b0, b1)) = (span(x)?, span(y)?);
    Some((a1.min(b1) - a0.max(b0) + 1).max(0))
}

/// Same time zone name, or two names (aliases such as `US/Eastern`) with the same UTC offsets in
/// January and July.
fn same_zone(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    match (jiff::tz::TimeZone::get(a), jiff::tz::TimeZone::get(b)) {
        (Ok(x), Ok(y)) => [1_768_435_200_i64, 1_784_073_600].iter().all(|&secs| {
            jiff::Timestamp::from_second(secs).is_ok_and(|t| x.to_offset(t) == y.to_offset(t))
        }),
        _ => false,
    }
}

fn phone_key(p: &str) -> String {
    let d: String = p.chars().filter(char::is_ascii_digit).collect();
    d[d.len().saturating_sub(9)..].to_string()
}

fn person_names(p: &Subject) -> Vec<&str> {
    [&p.legal_name, &p.display_name, &p.name_native]
        .into_iter()
        .filter_map(|n| n.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .collect()
}

fn join(v: &[&str]) -> String {
    v.join(" / ")
}

impl ProfileConsistency {
    fn compare(&self, a: &Subject, b: &Subject, formers: &[&str]) -> Vec<Diff> {
        let p = &self.0;
        let mut out = Vec::new();
        let mut push = |field, weight: f64, va: String, vb: String, detail: Option<String>| {
            if weight > 0.0 {
                out.push(Diff {
                    field,
                    weight,
                    a: va,
                    b: vb,
                    detail,
                });
            }
        };
        // Names.
        let (na, nb) = (person_names(a), person_names(b));
        if !na.is_empty() && !nb.is_empty() {
            // A former name (on any snapshot) counts on either side: a married name on one
            // source, the maiden name on another.
            let exact = na
                .iter()
                .any(|x| nb.iter().chain(formers).any(|y| norm(x) == norm(y)))
                || nb.iter().any(|y| formers.iter().any(|x| norm(x) == norm(y)));
            if !exact {
                let mut best = (0.0, String::new(), String::new());
                'outer: for x in &na {
                    for y in nb.iter().chain(formers) {
                        let (sc, _) = names::name_similarity(x, y);
                        if sc > best.0 {
                            best = (sc, x.to_string(), y.to_string());
                        }
                        if sc >= SAME_PERSON {
                            break 'outer;
                        }
                    }
                }
                // Only pairs in comparable scripts count: a kanji name that does not match its
                // romaji form is not evidence (name readings of Han characters are irregular).
                let comparable = na.iter().any(|x| {
                    nb.iter()
                        .chain(formers)
                        .any(|y| names::comparable_scripts(x, y))
                });
                if best.0 < SAME_PERSON && comparable {
                    // Sharing a word but not all is a nickname (`Danny`/`Daniel`) unless the
                    // other words cannot be one person's: a different surname or given name.
                    // Only between legal names: a display name is chosen (an English name
                    // beside a Korean or Chinese one, `Alex` for `Oleksandr`).
                    let legal = |s: &Subject, n: &str| {
                        s.legal_name.as_deref().map(str::trim) == Some(n)
                            || formers.contains(&n)
                    };
                    let conflict = (best.0 >= UNRELATED && legal(a, &best.1) && legal(b, &best.2))
                        .then(|| conflicting_word(&best.1, &best.2))
                        .flatten();
                    let (w, detail) = match (best.0 < UNRELATED, &conflict) {
                        (true, _) => (p.name_weight, format!("best similarity {:.2}", best.0)),
                        (false, Some((x, y))) => (
                            p.name_weight,
                            format!(
                                "best similarity {:.2}; a different name: {x} / {y}",
                                best.0
                            ),
                        ),
                        (false, None) => (
                            p.name_partial_weight,
                            format!("best similarity {:.2}", best.0),
                        ),
                    };
                    push("name", w, join(&na), join(&nb), Some(detail));
                }
            }
        }
        for (field, x, y) in [
            ("nationality", &a.nationality, &b.nationality),
            ("claimed_country", &a.claimed_country, &b.claimed_country),
        ] {
            if let (Some(x), Some(y)) = (x, y)
                && x != y
            {
                push(field, p.identity_weight, x.0.clone(), y.0.clone(), None);
            }
        }
        if let (Some(x), Some(y)) = (a.date_of_birth, b.date_of_birth)
            && x != y
        {
            push(
                "date_of_birth",
                p.identity_weight,
                x.0.to_string(),
                y.0.to_string(),
                None,
            );
        }
        if let (Some(x), Some(y)) = (&a.claimed_city, &b.claimed_city)
            && !same_text(x, y)
        {
            push("claimed_city", p.city_weight, x.clone(), y.clone(), None);
        }
        if let (Some(x), Some(y)) = (&a.claimed_timezone, &b.claimed_timezone)
            && !same_zone(x, y)
        {
            push(
                "claimed_timezone",
                p.timezone_weight,
                x.clone(),
                y.clone(),
                None,
            );
        }
        if !a.emails.is_empty()
            && !b.emails.is_empty()
            && !a.emails.iter().any(|x| {
                b.emails
                    .iter()
                    .any(|y| x.trim().eq_ignore_ascii_case(y.trim()))
            })
        {
            push(
                "emails",
                p.contact_weight,
                a.emails.join(", "),
                b.emails.join(", "),
                None,
            );
        }
        if !a.phones.is_empty()
            && !b.phones.is_empty()
            && !a
                .phones
                .iter()
                .any(|x| b.phones.iter().any(|y| phone_key(x) == phone_key(y)))
        {
            push(
                "phones",
                p.contact_weight,
                a.phones.join(", "),
                b.phones.join(", "),
                None,
            );
        }
        // Education and employment: an entry in common is the same history; the same entry
        // with other years is a smaller difference.
        let edu = |e: &kensa_model::record::Education| {
            (
                e.institution.clone().unwrap_or_default(),
                e.from.clone(),
                e.to.clone(),
            )
        };
        let emp = |e: &kensa_model::record::Employment| {
            (
                e.employer.clone().unwrap_or_default(),
                e.from.clone(),
                e.to.clone(),
            )
        };
        // "Present" for an open-ended job: the later snapshot's time, else the latest date
        // either history mentions.
        let now = [a.observed_at.as_ref(), b.observed_at.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|t| month(t.0.to_string().get(..7)?, true))
            .max()
            .or_else(|| {
                a.employment
                    .iter()
                    .chain(&b.employment)
                    .flat_map(|e| [e.from.as_deref(), e.to.as_deref()])
                    .flatten()
                    .filter_map(|d| month(d, true))
                    .max()
            })
            .unwrap_or(0);
        let ea: Vec<_> = a.education.iter().map(edu).collect();
        let eb: Vec<_> = b.education.iter().map(edu).collect();
        let ja: Vec<_> = a.employment.iter().map(emp).collect();
        let jb: Vec<_> = b.employment.iter().map(emp).collect();
        for (field, dates_field, xs, ys, w) in [
            ("education", "education_years", &ea, &eb, p.education_weight),
            (
                "employment",
                "employment_dates",
                &ja,
                &jb,
                p.employment_weight,
            ),
        ] {
            let xs: Vec<_> = xs.iter().filter(|x| !x.0.trim().is_empty()).collect();
            let ys: Vec<_> = ys.iter().filter(|y| !y.0.trim().is_empty()).collect();
            if xs.is_empty() || ys.is_empty() {
                continue;
            }
            let pairs: Vec<_> = xs
                .iter()
                .flat_map(|x| ys.iter().map(move |y| (*x, *y)))
                .filter(|(x, y)| same_text(&x.0, &y.0))
                .collect();
            let show = |v: &[&(String, Option<String>, Option<String>)]| {
                v.iter()
                    .map(|(n, f, t)| {
                        format!(
                            "{n} ({}–{})",
                            f.as_deref().unwrap_or("?"),
                            t.as_deref().unwrap_or("?")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            if field == "employment" {
                // A job listed by one source only is not a conflict (histories are shortened);
                // two employers for the same period, neither named by the other source, are.
                let named_in = |e: &str, other: &[&(String, Option<String>, Option<String>)]| {
                    other.iter().any(|o| same_text(e, &o.0))
                };
                let clash = xs.iter().find_map(|x| {
                    if named_in(&x.0, &ys) {
                        return None;
                    }
                    ys.iter()
                        .filter(|y| !named_in(&y.0, &xs))
                        .find(|y| {
                            overlap_months((&x.1, &x.2), (&y.1, &y.2), now)
                                .is_some_and(|m| m >= p.min_overlap_months as i32)
                        })
                        .map(|y| (*x, *y))
                });
                if let Some((x, y)) = clash {
                    push(
                        field,
                        w,
                        show(&[x]),
                        show(&[y]),
                        Some("different employers for the same period".into()),
                    );
                }
            }
            if pairs.is_empty() {
                if field != "employment" {
                    push(field, w, show(&xs), show(&ys), None);
                }
            } else {
                // An entry differs when the other source lists the same name, but never with
                // the same dates (a person may have worked at one employer twice).
                let differ = |u: &Option<String>, v: &Option<String>| matches!((u, v), (Some(u), Some(v)) if u.trim() != v.trim());
                let agree =
                    |x: &(String, Option<String>, Option<String>),
                     y: &(String, Option<String>, Option<String>)| {
                        !differ(&x.1, &y.1) && !differ(&x.2, &y.2)
                    };
                let lonely = xs.iter().find_map(|x| {
                    let same: Vec<_> = pairs.iter().filter(|(a, _)| std::ptr::eq(*a, *x)).collect();
                    (!same.is_empty() && !same.iter().any(|(a, b)| agree(a, b)))
                        .then(|| (*x, same[0].1))
                });
                if let Some((x, y)) = lonely {
                    push(dates_field, p.dates_weight, show(&[x]), show(&[y]), None);
                }
            }
        }
        out
    }

    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        if s.profiles.len() < 2 {
            return None;
        }
        let formers: Vec<&str> = s
            .profiles
            .iter()
            .flat_map(|x| x.r.former_names.iter().map(String::as_str))
            .collect();
        // The largest difference per field, with the pair that shows it.
        let mut by_field: BTreeMap<&'static str, (Diff, &Rec<Subject>, &Rec<Subject>)> =
            BTreeMap::new();
        for (i, a) in s.profiles.iter().enumerate() {
            for b in &s.profiles[i + 1..] {
                if a.r.source == b.r.source {
                    continue;
                }
                for d in self.compare(&a.r, &b.r, &formers) {
                    let better = by_field
                        .get(d.field)
                        .is_none_or(|(old, _, _)| d.weight > old.weight);
                    if better {
                        by_field.insert(d.field, (d, a, b));
                    }
                }
            }
        }
        let score: f64 = by_field.values().map(|(d, _, _)| d.weight).sum();
        if score < p.min_score || score <= 0.0 {
            return None;
        }
        let strength = (score / p.full_score).clamp(0.05, 1.0);
        let mut rows: Vec<&(Diff, &Rec<Subject>, &Rec<Subject>)> = by_field.values().collect();
        rows.sort_by(|x, y| {
            y.0.weight
                .total_cmp(&x.0.weight)
                .then(x.0.field.cmp(y.0.field))
        });
        let diff: Vec<serde_json::Value> = rows
            .iter()
            .map(|(d, a, b)| {
                json!({
                    "field": d.field,
                    "weight": d.weight,
                    "source_a": a.r.source,
                    "value_a": d.a,
                    "source_b": b.r.source,
                    "value_b": d.b,
                    "detail": d.detail,
                })
            })
            .collect();
        let mut records: Vec<String> = Vec::new();
        for (_, a, b) in &rows {
            for id in [&a.id, &b.id] {
                if !records.contains(id) {
                    records.push(id.clone());
                }
            }
        }
        let en_rows: Vec<String> = rows
            .iter()
            .map(|(d, a, b)| {
                format!(
                    "{}: {} says \"{}\", {} says \"{}\"",
                    d.field, a.r.source, d.a, b.r.source, d.b
                )
            })
            .collect();
        let ja_rows: Vec<String> = rows
            .iter()
            .map(|(d, a, b)| {
                format!(
                    "{}: {}では「{}」、{}では「{}」",
                    field_ja(d.field),
                    a.r.source,
                    d.a,
                    b.r.source,
                    d.b
                )
            })
            .collect();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PROFILE-INCONSISTENT".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("score", (score * 100.0).round() / 100.0)
                .value("diff", serde_json::Value::Array(diff))
                .value("snapshots", s.profiles.len())
                .threshold("min_score", p.min_score)
                .threshold("full_score", p.full_score)
                .threshold("name_weight", p.name_weight)
                .threshold("name_partial_weight", p.name_partial_weight)
                .threshold("identity_weight", p.identity_weight)
                .threshold("city_weight", p.city_weight)
                .threshold("timezone_weight", p.timezone_weight)
                .threshold("contact_weight", p.contact_weight)
                .threshold("education_weight", p.education_weight)
                .threshold("employment_weight", p.employment_weight)
                .threshold("dates_weight", p.dates_weight)
                .threshold("name_match_score", SAME_PERSON),
            explanation: Text::new(
                format!(
                    "The subject's profiles differ between sources (score {score:.1}, threshold {}): {}.",
                    p.min_score,
                    en_rows.join("; ")
                ),
                format!(
                    "ソース間でプロフィール情報の不一致があります（氏名のつづり方、国籍、仕事場所、連絡先、学歴、職歴。スコア{score:.1}、しきい値{}）: {}。",
                    p.min_score,
                    ja_rows.join("、")
                ),
            ),
        })
    }
}

fn field_ja(f: &str) -> &'static str {
    match f {
        "name" => "氏名",
        "nationality" => "国籍",
        "claimed_country" => "所在国",
        "claimed_city" => "所在都市",
        "claimed_timezone" => "タイムゾーン",
        "date_of_birth" => "生年月日",
        "emails" => "メールアドレス",
        "phones" => "電話番号",
        "education" => "学歴",
        "education_years" => "在学期間",
        "employment" => "職歴",
        "employment_dates" => "在職期間",
        _ => "その他",
    }
}

impl Detector for ProfileConsistency {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["subject"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }
    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(lines: &[String]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for l in lines {
            let v = validate_value(serde_json::from_str(l).unwrap()).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn snap(source: &str, fields: &str) -> String {
        format!(r#"{{"kind":"subject","subject_id":"u1","source":"{source}",{fields}}}"#)
    }

    fn run(lines: &[String]) -> Vec<Finding> {
        ProfileConsistency(Params::default()).run(&ds(lines))
    }

    #[test]
    fn different_nationality_city_and_university_fire_strongly() {
        let f = run(&[
            snap(
                "freelance_platform",
                r#""legal_name":"Lukas Becker","nationality":"DE","claimed_country":"DE","claimed_city":"Berlin","education":[{"institution":"TU Berlin","from":"2008","to":"2012"}]"#,
            ),
            snap(
                "resume",
                r#""legal_name":"Lucas Bekker","nationality":"NL","claimed_country":"DE","claimed_city":"Munich","education":[{"institution":"University of Amsterdam","from":"2009","to":"2013"}]"#,
            ),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 1.0);
        let diff = f[0].evidence.values["diff"].as_array().unwrap();
        let fields: Vec<&str> = diff.iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"nationality"));
        assert!(fields.contains(&"claimed_city"));
        assert!(fields.contains(&"education"));
        assert_eq!(diff[0]["field"], "nationality");
        let mut pair = [
            diff[0]["value_a"].as_str().unwrap(),
            diff[0]["value_b"].as_str().unwrap(),
        ];
        pair.sort();
        assert_eq!(pair, ["DE", "NL"]);
        assert_eq!(f[0].evidence.records.len(), 2);
        assert!(f[0].explanation.ja.contains("国籍"));
    }

    #[test]
    fn different_date_of_birth_alone_fires() {
        let f = run(&[
            snap(
                "freelance_platform",
                r#""legal_name":"Sam Kim","date_of_birth":"1990-01-02""#,
            ),
            snap(
                "hr_system",
                r#""legal_name":"Sam Kim","date_of_birth":"1984-07-19""#,
            ),
        ]);
        assert_eq!(f.len(), 1);
        assert!(f[0].strength >= 0.5);
    }

    /// Look-alikes: honest variations between sources.
    #[test]
    fn honest_variations_do_not_fire() {
        let f = run(&[
            snap(
                "freelance_platform",
                r#""legal_name":"Maria Elena Garcia","display_name":"Maria G.","claimed_country":"US","claimed_city":"New York","emails":["maria@example.com"],"phones":["+1 212 555 0142"],"education":[{"institution":"NYU","from":"2010","to":"2014"}],"employment":[{"employer":"Acme","from":"2015"}]"#,
            ),
            snap(
                "resume",
                r#""legal_name":"Maria Garcia","claimed_city":"new york","emails":["maria@example.com","billing@maria.dev"],"phones":["(212) 555-0142"],"education":[{"institution":"NYU","from":"2010","to":"2014"}],"employment":[{"employer":"Acme","from":"2015"},{"employer":"Globex","from":"2013","to":"2015"}]"#,
            ),
            snap(
                "portfolio",
                r#""display_name":"Maria Carter","former_names":["Maria Carter"],"claimed_country":"US""#,
            ),
        ]);
        assert!(f.is_empty(), "{f:?}");
        let f = run(&[
            snap(
                "freelance_platform",
                r#""legal_name":"Kenji Sato","display_name":"佐藤 健二","claimed_city":"Tokyo""#,
            ),
            snap(
                "social",
                r#""display_name":"佐藤健二","claimed_city":"東京""#,
            ),
            snap("resume", r#""legal_name":"SATO Kenji""#),
        ]);
        assert!(f.is_empty(), "{f:?}");
        // Kanji only on one source, romaji on the other: readings cannot be checked.
        let f = run(&[
            snap("freelance_platform", r#""display_name":"佐々木七海""#),
            snap("payment_platform", r#""legal_name":"Nanami Sasaki""#),
        ]);
        assert!(f.is_empty(), "{f:?}");
        let f = run(&[
            snap("freelance_platform", r#""legal_name":"Min-jun Kim""#),
            snap(
                "social",
                r#""legal_name":"Kim Minjun","name_native":"김민준""#,
            ),
        ]);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_different_city_alone_fires_weakly() {
        let f = run(&[
            snap(
                "freelance_platform",
                r#""legal_name":"Yulia K","claimed_city":"Kyiv""#,
            ),
            snap(
                "resume",
                r#""legal_name":"Yulia K","claimed_city":"Kharkiv""#,
            ),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 0.25);
    }

    #[test]
    fn time_zone_aliases_are_the_same_zone() {
        assert!(same_zone("America/New_York", "US/Eastern"));
        assert!(same_zone("Asia/Tokyo", "asia/tokyo"));
        assert!(!same_zone("Asia/Tokyo", "Asia/Shanghai"));
        assert!(!same_zone("Europe/Berlin", "Europe/London"));
    }

    /// Regression: an employer listed twice (two stints) was reported as different dates.
    #[test]
    fn two_stints_at_one_employer_are_not_a_date_difference() {
        let f = run(&[
            snap(
                "social",
                r#""legal_name":"Joe Clarke","employment":[{"employer":"Brightline","from":"2002-02","to":"2005-07"},{"employer":"Brightline","from":"2017-08","to":"2021-06"}]"#,
            ),
            snap(
                "portfolio",
                r#""legal_name":"Joe Clarke","employment":[{"employer":"Brightline","from":"2017-08","to":"2021-06"}]"#,
            ),
        ]);
        assert!(f.is_empty(), "{f:?}");
        let f = run(&[
            snap(
                "social",
                r#""legal_name":"Joe Clarke","claimed_city":"Leeds","employment":[{"employer":"Brightline","from":"2002-02","to":"2005-07"}]"#,
            ),
            snap(
                "resume",
                r#""legal_name":"Joe Clarke","claimed_city":"York","employment":[{"employer":"Brightline","from":"2012-02","to":"2015-07"}]"#,
            ),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.values["diff"][1]["field"], "employment_dates");
    }

    /// Issue 17, item 7. Carriers: another employer for the same period; another surname or
    /// given name even though the other word matches. Look-alikes: a job missing from one
    /// source, a job change within one year, abbreviated school and employer names, acronyms,
    /// nicknames and spelling variants.
    #[test]
    fn conflicts_fire_and_abbreviations_and_missing_jobs_do_not() {
        // Different employers for the same period, neither named by the other source.
        let f = run(&[
            snap(
                "freelance_platform",
                r#""legal_name":"Alex Moreno","employment":[{"employer":"Initech","from":"2019-01","to":"2022-06"}]"#,
            ),
            snap(
                "resume",
                r#""legal_name":"Alex Moreno","employment":[{"employer":"Hooli","from":"2020-03","to":"2023-01"}]"#,
            ),
        ]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence.values["diff"][0]["field"], "employment");
        assert_eq!(f[0].strength, 0.25);
        // A different given name / surname with the other word equal.
        for (x, y) in [("Min-jun Kim", "Min-seo Kim"), ("Maria Garcia", "Maria Lopez"), ("John Kim", "Daniel Kim")] {
            let f = run(&[
                snap("freelance_platform", &format!(r#""legal_name":"{x}""#)),
                snap("payment_platform", &format!(r#""legal_name":"{y}""#)),
            ]);
            assert_eq!(f.len(), 1, "{x} / {y}: {f:?}");
            assert_eq!(f[0].evidence.values["diff"][0]["field"], "name");
            assert_eq!(f[0].strength, 0.5, "{x} / {y}");
        }
        // Look-alikes.
        let honest = [
            // A job on one source only (the other lists an earlier one), no overlap.
            (
                r#""legal_name":"Alex Moreno","employment":[{"employer":"Initech","from":"2019-01","to":"2022-06"}]"#,
                r#""legal_name":"Alex Moreno","employment":[{"employer":"Hooli","from":"2016-01","to":"2018-12"}]"#,
            ),
            // A job change within one year, dates given as years.
            (
                r#""legal_name":"Alex Moreno","employment":[{"employer":"Initech","from":"2015","to":"2019"}]"#,
                r#""legal_name":"Alex Moreno","employment":[{"employer":"Hooli","from":"2019"}]"#,
            ),
            // Abbreviations and acronyms of schools and employers.
            (
                r#""legal_name":"Alex Moreno","education":[{"institution":"Tokyo Inst. of Tech.","from":"2008","to":"2012"}],"employment":[{"employer":"Acme Tech. Co.","from":"2013"}]"#,
                r#""legal_name":"Alex Moreno","education":[{"institution":"Tokyo Institute of Technology","from":"2008","to":"2012"}],"employment":[{"employer":"Acme Technology","from":"2013"}]"#,
            ),
            (
                r#""legal_name":"Alex Moreno","education":[{"institution":"MIT"}],"employment":[{"employer":"Globex Intl. Inc.","from":"2013"}]"#,
                r#""legal_name":"Alex Moreno","education":[{"institution":"Massachusetts Institute of Technology"}],"employment":[{"employer":"Globex International","from":"2013"}]"#,
            ),
            (
                r#""legal_name":"Alex Moreno","education":[{"institution":"Univ. of Tokyo"}]"#,
                r#""legal_name":"Alex Moreno","education":[{"institution":"University of Tokyo"}]"#,
            ),
            // Nicknames and spelling variants.
            (r#""legal_name":"Bob Smith""#, r#""legal_name":"Robert Smith""#),
            (r#""legal_name":"Alex Chen""#, r#""legal_name":"Alexander Chen""#),
            (r#""legal_name":"Sergey Ivanov""#, r#""legal_name":"Sergei Ivanov""#),
            // A chosen English display name beside the legal name.
            (r#""display_name":"Kevin Zhang""#, r#""legal_name":"Wei Zhang""#),
            (r#""display_name":"Alex Boyko""#, r#""legal_name":"Oleksandr Boyko""#),
            (r#""legal_name":"Alex Boyko""#, r#""legal_name":"Oleksandr Boyko""#),
            (r#""legal_name":"Lukas Becker""#, r#""legal_name":"Lukas Bekker""#),
        ];
        for (a, b) in honest {
            let f = run(&[snap("freelance_platform", a), snap("resume", b)]);
            assert!(f.is_empty(), "{a} / {b}: {f:?}");
        }
    }

    #[test]
    fn a_nickname_alone_stays_below_the_threshold() {
        let f = run(&[
            snap("freelance_platform", r#""display_name":"Danny Kim""#),
            snap("resume", r#""legal_name":"Daniel Kim""#),
        ]);
        assert!(f.is_empty(), "{f:?}");
    }
}
