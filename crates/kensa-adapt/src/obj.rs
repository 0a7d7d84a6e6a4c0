//! A JSON object read lazily: its keys and the raw text of its values, borrowed from the
//! input. Adapters read a handful of fields out of events that carry dozens; parsing only
//! what is asked for keeps conversion fast, and the event's own text is kept as it was.

use crate::scan::Member;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The text of one JSON value inside an event that was validated as a whole (by the framer,
/// or by [`Obj::parse_str`]): nested values are split out of it without being validated again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// The text of a JSON value the caller knows to be valid (it is split by structure, not
    /// checked: invalid text gives wrong members or none, never a panic).
    pub fn new(text: &'a str) -> Raw<'a> {
        Raw(text)
    }

    /// The value's JSON text.
    pub fn get(self) -> &'a str {
        self.0
    }
}

impl<'a> From<&'a RawValue> for Raw<'a> {
    fn from(v: &'a RawValue) -> Raw<'a> {
        Raw(v.get())
    }
}

/// One JSON object: its members as byte ranges of its text, in input order (keys are
/// compared where they stand, and decoded only when they have escapes). For an event the
/// framer read, the members of its object-valued members too, found in the same pass.
pub struct Obj<'a> {
    text: &'a str,
    members: Vec<Member>,
    nested: Vec<Member>,
}

