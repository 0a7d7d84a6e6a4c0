//! Log adapters: the exports of identity providers, audit logs and endpoint telemetry, read
//! in their own formats and turned into Kensa contract records (`login`, `activity`,
//! `access`, `endpoint`).
//!
//! Every adapter is registered once, in [`Format`]: its name, how it is recognised, and its
//! conversion. An event becomes zero or more records, or a skip with its reason ([`Conv`]);
//! nothing is dropped without a reason. Each record keeps the original event (`event`), the
//! adapter's name (`source`), the event's type (`event_type`) and the identity the log named
//! (`log_identity`); who that identity is comes from a [`Resolver`].
//!
//! ```
//! use kensa_adapt::{Conv, Format, Resolver, Unresolved};
//! let mut who = Resolver::new(Unresolved::Skip);
//! who.add_subject("s-1", ["kim@example.com"]);
//! let event: &serde_json::value::RawValue = serde_json::from_str(
//!     r#"{"eventType":"user.session.start","published":"2026-01-05T09:00:00Z",
//!        "actor":{"type":"User","alternateId":"kim@example.com"},
//!        "client":{"ipAddress":"81.2.69.144"},"outcome":{"result":"SUCCESS"}}"#).unwrap();
//! assert_eq!(kensa_adapt::detect(event), Some(Format::Okta));
//! let mut out = Vec::new();
//! Format::Okta.convert(event, &who, &mut out);
//! let Conv::Record(json) = &out[0] else { panic!() };
//! let rec: serde_json::Value = serde_json::from_slice(json).unwrap();
//! assert_eq!(rec["kind"], "login");
//! assert_eq!(rec["subject_id"], "s-1");
//! ```

pub mod frame;
pub mod mapping;
pub mod obj;
pub mod out;
pub mod resolve;
pub mod scan;

mod entra;
mod github;
mod gworkspace;
mod ocsf;
mod okta;
mod osquery;

pub use frame::{Ev, Framer, Piece, events, unwrap_page};
pub use mapping::{Mapping, MappingFileError};
pub use obj::Obj;
pub use resolve::{MappingError, Resolver, Unresolved};

use out::Who;
use serde_json::value::RawValue;

/// The log formats Kensa reads natively. Adding one is a module and a line in each `match`
/// below (and its row in docs/adapters.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Okta,
    Entra,
    GoogleWorkspace,
    Github,
    Ocsf,
    Osquery,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Okta,
        Format::Entra,
        Format::GoogleWorkspace,
        Format::Github,
        Format::Ocsf,
        Format::Osquery,
    ];

    /// The name used on the command line and in records' `source`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Okta => "okta",
            Format::Entra => "entra",
            Format::GoogleWorkspace => "google-workspace",
            Format::Github => "github",
            Format::Ocsf => "ocsf",
            Format::Osquery => "osquery",
        }
    }

    /// What the format is, for `--help` and error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Okta => "Okta System Log (GET /api/v1/logs; JSON array or JSON Lines)",
            Format::Entra => {
                "Microsoft Entra ID sign-in logs (Graph signIn objects, or Azure Monitor diagnostic records)"
            }
            Format::GoogleWorkspace => "Google Workspace Admin SDK Reports API, login activities",
            Format::Github => "GitHub enterprise/organisation audit log (JSON, API or streaming)",
            Format::Ocsf => {
                "OCSF 1.x events (Authentication 3002, and other classes with a user, a time and an IP)"
            }
            Format::Osquery => {
                "osquery results (event, snapshot or batch): usb_devices, processes, programs, listening_ports"
            }
        }
    }

    /// The format named `s` (also accepts a few common aliases).
    pub fn from_name(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        Some(match s.as_str() {
            "okta" => Format::Okta,
            "entra" | "azure" | "azure-ad" | "aad" | "entra-id" => Format::Entra,
            "google-workspace" | "google" | "gws" | "gsuite" => Format::GoogleWorkspace,
            "github" | "github-audit" => Format::Github,
            "ocsf" => Format::Ocsf,
            "osquery" => Format::Osquery,
            _ => return None,
        })
    }

    /// Whether an event looks like this format.
    pub fn detects(self, o: &Obj<'_>) -> bool {
        match self {
            Format::Okta => okta::detect(o),
            Format::Entra => entra::detect(o),
            Format::GoogleWorkspace => gworkspace::detect(o),
            Format::Github => github::detect(o),
            Format::Ocsf => ocsf::detect(o),
            Format::Osquery => osquery::detect(o),
        }
    }

    /// Converts one event (page wrappers already removed) into records or skips.
    pub fn convert(self, event: &RawValue, who: &Resolver, out: &mut Vec<Conv>) {
        self.convert_ev(
            &Ev {
                text: event.get(),
                obj: Obj::parse(event),
            },
            who,
            out,
        )
    }

    /// Converts one event as the framer found it.
    pub fn convert_ev(self, ev: &Ev<'_>, who: &Resolver, out: &mut Vec<Conv>) {
        let Some(o) = &ev.obj else {
            out.push(Conv::skip("not a JSON object"));
            return;
        };
        let mut cx = Cx {
            format: self,
            who,
            event: ev.text,
            out,
        };
        match self {
            Format::Okta => okta::convert(o, &mut cx),
            Format::Entra => entra::convert(o, &mut cx),
            Format::GoogleWorkspace => gworkspace::convert(o, &mut cx),
            Format::Github => github::convert(o, &mut cx),
            Format::Ocsf => ocsf::convert(o, &mut cx),
            Format::Osquery => osquery::convert(o, &mut cx),
        }
    }
}

/// The format an event is in, if Kensa reads it (page wrappers are looked into).
pub fn detect(v: &RawValue) -> Option<Format> {
    let inner = unwrap_page(v);
    detect_obj(inner.first()?.obj.as_ref()?)
}

