//! `digisos audit verify|export`: walk the hash chain of the event log (exit 0 intact,
//! exit 1 naming the first broken position) and export stored events as JSON Lines.

use crate::cmd::backend::{self, AuditReport};
use crate::{CliError, Ctx};
use clap::Subcommand;
use std::io::Write as _;

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

/// Runs an audit command.
pub(crate) fn run(command: AuditCommand, ctx: &Ctx) -> Result<(), CliError> {
    if ctx.server.is_none() && ctx.store.is_none() && !ctx.data.join("digisos.db").exists() {
        return Err(CliError::Store(format!(
            "there is no event store in {}; pass the right --data DIR or --store URL",
            ctx.data.display()
        )));
    }
    let mut backend = backend::open(ctx)?;
    match command {
        AuditCommand::Verify => verify(ctx, backend.audit_verify()?),
        AuditCommand::Export { since, format } => {
            let ExportFormat::Jsonl = format;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            backend.audit_export(since, &mut out)?;
            out.flush()
                .map_err(CliError::io("writing the export to stdout"))
        }
    }
}

fn verify(ctx: &Ctx, view: AuditReport) -> Result<(), CliError> {
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
