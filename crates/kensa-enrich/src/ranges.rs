//! Sorted, non-overlapping address ranges with binary search.
//!
//! Every IP source (CIDR lists, ASN CSVs, flattened MMDB files) ends up in a
//! [`RangeMap`]: a vector of range starts sorted by address and a parallel
//! vector of `(end, value)` pairs. A lookup is a binary search for the last
//! range starting at or before the address, narrowed first by a bucket
//! index over the top bits of the key (sized so that a bucket holds about
//! eight ranges), so that even for millions of ranges a lookup touches only
//! the index entry, one or two cache lines of starts and one `(end, value)`
//! pair. IPv4 keys are `u32`, IPv6 keys `u128`.

use std::net::IpAddr;

/// An integer address key (`u32` for IPv4, `u128` for IPv6).
pub(crate) trait Key: Copy + Ord + std::fmt::Debug {
    /// The largest key, used to avoid overflow when computing `end + 1`.
    const MAX: Self;
    /// The key width in bits.
    const BITS: u32;
    /// The top `bits` bits of the key (`bits` in 1..=24).
    fn top(self, bits: u32) -> usize;
    /// The smallest key whose top `bits` bits equal `bucket`.
    fn bucket_start(bucket: usize, bits: u32) -> Self;
    /// `self + 1`, or `None` at the top of the address space.
    fn succ(self) -> Option<Self>;
    /// `self - 1`, or `None` at the bottom of the address space.
    fn pred(self) -> Option<Self>;
}

impl Key for u32 {
    const MAX: Self = u32::MAX;
    const BITS: u32 = 32;
    #[inline]
    fn top(self, bits: u32) -> usize {
        (self >> (32 - bits)) as usize
    }
    fn bucket_start(bucket: usize, bits: u32) -> Self {
        (bucket as u32) << (32 - bits)
    }
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn pred(self) -> Option<Self> {
        self.checked_sub(1)
    }
}

impl Key for u128 {
    const MAX: Self = u128::MAX;
    const BITS: u32 = 128;
    #[inline]
    fn top(self, bits: u32) -> usize {
        (self >> (128 - bits)) as usize
    }
    fn bucket_start(bucket: usize, bits: u32) -> Self {
        (bucket as u128) << (128 - bits)
    }
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn pred(self) -> Option<Self> {
        self.checked_sub(1)
    }
}

/// An immutable map from non-overlapping key ranges to small `Copy` values.
#[derive(Debug, Clone)]
pub(crate) struct RangeMap<K: Key, V: Copy> {
    starts: Vec<K>,
    /// `(end, value)` per range; paired so that a hit reads one cache line.
    entries: Vec<(K, V)>,
    /// `index[b]` is the number of ranges whose start lies below bucket `b`
    /// (bucket = top `bits` bits of the key). Empty when the map is empty.
    index: Vec<u32>,
    bits: u32,
}

impl<K: Key, V: Copy> Default for RangeMap<K, V> {
    fn default() -> Self {
        Self {
            starts: Vec::new(),
            entries: Vec::new(),
            index: Vec::new(),
            bits: 1,
        }
    }
}

impl<K: Key, V: Copy + PartialEq> RangeMap<K, V> {
    /// Builds a map from ranges that may overlap and come in any order.
    ///
    /// Where ranges overlap, the one with the lower start keeps the overlap
    /// (among equal starts, the one pushed first). Callers that need strict
    /// priority between sources keep separate maps; within one source
    /// (an MMDB tree, a CSV file) ranges do not overlap anyway. Adjacent
    /// ranges with equal values are merged to keep the table small.
    pub(crate) fn build(mut ranges: Vec<(K, K, V)>) -> Self {
        // A stable sort keeps push order among equal starts, which is what
        // gives the first-pushed range priority below.
        ranges.sort_by_key(|r| r.0);
        let mut starts: Vec<K> = Vec::with_capacity(ranges.len());
        let mut ends: Vec<K> = Vec::with_capacity(ranges.len());
        let mut values: Vec<V> = Vec::with_capacity(ranges.len());
        for (start, end, value) in ranges {
            if end < start {
                continue;
            }
            let mut start = start;
            if let Some(&last_end) = ends.last() {
                if end <= last_end {
                    // Fully covered by an earlier range.
                    continue;
                }
                if start <= last_end {
                    // Partly covered: keep only the uncovered tail.
                    match last_end.succ() {
                        Some(s) => start = s,
                        None => continue,
                    }
                }
                let adjacent = last_end.succ() == Some(start);
                if adjacent && values.last() == Some(&value) {
                    if let Some(e) = ends.last_mut() {
                        *e = end;
                    }
                    continue;
                }
            }
            starts.push(start);
            ends.push(end);
            values.push(value);
        }
        Self::from_sorted(starts, ends, values)
    }
}

