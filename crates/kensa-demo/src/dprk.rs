//! DPRK-IT-worker-like personas, grounded in the published tradecraft (US State/Treasury/FBI
//! advisory 2022; Japan–US–ROK joint statement and METI warning 2025). Every persona is invented;
//! the one sanctioned name and wallet are public OFAC SDN entries used to exercise screening.

use serde_json::{Value, json};

use crate::PersonaInfo;
use crate::ident;
use crate::life::{Addr, EngOpts, Engaged, Gen, IpSrc, Life, Lived, Meet, Payee, Person};
use crate::net;
use crate::rng::Rng;
use crate::time::utc;
use crate::world::{self, Lang};

/// OFAC SDN entry 43377 "KIM, Sang Man" (DPRK4), listed with this Ethereum address; the address is
/// also in the public list of sanctioned digital-currency addresses (ETH).
pub const SANCTIONED_NAME: &str = "KIM SANG MAN";
/// Ethereum address listed for SDN entry 43377.
pub const SANCTIONED_ETH: &str = "0x97b1043abd9e6fc31681635166d430a458d14f9c";

/// All DPRK-like personas.
pub fn personas(g: &mut Gen) {
    laptop_farm(g);
    multi_account_operator(g);
    vpn_us_claimant(g);
    jp_relay_worker(g);
    review_ring(g);
    sanctioned_wallet(g);
    deepfake_interviewee(g);
    exfil_contractor(g);
    subtle_underpriced(g);
    subtle_payout_switcher(g);
    subtle_hours(g);
}

fn persona(g: &mut Gen, ids: Vec<String>, name: &str, flags: &[&str], en: &str, ja: &str) {
    for id in &ids {
        g.label(id, "dprk");
        // Ground truth for per-flag recall: the red flags this subject shows.
        if let Some(last) = g.records.last_mut() {
            last["flags"] = json!(flags);
        }
    }
    g.personas.push(PersonaInfo {
        subject_ids: ids,
        persona: name.into(),
        label: "dprk".into(),
        description_en: en.into(),
        description_ja: ja.into(),
        expected_flags: flags.iter().map(|s| s.to_string()).collect(),
    });
}

/// A life lived in `tz` (the real location) from `ips`, six days a week.
fn covert_life(
    g: &Gen,
    p: &Person,
    rng: &mut Rng,
    tz: &str,
    start_h: f64,
    ips: Vec<(IpSrc, u32)>,
) -> Life {
    let mut l = g.honest_life(p, rng);
    l.tz = tz.into();
    l.start_h = start_h;
    l.len_h = 10.0;
    l.reply_from_h = start_h;
    l.reply_to_h = start_h + 11.0;
    l.weekend_p = 0.45;
    l.evening_p = 0.1;
    l.ips = ips;
    l.mobile = None;
    l
}

fn endpoint(
    g: &mut Gen,
    id: &str,
    at: i64,
    device: &str,
    observation: &str,
    name: &str,
    detail: &str,
) {
    g.push(json!({"kind": "endpoint", "subject_id": id, "at": utc(at), "observation": observation, "device_id": device, "name": name, "detail": detail}));
}

fn say(g: &mut Gen, id: &str, at: i64, e: &Engaged, text: &str, lang: &str) {
    let client = g.clients[e.client].id.clone();
    g.push(json!({"kind": "message", "subject_id": id, "at": utc(at), "direction": "from_subject", "text": text, "thread_id": e.thread, "counterpart_id": client, "channel": "platform_chat", "lang": lang}));
}

/// A moment inside the person's n-th working window (clamped).
fn in_window(lived: &Lived, n: usize, rng: &mut Rng) -> i64 {
    let Some(w) = lived.work.get(n.min(lived.work.len().saturating_sub(1))) else {
        return 0;
    };
    w.0 + rng.range(0, (w.1 - w.0).max(1))
}

fn us_bank(g: &mut Gen, rng: &mut Rng, beneficiary: &str) -> Payee {
    let mut p = g.domestic_payee(rng, "US", beneficiary);
    p.beneficiary = beneficiary.to_uppercase();
    p
}

fn cn_bank(g: &mut Gen, rng: &mut Rng, bank: usize, beneficiary: &str) -> Payee {
    let b = &world::CN_BANKS[bank];
    Payee {
        account_id: g.token("pa", rng),
        method: "bank",
        beneficiary: beneficiary.into(),
        bank: Some(
            json!({"account_number": rng.digits(19), "bic": b.bic, "bank_name": b.name, "country": "CN"}),
        ),
        crypto: None,
        provider: None,
        currency: "USD".into(),
        fx: 1.0,
    }
}

fn tron(g: &mut Gen, rng: &mut Rng, beneficiary: &str) -> Payee {
    Payee {
        account_id: g.token("pa", rng),
        method: "crypto",
        beneficiary: beneficiary.into(),
        bank: None,
        crypto: Some(
            json!({"chain": "tron", "asset": "USDT", "address": ident::tron_address(rng)}),
        ),
        provider: None,
        currency: "USD".into(),
        fx: 1.0,
    }
}

fn paypal(email: &str, beneficiary: &str) -> Payee {
    Payee {
        account_id: format!("paypal:{email}"),
        method: "wallet",
        beneficiary: beneficiary.into(),
        bank: None,
        crypto: None,
        provider: Some("PayPal".into()),
        currency: "USD".into(),
        fx: 1.0,
    }
}

fn us_clients(g: &Gen) -> Vec<usize> {
    g.clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "US")
        .map(|(i, _)| i)
        .collect()
}

/// VPN exit hopping: on a few working days the client reconnects every 20-40 minutes and gets a
/// new exit each time, so one account logs in from 6 different networks within a few hours.
fn vpn_hops(g: &mut Gen, p: &Person, lived: &Lived, pools: &[&str], rng: &mut Rng) {
    let n = lived.work.len();
    if n == 0 {
        return;
    }
    // Not the middle window: vpn_us_claimant's New York → Shenyang pair happens there.
    for day in [n / 5, (3 * n) / 10, (4 * n) / 5] {
        if day == n / 2 {
            continue;
        }
        let w = &lived.work[day.min(n - 1)];
        let mut at = w.0 + rng.range(600, 3600);
        let mut nets: Vec<String> = Vec::new();
        let mut k = 0;
        while nets.len() < 6 {
            let ip = net::ip_in(pools[k % pools.len()], rng);
            k += 1;
            let net24 = ip
                .rsplit_once('.')
                .map_or(ip.clone(), |(a, _)| a.to_string());
            if nets.contains(&net24) {
                continue;
            }
            nets.push(net24);
            g.push(json!({"kind": "login", "subject_id": p.id, "at": utc(at), "ip": ip, "success": true, "device_id": p.laptop, "user_agent": p.ua, "method": "password"}));
            at += rng.range(20 * 60, 40 * 60);
        }
    }
}

fn push_all(g: &mut Gen, v: Vec<Value>) {
    for r in v {
        g.push(r);
    }
}

// ---------------------------------------------------------------------------------------------

