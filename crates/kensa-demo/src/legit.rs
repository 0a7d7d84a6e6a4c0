//! Legitimate population: clients (who also write reviews), ordinary freelancers, and
//! legitimate look-alikes that naive rules would flag.

use serde_json::json;

use crate::PersonaInfo;
use crate::life::{Client, EngOpts, Engaged, Gen, IpSrc, Life, Lived, Meet, Person, Stay};
use crate::net;
use crate::rng::Rng;
use crate::time::utc;
use crate::world::{self, Lang};

const CLIENT_PREFIX: &[&str] = &[
    "Northwind",
    "Bluebird",
    "Cedar",
    "Copperleaf",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Granite",
    "Hollow Oak",
    "Ironbark",
    "Juniper",
    "Kitefin",
    "Lighthouse",
    "Maplestone",
    "Nimbus",
    "Oakridge",
    "Pebble",
    "Quill",
    "Riverbend",
    "Silverline",
];
const CLIENT_SUFFIX: &[&str] = &[
    "Labs",
    "Health",
    "Commerce",
    "Studios",
    "Logistics",
    "Analytics",
    "Fintech",
    "Media",
];

/// ~40 client organisations (subjects too: they write the reviews).
pub fn clients(g: &mut Gen) {
    let mut rng = g.rng("clients");
    let spots: &[(&str, &str, &str, Lang, u32)] = &[
        ("US", "New York", "America/New_York", Lang::En, 8),
        ("US", "Chicago", "America/Chicago", Lang::En, 4),
        ("US", "Seattle", "America/Los_Angeles", Lang::En, 5),
        ("GB", "London", "Europe/London", Lang::En, 4),
        ("DE", "Berlin", "Europe/Berlin", Lang::De, 5),
        ("JP", "Tokyo", "Asia/Tokyo", Lang::Ja, 8),
        ("KR", "Seoul", "Asia/Seoul", Lang::Ko, 2),
        ("SG", "Singapore", "Asia/Singapore", Lang::En, 3),
        ("BR", "Sao Paulo", "America/Sao_Paulo", Lang::Pt, 1),
    ];
    let mut ids = Vec::new();
    let mut n = 0usize;
    for &(cc, city, tz, lang, count) in spots {
        for _ in 0..count {
            let id = g.new_id();
            let name = if cc == "JP" {
                format!("{} Japan K.K.", CLIENT_PREFIX[n % CLIENT_PREFIX.len()])
            } else {
                format!(
                    "{} {}",
                    CLIENT_PREFIX[n % CLIENT_PREFIX.len()],
                    CLIENT_SUFFIX[(n / 3 + n) % CLIENT_SUFFIX.len()]
                )
            };
            n += 1;
            let c = world::country(cc);
            let net = c
                .cities
                .iter()
                .find(|x| x.name == city)
                .map_or(c.cities[0].net, |x| x.net);
            let ip = net::ip_in(net, &mut rng);
            let created = g.t0 - rng.range(900, 4500) * 86_400 - rng.range(0, 86_400);
            g.push(json!({"kind": "subject", "subject_id": id, "source": "freelance_platform", "observed_at": utc(g.t0 - rng.range(86_400, 20 * 86_400)), "display_name": name, "account_type": "client", "claimed_country": cc, "claimed_city": city, "claimed_timezone": tz, "account_created_at": utc(created)}));
            for _ in 0..rng.range(1, 4) {
                let at = g.t0 + rng.range(0, g.days) * 86_400 + rng.range(13 * 3600, 22 * 3600);
                g.push(json!({"kind": "login", "subject_id": id, "at": utc(at), "ip": ip, "success": true, "method": "sso"}));
            }
            g.clients.push(Client {
                id: id.clone(),
                name,
                cc: cc.to_string(),
                tz: tz.to_string(),
                lang,
                ip,
            });
            g.label(&id, "legit");
            ids.push(id);
        }
    }
    g.personas.push(PersonaInfo {
        subject_ids: ids,
        persona: "legit_client".into(),
        label: "legit".into(),
        description_en: "Client organisations that hire freelancers, write reviews and set required working hours. Old accounts, one office IP each.".into(),
        description_ja: "フリーランスに発注し、レビューを書き、業務時間を指定する発注企業。古いアカウントで、各社1つのオフィスIPを使う。".into(),
        expected_flags: vec![],
    });
}

