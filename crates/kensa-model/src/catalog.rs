//! The catalogue of `domain/red-flags.md`: every red flag (`RF-...`) and due-diligence measure
//! (`DD-...`), with the English signal and the Japanese government wording, plus Kensa's own
//! ids (`KX-...`) for detections that support catalogue flags.

/// One catalogue item.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub id: &'static str,
    pub en: &'static str,
    pub ja: &'static str,
}

const fn item(id: &'static str, en: &'static str, ja: &'static str) -> Item {
    Item { id, en, ja }
}

/// Section A: red flags in data a platform or employer already holds.
pub const RF: &[Item] = &[
    item(
        "RF-LOGIN-MULTI-IP",
        "Many logins to one account from many IP addresses in a short period",
        "比較的短期間に様々なIPアドレスから単一の口座への多数のログイン",
    ),
    item(
        "RF-LOGIN-MULTI-COUNTRY",
        "Logins from IP addresses in several countries",
        "特にそのIPアドレスが様々な国に関係している場合",
    ),
    item(
        "RF-LOGIN-IMPOSSIBLE-TRAVEL",
        "Consecutive logins whose distance and time are physically impossible",
        "物理的に不可能な移動を伴う連続ログイン",
    ),
    item(
        "RF-NET-ANONYMIZER",
        "Access through VPN, VPS/hosting, proxies or purchased third-country IPs",
        "VPNやVPS、購入された第三国のIPアドレスを使った接続元の偽装",
    ),
    item(
        "RF-PAY-FREQUENT-TRANSFER",
        "Frequent transfers of funds through payment platforms",
        "支払いプラットフォームを通じての頻繁な資金移転",
    ),
    item(
        "RF-PAY-PRC-BANK",
        "Transfers to bank accounts in the People's Republic of China",
        "中華人民共和国（PRC）にある銀行口座への送金",
    ),
    item(
        "RF-PAY-CRYPTO",
        "Asks to be paid in cryptocurrency",
        "暗号資産での支払い要求",
    ),
    item(
        "RF-PAY-THIRD-PARTY",
        "Fees received through someone else's account",
        "第三者の口座を経由した報酬受取",
    ),
    item(
        "RF-PAY-NAME-MISMATCH",
        "Account holder name and payout account name differ",
        "アカウント名義と報酬口座名義の不一致",
    ),
    item(
        "RF-PAY-ACCOUNT-CHANGED",
        "Payout account changed mid-contract, repeatedly",
        "報酬口座が途中で何度も変更される",
    ),
    item(
        "RF-PAY-UNDERPRICED",
        "Abnormally low rates",
        "報酬が異常に安い",
    ),
    item(
        "RF-PROFILE-INCONSISTENT",
        "Name, nationality, location, contacts, education or work history differ between sources",
        "氏名のつづり方、国籍、仕事場所、連絡先、学歴、職歴の不一致",
    ),
    item(
        "RF-PROFILE-UNNATURAL-JA",
        "Unnatural Japanese in the profile",
        "プロフィール情報に不自然な日本語表現",
    ),
    item(
        "RF-ID-FORGED",
        "Forged or borrowed identity documents",
        "偽造または盗用された身元確認書類",
    ),
    item(
        "RF-AVAIL-OFF-HOURS",
        "Cannot work in the required hours; unreachable in real time",
        "要求された業務時間内に業務を行えない、即時に連絡が取れない",
    ),
    item(
        "RF-COMMS-NO-VIDEO",
        "Refuses video meetings, camera always off",
        "面談拒否やカメラを常にオフにする",
    ),
    item(
        "RF-COMMS-OFF-PLATFORM",
        "Proposes to move work or payment off the platform",
        "プラットフォーム外での取引を提案する",
    ),
    item(
        "RF-REVIEW-MANIPULATION",
        "High ratings written by fake accounts of the same operator",
        "複数の偽アカウントを作成して自作自演の評価",
    ),
    item(
        "RF-LINK-SHARED-IDENTITY",
        "One name or IP operating several accounts",
        "同一名義・IPから複数アカウントの操作",
    ),
    item(
        "RF-SHIP-ADDRESS",
        "Cannot receive goods at the address on the identity document",
        "身元確認書類にある住所で品物を受け取れない",
    ),
    item(
        "RF-ACCESS-BULK",
        "Accesses a large volume of confidential data in a short time",
        "短期間に大量の機密データへアクセス",
    ),
    item(
        "RF-ACCESS-FOREIGN",
        "Abnormal communication with overseas IPs",
        "海外IPへの異常通信",
    ),
    item(
        "RF-INTERVIEW-DEEPFAKE",
        "Synthetic ID or deepfake in interviews",
        "合成IDやディープフェイクを用いた面接",
    ),
    item(
        "RF-HISTORY-SKEWED",
        "Suspicious ratings or work history concentrated in one industry",
        "技術レビューでの高評価偽装、業界偏重の職歴",
    ),
    item(
        "RF-SANCTIONED",
        "Person, company, bank or wallet on a sanctions list",
        "米国と国連（UN）権限下での制裁対象",
    ),
];

