//! `digisos time …`: providers submit worked time on a call-off (priced by the lot's rate
//! card when submitted), the body approves (posts) or disputes it, and posted entries are
//! corrected by reversal.

use crate::cmd::args::name_of;
use crate::cmd::backend;
use crate::cmd::exec;
use crate::cmd::table::{ListFormat, Listing, duration, instant, opt, print_list};
use crate::{CliError, Ctx};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use digisos_core::ids::RoleId;
use digisos_core::incident::{IncidentCommand as Core, IncidentId, TimeEntryNo, TimeEntryRecord};

/// Commands on time entries (*Leistungsnachweise*).
#[derive(Debug, Subcommand)]
pub(crate) enum TimeCommand {
    /// Submit worked time (the provider holding the accepted call-off).
    Submit {
        /// The incident id (INC-000001).
        id: IncidentId,
        /// The rate-card role that worked (e.g. forensic_analyst).
        #[arg(long)]
        role: RoleId,
        /// Start of the work (RFC 3339).
        #[arg(long, value_parser = crate::output::parse_now)]
        start: DateTime<Utc>,
        /// End of the work (RFC 3339).
        #[arg(long, value_parser = crate::output::parse_now)]
        end: DateTime<Utc>,
        /// What was done.
        #[arg(long)]
        description: String,
    },
    /// List the incident's time entries.
    List {
        /// The incident id.
        id: IncidentId,
        /// Output form (table or csv).
        #[arg(long, value_enum, default_value_t)]
        format: ListFormat,
    },
    /// Approve an entry (the body or the coordinator); it posts against the reservation.
    Approve {
        /// The incident id.
        id: IncidentId,
        /// The entry number (1, 2, …).
        entry: u32,
    },
    /// Dispute an entry (the body or the coordinator).
    Dispute {
        /// The incident id.
        id: IncidentId,
        /// The entry number.
        entry: u32,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Reverse a posted entry by a correcting entry.
    Reverse {
        /// The incident id.
        id: IncidentId,
        /// The entry number.
        entry: u32,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// Runs a time-entry command.
pub(crate) fn run(command: TimeCommand, ctx: &Ctx) -> Result<(), CliError> {
    use TimeCommand as T;
    let (id, core) = match command {
        T::Submit {
            id,
            role,
            start,
            end,
            description,
        } => (
            id,
            Core::SubmitTimeEntry {
                role,
                start,
                end,
                description,
            },
        ),
        T::List { id, format } => return list(ctx, &id, format),
        T::Approve { id, entry } => (
            id,
            Core::ApproveTimeEntry {
                entry: TimeEntryNo(entry),
            },
        ),
        T::Dispute { id, entry, reason } => (
            id,
            Core::DisputeTimeEntry {
                entry: TimeEntryNo(entry),
                reason,
            },
        ),
        T::Reverse { id, entry, reason } => (
            id,
            Core::ReverseTimeEntry {
                entry: TimeEntryNo(entry),
                reason,
            },
        ),
    };
    exec::on_incident(ctx, id, core)
}

fn list(ctx: &Ctx, id: &IncidentId, format: ListFormat) -> Result<(), CliError> {
    let entries: Vec<TimeEntryRecord> = backend::open(ctx)?.time_entries(id)?;
    print_list(
        ctx,
        format,
        &entries,
        || {
            let mut l = Listing::new(vec![
                "entry",
                "provider",
                "role",
                "start",
                "end",
                "duration",
                "amount_eur",
                "state",
                "note",
            ]);
            for e in &entries {
                l.push(vec![
                    e.entry.0.to_string(),
                    e.provider.to_string(),
                    e.role.to_string(),
                    instant(e.start),
                    instant(e.end),
                    duration(e.end - e.start),
                    e.amount.to_string(),
                    name_of(&e.state),
                    opt(e.note.as_ref()),
                ]);
            }
            l
        },
        &format!("{id} has no time entries"),
    )
}
