//! Tests that need no downloaded data: the built-in sample, e-mail syntax,
//! phone numbers, banks and wallet checksums.

use std::net::IpAddr;

use kensa_enrich::{Intel, NetClass, bank, phone};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn builtin_sample_knows_the_dprk_range() {
    let intel = Intel::builtin();
    assert!(intel.is_builtin_sample());
    let st = &intel.status()[0];
    assert_eq!(st.name, "builtin-sample");
    assert!(
        st.note
            .as_deref()
            .unwrap()
            .contains("small built-in sample")
    );
    assert!(st.entries >= 30);

    let info = intel.lookup_ip(ip("175.45.176.1"));
    assert_eq!(info.country.as_deref(), Some("KP"));
    assert_eq!(info.city.as_deref(), Some("Pyongyang"));
    assert_eq!(info.asn, Some(131279));
    assert_eq!(info.org.as_deref(), Some("Star Joint Venture Co. Ltd."));
    assert_eq!(info.latitude, Some(39.0392));
    assert_eq!(info.accuracy_km, Some(50.0));
    assert!(info.classes.is_empty());
    assert_eq!(info.sources, ["builtin-sample"]);
    assert_eq!(
        info.summary(),
        "175.45.176.1 → KP, Pyongyang, AS131279 Star Joint Venture Co. Ltd."
    );
}

#[test]
fn builtin_range_edges() {
    let intel = Intel::builtin();
    // 175.45.176.0/22 covers 175.45.176.0 - 175.45.179.255.
    for inside in ["175.45.176.0", "175.45.179.255"] {
        assert_eq!(
            intel.lookup_ip(ip(inside)).country.as_deref(),
            Some("KP"),
            "{inside}"
        );
    }
    for outside in ["175.45.175.255", "175.45.180.0"] {
        assert_ne!(
            intel.lookup_ip(ip(outside)).country.as_deref(),
            Some("KP"),
            "{outside}"
        );
    }
    // IPv4-mapped IPv6 addresses use the IPv4 table.
    assert_eq!(
        intel
            .lookup_ip(ip("::ffff:175.45.176.1"))
            .country
            .as_deref(),
        Some("KP")
    );
    // An address no sample range covers.
    let none = intel.lookup_ip(ip("2001:db8::1"));
    assert_eq!(none.country, None);
    assert!(none.summary().ends_with("unknown"));
}

#[test]
fn builtin_classes_carry_their_source() {
    let intel = Intel::builtin();
    let m247 = intel.lookup_ip(ip("89.238.130.1"));
    assert!(m247.has_class(NetClass::Vpn) && m247.has_class(NetClass::Hosting));
    assert!(m247.is_anonymizer());
    assert!(m247.classes.iter().all(|h| h.source == "builtin-sample"));

    let relay = intel.classify_ip(ip("172.224.1.1"));
    assert!(relay.contains(NetClass::Relay));
    assert!(
        !relay.is_anonymizer(),
        "a privacy relay is not counted as an anonymiser"
    );

    let mobile = intel.lookup_ip(ip("126.10.10.10"));
    assert!(mobile.has_class(NetClass::Mobile) && !mobile.is_anonymizer());

    // Serialised class names are lowercase.
    let json = serde_json::to_string(&m247).unwrap();
    assert!(json.contains("\"class\":\"vpn\""), "{json}");
    let back: kensa_enrich::IpInfo = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m247);
}

#[test]
fn email_checks() {
    let intel = Intel::builtin();
    let g = intel.email("  Kim.Chol+jobs@Gmail.com ");
    assert!(g.valid && g.free_mail && !g.disposable);
    assert_eq!(g.domain.as_deref(), Some("gmail.com"));
    assert_eq!(g.hits[0].source, "builtin-free-mail");
    assert!(intel.email("x@gmx.net").free_mail);
    assert!(intel.email("x@163.com").free_mail);
    let corp = intel.email("hr@example.co.jp");
    assert!(corp.valid && !corp.free_mail);
    for bad in ["no-at-sign", "a@b", "two@@x.com", "a@x..com", ""] {
        let r = intel.email(bad);
        assert!(!r.valid, "{bad:?}");
        assert!(r.error.is_some());
    }
}

