//! Writing through the service: every write executes one core [`Command`] as `--as` at
//! `--now`; a domain rejection becomes exit 1, a store failure exit 3, and the answer
//! lists what was recorded.

use crate::cmd::describe::{self, EventView};
use crate::{CliError, Ctx};
use digisos_core::incident::{Incident, IncidentCommand, IncidentId, IncidentRejection};
use digisos_core::programme::{Command, Rejection};
use digisos_core::service::{Recorded, Service};
use digisos_store::{ProgrammeLog, StoreError};
use serde::Serialize;

/// The service over the configured store.
pub(crate) type Svc = Service<ProgrammeLog>;

/// Executes `command` as `--as` at `--now`. Fails with exit 1 (with every problem for an
/// invalid contract or import) when the domain refuses, exit 3 when the store fails.
pub(crate) fn execute(
    service: &mut Svc,
    ctx: &Ctx,
    command: &Command,
) -> Result<Vec<Recorded>, CliError> {
    service
        .execute(command, &ctx.principal, ctx.now)
        .map_err(store_error)?
        .map_err(rejected)
}

/// A store failure (exit 3).
pub(crate) fn store_error(e: StoreError) -> CliError {
    CliError::Store(format!(
        "the event store failed: {e}; check --data/--store and run `digisos audit verify`"
    ))
}

/// A domain rejection (exit 1), with a hint where the core's message has none.
pub(crate) fn rejected(r: Rejection) -> CliError {
    match r {
        Rejection::InvalidContract(p) | Rejection::InvalidImport(p) => CliError::Invalid(p),
        Rejection::Forbidden { .. } | Rejection::Incident(IncidentRejection::Forbidden { .. }) => {
            CliError::Rejected(format!(
                "{r}; act as someone who may (--as coordinator, body:KEY or provider:ID)"
            ))
        }
        Rejection::Incident(IncidentRejection::Illegal(_)) => CliError::Rejected(format!(
            "{r}; `digisos incident show ID` shows where it stands"
        )),
        other => CliError::Rejected(other.to_string()),
    }
}

/// The incident `id` if `--as` may see it; otherwise "not found" (exit 1), both for a
/// missing and for a foreign incident, so that nobody learns of others' incidents.
pub(crate) fn visible<'a>(
    service: &'a Svc,
    ctx: &Ctx,
    id: &IncidentId,
) -> Result<&'a Incident, CliError> {
    service
        .state()
        .incident_for(id, &ctx.principal)
        .ok_or_else(|| {
            CliError::Rejected(format!(
                "incident {id} not found (for {}); `digisos incident list` shows the incidents you may see",
                ctx.principal
            ))
        })
}

/// What a write recorded, as printed with `--json`.
#[derive(Debug, Serialize)]
pub(crate) struct WriteView<'a> {
    /// The incident written to, if any.
    pub(crate) incident: Option<&'a IncidentId>,
    /// Its lifecycle state afterwards.
    pub(crate) state: Option<&'static str>,
    /// Whether it now waits for the body.
    pub(crate) waiting_for_body: Option<bool>,
    /// The recorded events.
    pub(crate) events: Vec<EventView<'a>>,
}

/// Executes an incident command on a visible incident and prints what was recorded.
pub(crate) fn on_incident(
    ctx: &Ctx,
    id: IncidentId,
    command: IncidentCommand,
) -> Result<(), CliError> {
    let mut service = ctx.open_service()?;
    visible(&service, ctx, &id)?;
    let recorded = execute(
        &mut service,
        ctx,
        &Command::Incident {
            id: id.clone(),
            command,
        },
    )?;
    print_written(ctx, &service, Some(&id), &recorded)
}

/// Prints the answer to a write: the incident's state and the recorded events.
pub(crate) fn print_written(
    ctx: &Ctx,
    service: &Svc,
    id: Option<&IncidentId>,
    recorded: &[Recorded],
) -> Result<(), CliError> {
    let incident = id.and_then(|id| service.state().incidents().get(id));
    let view = WriteView {
        incident: id,
        state: incident.map(|i| i.state().as_str()),
        waiting_for_body: incident.map(|i| i.lifecycle.waiting),
        events: recorded.iter().map(describe::view).collect(),
    };
    ctx.print(&view, || {
        let mut s = match incident {
            Some(i) if i.lifecycle.waiting => {
                format!("{} is {} (waiting for the body)\n", i.id, i.state())
            }
            Some(i) => format!("{} is {}\n", i.id, i.state()),
            None => String::new(),
        };
        for line in describe::lines(recorded, id).lines() {
            s.push_str(&format!("  {line}\n"));
        }
        s
    })
}
