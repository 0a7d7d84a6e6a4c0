//! RF-HISTORY-SKEWED — suspicious work history and ratings (技術レビューでの高評価偽装、
//! 業界偏重の職歴).
//!
//! What is measured, in the profiles' `employment`, `education` and `bio`, and the reviews:
//! * **Anachronism** (weight 0.6): a technology named before it existed, from the table
//!   [`TECH`] (Rust 2010, Go 2009, Swift 2014, Kotlin 2011, Solidity 2014, Ethereum 2015, React
//!   2013, Vue 2014, Flutter 2017, TypeScript 2012, Kubernetes 2014, Docker 2013, Node.js 2009,
//!   Terraform 2014, GPT/LLM 2018, ...). A job *title* naming the technology must not start
//!   before its release; a *description* may mention a technology adopted during the job, so it
//!   counts only when the job *ended* before the release; a degree that ended before it counts.
//! * **One-industry history** (0.4): at least `concentration` of at least `min_jobs` jobs in
//!   blockchain/crypto (the industry the joint statement names).
//! * **Overlapping full-time jobs** (0.35 per pair, at most two pairs): two jobs of one profile
//!   overlapping by at least `min_overlap_months`, neither marked part-time, freelance,
//!   contract, consultant or internship.
//! * **Uniform top ratings** (0.15, deliberately weak): at least `min_reviews` reviews, all at
//!   the maximum rating.
//! * **Reused résumé text** (0.7): the same bio or job description (normalised: lower case,
//!   punctuation and spacing removed; at least `min_text_len` characters) in the profiles of
//!   several subjects (at most `max_sharing_subjects`: a text in more profiles is a template).
//!   Every involved subject gets a finding listing the others.
//!
//! Strength is `1 − Π(1 − w)` over the signals found.
//!
//! False positives: careers do concentrate in one field, hence the high share and minimum
//! number of jobs; consultants hold several roles at once, hence the part-time markers; good
//! freelancers do collect many five-star reviews, hence the small weight; the SWIFT banking
//! network is not Swift the language (the keyword is case-sensitive), and a job that started
//! before Kubernetes may well have adopted it later (descriptions only count for jobs that ended
//! before the release). Short generic phrases are below `min_text_len` and never count as reuse.

use crate::normalize::normalize_text;
use crate::util::{SharedIndex, Sharers, affected_also, loose_month};
use crate::{Affected, Dataset, Detector, DetectorSpec, Population, SubjectData, state};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashSet};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "history_skewed",
    raises: &["RF-HISTORY-SKEWED"],
    summary: "technology named before it existed, one-industry (crypto) history, overlapping full-time jobs, uniform top ratings, résumé text reused across accounts",
    false_positives: "high share and minimum job count for concentration; part-time/freelance/contract roles may overlap; uniform top ratings weigh little; descriptions may name technologies adopted mid-job; case-sensitive keywords (SWIFT vs Swift)",
};

/// One technology: shown name, first public release year, lower-case keywords matched as
/// whole words, and case-sensitive keywords.
pub struct Tech {
    pub name: &'static str,
    pub year: i64,
    pub words: &'static [&'static str],
    pub exact: &'static [&'static str],
}

const fn tech(
    name: &'static str,
    year: i64,
    words: &'static [&'static str],
    exact: &'static [&'static str],
) -> Tech {
    Tech {
        name,
        year,
        words,
        exact,
    }
}

