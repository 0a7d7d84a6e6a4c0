//! The list loaders parse the real published files, recognise formats from content, join OFAC
//! files and read wallets from OFAC remarks.

mod common;

use kensa_screen::{
    DEFAULT_THRESHOLD, ListFormat, Query, ScreenError, Screener, Watchlists, run_screen,
};
use std::io::Write;
use std::path::PathBuf;

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kensa-screen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::File::create(&p)
        .and_then(|mut f| f.write_all(content.as_bytes()))
        .expect("temp file");
    p
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn ofac_triple_is_joined_and_orphans_counted() {
    let Some((lists, _)) = common::ofac_un() else {
        return;
    };
    let s = lists.summary();
    let ofac = s
        .iter()
        .find(|s| s.list == "OFAC-SDN")
        .expect("OFAC summary");
    assert_eq!(ofac.format, ListFormat::OfacCsv);
    assert_eq!(ofac.entries, 14_965);
    assert!(ofac.aliases > 10_000, "{ofac:?}");
    assert!(
        ofac.orphans > 0,
        "the 2025 alt/add files have entries newer than the 2024 sdn.csv"
    );
    let komid = lists
        .entries()
        .iter()
        .find(|e| e.id == "9345")
        .expect("KOMID");
    assert!(
        komid.weak_aliases.iter().any(|a| a == "KOMID") && !komid.aliases.contains(&"KOMID".into()),
        "the remarks' a.k.a.s are OFAC's weak aliases"
    );
    assert!(
        komid
            .aliases
            .iter()
            .any(|a| a == "CHANGGWANG SINYONG CORPORATION"),
        "alias from alt.csv"
    );
    assert!(!komid.addresses.is_empty(), "address from add.csv");
    let kim = lists
        .entries()
        .iter()
        .find(|e| e.id == "17614")
        .expect("KIM Yong Chol");
    assert_eq!(kim.birth_dates[0].year, 1962);
    assert_eq!(kim.birth_dates[0].month, Some(2));
    assert_eq!(kim.nationalities, vec!["KP"]);
    let old = lists
        .entries()
        .iter()
        .find(|e| e.id == "12211")
        .expect("KIM Yong Chol, circa");
    assert!(old.birth_dates.iter().all(|d| d.circa));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn older_ofac_set_loads() {
    let Some(dir) = common::need("sanctions/ofac-2021-07") else {
        return;
    };
    let files = ["add.csv", "sdn.csv", "alt.csv"].map(|f| dir.join(f));
    let lists = Watchlists::load(&files).expect("2021 OFAC set loads");
    let s = &lists.summary()[0];
    assert!(s.entries > 8_000 && s.aliases > 5_000, "{s:?}");
    assert_eq!(s.orphans, 0, "a consistent set has no orphans");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn un_xml_parses() {
    let Some((lists, _)) = common::ofac_un() else {
        return;
    };
    let un: Vec<_> = lists
        .entries()
        .iter()
        .filter(|e| e.list == "UN-SC")
        .collect();
    assert_eq!(un.len(), 1_003);
    let dprk = un.iter().filter(|e| e.is_dprk()).count();
    assert_eq!(dprk, 155, "80 DPRK individuals and 75 entities");
    let ko = un
        .iter()
        .find(|e| e.reference.as_deref() == Some("KPi.011"))
        .expect("KPi.011");
    assert_eq!(ko.name, "KO CH'O'L-CHAE");
    assert_eq!(ko.nationalities, vec!["KP"]);
    assert!(
        un.iter()
            .any(|e| !e.birth_dates.is_empty() && e.birth_dates[0].to_year.is_some()),
        "FROM_YEAR/TO_YEAR ranges"
    );
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn opensanctions_ftm_parses() {
    let Some(t1) = common::need("sanctions/opensanctions-ftm/yente/t1/entities.ftm.json") else {
        return;
    };
    let Some(zala) = common::need("sanctions/opensanctions-ftm/yente/zala/entities.ftm.json")
    else {
        return;
    };
    let lists = Watchlists::load(&[t1, zala]).expect("FTM files load");
    let s = lists.summary();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].format, ListFormat::FtmJson);
    assert_eq!(s[0].entries, 6, "4 persons and 2 organisations");
    assert_eq!(s[1].entries, 17, "6 persons and 11 companies");
    assert!(
        s[1].skipped > 0,
        "sanctions, addresses and relations are skipped"
    );
    assert!(lists.entries().iter().any(|e| !e.birth_dates.is_empty()));
    assert!(lists.entries().iter().all(|e| e.list == "OpenSanctions"));
    // Multi-script names: a Cyrillic alias finds its entity.
    let screener = Screener::new(&lists);
    let e = lists
        .entries()
        .iter()
        .find(|e| {
            e.aliases
                .iter()
                .any(|a| a.chars().any(|c| ('а'..='я').contains(&c)))
        })
        .expect("a Cyrillic alias");
    let alias = e
        .aliases
        .iter()
        .find(|a| a.chars().any(|c| ('а'..='я').contains(&c)))
        .expect("alias");
    let ms = screener.screen(&Query::name(alias.clone()), DEFAULT_THRESHOLD);
    assert_eq!(ms.first().map(|m| m.entry_id.as_str()), Some(e.id.as_str()));
}

#[test]
fn custom_csv_loads_and_wallets_match() {
    let p = tmp(
        "team-list.csv",
        "id,name,aliases,birth_date,nationality,wallets,programs\n\
         T-1,Chosun Example Trading Co.,Example Trading|예시무역,,KP,ETH:0xAbC0000000000000000000000000000000000001,internal-dprk\n\
         T-2,\"PAK, Song Il\",Park Sung-il,1980-03-04,KP,bc1qexampleexampleexample,internal\n",
    );
    let lists = Watchlists::load(std::slice::from_ref(&p)).expect("custom list loads");
    let s = &lists.summary()[0];
    assert_eq!(
        (s.list.as_str(), s.format, s.entries, s.aliases, s.wallets),
        ("team-list", ListFormat::CustomCsv, 2, 3, 2)
    );
    let screener = Screener::new(&lists);
    let w = screener.screen_wallet("0xabc0000000000000000000000000000000000001");
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].entry_id.as_str(), w[0].currency.as_str()),
        ("T-1", "ETH")
    );
    assert!(
        screener
            .screen_wallet("bc1qEXAMPLEexampleexample")
            .is_empty(),
        "non-hex addresses are case-sensitive"
    );
    let ms = screener.screen(&Query::name("Park Song-Il"), DEFAULT_THRESHOLD);
    assert_eq!(ms[0].entry_id, "T-2");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn ofac_remarks_yield_wallets_and_a_wallet_query_hits() {
    let Some((lists, screener)) = common::ofac_un() else {
        return;
    };
    let with_wallets: Vec<_> = lists
        .entries()
        .iter()
        .filter(|e| !e.wallets.is_empty())
        .collect();
    assert!(with_wallets.len() > 30, "{}", with_wallets.len());
    // The first address in the 2024 file, from the remarks "Digital Currency Address - XBT 12QtD5...".
    let hits = screener.screen_wallet("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].currency, "XBT");
    // Addresses from the independent per-asset extract of the SDN list that were listed by May 2024.
    let Some(dir) = common::need("crypto") else {
        return;
    };
    let mut listed = 0;
    let mut found = 0;
    for entry in std::fs::read_dir(dir).expect("crypto dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|x| x == "txt") {
            for a in std::fs::read_to_string(&path)
                .expect("wallet file")
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                listed += 1;
                if !screener.screen_wallet(a).is_empty() {
                    found += 1;
                }
            }
        }
    }
    println!(
        "{found} of {listed} addresses of the 2024-09 extract are in the 2024-05 sdn.csv remarks"
    );
    assert!(found >= 200, "{found} of {listed}");
}

