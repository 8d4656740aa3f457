//! A report as a grid of text cells, printed as a comfy-table for people or as CSV
//! (RFC 4180) for spreadsheets; and the cell formats (money, durations, local times).

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use digisos_core::money::Money;
use std::fmt::Write as _;

/// A titled grid: column headers, rows of cells, and which columns are numeric.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    /// Printed above the table (not in CSV).
    pub(crate) title: String,
    /// Column headers.
    pub(crate) headers: Vec<&'static str>,
    /// Indices of right-aligned (numeric) columns.
    pub(crate) numeric: Vec<usize>,
    /// The rows.
    pub(crate) rows: Vec<Vec<String>>,
}

impl Grid {
    /// An empty grid with these headers; the columns listed in `numeric` align right.
    pub(crate) fn new(
        title: impl Into<String>,
        headers: &[&'static str],
        numeric: &[usize],
    ) -> Grid {
        Grid {
            title: title.into(),
            headers: headers.to_vec(),
            numeric: numeric.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (one cell per header).
    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The grid as a table for a terminal: its title, then the table (or "(none)").
    pub(crate) fn to_table(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = writeln!(out, "{}", self.title);
        }
        if self.rows.is_empty() {
            out.push_str("  (none)\n");
            return out;
        }
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(self.headers.clone());
        for row in &self.rows {
            table.add_row(row.clone());
        }
        for i in &self.numeric {
            if let Some(column) = table.column_mut(*i) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        let _ = writeln!(out, "{table}");
        out
    }

    /// The grid as CSV with a header line; cells with commas, quotes or line breaks are
    /// quoted, quotes doubled.
    pub(crate) fn to_csv(&self) -> String {
        let mut out = String::new();
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            cells.map(csv_cell).collect::<Vec<_>>().join(",")
        };
        let _ = writeln!(out, "{}", line(&mut self.headers.iter().copied()));
        for row in &self.rows {
            let _ = writeln!(out, "{}", line(&mut row.iter().map(String::as_str)));
        }
        out
    }
}

fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// Money with thousands separators for tables (`4,500,000.00`).
pub(crate) fn money(m: Money) -> String {
    let plain = m.to_string();
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{frac}")
}

/// An optional amount for tables (`—` when there is none).
pub(crate) fn money_or_dash(m: Option<Money>) -> String {
    m.map_or_else(|| "—".to_string(), money)
}

/// An optional amount for CSV (plain decimal, empty when there is none).
pub(crate) fn money_csv(m: Option<Money>) -> String {
    m.map_or_else(String::new, |m| m.to_string())
}

/// Seconds as `3h 05m` (or `45m`, `2d 04h`); `—` when there are none.
pub(crate) fn duration(seconds: Option<i64>) -> String {
    let Some(s) = seconds else {
        return "—".to_string();
    };
    let minutes = s / 60;
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h:02}h"),
    }
}

/// An instant in Europe/Berlin local time (`2025-10-27 04:16 CET`).
pub(crate) fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// An optional cell for CSV (empty when `None`).
pub(crate) fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(Money::euro(4_500_000)), "4,500,000.00");
        assert_eq!(money(Money::euro(999)), "999.00");
        assert_eq!(money(Money::euro(1000)), "1,000.00");
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut g = Grid::new("", &["a", "b"], &[]);
        g.push(vec!["Bad Berleburg, Stadt".into(), "say \"hi\"".into()]);
        assert_eq!(
            g.to_csv(),
            "a,b\n\"Bad Berleburg, Stadt\",\"say \"\"hi\"\"\"\n"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(None), "—");
        assert_eq!(duration(Some(45 * 60)), "45m");
        assert_eq!(duration(Some(3 * 3600 + 5 * 60)), "3h 05m");
        assert_eq!(duration(Some(2 * 86400 + 4 * 3600)), "2d 04h");
    }
}
