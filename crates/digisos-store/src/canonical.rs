//! Canonical JSON straight from a `Serialize` value: the exact text
//! [`crate::hash::canonical_json`] renders from `serde_json::to_value(value)` — compact,
//! every object's keys sorted by their UTF-8 bytes — without building the JSON tree.
//!
//! Building a `serde_json::Value` costs one allocation per string and map node and as
//! many frees afterwards; on the write path that was about a third of a durable command's
//! time. This serializer writes scalars straight into the output and buffers only each
//! object's entries (one buffer per object) to sort them.
//!
//! The mapping follows `serde_json::value::Serializer` case by case (unit and `None` →
//! `null`, unit variants → their name, newtype/tuple/struct variants → a one-key object,
//! bytes → an array of numbers, non-finite floats → `null`, map keys from strings,
//! integers, `bool`, `char` and unit variants, a repeated key keeps the last value); the
//! tests compare both on every kind of shape and on every event of a simulated programme.

use serde::ser::{self, Impossible, Serialize};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Display;

type Entries = Vec<(Cow<'static, str>, usize, usize)>;

thread_local! {
    /// Buffers of finished objects, reused by the next ones (an event nests a handful of
    /// objects; without reuse their buffers dominated the encoding time).
    static POOL: RefCell<Vec<(Vec<u8>, Entries)>> = const { RefCell::new(Vec::new()) };
}

/// Most buffers kept per thread.
const POOL_MAX: usize = 16;

fn take_buffers() -> (Vec<u8>, Entries) {
    POOL.with(|p| p.borrow_mut().pop())
        .unwrap_or_else(|| (Vec::with_capacity(512), Vec::with_capacity(16)))
}

fn give_back(mut buf: Vec<u8>, mut entries: Entries) {
    buf.clear();
    entries.clear();
    POOL.with(|p| {
        let mut pool = p.borrow_mut();
        if pool.len() < POOL_MAX {
            pool.push((buf, entries));
        }
    });
}

/// Why a value has no JSON form (a map key that is not a string, a number out of range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode as canonical JSON: {0}")]
pub struct CanonicalError(String);

impl ser::Error for CanonicalError {
    fn custom<T: Display>(msg: T) -> Self {
        CanonicalError(msg.to_string())
    }
}

/// Renders `value` as canonical JSON (see the module docs).
pub(crate) fn to_canonical_string<T: Serialize + ?Sized>(
    value: &T,
) -> Result<String, CanonicalError> {
    let mut out = Vec::with_capacity(512);
    value.serialize(Writer { out: &mut out })?;
    String::from_utf8(out).map_err(|e| CanonicalError(format!("not UTF-8: {e}")))
}

type Result<T, E = CanonicalError> = std::result::Result<T, E>;

/// Writes one JSON value into `out`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing a `str` into a `Vec` cannot fail; serde_json does the escaping.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_int(out: &mut Vec<u8>, v: impl Display) {
    use std::io::Write;
    // Writing into a `Vec` cannot fail.
    let _ = write!(out, "{v}");
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = CanonicalError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = VariantSeq<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = VariantObject<'a>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        if let Ok(v) = u64::try_from(v) {
            self.serialize_u64(v)
        } else if let Ok(v) = i64::try_from(v) {
            self.serialize_i64(v)
        } else {
            Err(CanonicalError("number out of range".into()))
        }
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        write_int(self.out, v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        u64::try_from(v)
            .map_err(|_| CanonicalError("number out of range".into()))
            .and_then(|v| self.serialize_u64(v))
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        if v.is_finite() {
            let _ = serde_json::to_writer(&mut *self.out, &v);
        } else {
            self.out.extend_from_slice(b"null");
        }
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        write_str(self.out, v);
        Ok(())
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<()> {
        // timestamps and decimals: format into a reused buffer, then escape as a string
        thread_local! {
            static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
        }
        TEXT.with(|t| {
            let mut text = t.borrow_mut();
            text.clear();
            use std::fmt::Write;
            write!(text, "{value}").map_err(|e| CanonicalError(e.to_string()))?;
            write_str(self.out, &text);
            Ok(())
        })
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.out.push(b'[');
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_int(self.out, u64::from(*b));
        }
        self.out.push(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        value.serialize(Writer {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'a>> {
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSeq<'a>> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        Ok(VariantSeq(self.serialize_seq(Some(len))?))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>> {
        Ok(Object::new(self.out))
    }
    fn serialize_struct(self, _: &'static str, _len: usize) -> Result<Object<'a>> {
        Ok(Object::new(self.out))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<VariantObject<'a>> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        Ok(VariantObject(Object::new(self.out)))
    }
}

/// A JSON array being written.
struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }
    fn close(self) {
        self.out.push(b']');
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.close();
        Ok(())
    }
}

/// The array of a tuple variant, inside its one-key object.
struct VariantSeq<'a>(Seq<'a>);

