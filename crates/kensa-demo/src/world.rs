//! Static reference data for the synthetic world: countries, cities, invented name pools, banks,
//! skills and market rates. Names are common given/family names combined at random: no record
//! describes a real person.

/// Language a person writes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
    Ko,
    De,
    Pt,
    Zh,
}

impl Lang {
    /// BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::Ko => "ko",
            Lang::De => "de",
            Lang::Pt => "pt",
            Lang::Zh => "zh",
        }
    }
}

/// A city where people live, with the ISP range that serves it.
pub struct City {
    pub name: &'static str,
    pub region: &'static str,
    pub tz: &'static str,
    pub net: &'static str,
    /// Area code or city prefix for phone numbers.
    pub phone_area: &'static str,
    pub streets: &'static [&'static str],
}

/// A bank: name, BIC and the national bank code used inside the BBAN (IBAN countries).
pub struct Bank {
    pub name: &'static str,
    pub bic: &'static str,
    pub code: &'static str,
}

/// Everything country-specific.
pub struct Country {
    pub cc: &'static str,
    /// ICAO 9303 code of the issuing state / nationality (`D` for Germany, per Doc 9303).
    pub icao: &'static str,
    pub currency: &'static str,
    /// Units of `currency` per USD (approximate, fixed for the demo).
    pub fx: f64,
    /// Typical freelance rate relative to the US market.
    pub rate_factor: f64,
    /// Whether the platform quotes this market's rates in the local currency (else USD).
    pub local_rates: bool,
    pub lang: Lang,
    pub cities: &'static [City],
    pub mobile_net: Option<&'static str>,
    pub given_m: &'static [(&'static str, &'static str)],
    pub given_f: &'static [(&'static str, &'static str)],
    pub family: &'static [(&'static str, &'static str)],
    pub banks: &'static [Bank],
    pub iban_country: bool,
    pub email_domains: &'static [&'static str],
    pub phone_cc: &'static str,
}

const US_STREETS: &[&str] = &["Maple Ave", "Oak St", "Pine St", "Cedar Ln", "Lakeview Dr", "Washington Ave", "Park Pl", "Elm St", "Sunset Blvd", "Highland Ave"];

