//! Every DPRK entry of the OFAC SDN list must be found from each of its names and from common
//! variants of them (reordered tokens, hyphens, alternative romanisations, native scripts).

mod common;

use kensa_screen::{DEFAULT_THRESHOLD, Query};

fn found(screener: &kensa_screen::Screener, name: &str, list: &str, id: &str) -> bool {
    screener
        .screen(&Query::name(name), DEFAULT_THRESHOLD)
        .iter()
        .any(|m| m.list == list && m.entry_id == id)
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn every_dprk_entry_is_found_from_every_listed_name() {
    let Some((lists, screener)) = common::ofac_un() else {
        return;
    };
    let dprk: Vec<_> = lists
        .entries()
        .iter()
        .filter(|e| e.list == "OFAC-SDN" && e.is_dprk())
        .collect();
    assert!(
        dprk.len() >= 480,
        "expected the 484 DPRK entries, got {}",
        dprk.len()
    );
    let mut misses = Vec::new();
    let mut names = 0;
    for e in &dprk {
        for n in e.all_names() {
            names += 1;
            if !found(screener, n, "OFAC-SDN", &e.id) {
                misses.push(format!("{} {n:?}", e.id));
            }
        }
    }
    println!(
        "{} DPRK entries, {names} names, {} missed",
        dprk.len(),
        misses.len()
    );
    assert!(misses.is_empty(), "missed: {misses:#?}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn alias_clusters_are_found() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    let Some(path) = common::need("names/ofac-dprk-alias-clusters.csv") else {
        return;
    };
    let mut rdr = csv::Reader::from_path(path).expect("clusters file opens");
    let (mut total, mut misses) = (0, Vec::new());
    for rec in rdr.records() {
        let rec = rec.expect("clusters record");
        let (id, primary, alias) = (&rec[0], &rec[1], &rec[5]);
        if primary.is_empty() {
            // The entry is newer than the 2024 sdn.csv: its aliases are orphans there.
            continue;
        }
        for name in [primary, alias] {
            total += 1;
            if !found(screener, name, "OFAC-SDN", id) {
                misses.push(format!("{id} {name:?}"));
            }
        }
    }
    println!("{total} cluster names, {} missed", misses.len());
    assert!(misses.is_empty(), "missed: {misses:#?}");
}

/// Alternative romanisations of common syllables of North Korean names.
const SWAPS: &[(&str, &str)] = &[
    ("yong", "young"),
    ("chol", "cheol"),
    ("jong", "jeong"),
    ("chong", "jeong"),
    ("hyok", "hyeok"),
    ("sok", "seok"),
    ("song", "seong"),
    ("kwang", "gwang"),
    ("ri", "lee"),
    ("pak", "park"),
    ("choe", "choi"),
    ("kim", "gim"),
    ("o", "oh"),
    ("ryu", "yoo"),
    ("kang", "gang"),
    ("pyong", "byeong"),
    ("hyon", "hyun"),
    ("chun", "choon"),
    ("myong", "myeong"),
    ("jang", "chang"),
];

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn variants_of_dprk_individuals_are_found() {
    let Some((lists, screener)) = common::ofac_un() else {
        return;
    };
    let mut total = 0;
    let mut misses = Vec::new();
    for e in lists.entries().iter().filter(|e| {
        e.list == "OFAC-SDN" && e.is_dprk() && e.kind == kensa_screen::EntityKind::Individual
    }) {
        let Some((surname, given)) = e.name.split_once(',') else {
            continue;
        };
        let surname = surname.trim().to_lowercase();
        let given: Vec<String> = given
            .split([' ', '-'])
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
            .collect();
        if given.is_empty() || surname.contains(' ') {
            continue;
        }
        let swap = |t: &str| {
            SWAPS
                .iter()
                .find(|(a, _)| *a == t)
                .map(|(_, b)| b.to_string())
                .unwrap_or_else(|| t.to_string())
        };
        let variants = [
            format!("{} {}", given.join(" "), surname),
            format!("{} {}", surname, given.join("-")),
            format!("{} {}", given.join("-"), surname),
            format!("{} {}", surname, given.concat()),
            format!("{} {}", given.concat(), surname).to_uppercase(),
            format!(
                "{} {}",
                swap(&surname),
                given.iter().map(|g| swap(g)).collect::<Vec<_>>().join("-")
            ),
            format!(
                "{} {}",
                given.iter().map(|g| swap(g)).collect::<Vec<_>>().concat(),
                swap(&surname)
            ),
        ];
        for v in variants {
            total += 1;
            if !found(screener, &v, "OFAC-SDN", &e.id) {
                misses.push(format!("{} {:?} <- {v:?}", e.id, e.name));
            }
        }
    }
    println!("{total} variants, {} missed", misses.len());
    assert!(misses.is_empty(), "missed: {misses:#?}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn native_script_renderings_are_found() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    // Hand-checked renderings of listed names in Hangul, katakana and hanja.
    let cases = [
        ("김정은", "20157"),
        ("金正恩", "20157"),
        ("キム・ジョンウン", "20157"),
        ("김여정", "21444"),
        ("金與正", "21444"),
        ("キム・ヨジョン", "21444"),
        ("최룡해", "23213"),
        ("崔龍海", "23213"),
        ("チェ・リョンヘ", "23213"),
        ("리병철", "23215"),
        ("リ・ビョンチョル", "23215"),
        ("김영철", "12211"),
        ("キム・ヨンチョル", "12211"),
        ("장용선", "17615"),
        ("류진", "17616"),
        ("박영식", "PAK, Yong Sik"),
        ("조용원", "JO, Yong-Won"),
        ("최휘", "CHOE, Hwi"),
    ];
    let mut misses = Vec::new();
    for (q, want) in cases {
        let ms = screener.screen(&Query::name(q), DEFAULT_THRESHOLD);
        let ok = ms
            .iter()
            .any(|m| m.list == "OFAC-SDN" && (m.entry_id == want || m.primary_name == want));
        if !ok {
            misses.push(format!(
                "{q} -> {want}: got {:?}",
                ms.iter()
                    .take(3)
                    .map(|m| (&m.matched_name, m.score))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(misses.is_empty(), "missed: {misses:#?}");
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn explanation_names_korean_variants() {
    let Some((_, screener)) = common::ofac_un() else {
        return;
    };
    let ms = screener.screen(&Query::name("Lee Pyong-cheol"), DEFAULT_THRESHOLD);
    let m = ms
        .iter()
        .find(|m| m.entry_id == "23215")
        .expect("RI Pyong Chol is found");
    let ri = m
        .explanation
        .iter()
        .find(|t| t.query == "lee")
        .expect("lee is explained");
    assert_eq!((ri.entry.as_str(), ri.how), ("ri", "korean_variant"));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn every_un_dprk_entry_is_found_from_every_listed_name() {
    let Some((lists, screener)) = common::ofac_un() else {
        return;
    };
    let mut misses = Vec::new();
    let mut names = 0;
    for e in lists
        .entries()
        .iter()
        .filter(|e| e.list == "UN-SC" && e.is_dprk())
    {
        for n in e.all_names() {
            names += 1;
            if !found(screener, n, "UN-SC", &e.id) {
                misses.push(format!("{} {n:?}", e.id));
            }
        }
    }
    println!("{names} UN DPRK names, {} missed", misses.len());
    assert!(misses.is_empty(), "missed: {misses:#?}");
}