impl ser::SerializeTupleVariant for VariantSeq<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.0.element(value)
    }
    fn end(self) -> Result<()> {
        let out = self.0.out;
        out.extend_from_slice(b"]}");
        Ok(())
    }
}

/// A JSON object being collected: each entry's value is written into one shared buffer,
/// the entries are sorted by key when the object ends and copied out in that order.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    buf: Vec<u8>,
    entries: Vec<(Cow<'static, str>, usize, usize)>,
    /// The key of a map entry whose value has not been written yet.
    pending: Option<String>,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>) -> Object<'a> {
        let (buf, entries) = take_buffers();
        Object {
            out,
            buf,
            entries,
            pending: None,
        }
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result<()> {
        let start = self.buf.len();
        value.serialize(Writer { out: &mut self.buf })?;
        self.entries.push((key, start, self.buf.len()));
        Ok(())
    }

    /// Writes the sorted object and hands back the output it was writing into.
    fn close(mut self) -> &'a mut Vec<u8> {
        // stable: among equal keys the last written stays last; keep only that one
        if !self
            .entries
            .is_sorted_by(|a, b| a.0.as_bytes() <= b.0.as_bytes())
        {
            self.entries
                .sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        }
        self.out.push(b'{');
        let mut first = true;
        for (i, (key, start, end)) in self.entries.iter().enumerate() {
            if self.entries.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            write_str(self.out, key);
            self.out.push(b':');
            self.out.extend_from_slice(&self.buf[*start..*end]);
        }
        self.out.push(b'}');
        give_back(
            std::mem::take(&mut self.buf),
            std::mem::take(&mut self.entries),
        );
        self.out
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.pending = Some(key.serialize(KeyWriter)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .pending
            .take()
            .ok_or_else(|| CanonicalError("map value without a key".into()))?;
        self.entry(Cow::Owned(key), value)
    }
    fn end(self) -> Result<()> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.entry(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<()> {
        self.close();
        Ok(())
    }
}

/// The object of a struct variant, inside its one-key object.
struct VariantObject<'a>(Object<'a>);

impl ser::SerializeStructVariant for VariantObject<'_> {
    type Ok = ();
    type Error = CanonicalError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.0.entry(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<()> {
        self.0.close().push(b'}');
        Ok(())
    }
}

/// Turns a map key into its string, as `serde_json::to_value` does.
struct KeyWriter;

fn key_must_be_a_string() -> CanonicalError {
    CanonicalError("key must be a string".into())
}

impl ser::Serializer for KeyWriter {
    type Ok = String;
    type Error = CanonicalError;
    type SerializeSeq = Impossible<String, CanonicalError>;
    type SerializeTuple = Impossible<String, CanonicalError>;
    type SerializeTupleStruct = Impossible<String, CanonicalError>;
    type SerializeTupleVariant = Impossible<String, CanonicalError>;
    type SerializeMap = Impossible<String, CanonicalError>;
    type SerializeStruct = Impossible<String, CanonicalError>;
    type SerializeStructVariant = Impossible<String, CanonicalError>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _: f64) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests;
