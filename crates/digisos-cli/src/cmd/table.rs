//! Rendering helpers shared by the command groups: comfy-table tables, CSV, and the
//! human forms of instants (Europe/Berlin, RFC 3339), durations and optional values.

use crate::CliError;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use comfy_table::{Table, presets};
use std::fmt::Display;

/// How a list is printed: a table for people (default) or CSV for spreadsheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum ListFormat {
    /// A table (or JSON with `--json`).
    #[default]
    Table,
    /// Comma-separated values with a header line (RFC 4180 quoting).
    Csv,
}

/// A list ready to print in any of the three forms.
#[derive(Debug)]
pub(crate) struct Listing {
    /// Column names (also the CSV header).
    pub(crate) header: Vec<&'static str>,
    /// The cells, one `Vec` per row, as text.
    pub(crate) rows: Vec<Vec<String>>,
}

impl Listing {
    /// A listing with this header and no rows yet.
    pub(crate) fn new(header: Vec<&'static str>) -> Listing {
        Listing {
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a row (as many cells as the header has).
    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The listing as a table, or `empty` when it has no rows.
    pub(crate) fn to_table(&self, empty: &str) -> String {
        if self.rows.is_empty() {
            return format!("{empty}\n");
        }
        let mut t = table();
        t.set_header(self.header.clone());
        for r in &self.rows {
            t.add_row(r.clone());
        }
        format!("{t}\n")
    }

    /// The listing as CSV with a header line.
    pub(crate) fn to_csv(&self) -> String {
        let mut out = csv_line(self.header.iter().map(|h| h.to_string()));
        for r in &self.rows {
            out.push_str(&csv_line(r.iter().cloned()));
        }
        out
    }
}

/// Prints a list: JSON (`value`) with `--json`, CSV with `--format csv`, else a table.
/// Fails with a usage error when both `--json` and `--format csv` are given.
pub(crate) fn print_list<T: serde::Serialize>(
    ctx: &crate::Ctx,
    format: ListFormat,
    value: &T,
    listing: impl FnOnce() -> Listing,
    empty: &str,
) -> Result<(), CliError> {
    match (ctx.json, format) {
        (true, ListFormat::Csv) => Err(CliError::Usage(
            "choose one output form: --json or --format csv".into(),
        )),
        (false, ListFormat::Csv) => {
            crate::output::out!("{}", listing().to_csv());
            Ok(())
        }
        _ => ctx.print(value, || listing().to_table(empty)),
    }
}

/// A table in the house style (UTF-8 lines, condensed, no colours).
pub(crate) fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t
}

/// A two-column field/value table, for `show` commands.
pub(crate) fn fields(rows: &[(&str, String)]) -> String {
    let mut t = table();
    for (k, v) in rows {
        t.add_row(vec![(*k).to_string(), v.clone()]);
    }
    format!("{t}\n")
}

fn csv_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// An instant for people: RFC 3339 in Europe/Berlin (`2025-10-02T20:00:00+02:00`).
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Berlin)
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// An optional instant for people (`-` when absent).
pub(crate) fn opt_instant(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "-".to_string(), instant)
}

/// An optional value for people (`-` when absent).
pub(crate) fn opt<T: Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// A duration as hours and minutes (`1h05m`, `-0h15m`, `26h00m`), truncated to minutes.
pub(crate) fn duration(d: TimeDelta) -> String {
    let minutes = d.num_minutes();
    let sign = if d < TimeDelta::zero() { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}{}h{:02}m", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_hours_and_minutes() {
        for (seconds, text) in [
            (0, "0h00m"),
            (65 * 60, "1h05m"),
            (-15 * 60, "-0h15m"),
            (26 * 3600 + 59, "26h00m"),
            (-(90 * 60 + 30), "-1h30m"),
        ] {
            assert_eq!(duration(TimeDelta::seconds(seconds)), text, "{seconds}");
        }
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut l = Listing::new(vec!["a", "b"]);
        l.push(vec!["Olpe".into(), "Bad Berleburg, Stadt".into()]);
        l.push(vec!["say \"hi\"".into(), String::new()]);
        assert_eq!(
            l.to_csv(),
            "a,b\nOlpe,\"Bad Berleburg, Stadt\"\n\"say \"\"hi\"\"\",\n"
        );
    }

    #[test]
    fn instants_are_shown_in_berlin_time() {
        let at = DateTime::parse_from_rfc3339("2025-10-02T18:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(instant(at), "2025-10-02T20:00:00+02:00");
    }
}
