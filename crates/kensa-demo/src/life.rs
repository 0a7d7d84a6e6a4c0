//! The generic building blocks: a synthetic person, and the records their working life leaves
//! behind (profiles, logins, activity, contracts, messages, payouts, reviews, meetings, identity
//! documents, access logs, endpoint observations, shipments and due-diligence checks).
//!
//! Personas (ordinary, look-alike and DPRK-like) are built by configuring these blocks and then
//! adding or altering records.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::PersonaInfo;
use crate::ident;
use crate::net;
use crate::rng::Rng;
use crate::text;
use crate::time::{self, fmt_tz, utc};
use crate::world::{self, Country, Lang};

/// A postal address.
#[derive(Clone, Debug)]
pub struct Addr {
    pub line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

impl Addr {
    pub fn json(&self) -> Value {
        json!({"line1": self.line1, "city": self.city, "region": self.region, "postal_code": self.postal_code, "country": self.country})
    }
}

/// A payout destination.
#[derive(Clone, Debug)]
pub struct Payee {
    pub account_id: String,
    pub method: &'static str,
    pub beneficiary: String,
    pub bank: Option<Value>,
    pub crypto: Option<Value>,
    pub provider: Option<String>,
    /// Currency paid into this account and units per USD.
    pub currency: String,
    pub fx: f64,
}

impl Payee {
    /// Fields shared by `payout_account` and `payout` records.
    pub fn fill(&self, v: &mut Value) {
        v["account_id"] = json!(self.account_id);
        v["method"] = json!(self.method);
        v["beneficiary_name"] = json!(self.beneficiary);
        if let Some(b) = &self.bank {
            v["bank"] = b.clone();
        }
        if let Some(c) = &self.crypto {
            v["crypto"] = c.clone();
        }
        if let Some(p) = &self.provider {
            v["provider"] = json!(p);
        }
    }
}

/// A synthetic person (for DPRK-like personas: the identity they claim).
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub given: String,
    pub middle: String,
    pub family: String,
    pub native: String,
    pub nickname: String,
    pub sex: char,
    pub dob: (i64, u32, u32),
    pub nationality: String,
    pub cc: String,
    pub city: String,
    pub region: String,
    pub tz: String,
    pub home_net: String,
    pub mobile_net: Option<String>,
    pub lang: Lang,
    pub addr: Addr,
    pub email: String,
    pub phone: String,
    pub skills: Vec<String>,
    pub rate: f64,
    pub rate_ccy: String,
    pub fx: f64,
    pub created: i64,
    pub photo: String,
    pub phash: String,
    pub passport_no: String,
    pub icao: String,
    pub employment: Vec<(String, String, String, String)>,
    pub education: Vec<(String, String, String, String)>,
    pub headline: String,
    pub bio: String,
    pub payee: Payee,
    pub laptop: String,
    pub phone_dev: String,
    pub ua: String,
    pub home_ip: String,
    pub home_ip2: String,
    pub urls: Vec<String>,
}

impl Person {
    /// Legal name in Western order ("Given Middle Family").
    pub fn legal_name(&self) -> String {
        if self.middle.is_empty() {
            format!("{} {}", self.given, self.family)
        } else {
            format!("{} {} {}", self.given, self.middle, self.family)
        }
    }
    /// Display name as on the freelance profile.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.nickname, self.family)
    }
    pub fn dob_str(&self) -> String {
        time::ymd(self.dob.0, self.dob.1, self.dob.2)
    }

    /// Give the person another name, keeping e-mail, URLs and own-name payout consistent.
    pub fn rename(&mut self, given: &str, middle: &str, family: &str, rng: &mut Rng) {
        let own_payee = self.payee.beneficiary == self.legal_name().to_uppercase();
        self.given = given.to_string();
        self.middle = middle.to_string();
        self.family = family.to_string();
        self.nickname = given.to_string();
        let (g, f) = (ascii_fold(given), ascii_fold(family));
        let domain = self
            .email
            .split_once('@')
            .map_or("gmail.com".to_string(), |x| x.1.to_string());
        self.email = format!("{g}.{f}{}@{domain}", rng.range(1, 99));
        let slug = format!("{g}-{f}");
        self.urls = vec![
            format!("https://github.com/{slug}{}", rng.range(1, 99)),
            format!("https://{slug}.dev"),
        ];
        if own_payee {
            self.payee.beneficiary = self.legal_name().to_uppercase();
        }
    }

    /// Give the person other skills, keeping headline, bio and job titles consistent.
    pub fn reskill(&mut self, skills: &[&str], rng: &mut Rng) {
        self.skills = skills.iter().map(|s| s.to_string()).collect();
        let title_en = world::skill_title(skills[0]);
        let title_ja = world::skill_title_ja(skills[0]);
        let years = (2026 - self.dob.0 - 22).clamp(1, 25);
        self.headline = text::headline(self.lang, title_en, title_ja);
        self.bio = text::bio(self.lang, title_en, title_ja, &self.skills, years, rng);
        for e in &mut self.employment {
            if !e.1.starts_with("Freelance") {
                e.1 = title_en.to_string();
            }
        }
    }
}

/// A client organisation (itself a subject: clients write reviews).
#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub cc: String,
    pub tz: String,
    pub lang: Lang,
    pub ip: String,
}

/// Where logins come from.
#[derive(Clone, Debug)]
pub enum IpSrc {
    /// One stable address.
    Fixed(String),
    /// A fresh address from a range each time (mobile carrier NAT, VPN pools...).
    Pool(&'static str),
}

/// A period spent in one place (for travellers): from relative day, zone, login sources.
#[derive(Clone, Debug)]
pub struct Stay {
    pub from_day: i64,
    pub tz: String,
    pub ips: Vec<(IpSrc, u32)>,
}

/// How a person works: their real rhythm (zone and hours) and network.
#[derive(Clone, Debug)]
pub struct Life {
    pub tz: String,
    pub start_h: f64,
    pub len_h: f64,
    pub reply_from_h: f64,
    pub reply_to_h: f64,
    pub weekend_p: f64,
    pub evening_p: f64,
    pub skip_p: f64,
    pub ips: Vec<(IpSrc, u32)>,
    pub device: String,
    pub ua: String,
    pub mobile: Option<(String, String)>,
    pub events: (i64, i64),
    pub from_day: i64,
    pub to_day: i64,
    pub stays: Vec<Stay>,
    pub login_method: &'static str,
}

/// What `live` produced: work and responsive windows (UTC) and addresses used.
#[derive(Clone, Debug, Default)]
pub struct Lived {
    pub work: Vec<(i64, i64, String)>,
    pub reply: Vec<(i64, i64)>,
    pub ips: Vec<String>,
}

/// How meetings go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meet {
    CameraOn,
    CameraOff,
    Refused,
    Deepfake,
    Skip,
}