pub const COUNTRIES: &[Country] = &[
    Country {
        cc: "US", icao: "USA", currency: "USD", fx: 1.0, rate_factor: 1.0, local_rates: false, lang: Lang::En,
        cities: &[
            City { name: "Seattle", region: "WA", tz: "America/Los_Angeles", net: "us_seattle", phone_area: "206", streets: US_STREETS },
            City { name: "Houston", region: "TX", tz: "America/Chicago", net: "us_houston", phone_area: "713", streets: US_STREETS },
            City { name: "Chicago", region: "IL", tz: "America/Chicago", net: "us_chicago", phone_area: "312", streets: US_STREETS },
            City { name: "New York", region: "NY", tz: "America/New_York", net: "us_newyork", phone_area: "212", streets: US_STREETS },
            City { name: "Phoenix", region: "AZ", tz: "America/Phoenix", net: "us_phoenix", phone_area: "602", streets: US_STREETS },
        ],
        mobile_net: Some("us_tmobile"),
        given_m: &[("James", ""), ("Michael", ""), ("David", ""), ("Daniel", ""), ("Ryan", ""), ("Kevin", ""), ("Brian", ""), ("Jason", ""), ("Tyler", ""), ("Andrew", ""), ("Marcus", ""), ("Luis", ""), ("Carlos", ""), ("Ethan", ""), ("Nathan", ""), ("Robert", "")],
        given_f: &[("Emily", ""), ("Sarah", ""), ("Jessica", ""), ("Ashley", ""), ("Megan", ""), ("Rachel", ""), ("Lauren", ""), ("Maria", ""), ("Olivia", ""), ("Hannah", ""), ("Nicole", ""), ("Priya", ""), ("Danielle", "")],
        family: &[("Smith", ""), ("Johnson", ""), ("Miller", ""), ("Davis", ""), ("Garcia", ""), ("Rodriguez", ""), ("Wilson", ""), ("Anderson", ""), ("Thomas", ""), ("Taylor", ""), ("Moore", ""), ("Martin", ""), ("Jackson", ""), ("Thompson", ""), ("White", ""), ("Harris", ""), ("Clark", ""), ("Lewis", ""), ("Walker", ""), ("Young", ""), ("Allen", ""), ("Nguyen", ""), ("Patel", ""), ("Brooks", ""), ("Reed", ""), ("Carter", "")],
        banks: &[
            Bank { name: "JPMorgan Chase Bank", bic: "CHASUS33", code: "021000021" },
            Bank { name: "Bank of America", bic: "BOFAUS3N", code: "026009593" },
            Bank { name: "Wells Fargo Bank", bic: "WFBIUS6S", code: "121000248" },
            Bank { name: "Citibank", bic: "CITIUS33", code: "021000089" },
        ],
        iban_country: false, email_domains: &["gmail.com", "outlook.com", "yahoo.com", "icloud.com"], phone_cc: "+1",
    },
    Country {
        cc: "JP", icao: "JPN", currency: "JPY", fx: 150.0, rate_factor: 0.85, local_rates: true, lang: Lang::Ja,
        cities: &[City { name: "Tokyo", region: "Tokyo", tz: "Asia/Tokyo", net: "jp_tokyo", phone_area: "3", streets: &["Nishi-Shinjuku, Shinjuku-ku", "Ebisu, Shibuya-ku", "Kichijoji-Honcho, Musashino-shi", "Nakameguro, Meguro-ku", "Shibaura, Minato-ku", "Koenji-Kita, Suginami-ku"] }],
        mobile_net: Some("jp_softbank"),
        given_m: &[("Haruto", "陽翔"), ("Ren", "蓮"), ("Takumi", "拓海"), ("Daiki", "大輝"), ("Kenta", "健太"), ("Shota", "翔太"), ("Yuta", "裕太"), ("Kazuki", "一樹"), ("Ryo", "亮"), ("Naoki", "直樹"), ("Hiroshi", "浩"), ("Tsubasa", "翼")],
        given_f: &[("Yui", "結衣"), ("Aoi", "葵"), ("Misaki", "美咲"), ("Haruka", "遥"), ("Sakura", "さくら"), ("Yuka", "由佳"), ("Ayaka", "彩花"), ("Nanami", "七海"), ("Mai", "舞"), ("Rina", "里奈")],
        family: &[("Sato", "佐藤"), ("Suzuki", "鈴木"), ("Takahashi", "高橋"), ("Tanaka", "田中"), ("Watanabe", "渡辺"), ("Ito", "伊藤"), ("Yamamoto", "山本"), ("Nakamura", "中村"), ("Kobayashi", "小林"), ("Kato", "加藤"), ("Yoshida", "吉田"), ("Yamada", "山田"), ("Sasaki", "佐々木"), ("Matsumoto", "松本"), ("Inoue", "井上"), ("Kimura", "木村"), ("Hayashi", "林"), ("Shimizu", "清水")],
        banks: &[
            Bank { name: "MUFG Bank", bic: "BOTKJPJT", code: "0005" },
            Bank { name: "Sumitomo Mitsui Banking Corporation", bic: "SMBCJPJT", code: "0009" },
            Bank { name: "Mizuho Bank", bic: "MHCBJPJT", code: "0001" },
            Bank { name: "Japan Post Bank", bic: "JPPSJPJ1", code: "9900" },
        ],
        iban_country: false, email_domains: &["gmail.com", "yahoo.co.jp", "icloud.com", "outlook.jp"], phone_cc: "+81",
    },
    Country {
        cc: "KR", icao: "KOR", currency: "KRW", fx: 1380.0, rate_factor: 0.7, local_rates: false, lang: Lang::Ko,
        cities: &[City { name: "Seoul", region: "Seoul", tz: "Asia/Seoul", net: "kr_seoul", phone_area: "10", streets: &["Teheran-ro, Gangnam-gu", "Yanghwa-ro, Mapo-gu", "Olympic-ro, Songpa-gu", "Sejong-daero, Jung-gu", "World Cup buk-ro, Mapo-gu"] }],
        mobile_net: None,
        given_m: &[("Min-jun", "민준"), ("Seo-jun", "서준"), ("Ji-hoon", "지훈"), ("Hyun-woo", "현우"), ("Jae-won", "재원"), ("Dong-hyun", "동현"), ("Sung-min", "성민"), ("Tae-yang", "태양")],
        given_f: &[("Seo-yeon", "서연"), ("Ji-woo", "지우"), ("Ha-eun", "하은"), ("Min-seo", "민서"), ("Soo-ah", "수아"), ("Ye-jin", "예진"), ("Eun-ji", "은지")],
        family: &[("Kim", "김"), ("Lee", "이"), ("Park", "박"), ("Choi", "최"), ("Jung", "정"), ("Kang", "강"), ("Cho", "조"), ("Yoon", "윤"), ("Jang", "장"), ("Lim", "임"), ("Han", "한"), ("Shin", "신")],
        banks: &[
            Bank { name: "Shinhan Bank", bic: "SHBKKRSE", code: "088" },
            Bank { name: "Kookmin Bank", bic: "CZNBKRSE", code: "004" },
            Bank { name: "Woori Bank", bic: "HVBKKRSE", code: "020" },
        ],
        iban_country: false, email_domains: &["naver.com", "gmail.com", "daum.net", "kakao.com"], phone_cc: "+82",
    },
    Country {
        cc: "DE", icao: "D", currency: "EUR", fx: 0.92, rate_factor: 0.9, local_rates: false, lang: Lang::De,
        cities: &[City { name: "Berlin", region: "Berlin", tz: "Europe/Berlin", net: "de_berlin", phone_area: "30", streets: &["Kastanienallee", "Schönhauser Allee", "Bergmannstraße", "Warschauer Straße", "Sonnenallee", "Torstraße", "Karl-Marx-Allee"] }],
        mobile_net: None,
        given_m: &[("Lukas", ""), ("Jonas", ""), ("Felix", ""), ("Maximilian", ""), ("Leon", ""), ("Tobias", ""), ("Florian", ""), ("Jan", ""), ("Moritz", ""), ("Niklas", "")],
        given_f: &[("Anna", ""), ("Lena", ""), ("Laura", ""), ("Julia", ""), ("Sophie", ""), ("Katharina", ""), ("Marie", ""), ("Hannah", "")],
        family: &[("Müller", ""), ("Schmidt", ""), ("Schneider", ""), ("Fischer", ""), ("Weber", ""), ("Meyer", ""), ("Wagner", ""), ("Becker", ""), ("Schulz", ""), ("Hoffmann", ""), ("Koch", ""), ("Richter", ""), ("Klein", ""), ("Wolf", ""), ("Neumann", "")],
        banks: &[
            Bank { name: "Deutsche Bank", bic: "DEUTDEBBXXX", code: "10070000" },
            Bank { name: "Commerzbank", bic: "COBADEBBXXX", code: "10040000" },
            Bank { name: "Berliner Sparkasse", bic: "BELADEBEXXX", code: "10050000" },
        ],
        iban_country: true, email_domains: &["gmail.com", "gmx.de", "web.de", "posteo.de"], phone_cc: "+49",
    },
    Country {
        cc: "GB", icao: "GBR", currency: "GBP", fx: 0.79, rate_factor: 0.9, local_rates: false, lang: Lang::En,
        cities: &[City { name: "London", region: "England", tz: "Europe/London", net: "gb_london", phone_area: "7700", streets: &["Holloway Road", "Mare Street", "Rye Lane", "Kingsland Road", "Brixton Hill", "Camden Road", "Streatham High Road"] }],
        mobile_net: None,
        given_m: &[("Oliver", ""), ("Harry", ""), ("George", ""), ("Jack", ""), ("Thomas", ""), ("William", ""), ("Samuel", ""), ("Joseph", "")],
        given_f: &[("Amelia", ""), ("Charlotte", ""), ("Sophie", ""), ("Emily", ""), ("Grace", ""), ("Lucy", ""), ("Chloe", "")],
        family: &[("Smith", ""), ("Jones", ""), ("Williams", ""), ("Taylor", ""), ("Brown", ""), ("Davies", ""), ("Evans", ""), ("Wilson", ""), ("Roberts", ""), ("Walker", ""), ("Wright", ""), ("Hughes", ""), ("Green", ""), ("Hall", ""), ("Clarke", "")],
        banks: &[
            Bank { name: "Barclays Bank", bic: "BARCGB22", code: "BARC" },
            Bank { name: "HSBC UK Bank", bic: "HBUKGB4B", code: "HBUK" },
            Bank { name: "Lloyds Bank", bic: "LOYDGB2L", code: "LOYD" },
        ],
        iban_country: true, email_domains: &["gmail.com", "outlook.com", "btinternet.com", "icloud.com"], phone_cc: "+44",
    },
    Country {
        cc: "IN", icao: "IND", currency: "INR", fx: 84.0, rate_factor: 0.35, local_rates: false, lang: Lang::En,
        cities: &[City { name: "Bengaluru", region: "Karnataka", tz: "Asia/Kolkata", net: "in_jio", phone_area: "9", streets: &["Koramangala 5th Block", "HSR Layout Sector 2", "Indiranagar 100 Feet Road", "Whitefield Main Road", "Jayanagar 4th Block"] }],
        mobile_net: None,
        given_m: &[("Arjun", ""), ("Rahul", ""), ("Vikram", ""), ("Karthik", ""), ("Rohan", ""), ("Aditya", ""), ("Siddharth", ""), ("Pranav", ""), ("Nikhil", ""), ("Suresh", "")],
        given_f: &[("Priya", ""), ("Ananya", ""), ("Divya", ""), ("Kavya", ""), ("Sneha", ""), ("Pooja", ""), ("Meera", ""), ("Aishwarya", "")],
        family: &[("Sharma", ""), ("Patel", ""), ("Reddy", ""), ("Iyer", ""), ("Nair", ""), ("Gupta", ""), ("Kumar", ""), ("Rao", ""), ("Menon", ""), ("Joshi", ""), ("Krishnan", ""), ("Bhat", "")],
        banks: &[
            Bank { name: "HDFC Bank", bic: "HDFCINBB", code: "HDFC0000" },
            Bank { name: "ICICI Bank", bic: "ICICINBB", code: "ICIC0000" },
            Bank { name: "State Bank of India", bic: "SBININBB", code: "SBIN0000" },
        ],
        iban_country: false, email_domains: &["gmail.com", "outlook.com", "yahoo.in", "rediffmail.com"], phone_cc: "+91",
    },
    Country {
        cc: "PH", icao: "PHL", currency: "PHP", fx: 57.0, rate_factor: 0.33, local_rates: false, lang: Lang::En,
        cities: &[City { name: "Manila", region: "Metro Manila", tz: "Asia/Manila", net: "ph_manila", phone_area: "917", streets: &["Katipunan Avenue, Quezon City", "Ayala Avenue, Makati", "Taft Avenue, Malate", "Shaw Boulevard, Mandaluyong", "Ortigas Avenue, Pasig"] }],
        mobile_net: None,
        given_m: &[("Juan", ""), ("Mark", ""), ("John Paul", ""), ("Carlo", ""), ("Miguel", ""), ("Paolo", ""), ("Rafael", ""), ("Joshua", "")],
        given_f: &[("Maria", ""), ("Kristine", ""), ("Angelica", ""), ("Camille", ""), ("Patricia", ""), ("Joy", "")],
        family: &[("Santos", ""), ("Reyes", ""), ("Cruz", ""), ("Bautista", ""), ("Garcia", ""), ("Mendoza", ""), ("Villanueva", ""), ("Ramos", ""), ("Aquino", ""), ("Dela Cruz", ""), ("Fernandez", ""), ("Castillo", "")],
        banks: &[
            Bank { name: "BDO Unibank", bic: "BNORPHMM", code: "" },
            Bank { name: "Bank of the Philippine Islands", bic: "BOPIPHMM", code: "" },
        ],
        iban_country: false, email_domains: &["gmail.com", "yahoo.com", "outlook.com"], phone_cc: "+63",
    },
    Country {
        cc: "BR", icao: "BRA", currency: "BRL", fx: 5.5, rate_factor: 0.45, local_rates: false, lang: Lang::Pt,
        cities: &[City { name: "Sao Paulo", region: "SP", tz: "America/Sao_Paulo", net: "br_saopaulo", phone_area: "11", streets: &["Rua Augusta", "Avenida Paulista", "Rua Oscar Freire", "Rua da Consolação", "Avenida Rebouças"] }],
        mobile_net: None,
        given_m: &[("João", ""), ("Pedro", ""), ("Lucas", ""), ("Gabriel", ""), ("Rafael", ""), ("Matheus", ""), ("Gustavo", ""), ("Thiago", "")],
        given_f: &[("Ana", ""), ("Beatriz", ""), ("Juliana", ""), ("Camila", ""), ("Larissa", ""), ("Fernanda", "")],
        family: &[("Silva", ""), ("Santos", ""), ("Oliveira", ""), ("Souza", ""), ("Lima", ""), ("Pereira", ""), ("Costa", ""), ("Ferreira", ""), ("Almeida", ""), ("Carvalho", ""), ("Rocha", ""), ("Ribeiro", "")],
        banks: &[
            Bank { name: "Itaú Unibanco", bic: "ITAUBRSP", code: "60701190" },
            Bank { name: "Banco do Brasil", bic: "BRASBRRJ", code: "00000000" },
            Bank { name: "Banco Bradesco", bic: "BBDEBRSP", code: "60746948" },
        ],
        iban_country: true, email_domains: &["gmail.com", "outlook.com", "uol.com.br"], phone_cc: "+55",
    },
    Country {
        cc: "UA", icao: "UKR", currency: "UAH", fx: 41.0, rate_factor: 0.5, local_rates: false, lang: Lang::En,
        cities: &[City { name: "Kyiv", region: "Kyiv", tz: "Europe/Kyiv", net: "ua_kyiv", phone_area: "67", streets: &["Khreshchatyk St", "Velyka Vasylkivska St", "Saksahanskoho St", "Lesi Ukrainky Blvd", "Antonovycha St"] }],
        mobile_net: None,
        given_m: &[("Oleksandr", ""), ("Dmytro", ""), ("Andriy", ""), ("Serhiy", ""), ("Maksym", ""), ("Yaroslav", ""), ("Bohdan", ""), ("Taras", "")],
        given_f: &[("Olena", ""), ("Iryna", ""), ("Kateryna", ""), ("Yulia", ""), ("Oksana", ""), ("Anastasiia", "")],
        family: &[("Shevchenko", ""), ("Kovalenko", ""), ("Bondarenko", ""), ("Tkachenko", ""), ("Kravchenko", ""), ("Melnyk", ""), ("Boyko", ""), ("Kovalchuk", ""), ("Oliynyk", ""), ("Polishchuk", ""), ("Savchenko", ""), ("Marchenko", "")],
        banks: &[
            Bank { name: "PrivatBank", bic: "PBANUA2X", code: "305299" },
            Bank { name: "Universal Bank", bic: "UNJSUAUK", code: "322001" },
        ],
        iban_country: true, email_domains: &["gmail.com", "ukr.net", "outlook.com"], phone_cc: "+380",
    },
    Country {
        cc: "VN", icao: "VNM", currency: "VND", fx: 25000.0, rate_factor: 0.33, local_rates: false, lang: Lang::En,
        cities: &[City { name: "Hanoi", region: "Hanoi", tz: "Asia/Ho_Chi_Minh", net: "vn_hanoi", phone_area: "9", streets: &["Pho Hue, Hai Ba Trung", "Tran Duy Hung, Cau Giay", "Kim Ma, Ba Dinh", "Lang Ha, Dong Da", "Xuan Thuy, Cau Giay"] }],
        mobile_net: None,
        given_m: &[("Minh", ""), ("Tuan", ""), ("Duc", ""), ("Hoang", ""), ("Quang", ""), ("Long", ""), ("Huy", ""), ("Nam", "")],
        given_f: &[("Linh", ""), ("Trang", ""), ("Huong", ""), ("Mai", ""), ("Thao", ""), ("Ngoc", "")],
        family: &[("Nguyen", ""), ("Tran", ""), ("Le", ""), ("Pham", ""), ("Hoang", ""), ("Vu", ""), ("Dang", ""), ("Bui", ""), ("Do", ""), ("Ngo", "")],
        banks: &[
            Bank { name: "Vietcombank", bic: "BFTVVNVX", code: "" },
            Bank { name: "Techcombank", bic: "VTCBVNVX", code: "" },
        ],
        iban_country: false, email_domains: &["gmail.com", "outlook.com"], phone_cc: "+84",
    },
    Country {
        cc: "SG", icao: "SGP", currency: "SGD", fx: 1.35, rate_factor: 0.8, local_rates: false, lang: Lang::En,
        cities: &[City { name: "Singapore", region: "Singapore", tz: "Asia/Singapore", net: "sg_singtel", phone_area: "9", streets: &["Tampines Street 21", "Ang Mo Kio Avenue 3", "Toa Payoh Lorong 1", "Jurong West Street 41", "Bedok North Road"] }],
        mobile_net: None,
        given_m: &[("Wei Jie", ""), ("Jun Hao", ""), ("Darren", ""), ("Marcus", ""), ("Ryan", ""), ("Zhi Hao", "")],
        given_f: &[("Hui Min", ""), ("Xin Yi", ""), ("Rachel", ""), ("Jolene", ""), ("Shu Ting", "")],
        family: &[("Tan", ""), ("Lim", ""), ("Lee", ""), ("Ng", ""), ("Ong", ""), ("Wong", ""), ("Goh", ""), ("Chua", ""), ("Koh", ""), ("Teo", "")],
        banks: &[
            Bank { name: "DBS Bank", bic: "DBSSSGSG", code: "" },
            Bank { name: "OCBC Bank", bic: "OCBCSGSG", code: "" },
        ],
        iban_country: false, email_domains: &["gmail.com", "hotmail.com", "singnet.com.sg"], phone_cc: "+65",
    },
    Country {
        cc: "ID", icao: "IDN", currency: "IDR", fx: 16000.0, rate_factor: 0.3, local_rates: false, lang: Lang::En,
        cities: &[City { name: "Jakarta", region: "DKI Jakarta", tz: "Asia/Jakarta", net: "id_jakarta", phone_area: "812", streets: &["Jalan Sudirman", "Jalan Kemang Raya", "Jalan Gatot Subroto", "Jalan Senopati", "Jalan Rasuna Said"] }],
        mobile_net: None,
        given_m: &[("Budi", ""), ("Agus", ""), ("Rizky", ""), ("Dimas", ""), ("Andi", ""), ("Fajar", "")],
        given_f: &[("Siti", ""), ("Dewi", ""), ("Putri", ""), ("Ayu", ""), ("Rina", "")],
        family: &[("Santoso", ""), ("Wijaya", ""), ("Pratama", ""), ("Saputra", ""), ("Hidayat", ""), ("Kusuma", ""), ("Nugroho", ""), ("Setiawan", "")],
        banks: &[
            Bank { name: "Bank Central Asia", bic: "CENAIDJA", code: "" },
            Bank { name: "Bank Mandiri", bic: "BMRIIDJA", code: "" },
        ],
        iban_country: false, email_domains: &["gmail.com", "yahoo.co.id"], phone_cc: "+62",
    },
];

