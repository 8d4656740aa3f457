//! Shared context of every command (data directory, output mode, `now`) and printing.

use crate::CliError;
use chrono::{DateTime, Utc};
use digisos_core::principal::Principal;
use digisos_core::service::Service;
use digisos_store::ProgrammeLog;
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
    /// `--store URL`, if given.
    pub(crate) store: Option<String>,
    /// Whom embedded commands act as (`--as`).
    pub(crate) principal: Principal,
    /// The server of remote mode (`--server`, `--token`); `None` = embedded.
    pub(crate) server: Option<crate::cmd::backend::Server>,
}

impl Ctx {
    /// The store URL: `--store`, or the SQLite file in the data directory.
    pub(crate) fn store_url(&self) -> String {
        self.store
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data.join("digisos.db").display()))
    }

    /// Opens the service over the store (creating the data directory for the default
    /// SQLite store). Fails with exit 3 when the store cannot be opened or read.
    pub(crate) fn open_service(&self) -> Result<Service<ProgrammeLog>, CliError> {
        if self.store.is_none() {
            std::fs::create_dir_all(&self.data).map_err(CliError::io(format!(
                "creating the data directory {}",
                self.data.display()
            )))?;
        }
        let log =
            ProgrammeLog::open(&self.store_url()).map_err(|e| CliError::Store(e.to_string()))?;
        Service::open(log).map_err(|e| CliError::Store(e.to_string()))
    }

    /// Prints `value` as pretty JSON when `--json` is set, else the human text.
    pub(crate) fn print<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), CliError> {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::Store(format!("cannot encode output as JSON: {e}")))?;
            emit(&format!("{text}\n"))?;
        } else {
            emit(&human())?;
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

/// Parses `--as`: `coordinator`, `auditor`, `body:KEY` or `provider:ID`.
pub(crate) fn parse_principal(s: &str) -> Result<Principal, String> {
    let usage = "expected coordinator, auditor, body:KEY or provider:ID";
    match s.split_once(':') {
        None if s == "coordinator" => Ok(Principal::coordinator()),
        None if s == "auditor" => Ok(Principal::auditor()),
        Some(("body", key)) => Principal::body(key).map_err(|e| format!("{e}; {usage}")),
        Some(("provider", id)) => digisos_core::ids::ProviderId::new(id)
            .map(Principal::provider)
            .map_err(|e| format!("{e}; {usage}")),
        _ => Err(format!("{s:?}: {usage}")),
    }
}

/// Writes `text` to standard output. A closed pipe (`digisos … | head`) is not an error:
/// the reader has all it wanted, so the command ends quietly with success.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Io {
            context: "writing to standard output".into(),
            source: e,
        }),
    }
}

/// `print!` that ends quietly on a closed pipe; use inside functions returning `CliError`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::emit(&format!($($arg)*))?
    };
}

/// `println!` that ends quietly on a closed pipe; use inside functions returning `CliError`.
macro_rules! outln {
    () => {
        $crate::output::emit("\n")?
    };
    ($($arg:tt)*) => {
        $crate::output::emit(&format!("{}\n", format_args!($($arg)*)))?
    };
}

pub(crate) use {out, outln};
