//! The in-memory data set detectors read: records grouped by subject, sorted by time.

use kensa_model::intel::{IpInfo, SanctionsHit};
use kensa_model::record::*;
use kensa_model::{Record, Ts};
use std::collections::HashMap;
use std::net::IpAddr;

/// A typed record with its `record_id`, so that evidence can point back to it.
#[derive(Debug, Clone)]
pub struct Rec<T> {
    pub id: String,
    pub r: T,
}

/// The hasher of the data set's large maps (addresses, subject ids): detectors look them up
/// for every login of every evaluated subject, and SipHash showed in profiles; foldhash's
/// per-process random seed still keeps crafted keys from colliding on purpose.
pub type FastHash = foldhash::fast::RandomState;

/// Everything known about one subject (account).
#[derive(Debug, Clone, Default)]
pub struct SubjectData {
    pub id: String,
    pub profiles: Vec<Rec<Subject>>,
    pub logins: Vec<Rec<Login>>,
    pub activities: Vec<Rec<Activity>>,
    pub payout_accounts: Vec<Rec<PayoutAccount>>,
    pub payouts: Vec<Rec<Payout>>,
    pub messages: Vec<Rec<Message>>,
    /// Reviews *of* this subject.
    pub reviews: Vec<Rec<Review>>,
    pub contracts: Vec<Rec<Contract>>,
    pub meetings: Vec<Rec<Meeting>>,
    pub id_documents: Vec<Rec<IdentityDocument>>,
    pub shipments: Vec<Rec<Shipment>>,
    pub accesses: Vec<Rec<Access>>,
    pub endpoints: Vec<Rec<Endpoint>>,
}

impl SubjectData {
    /// A name to show: the first display or legal name among the profiles.
    pub fn display_name(&self) -> Option<&str> {
        self.profiles
            .iter()
            .find_map(|p| p.r.display_name.as_deref().or(p.r.legal_name.as_deref()))
    }

    /// The claimed country, from the most recent profile that states one.
    pub fn claimed_country(&self) -> Option<&str> {
        self.profiles
            .iter()
            .rev()
            .find_map(|p| p.r.claimed_country.as_ref().map(|c| c.as_str()))
    }

    /// The claimed IANA time zone, from the most recent profile that states one.
    pub fn claimed_timezone(&self) -> Option<&str> {
        self.profiles
            .iter()
            .rev()
            .find_map(|p| p.r.claimed_timezone.as_deref())
    }

    /// Every IP address in the subject's own records (logins, activity, reviews it received,
    /// access sources and destinations, device locations), with repeats: what the enrich step looks up.
    pub fn ips(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.logins
            .iter()
            .map(|l| l.r.ip)
            .chain(self.activities.iter().filter_map(|a| a.r.ip))
            .chain(self.reviews.iter().filter_map(|r| r.r.reviewer_ip))
            .chain(
                self.accesses
                    .iter()
                    .flat_map(|a| [a.r.ip, a.r.dest_ip])
                    .flatten(),
            )
            .chain(self.endpoints.iter().filter_map(|e| e.r.ip))
    }

    /// Every phone number of the profiles, trimmed, with the region it is read in (the
    /// profile's claimed country, else the subject's): what the enrich step parses. The contact
    /// detector reads numbers with the same rule (a mismatch would only cost a parse, since
    /// [`Dataset::phone_info`] parses what the enrich step did not).
    pub fn phone_queries(&self) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
        let claimed = self.claimed_country();
        self.profiles.iter().flat_map(move |pr| {
            let region =
                pr.r.claimed_country
                    .as_ref()
                    .map(|c| c.as_str())
                    .or(claimed);
            pr.r.phones.iter().map(move |n| (n.trim(), region))
        })
    }

    /// Number of records held for the subject (profiles included).
    pub fn record_count(&self) -> usize {
        self.profiles.len()
            + self.logins.len()
            + self.activities.len()
            + self.payout_accounts.len()
            + self.payouts.len()
            + self.messages.len()
            + self.reviews.len()
            + self.contracts.len()
            + self.meetings.len()
            + self.id_documents.len()
            + self.shipments.len()
            + self.accesses.len()
            + self.endpoints.len()
    }
}