/// The standard honest flow for a person; returns what was lived and engaged.
pub fn honest_flow(
    g: &mut Gen,
    p: &Person,
    life: &Life,
    opts: &EngOpts,
    rng: &mut Rng,
    extra_sources: &[&str],
) -> (Lived, Vec<Engaged>) {
    let mut sources: Vec<&str> = extra_sources.to_vec();
    if opts.staff_aug {
        sources.push("hr_system");
    }
    g.push_profiles(p, rng, &sources);
    let lived = g.live(&p.id, life, rng);
    let engs = g.engage(p, &lived, opts, rng);
    let pass = g.passport(p, rng);
    let pass_at = pass["at"].as_str().map(str::to_string);
    g.push(pass);
    if opts.staff_aug || rng.chance(0.2) {
        let d = g.address_doc(p, rng);
        g.push(d);
    }
    if opts.staff_aug
        && let Some(e) = engs.first()
    {
        g.staff_aug(p, &lived, e, rng, None);
    }
    if rng.chance(0.45) || opts.staff_aug {
        let at = engs.first().map_or(g.t0, |e| e.start) - 86_400;
        g.check(
            &p.id,
            at,
            "DD-VIDEO-INTERVIEW",
            "pass",
            "Camera-on interview; face matches passport photo.",
        );
        g.check(
            &p.id,
            at,
            "DD-ID-DOC-INSPECT",
            "pass",
            "Passport MRZ and data page consistent.",
        );
        g.check(
            &p.id,
            at,
            "DD-BANK-MATCH",
            "pass",
            "Payout account holder matches legal name.",
        );
    }
    let _ = pass_at;
    (lived, engs)
}

/// Ordinary legitimate freelancers.
pub fn ordinary(g: &mut Gen, n: usize) {
    let mix: &[(&str, u32)] = &[
        ("US", 80),
        ("JP", 36),
        ("DE", 22),
        ("GB", 20),
        ("IN", 30),
        ("PH", 20),
        ("BR", 18),
        ("UA", 18),
        ("KR", 18),
        ("VN", 14),
        ("SG", 12),
        ("ID", 10),
    ];
    let mut ids = Vec::new();
    for i in 0..n {
        let mut rng = g.rng(&format!("ordinary-{i}"));
        let cc = *rng.weighted(mix);
        let mut p = g.make_person(&mut rng, cc, None);
        // Some freelancers in markets with costly inbound wires use a payout wallet in their own
        // name (Payoneer / Wise / PayPal) instead of a local bank account.
        if matches!(cc, "IN" | "PH" | "VN" | "ID" | "UA" | "BR") && rng.chance(0.2) {
            let provider = *rng.pick(&["Payoneer", "Wise", "PayPal"]);
            p.payee = crate::life::Payee {
                account_id: g.token("pa", &mut rng),
                method: "wallet",
                beneficiary: p.legal_name().to_uppercase(),
                bank: None,
                crypto: None,
                provider: Some(provider.into()),
                currency: "USD".into(),
                fx: 1.0,
            };
        }
        let mut life = g.honest_life(&p, &mut rng);
        // A few go to a conference or visit family abroad for some days, keeping their usual
        // hours (travel day in between, plausible speed).
        if rng.chance(0.05) {
            let dest = *rng.pick(&[
                ("gb_london", "GB"),
                ("de_berlin", "DE"),
                ("us_newyork", "US"),
                ("sg_singtel", "SG"),
                ("jp_tokyo", "JP"),
            ]);
            if dest.1 != cc {
                let from_day = rng.range(5, g.days - 12);
                let hotel = net::ip_in(dest.0, &mut rng);
                life.stays = vec![
                    Stay {
                        from_day,
                        tz: p.tz.clone(),
                        ips: vec![(IpSrc::Fixed(hotel), 1)],
                    },
                    Stay {
                        from_day: from_day + rng.range(4, 8),
                        tz: p.tz.clone(),
                        ips: life.ips.clone(),
                    },
                ];
            }
        }
        let opts = EngOpts {
            contracts: rng.range(1, 4) as usize,
            staff_aug: rng.chance(0.3),
            ..EngOpts::default()
        };
        honest_flow(g, &p, &life, &opts, &mut rng, &[]);
        g.label(&p.id, "legit");
        ids.push(p.id);
    }
    g.personas.push(PersonaInfo {
        subject_ids: ids,
        persona: "ordinary_freelancer".into(),
        label: "legit".into(),
        description_en: "Ordinary freelancers and contractors in 12 countries: consistent profiles across sources, logins from their home ISP (sometimes mobile), activity in their own working hours, domestic bank payouts in their own name, camera-on meetings, valid passports.".into(),
        description_ja: "12か国の一般的なフリーランス・契約者。各ソースのプロフィールが一致し、自宅ISP（時々モバイル）からログインし、現地の業務時間に活動し、本人名義の国内口座で報酬を受け取り、カメラオンで会議に参加し、有効なパスポートを持つ。".into(),
        expected_flags: vec![],
    });
}

