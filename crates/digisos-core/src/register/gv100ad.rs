//! Parser for the official Destatis *Gemeindeverzeichnis* in its fixed-width GV100AD
//! format (220 characters a record): Kreise and Gemeinden become bodies of the register.
//!
//! Pure: takes the bytes an adapter read. Accepts UTF-8 (current issues) and ISO-8859-1
//! (older issues), LF and CRLF; positions count characters. A kreisfreie Stadt appears as
//! Satzart 40/41 and 60/61 and becomes one body, keyed by its 8-digit AGS. The
//! *Gebietsstand* is returned in [`Import::gebietsstand`]; it is not a body's
//! `valid_from` (the bodies existed before the date the file describes).

use super::body::Body;
use super::import::{ErrorSink, Import, ImportErrors};
use super::key::{BodyKey, LandCode, RegionCode};
use super::kind::BodyKind;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Length of a record in characters.
pub const RECORD_LEN: usize = 220;

/// What to import from a GV100AD file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gv100Options {
    /// Keep only bodies of this Land (`05`); `None` keeps all. Every line is validated
    /// either way.
    pub land: Option<LandCode>,
}

/// Parses a whole GV100AD file. Fails with every error (line number and field, capped)
/// if any line is malformed: unknown Satzart or Textkennzeichen, bad Gebietsstand or
/// Regionalschlüssel, empty name, a record of the wrong length, a key twice, or
/// Gebietsstand dates that differ between lines. Every record must be exactly 220
/// characters long, so a cut-off file or a wrong encoding is caught.
pub fn parse(bytes: &[u8], options: &Gv100Options) -> Result<Import, ImportErrors> {
    let mut sink = ErrorSink::default();
    let text = decode(bytes);
    if text.contains('\0') {
        sink.push(
            1,
            None,
            "the file contains NUL characters: not a GV100AD text file (UTF-16 or binary?)",
        );
        return sink.finish(empty());
    }
    let mut state = State::default();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() || line == "\u{1a}" {
            continue;
        }
        state.line(i + 1, line, options, &mut sink);
    }
    if state.first_date.is_none() && sink.is_empty() {
        sink.push(1, None, "the file holds no GV100AD record");
    }
    let import = Import {
        gebietsstand: state.first_date.map(|(_, d)| d),
        bodies: state.bodies,
    };
    sink.finish(import)
}

fn empty() -> Import {
    Import {
        gebietsstand: None,
        bodies: Vec::new(),
    }
}

/// UTF-8 if valid (without BOM), else ISO-8859-1 (every byte is its code point).
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

#[derive(Default)]
struct State {
    first_date: Option<(usize, NaiveDate)>,
    seen: BTreeMap<String, usize>,
    bodies: Vec<Body>,
}

/// One record of 220 characters; positions are 1-based and inclusive.
struct Record(Vec<char>);

impl Record {
    fn field(&self, from: usize, to: usize) -> String {
        self.0[from - 1..to].iter().collect()
    }
}

