//! RF-REVIEW-MANIPULATION (detector `review_manipulation`) — high ratings written by fake
//! accounts of the same operator.
//!
//! For every reviewee the detector scores each reviewer on four signals, all from data the
//! platform holds (and that DD-REVIEW-AUDIT asks a reviewer to look at):
//! * **linked to the reviewee** in the identifier graph ([`crate::link`]): same device, same
//!   payout destination (the 2022 advisory's "client and developer paid to one PayPal"), same
//!   e-mail or phone (`linked_score`), or only the same IP — the review's `reviewer_ip` counts
//!   as the reviewer's — or address (`location_linked_score`);
//! * **new account**: the reviewer's `account_created_at` is at most `new_account` before the
//!   review (`new_account_score`);
//! * **burst**: the reviewer rated at least `burst_min_reviewees` different people highly
//!   (≥ `high_rating`) within `burst_window` (`burst_score`), counted only for accounts younger
//!   than `burst_max_account_age` (or of unknown age);
//! * **single target**: a new account whose only reviewee is this subject
//!   (`single_target_score`, on top of `new_account_score`) — an account made to rate one
//!   freelancer;
//! * **reviewers share an IP**: the review came from an address another reviewer of this
//!   subject also reviewed from (`shared_ip_score`; mobile, corporate and relay addresses
//!   excepted);
//! * **anonymized**: the review came from a hosting, VPN, Tor or proxy address
//!   (`anonymized_score`);
//! * and, for the reviewee as a whole, a **too perfect** distribution: at least
//!   `perfect_min_reviews` reviews, all at the maximum (`perfect_bonus` to the strength, never a
//!   reason to fire on its own).
//!
//! A reviewee fires when the reviewers' scores add up to `min_score`; strength is the sum over
//! `full_score` (plus the bonus). The reviewers that are linked to the reviewee get a finding
//! of their own at `reviewer_factor` × their score (they are subjects too: ring accounts). The
//! evidence holds the DD-REVIEW-AUDIT table: reviewer ids, registration dates, days between
//! registration and review, ratings, reviewer IPs and the shared identifiers (masked).
//!
//! False positives: a genuinely new client leaving one enthusiastic review is common (one new
//! account scores 0.4 < `min_score`); a busy client rating several freelancers in a week is a
//! burst alone (0.4), and established clients (older than `burst_max_account_age`) never
//! count as a burst; excellent freelancers have only five-star reviews (a bonus, not a
//! trigger). A reviewer and reviewee behind the same mobile carrier NAT or corporate egress
//! share no weighted identifier (the graph gives those addresses no weight), and a client and
//! a freelancer in one office share only a location (0.6, still below `min_score`); two
//! colleagues reviewing from one office line score 0.3 each, and one client behind a VPN 0.3.

use crate::link::{self, GraphParams, LinkGraph, diff};
use crate::params::Dur;
use crate::{
    Affected, Change, Dataset, Detector, DetectorSpec, Population, Rec, SubjectData, state,
    state_mut,
};
use kensa_model::intel::NetClass;
use kensa_model::record::Review;
use kensa_model::{Evidence, Finding, Text, Ts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "review_manipulation",
    raises: &["RF-REVIEW-MANIPULATION"],
    summary: "reviews from accounts linked to the reviewee (device, payout, IP), created just before reviewing (to rate this one freelancer), rating many people in a burst, sharing an IP with other reviewers, or posting from hosting/VPN networks",
    false_positives: "one new client, one busy client, one client behind a VPN or two colleagues on one office line stay below min_score; a perfect rating history only adds to other signals; mobile/corporate addresses link nobody",
};

/// Parameters (`[detectors.review_manipulation]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// A reviewer account created at most this long before the review is new.
    pub new_account: Dur,
    /// Window for the burst signal.
    pub burst_window: Dur,
    /// Distinct reviewees rated highly within `burst_window` for a burst.
    pub burst_min_reviewees: usize,
    /// Bursts count only for reviewer accounts younger than this at the review (or of unknown
    /// age): an established client hiring several freelancers at once is ordinary.
    pub burst_max_account_age: Dur,
    /// A rating at or above this share of the maximum is high.
    pub high_rating: f64,
    /// Reviews needed before "all at the maximum" means anything.
    pub perfect_min_reviews: usize,
    /// Score of a reviewer sharing a strong identifier (device, payout, e-mail...) with the
    /// reviewee.
    pub linked_score: f64,
    /// Score of a reviewer sharing only an IP or postal address with the reviewee.
    pub location_linked_score: f64,
    pub new_account_score: f64,
    /// Added for a new account whose only reviewee is this subject (an account made to rate
    /// one freelancer).
    pub single_target_score: f64,
    pub burst_score: f64,
    /// Score of a reviewer whose review came from the same IP address as another reviewer's
    /// review of this subject (not a mobile, corporate or relay address).
    pub shared_ip_score: f64,
    /// Score of a reviewer whose review came from a hosting, VPN, Tor or proxy address.
    pub anonymized_score: f64,
    /// Sum of reviewer scores needed for a finding.
    pub min_score: f64,
    /// Sum of reviewer scores at which strength reaches 1.
    pub full_score: f64,
    /// Added to the strength when the distribution is too perfect.
    pub perfect_bonus: f64,
    /// Strength of a linked reviewer's own finding, per point of its score.
    pub reviewer_factor: f64,
    /// The identifier graph.
    pub graph: GraphParams,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            new_account: Dur::days(14),
            burst_window: Dur::days(7),
            burst_min_reviewees: 3,
            burst_max_account_age: Dur::days(90),
            high_rating: 0.9,
            perfect_min_reviews: 5,
            linked_score: 1.0,
            location_linked_score: 0.6,
            new_account_score: 0.4,
            single_target_score: 0.2,
            burst_score: 0.4,
            shared_ip_score: 0.3,
            anonymized_score: 0.3,
            min_score: 1.0,
            full_score: 3.0,
            perfect_bonus: 0.15,
            reviewer_factor: 0.65,
            graph: GraphParams::default(),
        }
    }
}