fn laptop_farm(g: &mut Gen) {
    let mut rng = g.rng("dprk-laptop-farm");
    let farm_ip = net::ip_in("us_phoenix", &mut rng);
    let farm_addr = Addr {
        line1: format!("{} W Camelback Rd", rng.range(3000, 8999)),
        city: "Phoenix".into(),
        region: "AZ".into(),
        postal_code: format!("850{}", rng.range(10, 40)),
        country: "US".into(),
    };
    let facilitator = "JANET L. WHITFIELD";
    let fac_payee = us_bank(g, &mut rng, facilitator);
    let clients = us_clients(g);
    let mut ids = Vec::new();
    for i in 0..5 {
        let p = g.make_person(&mut rng, "US", Some(i % 4));
        let tz = if i % 2 == 0 {
            "Asia/Shanghai"
        } else {
            "Asia/Pyongyang"
        };
        let start_h = rng.uniform(8.0, 9.5);
        let life = covert_life(
            g,
            &p,
            &mut rng,
            tz,
            start_h,
            vec![(IpSrc::Fixed(farm_ip.clone()), 1)],
        );
        g.push_profiles(&p, &mut rng, &["hr_system"]);
        let lived = g.live(&p.id, &life, &mut rng);
        let opts = EngOpts {
            contracts: 1,
            interview: if i < 2 {
                Meet::CameraOff
            } else {
                Meet::CameraOn
            },
            standup: Meet::CameraOff,
            payees: vec![(g.t0 - 90 * 86_400, fac_payee.clone())],
            clients: Some(clients.clone()),
            first_start_day: Some(-20 + i as i64 * 3),
            hours_per_week: (38.0, 40.0),
            staff_aug: true,
            ongoing: true,
            ..EngOpts::default()
        };
        let engs = g.engage(&p, &lived, &opts, &mut rng);
        let pass = g.passport(&p, &mut rng);
        g.push(pass);
        let dl = g.address_doc(&p, &mut rng);
        g.push(dl);
        let e = engs[0].clone();
        g.staff_aug(&p, &lived, &e, &mut rng, Some(&farm_addr));
        // A security key sent later to the ID address is redirected to the farm.
        let at = g.at_day(rng.range(10, 40)) + rng.range(0, 86_400);
        g.push(json!({"kind": "shipment", "subject_id": p.id, "at": utc(at), "status": "redirected", "address": p.addr.json(), "redirect_address": farm_addr.json(), "item": "hardware security key (YubiKey 5)", "carrier": "FedEx", "notes": "Recipient requested redirect to a different address."}));
        let t = e.start.max(g.t0) + 2 * 86_400 + rng.range(0, 43_200);
        endpoint(
            g,
            &p.id,
            t,
            &p.laptop,
            "running_process",
            "AnyDesk",
            "AnyDesk.exe running as a service; unattended access enabled",
        );
        if i < 3 {
            let kvm = if i == 2 { "TinyPilot" } else { "PiKVM" };
            endpoint(
                g,
                &p.id,
                t + 600,
                &p.laptop,
                "usb_device",
                kvm,
                &format!(
                    "{kvm} IP-KVM: composite USB HID keyboard+mouse and HDMI capture presenting as a display"
                ),
            );
        }
        if i % 2 == 1 {
            endpoint(
                g,
                &p.id,
                t + 1200,
                &p.laptop,
                "usb_device",
                "Mouse Jiggler",
                "USB mouse-jiggler dongle (keeps the session active)",
            );
        }
        if i == 0 {
            endpoint(
                g,
                &p.id,
                t + 1800,
                &p.laptop,
                "installed_software",
                "Astrill VPN",
                "Astrill VPN client installed",
            );
        }
        ids.push(p.id.clone());
    }
    persona(
        g,
        ids,
        "dprk_laptop_farm_worker",
        &[
            "RF-LINK-SHARED-IDENTITY",
            "RF-SHIP-ADDRESS",
            "RF-PAY-THIRD-PARTY",
            "RF-PAY-NAME-MISMATCH",
            "RF-AVAIL-OFF-HOURS",
            "RF-COMMS-NO-VIDEO",
        ],
        "A US laptop farm: five 'US' contractors (claimed Seattle, Houston, Chicago, New York) whose logins all come from ONE residential IP in Phoenix, whose client-issued laptops are delivered to one Phoenix address (and whose security keys are redirected there), with AnyDesk, a PiKVM/TinyPilot IP-KVM and mouse jigglers on the laptops. All five are paid into the facilitator's own bank account (a third party). Their activity follows UTC+8/UTC+9 daytime, i.e. the middle of the US night, and cameras stay off in stand-ups.",
        "米国のラップトップファーム。「米国在住」とされる5名（シアトル、ヒューストン、シカゴ、ニューヨーク）のログインはすべてフェニックスの1つの住宅用IPから行われ、貸与PCはフェニックスの1か所に届き（セキュリティキーもそこへ転送）、PCにはAnyDesk、PiKVM/TinyPilotのIP-KVM、マウスジグラーがある。5名とも報酬は仲介者本人の銀行口座（第三者）に支払われる。活動はUTC+8/+9の日中、すなわち米国の深夜で、定例ではカメラをオフにしている。",
    );
}

