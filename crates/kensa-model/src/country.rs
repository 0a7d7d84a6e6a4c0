//! Country names for explanations: an ISO 3166-1 alpha-2 code as people read it, in English
//! and Japanese (「US」 means nothing in a Japanese sentence; 「アメリカ合衆国」 does). Codes not
//! in the table are shown as they are.

/// `(code, English, Japanese)`.
const NAMES: &[(&str, &str, &str)] = &[
    ("AE", "the United Arab Emirates", "アラブ首長国連邦"),
    ("AR", "Argentina", "アルゼンチン"),
    ("AU", "Australia", "オーストラリア"),
    ("BD", "Bangladesh", "バングラデシュ"),
    ("BR", "Brazil", "ブラジル"),
    ("BY", "Belarus", "ベラルーシ"),
    ("CA", "Canada", "カナダ"),
    ("CH", "Switzerland", "スイス"),
    ("CN", "China", "中国"),
    ("DE", "Germany", "ドイツ"),
    ("EG", "Egypt", "エジプト"),
    ("ES", "Spain", "スペイン"),
    ("FR", "France", "フランス"),
    ("GB", "the United Kingdom", "イギリス"),
    ("HK", "Hong Kong", "香港"),
    ("ID", "Indonesia", "インドネシア"),
    ("IN", "India", "インド"),
    ("IR", "Iran", "イラン"),
    ("IT", "Italy", "イタリア"),
    ("JP", "Japan", "日本"),
    ("KH", "Cambodia", "カンボジア"),
    ("KP", "North Korea", "北朝鮮"),
    ("KR", "South Korea", "韓国"),
    ("LA", "Laos", "ラオス"),
    ("MN", "Mongolia", "モンゴル"),
    ("MO", "Macao", "マカオ"),
    ("MX", "Mexico", "メキシコ"),
    ("MY", "Malaysia", "マレーシア"),
    ("NG", "Nigeria", "ナイジェリア"),
    ("NL", "the Netherlands", "オランダ"),
    ("PH", "the Philippines", "フィリピン"),
    ("PK", "Pakistan", "パキスタン"),
    ("PL", "Poland", "ポーランド"),
    ("RU", "Russia", "ロシア"),
    ("SG", "Singapore", "シンガポール"),
    ("TH", "Thailand", "タイ"),
    ("TR", "Türkiye", "トルコ"),
    ("TW", "Taiwan", "台湾"),
    ("UA", "Ukraine", "ウクライナ"),
    ("US", "the United States", "アメリカ合衆国"),
    ("VN", "Vietnam", "ベトナム"),
];

/// The English name of a country code (the code itself when unknown).
pub fn en(code: &str) -> String {
    NAMES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
        .map_or_else(|| code.to_owned(), |(_, n, _)| (*n).to_owned())
}

/// The Japanese name of a country code (the code itself when unknown).
pub fn ja(code: &str) -> String {
    NAMES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
        .map_or_else(|| code.to_owned(), |(_, _, n)| (*n).to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_codes_have_names_and_unknown_ones_stay() {
        assert_eq!(super::ja("US"), "アメリカ合衆国");
        assert_eq!(super::en("kp"), "North Korea");
        assert_eq!(super::ja("ZZ"), "ZZ");
        let mut codes: Vec<&str> = super::NAMES.iter().map(|n| n.0).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "one entry per code");
    }
}
