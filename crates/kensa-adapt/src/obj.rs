//! A JSON object read lazily: its keys and the raw text of its values, borrowed from the
//! input. Adapters read a handful of fields out of events that carry dozens; parsing only
//! what is asked for keeps conversion fast, and the event's own text is kept as it was.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// One JSON object: `(key, raw value)` in input order.
pub struct Obj<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Obj<'a> {
    /// The object in `raw`, or `None` when `raw` is not an object.
    pub fn parse(raw: &'a RawValue) -> Option<Obj<'a>> {
        Obj::parse_str(raw.get()).ok()
    }

    /// The object in `text` (which must be one JSON object, whole and valid), or why not.
    pub fn parse_str(text: &'a str) -> Result<Obj<'a>, String> {
        if !text.starts_with('{') {
            return Err("not a JSON object".into());
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let o = de.deserialize_map(ObjVisitor).map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        Ok(o)
    }

    /// The raw value of `key`: an exact match, or else one that differs only in ASCII case
    /// (some exports lower-case keys: `eventtype`, `calleripaddress`).
    pub fn raw(&self, key: &str) -> Option<&'a RawValue> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
            .map(|(_, v)| *v)
    }

    /// Whether `key` is present with a value other than `null`.
    pub fn has(&self, key: &str) -> bool {
        self.raw(key).is_some_and(|v| v.get() != "null")
    }

    /// The object at `key`.
    pub fn obj(&self, key: &str) -> Option<Obj<'a>> {
        Obj::parse(self.raw(key)?)
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
    pub fn raw_at(&self, path: &str) -> Option<&'a RawValue> {
        match path.rsplit_once('.') {
            None => self.raw(path),
            Some((parent, last)) => self.path(parent)?.raw(last),
        }
    }

    /// A string at a dotted path; `None` for a missing key, `null`, another type, an empty
    /// string, or the text `"null"` (Okta writes it for a missing IP).
    pub fn str(&self, path: &str) -> Option<Cow<'a, str>> {
        let s = string(self.raw_at(path)?)?;
        (!s.is_empty() && s != "null").then_some(s)
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
    pub fn arr(&self, key: &str) -> Vec<&'a RawValue> {
        self.raw(key).map(array).unwrap_or_default()
    }

    /// Every key, in input order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }
}

/// A JSON string's text.
pub fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    if !raw.get().starts_with('"') {
        return None;
    }
    serde_json::from_str::<Cow<'_, str>>(raw.get()).ok()
}

/// A JSON number, or a string holding one.
pub fn number(raw: &RawValue) -> Option<f64> {
    let t = raw.get();
    let n: f64 = if t.starts_with('"') {
        string(raw)?.trim().parse().ok()?
    } else {
        t.parse().ok()?
    };
    n.is_finite().then_some(n)
}

/// The elements of a JSON array (empty for anything else).
pub fn array(raw: &RawValue) -> Vec<&RawValue> {
    if !raw.get().starts_with('[') {
        return Vec::new();
    }
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).unwrap_or_default()
}

impl<'de> serde::Deserialize<'de> for Obj<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjVisitor)
    }
}

struct ObjVisitor;

impl<'de> Visitor<'de> for ObjVisitor {
    type Value = Obj<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Obj<'de>, M::Error> {
        let mut v = Vec::with_capacity(m.size_hint().unwrap_or(16));
        while let Some(k) = m.next_key::<Key<'de>>()? {
            v.push((k.0, m.next_value::<&'de RawValue>()?));
        }
        Ok(Obj(v))
    }
}

/// A key, borrowed unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> &RawValue {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn reads_paths_case_insensitively_and_lazily() {
        let r = raw(
            r#"{"client":{"ipAddress":"null","userAgent":{"rawUserAgent":"UA"}},"eventtype":"x","n":"12","b":"TRUE","a\u0041":1}"#,
        );
        let o = Obj::parse(r).unwrap();
        assert_eq!(o.str("client.ipAddress"), None);
        assert_eq!(
            o.str("client.userAgent.rawUserAgent").as_deref(),
            Some("UA")
        );
        assert_eq!(o.str("eventType").as_deref(), Some("x"));
        assert_eq!(o.num("n"), Some(12.0));
        assert_eq!(o.bool("b"), Some(true));
        assert_eq!(o.num("aA"), Some(1.0));
        assert!(Obj::parse(raw("[1]")).is_none());
    }
}