/// The data set: every subject, in order of first appearance, plus enrichment results.
#[derive(Debug, Default)]
pub struct Dataset {
    pub subjects: Vec<SubjectData>,
    index: HashMap<String, usize, FastHash>,
    /// What the intel sources say about each IP address seen in the data (filled by the
    /// engine's enrich step; empty when no intel is loaded).
    pub ip: crate::ip_table::IpTable,
    /// Sanctions-list matches per subject id (filled by the engine's screening step).
    pub sanctions: HashMap<String, Vec<SanctionsHit>>,
    /// What the intel's e-mail lists say about each profile address, keyed by the lowercased
    /// address (filled by the engine's enrich step).
    pub email: HashMap<String, kensa_enrich::EmailInfo>,
    /// What the numbering plans say about each profile phone number, by region read in (`""`
    /// for none: a claimed country is never empty) and trimmed number (filled by the enrich step; see [`Dataset::phone_info`]).
    pub phone: HashMap<String, HashMap<String, kensa_enrich::PhoneInfo>>,
    /// Indicator lists other organisations shared (from the intel configuration; attached by
    /// the enrich step).
    pub shared_lists: Vec<std::sync::Arc<kensa_enrich::shared::SharedList>>,
    /// Identifier graphs already built, by parameters: the link detectors, propagation and the
    /// report share one build. Filled on first use, after enrichment. With the identifier
    /// index, [`Dataset::add_records`] marks them stale with what changed, and the next use
    /// updates them part by part; without it, they are dropped.
    graphs: std::sync::Mutex<Vec<(crate::link::GraphParams, CachedGraph)>>,
    /// Who holds which identifier, kept up to date by [`Dataset::add_records`] once
    /// [`Dataset::index_identifiers`] built it: graphs are then assembled from shared values.
    idents: Option<crate::link::index::IdentIndex>,
    /// Number of review records.
    reviews: usize,
}

/// A cached identifier graph: up to date, or made before the changes listed.
#[derive(Debug, Clone)]
enum CachedGraph {
    Fresh(std::sync::Arc<crate::link::LinkGraph>),
    Stale(
        std::sync::Arc<crate::link::LinkGraph>,
        crate::link::index::Changes,
    ),
}

impl Dataset {
    /// The identifier graph for these parameters, built once and shared (after a batch,
    /// updated from the one before where the identifier index allows).
    pub fn link_graph(
        &self,
        p: &crate::link::GraphParams,
    ) -> std::sync::Arc<crate::link::LinkGraph> {
        let mut cache = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        let at = cache.iter().position(|(q, _)| q == p);
        let g = match (at.map(|i| &cache[i].1), &self.idents) {
            (Some(CachedGraph::Fresh(g)), _) => return g.clone(),
            (Some(CachedGraph::Stale(old, changes)), Some(ix)) if ix.serves(p) => {
                ix.update_graph(old, changes, self, p)
            }
            (_, Some(ix)) if ix.serves(p) => ix.graph(self, p),
            _ => crate::link::build_graph(self, p),
        };
        let g = std::sync::Arc::new(g);
        let slot = (p.clone(), CachedGraph::Fresh(g.clone()));
        match at {
            Some(i) => cache[i] = slot,
            None => cache.push(slot),
        }
        g
    }

    /// Enrichment of an IP address, if any source knew it.
    pub fn ip_info(&self, ip: IpAddr) -> Option<&IpInfo> {
        self.ip.get(&ip)
    }

