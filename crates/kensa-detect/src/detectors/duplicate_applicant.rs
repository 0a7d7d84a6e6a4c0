//! RF-LINK-SHARED-IDENTITY — duplicate applicants: near-identical résumés under different names
//! (同一人物による複数アカウント: 酷似した経歴書).
//!
//! Source: FBI PSA I-012325-PSA (January 2025) lists "duplicate or near-duplicate résumés and
//! applicant profiles, shared contact details across applicants" among the signs of DPRK IT
//! workers; the US DOJ indictments of 2024–2025 describe one operator running many applicant
//! profiles from one template. Shared e-mail addresses, phones and identical texts already link
//! accounts in the identifier graph (`shared_identity`); this detector finds the *near* copies —
//! the same résumé with the name, a year or a skill changed — that an exact comparison misses.
//!
//! What is measured: each subject's résumé text (profile `bio`, `headline` and employment
//! descriptions of every source), lower-cased with punctuation removed, as a set of
//! overlapping `shingle_chars`-character pieces (so that Japanese and Chinese text, which has no
//! spaces, compare as well as English). Subjects with fewer than `min_shingles` pieces are not
//! compared. Only *rare* pieces count: a piece held by more than `max_df` subjects is template
//! text (counted in a count-min sketch of fixed memory), and a text needs `min_rare_shingles`
//! rare pieces to be compared. Candidate pairs come from MinHash locality-sensitive hashing of
//! the rare pieces (32 hashes in 8 bands of 4), and each candidate's exact Jaccard similarity of
//! the rare sets must reach `min_similarity`.
//! Pairs form groups; a subject in a group fires with `pair_strength` (one other applicant) or
//! `group_strength` (two or more).
//!
//! False positives: bio templates copied widely ("I have been building products with X for N
//! years...") and the boilerplate of one agency. Template sentences are common pieces and drop
//! out, so two people who filled one template with other skills or years share too little rare
//! text to be compared; a MinHash bucket with more than `max_bucket` subjects, and a group
//! larger than `max_group`, is a template, not an operator, and is left out; two subjects that
//! name the same current employer (no end date; self-employment aside) in their profiles —
//! colleagues sharing a company text — are not paired.

use crate::normalize::{company, normalize_text};
use crate::util::{affected_also, round2};
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData, state};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "duplicate_applicant",
    raises: &["RF-LINK-SHARED-IDENTITY"],
    summary: "near-identical résumé texts (bio, headline, job descriptions) under different subjects, by MinHash and exact Jaccard similarity of character shingles — duplicate applicants (FBI, Jan 2025)",
    false_positives: "widely copied bio templates (crowded MinHash buckets, groups over max_group) are left out; colleagues naming the same current employer are not paired; short texts are not compared",
};

/// Parameters (`[detectors.duplicate_applicant]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Characters per shingle.
    pub shingle_chars: usize,
    /// Shingles a résumé text needs to be compared.
    pub min_shingles: usize,
    /// Subjects whose texts hold a shingle above which it is template text (not compared).
    pub max_df: usize,
    /// Rare shingles (held by at most `max_df` subjects) a text needs to be compared.
    pub min_rare_shingles: usize,
    /// Jaccard similarity of two texts' shingle sets from which they are near-duplicates.
    pub min_similarity: f64,
    /// Subjects in one MinHash bucket above which the bucket is a template and skipped.
    pub max_bucket: usize,
    /// Largest group of near-duplicates that still counts as one operator's accounts.
    pub max_group: usize,
    /// Strength with one near-duplicate applicant.
    pub pair_strength: f64,
    /// Strength with two or more.
    pub group_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            shingle_chars: 5,
            min_shingles: 60,
            max_df: 6,
            min_rare_shingles: 40,
            min_similarity: 0.8,
            max_bucket: 50,
            max_group: 6,
            pair_strength: 0.5,
            group_strength: 0.7,
        }
    }
}

pub struct DuplicateApplicant(pub Params);

/// Words of an employer that is no employer (lower case, matched inside the normalised name).
const SELF_EMPLOYED: &[&str] = &[
    "freelance",
    "self employed",
    "self-employed",
    "independent",
    "contractor",
    "個人事業",
    "フリーランス",
    "自営",
];

const HASHES: usize = 32;
const ROWS: usize = 4;

