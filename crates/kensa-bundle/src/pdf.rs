//! The bundle's printable report (`report-en.pdf`, `report-ja.pdf`): what lawyers and
//! investigators read and file, with the fonts embedded so that Japanese renders on any
//! machine (日本語の報告書は CJK フォントを埋め込んだ PDF として出力します).
//!
//! PDF writing and font subsetting are krilla's (typst's PDF stack: only the glyphs used are
//! embedded, with a ToUnicode map so text can be searched and copied); the page layout — a
//! single column of headings, paragraphs and key–value lines, wrapped at spaces and between
//! CJK characters, with closing punctuation kept on its line — is this module's, because the
//! report is simple and a layout engine would cost more build time than the report is long.
//!
//! One font draws both languages: a CJK font carries Latin glyphs too. Kensa looks for one in
//! the usual places (Noto Sans CJK, IPAex/IPA Gothic, Hiragino, Yu Gothic, MS Gothic) or takes
//! `--font` / `KENSA_PDF_FONT`; without one the bundle is exported without PDFs and says so.

use crate::BundleError;
use kensa_model::finding::{SubjectResult, Tier};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use rustybuzz::ttf_parser;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    fn pick<'a>(self, en: &'a str, ja: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }
    /// The file name inside a bundle.
    pub fn file_name(self) -> &'static str {
        self.pick("report-en.pdf", "report-ja.pdf")
    }
}

/// Where fonts with Japanese glyphs usually are (Debian/Ubuntu, Fedora, macOS, Windows), with
/// the face index inside a collection. The first that exists and parses is used.
const FONT_CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 0),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        0,
    ),
    ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 0),
    ("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf", 0),
    ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", 0),
    ("/usr/share/fonts/ipa-gothic/ipag.ttf", 0),
    ("/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc", 0),
    ("/System/Library/Fonts/Hiragino Sans GB.ttc", 0),
    ("C:\\Windows\\Fonts\\YuGothR.ttc", 0),
    ("C:\\Windows\\Fonts\\msgothic.ttc", 0),
];

/// A font to draw the report with.
#[derive(Clone)]
pub struct PdfFont {
    pub path: PathBuf,
    data: Arc<Vec<u8>>,
    index: u32,
}

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PdfFont({})", self.path.display())
    }
}

impl PdfFont {
    /// Reads a font file (TrueType/OpenType, or the first face of a collection) and checks that
    /// it has Japanese glyphs.
    pub fn load(path: &Path, index: u32) -> Result<PdfFont, BundleError> {
        let data = std::fs::read(path).map_err(|source| BundleError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let bad = |reason: &str| BundleError::Font {
            path: path.display().to_string(),
            reason: reason.to_owned(),
        };
        let face = ttf_parser::Face::parse(&data, index)
            .map_err(|e| bad(&format!("not a TrueType/OpenType font ({e})")))?;
        for c in ['検', 'あ', 'ア', 'A'] {
            if face.glyph_index(c).is_none() {
                return Err(bad(&format!(
                    "has no glyph for {c:?}: the Japanese report needs a CJK font (e.g. Noto Sans CJK, IPAexGothic)"
                )));
            }
        }
        Ok(PdfFont {
            path: path.to_owned(),
            data: Arc::new(data),
            index,
        })
    }

    /// The font named by `explicit`, else by `KENSA_PDF_FONT`, else the first usable one of
    /// the usual places; `Ok(None)` when there is none.
    pub fn find(explicit: Option<&Path>) -> Result<Option<PdfFont>, BundleError> {
        if let Some(p) = explicit {
            return PdfFont::load(p, 0).map(Some);
        }
        if let Some(p) = std::env::var_os("KENSA_PDF_FONT").filter(|p| !p.is_empty()) {
            return PdfFont::load(Path::new(&p), 0).map(Some);
        }
        Ok(FONT_CANDIDATES
            .iter()
            .filter(|(p, _)| Path::new(p).is_file())
            .find_map(|(p, i)| PdfFont::load(Path::new(p), *i).ok()))
    }
}

/// What the report says about the export itself.
pub struct PdfMeta<'a> {
    pub exported_by: &'a str,
    pub exported_at: &'a str,
    pub reason: &'a str,
    pub head_seq: i64,
    pub head_hash: &'a str,
    pub subjects: &'a [String],
}