#[test]
fn phone_numbers() {
    let us = phone("+1 650-253-0000", None);
    assert!(us.valid);
    assert_eq!(us.e164.as_deref(), Some("+16502530000"));
    assert_eq!(us.country.as_deref(), Some("US"));

    let jp = phone("090-1234-5678", Some("JP"));
    assert!(jp.valid, "{jp:?}");
    assert_eq!(jp.e164.as_deref(), Some("+819012345678"));
    assert_eq!(jp.line_type.as_deref(), Some("mobile"));

    // UK 056 numbers are VoIP in libphonenumber's metadata.
    let voip = phone("+44 56 0123 4567", None);
    assert_eq!(voip.line_type.as_deref(), Some("voip"), "{voip:?}");
    assert!(voip.is_voip);

    let kp = phone("+850 2 381 2222", None);
    assert_eq!(kp.country.as_deref(), Some("KP"), "{kp:?}");

    for bad in ["", "hello", "+", "12", "+999 123", &"9".repeat(500)] {
        let r = phone(bad, None);
        assert!(!r.valid, "{bad:?}");
        assert!(r.error.is_some(), "{bad:?}");
    }
    assert!(phone("0312345678", Some("ZZ")).error.is_some());
}

#[test]
fn banks_prc_versus_hong_kong() {
    // A mainland BIC decides, whatever the name says.
    let cn = bank(None, Some("BKCHCNBJ"), Some("Bank of China"), None);
    assert_eq!(cn.bic_valid, Some(true));
    assert_eq!(cn.country.as_deref(), Some("CN"));
    assert_eq!(cn.country_source.as_deref(), Some("bic"));
    assert!(cn.is_prc);
    assert!(cn.prc_reason.as_deref().unwrap().contains("BKCHCNBJ"));

    // The Hong Kong subsidiary is not a PRC destination.
    let hk = bank(
        None,
        Some("BKCHHKHH"),
        Some("Bank of China (Hong Kong) Limited"),
        None,
    );
    assert_eq!(hk.country.as_deref(), Some("HK"));
    assert!(!hk.is_prc);
    assert_eq!(hk.prc_bank.as_deref(), Some("Bank of China"));
    assert!(hk.prc_reason.as_deref().unwrap().contains("not mainland"));

    // Names alone, in Chinese and English.
    for name in [
        "中国工商银行",
        "中國建設銀行 深圳分行",
        "Agricultural Bank of China, Dandong Branch",
        "China Merchants Bank",
        "招商银行",
        "Postal Savings Bank of China",
        "交通银行",
        "Shanghai Pudong Development Bank",
    ] {
        let r = bank(None, None, Some(name), None);
        assert!(r.is_prc, "{name}: {r:?}");
        assert_eq!(r.country_source.as_deref(), Some("bank_name"));
    }
    assert_eq!(
        bank(None, None, Some("Agricultural Bank of China"), None)
            .prc_bank
            .as_deref(),
        Some("Agricultural Bank of China")
    );
    // Hong Kong, Macau and Taiwan stay distinct.
    assert_eq!(
        bank(None, None, Some("中國銀行(香港)"), None)
            .country
            .as_deref(),
        Some("HK")
    );
    assert_eq!(
        bank(None, None, Some("Bank of China Macau Branch"), None)
            .country
            .as_deref(),
        Some("MO")
    );
    assert!(!bank(None, None, Some("ICBC (Asia)"), None).is_prc);
    assert_eq!(
        bank(None, None, Some("Bank of Taiwan"), Some("Taiwan"))
            .country
            .as_deref(),
        Some("TW")
    );
    // An explicit country field.
    assert!(
        bank(
            None,
            None,
            Some("Some Bank"),
            Some("People's Republic of China")
        )
        .is_prc
    );
    assert!(!bank(None, None, Some("Industrial Bank of Korea"), None).is_prc);
    // Not a PRC bank at all.
    let de = bank(
        Some("DE89 3704 0044 0532 0130 00"),
        Some("COBADEFFXXX"),
        Some("Commerzbank"),
        None,
    );
    assert_eq!(de.iban_valid, Some(true));
    assert_eq!(de.iban_country.as_deref(), Some("DE"));
    assert_eq!(de.country.as_deref(), Some("DE"));
    assert!(!de.is_prc && de.prc_reason.is_none() && de.errors.is_empty());
}