pub struct ReviewManipulation(pub Params);

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Per reviewer: the largest number of distinct reviewees rated highly within the window.
fn bursts<'a>(ds: &'a Dataset, p: &Params) -> HashMap<&'a str, usize> {
    let mut by_reviewer: HashMap<&str, Vec<(Ts, &str)>> = HashMap::new();
    for s in &ds.subjects {
        for r in &s.reviews {
            if r.r.normalized() >= p.high_rating {
                by_reviewer
                    .entry(r.r.reviewer_id.as_str())
                    .or_default()
                    .push((r.r.at, s.id.as_str()));
            }
        }
    }
    by_reviewer
        .into_iter()
        .map(|(rv, v)| (rv, burst_of(v, p)))
        .collect()
}

/// One reviewer's burst count from its high ratings (time, reviewee): the most distinct
/// reviewees inside one window, counted as the window slides (linear; counting each window
/// afresh was quadratic, 0.3 s for a client with 2,500 reviews on one day).
fn burst_of(mut v: Vec<(Ts, &str)>, p: &Params) -> usize {
    let w = p.burst_window.millis();
    v.sort();
    let mut inside: HashMap<&str, usize> = HashMap::new();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..v.len() {
        *inside.entry(v[hi].1).or_default() += 1;
        while v[hi].0.0 - v[lo].0.0 > w {
            if let Some(n) = inside.get_mut(v[lo].1) {
                *n -= 1;
                if *n == 0 {
                    inside.remove(v[lo].1);
                }
            }
            lo += 1;
        }
        best = best.max(inside.len());
    }
    best
}

/// A reviewer's registration: `account_created_at` of its first profile that states one.
fn registered(ds: &Dataset, rid: &str) -> Option<Ts> {
    ds.get(rid)
        .and_then(|x| x.profiles.iter().find_map(|pr| pr.r.account_created_at))
}

/// What the scoring of one review found.
struct Scored<'a> {
    review: &'a Rec<Review>,
    registered: Option<Ts>,
    age_days: Option<f64>,
    score: f64,
    reasons: Vec<&'static str>,
    /// The edge between reviewee and reviewer, if they share identifiers.
    edge: Option<&'a link::Edge>,
    burst: usize,
    /// The reviewer counts for this reviewee at this review (its first review scoring > 0).
    counted: bool,
}

/// What the state keeps of one reviewer.
#[derive(Debug, Default, PartialEq)]
struct Reviewer {
    /// `account_created_at` of the reviewer's first profile that states one.
    registered: Option<Ts>,
    /// The burst count ([`bursts`]), 0 without high ratings.
    burst: usize,
    /// The subjects it reviewed, sorted, each once.
    reviewees: Vec<String>,
}

/// A linked reviewer's own finding: best score, reviewees, review record ids.
#[derive(Debug, Default, PartialEq)]
struct Ring {
    score: f64,
    reviewees: BTreeSet<String>,
    records: Vec<String>,
}

/// The population state: the identifier graph (none when the data set holds no review), every
/// reviewer's registration and burst count, the reviewees that fire, and the linked
/// reviewers' findings (they depend on whether the reviewees they are linked to fire).
pub struct State {
    graph: Option<Arc<LinkGraph>>,
    reviewers: HashMap<String, Reviewer>,
    firing: HashSet<String>,
    ring: BTreeMap<String, Ring>,
}

impl Population for State {
    /// A reviewee's finding depends on its own reviews, on each reviewer's registration and
    /// burst count and on the edge between the two; a linked reviewer's finding on its [`Ring`]
    /// entry. So the affected subjects are: the reviewees (old and new) of touched reviewers
    /// whose registration or burst count changed, and reviewees whose edge to one of their
    /// reviewers differs (both ends then have changed identifiers, [`diff::changed_subjects`]),
    /// in both cases only if they fire in either state (one that fires in neither has no
    /// finding as a reviewee); and reviewers whose ring entry differs. Nothing
    /// population-wide is used.
    fn affected(&self, before: &dyn Population, touched: &HashSet<&str>) -> Affected {
        let old = state::<State>(before);
        let fires = |x: &str| old.firing.contains(x) || self.firing.contains(x);
        let mut out: BTreeSet<&str> = BTreeSet::new();
        let none = Reviewer::default();
        for &t in touched {
            let (a, b) = (
                old.reviewers.get(t).unwrap_or(&none),
                self.reviewers.get(t).unwrap_or(&none),
            );
            // Whether the reviewer rated one subject only (the single-target signal).
            let single = |x: &Reviewer| x.reviewees.len() == 1;
            if (a.registered, a.burst, single(a)) != (b.registered, b.burst, single(b)) {
                out.extend(
                    a.reviewees
                        .iter()
                        .chain(&b.reviewees)
                        .map(String::as_str)
                        .filter(|x| fires(x)),
                );
            }
        }
        if let (Some(og), Some(ng)) = (&old.graph, &self.graph) {
            let changed = diff::changed_subjects(og, ng);
            for &r in &changed {
                for st in [old, self] {
                    let Some(rv) = st.reviewers.get(r) else {
                        continue;
                    };
                    for x in &rv.reviewees {
                        if fires(x)
                            && changed.contains(x.as_str())
                            && !diff::same_edge(og, ng, x, r)
                        {
                            out.insert(x);
                        }
                    }
                }
            }
        }
        for name in old.ring.keys().chain(self.ring.keys()) {
            if old.ring.get(name) != self.ring.get(name) {
                out.insert(name);
            }
        }
        diff::besides(out, touched)
    }
}