fn multi_account_operator(g: &mut Gen) {
    let mut rng = g.rng("dprk-multi-account");
    let device = format!("dev-{}", rng.hex(12));
    let shenyang = net::ip_in("cn_shenyang", &mut rng);
    let shared_passport = format!("{}", rng.range(500_000_000, 599_999_999));
    let shared_image = ident::sha256_hex(&format!("forged-scan:{shared_passport}"));
    let icbc = cn_bank(g, &mut rng, 1, "ZHAO MINGHUI");
    let base_phone = format!("+13125550{:03}", rng.range(100, 190));
    let mut ids = Vec::new();
    let mut engs_all = Vec::new();
    let plan: [(&str, usize); 3] = [("US", 2), ("GB", 0), ("SG", 0)];
    for (k, (cc, city)) in plan.iter().enumerate() {
        let mut p = g.make_person(&mut rng, cc, Some(*city));
        p.email = format!("alexdev.pro{}@outlook.com", k + 1);
        p.phone = format!("{}{}", &base_phone[..base_phone.len() - 1], k);
        p.laptop = device.clone();
        p.reskill(&["react", "node.js", "typescript"], &mut rng);
        // One résumé for all three identities, only the name and the years changed (FBI, Jan
        // 2025: duplicate applicants).
        p.bio = format!(
            "Hi, I'm {}. Senior full-stack engineer with {} years of experience building SaaS \
             platforms for fintech and e-commerce clients. I led the migration of a payment \
             gateway to microservices on AWS, cut page load times by 60% and mentored a team of \
             five. Strong in React, Node.js, TypeScript, PostgreSQL and Docker. I write tests \
             first, document everything and can work in your time zone.",
            p.given,
            8 + k
        );
        p.passport_no = shared_passport.clone();
        let ips = vec![
            (IpSrc::Pool("m247_london"), 5),
            (IpSrc::Pool("m247_amsterdam"), 4),
            (IpSrc::Fixed(shenyang.clone()), 1),
        ];
        let life = covert_life(g, &p, &mut rng, "Asia/Shanghai", 9.0 + k as f64, ips);
        g.push_profiles(&p, &mut rng, &[]);
        let lived = g.live(&p.id, &life, &mut rng);
        vpn_hops(g, &p, &lived, &["m247_london", "m247_amsterdam"], &mut rng);
        let opts = EngOpts {
            contracts: 1,
            interview: Meet::CameraOff,
            standup: Meet::Skip,
            payees: vec![(g.t0 - 60 * 86_400, icbc.clone())],
            ongoing: true,
            ..EngOpts::default()
        };
        let engs = g.engage(&p, &lived, &opts, &mut rng);
        let mut pass = g.passport(&p, &mut rng);
        pass["image_sha256"] = json!(shared_image);
        g.push(pass);
        if k == 1
            && let Some(e) = engs.first()
        {
            let t = in_window(&lived, 6, &mut rng);
            say(
                g,
                &p.id,
                t,
                e,
                "加我微信或者Telegram吧，平台手续费太高了。Telegram: @alexdev_pro",
                "zh",
            );
        }
        engs_all.extend(engs);
        ids.push(p.id.clone());
    }
    let _ = engs_all;
    // Only the second account asks to move off the platform.
    let asked = ids[1].clone();
    let others: Vec<String> = ids.iter().filter(|i| **i != asked).cloned().collect();
    persona(
        g,
        ids,
        "dprk_multi_account_operator",
        &[
            "RF-LINK-SHARED-IDENTITY",
            "RF-ID-FORGED",
            "RF-NET-ANONYMIZER",
            "RF-LOGIN-MULTI-IP",
            "RF-PAY-PRC-BANK",
            "RF-PAY-NAME-MISMATCH",
            "RF-COMMS-OFF-PLATFORM",
        ],
        "One operator in Shenyang running three freelancer accounts that claim to be in the US, the UK and Singapore: the same device id, numbered e-mails (alexdev.pro1/2/3@...) and phone numbers differing in the last digit, one résumé with only the name and years changed, the same passport number and scan image under three different names, logins through M247 VPN exits in London and Amsterdam with occasional leaks from a Shenyang ISP, all paid into one ICBC account in a fourth person's name. One account asks (in Chinese) to move to WeChat/Telegram.",
        "瀋陽の1人のオペレーターが、米国・英国・シンガポール在住を名乗る3つのアカウントを運用。同じ端末ID、連番のメールアドレス（alexdev.pro1/2/3@...）と末尾だけ異なる電話番号、名前と年数だけを変えた同じ経歴文、3つの異なる名前で同じ旅券番号と同じスキャン画像を使い、ログインはロンドンとアムステルダムのM247 VPN経由（時々瀋陽のISPから漏れる）。報酬はすべて第4の人物名義のICBC口座へ。1つのアカウントは中国語でWeChat/Telegramへの移行を求める。",
    );
    for r in g.records.iter_mut().rev() {
        if r["kind"] == "label"
            && others.iter().any(|o| r["subject_id"] == o.as_str())
            && let Some(f) = r["flags"].as_array_mut()
        {
            f.retain(|x| x != "RF-COMMS-OFF-PLATFORM");
        }
    }
}

fn vpn_us_claimant(g: &mut Gen) {
    let mut rng = g.rng("dprk-vpn-us");
    let p = g.make_person(&mut rng, "US", Some(3));
    let ips = vec![
        (IpSrc::Pool("m247_london"), 4),
        (IpSrc::Pool("m247_amsterdam"), 3),
        (IpSrc::Pool("vultr"), 3),
    ];
    let life = covert_life(g, &p, &mut rng, "Asia/Shanghai", 9.0, ips);
    g.push_profiles(&p, &mut rng, &["hr_system"]);
    let lived = g.live(&p.id, &life, &mut rng);
    vpn_hops(
        g,
        &p,
        &lived,
        &["m247_london", "m247_amsterdam", "vultr"],
        &mut rng,
    );
    let boc = cn_bank(g, &mut rng, 0, "LIU JIANHUA");
    let clients = us_clients(g);
    let opts = EngOpts {
        contracts: 2,
        interview: Meet::CameraOff,
        standup: Meet::CameraOff,
        payees: vec![(g.t0 - 50 * 86_400, boc.clone())],
        clients: Some(clients),
        first_start_day: Some(-25),
        staff_aug: true,
        ongoing: true,
        ..EngOpts::default()
    };
    let engs = g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    let dl = g.address_doc(&p, &mut rng);
    g.push(dl);
    g.staff_aug(&p, &lived, &engs[0], &mut rng, None);
    // Impossible travel: a New York residential login, then Shenyang 40 minutes later (VPN dropped).
    let ny = net::ip_in("us_newyork", &mut rng);
    let shenyang = net::ip_in("cn_shenyang", &mut rng);
    let t = lived
        .work
        .get(lived.work.len() / 2)
        .map_or(g.t0 + 86_400, |w| w.0 + 3600);
    g.push(json!({"kind": "login", "subject_id": p.id, "at": utc(t), "ip": ny, "success": true, "device_id": p.laptop, "user_agent": p.ua, "method": "password"}));
    g.push(json!({"kind": "login", "subject_id": p.id, "at": utc(t + 40 * 60), "ip": shenyang, "success": true, "device_id": p.laptop, "user_agent": p.ua, "method": "password"}));
    for k in 0..6 {
        let at = t + 40 * 60 + k * 420;
        g.push(json!({"kind": "access", "subject_id": p.id, "at": utc(at), "resource": "git:client/api-service", "action": "clone", "sensitivity": "internal", "bytes": rng.range(5_000_000, 40_000_000), "ip": shenyang}));
        g.push(json!({"kind": "activity", "subject_id": p.id, "at": utc(at + 60), "activity": "commit", "ip": shenyang}));
    }
    // Frequent small onward transfers from the payment-platform balance to several destinations.
    let dests = [
        boc.clone(),
        tron(g, &mut rng, "LIU JIANHUA"),
        cn_bank(g, &mut rng, 2, "SUN HAIYAN"),
    ];
    for d in dests.iter().skip(1) {
        let mut v = json!({"kind": "payout_account", "subject_id": p.id, "at": utc(g.at_day(5) + 3 * 3600)});
        d.fill(&mut v);
        g.push(v);
    }
    let mut at = g.at_day(6);
    while at < g.t_end() - 86_400 {
        let d = &dests[rng.index(dests.len())];
        let mut v = json!({"kind": "payout", "subject_id": p.id, "at": utc(at), "amount": rng.range(120, 480) as f64, "currency": "USD", "direction": "outgoing", "transfer_type": "onward_transfer", "provider": "payment_platform"});
        d.fill(&mut v);
        g.push(v);
        at += rng.range(20, 50) * 3600 + rng.range(0, 3600);
    }
    let tw = in_window(&lived, 4, &mut rng);
    say(
        g,
        &p.id,
        tw,
        &engs[0],
        "Btw, could we continue on Telegram (@mturner_dev)? Platform fees are eating my rate. I can also invoice you directly.",
        "en",
    );
    let ts = engs[0].start.max(g.t0) + 86_400 + rng.range(0, 43_200);
    endpoint(
        g,
        &p.id,
        ts,
        &p.laptop,
        "installed_software",
        "Astrill VPN",
        "Astrill VPN client installed and connected at boot",
    );
    persona(
        g,
        vec![p.id.clone()],
        "dprk_vpn_us_claimant",
        &[
            "RF-NET-ANONYMIZER",
            "RF-LOGIN-MULTI-IP",
            "RF-LOGIN-IMPOSSIBLE-TRAVEL",
            "RF-AVAIL-OFF-HOURS",
            "RF-PAY-PRC-BANK",
            "RF-PAY-FREQUENT-TRANSFER",
            "RF-PAY-THIRD-PARTY",
            "RF-PAY-NAME-MISMATCH",
            "RF-ACCESS-FOREIGN",
            "RF-COMMS-NO-VIDEO",
            "RF-COMMS-OFF-PLATFORM",
        ],
        "Claims to live in New York but logs in through M247 VPN exits (London, Amsterdam) and Vultr servers; once a New York login is followed 40 minutes later by one from a Shenyang ISP, with code cloned from there. Works UTC+8 daytime (US night) so replies to the client come hours late; camera 'broken'. Paid into a Bank of China account in another person's name, then moves the money on in many small transfers to a CN account and a USDT wallet. Astrill VPN on the laptop; asks to move to Telegram.",
        "ニューヨーク在住を名乗るが、M247のVPN出口（ロンドン、アムステルダム）やVultrのサーバー経由でログイン。一度はニューヨークからのログインの40分後に瀋陽のISPからログインし、そこからコードを取得。活動はUTC+8の日中（米国の夜）で、顧客への返信は数時間遅れ、カメラは「故障中」。報酬は他人名義の中国銀行口座に入り、その後、中国の口座やUSDTウォレットへ小口で頻繁に送金される。PCにAstrill VPNがあり、Telegramへの移行を求める。",
    );
}