/// Chinese banks (for the honest PRC-resident developer and the PRC-bank red flag).
pub const CN_BANKS: &[Bank] = &[
    Bank { name: "Bank of China", bic: "BKCHCNBJ", code: "" },
    Bank { name: "Industrial and Commercial Bank of China", bic: "ICBKCNBJ", code: "" },
    Bank { name: "China Merchants Bank", bic: "CMBCCNBS", code: "" },
];

/// Look up a country profile by ISO code.
pub fn country(cc: &str) -> &'static Country {
    COUNTRIES.iter().find(|c| c.cc == cc).unwrap_or_else(|| panic!("unknown country {cc}"))
}

/// Skills with a typical US-market hourly rate in USD.
pub const SKILL_RATES: &[(&str, f64)] = &[
    ("rust", 90.0),
    ("go", 80.0),
    ("typescript", 65.0),
    ("react", 60.0),
    ("node.js", 62.0),
    ("python", 65.0),
    ("django", 60.0),
    ("solidity", 100.0),
    ("ios", 78.0),
    ("android", 72.0),
    ("kubernetes", 85.0),
    ("aws", 80.0),
    ("data-engineering", 75.0),
    ("machine-learning", 95.0),
    ("php", 45.0),
    ("wordpress", 35.0),
    ("flutter", 60.0),
    ("java", 65.0),
    ("qa-automation", 45.0),
];

