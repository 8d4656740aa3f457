//! Writing through the service: every write executes one core [`Command`] as `--as` at
//! `--now`; a domain rejection becomes exit 1, a store failure exit 3, and the answer
//! lists what was recorded.

use crate::cmd::backend::{self, Written};
use crate::cmd::describe::{self, EventView};
use crate::{CliError, Ctx};
use digisos_core::incident::{IncidentCommand, IncidentId, IncidentRejection, IncidentState};
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

/// Executes an incident command on a visible incident (through the embedded store or the
/// server) and prints what was recorded.
pub(crate) fn on_incident(
    ctx: &Ctx,
    id: IncidentId,
    command: IncidentCommand,
) -> Result<(), CliError> {
    let written = backend::open(ctx)?.act(&id, command)?;
    print_written(ctx, &written)
}

/// Prints the answer to a write: the incident's state and the recorded events.
pub(crate) fn print_written(ctx: &Ctx, written: &Written) -> Result<(), CliError> {
    let id = written.incident.as_ref();
    let view = WriteView {
        incident: id,
        state: written.state.map(IncidentState::as_str),
        waiting_for_body: written.waiting_for_body,
        events: written.recorded.iter().map(describe::view).collect(),
    };
    ctx.print(&view, || {
        let mut s = match (id, written.state, written.waiting_for_body) {
            (Some(id), Some(state), Some(true)) => {
                format!("{id} is {state} (waiting for the body)\n")
            }
            (Some(id), Some(state), _) => format!("{id} is {state}\n"),
            _ => String::new(),
        };
        for line in describe::lines(&written.recorded, id).lines() {
            s.push_str(&format!("  {line}\n"));
        }
        s
    })
}
