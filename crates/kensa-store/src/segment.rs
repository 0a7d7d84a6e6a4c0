//! Record segments: many consecutive record entries of the log in one row.
//!
//! A row per record made SQLite's per-row work (binding ten values, building the row, the
//! B-tree cell and its header) the largest cost of bulk ingest. From schema 3 on, the record
//! entries appended in one batch are stored in the table `record_segments`, up to
//! [`SEGMENT_ENTRIES`] entries per row, encoded with `postcard`. The chain is unchanged: each
//! entry still has its own sequence number, content hash and entry hash, computed exactly as
//! for a row of `log`; only where the bytes live differs. The previous-entry hash is not
//! repeated inside a segment (it is the entry hash of the entry before), and the time of
//! recording is one column per segment (one batch, one time).

use serde::{Deserialize, Serialize};

/// Most record entries in one segment row. A duplicate or a conflict is decided by decoding
/// the holder's segment, so segments are kept small enough for that to be cheap.
pub const SEGMENT_ENTRIES: usize = 256;

/// One record entry inside a segment. Its sequence number is the segment's `first_seq` plus
/// its position.
#[derive(Debug, Serialize, Deserialize)]
pub struct SegEntry<'a> {
    /// The record id.
    pub r#ref: &'a str,
    pub kind: &'a str,
    pub subject_id: &'a str,
    #[serde(borrow)]
    pub body: Bytes<'a>,
    #[serde(borrow)]
    pub content_hash: Bytes<'a>,
    #[serde(borrow)]
    pub entry_hash: Bytes<'a>,
    /// The uniqueness key the record holds in `record_keys` (not hashed; see the crate docs).
    pub ref_key: i64,
}

/// Borrowed bytes, written as one length-prefixed run (serde's default for `&[u8]` would
/// write a sequence of single bytes, element by element).
#[derive(Debug, Clone, Copy)]
pub struct Bytes<'a>(pub &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(d).map(Bytes)
    }
}

/// Appends the encoding of `entries` to `out`.
pub fn encode(entries: &[SegEntry<'_>], out: Vec<u8>) -> Vec<u8> {
    // Encoding into a Vec cannot fail: postcard's errors are about full buffers and types
    // serde cannot express, and these are plain strings, bytes and integers.
    postcard::to_extend(entries, out).expect("postcard encodes a segment into a Vec")
}

/// Why a stored segment could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error("segment cannot be decoded ({0})")]
    Decode(#[from] postcard::Error),
    #[error("segment holds {found} entries where its sequence range says {expected}")]
    Count { expected: i64, found: usize },
    #[error("segment entry {index} has a {field} of {len} bytes, not 32")]
    HashLength {
        index: usize,
        field: &'static str,
        len: usize,
    },
}

/// Decodes a segment holding the entries `first_seq..=last_seq`.
pub fn decode(
    blob: &[u8],
    first_seq: i64,
    last_seq: i64,
) -> Result<Vec<SegEntry<'_>>, SegmentError> {
    let entries: Vec<SegEntry<'_>> = postcard::from_bytes(blob)?;
    let expected = last_seq - first_seq + 1;
    if expected != entries.len() as i64 {
        return Err(SegmentError::Count {
            expected,
            found: entries.len(),
        });
    }
    for (index, e) in entries.iter().enumerate() {
        for (field, b) in [
            ("content hash", e.content_hash),
            ("entry hash", e.entry_hash),
        ] {
            if b.0.len() != 32 {
                return Err(SegmentError::HashLength {
                    index,
                    field,
                    len: b.0.len(),
                });
            }
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_reads_back_as_written_and_damage_is_reported() {
        let h1 = [1u8; 32];
        let h2 = [2u8; 32];
        let entries = [
            SegEntry {
                r#ref: "a",
                kind: "login",
                subject_id: "u1",
                body: Bytes(br#"{"x":1}"#),
                content_hash: Bytes(&h1),
                entry_hash: Bytes(&h2),
                ref_key: -5,
            },
            SegEntry {
                r#ref: "b",
                kind: "payout",
                subject_id: "u2",
                body: Bytes(b""),
                content_hash: Bytes(&h2),
                entry_hash: Bytes(&h1),
                ref_key: i64::MAX,
            },
        ];
        let blob = encode(&entries, Vec::new());
        let back = decode(&blob, 7, 8).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].r#ref, "a");
        assert_eq!(back[0].body.0, br#"{"x":1}"#);
        assert_eq!(back[1].kind, "payout");
        assert_eq!(back[1].ref_key, i64::MAX);
        assert_eq!(back[1].entry_hash.0, &h1);
        assert!(matches!(
            decode(&blob, 7, 9),
            Err(SegmentError::Count {
                expected: 3,
                found: 2
            })
        ));
        assert!(matches!(
            decode(&blob[..blob.len() - 3], 7, 8),
            Err(SegmentError::Decode(_))
        ));
    }
}
