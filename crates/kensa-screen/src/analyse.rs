//! Turning a name in any supported script into comparable tokens.

use crate::text::{
    CJK_SUFFIXES, cyrillic_greek, is_honorific, is_weak, latin_tokens, loose, skeleton,
};
use crate::translit::{
    Romanisation, han_readings, is_han, is_hangul_syllable, is_kana, kana_to_romaji,
    korean_style_romaji, romanise_syllable,
};
use unicode_normalization::UnicodeNormalization;

/// Where a token form comes from; it names the `how` of an explanation when the form matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Latin,
    Translit,
    Hangul,
    Kana,
    HanKorean,
    HanMandarin,
    HanJapanese,
}

impl Origin {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Origin::Latin => "exact",
            Origin::Translit => "transliteration",
            Origin::Hangul => "hangul",
            Origin::Kana => "kana",
            Origin::HanKorean => "han_korean",
            Origin::HanMandarin => "han_mandarin",
            Origin::HanJapanese => "han_japanese",
        }
    }
}

/// One Latin reading of a token.
#[derive(Debug, Clone)]
pub(crate) struct Form {
    pub raw: String,
    pub skel: String,
    pub loose: String,
    pub origin: Origin,
    /// Whether the loose key may be used (kana renderings of Korean names).
    pub use_loose: bool,
}

impl Form {
    pub(crate) fn new(raw: String, origin: Origin) -> Form {
        let skel = skeleton(&raw);
        let loose = loose(&skel);
        Form {
            raw,
            skel,
            loose,
            origin,
            use_loose: false,
        }
    }
}

/// One token of an analysed name, with its alternative readings.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    /// The token as written (a Hangul syllable, a kana word, a normalised Latin word).
    pub surface: String,
    pub forms: Vec<Form>,
    pub weak: bool,
}

impl Tok {
    pub(crate) fn weight(&self) -> f32 {
        if self.weak { WEAK_WEIGHT } else { 1.0 }
    }
}

/// The weight of a weak token (legal form, function word) relative to an ordinary one.
pub(crate) const WEAK_WEIGHT: f32 = 0.2;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Latin,
    CyrGreek,
    Hangul,
    Kana,
    Han,
    Sep,
}

fn class(c: char) -> Class {
    if is_hangul_syllable(c) {
        Class::Hangul
    } else if is_kana(c) {
        Class::Kana
    } else if is_han(c) {
        Class::Han
    } else if cyrillic_greek(c).is_some() {
        Class::CyrGreek
    } else if c.is_alphanumeric() || matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ' | 'ʻ') {
        Class::Latin
    } else {
        Class::Sep
    }
}

/// Which reading family to use for Han characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HanFamily {
    Korean,
    Mandarin,
    Japanese,
}

