//! [`CompactText`]: the text of an identifier, kept inline when it is short.
//!
//! Ids are everywhere in the folded state (every clock names its provider and calendar,
//! every reservation its lot and call-off, every incident its id twice), and almost all
//! of them are short (`INC-000042`, `CO-000042`, `los-1-rheinland`, `westfalen-cert`).
//! As a `String` each costs a heap allocation of at least 32 bytes besides its 24 inline
//! bytes; inline, a text of up to [`INLINE`] bytes costs nothing beyond those 24 bytes,
//! and cloning or dropping it allocates nothing. Longer texts fall back to the heap.
//!
//! Equality, order and hashing are those of the text itself, so the newtypes built on it
//! order exactly as they did over `String`.

use serde::de::{self, Visitor};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The longest text kept inline (the enum then has the size of a `String`).
pub(crate) const INLINE: usize = 22;

/// An immutable text, inline up to [`INLINE`] bytes, else boxed.
#[derive(Clone)]
pub(crate) enum CompactText {
    /// `len` bytes at the start of `bytes`; the rest is zero.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A longer text.
    Heap(Box<str>),
}

impl CompactText {
    /// The text `s`, inline if it fits.
    pub(crate) fn new(s: &str) -> CompactText {
        match u8::try_from(s.len()) {
            Ok(len) if s.len() <= INLINE => {
                let mut bytes = [0u8; INLINE];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                CompactText::Inline { len, bytes }
            }
            _ => CompactText::Heap(s.into()),
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Built from a `&str` only, so the inline bytes are always UTF-8.
            CompactText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            CompactText::Heap(s) => s,
        }
    }

    /// The text's bytes (no UTF-8 check).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            CompactText::Inline { len, bytes } => &bytes[..usize::from(*len)],
            CompactText::Heap(s) => s.as_bytes(),
        }
    }
}

/// The first 16 and the last 6 inline bytes as big-endian integers: comparing these (and
/// then the lengths) orders two inline texts as their bytes order. Zero-padding keeps
/// the order: where one text has ended, its zero sorts before any byte of the other,
/// and if all bytes agree the shorter text is a prefix and comes first.
fn words(bytes: &[u8; INLINE]) -> (u128, u64) {
    let mut high = [0u8; 16];
    high.copy_from_slice(&bytes[..16]);
    let mut low = [0u8; 8];
    low[..INLINE - 16].copy_from_slice(&bytes[16..]);
    (u128::from_be_bytes(high), u64::from_be_bytes(low))
}

impl PartialEq for CompactText {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                CompactText::Inline { len: a, bytes: x },
                CompactText::Inline { len: b, bytes: y },
            ) => a == b && x == y,
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for CompactText {}

impl PartialOrd for CompactText {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CompactText {
    /// Byte-wise, as `str` orders (two inline texts by two integer comparisons).
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (
                CompactText::Inline { len: a, bytes: x },
                CompactText::Inline { len: b, bytes: y },
            ) => words(x).cmp(&words(y)).then(a.cmp(b)),
            _ => self.as_bytes().cmp(other.as_bytes()),
        }
    }
}

impl Hash for CompactText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for CompactText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Deserialises any string form (borrowed, transient or owned) through `check`, which
/// validates the text and builds the id, without an intermediate `String`.
pub(crate) fn deserialize_text<'de, D, T, E>(
    d: D,
    expecting: &'static str,
    check: fn(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    E: fmt::Display,
{
    struct TextVisitor<T, E> {
        expecting: &'static str,
        check: fn(&str) -> Result<T, E>,
    }

    impl<T, E: fmt::Display> Visitor<'_> for TextVisitor<T, E> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<X: de::Error>(self, v: &str) -> Result<T, X> {
            (self.check)(v).map_err(X::custom)
        }
    }

    d.deserialize_str(TextVisitor { expecting, check })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_inline_and_long_ones_boxed_with_the_same_order() {
        let short = CompactText::new("los-1-rheinland");
        assert!(matches!(short, CompactText::Inline { .. }));
        assert_eq!(short.as_str(), "los-1-rheinland");
        let edge = "a".repeat(INLINE);
        assert!(matches!(
            CompactText::new(&edge),
            CompactText::Inline { .. }
        ));
        let long = "a".repeat(INLINE + 1);
        assert!(matches!(CompactText::new(&long), CompactText::Heap(_)));
        assert_eq!(CompactText::new(&long).as_str(), long);
        assert_eq!(
            std::mem::size_of::<CompactText>(),
            std::mem::size_of::<String>()
        );

        let texts = [
            "",
            "a",
            "ab",
            "b",
            &edge,
            &long,
            "INC-000010",
            "INC-0000001",
            "ü",
            "a\0",
            "a\0b",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "abcdefghijklmnopqrstu",
            "abcdefghijklmnopqrstv",
        ];
        for a in texts {
            for b in texts {
                let (x, y) = (CompactText::new(a), CompactText::new(b));
                assert_eq!(x.cmp(&y), a.cmp(b), "{a:?} vs {b:?}");
                assert_eq!(x == y, a == b);
            }
        }
        assert_eq!(
            format!("{:?}", CompactText::new("x\"y")),
            format!("{:?}", "x\"y")
        );
    }
}
