//! The IP ranges of Kensa's built-in intel sample (`docs/builtin-intel-sample.csv`), the only
//! ranges the offline demo knows. Every IP address in the demo is drawn from one of these.

use crate::rng::Rng;

/// A network the demo draws addresses from.
#[derive(Clone, Copy, Debug)]
pub struct Net {
    /// Short key used inside the generator.
    pub key: &'static str,
    /// CIDR exactly as in the built-in sample.
    pub cidr: &'static str,
    /// ISO country of the range.
    pub country: &'static str,
    /// City of the range ("" when the sample gives none).
    pub city: &'static str,
}

/// Every range of the built-in sample, keyed for the generator.
pub const NETS: &[Net] = &[
    Net {
        key: "kp_star",
        cidr: "175.45.176.0/22",
        country: "KP",
        city: "Pyongyang",
    },
    Net {
        key: "cn_shenyang",
        cidr: "113.224.0.0/12",
        country: "CN",
        city: "Shenyang",
    },
    Net {
        key: "cn_dandong",
        cidr: "218.61.0.0/16",
        country: "CN",
        city: "Dandong",
    },
    Net {
        key: "cn_beijing",
        cidr: "123.112.0.0/12",
        country: "CN",
        city: "Beijing",
    },
    Net {
        key: "cn_shanghai",
        cidr: "58.32.0.0/13",
        country: "CN",
        city: "Shanghai",
    },
    Net {
        key: "ru_vladivostok",
        cidr: "5.100.64.0/18",
        country: "RU",
        city: "Vladivostok",
    },
    Net {
        key: "vn_hanoi",
        cidr: "113.160.0.0/11",
        country: "VN",
        city: "Hanoi",
    },
    Net {
        key: "id_jakarta",
        cidr: "110.136.0.0/13",
        country: "ID",
        city: "Jakarta",
    },
    Net {
        key: "la_vientiane",
        cidr: "180.188.0.0/15",
        country: "LA",
        city: "Vientiane",
    },
    Net {
        key: "us_seattle",
        cidr: "73.0.0.0/10",
        country: "US",
        city: "Seattle",
    },
    Net {
        key: "us_houston",
        cidr: "73.64.0.0/10",
        country: "US",
        city: "Houston",
    },
    Net {
        key: "us_chicago",
        cidr: "73.128.0.0/10",
        country: "US",
        city: "Chicago",
    },
    Net {
        key: "us_newyork",
        cidr: "71.160.0.0/12",
        country: "US",
        city: "New York",
    },
    Net {
        key: "us_phoenix",
        cidr: "98.0.0.0/12",
        country: "US",
        city: "Phoenix",
    },
    Net {
        key: "us_tmobile",
        cidr: "172.56.0.0/14",
        country: "US",
        city: "",
    },
    Net {
        key: "gb_london",
        cidr: "86.128.0.0/10",
        country: "GB",
        city: "London",
    },
    Net {
        key: "de_berlin",
        cidr: "91.0.0.0/10",
        country: "DE",
        city: "Berlin",
    },
    Net {
        key: "jp_tokyo",
        cidr: "153.128.0.0/10",
        country: "JP",
        city: "Tokyo",
    },
    Net {
        key: "jp_kddi",
        cidr: "106.128.0.0/11",
        country: "JP",
        city: "Osaka",
    },
    Net {
        key: "jp_softbank",
        cidr: "126.0.0.0/8",
        country: "JP",
        city: "Tokyo",
    },
    Net {
        key: "kr_seoul",
        cidr: "121.128.0.0/10",
        country: "KR",
        city: "Seoul",
    },
    Net {
        key: "ph_manila",
        cidr: "175.176.0.0/12",
        country: "PH",
        city: "Manila",
    },
    Net {
        key: "in_jio",
        cidr: "49.32.0.0/11",
        country: "IN",
        city: "Bengaluru",
    },
    Net {
        key: "br_saopaulo",
        cidr: "187.0.0.0/12",
        country: "BR",
        city: "Sao Paulo",
    },
    Net {
        key: "ua_kyiv",
        cidr: "176.36.0.0/14",
        country: "UA",
        city: "Kyiv",
    },
    Net {
        key: "sg_singtel",
        cidr: "116.192.0.0/12",
        country: "SG",
        city: "Singapore",
    },
    Net {
        key: "hk_hkt",
        cidr: "112.118.0.0/15",
        country: "HK",
        city: "Hong Kong",
    },
    Net {
        key: "m247_london",
        cidr: "89.238.128.0/18",
        country: "GB",
        city: "London",
    },
    Net {
        key: "m247_amsterdam",
        cidr: "37.120.128.0/17",
        country: "NL",
        city: "Amsterdam",
    },
    Net {
        key: "vultr",
        cidr: "45.76.0.0/15",
        country: "US",
        city: "Piscataway",
    },
    Net {
        key: "digitalocean",
        cidr: "159.203.0.0/16",
        country: "US",
        city: "Clifton",
    },
    Net {
        key: "aws",
        cidr: "3.0.0.0/9",
        country: "US",
        city: "Ashburn",
    },
    Net {
        key: "aws_tokyo",
        cidr: "13.112.0.0/14",
        country: "JP",
        city: "Tokyo",
    },
    Net {
        key: "tor",
        cidr: "185.220.101.0/24",
        country: "DE",
        city: "Brandenburg",
    },
    Net {
        key: "zscaler",
        cidr: "165.225.0.0/17",
        country: "US",
        city: "San Jose",
    },
    Net {
        key: "icloud_relay",
        cidr: "172.224.0.0/12",
        country: "US",
        city: "",
    },
];

/// Look up a network by key. Panics on an unknown key (a generator bug).
pub fn net(key: &str) -> &'static Net {
    NETS.iter()
        .find(|n| n.key == key)
        .unwrap_or_else(|| panic!("unknown net key {key}"))
}

/// Parse a CIDR into (network address, prefix length).
pub fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (a, p) = cidr.split_once('/')?;
    let ip: std::net::Ipv4Addr = a.parse().ok()?;
    let p: u32 = p.parse().ok()?;
    (p <= 32).then_some((u32::from(ip), p))
}

/// Whether `ip` lies inside `cidr`.
pub fn contains(cidr: &str, ip: &str) -> bool {
    let (Some((base, p)), Ok(addr)) = (parse_cidr(cidr), ip.parse::<std::net::Ipv4Addr>()) else {
        return false;
    };
    let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
    (u32::from(addr) & mask) == (base & mask)
}

/// A random host address inside the network with key `key` (never .0 or .255).
pub fn ip_in(key: &str, rng: &mut Rng) -> String {
    let n = net(key);
    let (base, p) = parse_cidr(n.cidr).expect("valid cidr");
    let size = 1u64 << (32 - p);
    loop {
        let off = rng.below(size) as u32;
        let a = base.wrapping_add(off);
        let last = a & 0xff;
        if last != 0 && last != 255 {
            return std::net::Ipv4Addr::from(a).to_string();
        }
    }
}