/// Contract/engagement options.
#[derive(Clone, Debug)]
pub struct EngOpts {
    pub contracts: usize,
    pub interview: Meet,
    pub standup: Meet,
    /// Payout destinations in force from the given time on.
    pub payees: Vec<(i64, Payee)>,
    pub reviews: bool,
    pub clients: Option<Vec<usize>>,
    pub first_start_day: Option<i64>,
    pub hours_per_week: (f64, f64),
    pub staff_aug: bool,
    pub msg_lang: Option<Lang>,
    /// The first contract is still running at the end of the window.
    pub ongoing: bool,
}

impl Default for EngOpts {
    fn default() -> Self {
        EngOpts {
            contracts: 1,
            interview: Meet::CameraOn,
            standup: Meet::CameraOn,
            payees: Vec::new(),
            reviews: true,
            clients: None,
            first_start_day: None,
            hours_per_week: (15.0, 40.0),
            staff_aug: false,
            msg_lang: None,
            ongoing: false,
        }
    }
}

/// A contract as generated (for follow-up records).
#[derive(Clone, Debug)]
pub struct Engaged {
    pub client: usize,
    pub start: i64,
    pub end: i64,
    pub thread: String,
}

/// The generator state.
pub struct Gen {
    pub seed: u64,
    pub t0: i64,
    pub days: i64,
    pub records: Vec<Value>,
    pub personas: Vec<PersonaInfo>,
    pub clients: Vec<Client>,
    used_ids: HashSet<u64>,
    id_rng: Rng,
    counter: u64,
}

const WEEKDAYS: [&str; 5] = ["Mon", "Tue", "Wed", "Thu", "Fri"];

fn ascii_fold(s: &str) -> String {
    ident::mrz_name(s).replace('<', "").to_lowercase()
}

fn nickname(given: &str, rng: &mut Rng) -> String {
    let n = match given {
        "Michael" => "Mike",
        "Robert" => "Rob",
        "Daniel" => "Dan",
        "Andrew" => "Andy",
        "Thomas" => "Tom",
        "William" => "Will",
        "Samuel" => "Sam",
        "Joseph" => "Joe",
        "Nathan" => "Nate",
        "Jessica" => "Jess",
        "Oleksandr" => "Alex",
        "Katharina" => "Kathi",
        "Maximilian" => "Max",
        _ => given,
    };
    if n != given && rng.chance(0.5) {
        n.to_string()
    } else {
        given.to_string()
    }
}

impl Gen {
    pub fn new(seed: u64, t0: i64, days: i64) -> Self {
        Gen {
            seed,
            t0,
            days,
            records: Vec::new(),
            personas: Vec::new(),
            clients: Vec::new(),
            used_ids: HashSet::new(),
            id_rng: Rng::derive(seed, "subject-ids"),
            counter: 0,
        }
    }

    /// End of the observation window.
    pub fn t_end(&self) -> i64 {
        self.t0 + self.days * 86_400
    }

    /// The instant `d` days into a 60-day window, scaled to the configured window length.
    pub fn at_day(&self, d: i64) -> i64 {
        self.t0 + d * self.days * 86_400 / 60
    }

    /// A named random stream.
    pub fn rng(&self, tag: &str) -> Rng {
        Rng::derive(self.seed, tag)
    }

    /// A fresh subject id that reveals nothing about the persona (`u` + 6 digits).
    pub fn new_id(&mut self) -> String {
        loop {
            let n = 100_000 + self.id_rng.below(900_000);
            if self.used_ids.insert(n) {
                return format!("u{n}");
            }
        }
    }

    /// A unique opaque token with a prefix (thread ids, review ids, account ids).
    pub fn token(&mut self, prefix: &str, rng: &mut Rng) -> String {
        self.counter += 1;
        format!("{prefix}-{}{:04x}", rng.hex(6), self.counter & 0xffff)
    }

    pub fn push(&mut self, v: Value) {
        self.records.push(v);
    }

    /// The ground-truth label record.
    pub fn label(&mut self, id: &str, label: &str) {
        let at = utc(self.t_end());
        self.push(json!({"kind": "label", "subject_id": id, "label": label, "at": at, "by": "demo-generator", "notes": "synthetic"}));
    }

