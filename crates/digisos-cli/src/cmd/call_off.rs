//! `digisos call-off …`: the coordinator approves or refuses a reservation above the
//! approval threshold; a provider or the coordinator amends it (raise or lower) and the
//! coordinator decides on amendments above the threshold.

use crate::cmd::args::EstimateArgs;
use crate::cmd::exec;
use crate::{CliError, Ctx};
use clap::Subcommand;
use digisos_core::incident::{IncidentCommand as Core, IncidentId};

/// Commands on an incident's call-off (*Abruf*) and its reservation.
#[derive(Debug, Subcommand)]
pub(crate) enum CallOffCommand {
    /// Approve the reservation waiting above the approval threshold (coordinator).
    Approve {
        /// The incident id (INC-000001).
        id: IncidentId,
    },
    /// Refuse the reservation waiting above the approval threshold (coordinator).
    Refuse {
        /// The incident id.
        id: IncidentId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Ask to change the reservation to a new total, under the same limit checks.
    Amend {
        /// The incident id.
        id: IncidentId,
        #[command(flatten)]
        estimate: EstimateArgs,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Approve the pending amendment (coordinator).
    ApproveAmendment {
        /// The incident id.
        id: IncidentId,
    },
    /// Refuse the pending amendment (coordinator).
    RefuseAmendment {
        /// The incident id.
        id: IncidentId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// Runs a call-off command.
pub(crate) fn run(command: CallOffCommand, ctx: &Ctx) -> Result<(), CliError> {
    use CallOffCommand as C;
    let (id, core) = match command {
        C::Approve { id } => (id, Core::ApproveReservation),
        C::Refuse { id, reason } => (id, Core::RefuseReservation { reason }),
        C::Amend {
            id,
            estimate,
            reason,
        } => (
            id,
            Core::Amend {
                estimate: estimate.estimate(),
                reason,
            },
        ),
        C::ApproveAmendment { id } => (id, Core::ApproveAmendment),
        C::RefuseAmendment { id, reason } => (id, Core::RefuseAmendment { reason }),
    };
    exec::on_incident(ctx, id, core)
}