/// One subject's part: its latest result (when it was scanned) and its decisions as logged.
pub struct PdfSubject<'a> {
    pub subject_id: &'a str,
    pub result: Option<&'a SubjectResult>,
    pub decisions: Vec<serde_json::Value>,
    pub records: usize,
}

// ---------------------------------------------------------------------------------------------
// Layout: pages of positioned lines, then drawn.

const PAGE_W: f32 = 595.0; // A4 in points
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;

#[derive(Clone, Copy)]
enum Style {
    Title,
    Heading,
    Sub,
    Body,
    Muted,
}

impl Style {
    fn size(self) -> f32 {
        match self {
            Style::Title => 18.0,
            Style::Heading => 14.0,
            Style::Sub => 11.5,
            Style::Body => BODY,
            Style::Muted => 8.5,
        }
    }
    fn color(self) -> (u8, u8, u8) {
        match self {
            Style::Title | Style::Heading => (20, 40, 90),
            Style::Sub => (30, 30, 30),
            Style::Body => (0, 0, 0),
            Style::Muted => (90, 90, 90),
        }
    }
}

struct Placed {
    x: f32,
    y: f32,
    style: Style,
    text: String,
}

#[derive(Default)]
struct PageLayout {
    lines: Vec<Placed>,
    rules: Vec<f32>,
}

struct Layout<'f> {
    face: ttf_parser::Face<'f>,
    pages: Vec<PageLayout>,
    /// Baseline of the last line placed on the current page.
    y: f32,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// Characters that must not begin a line (kinsoku): they stay with what precedes them.
fn no_line_start(c: char) -> bool {
    "、。，．・：；？！）」』】〕〉》ー…‥,.;:!?)]}%".contains(c)
}

impl<'f> Layout<'f> {
    fn new(face: ttf_parser::Face<'f>) -> Self {
        Layout {
            face,
            pages: vec![PageLayout::default()],
            y: MARGIN,
        }
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        let upem = self.face.units_per_em() as f32;
        s.chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(size * 0.6, |a| a as f32 / upem * size)
            })
            .sum()
    }

    /// Breakable pieces: runs of non-CJK non-space characters, single CJK characters (with any
    /// closing punctuation that follows), and spaces.
    fn tokens(text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut cur = String::new();
        for c in text.chars() {
            if c == ' ' {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(" ".into());
            } else if no_line_start(c) {
                cur.push(c);
            } else if is_cjk(c) {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push(c);
            } else {
                if cur
                    .chars()
                    .last()
                    .is_some_and(|l| is_cjk(l) || no_line_start(l))
                {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push(c);
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }

    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut w = 0.0;
        for t in Self::tokens(text) {
            let tw = self.width(&t, size);
            if w + tw <= max || line.is_empty() && tw <= max {
                if !(line.is_empty() && t == " ") {
                    line.push_str(&t);
                    w += tw;
                }
                continue;
            }
            if t == " " {
                lines.push(std::mem::take(&mut line));
                w = 0.0;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                w = 0.0;
            }
            if tw <= max {
                line.push_str(&t);
                w = tw;
            } else {
                // A piece wider than the line (a hash, a long id): broken by characters.
                for c in t.chars() {
                    let cw = self.width(c.encode_utf8(&mut [0; 4]), size);
                    if w + cw > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        w = 0.0;
                    }
                    line.push(c);
                    w += cw;
                }
            }
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_owned());
        }
        lines
    }

    fn page(&mut self) -> &mut PageLayout {
        self.pages.last_mut().expect("one page at least")
    }

    fn new_page(&mut self) {
        if !self.page().lines.is_empty() {
            self.pages.push(PageLayout::default());
        }
        self.y = MARGIN;
    }

    /// Places a paragraph at indent `x`, wrapped; `gap` points of space before it.
    fn para(&mut self, style: Style, x: f32, gap: f32, text: &str) {
        let size = style.size();
        let lead = size * 1.45;
        let lines = self.wrap(text, size, PAGE_W - MARGIN - x - MARGIN);
        for (i, l) in lines.into_iter().enumerate() {
            let step = lead + if i == 0 { gap } else { 0.0 };
            if self.y + step > PAGE_H - MARGIN - 20.0 {
                self.new_page();
                self.y += size;
            } else {
                self.y += step;
            }
            let y = self.y;
            self.page().lines.push(Placed {
                x: MARGIN + x,
                y,
                style,
                text: l,
            });
        }
    }

    /// A label and its value on one line when it fits (the value wraps under itself).
    fn field(&mut self, label: &str, value: &str) {
        self.para(Style::Body, 0.0, 0.0, &format!("{label}: {value}"));
    }

    fn rule(&mut self) {
        self.y += 6.0;
        let y = self.y;
        self.page().rules.push(y);
    }
}

fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.as_f64().map(fmt_num).unwrap_or_else(|| n.to_string()),
        other => {
            let s = other.to_string();
            if s.chars().count() > 400 {
                format!("{}…", s.chars().take(400).collect::<String>())
            } else {
                s
            }
        }
    }
}

fn lay_out(lay: &mut Layout<'_>, lang: Lang, meta: &PdfMeta<'_>, subjects: &[PdfSubject<'_>]) {
    let t = |en: &'static str, ja: &'static str| lang.pick(en, ja);
    lay.para(
        Style::Title,
        0.0,
        0.0,
        t(
            "Kensa evidence bundle — report",
            "Kensa 証拠パッケージ — 報告書",
        ),
    );
    lay.para(
        Style::Muted,
        0.0,
        2.0,
        t(
            "This report is part of a signed evidence bundle. The bundle's manifest lists the SHA-256 of this file; `kensa bundle verify` checks it, the signature and the chain proof to the log head below.",
            "この報告書は署名付き証拠パッケージの一部です。パッケージのマニフェストにこのファイルの SHA-256 が記載されており、`kensa bundle verify` がそれと署名、下記のログ先頭までのチェーン証明を検証します。",
        ),
    );
    lay.rule();
    lay.field(t("Exported by", "出力者"), meta.exported_by);
    lay.field(t("Exported at", "出力日時"), meta.exported_at);
    lay.field(t("Reason", "理由"), meta.reason);
    lay.field(
        t("Log head at export", "出力時のログ先頭"),
        &format!("#{} {}", meta.head_seq, meta.head_hash),
    );
    lay.field(t("Subjects", "対象者"), &meta.subjects.join(", "));
    for s in subjects {
        lay.new_page();
        let name = s
            .result
            .and_then(|r| r.display_name.as_deref())
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        lay.para(
            Style::Heading,
            0.0,
            0.0,
            &format!("{} {}{name}", t("Subject", "対象者"), s.subject_id),
        );
        lay.rule();
        lay.field(
            t("Records in the bundle", "パッケージ内の記録"),
            &s.records.to_string(),
        );
        let Some(r) = s.result else {
            lay.para(
                Style::Body,
                0.0,
                4.0,
                t(
                    "Not scanned: no result was logged for this subject.",
                    "未スキャン：この対象者の判定結果は記録されていません。",
                ),
            );
            decisions(lay, lang, &s.decisions);
            continue;
        };
        let tier = match lang {
            Lang::En => r.tier.as_str().to_owned(),
            Lang::Ja => r.tier.ja().to_owned(),
        };
        lay.field(
            t("Risk score", "リスクスコア"),
            &format!(
                "{} / 100 ({} {tier}; {} {})",
                fmt_num(r.score),
                t("tier", "区分"),
                t("with no flag", "フラグなしの場合"),
                fmt_num(r.base_score)
            ),
        );
        if r.tier >= Tier::High {
            lay.para(
                Style::Muted,
                0.0,
                0.0,
                t(
                    "A high or critical tier asks for due diligence before any decision; it is not a finding that the person is a North Korean IT worker.",
                    "区分「高」「重大」は判断の前に追加確認（デューデリジェンス）を求めるものであり、本人が北朝鮮IT労働者であるとの認定ではありません。",
                ),
            );
        }
        lay.para(
            Style::Sub,
            0.0,
            8.0,
            &format!("{} ({})", t("Red flags", "レッドフラグ"), r.flags.len()),
        );
        if r.flags.is_empty() {
            lay.para(Style::Body, 8.0, 2.0, t("None.", "なし。"));
        }
        for f in &r.flags {
            let title = kensa_model::catalog::flag(&f.id)
                .map(|i| lang.pick(i.en, i.ja))
                .unwrap_or("");
            lay.para(
                Style::Body,
                8.0,
                6.0,
                &format!(
                    "{} {title}  (+{} {}, {} {}, {} {})",
                    f.id,
                    fmt_num(f.weight),
                    t("points", "点"),
                    t("strength", "強度"),
                    fmt_num(f.strength),
                    t("detector", "検知器"),
                    f.detector
                ),
            );
            let text = lang.pick(&f.explanation.en, &f.explanation.ja);
            lay.para(Style::Body, 20.0, 1.0, text);
            if !f.evidence.thresholds.is_empty() {
                let th: Vec<String> = f
                    .evidence
                    .thresholds
                    .iter()
                    .map(|(k, v)| format!("{k} = {}", value_text(v)))
                    .collect();
                lay.para(
                    Style::Muted,
                    20.0,
                    1.0,
                    &format!("{}: {}", t("Thresholds", "しきい値"), th.join(", ")),
                );
            }
            for (k, v) in &f.evidence.values {
                lay.para(Style::Muted, 20.0, 0.0, &format!("{k}: {}", value_text(v)));
            }
            if !f.evidence.records.is_empty() {
                let shown: Vec<&str> = f
                    .evidence
                    .records
                    .iter()
                    .take(12)
                    .map(String::as_str)
                    .collect();
                let more = f.evidence.records.len().saturating_sub(shown.len());
                lay.para(
                    Style::Muted,
                    20.0,
                    0.0,
                    &format!(
                        "{} ({}): {}{}",
                        t("Records", "記録"),
                        f.evidence.records.len(),
                        shown.join(", "),
                        if more > 0 {
                            format!(
                                " {} {more} {}",
                                t("and", "ほか"),
                                t("more (records.jsonl)", "件（records.jsonl 参照）")
                            )
                        } else {
                            String::new()
                        }
                    ),
                );
            }
        }
        if let Some(items) = r
            .due_diligence
            .as_ref()
            .and_then(|d| d.get("items"))
            .and_then(|i| i.as_array())
            .filter(|i| !i.is_empty())
        {
            lay.para(
                Style::Sub,
                0.0,
                8.0,
                t("Due diligence", "デューデリジェンス（追加確認）"),
            );
            for it in items {
                let s = |k: &str| it.get(k).and_then(|v| v.as_str()).unwrap_or("");
                let status = match (lang, s("status")) {
                    (Lang::Ja, "done") => "完了",
                    (Lang::Ja, "failed") => "不合格",
                    (Lang::Ja, "inconclusive") => "判定不能",
                    (Lang::Ja, "missing") => "未実施",
                    (_, other) => other,
                };
                let req = if it.get("required").and_then(|v| v.as_bool()) == Some(true) {
                    t("required", "必須")
                } else {
                    t("performed", "実施済み")
                };
                let by = it
                    .pointer("/check/by")
                    .and_then(|v| v.as_str())
                    .map(|b| format!(" — {b}"))
                    .unwrap_or_default();
                lay.para(
                    Style::Body,
                    8.0,
                    2.0,
                    &format!(
                        "{} {}: {status} ({req}){by}",
                        s("id"),
                        lang.pick(s("en"), s("ja"))
                    ),
                );
            }
        }
        decisions(lay, lang, &s.decisions);
    }
}

fn decisions(lay: &mut Layout<'_>, lang: Lang, ds: &[serde_json::Value]) {
    let t = |en: &'static str, ja: &'static str| lang.pick(en, ja);
    lay.para(Style::Sub, 0.0, 8.0, t("Decisions", "判断"));
    if ds.is_empty() {
        lay.para(
            Style::Body,
            8.0,
            2.0,
            t("None recorded.", "記録されていません。"),
        );
    }
    for d in ds {
        let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("");
        let mut line = format!(
            "{} {} — {} {} ({})",
            s("at"),
            s("decision"),
            t("by", "判断者"),
            s("by"),
            d.get("tier").and_then(|v| v.as_str()).unwrap_or("-")
        );
        if !s("note").is_empty() {
            line.push_str(&format!(" — {}", s("note")));
        }
        if !s("override_reason").is_empty() {
            line.push_str(&format!(
                " — {}: {}",
                t("override", "手順の省略理由"),
                s("override_reason")
            ));
        }
        lay.para(Style::Body, 8.0, 2.0, &line);
    }
}

/// Renders the report in one language.
pub fn render(
    font: &PdfFont,
    lang: Lang,
    meta: &PdfMeta<'_>,
    subjects: &[PdfSubject<'_>],
) -> Result<Vec<u8>, BundleError> {
    let face = ttf_parser::Face::parse(&font.data, font.index).map_err(|e| BundleError::Font {
        path: font.path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut lay = Layout::new(face);
    lay_out(&mut lay, lang, meta, subjects);
    let kfont =
        Font::new(font.data.clone().into(), font.index).ok_or_else(|| BundleError::Font {
            path: font.path.display().to_string(),
            reason: "the PDF writer cannot read it".into(),
        })?;
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(
                lang.pick(
                    "Kensa evidence bundle — report",
                    "Kensa 証拠パッケージ — 報告書",
                )
                .into(),
            )
            .language(lang.pick("en", "ja").into())
            .creator(format!("Kensa {}", env!("CARGO_PKG_VERSION"))),
    );
    let total = lay.pages.len();
    for (n, p) in lay.pages.iter().enumerate() {
        let mut page = doc.start_page_with(
            PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size"),
        );
        let mut surface = page.surface();
        for &y in &p.rules {
            let mut pb = PathBuilder::new();
            pb.move_to(MARGIN, y);
            pb.line_to(PAGE_W - MARGIN, y);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(170, 170, 170).into(),
                    width: 0.6,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        let mut draw = |x: f32, y: f32, style: Style, text: &str| {
            let (r, g, b) = style.color();
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(r, g, b).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            surface.draw_text(
                Point::from_xy(x, y),
                kfont.clone(),
                style.size(),
                text,
                false,
                TextDirection::LeftToRight,
            );
        };
        for l in &p.lines {
            draw(l.x, l.y, l.style, &l.text);
        }
        let footer = format!(
            "{} — {} {}/{}",
            meta.subjects.join(", "),
            lang.pick("page", "ページ"),
            n + 1,
            total
        );
        draw(MARGIN, PAGE_H - MARGIN + 16.0, Style::Muted, &footer);
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| BundleError::Font {
        path: font.path.display().to_string(),
        reason: format!("writing the PDF failed: {e:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_breaks_between_characters_and_keeps_punctuation_on_its_line() {
        let t = Layout::tokens("この電話番号は、共有されました。OK now");
        assert!(t.contains(&"は、".to_owned()), "{t:?}");
        assert!(t.contains(&"た。".to_owned()), "{t:?}");
        assert!(t.contains(&"OK".to_owned()), "{t:?}");
        assert!(t.contains(&" ".to_owned()));
    }
}
