//! Who a log event is about: log identities (an e-mail, a login, a user id, a host or device
//! serial) to Kensa `subject_id`s.
//!
//! An identity resolves when it is a known `subject_id`, one of a known subject's `emails[]`,
//! or an entry of a mapping file; comparison ignores ASCII case and surrounding spaces. An
//! event whose identities resolve to nobody is skipped and reported, or kept as a subject of
//! its own when asked ([`Unresolved::Keep`]).

use std::collections::HashMap;
use std::path::Path;

/// What to do with an event whose identity resolves to no subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unresolved {
    /// Skip the event and report it (the default).
    #[default]
    Skip,
    /// Keep it, with the identity (lower-cased) as its `subject_id`.
    Keep,
}

/// Identities to subjects.
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    /// Looked up once per event: a fast hash (foldhash, randomly seeded) rather than SipHash.
    map: HashMap<String, String, foldhash::fast::RandomState>,
    /// Identities given more than once with different subjects (first one wins).
    pub ambiguous: Vec<String>,
    pub unresolved: Unresolved,
}

/// A mapping file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: line {line}: {reason}")]
pub struct MappingError {
    pub path: String,
    pub line: u64,
    pub reason: String,
}

fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

impl Resolver {
    pub fn new(unresolved: Unresolved) -> Resolver {
        Resolver {
            unresolved,
            ..Default::default()
        }
    }

    /// Whether nothing is known (every identity will be unresolved).
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of identities known.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Adds one identity of a subject. The subject's own id always resolves to itself.
    pub fn add(&mut self, identity: &str, subject_id: &str) {
        let key = norm(identity);
        if key.is_empty() {
            return;
        }
        match self.map.get(&key) {
            Some(s) if s != subject_id => {
                if self.ambiguous.len() < 100 {
                    self.ambiguous.push(identity.trim().to_owned());
                }
            }
            Some(_) => {}
            None => {
                self.map.insert(key, subject_id.to_owned());
            }
        }
    }

    /// Adds a known subject with its e-mails.
    pub fn add_subject<'s>(&mut self, subject_id: &str, emails: impl IntoIterator<Item = &'s str>) {
        self.add(subject_id, subject_id);
        for e in emails {
            self.add(e, subject_id);
        }
    }

    /// Reads a mapping file: CSV lines `identity,subject_id` (a header line
    /// `identity,subject_id`, lines starting with `#` and `#` comments after white space are
    /// skipped). Read it before the subjects: its lines take precedence.
    pub fn load_mapping(&mut self, path: &Path) -> Result<usize, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|e| MappingError {
            path: path.display().to_string(),
            line: 0,
            reason: e.to_string(),
        })?;
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            // A comment after white space (`LT-0042,cand-17   # osquery host`).
            let line = match line.find(" #").or_else(|| line.find("\t#")) {
                Some(c) => &line[..c],
                None => line,
            };
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.eq_ignore_ascii_case("identity,subject_id") {
                continue;
            }
            let Some((id, subject)) = t.split_once(',') else {
                return Err(MappingError {
                    path: path.display().to_string(),
                    line: i as u64 + 1,
                    reason: "expected `identity,subject_id`".into(),
                });
            };
            let (id, subject) = (id.trim(), subject.trim());
            if id.is_empty()
                || subject.is_empty()
                || subject.contains(',')
                || subject.contains(char::is_whitespace)
            {
                return Err(MappingError {
                    path: path.display().to_string(),
                    line: i as u64 + 1,
                    reason:
                        "expected `identity,subject_id`, both non-empty, the subject without spaces"
                            .into(),
                });
            }
            self.add(id, subject);
            n += 1;
        }
        Ok(n)
    }

    /// Ignores identities that name nobody (`null`, empty).
    fn usable(i: &str) -> bool {
        let t = i.trim();
        !t.is_empty() && t != "null"
    }

    /// The subject of the first identity that resolves.
    pub fn resolve<'i>(&self, identities: impl IntoIterator<Item = &'i str>) -> Option<&str> {
        identities
            .into_iter()
            .filter(|i| Resolver::usable(i))
            .find_map(|i| self.lookup(i.trim()))
    }

    /// The subject of one (trimmed) identity.
    pub(crate) fn lookup(&self, t: &str) -> Option<&str> {
        // Most identities are written in lower case already: no copy for those.
        let hit = if t.bytes().any(|b| b.is_ascii_uppercase()) {
            self.map.get(&t.to_ascii_lowercase())
        } else {
            self.map.get(t)
        };
        hit.map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_ids_emails_and_mappings_ignoring_case() {
        let mut r = Resolver::new(Unresolved::Skip);
        r.add_subject("s-1", ["Kim@Example.com"]);
        r.add("octocat", "s-2");
        r.add("octocat", "s-3");
        let dir = std::env::temp_dir().join(format!("kensa-ids-{}", std::process::id()));
        std::fs::write(
            &dir,
            "identity,subject_id\n# hosts\nLT-0042,cand-17     # osquery host\n",
        )
        .unwrap();
        r.load_mapping(&dir).unwrap();
        std::fs::write(&dir, "LT-0042,cand 17\n").unwrap();
        assert!(r.load_mapping(&dir).is_err());
        std::fs::remove_file(&dir).ok();
        assert_eq!(r.resolve(["lt-0042"]), Some("cand-17"));
        assert_eq!(r.resolve(["null", " "]), None);
        assert_eq!(r.resolve([" kim@example.COM"]), Some("s-1"));
        assert_eq!(r.resolve(["nobody", "S-1"]), Some("s-1"));
        assert_eq!(r.resolve(["OctoCat"]), Some("s-2"));
        assert_eq!(r.ambiguous, vec!["octocat"]);
        assert_eq!(r.resolve(["nobody"]), None);
    }
}
