//! Finding the events in a log file, whatever its framing: JSON Lines, one JSON array (an
//! API export), JSON values one after another or pretty-printed (one event per file, as
//! OCSF examples are), and the wrappers APIs put around pages of events (`{"records":[...]}`
//! from Event Hub, `{"value":[...]}` from Microsoft Graph, `{"items":[...]}` from Google).

use crate::obj::{Obj, Raw};
use crate::scan::{self, Member};
use serde_json::value::RawValue;

/// A piece of a log file.
pub enum Piece<'a> {
    /// A complete JSON object, its text and its members (parsed once, here).
    Object { text: &'a str, obj: Obj<'a> },
    /// A complete JSON value that is not an object.
    Value(&'a RawValue),
    /// Bytes `start..end` (relative to the buffer) that are not JSON; reading resumes at
    /// `end`. The error is at byte `at`; `reason` does not say where (see [`Piece::bad_reason`]).
    Bad {
        start: usize,
        end: usize,
        at: usize,
        reason: String,
    },
}

/// Splits a file into top-level values, a buffer at a time.
#[derive(Debug, Default)]
pub struct Framer {
    /// Inside the file's top-level array.
    in_array: bool,
}

impl Framer {
    /// Appends to `out` the complete pieces at the start of `buf` and returns how many bytes
    /// they (and the separators around them) take. A value cut off by the end of `buf` is
    /// left for the next call unless `eof` says no more data follows.
    pub fn frame<'a>(&mut self, buf: &'a [u8], eof: bool, out: &mut Vec<Piece<'a>>) -> usize {
        self.frame_at_most(buf, eof, out, usize::MAX)
    }

    /// [`Framer::frame`], stopping after `most` pieces (to look at the first events of a file
    /// without parsing the rest of what was read).
    pub fn frame_at_most<'a>(
        &mut self,
        buf: &'a [u8],
        eof: bool,
        out: &mut Vec<Piece<'a>>,
        most: usize,
    ) -> usize {
        let mut pos = 0;
        let stop = out.len().saturating_add(most);
        loop {
            if out.len() >= stop {
                return pos;
            }
            while pos < buf.len() {
                match buf[pos] {
                    b' ' | b'\t' | b'\r' | b'\n' | b',' => pos += 1,
                    // A byte-order mark (or, at the end of the buffer, the start of one).
                    0xEF if buf[pos..].starts_with(b"\xEF\xBB\xBF") => pos += 3,
                    0xEF if !eof && b"\xEF\xBB\xBF".starts_with(&buf[pos..]) => return pos,
                    b'[' if !self.in_array => {
                        self.in_array = true;
                        pos += 1;
                    }
                    b']' if self.in_array => {
                        self.in_array = false;
                        pos += 1;
                    }
                    _ => break,
                }
            }
            if pos >= buf.len() {
                return pos;
            }
            let rest = &buf[pos..];
            let result = if rest[0] == b'{' {
                match scan::object(rest) {
                    scan::Scan::Object {
                        len,
                        members,
                        nested,
                    } => match object_of(rest, len, members, nested) {
                        Some(piece) => Some(Ok((piece, len))),
                        // Not UTF-8, or a key serde would not read: serde says why.
                        None => serde_object(rest),
                    },
                    // Unfinished here: wait for more (as below).
                    scan::Scan::Incomplete if !eof => return pos,
                    // Broken (or cut off by the end of the file): serde says why.
                    scan::Scan::Incomplete | scan::Scan::Invalid => serde_object(rest),
                }
            } else {
                let mut it = serde_json::Deserializer::from_slice(rest).into_iter::<&RawValue>();
                match it.next() {
                    Some(Ok(v)) => Some(Ok((Piece::Value(v), it.byte_offset()))),
                    Some(Err(e)) => Some(Err(e)),
                    None => None,
                }
            };
            match result {
                // A value that ends where the buffer ends may go on (a number): wait.
                Some(Ok((_, len))) if !eof && len == rest.len() => return pos,
                Some(Ok((piece, len))) => {
                    pos += len;
                    out.push(piece);
                }
                // Unfinished here: wait for more. (Not cut short at a later line starting with
                // `{`: a valid value may hold one, and the framing must not depend on where
                // the reads end. A value that never ends stops at the line limit.)
                Some(Err(e)) if e.is_eof() && !eof => return pos,
                Some(Err(e)) => {
                    // Resume at the next line that starts with `{`, looking from just after
                    // the start of the broken value (an error reported on the next line, as
                    // for a line cut short, must not take that line with it).
                    let end = match find_line_start(&rest[1..]) {
                        Some(i) => 1 + i,
                        None if eof => rest.len(),
                        None => return pos,
                    };
                    out.push(Piece::Bad {
                        start: pos,
                        end: pos + end,
                        at: pos
                            + line_offset(rest, e.line(), e.column()).min(end.saturating_sub(1)),
                        reason: format!("not JSON: {}", without_position(&e)),
                    });
                    pos += end;
                }
                None => return pos,
            }
        }
    }
}

