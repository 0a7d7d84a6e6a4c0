//! Parsers for the plain-text and CSV source formats.
//!
//! Parsing is hand-written rather than going through a CSV library because
//! the files are simple, large (the ASN CSV has ~400k lines) and must load
//! in a fraction of a second; each parser reports the file and line of the
//! first malformed entry.

use std::io::Read;
use std::net::IpAddr;
use std::path::Path;

use crate::error::IntelError;

/// Reads a whole file as UTF-8 text, transparently gunzipping `.gz` files
/// (detected by the gzip magic bytes, not only the extension).
pub(crate) fn read_text(path: &Path) -> Result<String, IntelError> {
    let bytes = std::fs::read(path).map_err(|e| IntelError::io(path, e))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 4);
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| IntelError::io(path, e))?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).or_else(|e| {
        // Some lists carry a stray Latin-1 byte in an organisation name;
        // a lossy conversion keeps the ranges, which are what matter.
        Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
    })
}

/// Iterates over meaningful lines: trimmed, without blank lines and
/// `#` / `;` / `//` comments, with 1-based line numbers.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let l = l.trim().trim_start_matches('\u{feff}');
        if l.is_empty() || l.starts_with('#') || l.starts_with(';') || l.starts_with("//") {
            None
        } else {
            Some((i + 1, l))
        }
    })
}

/// One entry of a CIDR list: a network and an optional per-line label.
pub(crate) struct CidrEntry<'a> {
    pub(crate) net: ipnet::IpNet,
    pub(crate) label: Option<&'a str>,
}

/// Parses one line of a CIDR list: `CIDR` or `IP`, optionally followed by
/// whitespace or a comma and a label.
pub(crate) fn parse_cidr_line(line: &str) -> Option<CidrEntry<'_>> {
    // The separator may be a multi-byte space (U+3000 in a list edited with
    // an East Asian keyboard), so split after the whole character.
    let (addr, rest) = match line
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || c == ',')
    {
        Some((i, c)) => (&line[..i], line[i + c.len_utf8()..].trim()),
        None => (line, ""),
    };
    let net = if addr.contains('/') {
        addr.parse::<ipnet::IpNet>().ok()?.trunc()
    } else {
        ipnet::IpNet::from(addr.parse::<IpAddr>().ok()?)
    };
    let rest = rest.trim_start_matches([',', '#']).trim();
    let label = (!rest.is_empty()).then_some(rest);
    Some(CidrEntry { net, label })
}

/// Splits a CSV line into at most `n` fields; the last field takes the rest
/// of the line, with surrounding quotes removed and `""` unescaped. Only the
/// last field may be quoted, which is the case for all supported formats
/// (the organisation or entity name comes last).
pub(crate) fn split_csv_tail(line: &str, n: usize) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(n);
    let mut rest = line;
    for _ in 0..n - 1 {
        let i = rest.find(',')?;
        out.push(rest[..i].trim().to_string());
        rest = &rest[i + 1..];
    }
    let last = rest.trim();
    let last = if last.len() >= 2 && last.starts_with('"') && last.ends_with('"') {
        last[1..last.len() - 1].replace("\"\"", "\"")
    } else {
        last.to_string()
    };
    out.push(last);
    Some(out)
}

/// One ASN CSV row: `start_ip,end_ip,asn,org`.
pub(crate) fn parse_asn_csv_line(line: &str) -> Option<(IpAddr, IpAddr, u32, &str)> {
    let mut it = line.splitn(4, ',');
    let start: IpAddr = it.next()?.trim().parse().ok()?;
    let end: IpAddr = it.next()?.trim().parse().ok()?;
    let asn: u32 = it
        .next()?
        .trim()
        .trim_start_matches(['A', 'S', 'a', 's'])
        .parse()
        .ok()?;
    let org = it.next().unwrap_or("").trim();
    let org = org
        .strip_prefix('"')
        .and_then(|o| o.strip_suffix('"'))
        .unwrap_or(org);
    Some((start, end, asn, org))
}

/// Parses an `ASN,Entity` list (the header line is skipped), returning
/// `(asn, entity)` pairs.
pub(crate) fn parse_asn_list(path: &Path, text: &str) -> Result<Vec<(u32, String)>, IntelError> {
    let mut out = Vec::new();
    for (n, line) in lines(text) {
        let fields = split_csv_tail(line, 2).unwrap_or_else(|| vec![line.to_string()]);
        let asn_text = fields[0]
            .trim()
            .trim_matches('"')
            .trim_start_matches(['A', 'S', 'a', 's']);
        match asn_text.parse::<u32>() {
            Ok(asn) => out.push((asn, fields.get(1).cloned().unwrap_or_default())),
            // The first line is a header in the bad-asn-list format.
            Err(_) if out.is_empty() && n <= 1 => {}
            Err(_) => {
                return Err(IntelError::parse(
                    path,
                    n,
                    format!("expected 'ASN,Entity', got '{line}'"),
                ));
            }
        }
    }
    Ok(out)
}

/// Normalises an e-mail domain list entry: lowercase, no leading `@` or
/// `*.`, no trailing dot.
pub(crate) fn normalize_domain(d: &str) -> String {
    d.trim()
        .trim_start_matches('@')
        .trim_start_matches("*.")
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_lines() {
        let e = parse_cidr_line("10.0.0.1/8 office").unwrap();
        assert_eq!(e.net.to_string(), "10.0.0.0/8");
        assert_eq!(e.label, Some("office"));
        let e = parse_cidr_line("10.0.0.1\u{3000}東京オフィス").unwrap();
        assert_eq!(e.label, Some("東京オフィス"));
        let e = parse_cidr_line("2001:db8::1, lab").unwrap();
        assert_eq!(e.net.to_string(), "2001:db8::1/128");
        assert_eq!(e.label, Some("lab"));
        assert!(parse_cidr_line("not-an-ip").is_none());
        assert!(parse_cidr_line("10.0.0.0/33").is_none());
    }

    #[test]
    fn asn_csv_lines() {
        let (s, e, asn, org) =
            parse_asn_csv_line(r#"1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc.""#).unwrap();
        assert_eq!(
            (s.to_string(), e.to_string(), asn, org),
            (
                "1.0.0.0".into(),
                "1.0.0.255".into(),
                13335,
                "Cloudflare, Inc."
            )
        );
        assert!(parse_asn_csv_line("1.0.0.0,1.0.0.255,notanumber,x").is_none());
    }
}