fn persona(g: &mut Gen, ids: Vec<String>, name: &str, en: &str, ja: &str) {
    for id in &ids {
        g.label(id, "legit");
    }
    g.personas.push(PersonaInfo {
        subject_ids: ids,
        persona: name.into(),
        label: "legit".into(),
        description_en: en.into(),
        description_ja: ja.into(),
        expected_flags: vec![],
    });
}

/// Legitimate look-alikes.
pub fn lookalikes(g: &mut Gen) {
    frequent_traveller(g);
    corporate_vpn(g);
    private_relay(g);
    night_owl(g);
    agency(g);
    mobile_nat(g);
    prc_resident(g);
    web3(g);
    married_name(g);
    korean_american(g);
    natural_japanese(g);
    privacy_minded(g);
}

fn frequent_traveller(g: &mut Gen) {
    let mut rng = g.rng("la-traveller");
    let p = g.make_person(&mut rng, "GB", None);
    let mut life = g.honest_life(&p, &mut rng);
    life.reply_to_h = life.start_h + 14.0;
    let stay = |from_day: i64, tz: &str, net_key: &'static str, rng: &mut Rng| Stay {
        from_day,
        tz: tz.into(),
        ips: vec![(IpSrc::Fixed(net::ip_in(net_key, rng)), 1)],
    };
    life.stays = vec![
        stay(9, "Europe/Berlin", "de_berlin", &mut rng),
        stay(16, "Europe/London", "gb_london", &mut rng),
        stay(23, "Asia/Singapore", "sg_singtel", &mut rng),
        stay(29, "Asia/Tokyo", "jp_tokyo", &mut rng),
        stay(34, "Europe/London", "gb_london", &mut rng),
        stay(41, "America/New_York", "us_newyork", &mut rng),
        stay(48, "Europe/London", "gb_london", &mut rng),
    ];
    if let Some(s) = life.stays.last_mut() {
        s.ips = vec![(IpSrc::Fixed(p.home_ip.clone()), 1)];
    }
    let opts = EngOpts {
        contracts: 2,
        ..EngOpts::default()
    };
    honest_flow(g, &p, &life, &opts, &mut rng, &["portfolio"]);
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_frequent_traveller",
        "Legitimate consultant based in London who travels for client work (Berlin, Singapore, Tokyo, New York): logins from several countries over weeks via hotel Wi-Fi, always with a travel day in between (plausible speeds). Resembles RF-LOGIN-MULTI-COUNTRY / RF-LOGIN-IMPOSSIBLE-TRAVEL.",
        "ロンドン在住で出張の多い正当なコンサルタント（ベルリン、シンガポール、東京、ニューヨーク）。数週間にわたり複数国のホテルWi-Fiからログインするが、移動日を挟んでおり移動速度は現実的。複数国ログイン・不可能な移動に似る。",
    );
}

