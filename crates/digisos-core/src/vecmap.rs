//! [`VecMap`]: an ordered map kept as one sorted vector, for the small maps of the
//! folded state (an incident's time entries, a call-off's postings).
//!
//! A `BTreeMap` allocates a whole node for its first entry (room for eleven), so a map
//! with one time entry of 144 bytes costs 1.6 KB; a `VecMap` costs the entries it holds.
//! Lookups are a binary search, inserts keep the order (linear in the entries after the
//! key, which for these maps is usually none). It iterates, serialises and compares
//! like the `BTreeMap` it replaces: in key order, as a map.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

/// An ordered map over a sorted `Vec<(K, V)>` (no duplicate keys).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }
}

impl<K, V> VecMap<K, V> {
    /// An empty map (allocates nothing).
    pub const fn new() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, mutably.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// The entry with the largest key.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value for `key`, mutably.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether the map has an entry for `key`.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }

    /// Inserts or replaces the value for `key`; returns the value it replaced.
    ///
    /// The first few entries are allocated one by one (these maps mostly hold one to
    /// three entries), later ones with the vector's usual doubling.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                if self.entries.len() == self.entries.capacity() && self.entries.len() < 4 {
                    self.entries.reserve_exact(1);
                }
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes the entry for `key`; returns its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// Collects in key order; for a repeated key the last value wins (as in a `BTreeMap`).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            // stable sort keeps equal keys in arrival order; keep the last of each run
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut deduped: Vec<(K, V)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                match deduped.last_mut() {
                    Some(last) if last.0 == k => last.1 = v,
                    _ => deduped.push((k, v)),
                }
            }
            entries = deduped;
        }
        entries.shrink_to_fit();
        VecMap { entries }
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        fn split<K, V>((k, v): &(K, V)) -> (&K, &V) {
            (k, v)
        }
        self.entries.iter().map(split::<K, V>)
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    /// As a map, like a `BTreeMap`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for VecMap<K, V> {
    /// As a map in key order (the shape of a `BTreeMap`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, K, V> Deserialize<'de> for VecMap<K, V>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    /// From a map; keys in any order, a repeated key keeps its last value.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);

        impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
        where
            K: Deserialize<'de> + Ord,
            V: Deserialize<'de>,
        {
            type Value = VecMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(K, V)> =
                    Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                let mut sorted = true;
                while let Some((k, v)) = map.next_entry::<K, V>()? {
                    if let Some((last, _)) = entries.last() {
                        sorted &= *last < k;
                    }
                    entries.push((k, v));
                }
                if sorted {
                    entries.shrink_to_fit();
                    Ok(VecMap { entries })
                } else {
                    Ok(entries.into_iter().collect())
                }
            }
        }

        d.deserialize_map(MapVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_btreemap() {
        let ops = [
            (5, 'a'),
            (1, 'b'),
            (3, 'c'),
            (1, 'd'),
            (9, 'e'),
            (4, 'f'),
            (3, 'g'),
        ];
        let mut ours = VecMap::new();
        let mut theirs = BTreeMap::new();
        for (k, v) in ops {
            assert_eq!(ours.insert(k, v), theirs.insert(k, v));
            assert_eq!(ours.len(), theirs.len());
            assert!(ours.iter().eq(theirs.iter()));
        }
        assert_eq!(ours.get(&3), theirs.get(&3));
        assert_eq!(ours.get(&7), None);
        assert!(ours.contains_key(&9) && !ours.contains_key(&2));
        assert_eq!(ours.remove(&5), theirs.remove(&5));
        assert!(ours.keys().eq(theirs.keys()));
        assert!(ours.values().eq(theirs.values()));
        assert_eq!(ours.last_key_value(), theirs.last_key_value());
        assert_eq!(ours.first_key_value(), theirs.first_key_value());
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        let collected: VecMap<_, _> = ops.into_iter().collect();
        let expected: BTreeMap<_, _> = ops.into_iter().collect();
        assert!(collected.iter().eq(expected.iter()));
    }

    #[test]
    fn serialises_as_the_btreemap_it_replaces() {
        let ours: VecMap<u32, &str> = [(2, "b"), (1, "a")].into_iter().collect();
        let theirs: BTreeMap<u32, &str> = [(2, "b"), (1, "a")].into_iter().collect();
        let text = serde_json::to_string(&ours).unwrap();
        assert_eq!(text, serde_json::to_string(&theirs).unwrap());
        let back: VecMap<u32, String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back.get(&1).map(String::as_str), Some("a"));
        let shuffled: VecMap<u32, u32> = serde_json::from_str(r#"{"3":1,"1":2,"3":4}"#).unwrap();
        assert!(shuffled.iter().eq([(&1, &2), (&3, &4)]));
    }

    #[test]
    fn the_first_entries_are_allocated_exactly() {
        let mut m = VecMap::new();
        m.insert(1u32, [0u8; 100]);
        assert_eq!(m.entries.capacity(), 1);
        m.insert(2, [0u8; 100]);
        assert_eq!(m.entries.capacity(), 2);
    }
}
