//! Intel sources from bytes: MMDB databases, CIDR lists, ASN range CSVs, ASN lists and
//! e-mail domain lists. A broken file is an error naming it, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let d = std::env::temp_dir().join(format!("kensa-fuzz-intel-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let (file, source) = match which % 9 {
        0 => ("x.mmdb", "kind = \"mmdb\""),
        1 => ("x.mmdb", "kind = \"mmdb\"\nmmdb_role = \"asn\""),
        2 => ("x.txt", "kind = \"cidr_list\"\nclass = \"vpn\""),
        3 => ("x.csv", "kind = \"asn_csv\""),
        4 => ("x.txt", "kind = \"asn_list\"\nclass = \"hosting\""),
        5 => ("x.txt", "kind = \"disposable_email\""),
        6 => ("x.mmdb", "kind = \"mmdb\"\nmmdb_mode = \"flatten\""),
        7 => (
            "x.mmdb",
            "kind = \"mmdb\"\nmmdb_mode = \"flatten\"\nmmdb_role = \"anonymous\"",
        ),
        _ => (
            "sanctioned_addresses_ETH.txt",
            "kind = \"crypto_addresses\"",
        ),
    };
    std::fs::write(d.join(file), body).unwrap();
    let config = format!("[[source]]\nname = \"f\"\n{source}\npath = \"{file}\"\n");
    if let Ok(intel) = kensa_enrich::Intel::from_config_str(&config, &d) {
        for ip in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "2001:db8::1",
        ] {
            let _ = intel.lookup_ip(ip.parse().unwrap());
        }
        let _ = intel.email("a@b.example");
        if let Ok(text) = std::str::from_utf8(body) {
            for line in text.lines().take(4) {
                let _ = intel.wallet(line, None);
                let _ = intel.email(line);
            }
        }
    }
});