fn corporate_vpn(g: &mut Gen) {
    let mut rng = g.rng("la-zscaler");
    let p = g.make_person(&mut rng, "US", Some(0));
    let mut life = g.honest_life(&p, &mut rng);
    let a = net::ip_in("zscaler", &mut rng);
    let b = net::ip_in("zscaler", &mut rng);
    life.ips = vec![(IpSrc::Fixed(a), 60), (IpSrc::Fixed(b), 40)];
    life.login_method = "sso";
    let opts = EngOpts {
        contracts: 1,
        staff_aug: true,
        ..EngOpts::default()
    };
    honest_flow(g, &p, &life, &opts, &mut rng, &[]);
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_corporate_vpn_user",
        "Legitimate contractor whose employer routes all traffic through a Zscaler corporate proxy (egress in San Jose while the person lives in Seattle); SSO logins, consistent hours. Resembles RF-NET-ANONYMIZER.",
        "勤務先がすべての通信をZscaler企業プロキシ経由にしている正当な契約者（シアトル在住だが出口はサンノゼ）。SSOログインで業務時間も一貫。匿名化通信に似る。",
    );
}

fn private_relay(g: &mut Gen) {
    let mut rng = g.rng("la-relay");
    let p = g.make_person(&mut rng, "US", Some(2));
    let mut life = g.honest_life(&p, &mut rng);
    life.ips = vec![
        (IpSrc::Pool("icloud_relay"), 80),
        (IpSrc::Fixed(p.home_ip.clone()), 20),
    ];
    life.ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15".into();
    honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 2,
            ..EngOpts::default()
        },
        &mut rng,
        &[],
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_icloud_private_relay_user",
        "Legitimate Chicago developer using Safari with iCloud Private Relay: most logins come from rotating Akamai relay addresses, some from the home ISP. Resembles RF-NET-ANONYMIZER / RF-LOGIN-MULTI-IP.",
        "iCloudプライベートリレーを使うシカゴの正当な開発者。多くのログインがAkamaiのリレーアドレス（毎回変わる）から、一部は自宅ISPから。匿名化通信・多数IPログインに似る。",
    );
}

fn night_owl(g: &mut Gen) {
    let mut rng = g.rng("la-night-owl");
    let p = g.make_person(&mut rng, "DE", None);
    let mut life = g.honest_life(&p, &mut rng);
    life.start_h = 14.0;
    life.len_h = 10.0;
    life.reply_from_h = 9.5;
    life.reply_to_h = 24.5;
    life.evening_p = 0.6;
    let berlin: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "DE" || c.cc == "GB")
        .map(|(i, _)| i)
        .collect();
    honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 2,
            clients: Some(berlin),
            ..EngOpts::default()
        },
        &mut rng,
        &[],
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_night_owl_developer",
        "Legitimate Berlin developer who codes late in the evening in their OWN time zone (commits 14:00–01:00 local) but answers client messages promptly during the required hours. Resembles RF-AVAIL-OFF-HOURS.",
        "自分のタイムゾーンで夜遅くまで開発する（ローカル14時〜翌1時）ベルリンの正当な開発者。指定業務時間中のメッセージにはすぐ返信する。業務時間外活動に似る。",
    );
}

