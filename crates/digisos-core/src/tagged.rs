//! Reading internally tagged enums (`{"type": "sla", …}`) without buffering.
//!
//! Serde's derived `Deserialize` for `#[serde(tag = …)]` first copies the whole object
//! into an in-memory tree, because the tag may come last — and in the log it does: the
//! stored payload is canonical JSON with sorted keys (`{"event":…,"id":…,"type":…}`).
//! Nested tagged enums (a programme event holds an incident event whose kind may hold a
//! clock event) are copied again at every level. Replaying a log spent most of its time
//! there.
//!
//! The events' hand-written `Deserialize` impls instead read every key of the object
//! straight into a typed slot — the union of all variants' fields, which have one type
//! per name — and build the variant the tag names at the end. They accept what the
//! derived impls accepted (missing `Option` fields are `None`, unknown keys are skipped,
//! a repeated key is an error) and need a self-describing format, as the derived ones
//! did. Serialisation stays derived, so the shapes are unchanged.

use serde::de::{self, Deserialize, MapAccess};

/// Reads the next value into `slot`, refusing a second occurrence of the key.
pub(crate) fn put<'de, A, T>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The value of a required field.
pub(crate) fn need<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Declares an enum of the known keys of a tagged object (plus `Other` for any other
/// key), read as an identifier without allocating.
macro_rules! object_keys {
    ($name:ident { $($key:ident = $text:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum $name {
            $($key,)*
            Other,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct KeyVisitor;

                impl serde::de::Visitor<'_> for KeyVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("field identifier")
                    }

                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok(match v {
                            $($text => $name::$key,)*
                            _ => $name::Other,
                        })
                    }
                }

                d.deserialize_identifier(KeyVisitor)
            }
        }
    };
}

/// Declares an enum of the tag values (variant names) of a tagged enum; an unknown tag is
/// an `unknown variant` error listing the known ones.
macro_rules! tag_values {
    ($name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum $name {
            $($variant,)*
        }

        impl $name {
            const NAMES: &'static [&'static str] = &[$($text),*];

            fn parse<E: serde::de::Error>(v: &str) -> Result<$name, E> {
                match v {
                    $($text => Ok($name::$variant),)*
                    _ => Err(E::unknown_variant(v, Self::NAMES)),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct TagVisitor;

                impl serde::de::Visitor<'_> for TagVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("variant identifier")
                    }

                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::parse(v)
                    }
                }

                d.deserialize_identifier(TagVisitor)
            }
        }
    };
}

pub(crate) use {object_keys, tag_values};
