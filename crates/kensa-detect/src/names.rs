//! Name comparison shared by the payout and profile detectors.
//!
//! A beneficiary name, a résumé name and a passport name of one honest person are often written
//! differently: `KIM MINJUN` on a bank form, `김민준` on a Korean profile, `Min-jun Kim` on a
//! portfolio; `佐藤 健二` and `Sato Kenji`; `Maria Elena Garcia` and `Maria Garcia`. Comparing
//! them as strings would flag every Korean and Japanese freelancer. This module reuses the
//! screening engine of `kensa-screen` (token alignment independent of order, Hangul/kana/Han
//! readings, romanisation skeletons such as `Kim/Gim`, `Pak/Park/Bak`, `Ri/Lee/Yi/Rhee`) on a
//! one-entry index, in both directions, and adds one allowance the sanctions use case does not
//! need: a middle name present on one side only (`dropped_middle`, at a small discount).
//!
//! What it must not do is merge two different people of one family: `Kim Min-jun` and
//! `Kim Min-seo` share two of three tokens and score about 0.67; `Sato Yuki` and `Saito Yuki`
//! share one of two and score 0.5. Detectors treat [`SAME_PERSON`] and above as the same name.

use kensa_screen::{Entry, Query, Screener};
use serde::Serialize;

/// A score at or above which two names are taken to be the same person's name.
pub const SAME_PERSON: f64 = 0.85;
/// A score below which two names share essentially nothing (at most one short token).
pub const UNRELATED: f64 = 0.4;
/// The factor applied to a score obtained by ignoring one middle name of the longer name.
const DROPPED_MIDDLE_FACTOR: f64 = 0.95;

/// How one token (or run of joined tokens) of one name was paired with the other name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenPair {
    /// The token(s) of the first name as written.
    pub a: String,
    /// The token(s) of the second name, normalised.
    pub b: String,
    /// How they matched (`exact`, `romanisation_variant`, `korean_variant`, `joined`, `hangul`,
    /// `kana`, `han_japanese`, `fuzzy`, `initial`...), or `dropped_middle` for an ignored
    /// middle name.
    pub how: String,
    /// Token similarity, 0–1.
    pub score: f64,
}

/// Similarity of two person names in any script, 0–1, with the token pairs behind it.
///
/// Order-independent, script- and romanisation-aware; a name that is the other plus one
/// middle name scores [`SAME_PERSON`] or more. Empty names score 0.
pub fn name_similarity(a: &str, b: &str) -> (f64, Vec<TokenPair>) {
    // Each comparison analyses both names in every reading and builds a one-entry index, in
    // both directions (~0.1 ms); the same pairs recur across snapshots and subjects (employers,
    // universities, cities, beneficiary names), so results are remembered.
    let key = (a.to_owned(), b.to_owned());
    if let Some(hit) = memo().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let out = compute_similarity(a, b);
    let mut m = memo().lock().unwrap_or_else(|e| e.into_inner());
    if m.len() >= MEMO_MAX {
        m.clear();
    }
    m.insert(key, out.clone());
    out
}

/// Most remembered comparisons (a few MiB); the memo starts over when full.
const MEMO_MAX: usize = 50_000;

type Memo = std::sync::Mutex<std::collections::HashMap<(String, String), (f64, Vec<TokenPair>)>>;

fn memo() -> &'static Memo {
    static MEMO: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();
    MEMO.get_or_init(Default::default)
}

fn compute_similarity(a: &str, b: &str) -> (f64, Vec<TokenPair>) {
    let (a, b) = (
        expand_iteration_mark(a.trim()),
        expand_iteration_mark(b.trim()),
    );
    let (a, b) = (a.as_str(), b.as_str());
    if a.is_empty() || b.is_empty() {
        return (0.0, Vec::new());
    }
    let (mut best, mut expl) = both_ways(a, b);
    if best >= 0.999 {
        return (best, expl);
    }
    // A middle name on one side only: `Maria Elena Garcia` / `Maria Garcia`. Only inner words
    // of the longer name are dropped, so that a family or given name is never ignored.
    let (wa, wb) = (words(a), words(b));
    let (long, short, long_is_a) = if wa.len() > wb.len() {
        (&wa, &wb, true)
    } else {
        (&wb, &wa, false)
    };
    if long.len() >= 3 && short.len() >= 2 {
        for i in 1..long.len() - 1 {
            let reduced: Vec<&str> = long
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, w)| *w)
                .collect();
            let reduced = reduced.join(" ");
            let (s, mut e) = if long_is_a {
                both_ways(&reduced, b)
            } else {
                both_ways(a, &reduced)
            };
            let s = s * DROPPED_MIDDLE_FACTOR;
            if s > best {
                let dropped = TokenPair {
                    a: if long_is_a {
                        long[i].to_string()
                    } else {
                        String::new()
                    },
                    b: if long_is_a {
                        String::new()
                    } else {
                        long[i].to_string()
                    },
                    how: "dropped_middle".into(),
                    score: DROPPED_MIDDLE_FACTOR,
                };
                e.push(dropped);
                best = s;
                expl = e;
            }
        }
    }
    (round3(best), expl)
}

