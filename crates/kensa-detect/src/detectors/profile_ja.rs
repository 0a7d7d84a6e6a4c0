//! RF-PROFILE-UNNATURAL-JA — unnatural Japanese in the profile (プロフィール情報に不自然な
//! 日本語表現): signs of machine translation or of a writer whose language is Chinese (or
//! Korean) in the subject's Japanese text.
//!
//! What is measured, in the profile `headline` and `bio` and in the subject's own messages:
//! * **Simplified-Chinese-only characters** inside Japanese text (经验, 软件, 开发 written for
//!   経験, ソフトウェア, 開発). The table [`SIMPLIFIED_ONLY`] holds only characters that no
//!   Japanese character set has (none is in JIS X 0208 or JIS X 0213), so a Japanese IME never
//!   produces them; a Chinese IME does.
//! * **Chinese punctuation habits**: the full-width comma `，` (U+FF0C) in text that ends its
//!   sentences with `。` (Japanese writes `、`), and the full-width semicolon `；`.
//! * **Hangul inside Japanese text**, and **mixed scripts inside one word** (a Latin word with a
//!   Cyrillic or Greek look-alike letter).
//!
//! Missing or odd particles would need a parser; they are not measured.
//!
//! Score: 1 per distinct simplified character, 0.5 per text with the Chinese comma, with hangul
//! or with a mixed-script word, 0.25 per text with `；`. The flag fires at `min_score`, with
//! strength `score / full_score` (at most 1).
//!
//! False positives: natural Japanese has none of these characters. Text that is simply Chinese
//! is not unnatural Japanese: a text counts as Japanese only with at least `min_kana` kana that
//! make at least `min_kana_ratio` of its kana and Han characters. Scientific and legal Japanese
//! writes `，` together with `．`; a text using `．` is not counted for the comma.

use crate::util::snippet;
use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::record::Direction;
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "profile_ja",
    raises: &["RF-PROFILE-UNNATURAL-JA"],
    summary: "simplified-Chinese-only characters, Chinese punctuation, hangul or mixed-script words inside the subject's Japanese profile text and messages",
    false_positives: "natural Japanese has none of the listed characters; Chinese text (no kana) is not judged; Japanese academic style (，with ．) is not counted",
};

/// Simplified Chinese characters that are in no Japanese character set (checked against
/// JIS X 0208 and JIS X 0213), chosen among those common in CVs and work messages.
pub const SIMPLIFIED_ONLY: &str = "经验发软项络设计质专业负责为们这对还过时说现实务产术员报钱银汇转账户线\
应门问间东车长见觉认识让该请谢语话读课试详细统维码级结绍纪约给练习书买卖电脑进远连选动办备处论证护资贸签\
吗够岁亿优势库标页题显历执损换钟简单杂样织组纳际围权环节烦类边变图团头钢铁乐态虽总爱亚传伤伦侧侨俩储兴兰\
农冻净凤创删别剧劝勋华协卫厅压厌县叹哑唤啰圆场块坚坛垒垦尘层屿岗岛币师帐帜带庆庙废张弹强归录彻忆忧怀恳恶\
惯愤戏战扩扫扬扰抚抢拟拢拥择挡挤挥捞掳掷掸揽搀摄摆摇摊撵擞敌敛斋旷昙晓晕暂杀杨枪栈栋栏树桥检欢歼毁毕毙汉\
污汤沦沧泼泽洁浃浆测济浏浑浓涝润涨涩渐渔溃滚满滤滥滨滩灭灿炼烁烂烛烧热焕爷牍牺猎琐畅疗疟疮疯痪瘫盏盐监盘\
矫砖础硕祸秃秆积秽稳穷窍窝窥竖竞笼筛篮粪纠纤纬纯纱纲纵纷纸纹纺驴驶驻驼驾骂骄骆骇骑骗鬓鱼鲁鲜鸟鸡鸣鸭鸿鹅\
鹰齐齿龙龟";

/// Whether `c` is in [`SIMPLIFIED_ONLY`] (binary search in a table sorted once).
pub fn is_simplified_only(c: char) -> bool {
    static TABLE: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut v: Vec<char> = SIMPLIFIED_ONLY.chars().collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .binary_search(&c)
        .is_ok()
}