/// The format of an event, if Kensa reads it.
pub fn detect_obj(o: &Obj<'_>) -> Option<Format> {
    Format::ALL.into_iter().find(|f| f.detects(o))
}

/// What one event became.
#[derive(Debug, Clone, PartialEq)]
pub enum Conv {
    /// A contract record, as JSON.
    Record(Vec<u8>),
    /// Nothing: why, and (for an identity that resolves to nobody) the identity.
    Skip {
        reason: String,
        unresolved: Option<String>,
    },
}

impl Conv {
    fn skip(reason: impl Into<String>) -> Conv {
        Conv::Skip {
            reason: reason.into(),
            unresolved: None,
        }
    }
}

/// What an adapter works with while converting one event.
pub(crate) struct Cx<'a, 'o> {
    format: Format,
    who: &'a Resolver,
    event: &'a str,
    out: &'o mut Vec<Conv>,
}

impl<'a> Cx<'a, '_> {
    /// Resolves the first identity that names a subject; `None` (after recording the skip)
    /// when none does and unresolved identities are not kept.
    fn who(&mut self, identities: &[Option<std::borrow::Cow<'_, str>>]) -> Option<Who> {
        // Each usable identity once (adapters list the likeliest first, and may repeat one).
        let mut tried: Vec<&str> = Vec::with_capacity(identities.len());
        let mut first = None;
        for id in identities.iter().flatten() {
            let t = id.trim();
            if t.is_empty() || t == "null" || tried.contains(&t) {
                continue;
            }
            tried.push(t);
            let first = *first.get_or_insert(id.as_ref());
            if let Some(s) = self.who.lookup(t) {
                return Some(Who {
                    subject_id: s.to_owned(),
                    identity: first.to_owned(),
                });
            }
        }
        let Some(first) = first else {
            self.skip("the event names no user");
            return None;
        };
        if self.who.unresolved == Unresolved::Keep {
            Some(Who {
                subject_id: first.trim().to_ascii_lowercase(),
                identity: first.to_owned(),
            })
        } else {
            self.out.push(Conv::Skip {
                reason: "the user resolves to no subject".into(),
                unresolved: Some(first.to_owned()),
            });
            None
        }
    }

    fn skip(&mut self, reason: impl Into<String>) {
        self.out.push(Conv::skip(reason));
    }

    fn record(&mut self, r: &out::Out<'_>) {
        self.out.push(Conv::Record(r.to_json()));
    }

    fn new_out(&self, kind: &'static str, who: Who, at: jiff::Timestamp) -> out::Out<'a> {
        out::Out::new(kind, who, at, self.format.name(), self.event)
    }
}

/// The parts of a user-agent-like field worth keeping as a device hint.
pub(crate) fn nonempty(s: Option<std::borrow::Cow<'_, str>>) -> Option<std::borrow::Cow<'_, str>> {
    s.filter(|s| !s.trim().is_empty())
}

/// One event's outcome, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// 1-based line of the event's first byte.
    pub line: u64,
    pub conv: Conv,
}

/// Counts newlines up to increasing offsets of one buffer.
#[derive(Debug)]
pub struct LineCounter {
    pos: usize,
    line: u64,
}

impl Default for LineCounter {
    fn default() -> Self {
        LineCounter { pos: 0, line: 1 }
    }
}

impl LineCounter {
    /// The 1-based line of byte `off` (offsets must not decrease between calls).
    pub fn line_at(&mut self, buf: &[u8], off: usize) -> u64 {
        let off = off.min(buf.len());
        if off > self.pos {
            self.line += memchr::memchr_iter(b'\n', &buf[self.pos..off]).count() as u64;
            self.pos = off;
        }
        self.line
    }

    /// Moves the origin: the first `n` bytes of the buffer are gone.
    pub fn consume(&mut self, buf: &[u8], n: usize) {
        self.line_at(buf, n);
        self.pos -= n;
    }
}

/// The format of a log given its first event, or why it is none Kensa reads.
pub fn detect_or_explain(o: Option<&Obj<'_>>) -> Result<Format, String> {
    o.and_then(detect_obj).ok_or_else(|| {
        let tried: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!(
            "not a log format Kensa recognises (tried {}); name the format with --format",
            tried.join(", ")
        )
    })
}

/// Converts a whole log held in memory (for tests, fuzzing and small inputs; `kensa
/// ingest` streams instead). `format` `None` detects it from the first event. Text that is
/// not JSON becomes a skip whose reason starts with `not JSON`.
pub fn convert_all(
    buf: &[u8],
    format: Option<Format>,
    who: &Resolver,
) -> Result<Vec<Converted>, String> {
    let mut pieces = Vec::new();
    Framer::default().frame(buf, true, &mut pieces);
    let mut format = format;
    let mut lines = LineCounter::default();
    let mut out = Vec::new();
    for p in pieces {
        if let Piece::Bad {
            start, at, reason, ..
        } = &p
        {
            let line = lines.line_at(buf, *start);
            let at_line = lines.line_at(buf, *at);
            out.push(Converted {
                line,
                conv: Conv::skip(Piece::bad_reason(buf, *at, at_line, reason)),
            });
            continue;
        }
        for ev in events(p).unwrap_or_default() {
            let f = match format {
                Some(f) => f,
                None => *format.insert(detect_or_explain(ev.obj.as_ref())?),
            };
            let line = lines.line_at(buf, frame::offset_in(buf, ev.text));
            let mut convs = Vec::new();
            f.convert_ev(&ev, who, &mut convs);
            out.extend(convs.into_iter().map(|conv| Converted { line, conv }));
        }
    }
    Ok(out)
}
