//! One validating pass over a JSON object that also finds its top-level members: how the
//! framer reads every event.
//!
//! Why not serde_json: reading an event with serde_json into its members (`&RawValue` per
//! member) validated at ~1.2 GB/s, and splitting the members by structure after a plain
//! validating skip cost as much again; the large events of Entra ID and OCSF (~3 KB) could
//! not be converted at 300k events/s on one core that way. This scanner validates and
//! splits in one pass, with strings (most of a log's bytes) skipped eight bytes at a time.
//! It accepts exactly what serde_json accepts (the `adapt_scan` fuzz target compares the two
//! on arbitrary input), and it does not explain errors: on a broken event the framer asks
//! serde_json, so the reasons users see are serde_json's, as before.

/// What the bytes at the start of a buffer hold.
#[derive(Debug, PartialEq, Eq)]
pub enum Scan {
    /// A valid JSON object of this many bytes; its members as (key, value) byte ranges, the
    /// key's range including its quotes.
    Object {
        len: usize,
        members: Vec<Member>,
        /// The members of the members that are objects (see [`Member::children`]).
        nested: Vec<Member>,
    },
    /// Valid so far, but the buffer ends inside it.
    Incomplete,
    /// Not valid JSON (or not an object).
    Invalid,
}

/// One top-level member: the byte ranges of its key (with quotes) and of its value, and
/// whether the key has escapes.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Member {
    pub key: (u32, u32),
    pub value: (u32, u32),
    pub key_escaped: bool,
    /// For a top-level member whose value is an object: its members, `nested[start..end]`
    /// (adapters read `properties`, `client`, `src_endpoint`..., which need not be split
    /// again).
    pub children: Option<(u32, u32)>,
}

impl Member {
    /// The key's byte range, quotes included.
    pub fn key(&self) -> std::ops::Range<usize> {
        self.key.0 as usize..self.key.1 as usize
    }

    /// The value's byte range.
    pub fn value(&self) -> std::ops::Range<usize> {
        self.value.0 as usize..self.value.1 as usize
    }

    /// Where the value's members are in `nested`, when it is an object.
    pub fn children(&self) -> Option<std::ops::Range<usize>> {
        self.children.map(|(a, b)| a as usize..b as usize)
    }

