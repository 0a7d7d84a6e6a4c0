//! RF-COMMS-NO-VIDEO and RF-INTERVIEW-DEEPFAKE — what calls with the subject looked like.
//!
//! **RF-COMMS-NO-VIDEO** (テレビ会議の打ち合わせを拒否する / 面談拒否やカメラを常にオフにする):
//! among the subject's meetings that say anything about video (`video_requested`, `camera_on`
//! or `refused`), a meeting counts as *no video* when the subject refused it, or when the camera
//! stayed off. The flag fires when at least `min_count` meetings were without video and they
//! make at least `min_ratio` of the meetings with video information. Strength grows with both
//! the ratio and the count: `ratio × min(1, count / full_count)`; a refused video *interview*
//! counts `interview_weight` times, since that is where identity is checked.
//!
//! Most workers have one interview, not a series of meetings, so two cases fire on their own
//! (issue 17): a refused video **interview** (strength `refused_interview_strength`), and a
//! meeting with the camera off (or refused) together with the subject's **own excuse** for not
//! showing their face in a message they sent ("my webcam is broken, audio only?",
//! 「カメラが壊れていて」, 「音声のみで」 — the `excuses` phrases; strength `excuse_strength`).
//! The strongest of the three applies.
//!
//! **RF-INTERVIEW-DEEPFAKE** (合成IDやディープフェイクを用いた面接): interviewer observations
//! from a fixed vocabulary (`lip_sync_mismatch`, `face_swap_artifacts`, `audio_video_desync`,
//! `unnatural_blinking`, `background_replaced`, ... — the `observations` parameter) and notes
//! that mention a deepfake in English, Japanese, Korean or Chinese. Strength: `per_observation`
//! per distinct observation, plus the same again per further meeting showing one; a note alone
//! gives `notes_strength`.
//!
//! **A different face after the interview** (RF-INTERVIEW-DEEPFAKE; the person in later meetings
//! is not the person interviewed — a stand-in or a face swap for the interview, FBI PSA
//! I-012325-PSA, January 2025, and the 2025 reports of "proxy interviewees"): when the platform
//! supplies a perceptual hash of the face per meeting (`face_hash`, hex, e.g. a 64-bit pHash),
//! the interview's hash (else the first meeting's) is compared with every later meeting's. A
//! later face whose hash differs in more than `face_max_distance` of the bits (a share, 0.25 by
//! default: the same face under other light or angle stays well below, another person's face
//! near one half) adds `face_change_strength`, plus half again for each further such meeting.
//!
//! False positives: a privacy-minded person may decline one call, or keep the camera off in a
//! large all-hands, and bandwidth fails now and then. One declined call (other than the
//! interview) is below `min_count`, a person who keeps the camera on in the other meetings stays
//! under `min_ratio`, and a camera off once without a refusal or an excuse of their own stays
//! silent; an excuse in a message with no meeting without video is not enough either. A background
//! blur is not in the observation vocabulary (only `background_replaced`, an artefact noted by an
//! interviewer), and notes that deny a deepfake ("no sign of deepfake", 「ディープフェイクの兆候
//! なし」) are ignored.