    /// Every distinct e-mail address of the profiles, lowercased, for the enrich step.
    pub fn distinct_emails(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .subjects
            .iter()
            .flat_map(|s| s.profiles.iter().flat_map(|p| p.r.emails.iter()))
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Every distinct IP address in the data (logins, activity, reviews, access), for the
    /// enrich step.
    pub fn distinct_ips(&self) -> Vec<IpAddr> {
        let mut set: std::collections::HashSet<IpAddr> = Default::default();
        for s in &self.subjects {
            set.extend(s.ips());
        }
        let mut v: Vec<IpAddr> = set.into_iter().collect();
        v.sort();
        v
    }

    pub fn get(&self, subject_id: &str) -> Option<&SubjectData> {
        self.index.get(subject_id).map(|&i| &self.subjects[i])
    }

    pub fn len(&self) -> usize {
        self.subjects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }
}

/// What is kept beside the data set and never given to detectors: ground-truth labels (for
/// evaluation only) and due-diligence check records (for the workflow).
#[derive(Debug, Default)]
pub struct Sidecar {
    /// The latest label per subject.
    pub labels: HashMap<String, Rec<Label>>,
    pub checks: HashMap<String, Vec<Rec<Check>>>,
}

/// Builds a [`Dataset`] from records in any order.
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    ds: Dataset,
    side: Sidecar,
}

impl DatasetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn subject(&mut self, id: &str) -> &mut SubjectData {
        let i = match self.ds.index.get(id) {
            Some(&i) => i,
            None => {
                let i = self.ds.subjects.len();
                self.ds.index.insert(id.to_owned(), i);
                self.ds.subjects.push(SubjectData {
                    id: id.to_owned(),
                    ..Default::default()
                });
                i
            }
        };
        &mut self.ds.subjects[i]
    }

    /// Adds one record.
    pub fn add(&mut self, id: String, rec: Record) {
        let sid = rec.subject_id().to_owned();
        match rec {
            Record::Label(r) => {
                let newer = match self.side.labels.get(&sid) {
                    Some(old) => r.at >= old.r.at,
                    None => true,
                };
                if newer {
                    self.side.labels.insert(sid, Rec { id, r });
                }
            }
            Record::Check(r) => self.side.checks.entry(sid).or_default().push(Rec { id, r }),
            Record::Subject(r) => self.subject(&sid).profiles.push(Rec { id, r: *r }),
            Record::Login(r) => self.subject(&sid).logins.push(Rec { id, r }),
            Record::Activity(r) => self.subject(&sid).activities.push(Rec { id, r }),
            Record::PayoutAccount(r) => self.subject(&sid).payout_accounts.push(Rec { id, r: *r }),
            Record::Payout(r) => self.subject(&sid).payouts.push(Rec { id, r: *r }),
            Record::Message(r) => self.subject(&sid).messages.push(Rec { id, r }),
            Record::Review(r) => {
                // A reviewer is a subject too, even when nothing else is known about it.
                let reviewer = r.reviewer_id.clone();
                self.ds.reviews += 1;
                self.subject(&sid).reviews.push(Rec { id, r });
                self.subject(&reviewer);
            }
            Record::Contract(r) => self.subject(&sid).contracts.push(Rec { id, r: *r }),
            Record::Meeting(r) => self.subject(&sid).meetings.push(Rec { id, r }),
            Record::IdentityDocument(r) => self.subject(&sid).id_documents.push(Rec { id, r: *r }),
            Record::Shipment(r) => self.subject(&sid).shipments.push(Rec { id, r: *r }),
            Record::Access(r) => self.subject(&sid).accesses.push(Rec { id, r }),
            Record::Endpoint(r) => self.subject(&sid).endpoints.push(Rec { id, r }),
        }
    }

    /// Sorts every time series by (time, record id) and returns the data set and the sidecar.
    pub fn build(mut self) -> (Dataset, Sidecar) {
        for s in &mut self.ds.subjects {
            s.shrink_to_fit();
            s.sort_series();
        }
        for v in self.side.checks.values_mut() {
            sort_by_time(v, |r| Some(r.at));
        }
        (self.ds, self.side)
    }
}

