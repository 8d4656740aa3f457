//! `digisos report utilisation|sla|incidents|duties`: the programme's figures, computed
//! in the core and printed as tables (default), JSON (`--json` or `--format json`) or CSV
//! (`--format csv`).

pub(crate) mod grid;
pub(crate) mod render;

use crate::{CliError, Ctx};
use clap::{Args, Subcommand, ValueEnum};
use digisos_core::programme::Programme;
use digisos_core::reports;
use grid::Grid;
use serde::Serialize;

/// Which report.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Reserved, posted, released and remaining money per contract, lot, provider,
    /// contract year and body-year, with the warning levels reached.
    Utilisation(FormatArgs),
    /// SLA attainment per provider and lot (met, breached, median and p90 response times)
    /// and every breach.
    Sla {
        #[command(flatten)]
        format: FormatArgs,
        /// With --format csv: print the breaches instead of the attainment rows.
        #[arg(long)]
        breaches: bool,
    },
    /// Incident counts by state, severity, category and Regierungsbezirk; MTTA and MTTR.
    Incidents(FormatArgs),
    /// Reporting duties (NIS2, GDPR) per incident and in total: open, submitted, late,
    /// overdue.
    Duties(FormatArgs),
}

/// How to print a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Tables for people.
    #[default]
    Table,
    /// CSV with a header line, for spreadsheets.
    Csv,
    /// JSON, like --json.
    Json,
}

/// The output format option of every report.
#[derive(Debug, Clone, Copy, Default, Args)]
pub(crate) struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs a report command on the state read from the store (or replayed from the server's
/// audit export in remote mode), as of `--now`.
pub(crate) fn run(command: ReportCommand, ctx: &Ctx) -> Result<(), CliError> {
    let mut backend = crate::cmd::backend::open(ctx)?;
    let state = backend.programme()?;
    let out = print(&command, &state, ctx);
    crate::output::out!("{out}");
    Ok(())
}

/// The text a report command prints for `state` (also used by `digisos demo`).
pub(crate) fn print(command: &ReportCommand, state: &Programme, ctx: &Ctx) -> String {
    let now = ctx.now;
    match command {
        ReportCommand::Utilisation(f) => {
            let r = reports::utilisation(state, now);
            emit(
                ctx,
                f.format,
                &r,
                || render::utilisation_table(&r),
                || render::utilisation_csv(&r),
            )
        }
        ReportCommand::Sla { format, breaches } => {
            let r = reports::sla(state, now);
            emit(
                ctx,
                format.format,
                &r,
                || render::sla_table(&r),
                || {
                    if *breaches {
                        render::breaches(&r, false)
                    } else {
                        render::sla_csv(&r)
                    }
                },
            )
        }
        ReportCommand::Incidents(f) => {
            let r = reports::incident_statistics(state, now);
            emit(
                ctx,
                f.format,
                &r,
                || render::incidents_table(&r),
                || render::incidents_csv(&r),
            )
        }
        ReportCommand::Duties(f) => {
            let r = reports::duties(state, now);
            emit(
                ctx,
                f.format,
                &r,
                || render::duties_table(&r),
                || render::duties_csv(&r),
            )
        }
    }
}

fn emit<T: Serialize>(
    ctx: &Ctx,
    format: Format,
    value: &T,
    tables: impl FnOnce() -> Vec<Grid>,
    csv: impl FnOnce() -> Grid,
) -> String {
    match (ctx.json, format) {
        (true, _) | (_, Format::Json) => json(value),
        (_, Format::Csv) => csv().to_csv(),
        (_, Format::Table) => tables()
            .iter()
            .map(Grid::to_table)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Pretty JSON with a final newline (serialising plain report structs cannot fail; if
/// it did, the error is printed as a JSON string).
pub(crate) fn json<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(text) => format!("{text}\n"),
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}