    /// A random person living in `cc` (city index optional), with a consistent identity.
    pub fn make_person(&mut self, rng: &mut Rng, cc: &str, city: Option<usize>) -> Person {
        let c: &Country = world::country(cc);
        let id = self.new_id();
        let city_i = city.unwrap_or_else(|| rng.index(c.cities.len()));
        let ci = &c.cities[city_i];
        let sex = if rng.chance(0.5) { 'M' } else { 'F' };
        let (given, given_n) = *rng.pick(if sex == 'M' { c.given_m } else { c.given_f });
        let (family, family_n) = *rng.pick(c.family);
        let middle = match cc {
            "US" if rng.chance(0.4) => rng
                .pick(if sex == 'M' { c.given_m } else { c.given_f })
                .0
                .to_string(),
            "VN" => (if sex == 'M' { "Van" } else { "Thi" }).to_string(),
            "BR" if rng.chance(0.5) => rng.pick(c.family).0.to_string(),
            _ => String::new(),
        };
        let native = if !given_n.is_empty() {
            format!("{family_n}{given_n}")
        } else {
            String::new()
        };
        let nick = nickname(given, rng);
        let year = rng.range(1976, 2002);
        let dob = (year, rng.range(1, 13) as u32, rng.range(1, 29) as u32);
        let email = {
            let g = ascii_fold(given);
            let f = ascii_fold(family);
            let d = rng.pick(c.email_domains);
            match rng.below(4) {
                0 => format!("{g}.{f}@{d}"),
                1 => format!("{g}{f}{}@{d}", rng.range(1, 99)),
                2 => format!("{}{f}@{d}", &g[..1]),
                _ => format!("{f}.{g}.dev@{d}"),
            }
        };
        let phone = match cc {
            "US" => format!("+1{}5550{}", ci.phone_area, rng.range(100, 200)),
            "GB" => format!("+447700900{}", rng.digits(3)),
            "JP" => format!("+8190{}", rng.digits(8)),
            "KR" => format!("+8210{}", rng.digits(8)),
            _ => format!("{}{}{}", c.phone_cc, ci.phone_area, rng.digits(7)),
        };
        let addr = self.make_addr(rng, c, city_i);
        let bundle: &[&str] = rng.weighted::<&[&str]>(world::SKILL_BUNDLES);
        let skills: Vec<String> = bundle.iter().map(|s| s.to_string()).collect();
        let seniority = rng.uniform(0.8, 1.3);
        let usd =
            world::skill_rate(&skills[0]) * c.rate_factor * (0.15 * rng.normal()).exp() * seniority;
        let (rate, rate_ccy) = if c.local_rates {
            (
                ((usd * c.fx) / 500.0).round() * 500.0,
                c.currency.to_string(),
            )
        } else {
            (usd.round().max(8.0), "USD".to_string())
        };
        let created = self.t0 - rng.range(120, 3200) * 86_400 - rng.range(0, 86_400);
        let years = (2026 - year - 22).clamp(1, 25);
        let title_en = world::skill_title(&skills[0]);
        let title_ja = world::skill_title_ja(&skills[0]);
        let mut employment = Vec::new();
        let mut y = 2026 - years;
        let mut remaining = years;
        while remaining > 0 {
            let len = rng.range(1, 6).min(remaining);
            let to = if y + len >= 2026 {
                String::new()
            } else {
                format!("{}-{:02}", y + len, rng.range(1, 13))
            };
            employment.push((
                rng.pick(world::EMPLOYERS).to_string(),
                title_en.to_string(),
                format!("{y}-{:02}", rng.range(1, 13)),
                to,
            ));
            y += len;
            remaining -= len;
        }
        if rng.chance(0.6)
            && let Some(last) = employment.last_mut()
        {
            last.0 = "Self-employed (freelance)".into();
            last.1 = "Freelance developer".into();
        }
        let uni_from = year + 18;
        let education = vec![(
            rng.pick(world::universities(cc)).to_string(),
            (if rng.chance(0.75) {
                "BSc Computer Science"
            } else {
                "MSc Software Engineering"
            })
            .to_string(),
            uni_from.to_string(),
            (uni_from + 4).to_string(),
        )];
        let bio = text::bio(c.lang, title_en, title_ja, &skills, years, rng);
        let headline = text::headline(c.lang, title_en, title_ja);
        let passport_no = passport_number(cc, rng);
        let legal = if middle.is_empty() {
            format!("{given} {family}")
        } else {
            format!("{given} {middle} {family}")
        };
        let payee = self.domestic_payee(rng, cc, &legal);
        let laptop = format!("dev-{}", rng.hex(12));
        let phone_dev = format!("dev-{}", rng.hex(12));
        let ua = rng
            .pick(&[
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0 Safari/537.36",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0 Safari/537.36",
                "Mozilla/5.0 (X11; Linux x86_64; rv:142.0) Gecko/20100101 Firefox/142.0",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
            ])
            .to_string();
        let home_ip = net::ip_in(ci.net, rng);
        let home_ip2 = net::ip_in(ci.net, rng);
        let slug = format!("{}-{}", ascii_fold(given), ascii_fold(family));
        let urls = vec![
            format!("https://github.com/{slug}{}", rng.range(1, 99)),
            format!("https://{slug}.dev"),
        ];
        Person {
            id,
            given: given.to_string(),
            middle,
            family: family.to_string(),
            native,
            nickname: nick,
            sex,
            dob,
            nationality: cc.to_string(),
            cc: cc.to_string(),
            city: ci.name.to_string(),
            region: ci.region.to_string(),
            tz: ci.tz.to_string(),
            home_net: ci.net.to_string(),
            mobile_net: c.mobile_net.map(str::to_string),
            lang: c.lang,
            addr,
            email,
            phone,
            skills,
            rate,
            rate_ccy,
            fx: c.fx,
            created,
            photo: rng.hex(64),
            phash: rng.hex(16),
            passport_no,
            icao: c.icao.to_string(),
            employment,
            education,
            headline,
            bio,
            payee,
            laptop,
            phone_dev,
            ua,
            home_ip,
            home_ip2,
            urls,
        }
    }

    pub fn make_addr(&self, rng: &mut Rng, c: &Country, city_i: usize) -> Addr {
        let ci = &c.cities[city_i];
        let street = rng.pick(ci.streets);
        let (line1, postal) = match c.cc {
            "US" => {
                let zip = match ci.name {
                    "Seattle" => format!("981{:02}", rng.range(1, 99)),
                    "Houston" => format!("770{:02}", rng.range(1, 99)),
                    "Chicago" => format!("606{:02}", rng.range(1, 60)),
                    "New York" => format!("100{:02}", rng.range(1, 40)),
                    _ => format!("850{:02}", rng.range(1, 99)),
                };
                let apt = if rng.chance(0.4) {
                    format!(" Apt {}", rng.range(1, 40))
                } else {
                    String::new()
                };
                (format!("{} {street}{apt}", rng.range(100, 9999)), zip)
            }
            "JP" => (
                format!(
                    "{}-{}-{} {street}",
                    rng.range(1, 5),
                    rng.range(1, 30),
                    rng.range(1, 20)
                ),
                format!("1{:02}-{:04}", rng.range(0, 99), rng.range(0, 9999)),
            ),
            "KR" => (
                format!("{} {street}", rng.range(1, 400)),
                format!("0{:04}", rng.range(1000, 9999)),
            ),
            "DE" => (
                format!("{street} {}", rng.range(1, 180)),
                format!("1{:04}", rng.range(115, 4199)),
            ),
            "GB" => {
                let pc = rng.pick(&[
                    "N7 6PA", "E8 3DL", "SE15 4QL", "E2 8HD", "SW2 1AA", "NW1 9LB", "SW16 6XY",
                ]);
                (format!("{} {street}", rng.range(1, 300)), pc.to_string())
            }
            "IN" => (
                format!("#{}, {street}", rng.range(1, 900)),
                format!("5600{:02}", rng.range(1, 99)),
            ),
            "BR" => (
                format!("{street}, {}", rng.range(10, 3000)),
                format!("0{:04}-{:03}", rng.range(1000, 9999), rng.range(0, 999)),
            ),
            "UA" => (
                format!("{street}, {}", rng.range(1, 150)),
                format!("0{:04}", rng.range(1000, 6999)),
            ),
            "SG" => (
                format!("Blk {} {street}", rng.range(100, 999)),
                format!("{}", rng.range(100_000, 829_999)),
            ),
            "PH" => (
                format!("{} {street}", rng.range(1, 2000)),
                format!("1{:03}", rng.range(0, 999)),
            ),
            "VN" => (
                format!("{} {street}", rng.range(1, 400)),
                "100000".to_string(),
            ),
            _ => (
                format!("{} {street}", rng.range(1, 300)),
                format!("{}", rng.range(10_000, 99_999)),
            ),
        };
        Addr {
            line1,
            city: ci.name.to_string(),
            region: ci.region.to_string(),
            postal_code: postal,
            country: c.cc.to_string(),
        }
    }

