//! Sanctions lists from bytes: OFAC SDN/ALT/ADD CSV, UN XML, OpenSanctions JSON lines and custom
//! CSV, recognised from the content. An ALT or ADD file is loaded together with a small valid
//! SDN file, since it only means something beside the SDN entries it refers to.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// Two SDN rows (OFAC's 12-column layout) that fuzzed ALT/ADD rows can refer to.
const SDN: &str = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
                   7809,\"KIM, Jong Un\",\"individual\",\"DPRK2\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 08 Jan 1984.\"\n";

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let d = std::env::temp_dir().join(format!("kensa-fuzz-lists-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("list.dat");
    std::fs::write(&path, body).unwrap();
    let mut paths = vec![path];
    // 1 and 2: the fuzzed file is an ALT or ADD file beside a valid SDN file.
    if which % 4 == 1 || which % 4 == 2 {
        let sdn = d.join("sdn.csv");
        std::fs::write(&sdn, SDN).unwrap();
        paths.push(sdn);
    }
    if let Ok(lists) = kensa_screen::Watchlists::load(&paths) {
        let s = kensa_screen::Screener::new(&lists);
        let q = kensa_screen::Query {
            name: "Kim Jong".into(),
            birth_date: Some("1984".into()),
            country: Some("KP".into()),
        };
        let _ = s.screen(&q, 0.5);
    }
});