/// First public release years (Rust: first announced 2010, 1.0 in 2015; Ethereum: main net
/// 2015).
pub const TECH: &[Tech] = &[
    tech("Rust", 2010, &["rust", "rustlang"], &[]),
    tech(
        "Go",
        2009,
        &["golang", "go developer", "go engineer", "go programmer"],
        &[],
    ),
    tech("Swift", 2014, &["swiftui"], &["Swift"]),
    tech("Kotlin", 2011, &["kotlin"], &[]),
    tech("Solidity", 2014, &["solidity"], &[]),
    tech("Ethereum", 2015, &["ethereum", "erc20", "erc-20"], &[]),
    tech("React", 2013, &["reactjs", "react.js"], &["React"]),
    tech("React Native", 2015, &["react native"], &[]),
    tech("Vue", 2014, &["vue", "vue.js", "vuejs"], &[]),
    tech("Flutter", 2017, &["flutter"], &[]),
    tech("TypeScript", 2012, &["typescript"], &[]),
    tech("Kubernetes", 2014, &["kubernetes", "k8s"], &[]),
    tech("Docker", 2013, &["docker"], &[]),
    tech("Node.js", 2009, &["node.js", "nodejs"], &[]),
    tech("Terraform", 2014, &["terraform"], &[]),
    tech(
        "GPT/LLM",
        2018,
        &[
            "gpt",
            "llm",
            "llms",
            "large language model",
            "large language models",
        ],
        &[],
    ),
    tech("ChatGPT", 2022, &["chatgpt"], &[]),
    tech("Bitcoin", 2009, &["bitcoin"], &[]),
    tech("AngularJS", 2010, &["angularjs"], &[]),
    tech("Next.js", 2016, &["next.js", "nextjs"], &[]),
    tech("GraphQL", 2015, &["graphql"], &[]),
    tech("TensorFlow", 2015, &["tensorflow"], &[]),
    tech("PyTorch", 2016, &["pytorch"], &[]),
    tech("DeFi", 2018, &["defi"], &[]),
    tech("NFT", 2017, &["nft", "nfts"], &[]),
];

/// Words that put a job in blockchain/crypto.
const CRYPTO_WORDS: &[&str] = &[
    "blockchain",
    "crypto",
    "cryptocurrency",
    "web3",
    "defi",
    "nft",
    "nfts",
    "dex",
    "ethereum",
    "solidity",
    "smart contract",
    "smart contracts",
    "bitcoin",
    "ブロックチェーン",
    "暗号資産",
    "仮想通貨",
];

/// Markers of roles that may legitimately overlap with another job.
const PART_TIME: &[&str] = &[
    "part-time",
    "part time",
    "freelance",
    "freelancer",
    "contract",
    "contractor",
    "consultant",
    "consulting",
    "self-employed",
    "intern",
    "internship",
    "advisor",
    "volunteer",
    "パート",
    "業務委託",
    "副業",
    "フリーランス",
];

/// Parameters (`[detectors.history_skewed]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Jobs needed before the industry share is judged.
    pub min_jobs: usize,
    /// Share of the jobs in blockchain/crypto that counts as one-industry history.
    pub concentration: f64,
    /// Months two full-time jobs must overlap.
    pub min_overlap_months: i64,
    /// Reviews needed before uniform top ratings count.
    pub min_reviews: usize,
    /// Shortest normalised text (characters) compared for reuse across subjects.
    pub min_text_len: usize,
    /// A text shared by more subjects than this is a template and not counted as reuse.
    pub max_sharing_subjects: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_jobs: 3,
            concentration: 0.8,
            min_overlap_months: 6,
            min_reviews: 8,
            min_text_len: 60,
            max_sharing_subjects: 20,
        }
    }
}

pub struct HistorySkewed(pub Params);

/// Whether `needle` occurs in `hay` as whole words (no letter or digit just outside).
fn has_word(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let a = from + i;
        let b = a + needle.len();
        let before = hay[..a].chars().next_back();
        let after = hay[b..].chars().next();
        let ascii_needle = needle.is_ascii();
        let ok = |c: Option<char>| !(ascii_needle && c.is_some_and(|c| c.is_alphanumeric()));
        if ok(before) && ok(after) {
            return true;
        }
        from = a + needle.len().max(1);
    }
    false
}

/// The technologies a text names.
pub fn techs_in(text: &str) -> Vec<&'static Tech> {
    let lc = text.to_lowercase();
    TECH.iter()
        .filter(|t| {
            t.words.iter().any(|w| has_word(&lc, w)) || t.exact.iter().any(|w| has_word(text, w))
        })
        .collect()
}

fn year_of(month: i64) -> i64 {
    month.div_euclid(12)
}

fn is_crypto(text: &str) -> bool {
    // "Smart-contract engineer" and "smart_contract" are spelled with joiners as often as not.
    let lc = text.to_lowercase().replace(['-', '_'], " ");
    CRYPTO_WORDS.iter().any(|w| has_word(&lc, w))
}