/// Parameters (`[detectors.profile_ja]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Kana characters a text needs to count as Japanese.
    pub min_kana: usize,
    /// Share of kana among kana and Han characters a text needs to count as Japanese.
    pub min_kana_ratio: f64,
    /// Score at which the flag fires.
    pub min_score: f64,
    /// Score at which strength reaches 1.
    pub full_score: f64,
    /// Also read the subject's own messages (not only the profile).
    pub messages: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_kana: 3,
            min_kana_ratio: 0.1,
            min_score: 1.0,
            full_score: 4.0,
            messages: true,
        }
    }
}

pub struct ProfileJa(pub Params);

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}')
}
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}
fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}
fn is_cyr_or_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{04FF}')
}

/// Whether a text is Japanese: enough kana, and enough of them among the CJK characters.
pub fn is_japanese(text: &str, p: &Params) -> bool {
    let kana = text.chars().filter(|c| is_kana(*c)).count();
    let han = text.chars().filter(|c| is_han(*c)).count();
    kana >= p.min_kana && kana as f64 >= p.min_kana_ratio * (kana + han) as f64
}

/// One offending thing in one text.
#[derive(Debug)]
struct Hit {
    record: String,
    field: &'static str,
    kind: &'static str,
    text: String,
    context: String,
}

/// The signals of one Japanese text: (hits, comma?, semicolon?, hangul?, mixed?).
fn analyse(record: &str, field: &'static str, text: &str, hits: &mut Vec<Hit>) -> [bool; 4] {
    let mut flags = [false; 4];
    let push = |hits: &mut Vec<Hit>, kind, a: usize, b: usize| {
        hits.push(Hit {
            record: record.to_owned(),
            field,
            kind,
            text: text[a..b].to_owned(),
            context: snippet(text, a, b, 8),
        })
    };
    for (i, c) in text.char_indices() {
        let e = i + c.len_utf8();
        if is_han(c) && is_simplified_only(c) {
            push(hits, "simplified_chinese", i, e);
        }
    }
    if text.contains('，') && text.contains('。') && !text.contains('．') {
        let i = text.find('，').unwrap_or(0);
        push(hits, "chinese_comma", i, i + '，'.len_utf8());
        flags[0] = true;
    }
    if let Some(i) = text.find('；') {
        push(hits, "chinese_semicolon", i, i + '；'.len_utf8());
        flags[1] = true;
    }
    if let Some((i, c)) = text.char_indices().find(|(_, c)| is_hangul(*c)) {
        push(hits, "hangul", i, i + c.len_utf8());
        flags[2] = true;
    }
    // A word mixing Latin and Cyrillic/Greek letters ("Dеveloper" with a Cyrillic е).
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphabetic() && !is_han(c) && !is_kana(c) && !is_hangul(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            let w = &text[s..i];
            if w.chars().any(|c| c.is_ascii_alphabetic()) && w.chars().any(is_cyr_or_greek) {
                push(hits, "mixed_script_word", s, i);
                flags[3] = true;
            }
        }
    }
    flags
}

impl Detector for ProfileJa {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["message", "subject"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s).into_iter().collect()
    }
}