fn sort_by_time<T>(v: &mut [Rec<T>], at: impl Fn(&T) -> Option<Ts>) {
    if v.is_sorted_by(|a, b| (at(&a.r), &a.id) <= (at(&b.r), &b.id)) {
        return;
    }
    v.sort_by(|a, b| (at(&a.r), &a.id).cmp(&(at(&b.r), &b.id)));
}

impl SubjectData {
    /// Sorts every time series by (time, record id).
    fn sort_series(&mut self) {
        sort_by_time(&mut self.profiles, |r| r.observed_at);
        sort_by_time(&mut self.logins, |r| Some(r.at));
        sort_by_time(&mut self.activities, |r| Some(r.at));
        sort_by_time(&mut self.payout_accounts, |r| Some(r.at));
        sort_by_time(&mut self.payouts, |r| Some(r.at));
        sort_by_time(&mut self.messages, |r| Some(r.at));
        sort_by_time(&mut self.reviews, |r| Some(r.at));
        sort_by_time(&mut self.contracts, |r| Some(r.at));
        sort_by_time(&mut self.meetings, |r| Some(r.at));
        sort_by_time(&mut self.id_documents, |r| Some(r.at));
        sort_by_time(&mut self.shipments, |r| Some(r.at));
        sort_by_time(&mut self.accesses, |r| Some(r.at));
        sort_by_time(&mut self.endpoints, |r| Some(r.at));
    }
}

impl SubjectData {
    /// Gives back the room the series grew into while records were collected (a quarter of
    /// their size on average; the activity series alone hold ~130 MB of a 2M-record scan).
    /// Only when a data set is built: batches add to series that keep growing.
    fn shrink_to_fit(&mut self) {
        self.profiles.shrink_to_fit();
        self.logins.shrink_to_fit();
        self.activities.shrink_to_fit();
        self.payout_accounts.shrink_to_fit();
        self.payouts.shrink_to_fit();
        self.messages.shrink_to_fit();
        self.reviews.shrink_to_fit();
        self.contracts.shrink_to_fit();
        self.meetings.shrink_to_fit();
        self.id_documents.shrink_to_fit();
        self.shipments.shrink_to_fit();
        self.accesses.shrink_to_fit();
        self.endpoints.shrink_to_fit();
    }
}

/// What [`Dataset::add_records`] changed.
#[derive(Debug, Default, Clone)]
pub struct Added {
    /// Indexes (into `Dataset::subjects`) of the subjects whose records changed, ascending
    /// (the reviewer of a new review included).
    pub touched: Vec<usize>,
    /// Subjects that got new `check` records (their due-diligence status changes).
    pub checked: Vec<String>,
    /// The record kinds that arrived.
    pub kinds: std::collections::BTreeSet<&'static str>,
    /// Whether the identifiers two or more subjects share (their holders, their payroll
    /// status) may have changed: always true unless the data set keeps an identifier index
    /// ([`Dataset::index_identifiers`]) and it says they did not.
    pub shared_changed: bool,
    /// The IP addresses the new records carry, each once (what the enrich step looks up:
    /// every address of earlier records was looked up when they arrived).
    pub ips: Vec<IpAddr>,
}

/// The IP addresses a record carries (the ones [`SubjectData::ips`] reads).
fn record_ips(rec: &Record) -> impl Iterator<Item = IpAddr> {
    let (a, b) = match rec {
        Record::Login(l) => (Some(l.ip), None),
        Record::Activity(a) => (a.ip, None),
        Record::Review(r) => (r.reviewer_ip, None),
        Record::Access(a) => (a.ip, a.dest_ip),
        Record::Endpoint(e) => (e.ip, None),
        _ => (None, None),
    };
    a.into_iter().chain(b)
}