fn agency(g: &mut Gen) {
    let mut rng = g.rng("la-agency");
    let office_ip = net::ip_in("ph_manila", &mut rng);
    let agency_name = "Brightpath Digital Solutions Inc.";
    let mut agency_payee = g.domestic_payee(&mut rng, "PH", agency_name);
    agency_payee.beneficiary = agency_name.to_uppercase();
    let clients: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "US" || c.cc == "SG")
        .map(|(i, _)| i)
        .collect();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let mut p = g.make_person(&mut rng, "PH", None);
        if let Some(last) = p.employment.last_mut() {
            last.0 = agency_name.into();
            last.1 = "Software Engineer".into();
            last.3 = String::new();
        }
        p.payee = agency_payee.clone();
        p.bio = format!(
            "{} Part of the {agency_name} team (Makati office); invoices go through the agency.",
            p.bio
        );
        let mut life = g.honest_life(&p, &mut rng);
        life.ips = vec![
            (IpSrc::Fixed(office_ip.clone()), 92),
            (IpSrc::Fixed(p.home_ip.clone()), 8),
        ];
        life.start_h = 9.0;
        let opts = EngOpts {
            contracts: 1,
            clients: Some(clients.clone()),
            ..EngOpts::default()
        };
        honest_flow(g, &p, &life, &opts, &mut rng, &["resume"]);
        ids.push(p.id);
    }
    persona(
        g,
        ids,
        "lookalike_agency_shared_office",
        "Five staff of a legitimate Manila software agency: they share one office IP and are paid into the agency's business account (beneficiary = the company named as employer in every profile); identities and documents are individually consistent. Resembles RF-LINK-SHARED-IDENTITY / RF-PAY-THIRD-PARTY.",
        "マニラの正当なソフトウェア会社の社員5名。同じオフィスIPを共有し、報酬は会社の法人口座（全員のプロフィールに勤務先として記載）に支払われる。各人の身元・書類は一貫。共有ID・第三者口座に似る。",
    );
}

fn mobile_nat(g: &mut Gen) {
    let mut rng = g.rng("la-cgnat");
    let shared: Vec<String> = (0..3).map(|_| net::ip_in("us_tmobile", &mut rng)).collect();
    let mut ids = Vec::new();
    for i in 0..6 {
        let p = g.make_person(&mut rng, "US", Some(i % 5));
        let mut life = g.honest_life(&p, &mut rng);
        life.ips = shared
            .iter()
            .map(|ip| (IpSrc::Fixed(ip.clone()), 1))
            .collect();
        life.ips.push((IpSrc::Pool("us_tmobile"), 2));
        life.device = p.phone_dev.clone();
        honest_flow(g, &p, &life, &EngOpts::default(), &mut rng, &[]);
        ids.push(p.id);
    }
    persona(
        g,
        ids,
        "lookalike_mobile_carrier_nat",
        "Six unrelated US freelancers in different cities who work over T-Mobile hotspots: carrier-grade NAT makes them share a few public IPs, but devices, identities, payouts and addresses are all distinct. Resembles RF-LINK-SHARED-IDENTITY / RF-LOGIN-MULTI-IP.",
        "別々の都市に住む無関係な米国フリーランス6名。T-Mobileのテザリングで作業し、キャリアグレードNATにより少数の公開IPを共有するが、端末・身元・口座・住所はすべて別。共有ID・多数IPに似る。",
    );
}