/// Typical skill bundles; the first skill is the primary one that sets the rate.
pub const SKILL_BUNDLES: &[(&[&str], u32)] = &[
    (&["react", "typescript", "node.js"], 18),
    (&["python", "django", "aws"], 12),
    (&["go", "kubernetes", "aws"], 8),
    (&["rust", "go", "kubernetes"], 5),
    (&["ios", "flutter"], 6),
    (&["android", "java", "flutter"], 6),
    (&["solidity", "typescript", "react"], 4),
    (&["data-engineering", "python", "aws"], 8),
    (&["machine-learning", "python"], 5),
    (&["php", "wordpress"], 8),
    (&["qa-automation", "python", "typescript"], 5),
    (&["java", "aws", "kubernetes"], 6),
];

/// Market rate in USD/hour for a skill (US market).
pub fn skill_rate(skill: &str) -> f64 {
    SKILL_RATES.iter().find(|s| s.0 == skill).map_or(60.0, |s| s.1)
}

/// Human-readable title for a primary skill.
pub fn skill_title(skill: &str) -> &'static str {
    match skill {
        "react" => "Front-end engineer (React/TypeScript)",
        "python" => "Back-end developer (Python/Django)",
        "go" => "Go back-end and platform engineer",
        "rust" => "Rust systems engineer",
        "ios" => "iOS developer (Swift)",
        "android" => "Android developer (Kotlin/Java)",
        "solidity" => "Smart-contract developer (Solidity)",
        "data-engineering" => "Data engineer",
        "machine-learning" => "Machine-learning engineer",
        "php" => "WordPress/PHP developer",
        "qa-automation" => "QA automation engineer",
        "java" => "Java back-end engineer",
        _ => "Software developer",
    }
}

