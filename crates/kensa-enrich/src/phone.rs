//! Phone numbers: E.164 normalisation, country and line type (VoIP included).
//!
//! Uses the `phonenumber` crate, a Rust port of Google's libphonenumber
//! with its metadata. Line types come from that metadata; where a country's
//! numbering plan cannot tell mobile from fixed line (US, Canada...) the
//! type is `fixed_line_or_mobile`.

use serde::{Deserialize, Serialize};

/// The result of [`phone`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneInfo {
    /// The number as given, trimmed.
    pub input: String,
    /// Whether the number is valid for its country's numbering plan.
    pub valid: bool,
    /// The number in E.164 form (`+14155552671`), when it could be parsed.
    pub e164: Option<String>,
    /// The ISO 3166-1 alpha-2 region of the number.
    pub country: Option<String>,
    /// The country calling code.
    pub calling_code: Option<u16>,
    /// The line type: `fixed_line`, `mobile`, `fixed_line_or_mobile`,
    /// `toll_free`, `premium_rate`, `shared_cost`, `personal_number`,
    /// `voip`, `pager`, `uan`, `voicemail`, `unknown`...
    pub line_type: Option<String>,
    /// Whether the number is a VoIP number (an easily obtained virtual number).
    pub is_voip: bool,
    /// Why the number could not be parsed.
    pub error: Option<String>,
}

fn type_name(t: phonenumber::Type) -> &'static str {
    use phonenumber::Type as T;
    match t {
        T::FixedLine => "fixed_line",
        T::Mobile => "mobile",
        T::FixedLineOrMobile => "fixed_line_or_mobile",
        T::TollFree => "toll_free",
        T::PremiumRate => "premium_rate",
        T::SharedCost => "shared_cost",
        T::PersonalNumber => "personal_number",
        T::Voip => "voip",
        T::Pager => "pager",
        T::Uan => "uan",
        T::Emergency => "emergency",
        T::Voicemail => "voicemail",
        T::ShortCode => "short_code",
        T::StandardRate => "standard_rate",
        T::Carrier => "carrier",
        T::NoInternational => "no_international",
        T::Unknown => "unknown",
    }
}

/// Parses a phone number. `default_region` (ISO alpha-2, e.g. `"JP"`) is
/// used for numbers written without a `+` country code.
///
/// ```
/// let p = kensa_enrich::phone("+1 650-253-0000", None);
/// assert!(p.valid);
/// assert_eq!(p.e164.as_deref(), Some("+16502530000"));
/// assert_eq!(p.country.as_deref(), Some("US"));
/// ```
pub fn phone(number: &str, default_region: Option<&str>) -> PhoneInfo {
    let input = number.trim().to_string();
    let mut info = PhoneInfo {
        input: input.clone(),
        ..PhoneInfo::default()
    };
    if input.is_empty() {
        info.error = Some("empty number".into());
        return info;
    }
    let region = match default_region {
        Some(r) => match r
            .trim()
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
        {
            Ok(id) => Some(id),
            Err(_) => {
                info.error = Some(format!("unknown default region '{r}'"));
                return info;
            }
        },
        None => None,
    };
    // The parser recurses on its input; bound the length so hostile input
    // cannot make it work hard (real numbers are at most ~20 characters
    // plus formatting and an extension).
    if input.len() > 64 {
        info.error = Some("number longer than 64 characters".into());
        return info;
    }
    let parsed = match phonenumber::parse(region, &input) {
        Ok(p) => p,
        Err(e) => {
            info.error = Some(format!("cannot parse number: {e}"));
            return info;
        }
    };
    info.valid = phonenumber::is_valid(&parsed);
    info.e164 = Some(parsed.format().mode(phonenumber::Mode::E164).to_string());
    info.calling_code = Some(parsed.code().value());
    info.country = parsed.country().id().map(|id| id.as_ref().to_string());
    let t = parsed.number_type(&phonenumber::metadata::DATABASE);
    info.line_type = Some(type_name(t).into());
    info.is_voip = t == phonenumber::Type::Voip;
    if !info.valid {
        info.error = Some("number is not valid for its numbering plan".into());
    }
    info
}
