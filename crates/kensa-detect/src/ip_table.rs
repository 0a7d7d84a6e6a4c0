//! What the intel sources said about each address of the data set, with equal answers stored
//! once.
//!
//! A platform's logins come from hundreds of thousands of addresses, but the sources know far
//! fewer distinct answers: every address of one provider's block in one city gets the same
//! country, city, ASN, organisation and classes. Kept per address, the answers were the largest
//! part of a served data set (an `IpInfo` is ~220 bytes inline plus its strings, and every
//! detector that reads logins looked them up scattered over that memory). Here an address maps
//! to a 4-byte index into a list of distinct answers.

use crate::dataset::FastHash;
use kensa_model::intel::IpInfo;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr};

/// Address → intel answer, answers shared between addresses.
///
/// The answers this table hands out are shared: their [`IpInfo::ip`] is the unspecified
/// address, not the one looked up (the key is the address). Code that shows an answer sets the
/// address itself, as [`IpTable::iter`]'s callers and `describe_ip` do.
#[derive(Debug, Default, Clone)]
pub struct IpTable {
    v4: HashMap<u32, u32, FastHash>,
    v6: HashMap<u128, u32, FastHash>,
    answers: Vec<IpInfo>,
    /// Hash of an answer (without its address) → its index, to find an equal answer. On the
    /// rare hash collision between unequal answers the newer one is stored without sharing.
    dedup: HashMap<u64, u32, FastHash>,
}

impl IpTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The answer for an address, if any source was asked about it.
    pub fn get(&self, ip: &IpAddr) -> Option<&IpInfo> {
        let i = match ip {
            IpAddr::V4(a) => self.v4.get(&u32::from(*a)),
            IpAddr::V6(a) => self.v6.get(&u128::from(*a)),
        }?;
        Some(&self.answers[*i as usize])
    }

    /// Whether the address has an answer.
    pub fn contains_key(&self, ip: &IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains_key(&u32::from(*a)),
            IpAddr::V6(a) => self.v6.contains_key(&u128::from(*a)),
        }
    }

    /// Number of addresses with an answer.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// Whether no address has an answer.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of distinct answers stored.
    pub fn distinct_answers(&self) -> usize {
        self.answers.len()
    }

    /// Forgets every address and answer.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Records the answer for an address (replacing the address's earlier one).
    pub fn insert(&mut self, ip: IpAddr, mut info: IpInfo) {
        info.ip = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let i = self.intern(info);
        match ip {
            IpAddr::V4(a) => self.v4.insert(u32::from(a), i),
            IpAddr::V6(a) => self.v6.insert(u128::from(a), i),
        };
    }

    /// The address's answer, asking `f` for it first when there is none.
    pub fn get_or_insert_with(&mut self, ip: IpAddr, f: impl FnOnce() -> IpInfo) -> &IpInfo {
        if !self.contains_key(&ip) {
            self.insert(ip, f());
        }
        self.get(&ip).expect("just inserted")
    }

    /// Every address with its answer, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (IpAddr, &IpInfo)> {
        let a = &self.answers;
        self.v4
            .iter()
            .map(move |(ip, i)| (IpAddr::from(Ipv4Addr::from(*ip)), &a[*i as usize]))
            .chain(
                self.v6.iter().map(move |(ip, i)| {
                    (IpAddr::from(std::net::Ipv6Addr::from(*ip)), &a[*i as usize])
                }),
            )
    }

    fn intern(&mut self, info: IpInfo) -> u32 {
        let h = self.answer_hash(&info);
        if let Some(&i) = self.dedup.get(&h) {
            if self.answers[i as usize] == info {
                return i;
            }
            // A collision between unequal answers: keep the first one findable.
            return self.push(info);
        }
        let i = self.push(info);
        self.dedup.insert(h, i);
        i
    }

    fn push(&mut self, info: IpInfo) -> u32 {
        let i = u32::try_from(self.answers.len()).expect("fewer than 2^32 distinct answers");
        self.answers.push(info);
        i
    }

    /// Hash of every field but the address (floats by their bits: equal answers come from the
    /// same source rows, so equal values have equal bits).
    fn answer_hash(&self, i: &IpInfo) -> u64 {
        let mut h = self.dedup.hasher().build_hasher();
        i.country.hash(&mut h);
        i.region.hash(&mut h);
        i.city.hash(&mut h);
        i.latitude.map(f64::to_bits).hash(&mut h);
        i.longitude.map(f64::to_bits).hash(&mut h);
        i.accuracy_km.map(f64::to_bits).hash(&mut h);
        i.asn.hash(&mut h);
        i.org.hash(&mut h);
        i.classes.hash(&mut h);
        i.sources.hash(&mut h);
        h.finish()
    }
}

impl Extend<(IpAddr, IpInfo)> for IpTable {
    fn extend<T: IntoIterator<Item = (IpAddr, IpInfo)>>(&mut self, iter: T) {
        for (ip, info) in iter {
            self.insert(ip, info);
        }
    }
}

impl FromIterator<(IpAddr, IpInfo)> for IpTable {
    fn from_iter<T: IntoIterator<Item = (IpAddr, IpInfo)>>(iter: T) -> Self {
        let mut t = Self::default();
        t.extend(iter);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(city: &str) -> IpInfo {
        IpInfo {
            country: Some("JP".into()),
            city: Some(city.into()),
            asn: Some(2516),
            ..Default::default()
        }
    }

    #[test]
    fn equal_answers_are_stored_once_and_found_by_address() {
        let mut t = IpTable::new();
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        let c: IpAddr = "2001:db8::1".parse().unwrap();
        t.insert(
            a,
            IpInfo {
                ip: a,
                ..answer("Tokyo")
            },
        );
        t.insert(
            b,
            IpInfo {
                ip: b,
                ..answer("Tokyo")
            },
        );
        t.insert(c, answer("Osaka"));
        assert_eq!((t.len(), t.distinct_answers()), (3, 2));
        assert_eq!(t.get(&a).unwrap().city.as_deref(), Some("Tokyo"));
        assert_eq!(t.get(&c).unwrap().city.as_deref(), Some("Osaka"));
        assert!(t.get(&"198.51.100.1".parse().unwrap()).is_none());
        // Replacing an address's answer leaves the other addresses' alone.
        t.insert(b, answer("Osaka"));
        assert_eq!(t.get(&a).unwrap().city.as_deref(), Some("Tokyo"));
        assert_eq!(t.get(&b).unwrap().city.as_deref(), Some("Osaka"));
        let mut seen: Vec<(IpAddr, String)> = t
            .iter()
            .map(|(ip, i)| (ip, i.city.clone().unwrap()))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            vec![
                (a, "Tokyo".into()),
                (b, "Osaka".into()),
                (c, "Osaka".into())
            ]
        );
    }
}
