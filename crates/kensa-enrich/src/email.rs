//! E-mail address checks: syntax, domain, disposable and free-mail providers.
//!
//! The syntax check is deliberately pragmatic (RFC 5321 dot-atom local parts
//! and LDH or internationalised domain labels) rather than the full RFC 5322
//! grammar: it exists to catch garbage and typos, not to accept every
//! address a mail server might.

use serde::{Deserialize, Serialize};

/// Which kind of list a domain was found on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailListRole {
    /// A disposable / throw-away e-mail provider.
    Disposable,
    /// A free-mail provider (anyone can open an account).
    FreeMail,
    /// A user-supplied list; the source name says which.
    Custom,
}

impl EmailListRole {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailListRole::Disposable => "disposable",
            EmailListRole::FreeMail => "free_mail",
            EmailListRole::Custom => "custom",
        }
    }
}

/// One list that matched an address's domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailHit {
    /// The kind of list.
    pub role: EmailListRole,
    /// The source name (`builtin-free-mail` for the embedded list).
    pub source: String,
    /// The listed domain that matched (the address's domain or a parent).
    pub domain: String,
}

/// The result of [`crate::Intel::email`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailInfo {
    /// The address as given, trimmed.
    pub address: String,
    /// Whether the syntax is acceptable.
    pub valid: bool,
    /// Why the syntax is not acceptable.
    pub error: Option<String>,
    /// The lowercased domain, when one could be extracted.
    pub domain: Option<String>,
    /// Whether the domain (or a parent domain) is a disposable provider.
    pub disposable: bool,
    /// Whether the domain is a free-mail provider.
    pub free_mail: bool,
    /// Every list that matched, with its source.
    #[serde(default)]
    pub hits: Vec<EmailHit>,
}

/// The name under which embedded free-mail hits are reported.
pub const BUILTIN_FREE_MAIL_SOURCE: &str = "builtin-free-mail";

/// Free-mail providers matched exactly (and as parents of subdomains).
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "passport.com",
    "yahoo.com",
    "ymail.com",
    "rocketmail.com",
    "aol.com",
    "aim.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "tutanota.com",
    "tutanota.de",
    "tuta.io",
    "tuta.com",
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "aliyun.com",
    "139.com",
    "189.cn",
    "naver.com",
    "daum.net",
    "hanmail.net",
    "kakao.com",
    "nate.com",
    "yandex.ru",
    "yandex.com",
    "ya.ru",
    "mail.ru",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "internet.ru",
    "rambler.ru",
    "web.de",
    "icloud.com",
    "me.com",
    "mac.com",
    "zoho.com",
    "zohomail.com",
    "mail.com",
    "email.com",
    "fastmail.com",
    "fastmail.fm",
    "hushmail.com",
    "rediffmail.com",
    "inbox.com",
    "lycos.com",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "interia.pl",
    "libero.it",
    "virgilio.it",
    "orange.fr",
    "laposte.net",
    "free.fr",
    "t-online.de",
    "freenet.de",
    "posteo.de",
    "mailbox.org",
    "disroot.org",
    "riseup.net",
    "skiff.com",
    "duck.com",
];

/// Providers that run the same free service under many country domains
/// (`gmx.de`, `yahoo.co.jp`...): matched on the second-level label.
const FREE_MAIL_BRANDS: &[&str] = &["gmx", "yahoo", "hotmail", "outlook", "live", "yandex"];

/// Checks local-part syntax (dot-atom or quoted string).
fn check_local(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("empty local part".into());
    }
    if local.len() > 64 {
        return Err("local part longer than 64 characters".into());
    }
    if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        let inner = &local[1..local.len() - 1];
        return if inner.chars().all(|c| c != '"' && !c.is_control()) {
            Ok(())
        } else {
            Err("invalid quoted local part".into())
        };
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("misplaced dot in local part".into());
    }
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    match local
        .chars()
        .find(|c| !(c.is_alphanumeric() || SPECIALS.contains(*c)))
    {
        Some(c) => Err(format!("invalid character {c:?} in local part")),
        None => Ok(()),
    }
}