/// The piece for an object the scanner found valid: its text and members (`None` when it
/// is not UTF-8 or has a key serde would not read).
fn object_of(
    rest: &[u8],
    len: usize,
    members: Vec<Member>,
    nested: Vec<Member>,
) -> Option<Piece<'_>> {
    let text = std::str::from_utf8(&rest[..len]).ok()?;
    Some(Piece::Object {
        text,
        obj: Obj::scanned(text, members, nested)?,
    })
}

/// The object at the start of `rest` as serde_json reads it: for what the scanner rejected,
/// to say why (should the two ever disagree, serde_json's reading wins). Read strictly, keys
/// as strings and values as UTF-8 text, so that a key with a lone surrogate escape or bytes
/// that are not UTF-8 get serde_json's reason and position.
fn serde_object(rest: &[u8]) -> Option<Result<(Piece<'_>, usize), serde_json::Error>> {
    type Strict<'a> = std::collections::BTreeMap<String, &'a RawValue>;
    let mut it = serde_json::Deserializer::from_slice(rest).into_iter::<Strict<'_>>();
    match it.next()? {
        Ok(_) => {
            let len = it.byte_offset();
            let piece = std::str::from_utf8(&rest[..len]).ok().and_then(|text| {
                Some(Piece::Object {
                    text,
                    obj: Obj::parse(Raw::new(text))?,
                })
            });
            Some(piece.map(|p| (p, len)).ok_or_else(|| {
                serde_json::Error::io(std::io::Error::other("an object that cannot be read"))
            }))
        }
        Err(e) => Some(Err(e)),
    }
}

/// The object at the start of `buf` read by its structure alone (braces, strings, commas),
/// without validating it: for recognising the format of a file whose first event is broken
/// inside (a trailing comma, `tru`), which the framer then reports as one reject.
pub fn by_structure(buf: &[u8]) -> Option<(&str, Obj<'_>)> {
    let start = buf
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != b'[')?;
    let rest = &buf[start..];
    if rest.first() != Some(&b'{') {
        return None;
    }
    let Scan::Complete(len) = scan_object(rest) else {
        return None;
    };
    let text = std::str::from_utf8(&rest[..len]).ok()?;
    Some((text, Obj::parse(Raw::new(text))?))
}

/// What the structure of an object at the start of a buffer says.
enum Scan {
    /// It ends after this many bytes.
    Complete(usize),
    /// The buffer ends inside it.
    Incomplete,
    /// A string runs over a line end (never valid JSON; in JSON Lines, a cut-off event).
    Broken,
}