use crate::{Dataset, Detector, DetectorSpec, Population, SubjectData};
use kensa_model::{Evidence, Finding, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const SPEC: DetectorSpec = DetectorSpec {
    name: "meetings",
    raises: &["RF-COMMS-NO-VIDEO", "RF-INTERVIEW-DEEPFAKE"],
    summary: "refused video or camera off in most meetings, a refused video interview, or camera off with the subject's own excuse (\"my webcam is broken\", 「カメラが壊れて」); interviewer observations and notes of deepfake artefacts",
    false_positives: "one declined call other than the interview, or camera off now and then with camera on in most meetings, stays below min_count/min_ratio; camera off once without refusal or excuse is silent; background blur is not an observation; notes denying a deepfake are ignored",
};

/// Parameters (`[detectors.meetings]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Meetings without video (refused or camera off) needed to fire.
    pub min_count: usize,
    /// Share of the meetings with video information that were without video, needed to fire.
    pub min_ratio: f64,
    /// Count of no-video meetings at which strength stops growing with the count.
    pub full_count: usize,
    /// How many no-video meetings a refused video interview counts as.
    pub interview_weight: f64,
    /// Observation codes that indicate a synthetic face or voice (lower case).
    pub observations: Vec<String>,
    /// Strength per distinct deepfake observation (and per further meeting showing one).
    pub per_observation: f64,
    /// Strength of a deepfake mentioned in notes only.
    pub notes_strength: f64,
    /// Strength of a refused video interview, on its own.
    pub refused_interview_strength: f64,
    /// Strength of a meeting without video together with an excuse of the subject's own.
    pub excuse_strength: f64,
    /// Phrases (lower case; matched inside the subject's own messages) that excuse not showing
    /// one's face.
    pub excuses: Vec<String>,
    /// Share of the bits of two face hashes that must differ for the faces to count as two
    /// people.
    pub face_max_distance: f64,
    /// Strength of a later meeting whose face differs from the interview's.
    pub face_change_strength: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_count: 2,
            min_ratio: 0.5,
            full_count: 4,
            interview_weight: 1.5,
            observations: [
                "lip_sync_mismatch",
                "face_swap_artifacts",
                "audio_video_desync",
                "unnatural_blinking",
                "background_replaced",
                "face_boundary_flicker",
                "voice_changer",
                "synthetic_voice",
                "static_face",
                "virtual_camera",
            ]
            .map(String::from)
            .to_vec(),
            per_observation: 0.6,
            notes_strength: 0.5,
            refused_interview_strength: 0.6,
            excuse_strength: 0.5,
            excuses: DEFAULT_EXCUSES.iter().map(|s| s.to_string()).collect(),
            face_max_distance: 0.25,
            face_change_strength: 0.7,
        }
    }
}

/// Excuses for no video, in English, Japanese, Korean and Chinese.
const DEFAULT_EXCUSES: &[&str] = &[
    "webcam is broken",
    "webcam broken",
    "webcam isn't working",
    "webcam is not working",
    "webcam doesn't work",
    "camera is broken",
    "camera broken",
    "camera isn't working",
    "camera is not working",
    "camera not working",
    "camera doesn't work",
    "camera does not work",
    "can't turn on my camera",
    "cannot turn on my camera",
    "can't turn on the camera",
    "can't use my camera",
    "don't have a camera",
    "don't have a webcam",
    "audio only",
    "audio-only",
    "voice only",
    "voice call only",
    "without video",
    "without camera",
    "without the camera",
    "カメラが壊れ",
    "カメラが故障",
    "カメラが使えな",
    "カメラが映らな",
    "カメラの調子が悪",
    "カメラがない",
    "カメラなしで",
    "カメラはオフで",
    "音声のみ",
    "音声だけで",
    "ビデオなしで",
    "顔出しはできません",
    "顔出しng",
    "카메라가 고장",
    "카메라가 안 ",
    "음성만",
    "摄像头坏",
    "摄像头不能用",
    "只能语音",
    "仅语音",
];

pub struct Meetings(pub Params);

/// Words that name a deepfake in interview notes.
const DEEPFAKE_WORDS: &[&str] = &[
    "deepfake",
    "deep fake",
    "deep-fake",
    "face swap",
    "face-swap",
    "faceswap",
    "synthetic face",
    "ディープフェイク",
    "顔交換",
    "合成映像",
    "딥페이크",
    "深度伪造",
    "换脸",
];

/// Cues that deny what the note mentions.
const DENIALS: &[&str] = &[
    "no sign",
    "no signs",
    "no evidence",
    "no indication",
    "not a deepfake",
    "no deepfake",
    "ruled out",
    "兆候なし",
    "兆候はなし",
    "兆候は見られ",
    "ではない",
    "ありません",
    "없음",
    "아님",
    "没有",
    "不是",
];

/// The Japanese wording of an observation code (the code itself when unknown).
fn observation_ja(code: &str) -> String {
    match code {
        "lip_sync_mismatch" => "口の動きと音声の不一致".into(),
        "face_swap_artifacts" => "顔の差し替えの痕跡".into(),
        "audio_video_desync" => "音声と映像のずれ".into(),
        "unnatural_blinking" => "不自然なまばたき".into(),
        "background_replaced" => "背景の差し替え".into(),
        "face_boundary_flicker" => "顔の輪郭のちらつき".into(),
        "voice_changer" => "ボイスチェンジャーの使用".into(),
        "synthetic_voice" => "合成音声".into(),
        "static_face" => "表情が動かない".into(),
        "virtual_camera" => "仮想カメラの使用".into(),
        other => other.to_owned(),
    }
}

