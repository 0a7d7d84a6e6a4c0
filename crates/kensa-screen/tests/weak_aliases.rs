//! Weak aliases (issue 17, item 11): OFAC's remarks a.k.a.s, the UN's `Low` quality aliases and
//! OpenSanctions' `weakAlias` are nicknames and short forms the lists themselves call too broad
//! to identify anyone ("EL OCHO", "KOMID"). They are kept on the entry for analysts, and never
//! match on their own; the entry's real names still do.

mod common;

use kensa_screen::{DEFAULT_THRESHOLD, Query, Screener, Watchlists};
use std::io::Write;
use std::path::PathBuf;

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kensa-weak-alias-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::File::create(&p)
        .and_then(|mut f| f.write_all(content.as_bytes()))
        .expect("temp file");
    p
}

fn hits(s: &Screener, name: &str) -> Vec<String> {
    s.screen(&Query::name(name), DEFAULT_THRESHOLD)
        .into_iter()
        .map(|m| m.entry_id)
        .collect()
}

/// The OFAC row as published (2024-05-03 file), and one UN individual with a `Good` and a
/// `Low` alias, so the test runs without `../shared/data`.
#[test]
fn weak_aliases_are_kept_but_never_match_alone() {
    let sdn = tmp(
        "sdn.csv",
        "37596,\"GUERRERO COVARRUBIAS, Alonso\",\"individual\",\"ILLICIT-DRUGS-EO14059\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 10 Dec 1990; POB Michoacan de Ocampo, Mexico; nationality Mexico; Gender Male; a.k.a. 'EL OCHO'.\"\n",
    );
    let un = tmp(
        "un.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>
  <DATAID>6908555</DATAID><FIRST_NAME>RI</FIRST_NAME><SECOND_NAME>WON HO</SECOND_NAME>
  <UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER><GENDER>Male</GENDER>
  <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>RI Won-ho</ALIAS_NAME></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Uncle Moon</ALIAS_NAME></INDIVIDUAL_ALIAS>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>
"#,
    );
    let lists = Watchlists::load(&[sdn, un]).expect("lists load");
    let e = &lists.entries()[0];
    assert_eq!(e.weak_aliases, vec!["EL OCHO"]);
    assert_eq!(e.gender, Some('M'), "OFAC remarks: Gender Male");
    assert!(e.aliases.is_empty());
    let ri = lists
        .entries()
        .iter()
        .find(|e| e.id == "6908555")
        .expect("UN entry");
    assert_eq!(ri.aliases, vec!["RI Won-ho"]);
    assert_eq!(ri.weak_aliases, vec!["Uncle Moon"]);
    assert_eq!(ri.gender, Some('M'), "UN GENDER");
    assert_eq!(
        lists
            .summary()
            .iter()
            .map(|s| s.weak_aliases)
            .sum::<usize>(),
        2
    );

    let s = Screener::new(&lists);
    // Carriers: the listed names themselves.
    assert_eq!(hits(&s, "Alonso Guerrero Covarrubias"), vec!["37596"]);
    assert_eq!(hits(&s, "Ri Won Ho"), vec!["6908555"]);
    assert_eq!(hits(&s, "Won-ho Ri"), vec!["6908555"]);
    // Look-alikes: someone called by the nickname, written as the lists write it, joined, or
    // with the surname of nobody listed.
    for q in [
        "EL OCHO",
        "Elocho",
        "El Ocho",
        "Uncle Moon",
        "Moon Uncle",
        "Ocho Tanaka",
    ] {
        assert!(hits(&s, q).is_empty(), "{q} matched a weak alias");
    }
}

/// On the real lists: the remarks a.k.a.s of OFAC and the `Low` aliases of the UN are weak,
/// and none of them finds its entry when screened alone.
#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn real_lists_weak_aliases_do_not_match_their_entries() {
    let Some((lists, screener)) = common::ofac_un() else {
        return;
    };
    let s = lists.summary();
    let weak: usize = s.iter().map(|x| x.weak_aliases).sum();
    println!("weak aliases: {weak}");
    assert!(weak > 1_000, "{s:?}");
    let mut checked = 0;
    for e in lists
        .entries()
        .iter()
        .filter(|e| !e.weak_aliases.is_empty())
    {
        for w in &e.weak_aliases {
            // A weak alias that is also one of the entry's real names (or close to one) may
            // still find it through that name.
            let close = e.all_names().any(|n| {
                let (a, b) = (n.to_lowercase(), w.to_lowercase());
                a.contains(&b) || b.contains(&a)
            });
            if close {
                continue;
            }
            checked += 1;
            let found = screener
                .screen(&Query::name(w.clone()), DEFAULT_THRESHOLD)
                .into_iter()
                .find(|m| m.entry_id == e.id && m.list == e.list);
            if let Some(m) = found {
                // Only through a real name that happens to be similar.
                assert_ne!(&m.matched_name, w, "{} matched {}'s weak alias", w, e.id);
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

/// Abbreviations in company names (issue 17, item 10): `Info Tech Co.` finds
/// `Information Technology Company` and the other way round; a person named like an
/// abbreviation is not expanded into a company word by accident of a shared token alone.
#[test]
fn company_abbreviations_match_their_words() {
    let list = tmp(
        "own-list.csv",
        "id,name,aliases,birth_date,nationality,wallets,programs\n\
         E1,CHOSUN EXPO INFORMATION TECHNOLOGY COMPANY,,,KP,,DPRK3\n\
         E2,PYONGYANG INFO TECH INTL CORP,,,KP,,DPRK3\n",
    );
    let lists = Watchlists::load(&[list]).expect("list loads");
    let s = Screener::new(&lists);
    assert_eq!(hits(&s, "Chosun Expo Info Tech Co."), vec!["E1"]);
    assert_eq!(hits(&s, "Chosun Expo Information Technology"), vec!["E1"]);
    assert_eq!(
        hits(
            &s,
            "Pyongyang Information Technology International Corporation"
        ),
        vec!["E2"]
    );
    // Look-alikes: other companies sharing only the generic words.
    assert!(hits(&s, "Acme Information Technology Company").is_empty());
    assert!(hits(&s, "Tokyo Info Tech Co.").is_empty());
}