impl<K: Key, V: Copy> RangeMap<K, V> {
    /// Builds a map from ranges already sorted, non-overlapping and merged.
    pub(crate) fn from_sorted(mut starts: Vec<K>, ends: Vec<K>, values: Vec<V>) -> Self {
        debug_assert!(starts.len() == ends.len() && ends.len() == values.len());
        starts.shrink_to_fit();
        let entries: Vec<(K, V)> = ends.into_iter().zip(values).collect();
        // About eight ranges per bucket keeps the search inside one or two
        // cache lines; 24 bits (64 MiB of index) is the cap.
        let wanted = (starts.len() / 8).max(2);
        let bits = (usize::BITS - wanted.leading_zeros())
            .clamp(1, 24)
            .min(K::BITS);
        let index = build_index(&starts, bits);
        Self {
            starts,
            entries,
            index,
            bits,
        }
    }

    /// Returns the value of the range containing `key`.
    #[inline]
    pub(crate) fn get(&self, key: K) -> Option<V> {
        if self.starts.is_empty() {
            return None;
        }
        let b = key.top(self.bits);
        let lo = self.index[b] as usize;
        let hi = self.index[b + 1] as usize;
        // All starts before `lo` are below this bucket (so <= key) and all
        // starts from `hi` on are above it (so > key): the answer is in between.
        let i = lo + self.starts[lo..hi].partition_point(|&s| s <= key);
        if i == 0 {
            return None;
        }
        let (end, value) = self.entries[i - 1];
        (key <= end).then_some(value)
    }

    /// The number of stored ranges.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Iterates over `(start, end, value)` in address order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (K, K, V)> + '_ {
        self.starts
            .iter()
            .zip(&self.entries)
            .map(|(s, (e, v))| (*s, *e, *v))
    }
}

fn build_index<K: Key>(starts: &[K], bits: u32) -> Vec<u32> {
    if starts.is_empty() {
        return Vec::new();
    }
    let buckets = 1usize << bits;
    let mut index = Vec::with_capacity(buckets + 1);
    let mut i = 0usize;
    for b in 0..buckets {
        let bucket_start = K::bucket_start(b, bits);
        while i < starts.len() && starts[i] < bucket_start {
            i += 1;
        }
        index.push(i as u32);
    }
    index.push(starts.len() as u32);
    index
}

/// A pair of range maps, one per address family.
#[derive(Debug, Clone)]
pub(crate) struct IpRangeMap<V: Copy> {
    pub(crate) v4: RangeMap<u32, V>,
    pub(crate) v6: RangeMap<u128, V>,
}

impl<V: Copy> Default for IpRangeMap<V> {
    fn default() -> Self {
        Self {
            v4: RangeMap::default(),
            v6: RangeMap::default(),
        }
    }
}

impl<V: Copy> IpRangeMap<V> {
    /// Looks an address up; IPv4-mapped IPv6 addresses use the IPv4 table.
    #[inline]
    pub(crate) fn get(&self, ip: IpAddr) -> Option<V> {
        match ip {
            IpAddr::V4(v4) => self.v4.get(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.v4.get(u32::from(v4)),
                None => self.v6.get(u128::from(v6)),
            },
        }
    }

    /// The number of stored ranges over both families.
    pub(crate) fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }
}

/// Collects IPv4 and IPv6 ranges before building an [`IpRangeMap`].
#[derive(Debug)]
pub(crate) struct IpRangeBuilder<V: Copy> {
    pub(crate) v4: Vec<(u32, u32, V)>,
    pub(crate) v6: Vec<(u128, u128, V)>,
}

impl<V: Copy> Default for IpRangeBuilder<V> {
    fn default() -> Self {
        Self {
            v4: Vec::new(),
            v6: Vec::new(),
        }
    }
}

impl<V: Copy + PartialEq> IpRangeBuilder<V> {
    /// Adds an inclusive range; mixed families are ignored.
    pub(crate) fn push_range(&mut self, start: IpAddr, end: IpAddr, value: V) -> bool {
        match (start, end) {
            (IpAddr::V4(s), IpAddr::V4(e)) => {
                self.v4.push((u32::from(s), u32::from(e), value));
                true
            }
            (IpAddr::V6(s), IpAddr::V6(e)) => {
                match (s.to_ipv4_mapped(), e.to_ipv4_mapped()) {
                    (Some(s4), Some(e4)) => self.v4.push((u32::from(s4), u32::from(e4), value)),
                    _ => self.v6.push((u128::from(s), u128::from(e), value)),
                }
                true
            }
            _ => false,
        }
    }

    /// Adds a CIDR network.
    pub(crate) fn push_net(&mut self, net: ipnet::IpNet, value: V) {
        match net {
            ipnet::IpNet::V4(n) => {
                self.v4
                    .push((u32::from(n.network()), u32::from(n.broadcast()), value))
            }
            ipnet::IpNet::V6(n) => {
                self.v6
                    .push((u128::from(n.network()), u128::from(n.broadcast()), value))
            }
        }
    }

    /// Sorts, de-overlaps and indexes the collected ranges.
    pub(crate) fn build(self) -> IpRangeMap<V> {
        IpRangeMap {
            v4: RangeMap::build(self.v4),
            v6: RangeMap::build(self.v6),
        }
    }
}