impl ProfileJa {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Option<Finding> {
        let p = &self.0;
        let mut texts: Vec<(&str, &'static str, &str)> = Vec::new();
        for pr in &s.profiles {
            if let Some(t) = pr.r.headline.as_deref() {
                texts.push((&pr.id, "headline", t));
            }
            if let Some(t) = pr.r.bio.as_deref() {
                texts.push((&pr.id, "bio", t));
            }
        }
        if p.messages {
            for m in &s.messages {
                if m.r.direction == Direction::FromSubject
                    && let Some(t) = m.r.text.as_deref()
                {
                    texts.push((&m.id, "message", t));
                }
            }
        }
        let mut hits = Vec::new();
        let mut japanese = 0usize;
        let mut counts = [0usize; 4];
        for (rec, field, t) in texts {
            if !is_japanese(t, p) {
                continue;
            }
            japanese += 1;
            let f = analyse(rec, field, t, &mut hits);
            for (c, on) in counts.iter_mut().zip(f) {
                *c += usize::from(on);
            }
        }
        let simplified: BTreeSet<&str> = hits
            .iter()
            .filter(|h| h.kind == "simplified_chinese")
            .map(|h| h.text.as_str())
            .collect();
        let score = simplified.len() as f64
            + 0.5 * counts[0] as f64
            + 0.25 * counts[1] as f64
            + 0.5 * counts[2] as f64
            + 0.5 * counts[3] as f64;
        if hits.is_empty() || score < p.min_score {
            return None;
        }
        let strength = (score / p.full_score.max(1e-9)).clamp(0.05, 1.0);
        let records: BTreeSet<&str> = hits.iter().map(|h| h.record.as_str()).collect();
        let chars: String = simplified.iter().copied().collect::<Vec<_>>().join(", ");
        let chars_ja: String = simplified.iter().copied().collect::<Vec<_>>().join("、");
        let example = hits[0].context.clone();
        let shown: Vec<serde_json::Value> = hits
            .iter()
            .take(30)
            .map(|h| {
                json!({"record": h.record, "field": h.field, "kind": h.kind,
                               "text": h.text, "context": h.context})
            })
            .collect();
        let mut habits_en = Vec::new();
        let mut habits_ja = Vec::new();
        let punct: String = [(counts[0], '，'), (counts[1], '；')]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(_, c)| *c)
            .collect();
        if !punct.is_empty() {
            habits_en.push(format!("Chinese punctuation ({punct})"));
            habits_ja.push(format!("中国語式の句読点（{punct}）"));
        }
        if counts[2] > 0 {
            habits_en.push("hangul".to_owned());
            habits_ja.push("ハングル".to_owned());
        }
        if counts[3] > 0 {
            habits_en.push("words mixing Latin and Cyrillic/Greek letters".to_owned());
            habits_ja.push("ラテン文字とキリル・ギリシャ文字が混在する単語".to_owned());
        }
        let what_en = if simplified.is_empty() {
            habits_en.join(", ")
        } else {
            let mut v = vec![format!(
                "{} simplified-Chinese-only character(s) ({chars})",
                simplified.len()
            )];
            v.extend(habits_en.iter().cloned());
            v.join(", ")
        };
        let what_ja = if simplified.is_empty() {
            habits_ja.join("、")
        } else {
            let mut v = vec![format!(
                "日本語では使われない簡体字{}字（{chars_ja}）",
                simplified.len()
            )];
            v.extend(habits_ja.iter().cloned());
            v.join("、")
        };
        Some(Finding {
            subject_id: s.id.clone(),
            id: "RF-PROFILE-UNNATURAL-JA".into(),
            detector: SPEC.name.into(),
            strength,
            evidence: Evidence::default()
                .records(records.into_iter().map(str::to_owned))
                .value("japanese_texts", japanese)
                .value("simplified_characters", json!(simplified))
                .value("score", crate::util::round2(score))
                .value("hits", serde_json::Value::Array(shown))
                .threshold("min_score", p.min_score)
                .threshold("full_score", p.full_score),
            explanation: Text::new(
                format!(
                    "The subject's Japanese text contains {what_en}, a sign of machine \
                             translation or non-native writing; e.g. \u{201c}{example}\u{201d}."
                ),
                format!(
                    "対象者の日本語の文章に{what_ja}が含まれており、プロフィール情報に不自然な日本語表現\
                             （機械翻訳や非母語話者による作文の可能性）が見られます（例：「{example}」）。"
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(bios: &[(&str, &str)]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, (sub, bio)) in bios.iter().enumerate() {
            let v = json!({"kind":"subject","record_id":format!("p{i}"),"subject_id":sub,
                "source":"freelance_platform","bio":bio});
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    #[test]
    fn simplified_characters_in_japanese_fire() {
        let f = ProfileJa(Params::default()).run(&ds(&[(
            "u1",
            "5年以上の软件开发经验があります，ReactとNode.jsが得意です。よろしくお願いします。",
        )]));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence.values["simplified_characters"],
            json!(["发", "经", "软", "验"])
        );
        assert_eq!(f[0].strength, 1.0);
        assert!(f[0].explanation.ja.contains("簡体字4字"));
        assert!(f[0].explanation.ja.contains("不自然な日本語表現"));
    }

    #[test]
    fn natural_japanese_chinese_and_academic_style_do_not_fire() {
        let f = ProfileJa(Params::default()).run(&ds(&[
            (
                "u1",
                "5年以上のソフトウェア開発経験があります。ReactとNode.jsが得意です。",
            ),
            ("u2", "我有五年以上的软件开发经验，擅长React和Node.js。"),
            (
                "u3",
                "本研究では，深層学習を用いた手法を提案する．実験により有効性を確認した．",
            ),
            ("u4", "会社の後輩と与えられた課題に取り組みました。"),
        ]));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn the_table_has_no_character_japanese_uses() {
        // Characters that look simplified but are standard Japanese must never be in the table.
        for c in "会与后国学体号区台万写准数据开个从".chars() {
            assert!(!is_simplified_only(c), "{c} is used in Japanese");
        }
        assert!(is_simplified_only('经') && is_simplified_only('龟'));
    }
}
