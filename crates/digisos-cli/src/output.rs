//! Shared context of every command (data directory, output mode, `now`) and printing.

use crate::CliError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::PathBuf;

/// What every command gets: where the data lives, how to print, and the instant to act at.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// The data directory (`--data`).
    pub(crate) data: PathBuf,
    /// Print JSON (`--json`).
    pub(crate) json: bool,
    /// `--now` or the system clock; the only place the binary reads the clock is `main`.
    pub(crate) now: DateTime<Utc>,
}

impl Ctx {
    /// Prints `value` as pretty JSON when `--json` is set, else the human text.
    pub(crate) fn print<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), CliError> {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::Store(format!("cannot encode output as JSON: {e}")))?;
            println!("{text}");
        } else {
            print!("{}", human());
        }
        Ok(())
    }
}

/// Parses `--now` (RFC 3339 with offset).
pub(crate) fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| format!("expected RFC 3339 like 2025-04-01T08:00:00+02:00: {e}"))
}
