//! RF-COMMS-OFF-PLATFORM and RF-PAY-CRYPTO — the subject's own messages propose moving work,
//! communication or payment off the platform (Telegram, WhatsApp, "pay me directly",
//! プラットフォーム外, 직접 거래, 加微信...) or ask to be paid in cryptocurrency (USDT, TRC20,
//! 暗号資産で, 테더, 泰达币...).
//!
//! What is measured: phrases from `data/message-patterns.toml` (English, Japanese, Korean,
//! Chinese; embedded as the defaults) plus the policy's `extra_patterns`, matched in messages
//! whose `direction` is `from_subject`. Each pattern has a weight (an explicit "pay me directly"
//! is 1.0, the bare name of a chat application 0.6); a message counts with its strongest match,
//! and the flag's strength is `1 − Π(1 − per_match × weight)` over the messages, so one explicit
//! proposal gives 0.5 and repeated proposals approach 1.
//!
//! False positives: clients mention tools too ("we use Slack", "send me your Telegram?"), so
//! only what the subject writes counts; and a subject may say the opposite ("I don't use
//! Telegram, let's keep everything on the platform", 「テレグラムは使いません」). A match with a
//! negation cue in the same clause (before the phrase in English and Chinese, after it in
//! Japanese and Korean, not counting questions such as "why not" or 「〜ませんか」) is reported
//! as negated and ignored. Bare application names weigh less than explicit proposals, and a
//! finding below `min_strength` is not raised.

use crate::util::snippet;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use kensa_model::record::Direction;
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "message_patterns",
    raises: &["RF-COMMS-OFF-PLATFORM", "RF-PAY-CRYPTO"],
    summary: "phrases in the subject's own messages (en/ja/ko/zh) proposing off-platform contact or payment, or payment in cryptocurrency",
    false_positives: "clients' messages are ignored; negated mentions (\"I don't use Telegram\", 「テレグラムは使いません」) are ignored; bare app names weigh less than explicit proposals",
};

/// The embedded default phrases.
pub const DEFAULT_PATTERNS: &str = include_str!("../../data/message-patterns.toml");

/// The flags this detector can raise; extra patterns must name one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Flag {
    #[serde(rename = "RF-COMMS-OFF-PLATFORM")]
    OffPlatform,
    #[serde(rename = "RF-PAY-CRYPTO")]
    Crypto,
}

impl Flag {
    fn id(self) -> &'static str {
        match self {
            Flag::OffPlatform => "RF-COMMS-OFF-PLATFORM",
            Flag::Crypto => "RF-PAY-CRYPTO",
        }
    }
}

fn one() -> f64 {
    1.0
}

/// One user-supplied phrase (`[[detectors.message_patterns.extra_patterns]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPattern {
    /// `RF-COMMS-OFF-PLATFORM` or `RF-PAY-CRYPTO`.
    pub flag: Flag,
    /// Language code shown in evidence (`en`, `ja`, `ko`, `zh`, ...); negation cues of that
    /// language apply.
    pub lang: String,
    /// The phrase; case-insensitive for ASCII letters, whole words when all ASCII.
    pub pattern: String,
    /// How clearly one message with this phrase is the red flag, in (0, 1].
    #[serde(default = "one")]
    pub weight: f64,
}

/// Parameters (`[detectors.message_patterns]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Strength one message with a weight-1 phrase contributes.
    pub per_match: f64,
    /// Findings weaker than this are not raised.
    pub min_strength: f64,
    /// Ignore matches with a negation cue in the same clause.
    pub negation: bool,
    /// Phrases added to the embedded defaults.
    pub extra_patterns: Vec<ExtraPattern>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            per_match: 0.5,
            min_strength: 0.25,
            negation: true,
            extra_patterns: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    set: Vec<PatternSet>,
    #[serde(default)]
    negation: Vec<Negation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSet {
    flag: Flag,
    lang: String,
    #[serde(default = "one")]
    weight: f64,
    patterns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Negation {
    lang: String,
    position: String,
    cues: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default)]
    near_cues: Vec<String>,
}

#[derive(Debug, Clone)]
struct Pat {
    flag: Flag,
    lang: String,
    weight: f64,
    text: String,
}

pub struct MessagePatterns {
    params: Params,
    pats: Vec<Pat>,
    ac: AhoCorasick,
    negations: Vec<Negation>,
}