impl ReviewManipulation {
    /// Scores the reviews of one reviewee: the sum over counted reviewers, and per review what
    /// was found.
    fn score<'a>(
        &self,
        ds: &Dataset,
        g: &'a LinkGraph,
        reviewers: &HashMap<String, Reviewer>,
        s: &'a SubjectData,
    ) -> (f64, Vec<Scored<'a>>) {
        let p = &self.0;
        // A reviewer linked to the reviewee is in the reviewee's part of the graph.
        let part = g.part(&s.id);
        let me = part.and_then(|gp| Some((gp, gp.index_of(&s.id)?)));
        // Addresses two or more reviewers of this subject reviewed from (addresses shared by
        // design — mobile NAT, corporate egress, privacy relays — do not count).
        let mut by_ip: HashMap<std::net::IpAddr, BTreeSet<&str>> = HashMap::new();
        for r in &s.reviews {
            if let Some(ip) = r.r.reviewer_ip {
                by_ip.entry(ip).or_default().insert(r.r.reviewer_id.as_str());
            }
        }
        let shared_by_design = |ip: std::net::IpAddr| {
            ds.ip_info(ip).is_some_and(|i| {
                i.has_class(NetClass::Mobile)
                    || i.has_class(NetClass::Corporate)
                    || i.has_class(NetClass::Relay)
            })
        };
        let mut total = 0.0;
        let mut counted: BTreeSet<&str> = BTreeSet::new();
        let mut out = Vec::with_capacity(s.reviews.len());
        for r in &s.reviews {
            let rid = r.r.reviewer_id.as_str();
            let reviewer = reviewers.get(rid);
            let registered = reviewer.and_then(|x| x.registered);
            let age_days = registered.map(|c| (r.r.at.0 - c.0) as f64 / 86_400_000.0);
            let mut score = 0.0;
            let mut reasons: Vec<&'static str> = Vec::new();
            let edge = me.and_then(|(gp, me)| Some((gp, gp.edge_between(me, gp.index_of(rid)?)?)));
            if let Some((gp, e)) = edge {
                if e.idents.iter().any(|&k| gp.idents[k as usize].strong) {
                    score += p.linked_score;
                    reasons.push("linked_strong");
                } else {
                    score += p.location_linked_score;
                    reasons.push("linked_location");
                }
            }
            if age_days
                .is_some_and(|d| (0.0..=p.new_account.millis() as f64 / 86_400_000.0).contains(&d))
            {
                score += p.new_account_score;
                reasons.push("new_account");
                if reviewer.is_some_and(|x| x.reviewees.len() == 1) {
                    score += p.single_target_score;
                    reasons.push("single_target");
                }
            }
            if let Some(ip) = r.r.reviewer_ip {
                if by_ip.get(&ip).is_some_and(|v| v.len() >= 2) && !shared_by_design(ip) {
                    score += p.shared_ip_score;
                    reasons.push("reviewers_share_ip");
                }
                if ds.ip_info(ip).is_some_and(|i| i.is_anonymizer()) {
                    score += p.anonymized_score;
                    reasons.push("anonymized_ip");
                }
            }
            let b = reviewer.map_or(0, |x| x.burst);
            let young = age_days
                .is_none_or(|d| d <= p.burst_max_account_age.millis() as f64 / 86_400_000.0);
            if b >= p.burst_min_reviewees && young {
                score += p.burst_score;
                reasons.push("burst");
            }
            // A reviewer counts once per reviewee, at its best review.
            let is_counted = score > 0.0 && counted.insert(rid);
            if is_counted {
                total += score;
            }
            out.push(Scored {
                review: r,
                registered,
                age_days,
                score,
                reasons,
                edge: edge.map(|(_, e)| e),
                burst: b,
                counted: is_counted,
            });
        }
        (total, out)
    }

    /// The finding about a reviewee, if its reviewers' scores reach `min_score`.
    fn reviewee(&self, ds: &Dataset, st: &State, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let g = st.graph.as_deref()?;
        if s.reviews.is_empty() {
            return None;
        }
        let (total, scored) = self.score(ds, g, &st.reviewers, s);
        if total < p.min_score {
            return None;
        }
        let mut audit: Vec<(f64, serde_json::Value)> = Vec::new();
        let mut records: Vec<String> = Vec::new();
        let mut counted: BTreeSet<&str> = BTreeSet::new();
        let mut reasons_seen: BTreeMap<&str, usize> = BTreeMap::new();
        for x in &scored {
            let r = x.review;
            let rid = r.r.reviewer_id.as_str();
            if x.counted {
                counted.insert(rid);
                for y in &x.reasons {
                    *reasons_seen.entry(y).or_default() += 1;
                }
                records.push(r.id.clone());
            }
            let shared: Vec<serde_json::Value> = x
                .edge
                .zip(g.part(&s.id))
                .map(|(e, gp)| e.idents.iter().map(|&k| link::ident_json(gp, k)).collect())
                .unwrap_or_default();
            audit.push((
                x.score,
                serde_json::json!({
                    "review": r.id,
                    "reviewer": rid,
                    "at": r.r.at.to_rfc3339(),
                    "rating": r.r.rating,
                    "max_rating": r.r.max_rating.unwrap_or(5.0),
                    "registered": x.registered.map(|t| t.to_rfc3339()),
                    "days_after_registration": x.age_days.map(round),
                    "reviewer_ip": r.r.reviewer_ip.map(|i| i.to_string()),
                    "shared_identifiers": shared,
                    "burst_reviewees": x.burst,
                    "score": round(x.score),
                    "reasons": x.reasons,
                }),
            ));
        }
        let n = s.reviews.len();
        let perfect =
            n >= p.perfect_min_reviews && s.reviews.iter().all(|r| r.r.normalized() >= 0.999);
        let strength =
            (total / p.full_score + if perfect { p.perfect_bonus } else { 0.0 }).clamp(0.05, 1.0);
        // Suspicious reviewers first, then by time.
        audit.sort_by(|a, b| b.0.total_cmp(&a.0));
        let audit: Vec<serde_json::Value> = audit.into_iter().take(30).map(|x| x.1).collect();
        let suspicious: Vec<&str> = counted.iter().copied().collect();
        let mean = s.reviews.iter().map(|r| r.r.normalized()).sum::<f64>() / n as f64;
        let reasons_en: Vec<String> = reasons_seen
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect();
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-REVIEW-MANIPULATION".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("suspicious_reviewers", serde_json::json!(suspicious))
                .value("reasons", serde_json::json!(reasons_seen))
                .value("reviewer_score_sum", round(total))
                .value("reviews", n)
                .value("mean_rating_share", round(mean))
                .value("all_maximum", perfect)
                .value("dd_review_audit", serde_json::Value::Array(audit))
                .threshold("min_score", p.min_score)
                .threshold("full_score", p.full_score)
                .threshold("new_account", p.new_account.to_string())
                .threshold("burst_window", p.burst_window.to_string())
                .threshold("burst_min_reviewees", p.burst_min_reviewees)
                .threshold("burst_max_account_age", p.burst_max_account_age.to_string())
                .threshold("perfect_min_reviews", p.perfect_min_reviews)
                .threshold("linked_score", p.linked_score)
                .threshold("location_linked_score", p.location_linked_score)
                .threshold("new_account_score", p.new_account_score)
                .threshold("single_target_score", p.single_target_score)
                .threshold("burst_score", p.burst_score)
                .threshold("shared_ip_score", p.shared_ip_score)
                .threshold("anonymized_score", p.anonymized_score),
            explanation: Text::new(
                format!(
                    "{} of {n} reviews come from suspicious reviewer accounts ({}; {}): \
                     reviewer score {total:.1} (threshold {}).{} Audit the reviewers \
                     (DD-REVIEW-AUDIT): registration dates, shared IPs and devices.",
                    suspicious.len(),
                    suspicious
                        .iter()
                        .take(10)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                    reasons_en.join(", "),
                    p.min_score,
                    if perfect {
                        " Every review is at the maximum rating."
                    } else {
                        ""
                    }
                ),
                format!(
                    "{n}件のレビューのうち{}件が不審なレビュアー（{}）によるものです。レビュー対象者と識別子\
                     （端末・受取口座・IP）を共有する、レビュー直前に作成された、短期間に多数を高評価する、\
                     レビュアー同士が同じIPから投稿する、ホスティング・VPNから投稿するなどの特徴があり、スコアは{total:.1}（しきい値{}）です。{}レビューアカウントの登録日・\
                     共有IP等を確認してください（DD-REVIEW-AUDIT）。",
                    suspicious.len(),
                    suspicious
                        .iter()
                        .take(10)
                        .copied()
                        .collect::<Vec<_>>()
                        .join("、"),
                    p.min_score,
                    if perfect {
                        "すべてのレビューが満点です。"
                    } else {
                        ""
                    }
                ),
            ),
        })
    }

    /// The finding about a reviewer linked to reviewees that fire.
    fn ring(&self, r: &Ring, s: &SubjectData) -> Finding {
        let p = &self.0;
        let (score, reviewees, records) = (r.score, &r.reviewees, r.records.clone());
        let reviewees: Vec<String> = reviewees.iter().cloned().collect();
        let strength = (p.reviewer_factor * score).clamp(0.05, 1.0);
        Finding {
            subject_id: s.id.clone(),
            id: "RF-REVIEW-MANIPULATION".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records)
                .value("reviewed_subjects", serde_json::json!(reviewees))
                .value("reviewer_score", round(score))
                .threshold("reviewer_factor", p.reviewer_factor),
            explanation: Text::new(
                format!(
                    "This account reviewed {} while sharing identifiers with them (device, payout \
                     account or IP): a likely fake reviewer of a review ring.",
                    reviewees.join(", ")
                ),
                format!(
                    "このアカウントは識別子（端末・受取口座・IP）を共有する相手（{}）をレビューしており、\
                     自作自演のレビュー用アカウントの可能性があります。",
                    reviewees.join("、")
                ),
            ),
        }
    }
}

