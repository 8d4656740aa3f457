//! The backend an operator command talks to: the data directory's event store (embedded,
//! the default) or a running `digisos serve` (remote, `--server URL --token T`). Each
//! command is written once against [`Backend`] and prints the same table or JSON in both
//! modes; only who decides `now` differs (`--now` embedded, the server's clock remote).

mod embedded;
mod remote;
mod requests;

pub(crate) use remote::{Server, Token};

use crate::cmd::incident::view::{IncidentRow, IncidentView};
use crate::{CliError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use digisos_core::duties::DutyStatus;
use digisos_core::eligibility::Decision;
use digisos_core::ids::ProviderId;
use digisos_core::incident::{IncidentCommand, IncidentId, IncidentState, Report, TimeEntryRecord};
use digisos_core::register::{Body, BodyKey, BodyKind, RegisterStats};
use digisos_core::reports::ocds::{OcidPrefix, ReleasePackage};
use digisos_core::reports::{DutiesReport, IncidentStatistics, SlaReport, UtilisationReport};
use digisos_core::service::Recorded;
use digisos_core::sla::{ClockStage, WindowKind};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a write recorded: the incident written to with its state afterwards, and the
/// events (all of them, in log order).
#[derive(Debug)]
pub(crate) struct Written {
    /// The incident written to.
    pub(crate) incident: Option<IncidentId>,
    /// Its lifecycle state afterwards.
    pub(crate) state: Option<IncidentState>,
    /// Whether it now waits for the body.
    pub(crate) waiting_for_body: Option<bool>,
    /// The recorded events.
    pub(crate) recorded: Vec<Recorded>,
}

/// One SLA clock at an instant (durations in whole seconds), as `sla status` prints it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClockView {
    /// The provider the clock runs against.
    pub(crate) provider: ProviderId,
    /// Which response window.
    pub(crate) window: WindowKind,
    /// Its stage at the instant.
    pub(crate) stage: ClockStage,
    /// When it falls due, if running or paused.
    pub(crate) deadline: Option<DateTime<Utc>>,
    /// Open time elapsed.
    pub(crate) elapsed_seconds: i64,
    /// Open time left.
    pub(crate) remaining_seconds: Option<i64>,
    /// Share of the window used.
    pub(crate) percent: Option<u32>,
}

/// Something read as of an instant: `--now` embedded, the server's clock remote.
#[derive(Debug)]
pub(crate) struct AsOf<T> {
    /// The instant.
    pub(crate) at: DateTime<Utc>,
    /// What was read.
    pub(crate) items: Vec<T>,
}

/// The result of walking the audit trail's hash chain.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AuditReport {
    /// Whether every event is intact.
    pub(crate) intact: bool,
    /// How many events were checked.
    pub(crate) events_checked: u64,
    /// The last intact position.
    pub(crate) last_position: u64,
    /// The hash at the head of the intact chain.
    pub(crate) head_hash: String,
    /// The first broken event, if any.
    pub(crate) first_break: Option<AuditBreak>,
}

/// Where and why the chain breaks.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AuditBreak {
    /// The position of the first broken event.
    pub(crate) position: u64,
    /// What is wrong with it.
    pub(crate) reason: String,
}

/// The operations the operator commands need. Every method fails with exit 1 when the
/// domain (or the server) refuses, exit 3 when the store or the server cannot be reached;
/// an incident the caller may not see is "not found" (exit 1), like a missing one.
pub(crate) trait Backend {
    /// Reports an incident.
    fn report(&mut self, report: Report) -> Result<Written, CliError>;
    /// Executes one command on an incident the caller may see.
    fn act(&mut self, id: &IncidentId, command: IncidentCommand) -> Result<Written, CliError>;
    /// The incidents the caller may see, by id, filtered by state and body.
    fn incidents(
        &mut self,
        state: Option<IncidentState>,
        body: Option<&str>,
    ) -> Result<Vec<IncidentRow>, CliError>;
    /// One incident with its call-off.
    fn incident(&mut self, id: &IncidentId) -> Result<IncidentView, CliError>;
    /// The incident's recorded events, oldest first.
    fn events(&mut self, id: &IncidentId) -> Result<Vec<Recorded>, CliError>;
    /// The incident's time entries by number.
    fn time_entries(&mut self, id: &IncidentId) -> Result<Vec<TimeEntryRecord>, CliError>;
    /// The incident's SLA clocks.
    fn clocks(&mut self, id: &IncidentId) -> Result<AsOf<ClockView>, CliError>;
    /// The incident's reporting duties.
    fn duties(&mut self, id: &IncidentId) -> Result<AsOf<DutyStatus>, CliError>;
    /// The register's bodies by key, optionally of one kind.
    fn bodies(&mut self, kind: Option<BodyKind>) -> Result<Vec<Body>, CliError>;
    /// One body; exit 1 when it is not in the register.
    fn body(&mut self, key: &BodyKey) -> Result<Body, CliError>;
    /// The register's size by kind.
    fn register_stats(&mut self) -> Result<RegisterStats, CliError>;
    /// Whether `key` may call off help on `on`; `contract` replaces the adopted rules
    /// (embedded only).
    fn eligibility(
        &mut self,
        key: &BodyKey,
        on: NaiveDate,
        contract: Option<&Path>,
    ) -> Result<Decision, CliError>;
    /// The utilisation report. Like every report and export, computed by the core (here
    /// as of `--now`, or by the server as of its clock) for a coordinator or an auditor
    /// only; anyone else is refused (exit 1).
    fn utilisation_report(&mut self) -> Result<UtilisationReport, CliError>;
    /// The SLA attainment report.
    fn sla_report(&mut self) -> Result<SlaReport, CliError>;
    /// The incident statistics.
    fn incident_report(&mut self) -> Result<IncidentStatistics, CliError>;
    /// The reporting-duty report.
    fn duties_report(&mut self) -> Result<DutiesReport, CliError>;
    /// The OCDS release package with ocids under `prefix`; exit 1 before a contract was
    /// adopted.
    fn ocds_package(&mut self, prefix: &OcidPrefix) -> Result<ReleasePackage, CliError>;
    /// Walks the audit trail's hash chain.
    fn audit_verify(&mut self) -> Result<AuditReport, CliError>;
    /// Writes the stored events after `since` as JSON Lines to `out`.
    fn audit_export(&mut self, since: u64, out: &mut dyn std::io::Write) -> Result<(), CliError>;
}

/// Opens the backend `ctx` selects: remote with `--server`, else the embedded store.
pub(crate) fn open(ctx: &Ctx) -> Result<Box<dyn Backend>, CliError> {
    match &ctx.server {
        Some(server) => Ok(Box::new(remote::Remote::new(server.clone()))),
        None => Ok(Box::new(embedded::Embedded::open(ctx)?)),
    }
}