fn jp_relay_worker(g: &mut Gen) {
    let mut rng = g.rng("dprk-jp-relay");
    let mut p = g.make_person(&mut rng, "JP", None);
    p.sex = 'M';
    p.rename("Kenji", "", "Sato", &mut rng);
    p.native = "佐藤健二".into();
    p.reskill(&["react", "node.js", "typescript"], &mut rng);
    p.rate = 1800.0;
    p.headline = "フルスタック开发者（React/Node.js）".into();
    p.bio = "您好，我是佐藤です。软件开发经验8年以上があります，React和Node.jsの开发を得意します。高品质的なコードを提供することができます！日本の客户と仕事をたくさんしました，请放心交给我。価格は安いです，早く纳品します。".into();
    let relay = net::ip_in("aws_tokyo", &mut rng);
    let dandong = net::ip_in("cn_dandong", &mut rng);
    let ips = vec![
        (IpSrc::Fixed(relay), 14),
        (IpSrc::Pool("vultr"), 3),
        (IpSrc::Fixed(dandong), 1),
    ];
    let life = covert_life(g, &p, &mut rng, "Asia/Shanghai", 9.0, ips);
    let mut profs = g.profiles(
        &p,
        &[
            "freelance_platform",
            "payment_platform",
            "portfolio",
            "resume",
        ],
        &mut rng,
    );
    for s in &mut profs {
        match s["source"].as_str() {
            Some("portfolio") => {
                s["display_name"] = json!("Kenzi Satou");
                s["claimed_city"] = json!("Osaka");
            }
            Some("resume") => {
                s["legal_name"] = json!("Satou Kenji");
                s["education"] = json!([{"institution": "大阪大学", "degree": "情報工学 学士", "from": "2009", "to": "2013"}]);
            }
            _ => {}
        }
    }
    push_all(g, profs);
    let lived = g.live(&p.id, &life, &mut rng);
    let jp: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "JP")
        .map(|(i, _)| i)
        .collect();
    let borrowed = {
        let mut b = g.domestic_payee(&mut rng, "JP", "TANAKA YUKO");
        b.beneficiary = "TANAKA YUKO".into();
        b
    };
    let wallet = tron(g, &mut rng, "SATO KENJI");
    let opts = EngOpts {
        contracts: 2,
        interview: Meet::Refused,
        standup: Meet::CameraOff,
        payees: vec![(g.t0 - 40 * 86_400, borrowed), (g.at_day(30), wallet)],
        clients: Some(jp),
        first_start_day: Some(-10),
        staff_aug: true,
        msg_lang: Some(Lang::Ja),
        ongoing: true,
        ..EngOpts::default()
    };
    let engs = g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    g.staff_aug(&p, &lived, &engs[0], &mut rng, None);
    let t1 = in_window(&lived, 3, &mut rng);
    say(
        g,
        &p.id,
        t1,
        &engs[0],
        "プラットフォームの手续费が高いので、LINEかTelegramで直接やり取りしませんか？请联系我 Telegram: @kenji_dev_jp",
        "ja",
    );
    let t2 = in_window(&lived, 18, &mut rng);
    say(
        g,
        &p.id,
        t2,
        &engs[0],
        "次回から报酬はUSDT（TRC20）で払ってもらえると助かります。银行振込は时间がかかりますので。",
        "ja",
    );
    let ts = engs[0].start.max(g.t0) + 86_400 + rng.range(0, 43_200);
    endpoint(
        g,
        &p.id,
        ts,
        &p.laptop,
        "running_process",
        "Chrome Remote Desktop",
        "remoting_host.exe running; host registered to an outside Google account",
    );
    endpoint(
        g,
        &p.id,
        ts + 300,
        &p.laptop,
        "installed_software",
        "Astrill VPN",
        "Astrill VPN client installed",
    );
    persona(
        g,
        vec![p.id.clone()],
        "dprk_jp_relay_worker",
        &[
            "RF-PROFILE-UNNATURAL-JA",
            "RF-PROFILE-INCONSISTENT",
            "RF-NET-ANONYMIZER",
            "RF-COMMS-OFF-PLATFORM",
            "RF-PAY-CRYPTO",
            "RF-PAY-UNDERPRICED",
            "RF-COMMS-NO-VIDEO",
            "RF-PAY-NAME-MISMATCH",
            "RF-PAY-THIRD-PARTY",
        ],
        "Claims to be a Tokyo engineer ('Sato Kenji') but the Japanese bio is machine-translated with simplified-Chinese-only words (开发, 软件, 经验, 高品质的) and Chinese punctuation; logins are relayed through one Japanese cloud server (AWS Tokyo), with Vultr servers and one leak from Dandong (China), activity on UTC+8; Chrome Remote Desktop and Astrill VPN on the laptop. Name spelling, city and university differ between sources. Charges ¥1,800/h (Japanese peers ¥6,000–10,000), refuses video, is paid into a bank account in another person's name and then switches to a USDT-TRON wallet, and asks in broken Japanese to move to LINE/Telegram.",
        "東京のエンジニア「佐藤健二」を名乗るが、日本語の自己紹介は機械翻訳調で簡体字のみの語（开发・软件・经验・高品质的）や中国語の句読点を含む。ログインは日本のクラウドサーバー（AWS東京）1台を中継し、Vultrのサーバーや丹東（中国）からの漏れもあり、活動はUTC+8。PCにChrome Remote DesktopとAstrill VPN。氏名の綴り・都市・大学がソース間で異なる。時給1,800円（相場6,000〜10,000円）、ビデオを拒否し、報酬は他人名義の口座から途中でUSDT-TRONウォレットに変更され、不自然な日本語でLINE/Telegramへの移行を求める。",
    );
}