    /// A domestic bank account in the person's own name.
    pub fn domestic_payee(&mut self, rng: &mut Rng, cc: &str, name: &str) -> Payee {
        let c = world::country(cc);
        let b = rng.pick(c.banks);
        let account_id = self.token("pa", rng);
        let bank = if c.iban_country {
            let bban = match cc {
                "DE" => format!("{}{}", b.code, rng.digits(10)),
                "GB" => format!("{}{}{}", b.code, rng.digits(6), rng.digits(8)),
                "UA" => format!("{}{}", b.code, rng.digits(19)),
                _ => format!("{}{}{}C1", b.code, rng.digits(5), rng.digits(10)),
            };
            json!({"iban": ident::iban(cc, &bban), "bic": b.bic, "bank_name": b.name, "country": cc})
        } else {
            match cc {
                "US" => {
                    json!({"account_number": rng.digits(10), "routing_number": b.code, "bic": b.bic, "bank_name": b.name, "country": cc})
                }
                "JP" => {
                    json!({"account_number": rng.digits(7), "branch_code": rng.digits(3), "bank_code": b.code, "account_type": "futsu", "bic": b.bic, "bank_name": b.name, "country": cc})
                }
                "IN" => {
                    json!({"account_number": rng.digits(14), "ifsc": format!("{}{}", b.code, rng.digits(3)), "bic": b.bic, "bank_name": b.name, "country": cc})
                }
                _ => {
                    json!({"account_number": rng.digits(12), "bic": b.bic, "bank_name": b.name, "country": cc})
                }
            }
        };
        Payee {
            account_id,
            method: "bank",
            beneficiary: name.to_uppercase(),
            bank: Some(bank),
            crypto: None,
            provider: None,
            currency: c.currency.to_string(),
            fx: c.fx,
        }
    }

    /// The profile snapshots of a person from the given sources. Returned, not pushed, so that
    /// personas can alter them.
    pub fn profiles(&self, p: &Person, sources: &[&str], rng: &mut Rng) -> Vec<Value> {
        let mut out = Vec::new();
        for &src in sources {
            let observed = self.t0 - rng.range(1, 30) * 86_400 + rng.range(0, 86_400);
            let mut v = json!({"kind": "subject", "subject_id": p.id, "source": src, "observed_at": utc(observed)});
            let edu: Vec<Value> = p
                .education
                .iter()
                .map(|e| json!({"institution": e.0, "degree": e.1, "from": e.2, "to": e.3}))
                .collect();
            let emp: Vec<Value> = p
                .employment
                .iter()
                .map(|e| {
                    let mut j = json!({"employer": e.0, "title": e.1, "from": e.2});
                    if !e.3.is_empty() {
                        j["to"] = json!(e.3);
                    }
                    j
                })
                .collect();
            match src {
                "freelance_platform" => {
                    v["display_name"] = json!(p.display_name());
                    v["claimed_country"] = json!(p.cc);
                    v["claimed_city"] = json!(p.city);
                    v["claimed_timezone"] = json!(p.tz);
                    v["headline"] = json!(p.headline);
                    v["bio"] = json!(p.bio);
                    v["skills"] = json!(p.skills);
                    v["hourly_rate"] = json!({"amount": p.rate, "currency": p.rate_ccy});
                    v["account_created_at"] = json!(utc(p.created));
                    v["emails"] = json!([p.email]);
                    v["photo_sha256"] = json!(p.photo);
                    v["photo_phash"] = json!(p.phash);
                    if !p.native.is_empty() {
                        v["name_native"] = json!(p.native);
                    }
                }
                "payment_platform" => {
                    v["legal_name"] = json!(p.legal_name());
                    v["date_of_birth"] = json!(p.dob_str());
                    v["nationality"] = json!(p.nationality);
                    v["claimed_country"] = json!(p.cc);
                    v["address"] = p.addr.json();
                    v["emails"] = json!([p.email]);
                    v["phones"] = json!([p.phone]);
                    v["account_created_at"] = json!(utc(p.created + rng.range(1, 60) * 86_400));
                }
                "portfolio" => {
                    v["display_name"] = json!(p.display_name());
                    v["claimed_city"] = json!(p.city);
                    v["claimed_country"] = json!(p.cc);
                    v["urls"] = json!(p.urls);
                    v["skills"] = json!(p.skills);
                    v["employment"] = json!(emp);
                    v["headline"] = json!(p.headline);
                }
                "resume" => {
                    v["legal_name"] = json!(p.legal_name());
                    v["emails"] = json!([p.email]);
                    v["phones"] = json!([p.phone]);
                    v["claimed_city"] = json!(p.city);
                    v["claimed_country"] = json!(p.cc);
                    v["education"] = json!(edu);
                    v["employment"] = json!(emp);
                    v["skills"] = json!(p.skills);
                    if !p.native.is_empty() {
                        v["name_native"] = json!(p.native);
                    }
                }
                "hr_system" => {
                    v["legal_name"] = json!(p.legal_name());
                    v["date_of_birth"] = json!(p.dob_str());
                    v["nationality"] = json!(p.nationality);
                    v["claimed_country"] = json!(p.cc);
                    v["claimed_city"] = json!(p.city);
                    v["claimed_timezone"] = json!(p.tz);
                    v["address"] = p.addr.json();
                    v["emails"] = json!([p.email]);
                    v["phones"] = json!([p.phone]);
                    v["observed_at"] = json!(fmt_tz(observed, &p.tz));
                }
                "social" => {
                    v["display_name"] = json!(p.display_name());
                    v["claimed_city"] = json!(p.city);
                    v["claimed_country"] = json!(p.cc);
                    v["employment"] = json!(emp);
                    v["education"] = json!(edu);
                    v["urls"] = json!([p.urls[0]]);
                    v["photo_sha256"] = json!(p.photo);
                }
                _ => {}
            }
            out.push(v);
        }
        out
    }