impl Detector for ReviewManipulation {
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
    fn shared_identifiers_only(&self) -> bool {
        true
    }
    fn population_inputs(&self) -> &'static [&'static str] {
        diff::GRAPH_INPUTS
    }
    fn population(&self, ds: &Dataset) -> Box<dyn Population> {
        let p = &self.0;
        if !ds.has_reviews() {
            return Box::new(State {
                graph: None,
                reviewers: HashMap::new(),
                firing: HashSet::new(),
                ring: BTreeMap::new(),
            });
        }
        let g = ds.link_graph(&p.graph);
        let burst = bursts(ds, p);
        let mut reviewers: HashMap<String, Reviewer> = HashMap::new();
        for s in &ds.subjects {
            for r in &s.reviews {
                let rid = r.r.reviewer_id.as_str();
                if !reviewers.contains_key(rid) {
                    reviewers.insert(
                        rid.to_owned(),
                        Reviewer {
                            registered: registered(ds, rid),
                            burst: burst.get(rid).copied().unwrap_or(0),
                            reviewees: Vec::new(),
                        },
                    );
                }
                if let Some(x) = reviewers.get_mut(rid) {
                    x.reviewees.push(s.id.clone());
                }
            }
        }
        for x in reviewers.values_mut() {
            x.reviewees.sort_unstable();
            x.reviewees.dedup();
        }
        // Linked reviewers of the reviewees that fire, in data-set order of the reviewees.
        let mut ring: BTreeMap<String, Ring> = BTreeMap::new();
        let mut firing: HashSet<String> = HashSet::new();
        for s in ds.subjects.iter().filter(|s| !s.reviews.is_empty()) {
            let (total, scored) = self.score(ds, &g, &reviewers, s);
            if total < p.min_score {
                continue;
            }
            firing.insert(s.id.clone());
            for x in scored.iter().filter(|x| x.counted && x.edge.is_some()) {
                let e = ring.entry(x.review.r.reviewer_id.clone()).or_default();
                e.score = e.score.max(x.score);
                e.reviewees.insert(s.id.clone());
                e.records.push(x.review.id.clone());
            }
        }
        Box::new(State {
            graph: Some(g),
            reviewers,
            firing,
            ring,
        })
    }
    /// In place: the reviewers of the touched reviewees (and touched reviewers) are read
    /// again; the reviewees they rated, the touched ones and those in replaced parts of the
    /// graph are scored again; and the ring entries of the reviewers those reviewees count
    /// are rebuilt. Rebuilt from scratch when the state was made without reviews or from a
    /// graph this one was not updated from.
    fn update_population(
        &self,
        state: &mut dyn Population,
        ds: &Dataset,
        change: &Change<'_>,
    ) -> Option<Affected> {
        let p = &self.0;
        let st = state_mut::<State>(state);
        if !ds.has_reviews() {
            return st.graph.is_none().then_some(Affected::Touched);
        }
        let og = st.graph.clone()?;
        let g = ds.link_graph(&p.graph);
        if g.version() != og.version() && g.delta().is_none_or(|d| d.from != og.version()) {
            return None;
        }
        let has_reviews = |x: &str| ds.get(x).is_some_and(|s| !s.reviews.is_empty());
        let reviewed_by = |x: &str, rid: &str| {
            ds.get(x)
                .is_some_and(|s| s.reviews.iter().any(|r| r.r.reviewer_id == rid))
        };
        // Reviewers to read again: what they reviewed comes with reviews, when they
        // registered with their profiles.
        let mut refresh: BTreeSet<&str> = BTreeSet::new();
        let (reviews, profiles) = (
            change.kinds.contains("review"),
            change.kinds.contains("subject"),
        );
        for &i in change.touched.iter().filter(|_| reviews || profiles) {
            let s = &ds.subjects[i];
            refresh.extend(s.reviews.iter().map(|r| r.r.reviewer_id.as_str()));
            if st.reviewers.contains_key(&s.id) {
                refresh.insert(s.id.as_str());
            }
        }
        // Reviewees to score again.
        let mut rescore: BTreeSet<String> = change
            .touched_ids
            .iter()
            .filter(|x| has_reviews(x))
            .map(|x| (*x).to_owned())
            .collect();
        for rid in refresh {
            let mut reviewees: BTreeSet<String> = st
                .reviewers
                .get(rid)
                .map(|x| x.reviewees.iter().cloned().collect())
                .unwrap_or_default();
            for &i in change.touched {
                let s = &ds.subjects[i];
                if s.reviews.iter().any(|r| r.r.reviewer_id == rid) {
                    reviewees.insert(s.id.clone());
                }
            }
            let high: Vec<(Ts, &str)> = reviewees
                .iter()
                .filter_map(|e| ds.get(e))
                .flat_map(|s| {
                    s.reviews
                        .iter()
                        .filter(|r| r.r.reviewer_id == rid && r.r.normalized() >= p.high_rating)
                        .map(|r| (r.r.at, s.id.as_str()))
                })
                .collect();
            let new = Reviewer {
                registered: registered(ds, rid),
                burst: burst_of(high, p),
                reviewees: reviewees.iter().cloned().collect(),
            };
            if st.reviewers.get(rid) != Some(&new) {
                if let Some(old) = st.reviewers.insert(rid.to_owned(), new) {
                    rescore.extend(old.reviewees);
                }
                rescore.extend(reviewees);
            }
        }
        if g.version() != og.version() {
            rescore.extend(
                diff::changed_subjects(&og, &g)
                    .into_iter()
                    .filter(|x| has_reviews(x))
                    .map(str::to_owned),
            );
        }
        st.graph = Some(g.clone());
        // Score them; note whose ring entries may move.
        let was_firing: HashSet<String> = rescore
            .iter()
            .filter(|x| st.firing.contains(*x))
            .cloned()
            .collect();
        let mut rings: BTreeSet<String> = BTreeSet::new();
        for e in &rescore {
            let Some(s) = ds.get(e) else { continue };
            for r in &s.reviews {
                let rid = &r.r.reviewer_id;
                if st.ring.get(rid).is_some_and(|x| x.reviewees.contains(e)) {
                    rings.insert(rid.clone());
                }
            }
            let (total, scored) = self.score(ds, &g, &st.reviewers, s);
            if total >= p.min_score {
                st.firing.insert(e.clone());
                rings.extend(
                    scored
                        .iter()
                        .filter(|x| x.counted && x.edge.is_some())
                        .map(|x| x.review.r.reviewer_id.clone()),
                );
            } else {
                st.firing.remove(e);
            }
        }
        // Ring entries rebuilt from the firing reviewees that count each reviewer, in
        // data-set order of the reviewees (as `population` builds them).
        let mut moved: Vec<String> = Vec::new();
        for rid in rings {
            let mut cands: Vec<(usize, &str)> = st
                .ring
                .get(&rid)
                .map(|x| x.reviewees.iter().map(String::as_str).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .chain(
                    rescore
                        .iter()
                        .map(String::as_str)
                        .filter(|e| reviewed_by(e, &rid)),
                )
                .filter(|e| st.firing.contains(*e))
                .filter_map(|e| Some((ds.index_of(e)?, e)))
                .collect();
            cands.sort_unstable();
            cands.dedup();
            let mut entry = Ring::default();
            for (_, e) in cands {
                let Some(s) = ds.get(e) else { continue };
                let (_, scored) = self.score(ds, &g, &st.reviewers, s);
                for x in scored
                    .iter()
                    .filter(|x| x.counted && x.edge.is_some() && x.review.r.reviewer_id == rid)
                {
                    entry.score = entry.score.max(x.score);
                    entry.reviewees.insert(e.to_owned());
                    entry.records.push(x.review.id.clone());
                }
            }
            let new = (!entry.reviewees.is_empty()).then_some(entry);
            if st.ring.get(&rid) != new.as_ref() {
                moved.push(rid.clone());
                match new {
                    Some(n) => st.ring.insert(rid, n),
                    None => st.ring.remove(&rid),
                };
            }
        }
        let out: BTreeSet<&str> = rescore
            .iter()
            .filter(|x| was_firing.contains(*x) || st.firing.contains(*x))
            .chain(moved.iter())
            .map(String::as_str)
            .collect();
        Some(diff::besides(out, change.touched_ids))
    }
    fn evaluate(&self, ds: &Dataset, pop: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        let st = state::<State>(pop);
        let mut out: Vec<Finding> = self.reviewee(ds, st, s).into_iter().collect();
        if let Some(r) = st.ring.get(&s.id) {
            out.push(self.ring(r, s));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::tests::{ds, intel, login};
    use kensa_model::intel::NetClass;

    fn review(sub: &str, rv: &str, day: u32, rating: u32, ip: &str) -> String {
        format!(
            r#"{{"kind":"review","subject_id":"{sub}","reviewer_id":"{rv}","at":"2026-09-{day:02}T12:00:00Z","rating":{rating},"max_rating":5,"reviewer_ip":"{ip}"}}"#
        )
    }

    fn client(id: &str, created: &str) -> String {
        format!(
            r#"{{"kind":"subject","subject_id":"{id}","source":"platform","account_created_at":"{created}T00:00:00Z"}}"#
        )
    }

    /// Issue 17, item 6. Carriers: brand-new accounts made to rate one freelancer, reviewing
    /// from one address; new single-target accounts reviewing from VPN exits. Look-alikes: two
    /// established colleagues on one office line, one new client, one client behind a VPN.
    /// The sliding count equals counting every window afresh (the quadratic way it was).
    #[test]
    fn burst_counts_distinct_reviewees_of_the_busiest_window() {
        let p = Params::default();
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..50 {
            let v: Vec<(Ts, &str)> = (0..(round % 40))
                .map(|_| {
                    let day = (next() % 30) as i64;
                    (Ts(day * 86_400_000), names[(next() % 7) as usize])
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort();
            let w = p.burst_window.millis();
            let naive = (0..sorted.len())
                .map(|hi| {
                    sorted[..=hi]
                        .iter()
                        .filter(|x| sorted[hi].0.0 - x.0.0 <= w)
                        .map(|x| x.1)
                        .collect::<BTreeSet<_>>()
                        .len()
                })
                .max()
                .unwrap_or(0);
            assert_eq!(burst_of(v, &p), naive, "round {round}");
        }
    }

    /// Established clients' reviews fire nothing until the clients turn out to log in from
    /// the reviewee's laptop: a link that arrives in a later batch, without a review. The
    /// state updated in place equals the rebuilt one, and names the reviewee and the ring.
    #[test]
    fn a_link_arriving_after_the_reviews_is_found_in_place() {
        let det = ReviewManipulation(Params::default());
        let mut lines = vec![login("x", "73.1.1.1", "laptop-x")];
        for k in 0..2u32 {
            let rv = format!("client{k}");
            lines.push(client(&rv, "2019-01-01"));
            lines.push(review("x", &rv, 10 + k, 5, &format!("73.2.2.{k}")));
        }
        let mut d = ds(&lines);
        d.index_identifiers(&det.0.graph);
        let mut st = det.population(&d);
        assert!(state::<State>(&*st).firing.is_empty());
        let recs: Vec<(String, kensa_model::Record)> = ["client0", "client1"]
            .iter()
            .map(|c| {
                let v = kensa_model::validate_value(
                    serde_json::from_str(&login(c, "73.3.3.3", "laptop-x")).unwrap(),
                )
                .unwrap();
                (v.record_id, v.record)
            })
            .collect();
        let mut side = crate::Sidecar::default();
        let added = d.add_records(&mut side, recs);
        assert!(added.shared_changed);
        let ids: HashSet<&str> = added
            .touched
            .iter()
            .map(|&i| d.subjects[i].id.as_str())
            .collect();
        let change = Change {
            touched: &added.touched,
            touched_ids: &ids,
            kinds: &added.kinds,
        };
        let reach = det
            .update_population(&mut *st, &d, &change)
            .expect("updated in place");
        assert_eq!(reach, Affected::Also(vec!["x".to_owned()]));
        let (a, b) = (state::<State>(&*st), det.population(&d));
        let b = state::<State>(&*b);
        assert_eq!(a.firing, b.firing);
        assert_eq!(a.ring, b.ring);
        assert_eq!(a.reviewers, b.reviewers);
        assert!(b.firing.contains("x") && b.ring.contains_key("client0"));
    }

    #[test]
    fn reviewers_sharing_an_ip_or_hiding_behind_vpns_fire_and_colleagues_do_not() {
        let mut lines = Vec::new();
        for k in 0..3u32 {
            let rv = format!("shill{k}");
            lines.push(client(&rv, "2026-09-08"));
            lines.push(review("dev1", &rv, 10 + k, 5, "73.1.1.1"));
            let vp = format!("vpnshill{k}");
            lines.push(client(&vp, "2026-09-08"));
            lines.push(review("dev2", &vp, 10 + k, 5, &format!("185.2.2.{k}")));
        }
        for c in ["colleague-a", "colleague-b"] {
            lines.push(client(c, "2019-01-01"));
            lines.push(review("hon1", c, 12, 5, "73.9.9.9"));
            // Established clients review others too.
            lines.push(review("someone-else", c, 2, 4, "73.9.9.9"));
        }
        lines.push(client("newbie", "2026-09-08"));
        lines.push(review("hon2", "newbie", 12, 5, "73.8.8.8"));
        lines.push(client("private", "2018-01-01"));
        lines.push(review("hon3", "private", 12, 5, "185.2.2.9"));
        lines.push(client("newbie2", "2026-09-08"));
        lines.push(review("hon3", "newbie2", 13, 5, "73.7.7.7"));
        let mut d = ds(&lines);
        for ip in ["73.1.1.1", "73.9.9.9", "73.8.8.8", "73.7.7.7"] {
            intel(&mut d, ip, &[]);
        }
        for k in [0, 1, 2, 9] {
            intel(&mut d, &format!("185.2.2.{k}"), &[NetClass::Vpn]);
        }
        let f = ReviewManipulation(Params::default()).run(&d);
        let firing: BTreeSet<&str> = f
            .iter()
            .filter(|f| f.evidence.values.get("suspicious_reviewers").is_some())
            .map(|f| f.subject_id.as_str())
            .collect();
        assert_eq!(firing, ["dev1", "dev2"].into_iter().collect(), "{f:#?}");
        let dev1 = f.iter().find(|f| f.subject_id == "dev1").unwrap();
        let reasons = &dev1.evidence.values["reasons"];
        assert_eq!(reasons["reviewers_share_ip"], 3, "{reasons}");
        assert_eq!(reasons["single_target"], 3, "{reasons}");
        let dev2 = f.iter().find(|f| f.subject_id == "dev2").unwrap();
        assert_eq!(dev2.evidence.values["reasons"]["anonymized_ip"], 3);
        assert!(dev1.explanation.ja.contains("同じIP"), "{}", dev1.explanation.ja);
    }

    #[test]
    fn ring_of_new_accounts_on_the_reviewees_vps_and_device_fires() {
        let mut lines = vec![login("dev", "45.77.1.1", "laptop-x")];
        for k in 0..5u32 {
            let rv = format!("ring{k}");
            let day = 5 + 4 * k;
            lines.push(client(&rv, &format!("2026-09-{:02}", day - 3)));
            lines.push(login(&rv, "45.77.1.1", "laptop-x"));
            lines.push(review("dev", &rv, day, 5, "45.77.1.1"));
        }
        // One honest old client too.
        lines.push(client("acme", "2020-01-01"));
        lines.push(review("dev", "acme", 20, 5, "8.8.4.4"));
        let mut d = ds(&lines);
        intel(&mut d, "45.77.1.1", &[NetClass::Hosting]);
        let f = ReviewManipulation(Params::default()).run(&d);
        let dev: Vec<&Finding> = f.iter().filter(|f| f.subject_id == "dev").collect();
        assert_eq!(dev.len(), 1);
        assert_eq!(dev[0].strength, 1.0);
        assert_eq!(
            dev[0].evidence.values["suspicious_reviewers"],
            serde_json::json!(["ring0", "ring1", "ring2", "ring3", "ring4"])
        );
        let audit = dev[0].evidence.values["dd_review_audit"]
            .as_array()
            .unwrap();
        assert_eq!(audit.len(), 6);
        assert_eq!(audit[0]["days_after_registration"], 3.5);
        // The ring accounts get weaker findings; the honest client none.
        let ring: Vec<&Finding> = f
            .iter()
            .filter(|f| f.subject_id.starts_with("ring"))
            .collect();
        assert_eq!(ring.len(), 5);
        // At most as strong (brand-new single-target accounts on the reviewee's VPS and device
        // reach the cap too).
        assert!(ring.iter().all(|f| f.strength <= dev[0].strength));
        assert!(!f.iter().any(|f| f.subject_id == "acme"));
    }

    /// Two brand-new accounts with no shared identifier, each praising four developers within
    /// three days from one address: new account + burst + reviewers sharing an IP, twice.
    #[test]
    fn new_accounts_rating_many_developers_in_a_burst_fire() {
        let mut lines = Vec::new();
        for rv in ["b1", "b2"] {
            lines.push(client(rv, "2026-09-08"));
            for (k, dev) in ["d1", "d2", "d3", "d4"].iter().enumerate() {
                lines.push(review(dev, rv, 10 + k as u32 % 3, 5, "8.8.8.8"));
            }
        }
        let d = ds(&lines);
        let f = ReviewManipulation(Params::default()).run(&d);
        assert_eq!(f.len(), 4, "{f:?}");
        let reasons = &f[0].evidence.values["reasons"];
        assert_eq!(reasons["burst"], 2);
        assert_eq!(reasons["new_account"], 2);
        assert_eq!(reasons["reviewers_share_ip"], 2);
        assert!((f[0].strength - 2.2 / 3.0).abs() < 1e-9, "{}", f[0].strength);
    }

    /// A popular freelancer: many five-star reviews from old, unrelated clients, some behind
    /// one mobile carrier address, one new client, one busy client.
    #[test]
    fn popular_freelancer_with_honest_reviews_does_not_fire() {
        let mut lines = vec![login("dev", "172.56.1.1", "laptop-x")];
        for k in 0..6u32 {
            let rv = format!("client{k}");
            lines.push(client(
                &rv,
                if k == 0 { "2026-09-08" } else { "2021-05-01" },
            ));
            lines.push(login(&rv, &format!("8.8.{k}.1"), &format!("pc-{k}")));
            lines.push(review("dev", &rv, 10 + k, 5, "172.56.1.1"));
        }
        // client1 rates three freelancers in a week.
        lines.push(review("other1", "client1", 12, 5, "8.8.1.1"));
        lines.push(review("other2", "client1", 13, 5, "8.8.1.1"));
        let mut d = ds(&lines);
        intel(&mut d, "172.56.1.1", &[NetClass::Mobile]);
        let f = ReviewManipulation(Params::default()).run(&d);
        assert!(f.is_empty(), "{f:?}");
    }

    /// A reviewer's registration date arriving makes it a new account at its reviews: the
    /// reviewee's score changes. The other ring accounts' own findings do not (their scores
    /// and the reviewees they are linked to stay the same).
    #[test]
    fn affected_follows_reviewers_to_their_reviewees() {
        use crate::Affected;
        use crate::link::diff::affected_by;
        let mut lines = vec![login("dev", "45.77.1.1", "laptop-x")];
        for k in 0..3u32 {
            let rv = format!("ring{k}");
            lines.push(login(&rv, "45.77.1.1", "laptop-x"));
            lines.push(review("dev", &rv, 5 + k, 5, "45.77.1.1"));
        }
        let build = |l: &[String]| {
            let mut d = ds(l);
            intel(&mut d, "45.77.1.1", &[NetClass::Hosting]);
            d
        };
        let r = ReviewManipulation(Params::default());
        let mut after = lines.clone();
        after.push(client("ring0", "2026-09-04"));
        assert_eq!(
            affected_by(&r, &build(&lines), &build(&after), &["ring0"]),
            Affected::Also(vec!["dev".into()])
        );
        let mut after = lines.clone();
        after.push(login("other", "9.9.9.9", "pc-9"));
        assert_eq!(
            affected_by(&r, &build(&lines), &build(&after), &["other"]),
            Affected::Touched
        );
    }
}
