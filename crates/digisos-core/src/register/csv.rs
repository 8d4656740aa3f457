//! CSV import for bodies that are not in GV100AD (Landschaftsverbände, Landesbehörden,
//! Anstalten, Stiftungen, companies with their owners).
//!
//! UTF-8, RFC 4180 (comma, optional double quotes), LF or CRLF; lines starting with `#`
//! are comments. The first record is the header, exactly [`HEADER`]:
//!
//! ```text
//! key,name,kind,land,regierungsbezirk,parent,owners,valid_from,valid_to
//! LVR,Landschaftsverband Rheinland,landschaftsverband,05,,,,,
//! KOELN-IT,Beispiel IT GmbH,kommunales_unternehmen,05,053,,05315000:60;05314000:15,2024-01-01,
//! ```
//!
//! `kind` is a snake_case [`BodyKind`]; `owners` lists `KEY:PERCENT` pairs separated by
//! `;`; dates are `YYYY-MM-DD`; empty optional fields mean "none".

mod reader;

use super::body::{Body, Ownership};
use super::import::{ErrorSink, Import, ImportErrors};
use super::key::{BodyKey, LandCode, RegionCode};
use super::kind::BodyKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The required header line of a register CSV file.
pub const HEADER: &str = "key,name,kind,land,regierungsbezirk,parent,owners,valid_from,valid_to";

const COLUMNS: [&str; 9] = [
    "key",
    "name",
    "kind",
    "land",
    "regierungsbezirk",
    "parent",
    "owners",
    "valid_from",
    "valid_to",
];

/// Parses a register CSV file. Fails with every error (line number and column, capped)
/// if the file is not UTF-8, the header differs from [`HEADER`], a record has the wrong
/// number of fields, a field does not parse, a body is inconsistent (see
/// [`Body::problems`]) or a key appears twice. References to other bodies are checked
/// when the import is applied to the register.
pub fn parse(bytes: &[u8]) -> Result<Import, ImportErrors> {
    let mut sink = ErrorSink::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            sink.push(
                line,
                None,
                format!(
                    "the file is not valid UTF-8 (byte {}); save it as UTF-8",
                    e.valid_up_to() + 1
                ),
            );
            return sink.finish(empty());
        }
    };
    let rows = match reader::rows(text) {
        Ok(rows) => rows,
        Err(e) => {
            sink.push(e.line, None, e.message);
            return sink.finish(empty());
        }
    };
    let mut rows = rows.into_iter();
    let header_ok = rows.next().is_some_and(|h| {
        h.fields
            .iter()
            .map(|f| f.trim())
            .eq(COLUMNS.iter().copied())
    });
    if !header_ok {
        sink.push(
            1,
            None,
            format!("the first record must be the header {HEADER}"),
        );
        return sink.finish(empty());
    }
    let mut bodies = Vec::new();
    let mut seen: BTreeMap<BodyKey, usize> = BTreeMap::new();
    for row in rows {
        if row.fields.len() != COLUMNS.len() {
            sink.push(
                row.line,
                None,
                format!(
                    "{} fields, expected {} ({HEADER})",
                    row.fields.len(),
                    COLUMNS.len()
                ),
            );
            continue;
        }
        let Some(body) = parse_body(row.line, &row.fields, &mut sink) else {
            continue;
        };
        for p in body.problems().into_vec() {
            let field = COLUMNS
                .iter()
                .find(|c| p.path.split(['.', '[']).next() == Some(**c))
                .copied();
            let message = if field.is_some() && p.path.contains('[') {
                format!("{}: {}", p.path, p.message)
            } else {
                p.message
            };
            sink.push(row.line, field, message);
        }
        if let Some(first) = seen.insert(body.key.clone(), row.line) {
            sink.push(
                row.line,
                Some("key"),
                format!("{} appears again (first in line {first})", body.key),
            );
        }
        bodies.push(body);
    }
    sink.finish(Import {
        gebietsstand: None,
        bodies,
    })
}

fn empty() -> Import {
    Import {
        gebietsstand: None,
        bodies: Vec::new(),
    }
}

/// Parses the fields of one record; every field error goes to `sink`.
fn parse_body(line: usize, fields: &[String], sink: &mut ErrorSink) -> Option<Body> {
    let f = |i: usize| fields[i].trim();
    let text = |e: super::key::KeyError| e.to_string();
    let key = check(sink, line, "key", BodyKey::new(f(0)).map_err(text));
    let kind = check(
        sink,
        line,
        "kind",
        f(2).parse::<BodyKind>().map_err(|e| e.to_string()),
    );
    let land = check(sink, line, "land", LandCode::new(f(3)).map_err(text));
    let region = check(
        sink,
        line,
        "regierungsbezirk",
        optional(f(4), |s| RegionCode::new(s).map_err(text)),
    );
    let parent = check(
        sink,
        line,
        "parent",
        optional(f(5), |s| BodyKey::new(s).map_err(text)),
    );
    let owners = check(sink, line, "owners", owners(f(6)));
    let valid_from = check(sink, line, "valid_from", optional(f(7), date));
    let valid_to = check(sink, line, "valid_to", optional(f(8), date));
    Some(Body {
        key: key?,
        name: f(1).to_string(),
        kind: kind?,
        land: land?,
        regierungsbezirk: region?,
        parent: parent?,
        owners: owners?,
        valid_from: valid_from?,
        valid_to: valid_to?,
    })
}

fn check<T>(
    sink: &mut ErrorSink,
    line: usize,
    field: &'static str,
    result: Result<T, String>,
) -> Option<T> {
    result.map_err(|m| sink.push(line, Some(field), m)).ok()
}

fn optional<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date YYYY-MM-DD"))
}

/// `KEY:PERCENT;KEY:PERCENT`, e.g. `05315000:60;05314000:15`.
fn owners(s: &str) -> Result<Vec<Ownership>, String> {
    let mut v = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, share)) = part.split_once(':') else {
            return Err(format!(
                "{part:?} is not KEY:PERCENT (e.g. 05315000:60;05314000:15)"
            ));
        };
        let owner = BodyKey::new(key.trim()).map_err(|e| e.to_string())?;
        let share_percent: Decimal = share
            .trim()
            .parse()
            .map_err(|_| format!("{share:?} is not a percentage like 60 or 12.5"))?;
        v.push(Ownership {
            owner,
            share_percent,
        });
    }
    Ok(v)
}

#[cfg(test)]
mod tests;