    /// Push the usual honest set of profile snapshots (3–4 sources, small honest variations).
    pub fn push_profiles(&mut self, p: &Person, rng: &mut Rng, extra: &[&str]) {
        let mut sources = vec!["freelance_platform", "payment_platform"];
        if rng.chance(0.7) {
            sources.push("portfolio");
        }
        if rng.chance(0.6) {
            sources.push("resume");
        }
        if rng.chance(0.3) {
            sources.push("social");
        }
        for e in extra {
            if !sources.contains(e) {
                sources.push(e);
            }
        }
        let mut v = self.profiles(p, &sources, rng);
        // Honest variations: a portfolio that lists only the first two skills, a second e-mail on
        // the payment profile, a resume without the middle name, a Korean name written family
        // name first, a Japanese display name in kanji.
        for s in &mut v {
            if s["source"] == "resume" && !p.middle.is_empty() && p.cc != "VN" && rng.chance(0.5) {
                s["legal_name"] = json!(format!("{} {}", p.given, p.family));
            }
            if s["source"] == "resume" && p.cc == "KR" && rng.chance(0.4) {
                s["legal_name"] = json!(format!("{} {}", p.family, p.given));
            }
            if s["source"] == "freelance_platform"
                && p.cc == "JP"
                && !p.native.is_empty()
                && rng.chance(0.25)
            {
                s["display_name"] = json!(p.native);
            }
            if s["source"] == "portfolio"
                && rng.chance(0.3)
                && let Some(a) = s["skills"].as_array_mut()
            {
                a.truncate(2);
            }
            if s["source"] == "payment_platform" && rng.chance(0.2) {
                let alt = format!("{}.billing@{}", ascii_fold(&p.family), "gmail.com");
                s["emails"] = json!([p.email, alt]);
            }
        }
        for s in v {
            self.push(s);
        }
    }

    /// The default rhythm of an honest person: works in their own zone, from home.
    pub fn honest_life(&self, p: &Person, rng: &mut Rng) -> Life {
        let start = rng.uniform(7.5, 10.0);
        let mut ips = vec![
            (IpSrc::Fixed(p.home_ip.clone()), 90),
            (IpSrc::Fixed(p.home_ip2.clone()), 4),
        ];
        let mut mobile = None;
        if let Some(m) = &p.mobile_net
            && rng.chance(0.5)
        {
            ips.push((IpSrc::Pool(net::net(m).key), 10));
            mobile = Some((p.phone_dev.clone(), "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148".to_string()));
        }
        Life {
            tz: p.tz.clone(),
            start_h: start,
            len_h: rng.uniform(7.5, 9.5),
            reply_from_h: start,
            reply_to_h: start + 9.0,
            weekend_p: rng.uniform(0.02, 0.15),
            evening_p: rng.uniform(0.02, 0.2),
            skip_p: 0.05,
            ips,
            device: p.laptop.clone(),
            ua: p.ua.clone(),
            mobile,
            events: (3, 7),
            from_day: 0,
            to_day: self.days,
            stays: Vec::new(),
            login_method: "password",
        }
    }

    /// Emit logins and activity for a working life; return the windows.
    pub fn live(&mut self, id: &str, life: &Life, rng: &mut Rng) -> Lived {
        let mut lived = Lived::default();
        let (day0, _) = time::to_local(&life.tz, self.t0);
        let mut used: Vec<String> = Vec::new();
        for d in life.from_day..life.to_day {
            let stay = life.stays.iter().rev().find(|s| s.from_day <= d);
            let (tz, ips) = match stay {
                Some(s) => (s.tz.as_str(), &s.ips),
                None => (life.tz.as_str(), &life.ips),
            };
            if stay.is_some_and(|s| s.from_day == d) {
                continue; // travel day
            }
            let ld = day0 + d;
            let wd = time::weekday(ld);
            if wd >= 5 && !rng.chance(life.weekend_p) {
                continue;
            }
            if rng.chance(life.skip_p) {
                continue;
            }
            let start = life.start_h + 0.4 * rng.normal();
            let len = (life.len_h + 0.7 * rng.normal()).max(2.0);
            let s_utc = time::local_to_utc(tz, ld, (start * 3600.0) as i64);
            let e_utc = s_utc + (len * 3600.0) as i64;
            let r_from = time::local_to_utc(tz, ld, (life.reply_from_h * 3600.0) as i64);
            let r_to = time::local_to_utc(tz, ld, (life.reply_to_h * 3600.0) as i64);
            if s_utc < self.t0 || e_utc > self.t_end() {
                continue;
            }
            lived.work.push((s_utc, e_utc, String::new()));
            lived.reply.push((r_from.min(s_utc), r_to.max(e_utc)));
            // Login at the start of the day.
            let weighted: Vec<(usize, u32)> =
                ips.iter().enumerate().map(|(i, x)| (i, x.1)).collect();
            let which = *rng.weighted(&weighted);
            let (ip, mobile) = match &ips[which].0 {
                IpSrc::Fixed(ip) => (ip.clone(), false),
                IpSrc::Pool(k) => (
                    net::ip_in(k, rng),
                    net::net(k).key.contains("tmobile") || k.starts_with("jp_") && *k != "jp_tokyo",
                ),
            };
            let (dev, ua) = match (&life.mobile, mobile) {
                (Some((d, u)), true) => (d.clone(), u.clone()),
                _ => (life.device.clone(), life.ua.clone()),
            };
            let login_at = s_utc - rng.range(60, 900);
            if rng.chance(0.02) {
                // A mistyped password first.
                self.push(json!({"kind": "login", "subject_id": id, "at": utc(login_at - rng.range(20, 120)), "ip": ip, "success": false, "device_id": dev, "user_agent": ua, "method": life.login_method}));
            }
            self.push(json!({"kind": "login", "subject_id": id, "at": utc(login_at), "ip": ip, "success": true, "device_id": dev, "user_agent": ua, "method": life.login_method}));
            if !used.contains(&ip) {
                used.push(ip.clone());
            }
            if let Some(w) = lived.work.last_mut() {
                w.2 = ip.clone();
            }
            let n = rng.range(life.events.0, life.events.1 + 1);
            let mut ts: Vec<i64> = (0..n)
                .map(|_| s_utc + rng.range(0, (e_utc - s_utc).max(1)))
                .collect();
            if rng.chance(life.evening_p) {
                ts.push(time::local_to_utc(tz, ld, rng.range(20 * 3600, 23 * 3600)));
            }
            ts.sort_unstable();
            for t in ts {
                let act = *rng.pick(&[
                    "commit", "commit", "chat", "task", "chat", "review", "deploy",
                ]);
                self.push(json!({"kind": "activity", "subject_id": id, "at": utc(t), "activity": act, "ip": ip}));
            }
        }
        lived.ips = used;
        lived
    }