/// The bits of a hex face hash (`None` when it is not hex).
fn face_bits(h: &str) -> Option<Vec<u8>> {
    let h = h.trim();
    let h = h.strip_prefix("0x").unwrap_or(h);
    if h.is_empty() {
        return None;
    }
    h.chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect()
}

/// Share of differing bits between two hex hashes of the same length.
fn face_distance(a: &[u8], b: &[u8]) -> Option<f64> {
    (a.len() == b.len()).then(|| {
        let diff: u32 = a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum();
        f64::from(diff) / (a.len() as f64 * 4.0)
    })
}

/// A face that changed after the interview: (reference meeting, later meetings with another
/// face and their distances, later meetings compared).
struct FaceChange {
    reference: String,
    changed: Vec<(String, f64)>,
    compared: usize,
}

fn face_change(p: &Params, s: &SubjectData) -> Option<FaceChange> {
    let hashed: Vec<(&crate::Rec<kensa_model::record::Meeting>, Vec<u8>)> = s
        .meetings
        .iter()
        .filter_map(|m| Some((m, face_bits(m.r.face_hash.as_deref()?)?)))
        .collect();
    let is_interview = |m: &crate::Rec<kensa_model::record::Meeting>| {
        m.r.meeting_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("interview"))
    };
    let (ri, (rm, rbits)) = hashed
        .iter()
        .enumerate()
        .find(|(_, (m, _))| is_interview(m))
        .or_else(|| hashed.iter().enumerate().next())?;
    let mut compared = 0;
    let mut changed = Vec::new();
    for (m, bits) in hashed.iter().skip(ri + 1) {
        if m.r.at.0 < rm.r.at.0 {
            continue;
        }
        let Some(d) = face_distance(rbits, bits) else {
            continue;
        };
        compared += 1;
        if d > p.face_max_distance {
            changed.push((m.id.clone(), (d * 100.0).round() / 100.0));
        }
    }
    (!changed.is_empty()).then(|| FaceChange {
        reference: rm.id.clone(),
        changed,
        compared,
    })
}

fn notes_mention_deepfake(notes: &str) -> Option<&'static str> {
    let lc = notes.to_lowercase();
    let word = DEEPFAKE_WORDS.iter().find(|w| lc.contains(*w))?;
    if DENIALS.iter().any(|d| lc.contains(d)) {
        return None;
    }
    Some(word)
}

impl Detector for Meetings {
    fn name(&self) -> &'static str {
        SPEC.name
    }
    fn raises(&self) -> &'static [&'static str] {
        SPEC.raises
    }
    fn subject_inputs(&self) -> &'static [&'static str] {
        &["meeting", "message"]
    }
    fn params(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    fn evaluate(&self, _: &Dataset, _: &dyn Population, s: &SubjectData) -> Vec<Finding> {
        self.subject(s)
    }
}