impl MessagePatterns {
    /// Builds the matcher from the embedded phrases and the policy's extra ones.
    pub fn new(params: Params) -> Self {
        let file: PatternFile =
            toml::from_str(DEFAULT_PATTERNS).expect("embedded message patterns are valid (tested)");
        let mut pats = Vec::new();
        for set in &file.set {
            for p in &set.patterns {
                pats.push(Pat {
                    flag: set.flag,
                    lang: set.lang.clone(),
                    weight: set.weight,
                    text: p.clone(),
                });
            }
        }
        for e in &params.extra_patterns {
            if !e.pattern.trim().is_empty() {
                pats.push(Pat {
                    flag: e.flag,
                    lang: e.lang.clone(),
                    weight: e.weight.clamp(0.0, 1.0),
                    text: e.pattern.clone(),
                });
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(pats.iter().map(|p| p.text.as_str()))
            .expect("phrase automaton builds");
        MessagePatterns {
            params,
            pats,
            ac,
            negations: file.negation,
        }
    }

    /// Every match in one text: (pattern index, byte range, negated).
    fn scan(&self, text: &str) -> Vec<(usize, usize, usize, bool)> {
        let mut out = Vec::new();
        for m in self.ac.find_iter(text) {
            let p = &self.pats[m.pattern().as_usize()];
            if !word_edges_ok(text, &p.text, m.start(), m.end()) {
                continue;
            }
            let negated = self.params.negation && self.negated(text, m.start(), m.end(), &p.lang);
            out.push((m.pattern().as_usize(), m.start(), m.end(), negated));
        }
        out
    }

    fn negated(&self, text: &str, start: usize, end: usize, lang: &str) -> bool {
        let (c0, c1) = clause(text, start, end);
        let clause_lc = text[c0..c1].to_lowercase();
        self.negations.iter().filter(|n| n.lang == lang).any(|n| {
            if n.except.iter().any(|e| clause_lc.contains(e.as_str())) {
                return false;
            }
            let window: String = if n.position == "after" {
                text[end..c1].chars().take(20).collect()
            } else {
                let before: Vec<char> = text[c0..start].chars().collect();
                before[before.len().saturating_sub(40)..].iter().collect()
            };
            let window = window.to_lowercase();
            let near: String = {
                let w: Vec<char> = window.chars().collect();
                w[w.len().saturating_sub(12)..].iter().collect()
            };
            n.cues.iter().any(|c| window.contains(c.as_str()))
                || (n.position != "after" && n.near_cues.iter().any(|c| near.contains(c.as_str())))
        })
    }
}

/// Whether a match starts and ends on word edges where the pattern does: a pattern edge that is
/// an ASCII letter or digit must not touch another letter or digit of an alphabetic script
/// (`eth` does not match
/// "method", 「LINEで」 does not match 「onlineで」); edges in Japanese, Chinese or Korean script
/// are free, since those languages do not separate words with spaces.
fn word_edges_ok(text: &str, pattern: &str, start: usize, end: usize) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    // Letters of alphabetic scripts (Latin, Greek, Cyrillic) join words; kana, Han and hangul
    // (U+2E80 onwards) do not, so 「報酬はUSDTで」 still matches `USDTで`.
    let touches = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && (c as u32) < 0x2E80);
    let (first, last) = (pattern.chars().next(), pattern.chars().next_back());
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let joined_before = edge(first) && touches(before);
    let joined_after = edge(last) && touches(after);
    !joined_before && !joined_after
}

/// The clause around a match: between sentence or clause punctuation. The Japanese comma 、
/// does not end a clause (「テレグラムは、使いません」 is one statement).
fn clause(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_delim = |c: char| ".,;!?。！？，；\n".contains(c);
    let c0 = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| is_delim(*c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let c1 = text[end..]
        .char_indices()
        .find(|(_, c)| is_delim(*c))
        .map(|(i, _)| end + i)
        .unwrap_or(text.len());
    (c0, c1)
}

fn lang_ja(lang: &str) -> &str {
    match lang {
        "en" => "英語",
        "ja" => "日本語",
        "ko" => "韓国語",
        "zh" => "中国語",
        other => other,
    }
}

impl Detector for MessagePatterns {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["message"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.params).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s)
    }
}