/// Finds the end of the object at the start of `b` by its braces and strings.
fn scan_object(b: &[u8]) -> Scan {
    let mut depth = 0usize;
    let mut j = 0;
    while j < b.len() {
        match b[j] {
            b'"' => {
                // To the closing quote, over escapes; a raw line end means a broken string.
                let mut k = j + 1;
                loop {
                    let Some(off) = b
                        .get(k..)
                        .and_then(|r| memchr::memchr3(b'"', b'\\', b'\n', r))
                    else {
                        return Scan::Incomplete;
                    };
                    k += off;
                    match b[k] {
                        b'\\' => k += 2,
                        b'\n' => return Scan::Broken,
                        _ => break,
                    }
                }
                j = k + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Scan::Complete(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    Scan::Incomplete
}

/// serde's message without its " at line L column C" (which counts from the piece, not the
/// file).
fn without_position(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rsplit_once(" at line ") {
        Some((msg, _)) => msg.to_owned(),
        None => m,
    }
}

impl Piece<'_> {
    /// For a broken piece: its reason, with where the error is in the file, given the file
    /// line of `at` and the buffer.
    pub fn bad_reason(buf: &[u8], at: usize, line: u64, reason: &str) -> String {
        let at = at.min(buf.len());
        match buf[..at].iter().rposition(|&b| b == b'\n') {
            Some(nl) => format!("{reason} at line {line} column {}", at - nl),
            None => format!("{reason} at line {line}"),
        }
    }
}

/// The byte offset of 1-based (line, column) in `buf` (column counts bytes).
fn line_offset(buf: &[u8], line: usize, column: usize) -> usize {
    let mut off = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &buf[off..]) {
            Some(i) => off += i + 1,
            None => return buf.len(),
        }
    }
    (off + column.saturating_sub(1)).min(buf.len())
}

/// The offset just after a newline that is followed by `{`.
fn find_line_start(hay: &[u8]) -> Option<usize> {
    hay.windows(2).position(|w| w == b"\n{").map(|i| i + 1)
}

/// One event: its text, and its members when it is an object.
pub struct Ev<'a> {
    pub text: &'a str,
    pub obj: Option<Obj<'a>>,
}

/// The events in a piece: the elements of an API page wrapper (`{"records":[...]}`,
/// `{"value":[...]}`, `{"items":[...]}`, with nothing else but paging fields), or the
/// piece itself. `None` for a piece that is not JSON.
pub fn events(p: Piece<'_>) -> Option<Vec<Ev<'_>>> {
    match p {
        Piece::Object { text, obj } => Some(unwrap_obj(text, obj)),
        Piece::Value(v) => Some(vec![Ev {
            text: v.get(),
            obj: None,
        }]),
        Piece::Bad { .. } => None,
    }
}

fn unwrap_obj<'a>(text: &'a str, obj: Obj<'a>) -> Vec<Ev<'a>> {
    // A page holds one array of events (`records`, `value` or `items`) and paging fields
    // only. An event's first key other than those settles it.
    let mut page = None;
    for k in obj.keys() {
        match k.as_ref() {
            "records" | "value" | "items" if page.is_none() => page = Some(k),
            "kind" | "etag" | "nextPageToken" | "nextLink" => {}
            k if k.starts_with("@odata") => {}
            _ => {
                page = None;
                break;
            }
        }
    }
    if let Some(arr) = page
        .and_then(|k| obj.raw(&k))
        .filter(|a| a.get().starts_with('['))
    {
        return crate::obj::array(arr)
            .into_iter()
            .map(|e| Ev {
                text: e.get(),
                obj: Obj::parse(e),
            })
            .collect();
    }
    vec![Ev {
        text,
        obj: Some(obj),
    }]
}

/// The events inside a value (see [`events`]).
pub fn unwrap_page(v: &RawValue) -> Vec<Ev<'_>> {
    match Obj::parse(v) {
        Some(obj) => unwrap_obj(v.get(), obj),
        None => vec![Ev {
            text: v.get(),
            obj: None,
        }],
    }
}