fn prc_resident(g: &mut Gen) {
    let mut rng = g.rng("la-prc");
    let mut p = g.make_person(&mut rng, "SG", None);
    let (fam, given, native) = *rng.pick(&[
        ("Wang", "Lei", "王磊"),
        ("Chen", "Jing", "陈静"),
        ("Zhang", "Wei", "张伟"),
        ("Liu", "Yang", "刘洋"),
    ]);
    p.rename(given, "", fam, &mut rng);
    p.native = native.into();
    p.nationality = "CN".into();
    p.lang = Lang::Zh;
    p.cc = "CN".into();
    p.city = "Shanghai".into();
    p.region = "Shanghai".into();
    p.tz = "Asia/Shanghai".into();
    p.home_net = "cn_shanghai".into();
    p.home_ip = net::ip_in("cn_shanghai", &mut rng);
    p.home_ip2 = net::ip_in("cn_shanghai", &mut rng);
    p.icao = "CHN".into();
    p.passport_no = format!("E{}", rng.digits(8));
    p.email = format!("{}.{}@163.com", given.to_lowercase(), fam.to_lowercase());
    p.phone = format!("+86139{}", rng.digits(8));
    p.addr = crate::life::Addr {
        line1: format!("Lane {} Changle Road, Xuhui District", rng.range(100, 999)),
        city: "Shanghai".into(),
        region: "Shanghai".into(),
        postal_code: "200031".into(),
        country: "CN".into(),
    };
    p.bio = format!(
        "Full-stack developer based in Shanghai, China ({}). I work UTC+8 hours and overlap with Singapore and Australian teams; happy to do video calls.",
        p.skills.join(", ")
    );
    p.education = vec![(
        rng.pick(world::universities("CN")).to_string(),
        "BSc Software Engineering".into(),
        "2011".into(),
        "2015".into(),
    )];
    p.dob = (1993, 5, 17);
    let bank = rng.pick(world::CN_BANKS);
    let account_id = g.token("pa", &mut rng);
    p.payee = crate::life::Payee {
        account_id,
        method: "bank",
        beneficiary: format!("{} {}", fam.to_uppercase(), given.to_uppercase()),
        bank: Some(
            json!({"account_number": rng.digits(19), "bic": bank.bic, "bank_name": bank.name, "country": "CN"}),
        ),
        crypto: None,
        provider: None,
        currency: "CNY".into(),
        fx: 7.2,
    };
    p.rate = (p.rate * 0.45 / 0.8).round().max(20.0);
    let life = g.honest_life(&p, &mut rng);
    let sg: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "SG" || c.cc == "JP" || c.cc == "KR")
        .map(|(i, _)| i)
        .collect();
    honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 2,
            clients: Some(sg),
            ..EngOpts::default()
        },
        &mut rng,
        &["resume"],
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_prc_resident_developer",
        "An honest developer who openly states they live in Shanghai: logins from a Shanghai ISP, UTC+8 hours that match the claim, paid into a Chinese bank account in their own name, camera on. Resembles RF-PAY-PRC-BANK (which may fire) but nothing else is inconsistent.",
        "上海在住を公言している誠実な開発者。上海のISPからログインし、活動時間も申告どおりUTC+8、本人名義の中国の銀行口座で受け取り、カメラもオン。中国の銀行への送金（これ自体は検出されうる）に似るが、他に矛盾はない。",
    );
}

fn web3(g: &mut Gen) {
    let mut rng = g.rng("la-web3");
    let mut p = g.make_person(&mut rng, "UA", None);
    p.reskill(&["solidity", "typescript", "react"], &mut rng);
    p.rate = (world::skill_rate("solidity") * 0.55).round();
    p.employment = vec![
        (
            "Brightline Software".into(),
            "Backend developer".into(),
            "2016-07".into(),
            "2019-02".into(),
        ),
        (
            "Kestrel Security".into(),
            "Smart-contract auditor".into(),
            "2019-03".into(),
            "2022-10".into(),
        ),
        (
            "Self-employed (freelance)".into(),
            "Solidity developer".into(),
            "2022-11".into(),
            String::new(),
        ),
    ];
    p.bio = "Solidity developer and auditor since 2019 (before that: backend Java). I prefer to be paid in USDC to my own wallet; happy to do KYC and video calls.".into();
    let account_id = g.token("pa", &mut rng);
    p.payee = crate::life::Payee {
        account_id,
        method: "crypto",
        beneficiary: p.legal_name().to_uppercase(),
        bank: None,
        crypto: Some(
            json!({"chain": "ethereum", "asset": "USDC", "address": crate::ident::eth_address(&mut rng)}),
        ),
        provider: Some("self-custody wallet (KYC-verified on the platform)".into()),
        currency: "USD".into(),
        fx: 1.0,
    };
    let life = g.honest_life(&p, &mut rng);
    honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 2,
            ..EngOpts::default()
        },
        &mut rng,
        &["portfolio", "resume"],
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_web3_crypto_freelancer",
        "A legitimate Kyiv smart-contract developer paid in USDC to a self-custody wallet registered in their own name; consistent identity, plausible work history (blockchain only since 2019), camera on. Resembles RF-PAY-CRYPTO / RF-HISTORY-SKEWED.",
        "本人名義で登録したウォレットにUSDCで報酬を受け取るキーウの正当なスマートコントラクト開発者。身元は一貫し、職歴も妥当（ブロックチェーンは2019年から）、カメラもオン。暗号資産払い・偏った職歴に似る。",
    );
}