/// Analyses a name into one or more token sequences. A name containing Han characters yields
/// one sequence per reading family (Korean, Mandarin, Japanese), so that one name is never read
/// half in one language and half in another.
pub(crate) fn analyse(name: &str) -> Vec<Vec<Tok>> {
    let mut text: String = name.nfkc().collect();
    let mut legal_form = false;
    for s in CJK_SUFFIXES {
        if text.contains(s) {
            text = text.replace(s, " ");
            legal_form = true;
        }
    }
    let mut segments: Vec<(Class, String)> = Vec::new();
    for c in text.chars() {
        let k = class(c);
        if k == Class::Sep {
            segments.push((Class::Sep, String::new()));
            continue;
        }
        match segments.last_mut() {
            Some((last, s)) if *last == k => s.push(c),
            _ => segments.push((k, c.to_string())),
        }
    }
    segments.retain(|(k, _)| *k != Class::Sep);
    let has_han = segments.iter().any(|(k, _)| *k == Class::Han);
    let families: &[Option<HanFamily>] = if has_han {
        &[
            Some(HanFamily::Korean),
            Some(HanFamily::Mandarin),
            Some(HanFamily::Japanese),
        ]
    } else {
        &[None]
    };
    let mut variants = Vec::new();
    for fam in families {
        let mut toks = Vec::new();
        // The same name with every katakana word read as Korean syllables (`キム・ジョンウン`
        // → `gim jeong eun`), when any is: a second variant, compared like Hangul.
        let mut korean_toks: Vec<Tok> = Vec::new();
        let mut read_korean = false;
        for (k, seg) in &segments {
            let before = toks.len();
            match k {
                Class::Latin => latin(seg, Origin::Latin, &mut toks),
                Class::CyrGreek => {
                    let mut t = String::new();
                    for c in seg.chars() {
                        match cyrillic_greek(c) {
                            Some(r) => t.push_str(r),
                            None => t.push(c),
                        }
                    }
                    // Russian adjective endings -iy/-yy are written -y in most Latin spellings.
                    let t = t.replace("iy", "y").replace("yy", "y");
                    latin(&t, Origin::Translit, &mut toks);
                }
                Class::Hangul => {
                    for c in seg.chars() {
                        if let Some(r) = romanise_syllable(c, Romanisation::Revised) {
                            toks.push(Tok {
                                surface: c.to_string(),
                                forms: vec![Form::new(r, Origin::Hangul)],
                                weak: false,
                            });
                        }
                    }
                }
                Class::Kana => {
                    let romaji: String = latin_tokens(&kana_to_romaji(seg)).concat();
                    if romaji.is_empty() {
                        continue;
                    }
                    let korean = korean_style_romaji(&romaji);
                    let mut forms = vec![Form::new(romaji, Origin::Kana)];
                    let mut kf = Form::new(korean, Origin::Kana);
                    kf.use_loose = true;
                    forms.push(kf);
                    toks.push(Tok {
                        surface: seg.clone(),
                        forms,
                        weak: false,
                    });
                }
                Class::Han => {
                    for c in seg.chars() {
                        let mut forms = Vec::new();
                        if let Some(r) = han_readings(c) {
                            let (list, origin, max) = match fam {
                                Some(HanFamily::Korean) | None => (&r.korean, Origin::HanKorean, 2),
                                Some(HanFamily::Mandarin) => (&r.mandarin, Origin::HanMandarin, 2),
                                Some(HanFamily::Japanese) => (&r.japanese, Origin::HanJapanese, 4),
                            };
                            for reading in list.iter().take(max) {
                                forms.push(Form::new(reading.clone(), origin));
                            }
                        }
                        if forms.is_empty() {
                            forms.push(Form::new(c.to_string(), Origin::Latin));
                        }
                        toks.push(Tok {
                            surface: c.to_string(),
                            forms,
                            weak: false,
                        });
                    }
                }
                Class::Sep => {}
            }
            match (k, crate::korkana::korean_readings(seg, 4)) {
                (Class::Kana, Some(syllables)) => {
                    read_korean = true;
                    let surfaces: Vec<char> = seg.chars().collect();
                    for forms in syllables {
                        korean_toks.push(Tok {
                            surface: surfaces.iter().collect(),
                            forms: forms
                                .into_iter()
                                .map(|r| Form::new(r, Origin::Kana))
                                .collect(),
                            weak: false,
                        });
                    }
                }
                _ => korean_toks.extend(toks[before..].iter().cloned()),
            }
        }
        if legal_form {
            let co = Tok {
                surface: "co".into(),
                forms: vec![Form::new("co".into(), Origin::Latin)],
                weak: true,
            };
            toks.push(co.clone());
            korean_toks.push(co);
        }
        variants.push(toks);
        if read_korean {
            variants.push(korean_toks);
        }
    }
    variants
}

fn latin(seg: &str, origin: Origin, toks: &mut Vec<Tok>) {
    for t in latin_tokens(seg) {
        if is_honorific(&t) {
            continue;
        }
        // Abbreviations in company names stand for their word on both sides of a comparison
        // (`Info Tech` is `Information Technology`).
        let t = crate::text::expand_abbreviation(&t).map_or(t, str::to_owned);
        let weak = is_weak(&t);
        toks.push(Tok {
            surface: t.clone(),
            forms: vec![Form::new(t, origin)],
            weak,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_names_have_three_readings() {
        let v = analyse("金正恩");
        assert_eq!(v.len(), 3);
        assert_eq!(
            v[0][0]
                .forms
                .iter()
                .map(|f| f.raw.as_str())
                .collect::<Vec<_>>(),
            vec!["geum", "gim"]
        );
        assert_eq!(v[1][0].forms[0].raw, "jin");
    }

    #[test]
    fn legal_forms_become_weak() {
        let v = analyse("朝鲜贸易株式会社");
        assert!(v[0].last().is_some_and(|t| t.weak));
        let v = analyse("Mr Kim Trading Co., Ltd.");
        let s: Vec<_> = v[0].iter().map(|t| (t.surface.as_str(), t.weak)).collect();
        assert_eq!(
            s,
            vec![
                ("kim", false),
                ("trading", true),
                ("co", true),
                ("ltd", true)
            ]
        );
    }
}