/// Where `inner` starts in `outer` (both from the same buffer).
pub fn offset_in(outer: &[u8], inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &str, chunk: usize) -> Vec<String> {
        let mut f = Framer::default();
        let b = s.as_bytes();
        let mut start = 0;
        let mut end = chunk.min(b.len());
        let mut got = Vec::new();
        loop {
            let eof = end == b.len();
            let mut out = Vec::new();
            let used = f.frame(&b[start..end], eof, &mut out);
            for p in out {
                got.push(match p {
                    Piece::Object { text, .. } => text.to_owned(),
                    Piece::Value(v) => v.get().to_owned(),
                    Piece::Bad {
                        start: s0, end: e0, ..
                    } => {
                        format!(
                            "BAD {}",
                            String::from_utf8_lossy(&b[start + s0..start + e0]).trim()
                        )
                    }
                });
            }
            start += used;
            if eof {
                break;
            }
            end = (end + chunk).min(b.len());
        }
        got
    }

    /// Objects the scanner accepts but cannot hand on (bytes that are not UTF-8, a key that is
    /// not a character) are rejected with serde_json's reason, at the bad byte.
    #[test]
    fn not_utf8_and_bad_keys_get_serde_reasons() {
        for (text, want, col) in [
            (
                &b"{\"a\":1}\n{\"b\":\"caf\xe9\"}\n{\"c\":3}\n"[..],
                "invalid unicode code point",
                6,
            ),
            (&b"{\"a\":1}\n{\"\\ud800\":1}\n{\"c\":3}\n"[..], "escape", 8),
        ] {
            let mut out = Vec::new();
            Framer::default().frame(text, true, &mut out);
            assert_eq!(out.len(), 3);
            let Piece::Bad { at, reason, .. } = &out[1] else {
                panic!("not rejected")
            };
            assert!(reason.contains(want), "{reason}");
            assert!(at - 8 >= col, "{reason} at {at}");
        }
    }

    #[test]
    fn lines_arrays_pretty_printed_and_broken() {
        let s = "{\"a\":1}\n{\"b\":2}\n";
        for chunk in [1, 3, 100] {
            assert_eq!(values(s, chunk), vec![r#"{"a":1}"#, r#"{"b":2}"#]);
        }
        let s = "\u{feff}[\n  {\"a\":1},\n  {\"b\":\n 2}\n]\n";
        for chunk in [1, 5, 100] {
            assert_eq!(values(s, chunk), vec![r#"{"a":1}"#, "{\"b\":\n 2}"]);
        }
        let s = "{\"a\":1}\n{\"b\":2,}\n{\"c\":3}\n";
        assert_eq!(
            values(s, 100),
            vec![r#"{"a":1}"#, r#"BAD {"b":2,}"#, r#"{"c":3}"#]
        );
        assert_eq!(values("{\"a\":", 100), vec![r#"BAD {"a":"#]);
        // A line cut short: the error is reported on the next line, which is not taken with it
        // (found in review).
        for chunk in [3, 100] {
            assert_eq!(
                values("{\"a\":1\n{\"b\":2}\n{\"c\":3}\n", chunk),
                vec![r#"BAD {"a":1"#, r#"{"b":2}"#, r#"{"c":3}"#]
            );
            assert_eq!(
                values("{\"a\":[\n{\"b\":2}\n{\"c\":3}\n", chunk),
                vec![r#"BAD {"a":["#, r#"{"b":2}"#, r#"{"c":3}"#]
            );
        }
        // A value holding a line that starts with `{` is one value however the reads fall
        // (found by fuzzing adapt_frame).
        for chunk in 1..24 {
            assert_eq!(
                values("{\"a\":\n{\"b\":1}}\n{\"c\":2}\n", chunk),
                vec!["{\"a\":\n{\"b\":1}}", r#"{"c":2}"#],
                "{chunk}"
            );
        }
    }

    #[test]
    fn pages_are_unwrapped() {
        let v: &RawValue =
            serde_json::from_str(r#"{"@odata.context":"x","value":[{"a":1},{"b":2}]}"#).unwrap();
        assert_eq!(unwrap_page(v).len(), 2);
        let v: &RawValue = serde_json::from_str(r#"{"value":[1],"time":"t"}"#).unwrap();
        assert_eq!(unwrap_page(v).len(), 1);
    }
}