/// The identity name a candidate (e.g. a beneficiary) matches best.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityMatch {
    /// The identity name that matched best.
    pub name: String,
    /// Its similarity, 0–1.
    pub score: f64,
    /// The token pairs behind the score.
    pub tokens: Vec<TokenPair>,
}

/// Compares `candidate` with every identity name and returns the best (first best on ties);
/// `None` when there is no identity name or the candidate is empty.
pub fn best_identity_match(candidate: &str, identity_names: &[&str]) -> Option<IdentityMatch> {
    if candidate.trim().is_empty() {
        return None;
    }
    let mut best: Option<IdentityMatch> = None;
    for n in identity_names {
        if n.trim().is_empty() {
            continue;
        }
        let (score, tokens) = name_similarity(candidate, n);
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(IdentityMatch {
                name: (*n).to_string(),
                score,
                tokens,
            });
        }
    }
    best
}

/// Legal forms and business words that make a beneficiary look like a company rather than a
/// person (`LLC`, `Ltd`, `GmbH`, `株式会社`, `有限公司`, `주식회사`...).
const BUSINESS_WORDS: &[&str] = &[
    "llc",
    "l.l.c.",
    "ltd",
    "ltd.",
    "limited",
    "inc",
    "inc.",
    "incorporated",
    "corp",
    "corp.",
    "corporation",
    "co.",
    "company",
    "gmbh",
    "ag",
    "s.a.",
    "sa",
    "sarl",
    "srl",
    "bv",
    "b.v.",
    "pte",
    "pvt",
    "plc",
    "llp",
    "oy",
    "ab",
    "kk",
    "k.k.",
    "agency",
    "solutions",
    "technologies",
    "technology",
    "services",
    "consulting",
    "group",
    "holdings",
    "studio",
    "software",
    "labs",
    "enterprises",
    "trading",
    "outsourcing",
];

/// CJK legal forms, matched as substrings.
const BUSINESS_CJK: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "(株)",
    "（株）",
    "有限公司",
    "股份",
    "公司",
    "주식회사",
    "(주)",
    "유한회사",
];

/// Whether a name looks like a company or agency rather than a person.
pub fn looks_like_business(name: &str) -> bool {
    let lower = name.to_lowercase();
    if BUSINESS_CJK.iter().any(|w| lower.contains(w)) {
        return true;
    }
    lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .any(|w| BUSINESS_WORDS.contains(&w))
}

/// Whether the name contains Han characters (kanji, hanzi, hanja). Their readings in names are
/// irregular (`七海` is `Nanami`, not the dictionary `nana-umi`), so a Han name that does not
/// match a Latin or kana one is not evidence of a different person.
pub fn has_han(s: &str) -> bool {
    s.chars().any(kensa_screen::translit::is_han)
}

/// Whether two names can be compared reliably: both or neither contain Han characters.
pub fn comparable_scripts(a: &str, b: &str) -> bool {
    has_han(a) == has_han(b)
}

/// Replaces the Japanese iteration mark `々` by the character it repeats (`佐々木` → `佐佐木`).
fn expand_iteration_mark(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let c = match (c, prev) {
            ('々', Some(p)) => p,
            _ => c,
        };
        out.push(c);
        prev = Some(c);
    }
    out
}

fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect()
}

/// Scores `a` against a one-entry index of `b` and the reverse, keeping the better: the index
/// reads only the first rendering of an entry name, while a query is read in every language
/// (Han characters in Korean, Mandarin and Japanese), so each side gets to be the query.
fn both_ways(a: &str, b: &str) -> (f64, Vec<TokenPair>) {
    let (s1, e1) = one_way(a, b);
    let (s2, e2) = one_way(b, a);
    if s2 > s1 {
        // Report pairs with `a` on the left whichever direction won.
        let e2 = e2
            .into_iter()
            .map(|p| TokenPair {
                a: p.b,
                b: p.a,
                ..p
            })
            .collect();
        (s2, e2)
    } else {
        (s1, e1)
    }
}