impl State {
    fn line(&mut self, no: usize, line: &str, options: &Gv100Options, sink: &mut ErrorSink) {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() != RECORD_LEN {
            sink.push(
                no,
                None,
                format!(
                    "the record has {} characters, expected {RECORD_LEN} (cut short, wrong encoding or not a GV100AD file?)",
                    chars.len()
                ),
            );
            return;
        }
        let r = Record(chars);
        let errors_before = sink.len();
        let satzart = r.field(1, 2);
        let key_len = match satzart.as_str() {
            "10" => 2,
            "20" => 3,
            "30" => 4,
            "40" | "50" => 5,
            "60" => 8,
            _ => {
                sink.push(
                    no,
                    Some("Satzart"),
                    format!("{satzart:?} is not a known record type (10, 20, 30, 40, 50, 60)"),
                );
                return;
            }
        };
        self.check_date(no, &r.field(3, 10), sink);
        let regional = r.field(11, 18);
        let key = r.field(11, 10 + key_len);
        let rest_blank = r.field(11 + key_len, 18).trim().is_empty();
        let land = LandCode::new(r.field(11, 12)).ok();
        if !key.bytes().all(|b| b.is_ascii_digit()) || !rest_blank || land.is_none() {
            sink.push(
                no,
                Some("Regionalschlüssel"),
                format!("{regional:?} must be {key_len} digits of a Land 01-16 for Satzart {satzart}, then blanks"),
            );
        }
        if satzart == "50" && !r.field(19, 22).bytes().all(|b| b.is_ascii_digit()) {
            sink.push(
                no,
                Some("Gemeindeverband"),
                format!("{:?} must be 4 digits", r.field(19, 22)),
            );
        }
        let name = r.field(23, 72).trim().to_string();
        if name.is_empty() {
            sink.push(no, Some("Name"), "must not be blank");
        }
        let tk = r.field(123, 124);
        let known: &[&str] = match satzart.as_str() {
            "40" => &["41", "42", "43", "44", "45"],
            "50" => &["50", "51", "52", "53", "54", "55", "56", "57", "58"],
            "60" => &["60", "61", "62", "63", "64", "65", "66", "67", "68", "69"],
            _ => &[],
        };
        if !known.is_empty() && !known.contains(&tk.as_str()) {
            sink.push(
                no,
                Some("Textkennzeichen"),
                format!(
                    "{tk:?} is not known for Satzart {satzart} (expected one of {})",
                    known.join(", ")
                ),
            );
        }
        if sink.len() > errors_before {
            return;
        }
        let seen_key = format!(
            "{satzart}:{key}{}",
            if satzart == "50" {
                r.field(19, 22)
            } else {
                String::new()
            }
        );
        if let Some(first) = self.seen.insert(seen_key, no) {
            sink.push(
                no,
                Some("Regionalschlüssel"),
                format!("{key} appears again for Satzart {satzart} (first in line {first})"),
            );
            return;
        }
        let Some(land) = land else { return };
        if options.land.as_ref().is_some_and(|l| *l != land) {
            return;
        }
        let kind = match (satzart.as_str(), tk.as_str()) {
            ("40", "43" | "44" | "45") => BodyKind::Kreis,
            ("60", "61" | "62") => BodyKind::KreisfreieStadt,
            ("60", "65" | "66") => return, // gemeindefreies Gebiet: no administration
            ("60", _) => BodyKind::KreisangehoerigeGemeinde,
            _ => return, // 40/41, 40/42: the city comes as Satzart 60; 10–30, 50: no bodies
        };
        let Ok(body_key) = BodyKey::new(key.clone()) else {
            return;
        };
        let parent = (kind == BodyKind::KreisangehoerigeGemeinde)
            .then(|| body_key.kreis())
            .flatten();
        self.bodies.push(Body {
            key: body_key,
            name,
            kind,
            land,
            regierungsbezirk: RegionCode::new(r.field(11, 13)).ok(),
            parent,
            owners: Vec::new(),
            valid_from: None,
            valid_to: None,
        });
    }

    fn check_date(&mut self, no: usize, text: &str, sink: &mut ErrorSink) {
        let parsed = text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| NaiveDate::parse_from_str(text, "%Y%m%d").ok())
            .flatten();
        let Some(date) = parsed else {
            sink.push(
                no,
                Some("Gebietsstand"),
                format!("{text:?} is not a date YYYYMMDD"),
            );
            return;
        };
        match self.first_date {
            None => self.first_date = Some((no, date)),
            Some((first, d)) if d != date => sink.push(
                no,
                Some("Gebietsstand"),
                format!(
                    "{} differs from {} in line {first}; one file has one Gebietsstand",
                    date.format("%Y%m%d"),
                    d.format("%Y%m%d")
                ),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_and_falls_back_to_latin1() {
        assert_eq!(decode("Köln".as_bytes()), "Köln");
        assert_eq!(decode(b"\xef\xbb\xbfK"), "K");
        assert_eq!(decode(b"K\xf6ln"), "Köln");
    }
}