/// Overlays many per-tag range sets into one table of tag bitsets.
///
/// Each input range carries one tag bit. The output covers every address
/// that at least one tag covers, with the union of the tags as value, so a
/// classification lookup is a single binary search however many sources
/// are loaded.
pub(crate) fn overlay<K: Key>(mut ranges: Vec<(K, K, u128)>) -> RangeMap<K, u128> {
    // First merge overlapping ranges of the same tag, so that in the sweep
    // below every tag switches on and off exactly once per merged range.
    ranges.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)));
    let mut merged: Vec<(K, K, u128)> = Vec::with_capacity(ranges.len());
    for (s, e, t) in ranges {
        if e < s {
            continue;
        }
        if let Some(last) = merged.last_mut()
            && last.2 == t
            && (s <= last.1 || last.1.succ() == Some(s))
        {
            if e > last.1 {
                last.1 = e;
            }
            continue;
        }
        merged.push((s, e, t));
    }
    // Sweep: an event is (position, tag, on?). `None` as the position of an
    // end event means "past the top of the address space" and is dropped.
    let mut events: Vec<(K, u128, bool)> = Vec::with_capacity(merged.len() * 2);
    for (s, e, t) in merged {
        events.push((s, t, true));
        if let Some(after) = e.succ() {
            events.push((after, t, false));
        }
    }
    events.sort_by_key(|ev| ev.0);
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    let mut values: Vec<u128> = Vec::new();
    let mut mask: u128 = 0;
    let mut i = 0;
    while i < events.len() {
        let pos = events[i].0;
        while i < events.len() && events[i].0 == pos {
            let (_, t, on) = events[i];
            if on {
                mask |= t;
            } else {
                mask &= !t;
            }
            i += 1;
        }
        // The segment runs from `pos` to just before the next event.
        let end = if i < events.len() {
            // The next event position is strictly greater than `pos`.
            prev(events[i].0)
        } else {
            K::MAX
        };
        if mask != 0 {
            let adjacent = ends.last().and_then(|e: &K| e.succ()) == Some(pos);
            if adjacent && values.last() == Some(&mask) {
                if let Some(e) = ends.last_mut() {
                    *e = end;
                }
            } else {
                starts.push(pos);
                ends.push(end);
                values.push(mask);
            }
        }
    }
    RangeMap::from_sorted(starts, ends, values)
}

/// `k - 1` for a key known to be above the minimum.
fn prev<K: Key>(k: K) -> K {
    k.pred().unwrap_or(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator for the brute-force comparisons.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn range_map_edges() {
        let m = RangeMap::build(vec![
            (10u32, 20, 1u32),
            (21, 30, 1),
            (40, 40, 2),
            (u32::MAX - 1, u32::MAX, 3),
        ]);
        // Adjacent equal values merge.
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(9), None);
        assert_eq!(m.get(10), Some(1));
        assert_eq!(m.get(30), Some(1));
        assert_eq!(m.get(31), None);
        assert_eq!(m.get(39), None);
        assert_eq!(m.get(40), Some(2));
        assert_eq!(m.get(41), None);
        assert_eq!(m.get(u32::MAX), Some(3));
        assert_eq!(m.get(0), None);
        let empty: RangeMap<u32, u32> = RangeMap::build(Vec::new());
        assert_eq!(empty.get(5), None);
    }

    #[test]
    fn range_map_matches_brute_force() {
        let mut rng = Rng(7);
        for round in 0..20 {
            // Non-overlapping ranges over a small space so edges collide.
            let mut ranges = Vec::new();
            let mut pos = 0u32;
            while pos < 5000 {
                let start = pos + (rng.next() % 7) as u32;
                let end = start + (rng.next() % 9) as u32;
                ranges.push((start << 16, (end << 16) | 0xffff, (rng.next() % 3) as u32));
                pos = end + 1;
            }
            let m = RangeMap::build(ranges.clone());
            for _ in 0..2000 {
                let k = (rng.next() as u32) % (5100 << 16);
                let want = ranges.iter().find(|r| r.0 <= k && k <= r.1).map(|r| r.2);
                assert_eq!(m.get(k), want, "round {round} key {k}");
            }
        }
    }

    #[test]
    fn overlay_matches_brute_force() {
        let mut rng = Rng(11);
        for _ in 0..20 {
            let mut ranges: Vec<(u128, u128, u128)> = Vec::new();
            for _ in 0..200 {
                let s = u128::from(rng.next() % 1000);
                let e = s + u128::from(rng.next() % 50);
                let tag = 1u128 << (rng.next() % 5);
                ranges.push((s, e, tag));
            }
            ranges.push((u128::MAX - 3, u128::MAX, 1 << 6));
            let m = overlay(ranges.clone());
            for k in (0..1100u128).chain([u128::MAX, u128::MAX - 3, u128::MAX - 4]) {
                let want: u128 = ranges
                    .iter()
                    .filter(|r| r.0 <= k && k <= r.1)
                    .fold(0, |acc, r| acc | r.2);
                assert_eq!(m.get(k).unwrap_or(0), want, "key {k}");
            }
        }
    }
}