#[test]
fn malformed_iban_and_bic() {
    let cases = [
        (Some("DE89 3704 0044 0532 0130 01"), None, "checksum"),
        (Some("DE89 3704 0044 0532 0130"), None, "must have 22"),
        (
            Some("CN89 3704 0044 0532 0130 00"),
            None,
            "does not use IBAN",
        ),
        (Some("12345"), None, "two letters"),
        (
            Some("DE89 3704 0044 0532 0130 0!"),
            None,
            "invalid character",
        ),
        (None, Some("BKCH"), "8 or 11"),
        (None, Some("BKCHZZBJ"), "not an ISO country"),
        (None, Some("B1CHCNBJ"), "letters"),
        (None, Some("BKCHCNBJ12!"), "letters or digits"),
        (None, Some("银行银行银行银行"), "non-ASCII"),
    ];
    for (iban, bic, want) in cases {
        let r = bank(iban, bic, None, None);
        assert!(
            r.errors.iter().any(|e| e.contains(want)),
            "{iban:?} {bic:?}: {:?}",
            r.errors
        );
        assert!(r.iban_valid != Some(true) && r.bic_valid != Some(true));
        assert!(r.country.is_none());
    }
    // A conflict between fields is noted, and the BIC wins.
    let mixed = bank(
        Some("GB82 WEST 1234 5698 7654 32"),
        Some("BKCHCNBJ"),
        None,
        None,
    );
    assert_eq!(mixed.country.as_deref(), Some("CN"));
    assert!(
        mixed.notes.iter().any(|n| n.contains("iban says GB")),
        "{:?}",
        mixed.notes
    );
}

/// Changes one character of an address to another character of the same
/// class (so the format stays plausible and only the checksum breaks).
fn flip(addr: &str, pos: usize) -> String {
    let mut chars: Vec<char> = addr.chars().collect();
    let c = chars[pos];
    chars[pos] = match c {
        'a'..='y' | 'A'..='Y' | '1'..='8' => char::from(c as u8 + 1),
        'z' => 'x',
        'Z' => 'X',
        _ => '2',
    };
    // Base58 has no 0, O, I or l; bech32 has no 1, b, i or o.
    chars[pos] = match chars[pos] {
        'O' => 'P',
        'I' => 'J',
        'l' => 'm',
        'b' => 'c',
        'i' => 'j',
        'o' => 'p',
        other => other,
    };
    chars.into_iter().collect()
}

#[test]
fn wallet_chains_and_checksums() {
    let intel = Intel::builtin();
    let valid = [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc", "p2pkh"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc", "p2sh"),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "btc",
            "p2wpkh",
        ),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "btc",
            "p2wpkh",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "btc",
            "p2tr",
        ),
        (
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "evm",
            "account",
        ),
        (
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "evm",
            "account",
        ),
        ("TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre", "tron", "account"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron", "account"),
        ("LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb", "ltc", "p2pkh"),
    ];
    for (addr, chain, kind) in valid {
        let w = intel.wallet(addr, None);
        assert!(w.valid, "{addr}: {w:?}");
        assert!(w.checksum_verified, "{addr}");
        assert_eq!(w.chain.as_deref(), Some(chain), "{addr}");
        assert_eq!(w.address_type.as_deref(), Some(kind), "{addr}");
        // Flipping one character breaks every checksum (position 10 is in
        // the payload for all of these formats).
        let bad = flip(addr, 10);
        let wb = intel.wallet(&bad, None);
        assert!(!wb.valid, "{bad} should fail: {wb:?}");
        assert!(wb.error.is_some(), "{bad}");
        let family = if chain == "evm" { "evm" } else { chain };
        assert_eq!(
            wb.chain.as_deref(),
            Some(family),
            "chain still detected for {bad}"
        );
    }
    // EIP-55: flipping the case of one letter breaks the checksum.
    let w = intel.wallet("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", None);
    assert!(!w.valid);
    assert!(w.error.as_deref().unwrap().contains("EIP-55"));
    // Single-case EVM addresses are valid but carry no checksum.
    let lower = intel.wallet("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", Some("ETH"));
    assert!(lower.valid && !lower.checksum_verified);
    assert_eq!(lower.chain.as_deref(), Some("eth"));
    // A hint that contradicts the address.
    let wrong = intel.wallet("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Some("TRON"));
    assert!(!wrong.valid && wrong.error.as_deref().unwrap().contains("not tron"));
    // Garbage.
    for junk in [
        "",
        "hello",
        "0x123",
        "0xZZaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "bc1",
        "🙂🙂🙂",
    ] {
        let r = intel.wallet(junk, None);
        assert!(!r.valid && r.error.is_some(), "{junk:?}");
    }
}