impl<'a> Obj<'a> {
    /// The object the scanner found at the start of `text` (`None` when a key has an escape
    /// that is not a character: serde_json would not read it).
    pub(crate) fn scanned(
        text: &'a str,
        members: Vec<Member>,
        nested: Vec<Member>,
    ) -> Option<Obj<'a>> {
        let o = Obj {
            text,
            members,
            nested,
        };
        o.members
            .iter()
            .filter(|m| m.key_escaped)
            .all(|m| o.decoded(m).is_some())
            .then_some(o)
    }

    /// The object in a value of an event already validated (`None` when it is not an
    /// object). Its members are found by their structure, not parsed again.
    pub fn parse(raw: impl Into<Raw<'a>>) -> Option<Obj<'a>> {
        split_object(raw.into().0)
    }

    /// The object in `text` (which must be one JSON object, whole and valid), or why not.
    /// This validates the text; [`Obj::parse`] trusts it.
    pub fn parse_str(text: &'a str) -> Result<Obj<'a>, String> {
        if !text.starts_with('{') {
            return Err("not a JSON object".into());
        }
        if let crate::scan::Scan::Object {
            len,
            members,
            nested,
        } = crate::scan::object(text.as_bytes())
            && text[len..].trim_matches([' ', '\t', '\n', '\r']).is_empty()
            && let Some(o) = Obj::scanned(text, members, nested)
        {
            return Ok(o);
        }
        // serde_json says why (keys read as strings: a lone surrogate in one is its error).
        match serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(text) {
            Err(e) => Err(e.to_string()),
            Ok(_) => Err("not a JSON object".into()),
        }
    }

    /// The key of `m`, decoded when it has escapes.
    fn decoded(&self, m: &Member) -> Option<Cow<'a, str>> {
        let k = self.text.get(m.key())?;
        if m.key_escaped {
            serde_json::from_str::<String>(k).ok().map(Cow::Owned)
        } else {
            k.get(1..k.len().checked_sub(1)?).map(Cow::Borrowed)
        }
    }

    /// The key of `m` as text (an undecodable key as written).
    fn key_of(&self, m: &Member) -> Cow<'a, str> {
        self.decoded(m).unwrap_or(Cow::Borrowed(""))
    }

    /// The key of `m` as written between its quotes (escapes not decoded).
    #[inline]
    fn key_text(&self, m: &Member) -> &'a [u8] {
        let r = m.key();
        self.text
            .as_bytes()
            .get(r.start + 1..r.end.saturating_sub(1))
            .unwrap_or_default()
    }

    /// Whether the object has a member named exactly `key`.
    pub fn has_key(&self, key: &str) -> bool {
        self.members.iter().any(|m| {
            if m.key_escaped {
                self.key_of(m) == key
            } else {
                self.key_text(m) == key.as_bytes()
            }
        })
    }

    /// The index of `key`: an exact match, or else one that differs only in ASCII case.
    fn index(&self, key: &str) -> Option<usize> {
        let want = key.as_bytes();
        let mut folded = None;
        for (i, m) in self.members.iter().enumerate() {
            if m.key_escaped {
                let k = self.key_of(m);
                if k == key {
                    return Some(i);
                }
                if folded.is_none() && k.eq_ignore_ascii_case(key) {
                    folded = Some(i);
                }
                continue;
            }
            // Most keys differ in length, or in their first byte.
            if (m.key.1 - m.key.0) as usize != want.len() + 2 {
                continue;
            }
            let k = self.key_text(m);
            if k.first() == want.first() && k == want {
                return Some(i);
            }
            if folded.is_none() && k.eq_ignore_ascii_case(want) {
                folded = Some(i);
            }
        }
        folded
    }

    /// The raw value of `key`: an exact match, or else one that differs only in ASCII case
    /// (some exports lower-case keys: `eventtype`, `calleripaddress`).
    pub fn raw(&self, key: &str) -> Option<Raw<'a>> {
        let m = self.members.get(self.index(key)?)?;
        self.text.get(m.value()).map(Raw)
    }

    /// Whether `key` is present with a value other than `null`.
    pub fn has(&self, key: &str) -> bool {
        self.raw(key).is_some_and(|v| v.get() != "null")
    }

    /// The object at `key`.
    pub fn obj(&self, key: &str) -> Option<Obj<'a>> {
        let m = self.members.get(self.index(key)?)?;
        match m.children() {
            // (An undecodable escaped key makes the object unreadable, as when it is split.)
            Some(kids) => Obj::scanned(self.text, self.nested.get(kids)?.to_vec(), Vec::new()),
            None => Obj::parse(Raw(self.text.get(m.value())?)),
        }
    }

    /// The object at a dotted path (`client.userAgent`).
    pub fn path(&self, path: &str) -> Option<Obj<'a>> {
        let mut parts = path.split('.');
        let mut cur = self.obj(parts.next()?)?;
        for p in parts {
            cur = cur.obj(p)?;
        }
        Some(cur)
    }

    /// The raw value at a dotted path.
    pub fn raw_at(&self, path: &str) -> Option<Raw<'a>> {
        // Paths are short: a plain loop beats a call to memrchr.
        match path.bytes().rposition(|b| b == b'.') {
            None => self.raw(path),
            Some(dot) => self.path(&path[..dot])?.raw(&path[dot + 1..]),
        }
    }

    /// A string at a dotted path; `None` for a missing key, `null`, another type, an empty
    /// string, or the text `"null"` (Okta writes it for a missing IP).
    pub fn str(&self, path: &str) -> Option<Cow<'a, str>> {
        let s = string(self.raw_at(path)?)?;
        (!s.is_empty() && s != "null").then_some(s)
    }

    /// A string, or a number or boolean written out, at a dotted path (osquery writes numbers
    /// as numbers with `--logger_numerics`).
    pub fn text(&self, path: &str) -> Option<Cow<'a, str>> {
        let raw = self.raw_at(path)?;
        match raw.get().as_bytes().first()? {
            b'"' => self.str(path),
            b'-' | b'0'..=b'9' | b't' | b'f' => Some(Cow::Borrowed(raw.get())),
            _ => None,
        }
    }

    /// A number (or a numeric string) at a dotted path.
    pub fn num(&self, path: &str) -> Option<f64> {
        number(self.raw_at(path)?)
    }

    /// A boolean (or `"true"`/`"false"`) at a dotted path.
    pub fn bool(&self, path: &str) -> Option<bool> {
        let raw = self.raw_at(path)?;
        match raw.get() {
            "true" => Some(true),
            "false" => Some(false),
            _ => match string(raw)?.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        }
    }

    /// The elements of the array at `key` (empty when it is missing or not an array).
    pub fn arr(&self, key: &str) -> Vec<Raw<'a>> {
        self.raw(key).map(array).unwrap_or_default()
    }

    /// Every key, in input order.
    pub fn keys(&self) -> impl Iterator<Item = Cow<'a, str>> + '_ {
        self.members.iter().map(|m| self.key_of(m))
    }
}

/// A JSON string's text.
pub fn string(raw: Raw<'_>) -> Option<Cow<'_, str>> {
    let t = raw.get();
    if !t.starts_with('"') {
        return None;
    }
    match t.get(1..t.len().saturating_sub(1)) {
        // No escapes: the text between the quotes is the string.
        Some(inner) if t.len() >= 2 && !inner.contains('\\') => Some(Cow::Borrowed(inner)),
        _ => serde_json::from_str::<Cow<'_, str>>(t).ok(),
    }
}

/// A JSON number, or a string holding one.
pub fn number(raw: Raw<'_>) -> Option<f64> {
    let t = raw.get();
    let n: f64 = if t.starts_with('"') {
        string(raw)?.trim().parse().ok()?
    } else {
        t.parse().ok()?
    };
    n.is_finite().then_some(n)
}

/// The elements of a JSON array (empty for anything else).
pub fn array(raw: Raw<'_>) -> Vec<Raw<'_>> {
    split_array(raw.get()).unwrap_or_default()
}

/// Skips white space from `i`.
fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i` (a `"`).
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        j = crate::scan::plain_end(b, j);
        match *b.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            // A control byte: not in a valid string, but the structure goes on.
            _ => j += 1,
        }
    }
}

