//! Typed views of the 15 record kinds of `spec/input-format.md`.
//!
//! Each kind is a `serde` struct with the spec's required fields as plain fields and the
//! optional ones as `Option`s or (possibly empty) lists. Unknown fields are ignored by these
//! views but kept in the stored canonical body (see [`crate::validate`]). Value checks that the
//! type system can express live in the newtypes below ([`Country`], [`Currency`], [`Date`],
//! [`NonEmpty`]), so that a failure names the exact field path.

use crate::time::Ts;
use serde::{Deserialize, Deserializer, Serialize};
use std::net::IpAddr;

/// The 15 record kinds. The string form is the `kind` field of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Subject,
    Login,
    Activity,
    PayoutAccount,
    Payout,
    Message,
    Review,
    Contract,
    Meeting,
    IdentityDocument,
    Shipment,
    Access,
    Endpoint,
    Check,
    Label,
}

impl Kind {
    /// Every kind, in the order of the spec's table.
    pub const ALL: [Kind; 15] = [
        Kind::Subject,
        Kind::Login,
        Kind::Activity,
        Kind::PayoutAccount,
        Kind::Payout,
        Kind::Message,
        Kind::Review,
        Kind::Contract,
        Kind::Meeting,
        Kind::IdentityDocument,
        Kind::Shipment,
        Kind::Access,
        Kind::Endpoint,
        Kind::Check,
        Kind::Label,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Subject => "subject",
            Kind::Login => "login",
            Kind::Activity => "activity",
            Kind::PayoutAccount => "payout_account",
            Kind::Payout => "payout",
            Kind::Message => "message",
            Kind::Review => "review",
            Kind::Contract => "contract",
            Kind::Meeting => "meeting",
            Kind::IdentityDocument => "identity_document",
            Kind::Shipment => "shipment",
            Kind::Access => "access",
            Kind::Endpoint => "endpoint",
            Kind::Check => "check",
            Kind::Label => "label",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The required fields of this kind, as the spec lists them (used for CSV typing and docs;
    /// the serde types below enforce them).
    pub fn required_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Subject => &["subject_id", "source"],
            Kind::Login => &["subject_id", "at", "ip"],
            Kind::Activity => &["subject_id", "at"],
            Kind::PayoutAccount => &["subject_id", "at", "account_id", "method"],
            Kind::Payout => &["subject_id", "at", "amount", "currency"],
            Kind::Message => &["subject_id", "at", "direction"],
            Kind::Review => &["subject_id", "reviewer_id", "at", "rating"],
            Kind::Contract => &["subject_id", "at"],
            Kind::Meeting => &["subject_id", "at"],
            Kind::IdentityDocument => &["subject_id", "at", "doc_type"],
            Kind::Shipment => &["subject_id", "at", "status"],
            Kind::Access => &["subject_id", "at", "resource"],
            Kind::Endpoint => &["subject_id", "at", "observation"],
            Kind::Check => &["subject_id", "at", "check", "result"],
            Kind::Label => &["subject_id", "label"],
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated record, typed by its kind.
#[derive(Debug, Clone)]
pub enum Record {
    Subject(Box<Subject>),
    Login(Login),
    Activity(Activity),
    PayoutAccount(Box<PayoutAccount>),
    Payout(Box<Payout>),
    Message(Message),
    Review(Review),
    Contract(Box<Contract>),
    Meeting(Meeting),
    IdentityDocument(Box<IdentityDocument>),
    Shipment(Box<Shipment>),
    Access(Access),
    Endpoint(Endpoint),
    Check(Check),
    Label(Label),
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Subject(_) => Kind::Subject,
            Record::Login(_) => Kind::Login,
            Record::Activity(_) => Kind::Activity,
            Record::PayoutAccount(_) => Kind::PayoutAccount,
            Record::Payout(_) => Kind::Payout,
            Record::Message(_) => Kind::Message,
            Record::Review(_) => Kind::Review,
            Record::Contract(_) => Kind::Contract,
            Record::Meeting(_) => Kind::Meeting,
            Record::IdentityDocument(_) => Kind::IdentityDocument,
            Record::Shipment(_) => Kind::Shipment,
            Record::Access(_) => Kind::Access,
            Record::Endpoint(_) => Kind::Endpoint,
            Record::Check(_) => Kind::Check,
            Record::Label(_) => Kind::Label,
        }
    }

    /// The subject the record is about.
    pub fn subject_id(&self) -> &str {
        match self {
            Record::Subject(r) => &r.subject_id,
            Record::Login(r) => &r.subject_id,
            Record::Activity(r) => &r.subject_id,
            Record::PayoutAccount(r) => &r.subject_id,
            Record::Payout(r) => &r.subject_id,
            Record::Message(r) => &r.subject_id,
            Record::Review(r) => &r.subject_id,
            Record::Contract(r) => &r.subject_id,
            Record::Meeting(r) => &r.subject_id,
            Record::IdentityDocument(r) => &r.subject_id,
            Record::Shipment(r) => &r.subject_id,
            Record::Access(r) => &r.subject_id,
            Record::Endpoint(r) => &r.subject_id,
            Record::Check(r) => &r.subject_id,
            Record::Label(r) => &r.subject_id,
        }
    }

    /// The record's time, where the kind has one.
    pub fn at(&self) -> Option<Ts> {
        match self {
            Record::Subject(r) => r.observed_at,
            Record::Login(r) => Some(r.at),
            Record::Activity(r) => Some(r.at),
            Record::PayoutAccount(r) => Some(r.at),
            Record::Payout(r) => Some(r.at),
            Record::Message(r) => Some(r.at),
            Record::Review(r) => Some(r.at),
            Record::Contract(r) => Some(r.at),
            Record::Meeting(r) => Some(r.at),
            Record::IdentityDocument(r) => Some(r.at),
            Record::Shipment(r) => Some(r.at),
            Record::Access(r) => Some(r.at),
            Record::Endpoint(r) => Some(r.at),
            Record::Check(r) => Some(r.at),
            Record::Label(r) => r.at,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Value newtypes.

/// A string that must not be empty (identifiers).
pub type NonEmpty = String;

fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom("must not be empty"));
    }
    Ok(s)
}

/// Lists may be given as `null`; that means empty.
fn nullable_vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Country(pub String);

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Country(t.to_ascii_uppercase()))
        } else {
            Err(serde::de::Error::custom(format!(
                "not an ISO 3166-1 alpha-2 country code: {s:?}"
            )))
        }
    }
}