fn is_part_time(text: &str) -> bool {
    let lc = text.to_lowercase();
    PART_TIME.iter().any(|w| has_word(&lc, w))
}

struct Signal {
    kind: &'static str,
    weight: f64,
    records: Vec<String>,
    en: String,
    ja: String,
    detail: serde_json::Value,
}

fn job_text(e: &kensa_model::record::Employment) -> String {
    [
        e.employer.as_deref(),
        e.title.as_deref(),
        e.description.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

impl HistorySkewed {
    /// The subject's résumé texts long enough to compare (bios and job descriptions,
    /// normalised), each with the profile record it is in.
    fn texts<'s>(&self, s: &'s SubjectData) -> impl Iterator<Item = (String, &'s str)> {
        let min = self.0.min_text_len;
        s.profiles.iter().flat_map(move |pr| {
            let bios = pr.r.bio.iter().map(String::as_str);
            let descs =
                pr.r.employment
                    .iter()
                    .filter_map(|e| e.description.as_deref());
            bios.chain(descs)
                .map(normalize_text)
                .filter(move |n| n.chars().count() >= min)
                .map(move |n| (n, pr.id.as_str()))
        })
    }

    fn own_signals(&self, s: &SubjectData) -> Vec<Signal> {
        let p = &self.0;
        let mut out = Vec::new();
        // Anachronisms, deduplicated over profiles from several sources.
        let mut seen: BTreeSet<(String, &'static str)> = BTreeSet::new();
        for pr in &s.profiles {
            for e in &pr.r.employment {
                let from = e.from.as_deref().and_then(|d| loose_month(d, false));
                let to = e.to.as_deref().and_then(|d| loose_month(d, true));
                let title = e.title.as_deref().unwrap_or("");
                let mut hits: Vec<(&Tech, &str, i64)> = Vec::new();
                if let Some(f) = from {
                    hits.extend(
                        techs_in(title)
                            .into_iter()
                            .filter(|t| year_of(f) < t.year)
                            .map(|t| (t, "title", year_of(f))),
                    );
                }
                if let (Some(t_end), Some(d)) = (to, e.description.as_deref()) {
                    hits.extend(
                        techs_in(d)
                            .into_iter()
                            .filter(|t| year_of(t_end) < t.year)
                            .map(|t| (t, "description", year_of(t_end))),
                    );
                }
                for (t, field, year) in hits {
                    let who = format!("{}|{}", e.employer.as_deref().unwrap_or(""), title);
                    if !seen.insert((who, t.name)) {
                        continue;
                    }
                    let job = format!("{title} at {}", e.employer.as_deref().unwrap_or("?"));
                    let when = if field == "title" { "from" } else { "ending" };
                    out.push(Signal {
                        kind: "anachronism",
                        weight: 0.6,
                        records: vec![pr.id.clone()],
                        en: format!(
                            "the job \"{job}\" {when} {year} names {} (released {})",
                            t.name, t.year
                        ),
                        ja: format!(
                            "{year}年{}の職歴「{job}」に{}（{}年公開）が記載されています",
                            if field == "title" { "開始" } else { "終了" },
                            t.name,
                            t.year
                        ),
                        detail: json!({"job": job, "field": field, "year": year,
                                       "technology": t.name, "released": t.year}),
                    });
                }
            }
            for ed in &pr.r.education {
                let end = ed
                    .to
                    .as_deref()
                    .or(ed.from.as_deref())
                    .and_then(|d| loose_month(d, true));
                let text = [ed.degree.as_deref(), ed.institution.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let Some(end) = end else { continue };
                for t in techs_in(&text) {
                    if year_of(end) < t.year && seen.insert((text.clone(), t.name)) {
                        out.push(Signal {
                            kind: "anachronism",
                            weight: 0.6,
                            records: vec![pr.id.clone()],
                            en: format!(
                                "the education \"{text}\" ending {} names {} (released {})",
                                year_of(end),
                                t.name,
                                t.year
                            ),
                            ja: format!(
                                "{}年修了の学歴「{text}」に{}（{}年公開）が記載されています",
                                year_of(end),
                                t.name,
                                t.year
                            ),
                            detail: json!({"education": text, "year": year_of(end),
                                           "technology": t.name, "released": t.year}),
                        });
                    }
                }
            }
        }

        // One-industry history and overlaps: judged on the profile with the most jobs.
        if let Some(pr) = s.profiles.iter().max_by_key(|pr| pr.r.employment.len()) {
            let jobs = &pr.r.employment;
            let crypto = jobs.iter().filter(|e| is_crypto(&job_text(e))).count();
            if jobs.len() >= p.min_jobs && crypto as f64 >= p.concentration * jobs.len() as f64 {
                out.push(Signal {
                    kind: "one_industry",
                    weight: 0.4,
                    records: vec![pr.id.clone()],
                    en: format!("{crypto} of {} jobs are in blockchain/crypto", jobs.len()),
                    ja: format!(
                        "職歴{}件のうち{crypto}件がブロックチェーン・暗号資産業界（業界偏重の職歴）です",
                        jobs.len()
                    ),
                    detail: json!({"jobs": jobs.len(), "crypto_jobs": crypto}),
                });
            }
            // Ongoing jobs end at the latest month the profile mentions.
            let latest = jobs
                .iter()
                .flat_map(|e| {
                    [
                        e.from.as_deref().and_then(|d| loose_month(d, false)),
                        e.to.as_deref().and_then(|d| loose_month(d, true)),
                    ]
                })
                .flatten()
                .chain(
                    pr.r.observed_at
                        .and_then(crate::util::civil_date)
                        .map(|d| d.year() as i64 * 12 + d.month() as i64 - 1),
                )
                .max();
            let spans: Vec<(usize, i64, i64)> = jobs
                .iter()
                .enumerate()
                .filter(|(_, e)| !is_part_time(&job_text(e)))
                .filter_map(|(i, e)| {
                    let f = loose_month(e.from.as_deref()?, false)?;
                    let t = match e.to.as_deref() {
                        Some(t) => loose_month(t, true).or(latest)?,
                        None => latest?,
                    };
                    Some((i, f, t))
                })
                .collect();
            let mut pairs = 0;
            for a in 0..spans.len() {
                for b in a + 1..spans.len() {
                    let (i, f1, t1) = spans[a];
                    let (j, f2, t2) = spans[b];
                    let overlap = t1.min(t2) - f1.max(f2) + 1;
                    if overlap >= p.min_overlap_months && pairs < 2 {
                        pairs += 1;
                        let name = |k: usize| {
                            format!(
                                "{} at {}",
                                jobs[k].title.as_deref().unwrap_or("?"),
                                jobs[k].employer.as_deref().unwrap_or("?")
                            )
                        };
                        out.push(Signal {
                            kind: "overlapping_jobs",
                            weight: 0.35,
                            records: vec![pr.id.clone()],
                            en: format!(
                                "full-time jobs \"{}\" and \"{}\" overlap by {overlap} months",
                                name(i),
                                name(j)
                            ),
                            ja: format!(
                                "常勤の職歴「{}」と「{}」が{overlap}か月重複しています",
                                name(i),
                                name(j)
                            ),
                            detail: json!({"jobs": [name(i), name(j)], "overlap_months": overlap}),
                        });
                    }
                }
            }
        }

        // Uniform top ratings.
        if s.reviews.len() >= p.min_reviews && s.reviews.iter().all(|r| r.r.normalized() >= 0.999) {
            out.push(Signal {
                kind: "uniform_top_ratings",
                weight: 0.15,
                records: s.reviews.iter().take(50).map(|r| r.id.clone()).collect(),
                en: format!("all {} reviews give the maximum rating", s.reviews.len()),
                ja: format!(
                    "{}件のレビューがすべて最高評価です（技術レビューでの高評価偽装の可能性）",
                    s.reviews.len()
                ),
                detail: json!({"reviews": s.reviews.len()}),
            });
        }
        out
    }
}

impl Detector for HistorySkewed {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["subject", "review"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn population_inputs(&self) -> &'static [&'static str] {
        &["subject"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        // Résumé texts across subjects: normalised text → subject → profile records.
        let mut texts: BTreeMap<String, Sharers<BTreeSet<String>>> = BTreeMap::new();
        for s in &ds.subjects {
            for (n, pr) in self.texts(s) {
                texts
                    .entry(n)
                    .or_default()
                    .entry(s.id.clone())
                    .or_default()
                    .insert(pr.to_owned());
            }
        }
        Box::new(SharedTexts {
            texts: SharedIndex::new(texts),
            max_sharing_subjects: self.0.max_sharing_subjects,
        })
    }

    fn evaluate(&self, _: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        let shared = &state::<SharedTexts>(pop).texts;
        let mut signals = self.own_signals(s);
        // The subject's texts that others use too, in text order.
        let mine: BTreeSet<String> = self.texts(s).map(|(n, _)| n).collect();
        for text in &mine {
            let Some(subjects) = shared.get(text) else {
                continue;
            };
            // A text in very many profiles is a template (a platform default, a school's course
            // description), not one operator's résumé.
            if subjects.len() > p.max_sharing_subjects {
                continue;
            }
            let Some(recs) = subjects.get(&s.id) else {
                continue;
            };
            let others: Vec<&str> = subjects
                .keys()
                .map(String::as_str)
                .filter(|o| *o != s.id)
                .collect();
            let excerpt: String = text.chars().take(80).collect();
            let list = others.join(", ");
            signals.push(Signal {
                kind: "reused_text",
                weight: 0.7,
                records: recs.iter().cloned().collect(),
                en: format!(
                    "the same résumé text (\"{excerpt}…\") appears in the profiles of {} other subject(s): {list}",
                    others.len()
                ),
                ja: format!(
                    "同じ経歴文（「{excerpt}…」）が他の{}名（{list}）のプロフィールにも使われています",
                    others.len()
                ),
                detail: json!({"excerpt": excerpt, "other_subjects": others}),
            });
        }
        if signals.is_empty() {
            return Vec::new();
        }
        let strength = 1.0 - signals.iter().map(|q| 1.0 - q.weight).product::<f64>();
        let records: BTreeSet<String> = signals
            .iter()
            .flat_map(|q| q.records.iter().cloned())
            .collect();
        let kinds: BTreeSet<&str> = signals.iter().map(|q| q.kind).collect();
        let list: Vec<serde_json::Value> = signals
            .iter()
            .map(|q| json!({"signal": q.kind, "weight": q.weight, "detail": q.detail}))
            .collect();
        let en: Vec<&str> = signals.iter().map(|q| q.en.as_str()).collect();
        let ja: Vec<&str> = signals.iter().map(|q| q.ja.as_str()).collect();
        vec![Finding {
            subject_id: s.id.clone(),
            id: "RF-HISTORY-SKEWED".into(),
            detector: SPEC.name.into(),
            strength: strength.clamp(0.01, 1.0),
            evidence: Evidence::default()
                .records(records)
                .value("signals_found", json!(kinds))
                .value("signals", serde_json::Value::Array(list))
                .threshold("min_jobs", p.min_jobs)
                .threshold("concentration", p.concentration)
                .threshold("min_overlap_months", p.min_overlap_months)
                .threshold("min_reviews", p.min_reviews)
                .threshold("min_text_len", p.min_text_len)
                .threshold("max_sharing_subjects", p.max_sharing_subjects),
            explanation: Text::new(
                format!("Suspicious work history or ratings: {}.", en.join("; ")),
                format!(
                    "技術レビューでの高評価偽装、業界偏重の職歴などの疑いがあります：{}。",
                    ja.join("。")
                ),
            ),
        }]
    }
}

/// Population state: the résumé texts (bios, job descriptions) that several subjects' profiles
/// contain, with the profile records of each.
pub struct SharedTexts {
    texts: SharedIndex<BTreeSet<String>>,
    max_sharing_subjects: usize,
}

impl Population for SharedTexts {
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let before = state::<SharedTexts>(before);
        let max = self.max_sharing_subjects;
        // Another subject's signal for a text names who else uses it: it moves when the set of
        // subjects moves while the text is reuse (not a template) before or after.
        let shared = |m: Option<&Sharers<BTreeSet<String>>>| m.is_some_and(|m| m.len() <= max);
        fn same_subjects<V>(a: Option<&Sharers<V>>, b: Option<&Sharers<V>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a.keys().eq(b.keys()),
                (a, b) => a.is_none() && b.is_none(),
            }
        }
        affected_also(self.texts.reached(&before.texts, touched, |old, new| {
            (shared(old) || shared(new)) && !same_subjects(old, new)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(recs: Vec<serde_json::Value>) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, r) in recs.into_iter().enumerate() {
            let mut v = r;
            v["record_id"] = format!("r{i}").into();
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    const BIO: &str = "Senior blockchain engineer with 8 years of experience building DeFi protocols, \
                       NFT marketplaces and cross-chain bridges for global clients.";

    #[test]
    fn keyword_matching_respects_words_and_case() {
        let names = |t: &str| techs_in(t).iter().map(|t| t.name).collect::<Vec<_>>();
        assert_eq!(names("Senior Rust developer"), ["Rust"]);
        assert!(names("SWIFT payments messaging; trust and safety").is_empty());
        assert_eq!(names("Built apps in Swift and React"), ["Swift", "React"]);
        // Industry words are matched across joiners, still as whole words.
        assert!(is_crypto("TokenGate Protocol Smart-contract engineer"));
        assert!(is_crypto("smart_contract auditor"));
        assert!(!is_crypto("Smartcontractor Ltd, site manager"));
    }

    #[test]
    fn fabricated_crypto_history_fires_with_reuse_listed_for_each_subject() {
        let job = |emp: &str, title: &str, from: &str, to: &str| json!({"employer": emp, "title": title, "from": from, "to": to});
        let f = HistorySkewed(Params::default()).run(&ds(vec![
            json!({"kind":"subject","subject_id":"u1","source":"resume","bio":BIO,"employment":[
                job("ChainLabs", "Solidity Engineer", "2012-01", "2015-06"),
                job("DeFi Corp", "Blockchain Developer", "2015-07", "2019-12"),
                job("Web3 Studio", "Smart contract lead", "2020-01", "2024-12"),
            ]}),
            json!({"kind":"subject","subject_id":"u2","source":"freelance_platform","bio":BIO}),
        ]));
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].evidence.values["signals_found"],
            json!(["anachronism", "one_industry", "reused_text"])
        );
        assert_eq!(f[1].subject_id, "u2");
        assert_eq!(
            f[1].evidence.values["signals"][0]["detail"]["other_subjects"],
            json!(["u1"])
        );
        assert!(f[0].explanation.ja.contains("業界偏重の職歴"));
    }

    #[test]
    fn a_template_text_in_very_many_profiles_is_not_reuse() {
        // Regression: a boilerplate shared by thousands made every subject list every other.
        let recs = (0..25)
            .map(|i| json!({"kind":"subject","subject_id":format!("t{i}"),"source":"fp","bio":BIO}))
            .collect();
        assert!(HistorySkewed(Params::default()).run(&ds(recs)).is_empty());
    }

    #[test]
    fn an_ordinary_career_does_not_fire_and_top_ratings_alone_are_weak() {
        let mut recs = vec![
            json!({"kind":"subject","subject_id":"u3","source":"resume","employment":[
                {"employer":"Acme Bank","title":"Backend Engineer","from":"2008-04","to":"2016-03",
                 "description":"Java services; later migrated deployment to Docker and Kubernetes"},
                {"employer":"Acme Bank","title":"SWIFT integration lead","from":"2010-01","to":"2011-01",
                 "description":"Part-time secondment"},
                {"employer":"Shop Inc","title":"Staff Engineer","from":"2016-04"}
            ]}),
        ];
        for i in 0..9 {
            recs.push(
                json!({"kind":"review","subject_id":"u3","reviewer_id":format!("c{i}"),
                "at":format!("2026-0{}-01T00:00:00Z", 1 + i % 9),"rating":5}),
            );
        }
        let f = HistorySkewed(Params::default()).run(&ds(recs));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence.values["signals_found"],
            json!(["uniform_top_ratings"])
        );
        assert!(f[0].strength < 0.2);
    }
}
