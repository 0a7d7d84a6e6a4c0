//! The data model shared by the loaders and the matcher.

use serde::Serialize;
use std::path::PathBuf;

/// What kind of party a list entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A natural person.
    Individual,
    /// A company, organisation or other legal entity.
    Entity,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// The list does not say.
    #[default]
    Unknown,
}

/// A (possibly partial or approximate) date of birth as published by a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BirthDate {
    /// The year, or the first year of a range.
    pub year: i32,
    /// The month (1–12) when known.
    pub month: Option<u8>,
    /// The day of the month when known.
    pub day: Option<u8>,
    /// The last year of a range ("1960 to 1962"), when the list gives a range.
    pub to_year: Option<i32>,
    /// Whether the list marks the date as approximate ("circa").
    pub circa: bool,
}

impl BirthDate {
    /// Parses the date forms found in OFAC remarks, the UN list and user input:
    /// `15 Jan 1960`, `Jan 1960`, `1960`, `circa 1960`, `1960 to 1962`,
    /// `1960-01-15`, `1960-01`. Returns `None` when no year can be found.
    pub fn parse(text: &str) -> Option<BirthDate> {
        let t = text.trim().trim_end_matches('.').trim();
        let lower = t.to_ascii_lowercase();
        let (circa, rest) = match lower.strip_prefix("circa") {
            Some(r) => (true, r.trim().to_string()),
            None => (false, lower.clone()),
        };
        let (first, second) = match rest.split_once(" to ") {
            Some((a, b)) => (a.trim().to_string(), Some(b.trim().to_string())),
            None => (rest.clone(), None),
        };
        let mut date = parse_single(&first)?;
        date.circa = circa;
        if let Some(second) = second.and_then(|s| parse_single(&s)) {
            if second.year != date.year {
                date.to_year = Some(second.year);
            }
            if second.month != date.month || second.day != date.day {
                // A range of days says little more than its years.
                if second.year != date.year || second.month != date.month {
                    date.month = None;
                }
                date.day = None;
            }
        }
        Some(date)
    }

    /// Whether `year` lies in the range this date covers, widened by `slack` years.
    pub fn covers_year(&self, year: i32, slack: i32) -> bool {
        let to = self.to_year.unwrap_or(self.year);
        year >= self.year - slack && year <= to + slack
    }
}

fn month_number(s: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let s = s.to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| s.starts_with(m))
        .map(|i| i as u8 + 1)
}

fn parse_single(s: &str) -> Option<BirthDate> {
    let s = s.trim();
    // ISO forms: 1960-01-15, 1960-01, 1960.
    let iso: Vec<&str> = s.split('-').collect();
    if !iso.is_empty()
        && iso[0].len() == 4
        && iso
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
    {
        let year = iso[0].parse().ok()?;
        let month = iso
            .get(1)
            .and_then(|m| m.parse::<u8>().ok())
            .filter(|m| (1..=12).contains(m));
        let day = iso
            .get(2)
            .and_then(|d| d.parse::<u8>().ok())
            .filter(|d| (1..=31).contains(d));
        return Some(BirthDate {
            year,
            month,
            day: if month.is_some() { day } else { None },
            to_year: None,
            circa: false,
        });
    }
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '/')
        .filter(|p| !p.is_empty())
        .collect();
    let mut year = None;
    let mut month = None;
    let mut day = None;
    for p in &parts {
        if p.len() == 4 && p.chars().all(|c| c.is_ascii_digit()) {
            year = p.parse::<i32>().ok();
        } else if let Some(m) = month_number(p) {
            month = Some(m);
        } else if p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()) {
            day = p.parse::<u8>().ok().filter(|d| (1..=31).contains(d));
        }
    }
    let year = year?;
    Some(BirthDate {
        year,
        month,
        day: if month.is_some() { day } else { None },
        to_year: None,
        circa: false,
    })
}

/// A postal address attached to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Address {
    /// Street and building.
    pub line: String,
    /// City, state and postal code as the list gives them.
    pub city: String,
    /// Country as the list names it.
    pub country: String,
}

/// A crypto-currency address attached to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wallet {
    /// The currency or chain code the list gives (`XBT`, `ETH`, `USDT`...), upper case.
    pub currency: String,
    /// The address exactly as listed.
    pub address: String,
}

/// One listed party with everything the screener uses.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Entry {
    /// The name of the list this entry comes from (`OFAC-SDN`, `UN-SC`, `OpenSanctions`, or the
    /// file stem of a custom list).
    pub list: String,
    /// The list's own identifier: OFAC `ent_num`, UN `DATAID`, FollowTheMoney `id`, custom `id`.
    pub id: String,
    /// Person, entity, vessel, aircraft or unknown.
    pub kind: EntityKind,
    /// The primary name as listed.
    pub name: String,
    /// Other names: aliases, former names, original-script names.
    pub aliases: Vec<String>,
    /// Weak aliases ("low quality" a.k.a.s: nicknames such as `EL OCHO`, single words, short
    /// forms): OFAC lists them in the remarks, the UN as quality `Low`, OpenSanctions as
    /// `weakAlias`. The lists themselves say they are too broad to identify anyone, so they
    /// are kept for analysts to read but never matched on their own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weak_aliases: Vec<String>,
    /// `M` or `F` when the list states the person's gender (OFAC remarks `Gender Male`, UN
    /// `GENDER`, FollowTheMoney `gender`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<char>,
    /// Sanctions programmes (OFAC programme tags, UN list type, FollowTheMoney topics).
    pub programs: Vec<String>,
    /// A secondary reference such as the UN `REFERENCE_NUMBER` (e.g. `KPi.010`), when given.
    pub reference: Option<String>,
    /// Dates of birth, possibly approximate.
    pub birth_dates: Vec<BirthDate>,
    /// Nationalities and citizenships as ISO 3166-1 alpha-2 codes where recognised, else as listed.
    pub nationalities: Vec<String>,
    /// Other countries linked to the entry (addresses, registration), normalised like nationalities.
    pub countries: Vec<String>,
    /// Postal addresses.
    pub addresses: Vec<Address>,
    /// Crypto-currency addresses.
    pub wallets: Vec<Wallet>,
}