impl MessagePatterns {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Vec<Finding> {
        let p = &self.params;
        let mut out = Vec::new();
        // Each of the subject's own messages is scanned once.
        let scanned: Vec<_> = s
            .messages
            .iter()
            .filter(|m| m.r.direction == Direction::FromSubject)
            .filter_map(|m| m.r.text.as_deref().map(|t| (m, t, self.scan(t))))
            .filter(|(_, _, hits)| !hits.is_empty())
            .collect();
        for flag in [Flag::OffPlatform, Flag::Crypto] {
            // Per message: its strongest non-negated match of this flag.
            let mut hits = Vec::new();
            let mut negated = Vec::new();
            for (m, text, found) in &scanned {
                let mut best: Option<(f64, serde_json::Value)> = None;
                for &(pi, a, b, neg) in found {
                    let pat = &self.pats[pi];
                    if pat.flag != flag {
                        continue;
                    }
                    let v = serde_json::json!({
                        "record": m.id,
                        "lang": pat.lang,
                        "pattern": pat.text,
                        "snippet": snippet(text, a, b, 30),
                    });
                    if neg {
                        negated.push(v);
                    } else if best.as_ref().is_none_or(|(w, _)| pat.weight > *w) {
                        best = Some((pat.weight, v));
                    }
                }
                if let Some((w, v)) = best {
                    hits.push((m.id.clone(), w, v));
                }
            }
            if hits.is_empty() {
                continue;
            }
            let strength = 1.0
                - hits
                    .iter()
                    .map(|(_, w, _)| 1.0 - (p.per_match * w).clamp(0.0, 1.0))
                    .product::<f64>();
            if strength < p.min_strength || strength <= 0.0 {
                continue;
            }
            let langs: BTreeSet<String> = hits
                .iter()
                .filter_map(|(_, _, v)| v["lang"].as_str().map(str::to_owned))
                .collect();
            // The example shown in the explanation: the strongest, earliest message.
            let example = hits
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(_, _, v)| v.clone())
                .unwrap_or_default();
            let n = hits.len();
            let matches: Vec<serde_json::Value> =
                hits.iter().take(20).map(|(_, _, v)| v.clone()).collect();
            let mut ev = Evidence::default()
                .records(hits.iter().take(50).map(|(id, _, _)| id.clone()))
                .value("messages", n)
                .value("languages", serde_json::json!(langs))
                .value("matches", serde_json::Value::Array(matches))
                .threshold("per_match", p.per_match)
                .threshold("min_strength", p.min_strength);
            if !negated.is_empty() {
                negated.truncate(10);
                ev = ev.value("negated_matches_ignored", serde_json::Value::Array(negated));
            }
            out.push(Finding {
                subject_id: s.id.clone(),
                id: flag.id().into(),
                detector: SPEC.name.into(),
                strength: strength.min(1.0),
                evidence: ev,
                explanation: explain(flag, n, &example),
            });
        }
        out
    }
}