/// Checks domain syntax: labels of letters, digits and hyphens (Unicode
/// letters allowed for internationalised domains), at least two labels.
fn check_domain(domain: &str) -> Result<(), String> {
    if domain.starts_with('[') && domain.ends_with(']') {
        let inner = &domain[1..domain.len() - 1];
        let inner = inner.strip_prefix("IPv6:").unwrap_or(inner);
        return inner
            .parse::<std::net::IpAddr>()
            .map(|_| ())
            .map_err(|_| "invalid address literal".into());
    }
    if domain.is_empty() {
        return Err("empty domain".into());
    }
    if domain.len() > 253 {
        return Err("domain longer than 253 characters".into());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("domain has no dot".into());
    }
    for l in &labels {
        if l.is_empty() {
            return Err("empty domain label".into());
        }
        if l.len() > 63 {
            return Err("domain label longer than 63 characters".into());
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err("domain label starts or ends with a hyphen".into());
        }
        if let Some(c) = l.chars().find(|c| !(c.is_alphanumeric() || *c == '-')) {
            return Err(format!("invalid character {c:?} in domain"));
        }
    }
    let tld = labels[labels.len() - 1];
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return Err("top-level domain is numeric".into());
    }
    Ok(())
}

/// The domain and each parent down to two labels: `a.b.example.com` →
/// `a.b.example.com`, `b.example.com`, `example.com`.
fn suffixes(domain: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(domain);
    std::iter::from_fn(move || {
        let cur = rest?;
        rest = cur
            .split_once('.')
            .map(|(_, r)| r)
            .filter(|r| r.contains('.'));
        Some(cur)
    })
}

/// Whether a lowercased domain is a free-mail provider on Kensa's built-in list (shared by
/// millions of people, so never an identifier).
pub fn is_builtin_free_mail_domain(domain: &str) -> bool {
    builtin_free_mail(domain).is_some()
}

fn builtin_free_mail(domain: &str) -> Option<String> {
    for s in suffixes(domain) {
        if FREE_MAIL_DOMAINS.contains(&s) {
            return Some(s.to_string());
        }
    }
    // Brand match: `gmx.de`, `yahoo.co.jp`, `hotmail.co.uk`: the brand is
    // the first label and what follows is a one- or two-label suffix.
    let labels: Vec<&str> = domain.split('.').collect();
    if (2..=3).contains(&labels.len())
        && FREE_MAIL_BRANDS.contains(&labels[0])
        && labels[1..].iter().all(|l| l.len() <= 3)
    {
        return Some(domain.to_string());
    }
    None
}

/// Checks an address; `lookup` returns the list hits for an exact domain.
pub(crate) fn check(
    addr: &str,
    lookup: impl Fn(&str) -> Option<Vec<(EmailListRole, String)>>,
) -> EmailInfo {
    let address = addr.trim().to_string();
    let mut info = EmailInfo {
        address: address.clone(),
        ..EmailInfo::default()
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        info.error = Some("no '@' in address".into());
        return info;
    };
    let domain = domain.trim_end_matches('.').to_lowercase();
    if !domain.is_empty() {
        info.domain = Some(domain.clone());
    }
    if let Err(e) = check_local(local).and_then(|_| check_domain(&domain)) {
        info.error = Some(e);
    } else {
        info.valid = true;
    }
    if domain.is_empty() {
        return info;
    }
    for s in suffixes(&domain) {
        if let Some(hits) = lookup(s) {
            for (role, source) in hits {
                info.hits.push(EmailHit {
                    role,
                    source,
                    domain: s.to_string(),
                });
            }
        }
    }
    if let Some(d) = builtin_free_mail(&domain) {
        info.hits.push(EmailHit {
            role: EmailListRole::FreeMail,
            source: BUILTIN_FREE_MAIL_SOURCE.into(),
            domain: d,
        });
    }
    info.disposable = info
        .hits
        .iter()
        .any(|h| h.role == EmailListRole::Disposable);
    info.free_mail = info.hits.iter().any(|h| h.role == EmailListRole::FreeMail);
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_lists(_: &str) -> Option<Vec<(EmailListRole, String)>> {
        None
    }

    #[test]
    fn syntax() {
        assert!(check("a.b+c@example.com", no_lists).valid);
        assert!(check("用户@例子.中国", no_lists).valid);
        for bad in [
            "",
            "a",
            "@example.com",
            "a@",
            "a..b@x.com",
            "a@x",
            "a@-x.com",
            "a b@x.com",
        ] {
            let r = check(bad, no_lists);
            assert!(!r.valid, "{bad} should be invalid");
            assert!(r.error.is_some());
        }
    }

    #[test]
    fn free_mail() {
        assert!(check("kim@gmail.com", no_lists).free_mail);
        assert!(check("kim@GMX.de", no_lists).free_mail);
        assert!(check("kim@yahoo.co.jp", no_lists).free_mail);
        assert!(!check("kim@example.com", no_lists).free_mail);
        assert!(!check("kim@gmxtrading.com", no_lists).free_mail);
    }

    #[test]
    fn suffix_walk() {
        let v: Vec<&str> = suffixes("a.b.example.com").collect();
        assert_eq!(v, ["a.b.example.com", "b.example.com", "example.com"]);
    }
}
