//! `digisos report utilisation|sla|incidents|duties`: the programme's figures, computed
//! in the core (embedded: here, over the store; remote: on the server, `/v1/reports/...`)
//! and printed as tables (default), JSON (`--json` or `--format json`) or CSV
//! (`--format csv`).

pub(crate) mod grid;
pub(crate) mod render;

use crate::cmd::backend::Backend;
use crate::{CliError, Ctx};
use chrono::{DateTime, Utc};
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

/// A report as the core computed it (here, or on the server in remote mode).
#[derive(Debug)]
enum Figures {
    /// `report utilisation`.
    Utilisation(reports::UtilisationReport),
    /// `report sla`.
    Sla(reports::SlaReport),
    /// `report incidents`.
    Incidents(reports::IncidentStatistics),
    /// `report duties`.
    Duties(reports::DutiesReport),
}

impl ReportCommand {
    /// The report of `state` as of `now`, computed here (embedded, and `digisos demo`).
    fn compute(&self, state: &Programme, now: DateTime<Utc>) -> Figures {
        match self {
            ReportCommand::Utilisation(_) => Figures::Utilisation(reports::utilisation(state, now)),
            ReportCommand::Sla { .. } => Figures::Sla(reports::sla(state, now)),
            ReportCommand::Incidents(_) => {
                Figures::Incidents(reports::incident_statistics(state, now))
            }
            ReportCommand::Duties(_) => Figures::Duties(reports::duties(state, now)),
        }
    }

    /// The report read from the backend: computed over the store as of `--now`
    /// (embedded), or by the server as of its clock (remote).
    fn fetch(&self, backend: &mut dyn Backend) -> Result<Figures, CliError> {
        Ok(match self {
            ReportCommand::Utilisation(_) => Figures::Utilisation(backend.utilisation_report()?),
            ReportCommand::Sla { .. } => Figures::Sla(backend.sla_report()?),
            ReportCommand::Incidents(_) => Figures::Incidents(backend.incident_report()?),
            ReportCommand::Duties(_) => Figures::Duties(backend.duties_report()?),
        })
    }

    fn format(&self) -> Format {
        match self {
            ReportCommand::Utilisation(f)
            | ReportCommand::Incidents(f)
            | ReportCommand::Duties(f)
            | ReportCommand::Sla { format: f, .. } => f.format,
        }
    }

    fn breaches(&self) -> bool {
        matches!(self, ReportCommand::Sla { breaches: true, .. })
    }
}

/// Runs a report command: embedded over the store as of `--now` (acting as `--as`),
/// remotely by the server's `/v1/reports/...` as of its clock. Only a coordinator or an
/// auditor may read the reports.
pub(crate) fn run(command: ReportCommand, ctx: &Ctx) -> Result<(), CliError> {
    let mut backend = crate::cmd::backend::open(ctx)?;
    let figures = command.fetch(backend.as_mut())?;
    let out = render(&figures, command.format(), command.breaches(), ctx);
    crate::output::out!("{out}");
    Ok(())
}

/// The text a report command prints for `state` as of `--now` (used by `digisos demo`).
pub(crate) fn print(command: &ReportCommand, state: &Programme, ctx: &Ctx) -> String {
    let figures = command.compute(state, ctx.now);
    render(&figures, command.format(), command.breaches(), ctx)
}

/// The text of a report: JSON (`--json` or `--format json`), CSV (the breaches instead
/// of the attainment rows with `breaches`) or tables.
fn render(figures: &Figures, format: Format, breaches: bool, ctx: &Ctx) -> String {
    match figures {
        Figures::Utilisation(r) => emit(
            ctx,
            format,
            r,
            || render::utilisation_table(r),
            || render::utilisation_csv(r),
        ),
        Figures::Sla(r) => emit(
            ctx,
            format,
            r,
            || render::sla_table(r),
            || {
                if breaches {
                    render::breaches(r, false)
                } else {
                    render::sla_csv(r)
                }
            },
        ),
        Figures::Incidents(r) => emit(
            ctx,
            format,
            r,
            || render::incidents_table(r),
            || render::incidents_csv(r),
        ),
        Figures::Duties(r) => emit(
            ctx,
            format,
            r,
            || render::duties_table(r),
            || render::duties_csv(r),
        ),
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