/// Japanese title for a primary skill.
pub fn skill_title_ja(skill: &str) -> &'static str {
    match skill {
        "react" => "フロントエンドエンジニア（React/TypeScript）",
        "python" => "バックエンドエンジニア（Python/Django）",
        "go" => "Goバックエンド・インフラエンジニア",
        "rust" => "Rustエンジニア",
        "ios" => "iOSアプリ開発者（Swift）",
        "android" => "Androidアプリ開発者（Kotlin）",
        "solidity" => "スマートコントラクト開発者",
        "data-engineering" => "データエンジニア",
        "machine-learning" => "機械学習エンジニア",
        "php" => "WordPress/PHPエンジニア",
        "qa-automation" => "テスト自動化エンジニア",
        "java" => "Javaバックエンドエンジニア",
        _ => "ソフトウェアエンジニア",
    }
}

/// Universities used for education histories, by country.
pub fn universities(cc: &str) -> &'static [&'static str] {
    match cc {
        "US" => &["University of Washington", "University of Texas at Austin", "University of Illinois Urbana-Champaign", "Arizona State University", "Rutgers University", "Georgia Institute of Technology", "Purdue University"],
        "JP" => &["東京工業大学", "早稲田大学", "慶應義塾大学", "東京理科大学", "明治大学", "筑波大学"],
        "KR" => &["Seoul National University", "Yonsei University", "Korea University", "KAIST", "Hanyang University"],
        "DE" => &["Technische Universität Berlin", "Humboldt-Universität zu Berlin", "Karlsruher Institut für Technologie", "TU München"],
        "GB" => &["University College London", "King's College London", "University of Manchester", "University of Bristol"],
        "IN" => &["Visvesvaraya Technological University", "Anna University", "IIIT Bangalore", "Manipal Institute of Technology"],
        "PH" => &["University of the Philippines Diliman", "Ateneo de Manila University", "De La Salle University", "Mapúa University"],
        "BR" => &["Universidade de São Paulo", "Unicamp", "Universidade Presbiteriana Mackenzie"],
        "UA" => &["Igor Sikorsky Kyiv Polytechnic Institute", "Taras Shevchenko National University of Kyiv", "Kharkiv National University of Radio Electronics"],
        "VN" => &["Hanoi University of Science and Technology", "FPT University", "VNU University of Engineering and Technology"],
        "SG" => &["National University of Singapore", "Nanyang Technological University", "Singapore Management University"],
        "ID" => &["Universitas Indonesia", "Institut Teknologi Bandung", "Binus University"],
        "CN" => &["Fudan University", "Shanghai Jiao Tong University", "Tongji University"],
        _ => &["Open University"],
    }
}

/// Employers used for work histories (invented or generic company names).
pub const EMPLOYERS: &[&str] = &[
    "Brightline Software", "Northwind Digital", "Bluefin Labs", "Cobalt Commerce", "Harbor Analytics", "Pinecone Studio",
    "Lumen Health Tech", "Orbit Logistics", "Quarry Games", "Redwood Fintech", "Sable Mobile", "Tidewater Media",
    "Vantage Retail Systems", "Willow Travel", "Atlas Insurance IT", "Kestrel Security",
];
