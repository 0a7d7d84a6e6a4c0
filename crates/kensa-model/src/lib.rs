//! The Kensa record model: what flows between every stage of the pipeline.
//!
//! This crate is the **normalize** stage and the vocabulary of the whole workspace:
//!
//! * [`record`] — typed views of the 15 input kinds of `spec/input-format.md`
//!   (`subject`, `login`, `activity`, ..., `label`), each a `serde` type.
//! * [`validate`] — turning one raw JSON object into a [`validate::Validated`] record: the kind
//!   is checked, required fields and their types are checked with the exact field path in the
//!   error, a stable `record_id` is derived from the content when absent, and the canonical
//!   bytes that the evidence log hashes are produced.
//! * [`canonical`] — the canonical JSON form (sorted keys, no insignificant whitespace).
//! * [`finding`] — what detectors produce ([`finding::Finding`]) and what `subjects.jsonl`
//!   contains ([`finding::SubjectResult`]).
//! * [`catalog`] — every red flag (`RF-...`) and due-diligence measure (`DD-...`) of
//!   `domain/red-flags.md`, with English and Japanese names.
//!
//! Architecture invariant: this crate does no I/O, so nothing in it can fail for I/O reasons.
//! Unknown fields of an input record are not part of the typed views, but they are kept: the
//! canonical body that is stored contains the whole object as it was given.
//!
//! ```
//! use kensa_model::validate::validate_value;
//! let v: serde_json::Value = serde_json::from_str(
//!     r#"{"kind":"login","subject_id":"u1","at":"2026-09-01T09:00:00+09:00","ip":"175.45.176.1","vendor_field":42}"#,
//! ).unwrap();
//! let rec = validate_value(v).unwrap();
//! assert_eq!(rec.kind.as_str(), "login");
//! assert_eq!(rec.record_id.len(), 32); // derived from the content
//! assert!(String::from_utf8(rec.body.clone()).unwrap().contains("vendor_field"));
//! assert_eq!(rec.record_id, hex::encode(&rec.body_hash[..16]));
//! ```

pub mod canonical;
pub mod catalog;
pub mod country;
pub mod fast;
pub mod finding;
pub mod intel;
pub mod record;
pub mod time;
pub mod validate;

pub use finding::{Evidence, Finding, SubjectResult, Text};
pub use record::{Kind, Record};
pub use time::Ts;
pub use validate::{RecordError, Validated, record_key, validate_value};
