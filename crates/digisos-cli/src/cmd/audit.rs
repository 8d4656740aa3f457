//! `digisos audit verify|export`: walk the hash chain of the event log (exit 0 intact,
//! exit 1 naming the first broken position) and export stored events as JSON Lines.

use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::principal;
use digisos_store::ProgrammeLog;
use serde::Serialize;
use std::io::Write as _;

/// Events read per page when exporting.
const PAGE: usize = 10_000;

/// Commands on the audit trail.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain of the whole log; exit 1 at the first broken event.
    Verify,
    /// Write the stored events after a position to stdout (for a SIEM or an archive).
    Export {
        /// Export the events after this position (0 = all); pass the last exported
        /// position to continue an earlier export.
        #[arg(long, default_value_t = 0, value_name = "POSITION")]
        since: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: ExportFormat,
    },
}

/// Export formats.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// One JSON object per line (position, stream, version, kind, actor, at, payload,
    /// prev_hash, hash).
    #[default]
    Jsonl,
}

/// The answer of `audit verify`.
#[derive(Debug, Serialize)]
struct VerifyView {
    intact: bool,
    events_checked: u64,
    last_position: u64,
    head_hash: String,
    first_break: Option<BreakView>,
}

#[derive(Debug, Serialize)]
struct BreakView {
    position: u64,
    reason: String,
}

/// Runs an audit command.
pub(crate) fn run(command: AuditCommand, ctx: &Ctx) -> Result<(), CliError> {
    if !principal::can_audit(&ctx.principal) {
        return Err(CliError::Rejected(format!(
            "{} may not read the audit trail; act as --as auditor or --as coordinator",
            ctx.principal
        )));
    }
    let log = open_log(ctx)?;
    match command {
        AuditCommand::Verify => verify(ctx, &log),
        AuditCommand::Export { since, format } => export(&log, since, format),
    }
}

fn open_log(ctx: &Ctx) -> Result<ProgrammeLog, CliError> {
    if ctx.store.is_none() && !ctx.data.join("digisos.db").exists() {
        return Err(CliError::Store(format!(
            "there is no event store in {}; pass the right --data DIR or --store URL",
            ctx.data.display()
        )));
    }
    ProgrammeLog::open(&ctx.store_url()).map_err(crate::cmd::exec::store_error)
}

fn verify(ctx: &Ctx, log: &ProgrammeLog) -> Result<(), CliError> {
    let report = log.log().verify().map_err(crate::cmd::exec::store_error)?;
    let view = VerifyView {
        intact: report.is_intact(),
        events_checked: report.events_checked,
        last_position: report.last_position,
        head_hash: report.head_hash.to_hex(),
        first_break: report.first_break.as_ref().map(|b| BreakView {
            position: b.position,
            reason: b.reason.to_string(),
        }),
    };
    match &view.first_break {
        None => ctx.print(&view, || {
            format!(
                "the audit trail is intact: {} event(s), head {} at position {}\n",
                view.events_checked, view.head_hash, view.last_position
            )
        }),
        Some(b) => {
            if ctx.json {
                ctx.print(&view, String::new)?;
            }
            Err(CliError::Rejected(format!(
                "the audit trail is broken at position {}: {}; events up to position {} are intact — restore the store from a backup and investigate the change",
                b.position, b.reason, view.last_position
            )))
        }
    }
}

fn export(log: &ProgrammeLog, since: u64, format: ExportFormat) -> Result<(), CliError> {
    let ExportFormat::Jsonl = format;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut from = since.saturating_add(1);
    loop {
        let page = log
            .log()
            .read_all(from, PAGE)
            .map_err(crate::cmd::exec::store_error)?;
        for e in &page {
            let line = serde_json::to_string(e).map_err(|err| {
                CliError::Store(format!("cannot encode event {}: {err}", e.position))
            })?;
            writeln!(out, "{line}").map_err(CliError::io("writing the export to stdout"))?;
        }
        match page.last() {
            Some(last) if page.len() == PAGE => from = last.position + 1,
            _ => break,
        }
    }
    out.flush()
        .map_err(CliError::io("writing the export to stdout"))
}