impl Dataset {
    /// Adds records in place (the incremental path): new subjects are appended, every changed
    /// time series stays sorted exactly as [`DatasetBuilder::build`] sorts it, labels and
    /// checks go to `side`, and cached link graphs are marked stale (updated on next use) or dropped.
    pub fn add_records(
        &mut self,
        side: &mut Sidecar,
        recs: impl IntoIterator<Item = (String, Record)>,
    ) -> Added {
        let mut b = DatasetBuilder {
            ds: std::mem::take(self),
            side: std::mem::take(side),
        };
        let mut touched = std::collections::BTreeSet::new();
        let mut checked = std::collections::BTreeSet::new();
        let mut kinds = std::collections::BTreeSet::new();
        let mut ips: std::collections::HashSet<IpAddr> = Default::default();
        // The identifiers of login-like records, per subject, while every record is one: the
        // index then adds them instead of re-reading the touched subjects.
        let indexed = b.ds.idents.is_some();
        let mut light: Option<
            std::collections::BTreeMap<usize, Vec<(crate::link::IdKind, String)>>,
        > = indexed.then(Default::default);
        for (id, rec) in recs {
            let sid = rec.subject_id().to_owned();
            kinds.insert(rec.kind().as_str());
            ips.extend(record_ips(&rec));
            let occ = match light.is_some() {
                true => crate::link::light_occurrences(&rec),
                false => None,
            };
            if occ.is_none() {
                light = None;
            }
            let reviewer = match &rec {
                Record::Review(r) => Some(r.reviewer_id.clone()),
                _ => None,
            };
            let aside = matches!(rec, Record::Label(_) | Record::Check(_));
            let is_check = matches!(rec, Record::Check(_));
            b.add(id, rec);
            if let (Some(l), Some(o)) = (light.as_mut(), occ) {
                l.entry(b.ds.index[&sid]).or_default().extend(o);
            }
            if is_check {
                checked.insert(sid);
            } else if !aside {
                touched.insert(b.ds.index[&sid]);
                if let Some(rv) = reviewer {
                    touched.insert(b.ds.index[&rv]);
                }
            }
        }
        for &i in &touched {
            b.ds.subjects[i].sort_series();
        }
        for sid in &checked {
            if let Some(v) = b.side.checks.get_mut(sid) {
                sort_by_time(v, |r| Some(r.at));
            }
        }
        *self = b.ds;
        *side = b.side;
        let touched: Vec<usize> = touched.into_iter().collect();
        let shared_changed = match self.idents.take() {
            Some(mut ix) => {
                let changes = match light {
                    Some(l) => ix.add_light(self, l.into_iter().collect()),
                    None => ix.update(self, &touched),
                };
                self.idents = Some(ix);
                let changed = !changes.is_empty();
                // Cached graphs this index serves become stale, with what changed since they
                // were made; the others (other normalisation parameters) are dropped.
                let ix = self.idents.as_ref().expect("put back above");
                let cache = self.graphs.get_mut().unwrap_or_else(|e| e.into_inner());
                cache.retain(|(q, _)| ix.serves(q));
                for (_, slot) in cache.iter_mut() {
                    match slot {
                        CachedGraph::Fresh(g) => {
                            *slot = CachedGraph::Stale(g.clone(), changes.clone());
                        }
                        CachedGraph::Stale(_, d) => {
                            for (v, was) in &changes {
                                d.entry(*v).or_insert_with(|| was.clone());
                            }
                        }
                    }
                }
                changed
            }
            None => {
                self.graphs = Default::default();
                true
            }
        };
        Added {
            touched,
            checked: checked.into_iter().collect(),
            kinds,
            shared_changed,
            ips: ips.into_iter().collect(),
        }
    }

