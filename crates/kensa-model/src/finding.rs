//! What detectors produce and what `subjects.jsonl` contains.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A text in both report languages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub ja: String,
}

impl Text {
    /// A text; in the English one, a counted `noun(s)` becomes singular or plural by the number
    /// before it (`1 crypto wallet(s)` → `1 crypto wallet`, `3 other account(s)` → `3 other
    /// accounts`), so that detectors can write one format string.
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Text {
        Text {
            en: fix_plurals(en.into()),
            ja: ja.into(),
        }
    }
}

/// Resolves each `word(s)` preceded (within three words) by a number.
pub fn fix_plurals(s: String) -> String {
    if !s.contains("(s)") {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("(s)") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let attached = before.chars().last().is_some_and(char::is_alphabetic);
        // The number: the nearest numeric word among the three before the noun.
        let count = attached
            .then(|| {
                before.rsplit(' ').skip(1).take(3).find_map(|w| {
                    let w = w.trim_start_matches('(').trim_end_matches([',', ')']);
                    let digits = !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
                    digits.then(|| w.parse::<u64>().ok()).flatten()
                })
            })
            .flatten();
        match count {
            Some(1) => {}
            Some(_) => out.push('s'),
            None => out.push_str("(s)"),
        }
        rest = &after[3..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod plural_tests {
    use super::fix_plurals;

    #[test]
    fn counted_nouns_agree_with_their_number() {
        let f = |s: &str| fix_plurals(s.to_owned());
        assert_eq!(
            f("Paid to 1 crypto wallet(s) (TRC20)."),
            "Paid to 1 crypto wallet (TRC20)."
        );
        assert_eq!(
            f("shares IPs with 3 other account(s) (u1)"),
            "shares IPs with 3 other accounts (u1)"
        );
        assert_eq!(
            f("8 of 14 payment(s) received"),
            "8 of 14 payments received"
        );
        assert_eq!(
            f("1 consecutive login pair(s) imply"),
            "1 consecutive login pair imply"
        );
        assert_eq!(
            f("Payout destination(s) resolve"),
            "Payout destination(s) resolve"
        );
        assert_eq!(f("no parenthesis"), "no parenthesis");
    }
}

/// The facts behind a flag: which records, which values, and which thresholds (the fields of
/// [`EvidenceData`], read and written through this handle as if they were its own).
///
/// Shared, copied on write: the engine clones every touched subject's findings into its result
/// and its answer, and those clones (and their drops, often on another thread) of the record
/// lists and value maps were a fifth of a served batch's CPU time. Serialised exactly as the
/// fields themselves.
#[derive(Clone, Default)]
pub struct Evidence(std::sync::Arc<EvidenceData>);

/// What an [`Evidence`] holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceData {
    /// `record_id`s of the records that triggered the flag.
    pub records: Vec<String>,
    /// The values that matter (counts, IPs, countries, names...).
    pub values: Map<String, Value>,
    /// The parameters and thresholds they were compared with.
    pub thresholds: Map<String, Value>,
}

impl std::ops::Deref for Evidence {
    type Target = EvidenceData;
    fn deref(&self) -> &EvidenceData {
        &self.0
    }
}

impl std::ops::DerefMut for Evidence {
    /// Copies the data first when another handle shares it.
    fn deref_mut(&mut self) -> &mut EvidenceData {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl From<EvidenceData> for Evidence {
    fn from(d: EvidenceData) -> Self {
        Evidence(std::sync::Arc::new(d))
    }
}

impl PartialEq for Evidence {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl std::fmt::Debug for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EvidenceData::deserialize(d).map(Evidence::from)
    }
}

impl Evidence {
    pub fn value(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.values.insert(k.to_owned(), v.into());
        self
    }
    pub fn threshold(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.thresholds.insert(k.to_owned(), v.into());
        self
    }
    pub fn records<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.records.extend(ids.into_iter().map(Into::into));
        self
    }
}

/// One raised flag for one subject, before scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub subject_id: String,
    /// Catalogue id (`RF-...`) or documented Kensa id.
    pub id: String,
    /// The specific detection, e.g. `login_multi_ip`.
    pub detector: String,
    /// How strongly the flag fires, in (0, 1]: 1 is a clear case, small values a weak one.
    pub strength: f64,
    pub evidence: Evidence,
    pub explanation: Text,
}

/// A flag as it appears in `subjects.jsonl`: the finding plus its contribution to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredFlag {
    pub id: String,
    pub detector: String,
    /// Contribution to the score in points (0–100 scale); the flags' weights plus
    /// `base_score` add up to `score`.
    pub weight: f64,
    /// Contribution in log-odds (natural log of the likelihood ratio applied).
    pub log_odds: f64,
    pub strength: f64,
    pub evidence: Evidence,
    pub explanation: Text,
}

/// One line of `subjects.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectResult {
    pub subject_id: String,
    /// 0–100, higher is riskier: the posterior risk in percent.
    pub score: f64,
    pub tier: Tier,
    /// The score with no flag at all (the policy's prior).
    pub base_score: f64,
    pub display_name: Option<String>,
    pub flags: Vec<ScoredFlag>,
    /// Due-diligence status for the tier (required, done, missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_diligence: Option<Value>,
}

/// Risk tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Low,
    Medium,
    High,
    Critical,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Medium => "medium",
            Tier::High => "high",
            Tier::Critical => "critical",
        }
    }
    pub fn ja(self) -> &'static str {
        match self {
            Tier::Low => "低",
            Tier::Medium => "中",
            Tier::High => "高",
            Tier::Critical => "重大",
        }
    }
}