/// The résumé text of a subject: every profile's bio, headline and job descriptions.
fn resume_text(s: &SubjectData) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in &s.profiles {
        parts.extend(p.r.headline.as_deref());
        parts.extend(p.r.bio.as_deref());
        parts.extend(p.r.employment.iter().filter_map(|e| e.description.as_deref()));
    }
    let mut seen = HashSet::new();
    parts.retain(|t| seen.insert(normalize_text(t)));
    normalize_text(&parts.join(" "))
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The set of shingle hashes of a text, sorted.
fn shingles(text: &str, k: usize) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < k {
        return Vec::new();
    }
    let mut v: Vec<u64> = chars
        .windows(k)
        .map(|w| {
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            for c in w {
                h = mix(h ^ u64::from(*c as u32));
            }
            h
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both).max(1) as f64
}

/// The band keys of a shingle set's MinHash signature.
fn bands(set: &[u64]) -> [u64; HASHES / ROWS] {
    let mut sig = [u64::MAX; HASHES];
    for &h in set {
        for (i, m) in sig.iter_mut().enumerate() {
            let v = mix(h ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i as u64 + 1)));
            if v < *m {
                *m = v;
            }
        }
    }
    let mut out = [0u64; HASHES / ROWS];
    for (b, o) in out.iter_mut().enumerate() {
        let mut h = b as u64;
        for v in &sig[b * ROWS..(b + 1) * ROWS] {
            h = mix(h ^ v);
        }
        *o = h;
    }
    out
}

/// A count-min sketch of shingle counts: three rows of saturating 16-bit counters.
struct Sketch {
    rows: Vec<Vec<u16>>,
    mask: u64,
}

impl Sketch {
    fn new(subjects: usize) -> Sketch {
        // ~64 counters per subject (a résumé has a few hundred shingles, most shared), between
        // 2^12 and 2^22 per row: at most 24 MiB.
        let width = (subjects.saturating_mul(64)).next_power_of_two().clamp(1 << 12, 1 << 22);
        Sketch {
            rows: vec![vec![0; width]; 3],
            mask: width as u64 - 1,
        }
    }
    fn slot(&self, h: u64, row: usize) -> usize {
        (mix(h ^ (row as u64 + 1).wrapping_mul(0xd6e8_feb8_6659_fd93)) & self.mask) as usize
    }
    fn add(&mut self, h: u64) {
        for r in 0..self.rows.len() {
            let i = self.slot(h, r);
            self.rows[r][i] = self.rows[r][i].saturating_add(1);
        }
    }
    fn count(&self, h: u64) -> usize {
        (0..self.rows.len())
            .map(|r| self.rows[r][self.slot(h, r)])
            .min()
            .unwrap_or(0) as usize
    }
}

/// Population state: each subject's near-duplicate applicants and their similarity.
pub struct Duplicates {
    matches: HashMap<String, Vec<(String, f64)>>,
}

impl Population for Duplicates {
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> crate::Affected {
        let before = state::<Duplicates>(before);
        let mut also: BTreeSet<&str> = BTreeSet::new();
        for sid in self.matches.keys().chain(before.matches.keys()) {
            if touched.contains(sid.as_str()) {
                continue;
            }
            if self.matches.get(sid) != before.matches.get(sid) {
                also.insert(sid);
            }
        }
        affected_also(also.into_iter().map(str::to_owned).collect())
    }
}