    /// Builds the identifier index (who holds which address, device, e-mail...) and keeps it
    /// up to date from now on: what a long-running process does so that a batch re-reads only
    /// the identifiers of the subjects it touched (at 1M subjects the index takes seconds to
    /// build). `p` shapes the occurrences (phone digits, résumé text length); graphs with other
    /// such parameters are still built from scratch.
    pub fn index_identifiers(&mut self, p: &crate::link::GraphParams) {
        if self.idents.as_ref().is_none_or(|ix| !ix.serves(p)) {
            self.idents = Some(crate::link::index::IdentIndex::build(self, p));
            // Stale graphs name values by the ids of the index they came from.
            self.graphs
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|(_, g)| matches!(g, CachedGraph::Fresh(_)));
        }
    }

    /// Looks up every distinct IP and e-mail address of the data set in loaded reference data
    /// and attaches the answers (the engine's enrich step, and test set-ups). Detectors read
    /// the answers; they never look anything up themselves.
    pub fn attach_intel(&mut self, intel: &kensa_enrich::Intel) {
        let ips = self.distinct_ips();
        self.ip.clear();
        self.look_up_ips(&ips, intel);
        self.email = self
            .distinct_emails()
            .into_iter()
            .map(|e| {
                let info = intel.email(&e);
                (e, info)
            })
            .collect();
        self.enrich_phones(None);
        self.shared_lists = intel.shared_lists().to_vec();
        // Network classes weigh addresses: graphs made before are not updated, but rebuilt.
        self.graphs = Default::default();
    }

    /// Looks these addresses up in the intel sources and records the answers (the enrich
    /// step's one lookup path, for a whole data set and for a batch). In chunks: a million
    /// answers at once, before [`crate::ip_table::IpTable`] shares them, cost hundreds of MB.
    pub fn look_up_ips(&mut self, ips: &[IpAddr], intel: &kensa_enrich::Intel) {
        use rayon::prelude::*;
        for chunk in ips.chunks(1 << 16) {
            let infos: Vec<IpInfo> = if chunk.len() > 64 {
                chunk.par_iter().map(|ip| intel.lookup_ip(*ip)).collect()
            } else {
                chunk.iter().map(|ip| intel.lookup_ip(*ip)).collect()
            };
            self.ip.extend(chunk.iter().copied().zip(infos));
        }
    }

    /// Parses the phone numbers of these subjects (or of all) that are not parsed yet. Numbers
    /// are parsed grouped by region: the parser's small regular-expression cache then stays
    /// warm (parsing in subject order recompiled patterns for almost every number).
    pub fn enrich_phones(&mut self, subjects: Option<&[usize]>) {
        let all: Vec<usize>;
        let subjects = match subjects {
            Some(s) => s,
            None => {
                all = (0..self.subjects.len()).collect();
                &all
            }
        };
        let mut todo: Vec<(String, String)> = Vec::new();
        for &i in subjects {
            for (n, region) in self.subjects[i].phone_queries() {
                let region = region.unwrap_or("");
                if !self.phone.get(region).is_some_and(|m| m.contains_key(n)) {
                    todo.push((region.to_owned(), n.to_owned()));
                }
            }
        }
        todo.sort_unstable();
        todo.dedup();
        for (region, n) in todo {
            let info = kensa_enrich::phone(&n, Some(region.as_str()).filter(|r| !r.is_empty()));
            self.phone.entry(region).or_default().insert(n, info);
        }
    }

    /// What the numbering plans say about a (trimmed) number read in a region: from the enrich
    /// step, or parsed now when the data set was not enriched.
    pub fn phone_info(
        &self,
        number: &str,
        region: Option<&str>,
    ) -> std::borrow::Cow<'_, kensa_enrich::PhoneInfo> {
        match self
            .phone
            .get(region.unwrap_or(""))
            .and_then(|m| m.get(number))
        {
            Some(info) => std::borrow::Cow::Borrowed(info),
            None => std::borrow::Cow::Owned(kensa_enrich::phone(number, region)),
        }
    }

    /// Whether any subject was reviewed (without looking at every subject).
    pub fn has_reviews(&self) -> bool {
        self.reviews > 0
    }

    /// The index of a subject in `subjects`.
    pub fn index_of(&self, subject_id: &str) -> Option<usize> {
        self.index.get(subject_id).copied()
    }
}
