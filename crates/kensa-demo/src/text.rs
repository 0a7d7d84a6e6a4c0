//! Free text (bios, messages, reviews) in the languages of the synthetic world.

use crate::rng::Rng;
use crate::world::Lang;

/// A profile bio in the person's language.
pub fn bio(
    lang: Lang,
    title_en: &str,
    title_ja: &str,
    skills: &[String],
    years: i64,
    rng: &mut Rng,
) -> String {
    let s = skills.join(", ");
    match lang {
        Lang::Ja => {
            let v = [
                format!(
                    "{title_ja}として約{years}年の実務経験があります。{s}を使った開発を中心に、要件整理から設計・実装・テストまで一貫して対応できます。丁寧なコミュニケーションと読みやすいコードを心がけています。"
                ),
                format!(
                    "{s}を得意とするエンジニアです。受託開発や自社サービスの開発に{years}年ほど携わってきました。平日の日中はすぐに返信できます。お気軽にご相談ください。"
                ),
            ];
            rng.pick(&v).clone()
        }
        Lang::Ko => format!(
            "{years}년차 개발자입니다. {s} 기반의 웹/모바일 서비스를 주로 개발해 왔습니다. 일정과 커뮤니케이션을 중요하게 생각합니다."
        ),
        Lang::De => format!(
            "{title_en} mit {years} Jahren Berufserfahrung ({s}). Ich arbeite gerne remote mit kleinen Teams, schreibe Tests und dokumentiere sauber."
        ),
        Lang::Pt => format!(
            "Desenvolvedor(a) com {years} anos de experiência em {s}. Trabalho remoto com equipes internacionais, foco em qualidade e prazos."
        ),
        Lang::Zh => {
            format!("{years}年软件开发经验，主要使用{s}。目前在上海，可以配合欧美客户的工作时间。")
        }
        Lang::En => {
            let v = [
                format!(
                    "{title_en} with {years} years of experience ({s}). I care about clear communication, tests and predictable delivery."
                ),
                format!(
                    "I have been building products with {s} for {years} years, mostly for startups and agencies. Happy to join your stand-ups and overlap with your team."
                ),
                format!(
                    "{title_en}. {years}+ years shipping production code in {s}. Previously in-house, freelancing full-time since a few years."
                ),
            ];
            rng.pick(&v).clone()
        }
    }
}

/// Headline for a profile.
pub fn headline(lang: Lang, title_en: &str, title_ja: &str) -> String {
    match lang {
        Lang::Ja => title_ja.to_string(),
        _ => title_en.to_string(),
    }
}

/// A client's message to the worker.
pub fn client_msg(lang: Lang, rng: &mut Rng) -> String {
    let v: &[&str] = match lang {
        Lang::Ja => &[
            "お疲れさまです。昨日のプルリクエスト、レビューコメントを入れましたのでご確認ください。",
            "今日の午後の打ち合わせ、15分ほど後ろにずらせますか？",
            "本番環境でエラーが出ているようです。お手すきの際に見ていただけますか。",
            "今週の進捗を簡単に共有いただけると助かります。",
        ],
        Lang::Ko => &[
            "안녕하세요, 어제 올려주신 PR 리뷰 남겼습니다. 확인 부탁드려요.",
            "오늘 회의 30분 늦춰도 될까요?",
            "이번 주 진행 상황 공유 부탁드립니다.",
        ],
        Lang::De => &[
            "Hallo, ich habe deinen Pull Request kommentiert – kannst du kurz drüberschauen?",
            "Können wir das Meeting heute auf 15 Uhr verschieben?",
            "Kurze Frage zum Deployment: läuft die Migration schon auf Staging?",
        ],
        Lang::Pt => &[
            "Oi! Deixei comentários no PR de ontem, pode dar uma olhada?",
            "Conseguimos falar rapidinho hoje à tarde?",
            "Pode me passar um status da tarefa de pagamentos?",
        ],
        Lang::Zh | Lang::En => &[
            "Hi, I left some review comments on yesterday's PR — can you take a look?",
            "Quick one: can we move today's sync by 30 minutes?",
            "We are seeing errors on production after the last deploy, can you check?",
            "Could you share a short status update for this week?",
            "Are you around for a quick call in the next hour?",
            "Thanks for the fix yesterday. Next up is the export feature, spec is in the ticket.",
        ],
    };
    rng.pick(v).to_string()
}

/// The worker's reply.
pub fn worker_reply(lang: Lang, rng: &mut Rng) -> String {
    let v: &[&str] = match lang {
        Lang::Ja => &[
            "ご確認ありがとうございます。コメントの内容を反映して、本日中に再度プッシュします。",
            "承知しました。15分後ろ倒しで大丈夫です。",
            "確認します。原因がわかり次第ご連絡します。",
            "今週はログイン画面の改修が完了し、現在はAPIのテストを書いています。",
        ],
        Lang::Ko => &[
            "네, 확인하고 오늘 중으로 수정해서 올리겠습니다.",
            "네 괜찮습니다. 그때 뵙겠습니다.",
            "이번 주에는 결제 모듈 리팩터링을 마쳤습니다.",
        ],
        Lang::De => &[
            "Danke, schaue ich mir gleich an und pushe heute noch.",
            "Passt, 15 Uhr geht.",
            "Ja, Migration läuft seit heute Morgen auf Staging.",
        ],
        Lang::Pt => &[
            "Valeu! Vou ajustar e subo ainda hoje.",
            "Consigo sim, às 15h pode ser?",
            "Terminei a integração, agora estou escrevendo os testes.",
        ],
        Lang::Zh | Lang::En => &[
            "Thanks, on it — I'll push an update today.",
            "Sure, works for me.",
            "Checking now, will report back shortly.",
            "This week I finished the auth refactor and I'm writing the API tests now.",
            "Yes, give me 10 minutes.",
            "Done, the fix is deployed to staging. Can you verify?",
        ],
    };
    rng.pick(v).to_string()
}

/// A review text.
pub fn review_text(lang: Lang, rating: u32, rng: &mut Rng) -> String {
    match (lang, rating) {
        (Lang::Ja, 5) => {
            "対応が早く、品質も非常に高かったです。またお願いしたいと思います。".into()
        }
        (Lang::Ja, _) => "おおむね満足です。スケジュール面で少し調整が必要でした。".into(),
        (Lang::Ko, _) => "커뮤니케이션이 원활하고 결과물 품질이 좋았습니다.".into(),
        (Lang::De, _) => "Zuverlässig, gute Kommunikation, saubere Arbeit.".into(),
        (_, 5) => rng
            .pick(&[
                "Excellent work, great communication, will hire again.",
                "Delivered ahead of schedule and the code was well tested.",
                "Very professional and responsive during our working hours.",
            ])
            .to_string(),
        (_, 4) => rng
            .pick(&[
                "Good work overall, a couple of delays but solid quality.",
                "Solid developer, would work with again.",
            ])
            .to_string(),
        _ => "Work was done but communication could be better.".into(),
    }
}
