//! From one raw JSON object to a validated, canonical, identified record.

use crate::canonical::to_canonical;
use crate::record::*;
use crate::time::Ts;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Longest `record_id` accepted, so that an id cannot smuggle a whole document.
pub const MAX_RECORD_ID_LEN: usize = 200;

/// Why a record was rejected: the field (dotted path) when one is to blame, and the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{reason}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct RecordError {
    pub field: Option<String>,
    pub reason: String,
}

impl RecordError {
    pub fn new(field: Option<&str>, reason: impl Into<String>) -> Self {
        RecordError {
            field: field.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

/// A record that passed validation, ready to store.
#[derive(Debug, Clone)]
pub struct Validated {
    pub kind: Kind,
    /// The given `record_id`, or one derived from the content (the first 32 hex digits of the
    /// body's SHA-256).
    pub record_id: String,
    pub at: Option<Ts>,
    /// Canonical JSON of the whole record as given, unknown fields included (a derived
    /// `record_id` is not added to it).
    pub body: Vec<u8>,
    /// SHA-256 of `body`.
    pub body_hash: [u8; 32],
    /// [`record_key`] of `record_id`, computed here (on the parsing threads) so that the store's
    /// single writer need not.
    pub id_key: i64,
    pub record: Record,
}

impl Validated {
    /// The subject the record is about.
    pub fn subject_id(&self) -> &str {
        self.record.subject_id()
    }
}

/// The 64-bit key by which the store keeps a record id unique: the first 8 bytes of the id's
/// SHA-256, little-endian.
pub fn record_key(record_id: &str) -> i64 {
    let h = Sha256::digest(record_id.as_bytes());
    i64::from_le_bytes(h[..8].try_into().expect("8 bytes"))
}

/// Validates one parsed JSON value.
pub fn validate_value(mut v: Value) -> Result<Validated, RecordError> {
    let Value::Object(map) = &mut v else {
        return Err(RecordError::new(None, "record is not a JSON object"));
    };
    let kind = match map.get("kind") {
        None => return Err(RecordError::new(Some("kind"), "missing required field")),
        Some(Value::String(s)) => Kind::parse(s).ok_or_else(|| {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            RecordError::new(
                Some("kind"),
                format!("unknown kind {s:?}; expected one of {}", known.join(", ")),
            )
        })?,
        Some(_) => return Err(RecordError::new(Some("kind"), "must be a string")),
    };
    let given_id = match map.get("record_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= MAX_RECORD_ID_LEN => {
            Some(s.clone())
        }
        Some(Value::String(_)) => {
            return Err(RecordError::new(
                Some("record_id"),
                format!("must be a non-empty string of at most {MAX_RECORD_ID_LEN} bytes"),
            ));
        }
        Some(_) => return Err(RecordError::new(Some("record_id"), "must be a string")),
    };
    if given_id.is_none() {
        map.remove("record_id");
    }

    let record = typed(kind, &v)?;

    // The body is the canonical form of the record as given. A derived id is the first 128 bits
    // of the body's SHA-256, so that one hash serves both and the id needs no place in the body
    // (it is stored beside it and covered by the evidence chain).
    let body = to_canonical(&v);
    let body_hash: [u8; 32] = Sha256::digest(&body).into();
    let record_id = given_id.unwrap_or_else(|| derived_id(&body_hash));
    Ok(Validated {
        kind,
        at: record.at(),
        id_key: record_key(&record_id),
        record_id,
        body,
        body_hash,
        record,
    })
}

fn de<T: DeserializeOwned>(v: &Value) -> Result<T, RecordError> {
    // The fast path has no path tracking; only a failure is re-run to find the field's path.
    if let Ok(t) = T::deserialize(v) {
        return Ok(t);
    }
    serde_path_to_error::deserialize::<_, T>(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde reports a missing field at the parent's path with the name in the message.
        if let Some(rest) = inner.strip_prefix("missing field `")
            && let Some(name) = rest.strip_suffix('`')
        {
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            return RecordError::new(Some(&field), "missing required field");
        }
        let field = (path != ".").then_some(path);
        RecordError {
            field,
            reason: inner,
        }
    })
}

/// Where a typed view is read from: a parsed `Value` (precise errors) or the raw line (fast).
pub(crate) trait Source {
    type Err;
    fn de<T: DeserializeOwned>(&self) -> Result<T, Self::Err>;
}

impl Source for Value {
    type Err = RecordError;
    fn de<T: DeserializeOwned>(&self) -> Result<T, RecordError> {
        de(self)
    }
}

/// The typed view of one record of `kind`: the one place that maps kinds to types.
pub(crate) fn typed_from<S: Source>(kind: Kind, src: &S) -> Result<Record, S::Err> {
    Ok(match kind {
        Kind::Subject => Record::Subject(Box::new(src.de()?)),
        Kind::Login => Record::Login(src.de()?),
        Kind::Activity => Record::Activity(src.de()?),
        Kind::PayoutAccount => Record::PayoutAccount(Box::new(src.de()?)),
        Kind::Payout => Record::Payout(Box::new(src.de()?)),
        Kind::Message => Record::Message(src.de()?),
        Kind::Review => Record::Review(src.de()?),
        Kind::Contract => Record::Contract(Box::new(src.de()?)),
        Kind::Meeting => Record::Meeting(src.de()?),
        Kind::IdentityDocument => Record::IdentityDocument(Box::new(src.de()?)),
        Kind::Shipment => Record::Shipment(Box::new(src.de()?)),
        Kind::Access => Record::Access(src.de()?),
        Kind::Endpoint => Record::Endpoint(src.de()?),
        Kind::Check => Record::Check(src.de()?),
        Kind::Label => Record::Label(src.de()?),
    })
}

/// Checks across fields that the types cannot express.
pub(crate) fn check_values(r: &Record) -> Result<(), RecordError> {
    if let Record::Review(r) = r {
        let max = r.max_rating.unwrap_or(5.0);
        if !(max > 0.0 && (0.0..=max).contains(&r.rating)) {
            return Err(RecordError::new(
                Some("rating"),
                format!("must be between 0 and max_rating ({max})"),
            ));
        }
    }
    Ok(())
}

fn typed(kind: Kind, v: &Value) -> Result<Record, RecordError> {
    let r = typed_from(kind, v)?;
    check_values(&r)?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<Validated, RecordError> {
        validate_value(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn derived_id_is_stable_and_ignores_key_order() {
        let a =
            check(r#"{"kind":"activity","subject_id":"s","at":"2026-01-01T00:00:00Z"}"#).unwrap();
        let b =
            check(r#"{"at":"2026-01-01T00:00:00Z","subject_id":"s","kind":"activity"}"#).unwrap();
        assert_eq!(a.record_id, b.record_id);
        assert_eq!(a.body, b.body);
    }

    #[test]
    fn given_id_is_kept() {
        let a = check(
            r#"{"kind":"activity","record_id":"x-1","subject_id":"s","at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(a.record_id, "x-1");
    }

    #[test]
    fn errors_name_the_field() {
        let e =
            check(r#"{"kind":"login","subject_id":"s","at":"2026-01-01T00:00:00Z"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ip"));
        assert_eq!(e.reason, "missing required field");

        let e =
            check(r#"{"kind":"login","subject_id":"s","at":"2026-01-01 00:00","ip":"1.2.3.4"}"#)
                .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("at"));

        let e = check(r#"{"kind":"teleport","subject_id":"s"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
        assert!(e.reason.contains("unknown kind"));

        let e = check(
            r#"{"kind":"payout_account","subject_id":"s","at":"2026-01-01T00:00:00Z","account_id":"a","method":"bank","bank":{"country":"China"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("bank.country"));

        let e = check(
            r#"{"kind":"review","subject_id":"s","reviewer_id":"r","at":"2026-01-01T00:00:00Z","rating":9}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("rating"));

        let e = check(r#"[1,2]"#).unwrap_err();
        assert_eq!(e.field, None);
    }

    #[test]
    fn unknown_fields_are_kept_in_the_body() {
        let a = check(
            r#"{"kind":"login","subject_id":"s","at":"2026-01-01T00:00:00Z","ip":"::1","x_vendor":{"b":1}}"#,
        )
        .unwrap();
        let body = String::from_utf8(a.body).unwrap();
        assert!(body.contains(r#""x_vendor":{"b":1}"#), "{body}");
    }
}

/// The derived record id: the first 128 bits of the body's SHA-256 as 32 lower-case hex
/// digits (what `hex::encode` gives, without its per-character string building).
pub(crate) fn derived_id(body_hash: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for b in &body_hash[..16] {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod derived_id_tests {
    #[test]
    fn derived_id_is_the_hex_of_the_first_16_bytes() {
        let h: [u8; 32] = std::array::from_fn(|i| (i * 37 + 5) as u8);
        assert_eq!(super::derived_id(&h), hex::encode(&h[..16]));
    }
}