fn married_name(g: &mut Gen) {
    let mut rng = g.rng("la-married");
    let mut p = g.make_person(&mut rng, "US", Some(3));
    p.sex = 'F';
    p.rename("Sarah", "", "Bennett", &mut rng);
    p.payee.beneficiary = p.legal_name().to_uppercase();
    let maiden = "Sarah Kowalski".to_string();
    let life = g.honest_life(&p, &mut rng);
    let mut sources = g.profiles(
        &p,
        &[
            "freelance_platform",
            "payment_platform",
            "portfolio",
            "resume",
        ],
        &mut rng,
    );
    for s in &mut sources {
        s["former_names"] = json!([maiden]);
        if s["source"] == "portfolio" {
            // An older portfolio site still under the maiden name.
            s["display_name"] = json!(maiden);
            s["urls"] = json!([
                "https://github.com/skowalski-dev",
                "https://sarahkowalski.dev"
            ]);
        }
    }
    for s in sources {
        g.push(s);
    }
    let lived = g.live(&p.id, &life, &mut rng);
    g.engage(
        &p,
        &lived,
        &EngOpts {
            contracts: 2,
            ..EngOpts::default()
        },
        &mut rng,
    );
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    g.check(
        &p.id,
        g.t0,
        "DD-BANK-MATCH",
        "pass",
        "Account holder in married name matches passport; former name documented.",
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_married_name",
        "A legitimate New York developer who changed her family name on marriage: former_names holds the maiden name, an older portfolio still shows it, while passport and bank account are in the new name. Resembles RF-PROFILE-INCONSISTENT / RF-PAY-NAME-MISMATCH.",
        "結婚で姓が変わったニューヨークの正当な開発者。former_namesに旧姓があり、古いポートフォリオは旧姓のままだが、パスポートと口座は新しい姓で一致。プロフィール不一致・名義不一致に似る。",
    );
}

fn korean_american(g: &mut Gen) {
    let mut rng = g.rng("la-korean-american");
    let mut p = g.make_person(&mut rng, "US", Some(0));
    p.sex = 'M';
    p.rename("Young Chul", "", "Kim", &mut rng);
    p.nickname = "Daniel".into();
    p.native = "김영철".into();
    p.dob = (1991, 11, 3);
    p.email = format!("daniel.yc.kim{}@gmail.com", rng.range(10, 99));
    p.payee.beneficiary = "YOUNG CHUL KIM".into();
    let mut life = g.honest_life(&p, &mut rng);
    let seoul = net::ip_in("kr_seoul", &mut rng);
    life.stays = vec![
        // Keeps US working hours while visiting (late evenings/nights in Seoul).
        Stay {
            from_day: 30,
            tz: p.tz.clone(),
            ips: vec![(IpSrc::Fixed(seoul), 1)],
        },
        Stay {
            from_day: 40,
            tz: p.tz.clone(),
            ips: vec![(IpSrc::Fixed(p.home_ip.clone()), 1)],
        },
    ];
    let sea: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "US")
        .map(|(i, _)| i)
        .collect();
    honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 2,
            clients: Some(sea),
            ..EngOpts::default()
        },
        &mut rng,
        &["resume"],
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_korean_american",
        "A Korean-American developer in Seattle (legal name Young Chul Kim, goes by Daniel; a common name that resembles OFAC-listed 'KIM, Yong Chol' but with a different date of birth and nationality) who visits family in Seoul for ten days: occasional KR logins with plausible travel. Resembles RF-SANCTIONED (name only) / RF-LOGIN-MULTI-COUNTRY.",
        "シアトル在住の韓国系米国人開発者（法的氏名 Young Chul Kim、通称Daniel。OFAC掲載の「KIM, Yong Chol」に似たよくある名前だが、生年月日も国籍も異なる）。10日間ソウルの家族を訪ね、その間は韓国からログインする（移動は現実的）。制裁該当（名前のみ）・複数国ログインに似る。",
    );
}