/// Section B: due-diligence measures an organisation performs and records.
pub const DD: &[Item] = &[
    item(
        "DD-VERIFY-DIRECT",
        "Confirm employers and schools directly",
        "提出書類の連絡先を使わずに雇用主・学校へ直接確認",
    ),
    item(
        "DD-ID-DOC-INSPECT",
        "Inspect identity documents for forgery and edits",
        "身元確認書類の偽造・改ざん・画像加工の有無を確認",
    ),
    item(
        "DD-VIDEO-INTERVIEW",
        "Camera-on video interview as an identity check",
        "顔出しありのビデオ面接",
    ),
    item(
        "DD-BACKGROUND-BIOMETRIC",
        "Background check; biometric login",
        "雇用前身元調査や生体認証によるログイン",
    ),
    item(
        "DD-BANK-MATCH",
        "Avoid crypto; confirm the bank account is in the person's name",
        "暗号資産での支払いを避け、口座名義と本人名義の一致を確認",
    ),
    item(
        "DD-CONSISTENCY",
        "Cross-check profile, social media, portfolio, payment account, location and hours",
        "プロフィール・SNS・ポートフォリオ・支払口座・所在地・勤務時間の一致を確認",
    ),
    item(
        "DD-SHIP-TO-ID",
        "Ship goods to the address on the identity document",
        "身元確認書類の住所へ品物を送付",
    ),
    item(
        "DD-REVIEW-AUDIT",
        "Analyse reviewers: registration dates, tendencies, shared IPs",
        "レビューアカウントの登録日や傾向を分析",
    ),
    item(
        "DD-PAYMENT-RECHECK",
        "Re-verify after a payout-account change; keep records of crypto requests",
        "口座変更時の再確認、暗号資産要求の記録保全",
    ),
    item(
        "DD-LEAST-ACCESS",
        "Separate work from confidential data; revoke access; review access logs",
        "業務フォルダと機密データの分離、契約終了時のアカウント削除、アクセスログの確認",
    ),
    item(
        "DD-EVIDENCE-PRESERVE",
        "Preserve devices, accounts and logs for investigators",
        "端末・アカウント・ログ等の操作を避け、データを保持",
    ),
    item(
        "DD-REPORT",
        "Know and meet reporting obligations",
        "個人情報保護委員会など特定の機関への報告",
    ),
];

