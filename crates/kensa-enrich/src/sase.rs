//! Corporate secure-access (SASE / secure web gateway) egress networks, recognised by the
//! autonomous system that announces the address.
//!
//! Employees of companies that route traffic through Zscaler, Netskope, Prisma Access,
//! Cloudflare Zero Trust and similar services reach every site from the provider's nearest
//! point of presence — another city, often another country, and shared with thousands of
//! other customers' staff. Such an address says nothing about where the person is and links
//! nobody, like a mobile carrier's NAT; without this table corporate users were seen "in"
//! several countries a week (issue 17). The ASNs were checked against the organisation names
//! of the RouteViews/DB-IP ASN table in `../shared/data/ip` (2026); an address announced by one
//! of them gets the class `corporate` from the source `kensa-sase-asn`, labelled with the
//! provider, whenever an ASN source is configured. A `cidr_list` source with
//! `class = "corporate"` adds a company's own egress ranges on top.

/// (ASN, provider) of corporate secure-access egress networks.
pub const SASE_ASNS: &[(u32, &str)] = &[
    (22616, "Zscaler"),
    (53813, "Zscaler"),
    (62044, "Zscaler"),
    (55256, "Netskope"),
    (54538, "Palo Alto Networks Prisma Access"),
    (13150, "Cato Networks"),
    (138627, "Cato Networks"),
    (396253, "iboss"),
    (137922, "iboss"),
    (202276, "iboss"),
    (62654, "Menlo Security"),
    (44444, "Forcepoint"),
    (13335, "Cloudflare"),
    (14789, "Cloudflare"),
    (132892, "Cloudflare"),
    (202623, "Cloudflare"),
    (209242, "Cloudflare"),
    (395747, "Cloudflare"),
];

/// The name of the classification source in lookups.
pub const SOURCE: &str = "kensa-sase-asn";

/// The provider of a secure-access egress ASN.
pub fn provider(asn: u32) -> Option<&'static str> {
    SASE_ASNS.iter().find(|(a, _)| *a == asn).map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_providers() {
        assert_eq!(super::provider(22616), Some("Zscaler"));
        assert_eq!(super::provider(55256), Some("Netskope"));
        assert_eq!(
            super::provider(7922),
            None,
            "Comcast is not an egress service"
        );
    }
}