impl Meetings {
    /// Phase 2 for one subject.
    fn subject(&self, s: &SubjectData) -> Vec<Finding> {
        let p = &self.0;
        let mut out = Vec::new();
        // RF-COMMS-NO-VIDEO.
        let mut informed = 0usize;
        let mut without: Vec<&crate::Rec<kensa_model::record::Meeting>> = Vec::new();
        let mut weighted = 0.0;
        let mut refused = 0usize;
        for m in &s.meetings {
            let r = &m.r;
            if r.video_requested.is_none() && r.camera_on.is_none() && r.refused.is_none() {
                continue;
            }
            informed += 1;
            let was_refused = r.refused == Some(true);
            if was_refused || r.camera_on == Some(false) {
                let interview = r.meeting_type.as_deref() == Some("interview");
                weighted += if was_refused && interview {
                    p.interview_weight
                } else {
                    1.0
                };
                refused += usize::from(was_refused);
                without.push(m);
            }
        }
        let count = without.len();
        let ratio = if informed > 0 {
            count as f64 / informed as f64
        } else {
            0.0
        };
        let refused_interviews = without
            .iter()
            .filter(|m| m.r.refused == Some(true) && m.r.meeting_type.as_deref() == Some("interview"))
            .count();
        // The subject's own excuses for no video: (message record, phrase).
        let excuses: Vec<(&str, &str)> = if count == 0 {
            Vec::new()
        } else {
            s.messages
                .iter()
                .filter(|m| m.r.direction == kensa_model::record::Direction::FromSubject)
                .filter_map(|m| {
                    let text = m.r.text.as_deref()?.to_lowercase();
                    let phrase = p.excuses.iter().find(|x| text.contains(x.as_str()))?;
                    Some((m.id.as_str(), phrase.as_str()))
                })
                .collect()
        };
        let by_ratio = (count >= p.min_count && count > 0 && ratio >= p.min_ratio)
            .then(|| (ratio * (weighted / p.full_count.max(1) as f64).min(1.0)).clamp(0.05, 1.0));
        let by_refusal = (refused_interviews > 0).then_some(p.refused_interview_strength);
        let by_excuse = (!excuses.is_empty()).then_some(p.excuse_strength);
        let best = [by_ratio, by_refusal, by_excuse]
            .into_iter()
            .flatten()
            .fold(0.0f64, f64::max);
        if best > 0.0 {
            let strength = best.clamp(0.05, 1.0);
            let pct = (ratio * 100.0).round();
            let mut also_en = String::new();
            let mut also_ja = String::new();
            if refused_interviews > 0 {
                also_en.push_str(" A video interview was refused, where identity is checked.");
                also_ja.push_str("本人確認の場であるビデオ面接が拒否されています。");
            }
            if let Some((_, phrase)) = excuses.first() {
                also_en.push_str(&format!(
                    " The subject excused the missing video in {} message(s) of their own (\"{phrase}\").",
                    excuses.len()
                ));
                also_ja.push_str(&format!(
                    "本人が送ったメッセージ{}件で映像なしの理由を述べています（「{phrase}」）。",
                    excuses.len()
                ));
            }
            out.push(Finding {
                        subject_id: s.id.clone(),
                        id: "RF-COMMS-NO-VIDEO".into(),
                        detector: SPEC.name.into(),
                        strength,
                        evidence: Evidence::default()
                            .records(
                                without
                                    .iter()
                                    .map(|m| m.id.clone())
                                    .chain(excuses.iter().map(|(id, _)| id.to_string())),
                            )
                            .value("meetings_with_video_info", informed)
                            .value("refused_interviews", refused_interviews)
                            .value(
                                "excuses",
                                serde_json::json!(
                                    excuses
                                        .iter()
                                        .map(|(id, ph)| serde_json::json!({"record_id": id, "phrase": ph}))
                                        .collect::<Vec<_>>()
                                ),
                            )
                            .value("without_video", count)
                            .value("refused", refused)
                            .value("camera_off", count - refused)
                            .value("ratio", crate::util::round2(ratio))
                            .threshold("min_count", p.min_count)
                            .threshold("min_ratio", p.min_ratio)
                            .threshold("full_count", p.full_count)
                            .threshold("refused_interview_strength", p.refused_interview_strength)
                            .threshold("excuse_strength", p.excuse_strength),
                        explanation: Text::new(
                            format!(
                                "{count} of {informed} meetings ({pct}%) were without video: \
                                 {refused} refused and {} with the camera off; the thresholds are \
                                 {} meetings and {}%.{also_en}",
                                count - refused,
                                p.min_count,
                                (p.min_ratio * 100.0).round()
                            ),
                            format!(
                                "映像の有無が記録された{informed}件の会議のうち{count}件（{pct}%）が映像なしでした\
                                 （面談拒否{refused}件、カメラオフ{}件）。テレビ会議の打ち合わせを拒否する、\
                                 またはカメラを常にオフにする傾向に当たります。{also_ja}しきい値は{}件かつ{}%です。",
                                count - refused,
                                p.min_count,
                                (p.min_ratio * 100.0).round()
                            ),
                        ),
                    });
        }

        // RF-INTERVIEW-DEEPFAKE.
        let mut obs: BTreeSet<String> = BTreeSet::new();
        let mut obs_meetings: Vec<String> = Vec::new();
        let mut note_meetings: Vec<(String, &'static str)> = Vec::new();
        for m in &s.meetings {
            let found: Vec<String> =
                m.r.observations
                    .iter()
                    .map(|o| o.trim().to_lowercase())
                    .filter(|o| p.observations.contains(o))
                    .collect();
            if !found.is_empty() {
                obs.extend(found);
                obs_meetings.push(m.id.clone());
            } else if let Some(w) = m.r.notes.as_deref().and_then(notes_mention_deepfake) {
                note_meetings.push((m.id.clone(), w));
            }
        }
        let face = face_change(p, s);
        if !obs.is_empty() || !note_meetings.is_empty() || face.is_some() {
            let face_strength = face.as_ref().map_or(0.0, |f| {
                (p.face_change_strength * (1.0 + 0.5 * (f.changed.len() as f64 - 1.0))).min(1.0)
            });
            let seen = if obs.is_empty() && note_meetings.is_empty() {
                0.0
            } else if obs.is_empty() {
                p.notes_strength
            } else {
                p.per_observation * (obs.len() as f64 + (obs_meetings.len() as f64 - 1.0).max(0.0))
                    + if note_meetings.is_empty() {
                        0.0
                    } else {
                        p.notes_strength / 2.0
                    }
            }
            .min(1.0);
            let strength = (1.0 - (1.0 - seen) * (1.0 - face_strength)).clamp(0.05, 1.0);
            let obs_list: Vec<&String> = obs.iter().collect();
            let shown = if obs_list.is_empty() {
                "notes mentioning a deepfake".to_owned()
            } else {
                obs.iter().cloned().collect::<Vec<_>>().join(", ")
            };
            let shown_ja = if obs_list.is_empty() {
                "ディープフェイクに言及したメモ".to_owned()
            } else {
                obs.iter()
                    .map(|o| observation_ja(o))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            let n_meet = obs_meetings.len() + note_meetings.len();
            let (face_en, face_ja) = match &face {
                Some(f) => (
                    format!(
                        " The face in {} of {} later meeting(s) is not the face of the interview \
                         (perceptual hashes {}% apart; over {}% means another person).",
                        f.changed.len(),
                        f.compared,
                        (f.changed.iter().map(|c| c.1).fold(0.0, f64::max) * 100.0).round(),
                        (p.face_max_distance * 100.0).round()
                    ),
                    format!(
                        "面接後の会議{}件のうち{}件で、面接時と別人の顔が映っています\
                         （顔の知覚ハッシュの差{}%。{}%を超えると別人とみなします）。",
                        f.compared,
                        f.changed.len(),
                        (f.changed.iter().map(|c| c.1).fold(0.0, f64::max) * 100.0).round(),
                        (p.face_max_distance * 100.0).round()
                    ),
                ),
                None => (String::new(), String::new()),
            };
            let (lead_en, lead_ja) = if n_meet == 0 {
                (String::new(), String::new())
            } else {
                (
                    format!(
                        "Interviewers recorded signs of a synthetic face or voice in \
                         {n_meet} meeting(s): {shown}."
                    ),
                    format!(
                        "{n_meet}件の会議で、面接官が合成映像・音声の兆候を記録しています（{shown_ja}）。"
                    ),
                )
            };
            let mut finding = Finding {
                        subject_id: s.id.clone(),
                        id: "RF-INTERVIEW-DEEPFAKE".into(),
                        detector: SPEC.name.into(),
                        strength,
                        evidence: Evidence::default()
                            .records(
                                obs_meetings
                                    .iter()
                                    .cloned()
                                    .chain(note_meetings.iter().map(|(id, _)| id.clone()))
                                    .chain(face.iter().flat_map(|f| {
                                        std::iter::once(f.reference.clone())
                                            .chain(f.changed.iter().map(|c| c.0.clone()))
                                    })),
                            )
                            .value("observations", serde_json::json!(obs_list))
                            .value("meetings_with_observations", obs_meetings.len())
                            .value(
                                "notes_mentions",
                                serde_json::json!(
                                    note_meetings
                                        .iter()
                                        .map(|(id, w)| serde_json::json!({"record": id, "term": w}))
                                        .collect::<Vec<_>>()
                                ),
                            )
                            .threshold("per_observation", p.per_observation)
                            .threshold("notes_strength", p.notes_strength)
                            .threshold("face_max_distance", p.face_max_distance)
                            .threshold("face_change_strength", p.face_change_strength),
                        explanation: Text::new(
                            format!("{lead_en}{face_en}").trim().to_owned(),
                            format!(
                                "{lead_ja}{face_ja}合成IDやディープフェイクを用いた面接（または替え玉による面接）の疑いがあります。"
                            ),
                        ),
                    };
            if let Some(f) = &face {
                finding.evidence = finding.evidence.value(
                    "face_change",
                    serde_json::json!({
                        "reference_meeting": f.reference,
                        "later_meetings_compared": f.compared,
                        "different_face": f.changed.iter().map(|(id, d)| serde_json::json!({"record": id, "distance": d})).collect::<Vec<_>>(),
                    }),
                );
            }
            out.push(finding);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetBuilder;
    use kensa_model::validate_value;

    fn ds(meetings: &[serde_json::Value]) -> Dataset {
        ds_with_messages(meetings, &[])
    }

    #[test]
    fn camera_always_off_fires_strongly() {
        let f = Meetings(Params::default()).run(&ds(&[
            serde_json::json!({"subject_id":"u1","meeting_type":"interview","video_requested":true,"refused":true}),
            serde_json::json!({"subject_id":"u1","meeting_type":"standup","camera_on":false}),
            serde_json::json!({"subject_id":"u1","meeting_type":"standup","camera_on":false}),
            serde_json::json!({"subject_id":"u1","meeting_type":"standup","camera_on":false}),
        ]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "RF-COMMS-NO-VIDEO");
        assert_eq!(f[0].strength, 1.0);
        assert_eq!(f[0].evidence.values["refused"], 1);
        assert!(f[0].explanation.ja.contains("カメラを常にオフ"));
    }

    #[test]
    fn privacy_minded_person_declining_one_call_does_not_fire() {
        let f = Meetings(Params::default()).run(&ds(&[
            serde_json::json!({"subject_id":"u2","meeting_type":"intro","video_requested":true,"refused":true}),
            serde_json::json!({"subject_id":"u2","meeting_type":"interview","video_requested":true,"camera_on":true}),
            serde_json::json!({"subject_id":"u2","meeting_type":"standup","camera_on":true}),
            serde_json::json!({"subject_id":"u2","meeting_type":"standup","camera_on":false}),
            serde_json::json!({"subject_id":"u2","meeting_type":"standup","camera_on":true}),
        ]));
        // Two meetings without video out of five: below the ratio.
        assert!(f.is_empty(), "{f:#?}");
    }

    /// Meetings and messages of several subjects in one data set.
    fn ds_with_messages(meetings: &[serde_json::Value], messages: &[serde_json::Value]) -> Dataset {
        let mut b = DatasetBuilder::new();
        for (i, m) in meetings.iter().enumerate() {
            let mut v = m.clone();
            v["kind"] = "meeting".into();
            v["record_id"] = format!("mt{i}").into();
            v["at"] = format!("2026-09-{:02}T10:00:00Z", i + 1).into();
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        for (i, m) in messages.iter().enumerate() {
            let mut v = m.clone();
            v["kind"] = "message".into();
            v["record_id"] = format!("msg{i}").into();
            v["at"] = format!("2026-08-{:02}T10:00:00Z", i + 1).into();
            let v = validate_value(v).unwrap();
            b.add(v.record_id, v.record);
        }
        b.build().0
    }

    /// Issue 17, item 1: one interview is all most workers have. A refused video interview
    /// fires; so does the camera off at the interview with the subject's own excuse (English
    /// or Japanese). The honest person with the camera off once, no refusal and no excuse — and
    /// one who wrote the same words but showed their face — stay silent.
    #[test]
    fn one_refused_interview_or_one_excused_camera_off_fires() {
        let d = ds_with_messages(
            &[
                serde_json::json!({"subject_id":"w1","meeting_type":"interview","video_requested":true,"refused":true}),
                serde_json::json!({"subject_id":"w2","meeting_type":"interview","video_requested":true,"camera_on":false}),
                serde_json::json!({"subject_id":"w3","meeting_type":"interview","video_requested":true,"camera_on":false}),
                serde_json::json!({"subject_id":"h1","meeting_type":"interview","video_requested":true,"camera_on":false}),
                serde_json::json!({"subject_id":"h2","meeting_type":"interview","video_requested":true,"camera_on":true}),
                serde_json::json!({"subject_id":"h3","meeting_type":"interview","video_requested":true,"camera_on":false}),
            ],
            &[
                serde_json::json!({"subject_id":"w2","direction":"from_subject","text":"Sorry, my webcam is broken, audio only?"}),
                serde_json::json!({"subject_id":"w3","direction":"from_subject","text":"申し訳ありません、カメラが壊れていて音声のみで参加します。"}),
                serde_json::json!({"subject_id":"h1","direction":"from_subject","text":"Looking forward to the call tomorrow."}),
                serde_json::json!({"subject_id":"h2","direction":"from_subject","text":"My camera is broken on the old laptop, I'll use my phone."}),
                serde_json::json!({"subject_id":"h3","direction":"to_subject","text":"If your camera is not working, audio only is fine."}),
            ],
        );
        let f = Meetings(Params::default()).run(&d);
        let got: Vec<(&str, f64)> = f
            .iter()
            .filter(|f| f.id == "RF-COMMS-NO-VIDEO")
            .map(|f| (f.subject_id.as_str(), f.strength))
            .collect();
        assert_eq!(got, [("w1", 0.6), ("w2", 0.5), ("w3", 0.5)], "{f:#?}");
        assert_eq!(f[0].evidence.values["refused_interviews"], 1);
        assert!(f[0].explanation.en.contains("video interview was refused"));
        assert!(f[0].explanation.ja.contains("ビデオ面接が拒否"));
        assert_eq!(f[1].evidence.values["excuses"][0]["phrase"], "webcam is broken");
        assert!(f[1].evidence.records.contains(&"msg0".to_string()));
        assert!(f[2].explanation.ja.contains("カメラが壊れ"), "{}", f[2].explanation.ja);
    }

    /// Issue 17 item 8: the face in the stand-ups is not the face of the interview (hashes
    /// half apart) — fires; the honest person whose face hash wobbles by a few bits between
    /// calls (light, angle) stays silent, as do hashes that are not hex.
    #[test]
    fn a_different_face_after_the_interview_fires_and_the_same_face_does_not() {
        let interview = "c3a5f0e1b2d49687";
        let other = "3c5a0f1e4d2b6978"; // every nibble changed: about half of the bits
        let same = "c3a5f0e1b2d49686"; // one bit
        let same2 = "c3a5f0e1b2d59687"; // one bit
        let f = Meetings(Params::default()).run(&ds(&[
            serde_json::json!({"subject_id":"s1","meeting_type":"interview","camera_on":true,"face_hash":interview}),
            serde_json::json!({"subject_id":"s1","meeting_type":"standup","camera_on":true,"face_hash":other}),
            serde_json::json!({"subject_id":"s1","meeting_type":"standup","camera_on":true,"face_phash":other}),
            serde_json::json!({"subject_id":"h1","meeting_type":"interview","camera_on":true,"face_hash":interview}),
            serde_json::json!({"subject_id":"h1","meeting_type":"standup","camera_on":true,"face_hash":same}),
            serde_json::json!({"subject_id":"h1","meeting_type":"standup","camera_on":true,"face_hash":same2}),
            serde_json::json!({"subject_id":"h1","meeting_type":"standup","camera_on":true,"face_hash":"not-a-hash"}),
        ]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].subject_id, "s1");
        assert_eq!(f[0].id, "RF-INTERVIEW-DEEPFAKE");
        assert_eq!(f[0].strength, 1.0);
        let fc = &f[0].evidence.values["face_change"];
        assert_eq!(fc["later_meetings_compared"], 2);
        assert_eq!(fc["different_face"].as_array().unwrap().len(), 2);
        assert!(f[0].explanation.ja.contains("別人の顔"), "{}", f[0].explanation.ja);
        assert!(f[0].explanation.en.starts_with("The face in 2 of 2"), "{}", f[0].explanation.en);
    }

    #[test]
    fn deepfake_observations_fire_and_denials_do_not() {
        let f = Meetings(Params::default()).run(&ds(&[
            serde_json::json!({"subject_id":"u3","meeting_type":"interview","camera_on":true,
                "observations":["lip_sync_mismatch","face_swap_artifacts"]}),
            serde_json::json!({"subject_id":"u4","meeting_type":"interview","camera_on":true,
                "notes":"Checked for deepfake artefacts: no signs, candidate turned sideways on request."}),
            serde_json::json!({"subject_id":"u5","meeting_type":"interview","camera_on":true,
                "notes":"顔の輪郭が揺れていた。ディープフェイクの可能性。"}),
            serde_json::json!({"subject_id":"u6","meeting_type":"interview","camera_on":true,
                "observations":["background_blur"]}),
        ]));
        let ids: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.subject_id.as_str(), f.id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("u3", "RF-INTERVIEW-DEEPFAKE"),
                ("u5", "RF-INTERVIEW-DEEPFAKE")
            ]
        );
        assert_eq!(f[0].strength, 1.0);
        assert_eq!(f[1].strength, 0.5);
        assert!(f[0].explanation.ja.contains("ディープフェイクを用いた面接"));
    }
}