impl Detector for DuplicateApplicant {
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
    fn population_inputs(&self) -> &'static [&'static str] {
        &["subject"]
    }

    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        let p = &self.0;
        // How many subjects' texts hold each shingle (a count-min sketch: a fixed memory
        // whatever the population; it can only overestimate, which drops a shingle as common).
        let texts = || {
            ds.subjects
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.profiles.is_empty())
                .map(|(i, s)| (i, shingles(&resume_text(s), p.shingle_chars)))
                .filter(|(_, v)| v.len() >= p.min_shingles)
        };
        let mut sketch = Sketch::new(ds.subjects.len());
        for (_, set) in texts() {
            for &h in &set {
                sketch.add(h);
            }
        }
        // Candidates: subjects with enough rare text, and their sets of rare shingles.
        let sets: Vec<(usize, Vec<u64>)> = texts()
            .map(|(i, mut set)| {
                set.retain(|&h| sketch.count(h) <= p.max_df);
                (i, set)
            })
            .filter(|(_, v)| v.len() >= p.min_rare_shingles)
            .collect();
        drop(sketch);
        let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
        for (k, (_, set)) in sets.iter().enumerate() {
            for (b, key) in bands(set).into_iter().enumerate() {
                buckets.entry((b, key)).or_default().push(k);
            }
        }
        let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
        for members in buckets.values() {
            if members.len() < 2 || members.len() > p.max_bucket {
                continue;
            }
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    pairs.insert((a.min(b), a.max(b)));
                }
            }
        }
        // Current employers (no end date), self-employment left out: colleagues share them.
        let employers = |i: usize| -> BTreeSet<String> {
            ds.subjects[i]
                .profiles
                .iter()
                .flat_map(|p| p.r.employment.iter())
                .filter(|e| {
                    e.to.as_deref().is_none_or(|t| {
                        let t = t.trim().to_lowercase();
                        t.is_empty() || t == "present" || t == "current" || t == "現在"
                    })
                })
                .filter_map(|e| e.employer.as_deref())
                .map(company)
                .filter(|c| !c.is_empty() && !SELF_EMPLOYED.iter().any(|w| c.contains(w)))
                .collect()
        };
        let mut edges: Vec<(usize, usize, f64)> = Vec::new();
        for (a, b) in pairs {
            let sim = jaccard(&sets[a].1, &sets[b].1);
            if sim < p.min_similarity {
                continue;
            }
            let (ia, ib) = (sets[a].0, sets[b].0);
            if !employers(ia).is_disjoint(&employers(ib)) {
                continue;
            }
            edges.push((ia, ib, sim));
        }
        // Groups (union-find over the pairs); groups too large are templates.
        let mut parent: HashMap<usize, usize> = HashMap::new();
        fn find(parent: &mut HashMap<usize, usize>, x: usize) -> usize {
            let p = *parent.entry(x).or_insert(x);
            if p == x {
                return x;
            }
            let r = find(parent, p);
            parent.insert(x, r);
            r
        }
        for &(a, b, _) in &edges {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent.insert(ra.max(rb), ra.min(rb));
            }
        }
        let mut size: HashMap<usize, usize> = HashMap::new();
        let nodes: Vec<usize> = parent.keys().copied().collect();
        for x in nodes {
            *size.entry(find(&mut parent, x)).or_default() += 1;
        }
        let mut matches: HashMap<String, Vec<(String, f64)>> = HashMap::new();
        for (a, b, sim) in edges {
            if size[&find(&mut parent, a)] > p.max_group {
                continue;
            }
            let (na, nb) = (&ds.subjects[a].id, &ds.subjects[b].id);
            matches
                .entry(na.clone())
                .or_default()
                .push((nb.clone(), round2(sim)));
            matches
                .entry(nb.clone())
                .or_default()
                .push((na.clone(), round2(sim)));
        }
        for m in matches.values_mut() {
            m.sort_by(|x, y| x.0.cmp(&y.0));
        }
        Box::new(Duplicates { matches })
    }

    fn evaluate(&self, _: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        let Some(m) = state::<Duplicates>(pop).matches.get(&s.id) else {
            return Vec::new();
        };
        let strength = if m.len() >= 2 {
            p.group_strength
        } else {
            p.pair_strength
        };
        let best = m.iter().map(|x| x.1).fold(0.0, f64::max);
        let others: BTreeMap<&str, f64> = m.iter().map(|(o, sim)| (o.as_str(), *sim)).collect();
        let list = others.keys().copied().collect::<Vec<_>>().join(", ");
        let pct = (p.min_similarity * 100.0).round();
        vec![Finding {
            subject_id: s.id.clone(),
            id: "RF-LINK-SHARED-IDENTITY".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(s.profiles.iter().map(|p| p.id.clone()).take(10))
                .value(
                    "near_duplicates",
                    json!(others.iter().map(|(o, sim)| json!({"subject_id": o, "similarity": sim})).collect::<Vec<_>>()),
                )
                .value("best_similarity", best)
                .threshold("min_similarity", p.min_similarity)
                .threshold("min_shingles", p.min_shingles)
                .threshold("max_group", p.max_group),
            explanation: Text::new(
                format!(
                    "The résumé text (bio, headline, job descriptions) is a near copy of {} \
                     other applicant(s): {list} (similarity up to {}%, threshold {pct}%). One \
                     operator applying under several identities reuses one résumé.",
                    others.len(),
                    (best * 100.0).round()
                ),
                format!(
                    "経歴の文章（自己紹介・見出し・職務内容）が、他の応募者{}名（{list}）とほぼ同一です\
                     （類似度最大{}%、しきい値{pct}%）。同一人物が複数の身元で応募し、同じ経歴書を使い回す手口に当たります。",
                    others.len(),
                    (best * 100.0).round()
                ),
            ),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ds;
    use serde_json::Value;

    fn profile(sid: &str, bio: &str, employer: &str) -> Value {
        json!({"kind":"subject","subject_id":sid,"source":"freelance_platform","bio":bio,
            "employment":[{"employer":employer,"title":"Engineer","from":"2020-01"},
                {"employer":"Acme Ltd","title":"Engineer","from":"2015-01","to":"2019-12"},
                {"employer":"Self-employed (freelance)","title":"Engineer","from":"2014-01","to":"2014-12"}]})
    }

    const TEMPLATE: &str = "Senior full-stack engineer with {Y} years of experience building SaaS \
        platforms for fintech and e-commerce clients. I led the migration of a payment gateway \
        to microservices on AWS, cut page load times by 60 percent and mentored a team of five. \
        Strong in React, Node.js, TypeScript, PostgreSQL and Docker; I write tests first and \
        document everything. My name is {N} and I am available full time in your time zone.";

    /// Issue 17 item 8: three applicants whose résumés are the same text with the name and the
    /// years changed fire (a group). Look-alikes: honest people whose bios share a short template
    /// sentence, and two colleagues of one agency sharing the company boilerplate — silent.
    #[test]
    fn near_copies_of_one_resume_fire_and_templates_and_colleagues_do_not() {
        let mut lines = Vec::new();
        for (i, (name, years)) in [("Alex Kim", "8"), ("Brian Lee", "9"), ("Chris Park", "7")]
            .iter()
            .enumerate()
        {
            let bio = TEMPLATE.replace("{Y}", years).replace("{N}", name);
            lines.push(profile(&format!("op{i}"), &bio, &format!("Startup {i}")));
        }
        // Honest: the same closing sentence, otherwise their own words.
        let honest = [
            "Backend developer focused on Go and Kubernetes; I built the billing system of a \
             Berlin logistics start-up and run its on-call rota. I write tests first and \
             document everything.",
            "Mobile engineer (Swift, Kotlin) who shipped three banking apps in Manila and Cebu, \
             with accessibility audits and offline sync. I write tests first and document \
             everything.",
        ];
        for (i, b) in honest.iter().enumerate() {
            lines.push(profile(&format!("h{i}"), b, &format!("Own {i}")));
        }
        // Colleagues of one agency: the agency's text, each with one own sentence.
        let agency = "Brightpath Digital Solutions builds web and mobile products for clients in \
            Australia, the US and Europe from our Makati office; our engineers work in your hours \
            and every project has a dedicated QA lead and project manager.";
        lines.push(profile("ag1", &format!("{agency} I am a React developer."), "Brightpath Digital Solutions Inc."));
        lines.push(profile("ag2", &format!("{agency} I am a QA engineer."), "Brightpath Digital Solutions"));
        let f = DuplicateApplicant(Params::default()).run(&ds(&lines));
        let ids: Vec<&str> = f.iter().map(|f| f.subject_id.as_str()).collect();
        assert_eq!(ids, ["op0", "op1", "op2"], "{f:?}");
        assert_eq!(f[0].strength, 0.7);
        assert_eq!(f[0].id, "RF-LINK-SHARED-IDENTITY");
        assert_eq!(f[0].evidence.values["near_duplicates"][0]["subject_id"], "op1");
        assert!(f[0].evidence.values["best_similarity"].as_f64().unwrap() >= 0.8);
        assert!(f[0].explanation.ja.contains("ほぼ同一"), "{}", f[0].explanation.ja);
    }

    /// A widely copied template (more applicants than `max_group`) is not an operator.
    #[test]
    fn a_template_used_by_many_is_left_out() {
        let lines: Vec<Value> = (0..10)
            .map(|i| {
                let bio = TEMPLATE.replace("{Y}", &(i + 3).to_string()).replace("{N}", "me");
                profile(&format!("t{i}"), &bio, &format!("Own {i}"))
            })
            .collect();
        let f = DuplicateApplicant(Params::default()).run(&ds(&lines));
        assert!(f.is_empty(), "{f:?}");
    }
}