    /// When a person with these windows answers a message sent at `t`.
    pub fn reply_time(lived: &Lived, t: i64, rng: &mut Rng) -> Option<i64> {
        for &(a, b) in &lived.reply {
            if b <= t {
                continue;
            }
            return Some(if t >= a {
                t + rng.range(2 * 60, 40 * 60)
            } else {
                a + rng.range(10 * 60, 90 * 60)
            });
        }
        None
    }

    /// Required hours for a client: 09–17 in the client's zone when it overlaps the worker's
    /// claimed zone well, otherwise a 4-hour overlap window placed in the worker's claimed day.
    fn required_hours(&self, client: &Client, claimed_tz: &str) -> (i64, i64) {
        let oc = i64::from(time::offset_at(&client.tz, self.t0));
        let ow = i64::from(time::offset_at(claimed_tz, self.t0));
        let diff = (ow - oc) / 60;
        if diff.abs() <= 3 {
            (9 * 60, 17 * 60)
        } else {
            // worker's 10:00–14:00 local, expressed in the client's zone
            let from = (10 * 60 - (ow - oc)).rem_euclid(24 * 60);
            (from, (from + 4 * 60).rem_euclid(24 * 60))
        }
    }

    /// Pick a client compatible with the worker's region (most of the time).
    pub fn pick_client(&self, p: &Person, rng: &mut Rng) -> usize {
        let ow = time::offset_at(&p.tz, self.t0);
        let compatible: Vec<usize> = self
            .clients
            .iter()
            .enumerate()
            .filter(|(_, c)| (time::offset_at(&c.tz, self.t0) - ow).abs() <= 4 * 60 || c.cc == p.cc)
            .map(|(i, _)| i)
            .collect();
        if !compatible.is_empty() && rng.chance(0.75) {
            *rng.pick(&compatible)
        } else {
            rng.index(self.clients.len())
        }
    }

    /// Contracts, interviews, stand-ups, messages, payouts and reviews.
    pub fn engage(
        &mut self,
        p: &Person,
        lived: &Lived,
        opts: &EngOpts,
        rng: &mut Rng,
    ) -> Vec<Engaged> {
        let mut out = Vec::new();
        let payees = if opts.payees.is_empty() {
            vec![(self.t0 - 200 * 86_400, p.payee.clone())]
        } else {
            opts.payees.clone()
        };
        let payees: Vec<(i64, Payee)> = payees
            .into_iter()
            .map(|(t, pe)| (t + rng.range(0, 43_200), pe))
            .collect();
        // Register payout accounts.
        for (i, (at, pe)) in payees.iter().enumerate() {
            let at = if i == 0 {
                (*at).min(self.t0 - rng.range(10, 300) * 86_400 - rng.range(0, 86_400))
            } else {
                *at
            };
            let mut v = json!({"kind": "payout_account", "subject_id": p.id, "at": utc(at)});
            pe.fill(&mut v);
            self.push(v);
        }
        for k in 0..opts.contracts {
            let ci = match &opts.clients {
                Some(v) => v[k % v.len()],
                None => self.pick_client(p, rng),
            };
            let client = self.clients[ci].clone();
            let start_day = match (opts.first_start_day, k) {
                (Some(d), 0) => d,
                _ => rng.range(-45, (self.days / 2).max(1)),
            };
            let (cd0, _) = time::to_local(&client.tz, self.t0);
            let start =
                time::local_to_utc(&client.tz, cd0 + start_day, rng.range(9 * 3600, 18 * 3600));
            let end = if opts.ongoing && k == 0 {
                self.t_end() + rng.range(10, 90) * 86_400
            } else {
                start + rng.range(30, 120) * 86_400
            };
            let (rf, rt) = self.required_hours(&client, &p.tz);
            let thread = self.token("th", rng);
            let hours = rng
                .uniform(opts.hours_per_week.0, opts.hours_per_week.1)
                .round();
            let mut contract = json!({
                "kind": "contract", "subject_id": p.id, "at": fmt_tz(start, &client.tz), "client_id": client.id,
                "rate": {"amount": p.rate, "currency": p.rate_ccy, "unit": "hour"},
                "skills": p.skills,
                "required_hours": {"timezone": client.tz, "from": format!("{:02}:{:02}", rf / 60, rf % 60), "to": format!("{:02}:{:02}", rt / 60, rt % 60), "days": WEEKDAYS},
                "hours_per_week": hours,
                "title": format!("{} for {}", world::skill_title(&p.skills[0]), client.name),
            });
            if end < self.t_end() {
                contract["ends_at"] = json!(fmt_tz(end, &client.tz));
            }
            self.push(contract);
            // Interview before the contract.
            if opts.interview != Meet::Skip {
                let (sd, _) = time::to_local(&client.tz, start);
                let at = time::local_to_utc(
                    &client.tz,
                    sd - rng.range(2, 9),
                    rng.range(10 * 3600, 17 * 3600),
                );
                self.meeting(&p.id, at, "interview", opts.interview, &client, rng);
            }
            // Messages during the contract, sent by the client during their required hours.
            let lang = opts.msg_lang.unwrap_or(if client.lang == p.lang {
                p.lang
            } else {
                Lang::En
            });
            let (c_day0, _) = time::to_local(&client.tz, self.t0);
            let last_day = ((end.min(self.t_end()) - self.t0) / 86_400).min(self.days - 1);
            let first_day = ((start - self.t0) / 86_400).max(0);
            let mut d = first_day;
            while d <= last_day {
                let ld = c_day0 + d;
                if time::weekday(ld) < 5 && rng.chance(0.3) {
                    let span = if rt > rf { rt - rf } else { rt + 24 * 60 - rf };
                    let m = rf + rng.range(0, span.max(30) - 20);
                    let t = time::local_to_utc(&client.tz, ld, m * 60);
                    if t >= self.t0 && t < self.t_end() {
                        let msg = text::client_msg(lang, rng);
                        self.push(json!({"kind": "message", "subject_id": p.id, "at": fmt_tz(t, &client.tz), "direction": "to_subject", "text": msg, "thread_id": thread, "counterpart_id": client.id, "channel": "platform_chat", "lang": lang.code()}));
                        if let Some(r) = Self::reply_time(lived, t, rng)
                            && r < self.t_end()
                        {
                            let msg = text::worker_reply(lang, rng);
                            self.push(json!({"kind": "message", "subject_id": p.id, "at": utc(r), "direction": "from_subject", "text": msg, "thread_id": thread, "counterpart_id": client.id, "channel": "platform_chat", "lang": lang.code()}));
                        }
                    }
                }
                d += 1;
            }
            // Weekly stand-up calls.
            if opts.standup != Meet::Skip {
                let mut t = start.max(self.t0) + rng.range(1, 4) * 86_400;
                while t < end.min(self.t_end()) {
                    let (ld, _) = time::to_local(&client.tz, t);
                    let at = time::local_to_utc(&client.tz, ld, rf * 60 + 30 * 60);
                    if at >= self.t0 && at < self.t_end() {
                        self.meeting(&p.id, at, "standup", opts.standup, &client, rng);
                    }
                    t += 7 * 86_400;
                }
            }
            // Payouts every 7 or 14 days.
            let period = if rng.chance(0.5) { 7 } else { 14 };
            let mut t = start + period * 86_400;
            while t < end.min(self.t_end()) {
                if t >= self.t0 {
                    let pe = &payees
                        .iter()
                        .rev()
                        .find(|(a, _)| *a <= t)
                        .unwrap_or(&payees[0])
                        .1;
                    let usd_rate = if p.rate_ccy == "USD" {
                        p.rate
                    } else {
                        p.rate / p.fx
                    };
                    let usd = usd_rate * hours * (period as f64 / 7.0) * rng.uniform(0.85, 1.05);
                    let amount = (usd * pe.fx * 100.0).round() / 100.0;
                    let amount = if pe.currency == "JPY"
                        || pe.currency == "KRW"
                        || pe.currency == "VND"
                        || pe.currency == "IDR"
                    {
                        amount.round()
                    } else {
                        amount
                    };
                    let mut v = json!({"kind": "payout", "subject_id": p.id, "at": utc(t), "amount": amount, "currency": pe.currency, "client_id": client.id});
                    pe.fill(&mut v);
                    self.push(v);
                }
                t += period * 86_400 + rng.range(-3600, 3600);
            }
            // Review at the end of the contract, or mid-way for long ones.
            if opts.reviews && rng.chance(0.8) {
                let at = if end < self.t_end() {
                    end + rng.range(1, 5) * 86_400
                } else {
                    self.t0 + rng.range(20, self.days - 2) * 86_400 + rng.range(0, 86_400)
                };
                if at > start && at < self.t_end() {
                    let rating = if rng.chance(0.7) {
                        5
                    } else if rng.chance(0.8) {
                        4
                    } else {
                        3
                    };
                    let rt = text::review_text(client.lang, rating, rng);
                    let rid = self.token("rv", rng);
                    self.push(json!({"kind": "review", "subject_id": p.id, "reviewer_id": client.id, "at": utc(at), "rating": rating, "max_rating": 5, "review_id": rid, "text": rt, "reviewer_ip": client.ip}));
                }
            }
            out.push(Engaged {
                client: ci,
                start,
                end,
                thread,
            });
        }
        out
    }