fn review_ring(g: &mut Gen) {
    let mut rng = g.rng("dprk-review-ring");
    let mut p = g.make_person(&mut rng, "SG", None);
    p.reskill(&["solidity", "rust", "typescript"], &mut rng);
    p.rate = 55.0;
    p.employment = vec![
        (
            "ChainForge Labs".into(),
            "Solidity developer".into(),
            "2012-03".into(),
            "2015-06".into(),
        ),
        (
            "DeFi Yield Partners".into(),
            "Smart-contract engineer".into(),
            "2015-07".into(),
            "2019-01".into(),
        ),
        (
            "NFT Arcade Studio".into(),
            "Blockchain developer".into(),
            "2019-02".into(),
            "2022-05".into(),
        ),
        (
            "CrossBridge Protocol".into(),
            "Lead blockchain engineer".into(),
            "2022-06".into(),
            String::new(),
        ),
    ];
    p.bio = "Senior blockchain engineer: Solidity since 2012, DeFi, NFT marketplaces, cross-chain bridges. 100% job success, top rated. Available immediately, flexible hours.".into();
    p.headline = "Top-rated blockchain / DeFi developer".into();
    let vps = net::ip_in("vultr", &mut rng);
    let hk = net::ip_in("hk_hkt", &mut rng);
    let ips = vec![(IpSrc::Fixed(vps.clone()), 8), (IpSrc::Fixed(hk), 2)];
    let life = covert_life(g, &p, &mut rng, "Asia/Shanghai", 10.0, ips);
    push_all(
        g,
        g.profiles(
            &p,
            &[
                "freelance_platform",
                "payment_platform",
                "portfolio",
                "resume",
            ],
            &mut rng,
        ),
    );
    let lived = g.live(&p.id, &life, &mut rng);
    let pp_email = format!(
        "{}.{}.work@gmail.com",
        p.given.to_lowercase().replace(' ', ""),
        p.family.to_lowercase()
    );
    let pp = paypal(&pp_email, &p.legal_name().to_uppercase());
    let wallet = tron(g, &mut rng, &p.legal_name().to_uppercase());
    let opts = EngOpts {
        contracts: 2,
        interview: Meet::CameraOff,
        standup: Meet::Skip,
        payees: vec![(g.t0 - 100 * 86_400, pp.clone()), (g.at_day(20), wallet)],
        ongoing: true,
        ..EngOpts::default()
    };
    let engs = g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    let t = in_window(&lived, 5, &mut rng);
    say(
        g,
        &p.id,
        t,
        &engs[0],
        "To save the 10% fee, can we move to Telegram (@defi_marcus) and you pay me in USDT TRC20 directly? I can send the wallet.",
        "en",
    );
    // The ring: fake client accounts created days before their 5-star reviews.
    let mut ring = Vec::new();
    for k in 0..5 {
        let id = g.new_id();
        let review_at = g.t0 + (8 + k * ((g.days - 12) / 5).max(1)) * 86_400 + rng.range(0, 86_400);
        let created = review_at - rng.range(2, 9) * 86_400;
        let name = format!(
            "{} {}",
            rng.pick(&["Crypto", "Block", "Token", "Chain", "Meta"]),
            rng.pick(&["Ventures", "Capital", "Dev", "Labs", "DAO"])
        );
        g.push(json!({"kind": "subject", "subject_id": id, "source": "freelance_platform", "observed_at": utc(review_at), "display_name": name, "account_type": "client", "claimed_country": *rng.pick(&["US", "GB", "SG", "AE"]), "account_created_at": utc(created), "emails": [format!("{}{}@proton.me", name.to_lowercase().replace(' ', "."), rng.range(10, 99))]}));
        g.push(json!({"kind": "login", "subject_id": id, "at": utc(created + 600), "ip": vps, "success": true, "device_id": p.laptop, "user_agent": p.ua, "method": "password"}));
        g.push(json!({"kind": "login", "subject_id": id, "at": utc(review_at - 900), "ip": vps, "success": true, "device_id": p.laptop, "user_agent": p.ua, "method": "password"}));
        g.push(json!({"kind": "contract", "subject_id": p.id, "at": utc(created + 86_400), "client_id": id, "rate": {"amount": 55.0, "currency": "USD", "unit": "hour"}, "skills": ["solidity"], "title": "Quick smart-contract review", "hours_per_week": 2}));
        let text = [
            "Outstanding developer!!! Highly recommended.",
            "Best solidity dev I have worked with, 10/10.",
            "Super fast and professional. Will hire again!",
            "Excellent work, delivered before deadline.",
            "Amazing skills in DeFi, trustworthy.",
        ][k as usize];
        let rid = g.token("rv", &mut rng);
        g.push(json!({"kind": "review", "subject_id": p.id, "reviewer_id": id, "at": utc(review_at), "rating": 5, "max_rating": 5, "review_id": rid, "text": text, "reviewer_ip": vps}));
        if k == 2 {
            let mut v =
                json!({"kind": "payout_account", "subject_id": id, "at": utc(created + 3600)});
            paypal(&pp_email, &p.legal_name().to_uppercase()).fill(&mut v);
            g.push(v);
        }
        ring.push(id);
    }
    persona(
        g,
        vec![p.id.clone()],
        "dprk_review_ring_developer",
        &[
            "RF-REVIEW-MANIPULATION",
            "RF-HISTORY-SKEWED",
            "RF-PAY-CRYPTO",
            "RF-COMMS-OFF-PLATFORM",
            "RF-LINK-SHARED-IDENTITY",
            "RF-NET-ANONYMIZER",
            "RF-COMMS-NO-VIDEO",
        ],
        "A 'top-rated' blockchain developer claiming Singapore: work history entirely in blockchain and starting with 'Solidity developer' in 2012 (Solidity appeared in 2014), uniform 5-star reviews from five brand-new client accounts that log in from the developer's own VPS address and device, one of which registers the developer's PayPal account; logins from a Vultr server and Hong Kong; asks to move to Telegram and be paid in USDT-TRC20, then switches payouts to a TRON wallet.",
        "シンガポール在住を名乗る「高評価」のブロックチェーン開発者。職歴はすべてブロックチェーンで、2012年の「Solidity開発者」から始まる（Solidityの登場は2014年）。5つの新規発注者アカウントから一様な星5評価を受けるが、それらは開発者自身のVPSアドレスと端末からログインし、1つは開発者のPayPal口座を登録している。ログインはVultrのサーバーと香港から。Telegramへの移行とUSDT-TRC20での支払いを求め、途中でTRONウォレットに変更する。",
    );
    persona(
        g,
        ring,
        "dprk_review_ring_account",
        &["RF-REVIEW-MANIPULATION", "RF-LINK-SHARED-IDENTITY"],
        "Five fake client accounts of the same operator: created 2–8 days before each writes a 5-star review, logging in from the reviewee's VPS address with the reviewee's device id; one registers the reviewee's PayPal account as its own payout account.",
        "同じオペレーターによる5つの偽の発注者アカウント。星5レビューを書く2〜8日前に作成され、レビュー対象者のVPSアドレスと端末IDでログインし、1つはレビュー対象者のPayPal口座を自分の受取口座として登録している。",
    );
}