fn natural_japanese(g: &mut Gen) {
    let mut rng = g.rng("la-natural-ja");
    let mut p = g.make_person(&mut rng, "JP", None);
    p.bio = format!(
        "Webアプリケーション開発に10年ほど携わってきたソフトウェアエンジニアです。{}を使った新規開発や既存システムの改修を得意としています。前職では決済システムの開発を担当し、設計からテスト、運用まで経験しました。平日10時〜19時はすぐに連絡がとれます。ビデオ会議での打ち合わせも歓迎です。",
        p.skills.join("・")
    );
    let life = g.honest_life(&p, &mut rng);
    let jp: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "JP")
        .map(|(i, _)| i)
        .collect();
    honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 2,
            clients: Some(jp),
            ..EngOpts::default()
        },
        &mut rng,
        &["resume"],
    );
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_natural_japanese",
        "A Tokyo engineer whose long Japanese bio is natural (経験, 開発, ソフトウェア written the Japanese way, Japanese punctuation). A check for unnatural Japanese must not fire on it. Resembles RF-PROFILE-UNNATURAL-JA.",
        "自然な日本語の長い自己紹介を持つ東京のエンジニア（「経験」「開発」「ソフトウェア」など日本語の表記と句読点）。不自然な日本語の検出はこれに反応してはならない。不自然な日本語に似る。",
    );
}

fn privacy_minded(g: &mut Gen) {
    let mut rng = g.rng("la-privacy");
    let mut p = g.make_person(&mut rng, "DE", None);
    p.email = format!(
        "{}@posteo.de",
        p.family
            .to_lowercase()
            .replace('ü', "ue")
            .replace('ö', "oe")
            .replace('ä', "ae")
    );
    p.bio = format!(
        "{} Privacy matters to me: I keep my social media minimal, but I am happy to show ID and meet on video.",
        p.bio
    );
    let life = g.honest_life(&p, &mut rng);
    let (lived, engs) = honest_flow(
        g,
        &p,
        &life,
        &EngOpts {
            contracts: 1,
            ..EngOpts::default()
        },
        &mut rng,
        &[],
    );
    let _ = lived;
    if let Some(e) = engs.first() {
        let client = g.clients[e.client].clone();
        let at = e.start.max(g.t0) + 12 * 86_400 + 3 * 3600;
        g.meeting(
            &p.id,
            at.min(g.t_end() - 86_400),
            "client_demo",
            Meet::Refused,
            &client,
            &mut rng,
        );
    }
    persona(
        g,
        vec![p.id.clone()],
        "lookalike_privacy_minded",
        "A privacy-minded Berlin developer (posteo.de mail, minimal social media) who declined ONE video call (a recorded client demo) but joined the interview and weekly stand-ups with camera on. Resembles RF-COMMS-NO-VIDEO.",
        "プライバシーを重視するベルリンの開発者（posteo.deのメール、SNSは最小限）。録画される顧客デモの1回だけビデオを断ったが、面接と毎週の定例にはカメラオンで参加。ビデオ拒否に似る。",
    );
}