/// The end (exclusive) of the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The members of a (valid) object's text, found by its structure.
fn split_object(s: &str) -> Option<Obj<'_>> {
    let b = s.as_bytes();
    if b.first() != Some(&b'{') || b.len() > u32::MAX as usize {
        return None;
    }
    let mut members = Vec::with_capacity(16);
    let o = |members| {
        Some(Obj {
            text: s,
            members,
            nested: Vec::new(),
        })
    };
    let mut i = ws(b, 1);
    if b.get(i) == Some(&b'}') {
        return o(members);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let kstart = i;
        let kend = skip_string(b, i)?;
        let key_escaped = memchr::memchr(b'\\', &b[i..kend]).is_some();
        if key_escaped {
            serde_json::from_str::<String>(s.get(i..kend)?).ok()?;
        }
        i = ws(b, kend);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let vstart = ws(b, i + 1);
        let vend = skip_value(b, vstart)?;
        members.push(Member {
            key: (kstart as u32, kend as u32),
            value: (vstart as u32, vend as u32),
            key_escaped,
            children: None,
        });
        i = ws(b, vend);
        match b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => return o(members),
            _ => return None,
        }
    }
}

/// The elements of a (valid) array's text.
fn split_array(s: &str) -> Option<Vec<Raw<'_>>> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let mut v = Vec::new();
    let mut i = ws(b, 1);
    if b.get(i) == Some(&b']') {
        return Some(v);
    }
    loop {
        let end = skip_value(b, i)?;
        v.push(Raw(s.get(i..end)?));
        i = ws(b, end);
        match b.get(i)? {
            b',' => i = ws(b, i + 1),
            b']' => return Some(v),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> &str {
        s
    }

    #[test]
    fn reads_paths_case_insensitively_and_lazily() {
        let r = raw(
            r#"{"client":{"ipAddress":"null","userAgent":{"rawUserAgent":"UA"}},"eventtype":"x","n":"12","b":"TRUE","a\u0041":1}"#,
        );
        let o = Obj::parse_str(r).unwrap();
        assert_eq!(o.str("client.ipAddress"), None);
        assert_eq!(
            o.str("client.userAgent.rawUserAgent").as_deref(),
            Some("UA")
        );
        assert_eq!(o.str("eventType").as_deref(), Some("x"));
        assert_eq!(o.num("n"), Some(12.0));
        assert_eq!(o.bool("b"), Some(true));
        assert_eq!(o.num("aA"), Some(1.0));
        assert!(Obj::parse_str(raw("[1]")).is_err());
        // Members found by structure agree with serde's reading.
        let t = r#"{ "a" : [1, {"b": "}\"]"}] , "c\u0041":{"d":{}}, "e": -1.5e3,"f":null }"#;
        let o = Obj::parse(Raw(t)).unwrap();
        let keys: Vec<String> = o.keys().map(|k| k.into_owned()).collect();
        assert_eq!(keys, ["a", "cA", "e", "f"]);
        assert_eq!(o.raw("a").unwrap().get(), r#"[1, {"b": "}\"]"}]"#);
        assert_eq!(array(o.raw("a").unwrap()).len(), 2);
        assert_eq!(o.path("cA.d").map(|d| d.keys().count()), Some(0));
        assert_eq!(o.num("e"), Some(-1500.0));
        assert!(!o.has("f"));
        assert!(Obj::parse(Raw("{\"a\":")).is_none());
        // The empty key is a key.
        assert_eq!(
            Obj::parse_str(r#"{"":1,"b":2}"#).unwrap().num(""),
            Some(1.0)
        );
        // A key that is not a character makes its object unreadable, scanned or split.
        let o = Obj::parse_str(r#"{"c":{"\ud800":1,"id":"x"},"d":{"e":{"\ud800":1}}}"#).unwrap();
        assert!(o.obj("c").is_none());
        assert!(o.path("d.e").is_none());
        let e = Obj::parse_str(r#"{"\ud800":1}"#).err().unwrap();
        assert!(e.contains("escape"), "{e}");
        assert!(Obj::parse(Raw("{\"a\" 1}")).is_none());
    }
}