fn sanctioned_wallet(g: &mut Gen) {
    let mut rng = g.rng("dprk-sanctioned");
    let mut p = g.make_person(&mut rng, "US", Some(1));
    p.sex = 'M';
    p.rename("Samuel", "", "Kim", &mut rng);
    p.nickname = "Sam".into();
    let houston = p.home_ip.clone();
    let ips = vec![
        (IpSrc::Fixed(houston), 12),
        (IpSrc::Pool("tor"), 1),
        (IpSrc::Pool("ru_vladivostok"), 1),
    ];
    let life = covert_life(g, &p, &mut rng, "Asia/Pyongyang", 8.5, ips);
    g.push_profiles(&p, &mut rng, &["hr_system"]);
    let lived = g.live(&p.id, &life, &mut rng);
    let own = p.payee.clone();
    let wise = {
        let mut w = g.domestic_payee(&mut rng, "US", "SAMUEL KIM");
        w.provider = Some("Wise".into());
        w
    };
    let t_wallet = tron(g, &mut rng, "SAMUEL KIM");
    let sanctioned = Payee {
        account_id: g.token("pa", &mut rng),
        method: "crypto",
        beneficiary: SANCTIONED_NAME.into(),
        bank: None,
        crypto: Some(json!({"chain": "ethereum", "asset": "USDT", "address": SANCTIONED_ETH})),
        provider: None,
        currency: "USD".into(),
        fx: 1.0,
    };
    let opts = EngOpts {
        contracts: 1,
        interview: Meet::CameraOff,
        standup: Meet::CameraOff,
        payees: vec![
            (g.t0 - 80 * 86_400, own),
            (g.at_day(14), wise),
            (g.at_day(27), t_wallet),
            (g.at_day(38), sanctioned),
        ],
        clients: Some(us_clients(g)),
        first_start_day: Some(-30),
        hours_per_week: (40.0, 40.0),
        staff_aug: true,
        msg_lang: Some(Lang::En),
        ongoing: true,
        ..EngOpts::default()
    };
    let engs = g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    let dl = g.address_doc(&p, &mut rng);
    g.push(dl);
    g.staff_aug(&p, &lived, &engs[0], &mut rng, None);
    let t = in_window(&lived, 20, &mut rng);
    say(
        g,
        &p.id,
        t,
        &engs[0],
        "수수료 때문에 앞으로는 텔레그램으로 직접 연락드려도 될까요? 결제는 USDT로 부탁드립니다. (Sorry, wrong window — I meant: can we talk on Telegram and settle in USDT?)",
        "ko",
    );
    // Exfiltration burst near the end, partly from Vladivostok.
    let vlad = net::ip_in("ru_vladivostok", &mut rng);
    let burst_w = lived
        .work
        .get(lived.work.len().saturating_sub(3))
        .cloned()
        .unwrap_or((g.t0, g.t0, p.home_ip.clone()));
    let burst = burst_w.0 + 1800;
    let secrets = [
        "git:client/infra-secrets",
        "drive:/finance/q3-forecast.xlsx",
        "drive:/legal/contracts/",
        "git:client/payments-core",
        "vault:prod/db-credentials",
        "drive:/hr/salaries-2026.xlsx",
    ];
    for k in 0..140 {
        let r = secrets[k % secrets.len()];
        let sens = if r.starts_with("vault") || r.contains("secrets") {
            "secret"
        } else {
            "confidential"
        };
        let ip = if k % 4 == 0 {
            vlad.clone()
        } else {
            burst_w.2.clone()
        };
        g.push(json!({"kind": "access", "subject_id": p.id, "at": utc(burst + k as i64 * 17), "resource": format!("{r}#{k}"), "action": "download", "sensitivity": sens, "bytes": rng.range(2_000_000, 80_000_000), "ip": ip}));
    }
    persona(
        g,
        vec![p.id.clone()],
        "dprk_sanctioned_wallet_worker",
        &[
            "RF-SANCTIONED",
            "RF-PAY-CRYPTO",
            "RF-PAY-ACCOUNT-CHANGED",
            "RF-PAY-NAME-MISMATCH",
            "RF-COMMS-OFF-PLATFORM",
            "RF-ACCESS-BULK",
            "RF-ACCESS-FOREIGN",
            "RF-AVAIL-OFF-HOURS",
        ],
        "'Sam Kim', a Houston contractor working Pyongyang daytime hours, changes his payout account three times mid-contract (own bank → Wise → USDT-TRON wallet → an Ethereum address listed on the OFAC SDN list, with beneficiary name 'KIM SANG MAN' = SDN entry 43377, program DPRK4). Asks in Korean to move to Telegram and be paid in USDT. Before going quiet he downloads ~140 confidential and secret files in 40 minutes, part of them from a Vladivostok IP; occasional Tor and Vladivostok logins.",
        "平壌の日中に働くヒューストンの契約者「Sam Kim」。契約途中で受取口座を3回変更（本人の銀行→Wise→USDT-TRONウォレット→OFAC SDNリスト掲載のイーサリアムアドレス、受取人名「KIM SANG MAN」= SDN番号43377、DPRK4プログラム）。韓国語でTelegramへの移行とUSDTでの支払いを求める。連絡が途絶える前に40分で約140件の機密・極秘ファイルをダウンロードし、一部はウラジオストクのIPから。Torやウラジオストクからのログインも時々ある。",
    );
}