fn explain(flag: Flag, n: usize, example: &serde_json::Value) -> Text {
    let snip = example["snippet"].as_str().unwrap_or("");
    let lang = example["lang"].as_str().unwrap_or("");
    match flag {
        Flag::OffPlatform => Text::new(
            format!(
                "In {n} message(s) the subject proposed moving communication or payment off the \
                 platform, e.g. \u{201c}{snip}\u{201d} ({lang})."
            ),
            format!(
                "対象者は{n}件のメッセージでプラットフォーム外での取引（連絡手段や支払いの外部への移行）を\
                 提案しています（例：「{snip}」、{}）。",
                lang_ja(lang)
            ),
        ),
        Flag::Crypto => Text::new(
            format!(
                "In {n} message(s) the subject asked to be paid in cryptocurrency or gave crypto \
                 payment details, e.g. \u{201c}{snip}\u{201d} ({lang})."
            ),
            format!(
                "対象者は{n}件のメッセージで暗号資産での支払い要求、または暗号資産の受取情報の提示をしています\
                 （例：「{snip}」、{}）。",
                lang_ja(lang)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(msgs: &[(&str, &str, &str)]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, (sub, dir, text)) in msgs.iter().enumerate() {
            let v = serde_json::json!({"kind":"message","record_id":format!("m{i}"),"subject_id":sub,
                "at":format!("2026-09-01T10:{:02}:00Z", i),"direction":dir,"text":text});
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    fn run(msgs: &[(&str, &str, &str)]) -> Vec<Finding> {
        MessagePatterns::new(Params::default()).run(&ds(msgs))
    }

    #[test]
    fn embedded_patterns_parse() {
        let m = MessagePatterns::new(Params::default());
        assert!(m.pats.len() > 100);
        assert_eq!(m.negations.len(), 4);
    }

    #[test]
    fn fires_on_off_platform_and_crypto_in_four_languages() {
        let f = run(&[
            (
                "u1",
                "from_subject",
                "Let's continue on Telegram, my handle is @dev. You can pay me directly.",
            ),
            (
                "u1",
                "from_subject",
                "報酬はUSDTでお願いします。TRC20のアドレスを送ります。",
            ),
            (
                "u2",
                "from_subject",
                "플랫폼 밖에서 직접 거래하면 수수료가 없습니다.",
            ),
            ("u3", "from_subject", "请加微信，用泰达币付款更方便。"),
        ]);
        let ids: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.subject_id.as_str(), f.id.as_str()))
            .collect();
        assert!(ids.contains(&("u1", "RF-COMMS-OFF-PLATFORM")));
        assert!(ids.contains(&("u1", "RF-PAY-CRYPTO")));
        assert!(ids.contains(&("u2", "RF-COMMS-OFF-PLATFORM")));
        assert!(ids.contains(&("u3", "RF-COMMS-OFF-PLATFORM")));
        assert!(ids.contains(&("u3", "RF-PAY-CRYPTO")));
        let u1 = f
            .iter()
            .find(|f| f.subject_id == "u1" && f.id == "RF-PAY-CRYPTO")
            .unwrap();
        assert_eq!(u1.evidence.values["languages"], serde_json::json!(["ja"]));
        assert!(u1.explanation.ja.contains("暗号資産での支払い要求"));
        let u2 = f.iter().find(|f| f.subject_id == "u2").unwrap();
        assert!(u2.explanation.ja.contains("プラットフォーム外での取引"));
        assert!(
            u2.evidence.values["matches"][0]["snippet"]
                .as_str()
                .unwrap()
                .contains("플랫폼 밖")
        );
    }

    #[test]
    fn client_messages_and_negations_do_not_fire() {
        let f = run(&[
            (
                "u1",
                "to_subject",
                "We use Slack and Telegram internally; pay in USDT is not possible.",
            ),
            (
                "u1",
                "from_subject",
                "I don't use Telegram, let's keep everything on the platform.",
            ),
            (
                "u2",
                "from_subject",
                "テレグラムは使いません。すべてプラットフォーム上でやり取りしましょう。",
            ),
            (
                "u3",
                "from_subject",
                "The method I used was solid; Ethernet cables were fine.",
            ),
            ("u4", "from_subject", "直接取引はしません。"),
            (
                "u5",
                "from_subject",
                "No USDT, bank transfer through the platform only.",
            ),
        ]);
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn latin_edges_of_mixed_patterns_are_word_edges() {
        // 「LINEで」 must not match inside 「onlineで」.
        assert!(run(&[("u1", "from_subject", "明日はonlineで打ち合わせしましょう。")]).is_empty());
        assert_eq!(
            run(&[("u1", "from_subject", "LINEで連絡ください。")]).len(),
            1
        );
    }

    #[test]
    fn a_distant_no_is_not_a_negation() {
        let f = run(&[(
            "u1",
            "from_subject",
            "No fees at all if you pay me directly.",
        )]);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn a_question_is_not_a_negation() {
        let f = run(&[("u1", "from_subject", "テレグラムで連絡しませんか？")]);
        assert_eq!(f.len(), 1);
        let f = run(&[("u1", "from_subject", "Why not move to Telegram?")]);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn extra_patterns_from_the_policy_are_used() {
        let mut p = Params::default();
        p.extra_patterns.push(ExtraPattern {
            flag: Flag::OffPlatform,
            lang: "en".into(),
            pattern: "threema".into(),
            weight: 1.0,
        });
        let f = MessagePatterns::new(p).run(&ds(&[("u1", "from_subject", "Ping me on Threema")]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].strength, 0.5);
    }
}