fn one_way(query: &str, entry: &str) -> (f64, Vec<TokenPair>) {
    let screener = Screener::from_entries(vec![Entry {
        list: "identity".into(),
        id: "1".into(),
        name: entry.to_string(),
        ..Entry::default()
    }]);
    // A tiny positive threshold: every alignment with at least one real pair is returned.
    match screener
        .screen(&Query::name(query), 0.01)
        .into_iter()
        .next()
    {
        Some(m) => (
            m.name_score,
            m.explanation
                .into_iter()
                .map(|t| TokenPair {
                    a: t.query,
                    b: t.entry,
                    how: t.how.to_string(),
                    score: t.score,
                })
                .collect(),
        ),
        None => (0.0, Vec::new()),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        name_similarity(a, b).0
    }

    #[test]
    fn same_person_across_scripts_and_romanisations() {
        for (a, b) in [
            ("Kim Min-jun", "김민준"),
            ("Kim Min-jun", "Minjun Kim"),
            ("Kim Min-jun", "GIM MIN JUN"),
            ("Park Ji-hoon", "Pak Ji Hun"),
            ("Bak Ji-hoon", "Park Jihoon"),
            ("Lee Young-chul", "Ri Yong Chol"),
            ("Yi Young-chul", "Rhee Yongchol"),
            ("Choe Su-jin", "Choi Sujin"),
            ("Jong Hyun-woo", "Jeong Hyunwoo"),
            ("Chong Hyun-woo", "Jung Hyun-woo"),
            ("Sato Kenji", "佐藤 健二"),
            ("Sato Kenji", "サトウ ケンジ"),
            ("Satou Kenji", "Kenji Sato"),
            ("John Smith", "SMITH, JOHN"),
            ("Maria Elena Garcia", "Maria Garcia"),
            ("Anna-Lena Schmidt", "Anna Lena Schmidt"),
            ("Wang Wei", "王伟"),
            ("Sasaki Taro", "佐々木 太郎"),
            // Kunrei-shiki romanisation.
            ("Kenji Sato", "Kenzi Satou"),
        ] {
            let (s, e) = name_similarity(a, b);
            assert!(s >= SAME_PERSON, "{a} vs {b}: {s} {e:?}");
            assert!(!e.is_empty());
        }
    }

    #[test]
    fn different_people_do_not_match() {
        for (a, b) in [
            ("Kim Min-jun", "Kim Min-seo"),
            ("Sato Yuki", "Saito Yuki"),
            ("John Smith", "Jane Smith"),
            ("Kim Min-jun", "Park Ji-hoon"),
            ("Sato Kenji", "Tanaka Kenji"),
            ("Daniel Kim", "KIM SANG MAN"),
        ] {
            let s = sim(a, b);
            assert!(s < SAME_PERSON, "{a} vs {b}: {s}");
        }
        assert!(sim("John Smith", "Wang Wei") < UNRELATED);
        assert!(sim("Sato Kenji", "Li Hua") < UNRELATED);
    }

    #[test]
    fn middle_name_is_discounted_not_ignored() {
        let (s, e) = name_similarity("Maria Elena Garcia", "Maria Garcia");
        assert!((SAME_PERSON..1.0).contains(&s), "{s}");
        assert!(
            e.iter()
                .any(|p| p.how == "dropped_middle" && p.a == "Elena")
        );
        // The reverse order reports the dropped word on the other side.
        let (_, e) = name_similarity("Maria Garcia", "Maria Elena Garcia");
        assert!(
            e.iter()
                .any(|p| p.how == "dropped_middle" && p.b == "Elena")
        );
    }

    #[test]
    fn best_identity_match_picks_the_former_name() {
        let m = best_identity_match("Emily Johnson", &["Emily Carter", "Emily Johnson"]).unwrap();
        assert_eq!(m.name, "Emily Johnson");
        assert!(m.score >= SAME_PERSON);
        assert!(best_identity_match("", &["x"]).is_none());
        assert!(best_identity_match("Emily", &[]).is_none());
    }

    #[test]
    fn han_names_are_flagged_as_hard_to_compare() {
        assert!(!comparable_scripts("佐々木七海", "Nanami Sasaki"));
        assert!(comparable_scripts("김민준", "Kim Min-jun"));
        assert!(comparable_scripts("サトウ ケンジ", "Kenji Sato"));
        assert!(comparable_scripts("佐藤健二", "佐藤 健二"));
    }

    #[test]
    fn businesses_are_recognised() {
        for n in [
            "Manila Dev Agency Inc.",
            "Bright Code Solutions LLC",
            "株式会社テック",
            "深圳市某某科技有限公司",
            "Acme GmbH",
        ] {
            assert!(looks_like_business(n), "{n}");
        }
        for n in ["Kim Min-jun", "Maria Garcia", "佐藤 健二", "Agnes Ng"] {
            assert!(!looks_like_business(n), "{n}");
        }
    }
}