impl Country {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 4217 currency code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Currency(pub String);

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Currency(t.to_ascii_uppercase()))
        } else {
            Err(serde::de::Error::custom(format!(
                "not an ISO 4217 currency code: {s:?}"
            )))
        }
    }
}

/// A calendar date `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.trim()
            .parse::<jiff::civil::Date>()
            .map(Date)
            .map_err(|_| serde::de::Error::custom(format!("not a date YYYY-MM-DD: {s:?}")))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// A finite number (JSON number, or a numeric string as CSV gives it).
fn finite<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(serde::de::Error::custom("must be a finite number"))
    }
}

// ---------------------------------------------------------------------------------------------
// Nested structures.

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Money {
    #[serde(deserialize_with = "finite")]
    pub amount: f64,
    pub currency: Currency,
    /// For contract rates: `hour`, `day`, `month`, `fixed`.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Education {
    pub institution: Option<String>,
    pub degree: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Employment {
    pub employer: Option<String>,
    pub title: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Optional free text (technologies used), used by history checks.
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Bank {
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub account_number: Option<String>,
    pub bank_name: Option<String>,
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Crypto {
    pub chain: Option<String>,
    pub asset: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RequiredHours {
    /// IANA time zone of the required hours, e.g. `America/New_York`.
    pub timezone: Option<String>,
    /// Local start time `HH:MM`.
    pub from: Option<String>,
    /// Local end time `HH:MM`.
    pub to: Option<String>,
    /// Days, e.g. `mon`..`sun`.
    #[serde(default, deserialize_with = "nullable_vec")]
    pub days: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Enumerations the spec fixes.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutMethod {
    Bank,
    Crypto,
    Wallet,
    Card,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    FromSubject,
    ToSubject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    Delivered,
    Failed,
    Redirected,
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Public,
    Internal,
    Confidential,
    Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Pass,
    Fail,
    Inconclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelValue {
    Dprk,
    Legit,
    Unknown,
}

// ---------------------------------------------------------------------------------------------
// The kinds.

/// One view of a person or account, as one `source` sees it.
#[derive(Debug, Clone, Deserialize)]
pub struct Subject {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    #[serde(deserialize_with = "non_empty")]
    pub source: NonEmpty,
    pub observed_at: Option<Ts>,
    pub display_name: Option<String>,
    pub legal_name: Option<String>,
    pub name_native: Option<String>,
    pub nationality: Option<Country>,
    pub claimed_country: Option<Country>,
    pub claimed_city: Option<String>,
    /// IANA time zone name, e.g. `America/New_York`.
    pub claimed_timezone: Option<String>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub emails: Vec<String>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub phones: Vec<String>,
    pub address: Option<Address>,
    pub date_of_birth: Option<Date>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub education: Vec<Education>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub employment: Vec<Employment>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub urls: Vec<String>,
    pub hourly_rate: Option<Money>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub skills: Vec<String>,
    pub account_created_at: Option<Ts>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub former_names: Vec<String>,
    pub headline: Option<String>,
    pub bio: Option<String>,
    pub photo_sha256: Option<String>,
    pub photo_phash: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    pub ip: IpAddr,
    pub success: Option<bool>,
    pub user_agent: Option<String>,
    pub device_id: Option<String>,
    pub method: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Activity {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    pub activity: Option<String>,
    pub ip: Option<IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PayoutAccount {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "non_empty")]
    pub account_id: NonEmpty,
    pub method: PayoutMethod,
    pub beneficiary_name: Option<String>,
    pub bank: Option<Bank>,
    pub crypto: Option<Crypto>,
    pub provider: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Payout {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "finite")]
    pub amount: f64,
    pub currency: Currency,
    pub account_id: Option<String>,
    pub method: Option<PayoutMethod>,
    pub beneficiary_name: Option<String>,
    pub bank: Option<Bank>,
    pub crypto: Option<Crypto>,
    pub provider: Option<String>,
    /// `incoming` (paid to the subject, the default) or `outgoing` (moved onward by them).
    pub direction: Option<String>,
    /// Free classification from the source, e.g. `onward_transfer`.
    pub transfer_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    pub direction: Direction,
    pub text: Option<String>,
    pub thread_id: Option<String>,
    pub counterpart_id: Option<String>,
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    #[serde(deserialize_with = "non_empty")]
    pub reviewer_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "finite")]
    pub rating: f64,
    pub review_id: Option<String>,
    pub max_rating: Option<f64>,
    pub text: Option<String>,
    pub reviewer_ip: Option<IpAddr>,
}

impl Review {
    /// The rating scaled to 0..1 (`max_rating` defaults to 5).
    pub fn normalized(&self) -> f64 {
        let max = self.max_rating.filter(|m| *m > 0.0).unwrap_or(5.0);
        (self.rating / max).clamp(0.0, 1.0)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contract {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    pub client_id: Option<String>,
    pub rate: Option<Money>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub skills: Vec<String>,
    pub required_hours: Option<RequiredHours>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Meeting {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    pub meeting_type: Option<String>,
    pub video_requested: Option<bool>,
    pub camera_on: Option<bool>,
    pub refused: Option<bool>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub observations: Vec<String>,
    pub notes: Option<String>,
    /// Perceptual hash of the face seen in the meeting (extension; 64-bit hex such as a pHash),
    /// when the platform supplies one. `face_phash` is accepted as well.
    #[serde(alias = "face_phash")]
    pub face_hash: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdentityDocument {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "non_empty")]
    pub doc_type: NonEmpty,
    pub issuing_country: Option<Country>,
    pub number: Option<String>,
    pub name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub expiry: Option<Date>,
    /// Date of issue (`issue_date`; `issued` is accepted too).
    #[serde(alias = "issued")]
    pub issue_date: Option<Date>,
    pub mrz: Option<String>,
    pub address: Option<Address>,
    pub image_sha256: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Shipment {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    pub status: ShipmentStatus,
    pub address: Option<Address>,
    pub redirect_address: Option<Address>,
    pub item: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Access {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "non_empty")]
    pub resource: NonEmpty,
    pub action: Option<String>,
    pub sensitivity: Option<Sensitivity>,
    pub bytes: Option<u64>,
    pub ip: Option<IpAddr>,
    pub dest_ip: Option<IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Endpoint {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "non_empty")]
    pub observation: NonEmpty,
    pub device_id: Option<String>,
    pub name: Option<String>,
    pub detail: Option<String>,
    /// Where the device is (extension): the public address it was seen from, e.g. by MDM or EDR
    /// check-ins (`observation: "location"`).
    pub ip: Option<IpAddr>,
    /// Where the device is (extension): the country its location report names.
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Check {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub at: Ts,
    #[serde(deserialize_with = "dd_id")]
    pub check: String,
    pub result: CheckResult,
    pub by: Option<String>,
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "nullable_vec")]
    pub evidence: Vec<String>,
}

fn dd_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if crate::catalog::dd(&s).is_some() {
        Ok(s)
    } else {
        let known: Vec<&str> = crate::catalog::DD.iter().map(|m| m.id).collect();
        Err(serde::de::Error::custom(format!(
            "unknown due-diligence id {s:?}; expected one of {}",
            known.join(", ")
        )))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    #[serde(deserialize_with = "non_empty")]
    pub subject_id: NonEmpty,
    pub label: LabelValue,
    pub at: Option<Ts>,
    pub by: Option<String>,
    pub notes: Option<String>,
    /// The red flags (`RF-...`) the subject is known to show (extension): ground truth for the
    /// per-flag recall of `kensa eval`, like the label never a signal.
    #[serde(default, deserialize_with = "nullable_vec")]
    pub flags: Vec<String>,
}