/// Kensa's own ids: specific detections documented here, each supporting catalogue flags.
/// (Detections that support a catalogue flag normally use that flag's id with a `detector`
/// field; these ids exist for signals that are evidence for several flags at once.)
pub const KENSA: &[(Item, &[&str])] = &[
    // --- policy ---
    (
        item(
            "KX-POLICY-INTERACTION",
            "Policy interaction: red flags that weigh more together than apart",
            "ポリシーの相互作用：同時に現れると重みが増すレッドフラグの組み合わせ",
        ),
        &[],
    ),
    (
        item(
            "KX-CUSTOM-RULE",
            "A custom rule of the policy holds (CEL expression written by the user)",
            "ポリシーのカスタムルール（利用者が記述したCEL式）が成立",
        ),
        &[],
    ),
    // --- end policy ---
    (
        item(
            "KX-CONTACT-DISPOSABLE-EMAIL",
            "Disposable (throw-away) e-mail address in the profile",
            "プロフィールに使い捨てメールアドレス",
        ),
        &["RF-PROFILE-INCONSISTENT", "RF-LINK-SHARED-IDENTITY"],
    ),
    // --- login, network, availability, access, endpoint ---
    (
        item(
            "KX-ENDPOINT-REMOTE-ACCESS",
            "Remote-access tool (AnyDesk, TeamViewer, Chrome Remote Desktop...) on the work device",
            "業務端末上の遠隔操作ツール（AnyDesk、TeamViewer、Chromeリモートデスクトップ等）",
        ),
        &["RF-LINK-SHARED-IDENTITY", "RF-NET-ANONYMIZER"],
    ),
    (
        item(
            "KX-ENDPOINT-IP-KVM",
            "IP-KVM device (PiKVM, TinyPilot, JetKVM...) attached to the work device",
            "業務端末に接続されたIP-KVM機器（PiKVM、TinyPilot、JetKVM等）",
        ),
        &["RF-LINK-SHARED-IDENTITY"],
    ),
    (
        item(
            "KX-ENDPOINT-VPN-CLIENT",
            "Consumer VPN client (Astrill...) on the work device",
            "業務端末上の個人向けVPNクライアント（Astrill等）",
        ),
        &["RF-NET-ANONYMIZER"],
    ),
    (
        item(
            "KX-ENDPOINT-MOUSE-JIGGLER",
            "Mouse jiggler simulating presence on the work device",
            "業務端末上で在席を装うマウスジグラー",
        ),
        &["RF-AVAIL-OFF-HOURS"],
    ),
    // --- end login, network, availability, access, endpoint ---
    // --- pay ---
    (
        item(
            "KX-CONTACT-VOIP-PHONE",
            "VoIP (virtual) phone number in the profile",
            "プロフィールにVoIP（仮想）電話番号",
        ),
        &["RF-PROFILE-INCONSISTENT", "RF-LINK-SHARED-IDENTITY"],
    ),
    (
        item(
            "KX-CONTACT-PHONE-COUNTRY",
            "Phone number of another country than the claimed one",
            "申告した所在国と異なる国の電話番号",
        ),
        &["RF-PROFILE-INCONSISTENT"],
    ),
    (
        item(
            "KX-CONTACT-FREQUENT-CHANGES",
            "E-mail addresses or phone numbers replaced repeatedly",
            "メールアドレスや電話番号の度重なる変更",
        ),
        &["RF-PROFILE-INCONSISTENT"],
    ),
    // --- end pay ---
];

/// Looks up a red flag.
pub fn rf(id: &str) -> Option<&'static Item> {
    RF.iter().find(|i| i.id == id)
}

/// Looks up a due-diligence measure.
pub fn dd(id: &str) -> Option<&'static Item> {
    DD.iter().find(|i| i.id == id)
}

/// Looks up any flag id a detector may raise: a catalogue red flag or a Kensa id.
pub fn flag(id: &str) -> Option<&'static Item> {
    rf(id).or_else(|| KENSA.iter().map(|(i, _)| i).find(|i| i.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for i in RF.iter().chain(DD).chain(KENSA.iter().map(|(i, _)| i)) {
            assert!(seen.insert(i.id), "duplicate {}", i.id);
            assert!(!i.en.is_empty() && !i.ja.is_empty());
        }
        assert_eq!(RF.len(), 25);
        assert_eq!(DD.len(), 12);
    }
}