fn deepfake_interviewee(g: &mut Gen) {
    let mut rng = g.rng("dprk-deepfake");
    let mut p = g.make_person(&mut rng, "DE", None);
    p.sex = 'M';
    p.rename("Lukas", "", "Becker", &mut rng);
    p.reskill(&["rust", "go", "kubernetes"], &mut rng);
    p.employment = vec![
        (
            "Northwind Digital".into(),
            "Rust engineer".into(),
            "2008-04".into(),
            "2012-09".into(),
        ),
        (
            "Harbor Analytics".into(),
            "Senior Rust engineer".into(),
            "2012-10".into(),
            "2018-03".into(),
        ),
        (
            "Self-employed (freelance)".into(),
            "Rust consultant".into(),
            "2018-04".into(),
            String::new(),
        ),
    ];
    let berlin = net::ip_in("de_berlin", &mut rng);
    let ips = vec![
        // About a third of the sessions through M247: at 8:3 the expected weighted share sat
        // on the detector's 20 % line and some seeds fell below it.
        (IpSrc::Fixed(berlin), 7),
        (IpSrc::Pool("m247_amsterdam"), 4),
    ];
    let life = covert_life(g, &p, &mut rng, "Asia/Shanghai", 8.0, ips);
    let mut profs = g.profiles(
        &p,
        &["freelance_platform", "payment_platform", "resume", "social"],
        &mut rng,
    );
    for s in &mut profs {
        match s["source"].as_str() {
            Some("resume") => {
                s["legal_name"] = json!("Lucas Bekker");
                s["education"] = json!([{"institution": "Karlsruher Institut für Technologie", "degree": "MSc Informatik", "from": "2003", "to": "2008"}]);
            }
            Some("social") => {
                s["education"] = json!([{"institution": "Technische Universität Berlin", "degree": "BSc Informatik", "from": "2010", "to": "2014"}]);
                s["claimed_city"] = json!("Hamburg");
            }
            Some("payment_platform") => {
                s["nationality"] = json!("UA");
            }
            _ => {}
        }
    }
    push_all(g, profs);
    let lived = g.live(&p.id, &life, &mut rng);
    let de: Vec<usize> = g
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cc == "DE" || c.cc == "GB")
        .map(|(i, _)| i)
        .collect();
    let opts = EngOpts {
        contracts: 1,
        interview: Meet::Deepfake,
        standup: Meet::CameraOff,
        clients: Some(de),
        first_start_day: Some(5),
        ongoing: true,
        ..EngOpts::default()
    };
    let engs = g.engage(&p, &lived, &opts, &mut rng);
    // Weeks later the camera is on for once, in a client demo: the face is not the face of the
    // interview (the platform supplies a face hash per call).
    if let Some(e) = engs.first() {
        let client = g.clients[e.client].clone();
        let at = (e.start.max(g.t0) + 21 * 86_400).min(g.t0 + (g.days - 1) * 86_400) + 10 * 3_600;
        g.meeting(&p.id, at, "client_demo", Meet::CameraOn, &client, &mut rng);
    }
    let mut pass = g.passport(&p, &mut rng);
    // Forged: one digit of the document number was edited after the MRZ was printed, so the
    // document-number check digit (and the composite) no longer match.
    if let Some(mrz) = pass["mrz"].as_str().map(str::to_string) {
        let (l1, l2) = mrz.split_once('\n').unwrap_or((&mrz, ""));
        let mut b: Vec<char> = l2.chars().collect();
        b[9] = if b[9] == '7' { '3' } else { '7' };
        let l2: String = b.into_iter().collect();
        pass["mrz"] = json!(format!("{l1}\n{l2}"));
    }
    g.push(pass);
    g.check(&p.id, g.at_day(4), "DD-VIDEO-INTERVIEW", "inconclusive", "Interviewer noticed lip-sync lag and flickering face edges; candidate refused to turn sideways.");
    persona(
        g,
        vec![p.id.clone()],
        "dprk_deepfake_interviewee",
        &[
            "RF-INTERVIEW-DEEPFAKE",
            "RF-ID-FORGED",
            "RF-PROFILE-INCONSISTENT",
            "RF-HISTORY-SKEWED",
            "RF-AVAIL-OFF-HOURS",
            "RF-COMMS-NO-VIDEO",
            "RF-NET-ANONYMIZER",
        ],
        "'Lukas Becker', a Rust consultant claiming Berlin: the interview shows lip-sync mismatch and face-swap artifacts, later stand-ups are camera-off, and when the camera is on in a client demo the face is not the interview's (face hashes per call); the passport MRZ has a wrong check digit (the number was edited); name spelling (Lucas Bekker), nationality, city and university/years differ between sources; claims Rust experience from 2008 (Rust was first announced in 2010, 1.0 in 2015); activity follows UTC+8 although Europe/Berlin is claimed; about a third of the logins through M247.",
        "ベルリン在住を名乗るRustコンサルタント「Lukas Becker」。面接で口の動きと音声のずれ、顔の入れ替えの痕跡が見られ、その後の定例はカメラオフ。顧客向けデモで一度だけカメラをオンにした際の顔は面接時と別人（通話ごとの顔ハッシュ）。旅券のMRZはチェックディジットが誤っている（番号が改ざんされた）。氏名の綴り（Lucas Bekker）、国籍、都市、大学・年がソース間で異なる。2008年からのRust経験を主張（Rustの発表は2010年、1.0は2015年）。Europe/Berlinを名乗るが活動はUTC+8。ログインの約3分の1はM247経由。",
    );
}

fn exfil_contractor(g: &mut Gen) {
    let mut rng = g.rng("dprk-exfil");
    let p = g.make_person(&mut rng, "US", Some(1));
    let shenyang = net::ip_in("cn_shenyang", &mut rng);
    let ips = vec![
        (IpSrc::Fixed(p.home_ip.clone()), 10),
        (IpSrc::Fixed(shenyang.clone()), 1),
        (IpSrc::Pool("kp_star"), 1),
    ];
    let life = covert_life(g, &p, &mut rng, "Asia/Pyongyang", 9.0, ips);
    g.push_profiles(&p, &mut rng, &["hr_system"]);
    let lived = g.live(&p.id, &life, &mut rng);
    let opts = EngOpts {
        contracts: 1,
        interview: Meet::CameraOn,
        standup: Meet::CameraOff,
        clients: Some(us_clients(g)),
        first_start_day: Some(-15),
        staff_aug: true,
        ongoing: true,
        ..EngOpts::default()
    };
    let engs = g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    let mut dl = g.address_doc(&p, &mut rng);
    dl["issue_date"] = json!("2025-06-14");
    dl["expiry"] = json!("2021-06-14");
    g.push(dl);
    let e = engs[0].clone();
    let ship = e.start - 5 * 86_400;
    g.push(json!({"kind": "shipment", "subject_id": p.id, "at": utc(ship), "status": "failed", "address": p.addr.json(), "item": "client-issued laptop (ThinkPad T14)", "carrier": "UPS", "notes": "Recipient unknown at address."}));
    let other = Addr {
        line1: format!(
            "{} Bellaire Blvd Unit {}",
            rng.range(5000, 9999),
            rng.range(100, 400)
        ),
        city: "Houston".into(),
        region: "TX".into(),
        postal_code: "77036".into(),
        country: "US".into(),
    };
    g.push(json!({"kind": "shipment", "subject_id": p.id, "at": utc(ship + 2 * 86_400), "status": "redirected", "address": p.addr.json(), "redirect_address": other.json(), "item": "client-issued laptop (ThinkPad T14)", "carrier": "UPS"}));
    g.staff_aug(&p, &lived, &e, &mut rng, Some(&other));
    let ts = e.start.max(g.t0) + 86_400 + rng.range(0, 43_200);
    endpoint(
        g,
        &p.id,
        ts,
        &p.laptop,
        "running_process",
        "TeamViewer",
        "TeamViewer_Service.exe with incoming connections",
    );
    endpoint(
        g,
        &p.id,
        ts + 900,
        &p.laptop,
        "installed_software",
        "Move Mouse",
        "mouse-jiggler software keeping the session awake",
    );
    // Bulk access to secrets, partly from foreign addresses.
    let burst = lived
        .work
        .get(lived.work.len() * 2 / 3)
        .map_or(g.t0 + 86_400, |w| w.0 + 3600);
    let kp = net::ip_in("kp_star", &mut rng);
    for k in 0..90i64 {
        let ip = match k % 5 {
            0 => kp.clone(),
            1 => shenyang.clone(),
            _ => p.home_ip.clone(),
        };
        let res = [
            "git:client/infra-secrets",
            "git:client/payments-core",
            "vault:prod/api-keys",
            "drive:/security/pentest-2026.pdf",
        ][(k % 4) as usize];
        g.push(json!({"kind": "access", "subject_id": p.id, "at": utc(burst + k * 25), "resource": format!("{res}@{k}"), "action": "clone", "sensitivity": if k % 3 == 0 { "secret" } else { "confidential" }, "bytes": rng.range(10_000_000, 200_000_000), "ip": ip}));
    }
    persona(
        g,
        vec![p.id.clone()],
        "dprk_exfil_contractor",
        &[
            "RF-ACCESS-BULK",
            "RF-ACCESS-FOREIGN",
            "RF-SHIP-ADDRESS",
            "RF-ID-FORGED",
            "RF-LOGIN-MULTI-COUNTRY",
            "RF-AVAIL-OFF-HOURS",
            "RF-COMMS-NO-VIDEO",
        ],
        "A Houston contractor whose laptop delivery to the ID address fails ('recipient unknown') and is redirected elsewhere; the driver's licence expires before it was issued; TeamViewer and a mouse jiggler on the laptop; works Pyongyang daytime; logins occasionally from Shenyang and from the Star JV range in Pyongyang; clones ~90 secret/confidential repositories and documents within 40 minutes, partly from those addresses.",
        "ヒューストンの契約者。身分証の住所へのPC配送が失敗（「受取人不明」）し、別の住所へ転送される。運転免許証は発行日より前に有効期限が切れている。PCにTeamViewerとマウスジグラー。平壌の日中に働き、時々瀋陽や平壌のStar JVのアドレスからログイン。40分間で約90件の極秘・機密リポジトリや文書を複製し、一部はそれらのアドレスから。",
    );
}