/// `M` or `F` from the ways lists and documents write a sex or gender (`M`, `male`, `Female`...).
pub fn gender_code(s: &str) -> Option<char> {
    match s.trim().to_ascii_lowercase().as_str() {
        "m" | "male" | "man" => Some('M'),
        "f" | "female" | "woman" => Some('F'),
        _ => None,
    }
}

impl Entry {
    /// The primary name followed by every alias (weak aliases excluded): the names screening
    /// matches against.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Whether any programme of this entry is a North Korea programme (`DPRK`, `DPRK2`,
    /// `DPRK-NKSPEA`, UN list type `DPRK`...).
    pub fn is_dprk(&self) -> bool {
        self.programs
            .iter()
            .any(|p| p.to_ascii_uppercase().contains("DPRK"))
    }
}

/// The recognised list formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    /// OFAC `sdn.csv`, optionally joined with `alt.csv` and `add.csv`.
    OfacCsv,
    /// The UN Security Council consolidated list XML.
    UnXml,
    /// OpenSanctions FollowTheMoney JSON lines.
    FtmJson,
    /// Kensa's simple CSV for a user's own list.
    CustomCsv,
}

/// Counts describing one loaded list.
#[derive(Debug, Clone, Serialize)]
pub struct ListSummary {
    /// The list name used in matches.
    pub list: String,
    /// The recognised format.
    pub format: ListFormat,
    /// The files that made up the list.
    pub files: Vec<PathBuf>,
    /// Number of entries.
    pub entries: usize,
    /// Number of aliases over all entries.
    pub aliases: usize,
    /// Number of weak aliases over all entries (kept, never matched on their own).
    pub weak_aliases: usize,
    /// Number of crypto-currency addresses over all entries.
    pub wallets: usize,
    /// Rows that could not be attached to an entry (OFAC alt/add rows whose `ent_num` is not in
    /// `sdn.csv`); they are counted, not fatal.
    pub orphans: usize,
    /// Records of other kinds that were skipped (FollowTheMoney `Sanction`, `Address`...).
    pub skipped: usize,
}

/// Maps a country as lists and users write it to an ISO 3166-1 alpha-2 code. Unknown names are
/// returned upper-cased so that equal spellings still compare equal.
pub fn country_code(s: &str) -> String {
    let t = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        return t.to_ascii_uppercase();
    }
    const TABLE: &[(&str, &str)] = &[
        ("korea, north", "KP"),
        ("north korea", "KP"),
        ("democratic people's republic of korea", "KP"),
        ("democratic peoples republic of korea", "KP"),
        ("dprk", "KP"),
        ("prk", "KP"),
        ("korea, south", "KR"),
        ("south korea", "KR"),
        ("republic of korea", "KR"),
        ("korea", "KR"),
        ("kor", "KR"),
        ("china", "CN"),
        ("chn", "CN"),
        ("japan", "JP"),
        ("jpn", "JP"),
        ("russia", "RU"),
        ("russian federation", "RU"),
        ("iran", "IR"),
        ("iran (islamic republic of)", "IR"),
        ("syria", "SY"),
        ("syrian arab republic", "SY"),
        ("iraq", "IQ"),
        ("cuba", "CU"),
        ("venezuela", "VE"),
        ("belarus", "BY"),
        ("ukraine", "UA"),
        ("united states", "US"),
        ("united kingdom", "GB"),
        ("united arab emirates", "AE"),
        ("singapore", "SG"),
        ("hong kong", "HK"),
        ("taiwan", "TW"),
        ("vietnam", "VN"),
        ("viet nam", "VN"),
        ("laos", "LA"),
        ("cambodia", "KH"),
        ("thailand", "TH"),
        ("malaysia", "MY"),
        ("indonesia", "ID"),
        ("philippines", "PH"),
        ("mongolia", "MN"),
        ("india", "IN"),
        ("pakistan", "PK"),
        ("afghanistan", "AF"),
        ("mexico", "MX"),
        ("colombia", "CO"),
        ("lebanon", "LB"),
        ("yemen", "YE"),
        ("libya", "LY"),
        ("sudan", "SD"),
        ("somalia", "SO"),
        ("turkey", "TR"),
        ("turkiye", "TR"),
        ("germany", "DE"),
        ("france", "FR"),
        ("nigeria", "NG"),
        ("democratic republic of the congo", "CD"),
        ("congo, democratic republic of the", "CD"),
    ];
    TABLE
        .iter()
        .find(|(name, _)| *name == t)
        .map(|(_, code)| (*code).to_string())
        .unwrap_or_else(|| t.to_ascii_uppercase())
}
