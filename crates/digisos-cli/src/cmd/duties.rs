//! `digisos duties list|submit`: the body's reporting duties (NIS2 / § 32 BSIG, GDPR
//! Art. 33) of an incident at `--now`, and recording a submission to the authority.

use crate::cmd::args::{domain_enum, name_of};
use crate::cmd::backend;
use crate::cmd::exec;
use crate::cmd::table::{Listing, opt_instant};
use crate::{CliError, Ctx};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use digisos_core::duties::{DutyKind, DutyStatus};
use digisos_core::incident::{IncidentCommand as Core, IncidentId};
use serde::Serialize;

/// Commands on reporting duties (*Meldepflichten*).
#[derive(Debug, Subcommand)]
pub(crate) enum DutiesCommand {
    /// List the incident's duties with deadline and state at `--now`.
    List {
        /// The incident id (INC-000001).
        id: IncidentId,
    },
    /// Record that the body submitted a report to the authority.
    Submit {
        /// The incident id.
        id: IncidentId,
        /// nis2_early_warning, nis2_notification, nis2_final_report or gdpr_notification.
        #[arg(long, value_parser = domain_enum::<DutyKind>)]
        kind: DutyKind,
        /// When it was submitted (RFC 3339).
        #[arg(long, value_parser = crate::output::parse_now)]
        at: DateTime<Utc>,
        /// The report's reference.
        #[arg(long)]
        reference: String,
    },
}

/// The answer of `duties list`.
#[derive(Debug, Serialize)]
struct DutiesView {
    incident: IncidentId,
    now: DateTime<Utc>,
    duties: Vec<DutyStatus>,
}

/// Runs a duties command.
pub(crate) fn run(command: DutiesCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        DutiesCommand::List { id } => {
            let read = backend::open(ctx)?.duties(&id)?;
            let view = DutiesView {
                incident: id,
                now: read.at,
                duties: read.items,
            };
            ctx.print(&view, || {
                let mut l = Listing::new(vec!["duty", "due", "submitted", "state"]);
                for d in &view.duties {
                    l.push(vec![
                        d.kind.to_string(),
                        opt_instant(d.due),
                        opt_instant(d.submitted_at),
                        name_of(&d.state),
                    ]);
                }
                l.to_table(&format!(
                    "{} has no reporting duties (not a NIS2 entity, no personal data affected)",
                    view.incident
                ))
            })
        }
        DutiesCommand::Submit {
            id,
            kind,
            at,
            reference,
        } => exec::on_incident(
            ctx,
            id,
            Core::RecordDutySubmission {
                kind,
                submitted_at: at,
                reference,
            },
        ),
    }
}