    /// One call (`pub` for personas that add calls of their own).
    pub fn meeting(
        &mut self,
        id: &str,
        at: i64,
        kind: &str,
        style: Meet,
        client: &Client,
        rng: &mut Rng,
    ) {
        let mut v = json!({"kind": "meeting", "subject_id": id, "at": fmt_tz(at, &client.tz), "meeting_type": kind, "video_requested": true, "counterpart_id": client.id, "duration_min": if kind == "interview" { 45 } else { rng.range(15, 35) }});
        match style {
            Meet::CameraOn | Meet::Skip => {
                v["camera_on"] = json!(true);
                v["refused"] = json!(false);
                v["face_hash"] = json!(face_hash(id, 0, at));
            }
            Meet::CameraOff => {
                v["camera_on"] = json!(false);
                v["refused"] = json!(false);
                v["notes"] = json!(*rng.pick(&[
                    "Said the webcam is broken.",
                    "Audio only; claimed poor bandwidth.",
                    "Camera off again, said it was late and the room was dark."
                ]));
            }
            Meet::Refused => {
                v["camera_on"] = json!(false);
                v["refused"] = json!(true);
                v["notes"] = json!("Declined video; asked to continue by chat only.");
            }
            Meet::Deepfake => {
                v["camera_on"] = json!(true);
                v["refused"] = json!(false);
                v["observations"] = json!(["lip_sync_mismatch", "face_swap_artifacts"]);
                // The face shown is not the person's own (see `face_hash`).
                v["face_hash"] = json!(face_hash(id, 0x9c3e_5a71_d2b4_6f08, at));
                v["notes"] = json!(
                    "Face edges flickered when the candidate turned his head; audio lagged lip movement by ~300 ms; declined to wave a hand in front of the face."
                );
            }
        }
        self.push(v);
    }

    /// The passport record (TD3 MRZ with valid check digits) for a person. Returned for editing.
    pub fn passport(&self, p: &Person, rng: &mut Rng) -> Value {
        let issue_year = 2026 - rng.range(1, 9);
        let (im, id) = (rng.range(1, 13) as u32, rng.range(1, 29) as u32);
        let expiry = (issue_year + 10, im, id.saturating_sub(1).max(1));
        let yymmdd = |y: i64, m: u32, d: u32| format!("{:02}{m:02}{d:02}", y.rem_euclid(100));
        let given_mrz = if p.middle.is_empty() {
            p.given.clone()
        } else {
            format!("{} {}", p.given, p.middle)
        };
        let (l1, l2) = ident::td3(&ident::Td3 {
            issuing: &p.icao,
            surname: &p.family,
            given: &given_mrz,
            number: &p.passport_no,
            nationality: &p.icao,
            dob: &yymmdd(p.dob.0, p.dob.1, p.dob.2),
            sex: p.sex,
            expiry: &yymmdd(expiry.0, expiry.1, expiry.2),
        });
        let at = self.t0 - rng.range(5, 60) * 86_400 - rng.range(0, 86_400);
        json!({
            "kind": "identity_document", "subject_id": p.id, "at": utc(at), "doc_type": "passport",
            "issuing_country": p.nationality, "number": p.passport_no, "name": p.legal_name(), "date_of_birth": p.dob_str(),
            "issue_date": time::ymd(issue_year, im, id), "expiry": time::ymd(expiry.0, expiry.1, expiry.2),
            "mrz": format!("{l1}\n{l2}"), "image_sha256": ident::sha256_hex(&format!("passport-scan:{}:{}", p.id, p.passport_no)),
        })
    }

