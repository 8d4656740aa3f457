//! `digisos sla status ID`: every SLA clock of an incident at `--now` — provider, window,
//! stage, deadline, open time elapsed and remaining, and the share of the window used.

use crate::cmd::args::name_of;
use crate::cmd::backend::{self, ClockView};
use crate::cmd::table::{Listing, duration, opt, opt_instant};
use crate::{CliError, Ctx};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use digisos_core::incident::IncidentId;
use serde::Serialize;

/// Commands on SLA response windows.
#[derive(Debug, Subcommand)]
pub(crate) enum SlaCommand {
    /// Show every clock of the incident as of `--now`.
    Status {
        /// The incident id (INC-000001).
        id: IncidentId,
    },
}

/// The answer of `sla status`.
#[derive(Debug, Serialize)]
struct StatusView {
    incident: IncidentId,
    now: DateTime<Utc>,
    clocks: Vec<ClockView>,
}

/// Runs an SLA command.
pub(crate) fn run(command: SlaCommand, ctx: &Ctx) -> Result<(), CliError> {
    let SlaCommand::Status { id } = command;
    let read = backend::open(ctx)?.clocks(&id)?;
    let view = StatusView {
        incident: id,
        now: read.at,
        clocks: read.items,
    };
    ctx.print(&view, || {
        let mut l = Listing::new(vec![
            "provider",
            "window",
            "stage",
            "deadline",
            "elapsed",
            "remaining",
            "used",
        ]);
        for c in &view.clocks {
            l.push(vec![
                c.provider.to_string(),
                c.window.to_string(),
                name_of(&c.stage),
                opt_instant(c.deadline),
                duration(chrono::TimeDelta::seconds(c.elapsed_seconds)),
                c.remaining_seconds
                    .map_or_else(|| "-".into(), |r| duration(chrono::TimeDelta::seconds(r))),
                opt(c.percent.map(|p| format!("{p} %"))),
            ]);
        }
        format!(
            "SLA clocks of {} at {}\n{}",
            view.incident,
            crate::cmd::table::instant(view.now),
            l.to_table("no clock has started yet (clocks start at dispatch)")
        )
    })
}