fn subtle_underpriced(g: &mut Gen) {
    let mut rng = g.rng("dprk-subtle-underpriced");
    let mut p = g.make_person(&mut rng, "SG", None);
    p.reskill(&["go", "kubernetes", "aws"], &mut rng);
    p.rate = 24.0;
    let hk = net::ip_in("hk_hkt", &mut rng);
    let ips = vec![(IpSrc::Fixed(p.home_ip.clone()), 18), (IpSrc::Fixed(hk), 1)];
    let life = covert_life(g, &p, &mut rng, "Asia/Shanghai", 9.0, ips);
    g.push_profiles(&p, &mut rng, &[]);
    let lived = g.live(&p.id, &life, &mut rng);
    let opts = EngOpts {
        contracts: 2,
        interview: Meet::CameraOn,
        standup: Meet::CameraOff,
        ongoing: true,
        ..EngOpts::default()
    };
    g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    persona(
        g,
        vec![p.id.clone()],
        "dprk_subtle_underpriced",
        &["RF-PAY-UNDERPRICED", "RF-COMMS-NO-VIDEO"],
        "SUBTLE. A 'Singapore' Go/Kubernetes engineer charging USD 24/h (Singapore peers for the same skills ≈ USD 55–85) who did the interview on camera but keeps the camera off in every stand-up; one login from Hong Kong. Nothing else stands out.",
        "【微弱】時給24米ドル（同スキルのシンガポールの相場は約55〜85米ドル）の「シンガポール在住」Go/Kubernetesエンジニア。面接はカメラオンだったが、定例では常にカメラオフ。香港からのログインが1回。他に目立つ点はない。",
    );
}

fn subtle_payout_switcher(g: &mut Gen) {
    let mut rng = g.rng("dprk-subtle-switcher");
    let p = g.make_person(&mut rng, "UA", None);
    let life = covert_life(
        g,
        &p,
        &mut rng,
        "Europe/Kyiv",
        9.0,
        vec![(IpSrc::Fixed(p.home_ip.clone()), 1)],
    );
    let mut profs = g.profiles(
        &p,
        &["freelance_platform", "payment_platform", "resume"],
        &mut rng,
    );
    for s in &mut profs {
        if s["source"] == "resume" {
            s["claimed_city"] = json!("Kharkiv");
            if let Some(e) = s["education"].as_array_mut().and_then(|a| a.first_mut()) {
                let to: i64 = e["to"]
                    .as_str()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(2015);
                e["to"] = json!((to + 2).to_string());
                e["institution"] = json!("Kharkiv National University of Radio Electronics");
            }
        }
    }
    push_all(g, profs);
    let lived = g.live(&p.id, &life, &mut rng);
    let own = p.payee.clone();
    let name = p.legal_name().to_uppercase();
    let second = g.domestic_payee(&mut rng, "UA", &name);
    let third = Payee {
        account_id: g.token("pa", &mut rng),
        method: "wallet",
        beneficiary: name.clone(),
        bank: None,
        crypto: None,
        provider: Some("Payoneer".into()),
        currency: "USD".into(),
        fx: 1.0,
    };
    let fourth = g.domestic_payee(&mut rng, "UA", &name);
    let opts = EngOpts {
        contracts: 1,
        payees: vec![
            (g.t0 - 60 * 86_400, own),
            (g.at_day(12), second),
            (g.at_day(25), third),
            (g.at_day(41), fourth),
        ],
        first_start_day: Some(-20),
        ongoing: true,
        ..EngOpts::default()
    };
    g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    persona(
        g,
        vec![p.id.clone()],
        "dprk_subtle_payout_switcher",
        &["RF-PAY-ACCOUNT-CHANGED", "RF-PROFILE-INCONSISTENT"],
        "SUBTLE. A 'Kyiv' developer with normal hours and a home IP whose payout account changes three times during one contract (all in their own name), and whose resume gives another city and a different university and graduation year than the platform profile.",
        "【微弱】通常の業務時間・自宅IPの「キーウ在住」開発者。1つの契約の途中で受取口座が3回変わり（いずれも本人名義）、履歴書の都市・大学・卒業年がプラットフォームのプロフィールと異なる。",
    );
}

fn subtle_hours(g: &mut Gen) {
    let mut rng = g.rng("dprk-subtle-hours");
    let mut p = g.make_person(&mut rng, "US", Some(2));
    p.reskill(&["solidity", "typescript", "react"], &mut rng);
    p.rate = (world::skill_rate("solidity") * 0.9).round();
    p.employment = vec![
        (
            "ChainForge Labs".into(),
            "Blockchain developer".into(),
            "2016-02".into(),
            "2019-08".into(),
        ),
        (
            "TokenGate Protocol".into(),
            "Smart-contract engineer".into(),
            "2019-09".into(),
            "2023-01".into(),
        ),
        (
            "DeFi Yield Partners".into(),
            "Senior Solidity engineer".into(),
            "2023-02".into(),
            String::new(),
        ),
    ];
    let life = covert_life(
        g,
        &p,
        &mut rng,
        "Asia/Pyongyang",
        6.0,
        vec![(IpSrc::Fixed(p.home_ip.clone()), 1)],
    );
    // The résumé is always there: the career is part of what the persona is about.
    g.push_profiles(&p, &mut rng, &["resume"]);
    let lived = g.live(&p.id, &life, &mut rng);
    let opts = EngOpts {
        contracts: 1,
        clients: Some(us_clients(g)),
        first_start_day: Some(-10),
        ongoing: true,
        ..EngOpts::default()
    };
    g.engage(&p, &lived, &opts, &mut rng);
    let pass = g.passport(&p, &mut rng);
    g.push(pass);
    persona(
        g,
        vec![p.id.clone()],
        "dprk_subtle_hours",
        &["RF-AVAIL-OFF-HOURS", "RF-HISTORY-SKEWED"],
        "SUBTLE. A 'Chicago' Solidity developer with a clean residential IP, consistent profiles and camera-on meetings, but whose activity runs from mid-afternoon to the small hours Chicago time (Pyongyang daytime), so morning messages are answered hours late, and whose whole career is in blockchain companies.",
        "【微弱】住宅用IPはきれいで、プロフィールも一貫し、会議もカメラオンの「シカゴ在住」Solidity開発者。ただし活動はシカゴ時間の午後半ばから深夜（平壌の日中）で、午前のメッセージへの返信は数時間遅れ、職歴はすべてブロックチェーン企業。",
    );
}