    /// Starts the member whose key (at `at`) [`key`] read.
    #[inline(always)]
    fn begin(&mut self, at: usize, (end, escaped, next): (usize, bool, usize)) {
        self.key = (at as u32, end as u32);
        self.key_escaped = escaped;
        self.value.0 = next as u32;
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` equal to `c` (the lowest flagged byte is always a true one).
#[inline(always)]
fn eq_bytes(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * c as u64);
    x.wrapping_sub(ONES) & !x
}

/// Where a string's text stops being plain: the first `"`, `\` or control byte from `j`
/// (`b.len()` when there is none). Eight bytes at a time: most of a log is strings.
#[inline(always)]
pub(crate) fn plain_end(b: &[u8], mut j: usize) -> usize {
    while let Some(chunk) = b.get(j..j + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let control = w.wrapping_sub(ONES * 0x20) & !w;
        let hit = (eq_bytes(w, b'"') | eq_bytes(w, b'\\') | control) & HIGH;
        if hit != 0 {
            return j + (hit.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < b.len() && !special(b[j]) {
        j += 1;
    }
    j.min(b.len())
}

#[inline(always)]
fn special(c: u8) -> bool {
    matches!(c, b'"' | b'\\' | 0..=0x1f)
}

/// The end of the string whose opening quote is at `i`.
enum Str {
    End { end: usize, escaped: bool },
    Incomplete,
    Invalid,
}

#[inline]
fn string(b: &[u8], i: usize) -> Str {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        j = plain_end(b, j);
        match b.get(j) {
            None => return Str::Incomplete,
            Some(b'"') => {
                return Str::End {
                    end: j + 1,
                    escaped,
                };
            }
            Some(b'\\') => {
                escaped = true;
                match b.get(j + 1) {
                    None => return Str::Incomplete,
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 2,
                    Some(b'u') => {
                        // Four hex digits (fewer bytes left than four: unfinished, whatever
                        // they are, as serde_json says).
                        let Some(hex) = b.get(j + 2..j + 6) else {
                            return Str::Incomplete;
                        };
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return Str::Invalid;
                        }
                        j += 6;
                    }
                    Some(_) => return Str::Invalid,
                }
            }
            // A control byte (a raw line end in a cut-off JSON line, say).
            Some(_) => return Str::Invalid,
        }
    }
}

/// The end of the number starting at `i`; `None` when the buffer ends inside it (it may go
/// on), `Some(Err)` when it is not a number.
#[inline]
fn number(b: &[u8], i: usize) -> Option<Result<usize, ()>> {
    let mut j = i;
    if b[j] == b'-' {
        j += 1;
    }
    match *b.get(j)? {
        b'0' => j += 1,
        b'1'..=b'9' => {
            j += 1;
            while b.get(j)?.is_ascii_digit() {
                j += 1;
            }
        }
        _ => return Some(Err(())),
    }
    if *b.get(j)? == b'.' {
        j += 1;
        if !b.get(j)?.is_ascii_digit() {
            return Some(Err(()));
        }
        while b.get(j)?.is_ascii_digit() {
            j += 1;
        }
    }
    if matches!(*b.get(j)?, b'e' | b'E') {
        j += 1;
        if matches!(*b.get(j)?, b'+' | b'-') {
            j += 1;
        }
        if !b.get(j)?.is_ascii_digit() {
            return Some(Err(()));
        }
        while b.get(j)?.is_ascii_digit() {
            j += 1;
        }
    }
    Some(Ok(j))
}

#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The open containers (`true` for an object): a bit each, on the heap only past 128 deep.
#[derive(Default)]
struct Stack {
    bits: u128,
    len: usize,
    deep: Vec<bool>,
}

impl Stack {
    #[inline(always)]
    fn push(&mut self, object: bool) {
        if self.len < 128 {
            self.bits = (self.bits & !(1 << self.len)) | (u128::from(object) << self.len);
        } else {
            self.deep.push(object);
        }
        self.len += 1;
    }

    #[inline(always)]
    fn pop(&mut self) {
        if self.len > 128 {
            self.deep.pop();
        }
        self.len = self.len.saturating_sub(1);
    }

    #[inline(always)]
    fn get(&self, i: usize) -> bool {
        if i < 128 {
            self.bits >> i & 1 == 1
        } else {
            self.deep.get(i - 128).copied().unwrap_or(true)
        }
    }

    /// The innermost (an object when none is open).
    #[inline(always)]
    fn last(&self) -> bool {
        self.len == 0 || self.get(self.len - 1)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A member's key at `i` (a `"` expected) and the `:` after it: the key's end, whether it
/// has escapes, and where its value starts.
#[inline(always)]
fn key(b: &[u8], i: usize) -> Result<(usize, bool, usize), Scan> {
    if b.get(i) != Some(&b'"') {
        return Err(if i >= b.len() {
            Scan::Incomplete
        } else {
            Scan::Invalid
        });
    }
    let (end, escaped) = match string(b, i) {
        Str::End { end, escaped } => (end, escaped),
        Str::Incomplete => return Err(Scan::Incomplete),
        Str::Invalid => return Err(Scan::Invalid),
    };
    let j = ws(b, end);
    match b.get(j) {
        None => Err(Scan::Incomplete),
        Some(b':') => Ok((end, escaped, ws(b, j + 1))),
        Some(_) => Err(Scan::Invalid),
    }
}

/// Validates the JSON object at the start of `b` (which must start with `{`) and finds its
/// members, and the members of those that are objects. Nothing after the object is looked at.
pub fn object(b: &[u8]) -> Scan {
    use Scan::{Incomplete, Invalid};
    if b.first() != Some(&b'{') {
        return Invalid;
    }
    // Offsets are kept as u32: an event of 4 GiB is far over any line limit.
    let b = &b[..b.len().min(u32::MAX as usize)];
    let mut members = Vec::with_capacity(32);
    // Allocated when first needed: small events often have no object-valued member.
    let mut nested = Vec::new();
    // Open containers, the top object first: `true` for an object.
    let mut stack = Stack::default();
    stack.push(true);
    let empty = Member {
        key: (0, 0),
        value: (0, 0),
        key_escaped: false,
        children: None,
    };
    // The top-level member being read, and the member of its value (an object) being read.
    let (mut m, mut n) = (empty, empty);
    // The first member (or the end of an empty object).
    let mut i = ws(b, 1);
    match b.get(i) {
        None => return Incomplete,
        Some(b'}') => {
            return Scan::Object {
                len: i + 1,
                members,
                nested,
            };
        }
        Some(_) => match key(b, i) {
            Ok(k) => {
                m.begin(i, k);
                i = k.2;
            }
            Err(e) => return e,
        },
    }
    // `i` is at a value.
    loop {
        let Some(&c) = b.get(i) else {
            return Incomplete;
        };
        match c {
            b'"' => match string(b, i) {
                Str::End { end, .. } => i = end,
                Str::Incomplete => return Incomplete,
                Str::Invalid => return Invalid,
            },
            b'{' => {
                stack.push(true);
                if stack.len() == 2 {
                    m.children = Some((nested.len() as u32, nested.len() as u32));
                }
                i = ws(b, i + 1);
                match b.get(i) {
                    None => return Incomplete,
                    Some(b'}') => {
                        stack.pop();
                        i += 1;
                    }
                    Some(_) => {
                        match key(b, i) {
                            Ok(k) => {
                                if stack.len() == 2 {
                                    n.begin(i, k);
                                }
                                i = k.2;
                            }
                            Err(e) => return e,
                        }
                        continue;
                    }
                }
            }
            b'[' => {
                stack.push(false);
                i = ws(b, i + 1);
                match b.get(i) {
                    None => return Incomplete,
                    Some(b']') => {
                        stack.pop();
                        i += 1;
                    }
                    Some(_) => continue,
                }
            }
            b'-' | b'0'..=b'9' => match number(b, i) {
                None => return Incomplete,
                Some(Err(())) => return Invalid,
                Some(Ok(end)) => i = end,
            },
            b't' | b'f' | b'n' => {
                let word: &[u8] = match c {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                let have = &b[i..b.len().min(i + word.len())];
                if !word.starts_with(have) {
                    return Invalid;
                }
                if have.len() < word.len() {
                    return Incomplete;
                }
                i += word.len();
            }
            _ => return Invalid,
        }
        // Just after a value (or a container that closed): a `,` or the end of what holds it.
        loop {
            match stack.len() {
                1 => {
                    m.value.1 = i as u32;
                    if let Some((start, _)) = m.children {
                        m.children = Some((start, nested.len() as u32));
                    }
                    members.push(m);
                    m.children = None;
                }
                2 if stack.get(1) => {
                    n.value.1 = i as u32;
                    if nested.capacity() == 0 {
                        nested.reserve(32);
                    }
                    nested.push(n);
                }
                _ => {}
            }
            i = ws(b, i);
            let Some(&c) = b.get(i) else {
                return Incomplete;
            };
            let in_object = stack.last();
            match (c, in_object) {
                (b',', true) => {
                    let at = ws(b, i + 1);
                    match key(b, at) {
                        Ok(k) => {
                            match stack.len() {
                                1 => m.begin(at, k),
                                2 => n.begin(at, k),
                                _ => {}
                            }
                            i = k.2;
                        }
                        Err(e) => return e,
                    }
                    break;
                }
                (b',', false) => {
                    i = ws(b, i + 1);
                    break;
                }
                (b'}', true) | (b']', false) => {
                    stack.pop();
                    i += 1;
                    if stack.is_empty() {
                        return Scan::Object {
                            len: i,
                            members,
                            nested,
                        };
                    }
                }
                _ => return Invalid,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_says(b: &[u8]) -> Option<usize> {
        let mut it = serde_json::Deserializer::from_slice(b).into_iter::<serde::de::IgnoredAny>();
        match it.next() {
            Some(Ok(_)) => Some(it.byte_offset()),
            _ => None,
        }
    }

    #[test]
    fn agrees_with_serde() {
        let valid = [
            r#"{}"#,
            r#"{ }"#,
            r#"{"a":1}"#,
            r#"{"a":[1,2,{"b":[]}],"c":{"d":{}}, "e" : -0.5e+10 ,"f":"x\"\u00e9y","g":true,"h":null,"i":false}"#,
            "{\"k\\u0041\":\"日本語\", \"n\":[ ] , \"o\":[ {} , [] ]}\n",
            r#"{"a":"0123456789abcdef0123456789\n"}"#,
        ];
        for v in valid {
            let Scan::Object { len, .. } = object(v.as_bytes()) else {
                panic!("{v}")
            };
            assert_eq!(Some(len), serde_says(v.as_bytes()), "{v}");
        }
        let invalid = [
            r#"{"a":1,}"#,
            r#"{,}"#,
            r#"{"a" 1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"b\nc\"}",
            "{\"a\":\"b\tc\"}",
            r#"{"a":{]}"#,
            r#"{"a":[}"#,
            r#"{1:2}"#,
            r#"{"a":1]"#,
        ];
        for v in invalid {
            assert_eq!(object(v.as_bytes()), Scan::Invalid, "{v}");
            assert_eq!(serde_says(v.as_bytes()), None, "{v}");
        }
        for cut in [
            r#"{"a":1"#,
            r#"{"a":1."#,
            r#"{"a":1e"#,
            r#"{"a":tr"#,
            r#"{"a":"x\"#,
            r#"{"a":"x\u00"#,
            // Fewer than four bytes after `\u`: unfinished, as serde_json says, even when
            // they are not hex digits.
            "{\"a\":\"x\\u\0\0\0",
            r#"{"a":[1,"#,
            r#"{"a""#,
            r#"{"#,
            r#"{"a":{"b":[]"#,
        ] {
            assert_eq!(object(cut.as_bytes()), Scan::Incomplete, "{cut}");
        }
        let Scan::Object {
            members, nested, ..
        } = object(br#"{"a" : [1, {"b": "}\"]"}] , "c\u0041":{"d":{}}, "e": -1.5e3,"f":null }"#)
        else {
            panic!()
        };
        let t = r#"{"a" : [1, {"b": "}\"]"}] , "c\u0041":{"d":{}}, "e": -1.5e3,"f":null }"#;
        let got: Vec<(&str, &str, bool)> = members
            .iter()
            .map(|m| (&t[m.key()], &t[m.value()], m.key_escaped))
            .collect();
        assert_eq!(
            got,
            [
                (r#""a""#, r#"[1, {"b": "}\"]"}]"#, false),
                (r#""c\u0041""#, r#"{"d":{}}"#, true),
                (r#""e""#, "-1.5e3", false),
                (r#""f""#, "null", false),
            ]
        );
        // Deeper than the stack's bits: the same answers.
        for depth in [100, 127, 128, 129, 300] {
            let ok = format!(
                r#"{{"a":{}1{}, "b":{}{{}}{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth),
                r#"{"x":"#.repeat(depth),
                "}".repeat(depth)
            );
            let Scan::Object { len, .. } = object(ok.as_bytes()) else {
                panic!("{depth}")
            };
            assert_eq!(Some(len), serde_says(ok.as_bytes()));
            let bad = format!(
                r#"{{"a":{}1{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth - 1) + "}"
            );
            assert_eq!(object(bad.as_bytes()), Scan::Invalid, "{depth}");
        }
        // The members of the object-valued member (only `cA`; `a` is an array).
        let kids: Vec<Option<(u32, u32)>> = members.iter().map(|m| m.children).collect();
        assert_eq!(kids, [None, Some((0, 1)), None, None]);
        assert_eq!(&t[nested[0].key()], r#""d""#);
        assert_eq!(&t[nested[0].value()], "{}");
        let Scan::Object {
            members, nested, ..
        } = object(br#"{"p":{"x":1,"y":{"z":[{"w":2}]},"v":[]},"q":{},"r":{"s":"t"}}"#)
        else {
            panic!()
        };
        let kids: Vec<Option<(u32, u32)>> = members.iter().map(|m| m.children).collect();
        assert_eq!(kids, [Some((0, 3)), Some((3, 3)), Some((3, 4))]);
        assert_eq!(nested.len(), 4);
    }
}