#[test]
fn unknown_formats_and_bad_records_name_file_and_line() {
    let p = tmp("notes.txt", "hello world\n");
    match Watchlists::load(std::slice::from_ref(&p)) {
        Err(ScreenError::UnknownFormat { path, .. }) => assert_eq!(path, p),
        other => panic!("expected UnknownFormat, got {other:?}"),
    }
    let p = tmp(
        "bad.jsonl",
        "{\"schema\":\"Person\",\"id\":\"x\",\"properties\":{\"name\":[\"A B\"]}}\n{\"schema\": oops}\n",
    );
    match Watchlists::load(std::slice::from_ref(&p)) {
        Err(e @ ScreenError::Parse { line: 2, .. }) => {
            assert!(e.to_string().contains("bad.jsonl:2"))
        }
        other => panic!("expected a parse error on line 2, got {other:?}"),
    }
    let p = tmp("alt-only.csv", "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \n");
    assert!(matches!(
        Watchlists::load(&[p]),
        Err(ScreenError::UnknownFormat { .. })
    ));
}

#[test]
fn run_screen_writes_one_line_per_query_in_order() {
    let list = tmp(
        "run-list.csv",
        "id,name,aliases,birth_date,nationality,wallets,programs\nX1,\"KIM, Jong Un\",,1984-01-08,KP,,DPRK3\n",
    );
    let input = tmp(
        "queries.txt",
        "Kim Jong-un\n\nSato Yuki\n{\"name\":\"김정은\",\"birth_date\":\"1984\",\"country\":\"KP\"}\n",
    );
    let lists = Watchlists::load(&[list]).expect("list");
    let mut out = Vec::new();
    let stats = run_screen(&input, &lists, DEFAULT_THRESHOLD, &mut out).expect("screen runs");
    assert_eq!((stats.queries, stats.matched), (3, 2));
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["query"], "Kim Jong-un");
    assert_eq!(lines[1]["matches"].as_array().map(Vec::len), Some(0));
    let m = &lines[2]["matches"][0];
    assert_eq!(lines[2]["query"], "김정은");
    assert_eq!(
        (
            m["list"].as_str(),
            m["entry_id"].as_str(),
            m["matched_name"].as_str()
        ),
        (Some("run-list"), Some("X1"), Some("KIM, Jong Un"))
    );
    assert_eq!(m["programs"][0], "DPRK3");
    assert!(m["score"].as_f64().is_some_and(|s| s > 0.9 && s <= 1.0));
    assert_eq!(m["explanation"][0]["how"], "hangul");
    assert!(m["evidence"].as_array().is_some_and(|e| e.len() == 2));

    let bad = tmp("bad-queries.jsonl", "Kim\n{\"nam\": 1}\n");
    let err =
        run_screen(&bad, &lists, DEFAULT_THRESHOLD, &mut Vec::new()).expect_err("bad JSON line");
    assert!(err.to_string().contains("bad-queries.jsonl:2"), "{err}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn truncated_and_garbled_files_do_not_panic() {
    let Some(dir) = common::need("sanctions") else {
        return;
    };
    for (name, file) in [
        ("sdn", "ofac-sdn-2024-05-03.csv"),
        ("alt", "ofac-alt-2025-12.csv"),
        ("un", "un-consolidated-2026-02.xml"),
        ("ftm", "opensanctions-ftm/yente/t1/entities.ftm.json"),
    ] {
        let bytes = std::fs::read(dir.join(file)).expect("list file");
        for cut in [1usize, 17, 500, 4_099, 20_000] {
            let mut part = bytes[..cut.min(bytes.len())].to_vec();
            // Garble one byte in the middle as well.
            let mid = part.len() / 2;
            part[mid] = b'"';
            let p = tmp(
                &format!("cut-{name}-{cut}"),
                &String::from_utf8_lossy(&part),
            );
            let _ = Watchlists::load(&[p]);
        }
    }
}