    /// A second, address-bearing document (driver's licence / national ID / residence card).
    pub fn address_doc(&self, p: &Person, rng: &mut Rng) -> Value {
        let doc_type = match p.cc.as_str() {
            "US" => "drivers_license",
            "JP" => "my_number_card",
            _ => "national_id",
        };
        let number = match p.cc.as_str() {
            "US" => format!("{}{}", rng.letters(1), rng.digits(8)),
            _ => rng.digits(10),
        };
        let at = self.t0 - rng.range(5, 60) * 86_400 - rng.range(0, 86_400);
        let issue_year = 2026 - rng.range(1, 6);
        json!({
            "kind": "identity_document", "subject_id": p.id, "at": utc(at), "doc_type": doc_type,
            "issuing_country": p.cc, "number": number, "name": p.legal_name(), "date_of_birth": p.dob_str(),
            "issue_date": time::ymd(issue_year, 3, 14), "expiry": time::ymd(issue_year + 8, 3, 14),
            "address": p.addr.json(), "image_sha256": ident::sha256_hex(&format!("id-scan:{}:{number}", p.id)),
        })
    }

    /// A due-diligence check record.
    pub fn check(&mut self, id: &str, at: i64, check: &str, result: &str, notes: &str) {
        let ev = ident::sha256_hex(&format!("evidence:{id}:{check}:{at}"));
        self.push(json!({"kind": "check", "subject_id": id, "at": utc(at), "check": check, "result": result, "by": "trust-and-safety@client.example", "notes": notes, "evidence": [ev]}));
    }

    /// Staff-augmentation extras: hr_system view, laptop shipment, endpoint inventory, access log.
    pub fn staff_aug(
        &mut self,
        p: &Person,
        lived: &Lived,
        eng: &Engaged,
        rng: &mut Rng,
        ship_to: Option<&Addr>,
    ) {
        let client = self.clients[eng.client].clone();
        let ship_at = (eng.start - rng.range(3, 8) * 86_400)
            .max(self.t0 - 40 * 86_400 + rng.range(0, 86_400));
        let mut v = json!({"kind": "shipment", "subject_id": p.id, "at": utc(ship_at), "status": "delivered", "address": ship_to.unwrap_or(&p.addr).json(), "item": "client-issued laptop (MacBook Pro 14)", "carrier": "UPS"});
        if let Some(a) = ship_to {
            v["address"] = a.json();
        }
        self.push(v);
        let inv_at = eng.start.max(self.t0) + rng.range(3600, 3 * 86_400);
        for (name, detail) in [
            ("Slack", "installed_software"),
            ("Visual Studio Code", "installed_software"),
            ("Zoom", "installed_software"),
            ("Google Chrome", "installed_software"),
        ] {
            if rng.chance(0.8) {
                self.push(json!({"kind": "endpoint", "subject_id": p.id, "at": utc(inv_at), "observation": detail, "device_id": p.laptop, "name": name, "detail": "MDM inventory"}));
            }
        }
        let resources = [
            ("git:client/web-app", "internal"),
            ("git:client/api-service", "internal"),
            ("jira:PROJ", "internal"),
            ("confluence:Engineering/Onboarding", "internal"),
            ("drive:/shared/design/mockups", "internal"),
            ("docs:public/api-reference", "public"),
            ("drive:/finance/q3-forecast.xlsx", "confidential"),
            ("git:client/infra-secrets", "secret"),
        ];
        for (s, e, ip) in lived
            .work
            .iter()
            .filter(|w| w.0 >= eng.start && w.1 <= eng.end)
        {
            let n = rng.range(1, 5);
            for _ in 0..n {
                let r = if rng.chance(0.97) {
                    resources[rng.index(6)]
                } else {
                    resources[6]
                };
                let t = s + rng.range(0, (e - s).max(1));
                self.push(json!({"kind": "access", "subject_id": p.id, "at": utc(t), "resource": r.0, "action": *rng.pick(&["read", "read", "write", "clone"]), "sensitivity": r.1, "bytes": rng.range(2_000, 4_000_000), "ip": ip, "client_id": client.id}));
            }
        }
    }
}

/// A passport number in the format of the issuing country.
pub fn passport_number(cc: &str, rng: &mut Rng) -> String {
    match cc {
        "US" | "GB" => rng.digits(9),
        "JP" => format!("T{}{}", rng.letters(1), rng.digits(7)),
        "KR" => format!("M{}", rng.digits(8)),
        "DE" => {
            const A: &[u8] = b"CFGHJKLMNPRTVWXYZ0123456789";
            format!(
                "C{}",
                (0..8)
                    .map(|_| A[rng.index(A.len())] as char)
                    .collect::<String>()
            )
        }
        "IN" => format!("{}{}", rng.letters(1), rng.digits(7)),
        "PH" => format!("P{}{}", rng.digits(7), rng.letters(1)),
        "BR" => format!("F{}{}", rng.letters(1), rng.digits(6)),
        "UA" => format!("F{}{}", rng.letters(1), rng.digits(6)),
        "VN" => format!("C{}", rng.digits(7)),
        "SG" => format!("E{}{}", rng.digits(7), rng.letters(1)),
        "CN" => format!("E{}", rng.digits(8)),
        "ID" => format!("X{}", rng.digits(7)),
        _ => rng.digits(9),
    }
}

/// A perceptual hash of the face seen in a call with `id` at `at` (64 bits, hex): the person's
/// own face (`swap == 0`) is stable up to two bits of noise (light, angle) from call to call;
/// another face (`swap` ≠ 0, e.g. a face swap at the interview) differs in the bits of `swap`.
/// Drawn from hashes, not from the generator's stream, so adding it changed no other record.
pub fn face_hash(id: &str, swap: u64, at: i64) -> String {
    let word = |s: &str| u64::from_str_radix(&crate::ident::sha256_hex(s)[..16], 16).unwrap_or(0);
    let mut h = word(&format!("face:{id}")) ^ swap;
    let noise = word(&format!("face-noise:{id}:{at}"));
    for k in 0..(noise % 3) {
        h ^= 1u64 << ((noise >> (8 + 8 * k)) % 64);
    }
    format!("{h:016x}")
}