#[test]
fn builtin_doc_claims_hold() {
    let intel = Intel::builtin();
    assert!(intel.attributions().is_empty());
    assert_eq!(intel.status().len(), 1);
    let set = intel.classify_ip(ip("185.220.101.7"));
    let hits = intel.class_hits(&set);
    assert!(hits.iter().any(|h| h.class == NetClass::Tor));
    let (class, source, label) = intel.tag(set.tag_indices().next().unwrap()).unwrap();
    assert!(set.contains(class));
    assert_eq!(intel.source_name(source), "builtin-sample");
    assert_eq!(label, None);
}

/// Pseudo-random junk through every free-text entry point: nothing may
/// panic, whatever the input.
#[test]
fn junk_input_never_panics() {
    let intel = Intel::builtin();
    let alphabet: Vec<char> = "0123456789+-() .#*xX@abcABCT1Lqpz3bc1ltc0x中银行🙂\u{0}\u{200b}"
        .chars()
        .collect();
    let mut x: u64 = 42;
    for _ in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 40) as usize;
        let s: String = (0..len)
            .map(|i| alphabet[((x >> (i % 50)) as usize + i * 7) % alphabet.len()])
            .collect();
        let _ = phone(&s, None);
        let _ = phone(&s, Some("JP"));
        let _ = bank(Some(&s), Some(&s), Some(&s), Some(&s));
        let _ = intel.wallet(&s, None);
        let _ = intel.wallet(&s, Some("btc"));
        let _ = intel.email(&s);
    }
}

#[test]
fn result_types_round_trip_through_json() {
    let intel = Intel::builtin();
    let mut st = intel.status()[0].clone();
    // serde_json's default float parsing may differ in the last bit.
    st.load_ms = 1.5;
    let back: kensa_enrich::SourceStatus =
        serde_json::from_str(&serde_json::to_string(&st).unwrap()).unwrap();
    assert_eq!(back, st);
    let e = intel.email("a@gmail.com");
    assert_eq!(
        serde_json::from_str::<kensa_enrich::EmailInfo>(&serde_json::to_string(&e).unwrap())
            .unwrap(),
        e
    );
    let w = intel.wallet("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", None);
    assert_eq!(
        serde_json::from_str::<kensa_enrich::WalletInfo>(&serde_json::to_string(&w).unwrap())
            .unwrap(),
        w
    );
    let p = phone("+81 90 1234 5678", None);
    assert_eq!(
        serde_json::from_str::<kensa_enrich::PhoneInfo>(&serde_json::to_string(&p).unwrap())
            .unwrap(),
        p
    );
    let b = bank(None, Some("BKCHCNBJ"), None, None);
    assert_eq!(
        serde_json::from_str::<kensa_enrich::BankInfo>(&serde_json::to_string(&b).unwrap())
            .unwrap(),
        b
    );
    // Debug of the whole store is a summary, not millions of ranges.
    assert!(format!("{intel:?}").len() < 1000);
}
