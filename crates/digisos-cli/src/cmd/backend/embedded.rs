//! The embedded backend: the service over the data directory's store, acting as `--as`
//! at `--now`.

use super::{AsOf, AuditBreak, AuditReport, Backend, ClockView, Written};
use crate::cmd::exec::{self, Svc};
use crate::cmd::incident::view::{IncidentRow, IncidentView, body_name};
use crate::{CliError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use digisos_core::duties::DutyStatus;
use digisos_core::eligibility::{Decision, RuleSet};
use digisos_core::incident::{
    Incident, IncidentCommand, IncidentId, IncidentState, Report, TimeEntryRecord,
};
use digisos_core::principal::{self, Principal};
use digisos_core::programme::{Command, ProgrammeEvent};
use digisos_core::register::{Body, BodyKey, BodyKind, RegisterStats};
use digisos_core::reports::ocds::{self, OcdsError, OcidPrefix, ReleasePackage};
use digisos_core::reports::{self, DutiesReport, IncidentStatistics, SlaReport, UtilisationReport};
use digisos_core::service::Recorded;
use std::path::Path;

/// Events read per page when exporting.
const PAGE: usize = 10_000;

/// The service over the configured store, and whom and when to act as.
#[derive(Debug)]
pub(super) struct Embedded {
    service: Svc,
    principal: Principal,
    now: DateTime<Utc>,
}

impl Embedded {
    /// Opens the store (exit 3 when it cannot be opened or read).
    pub(super) fn open(ctx: &Ctx) -> Result<Embedded, CliError> {
        Ok(Embedded {
            service: ctx.open_service()?,
            principal: ctx.principal.clone(),
            now: ctx.now,
        })
    }

    fn execute(&mut self, command: &Command) -> Result<Vec<Recorded>, CliError> {
        self.service
            .execute(command, &self.principal, self.now)
            .map_err(exec::store_error)?
            .map_err(exec::rejected)
    }

    fn visible(&self, id: &IncidentId) -> Result<&Incident, CliError> {
        self.service
            .state()
            .incident_for(id, &self.principal)
            .ok_or_else(|| not_found(id, &self.principal.to_string()))
    }

    fn written(&self, id: Option<IncidentId>, recorded: Vec<Recorded>) -> Written {
        let incident = id
            .as_ref()
            .and_then(|id| self.service.state().incidents().get(id))
            .map(AsRef::as_ref);
        Written {
            state: incident.map(Incident::state),
            waiting_for_body: incident.map(|i| i.lifecycle.waiting),
            incident: id,
            recorded,
        }
    }

    fn require_reports(&self) -> Result<(), CliError> {
        if principal::can_read_reports(&self.principal) {
            Ok(())
        } else {
            Err(CliError::Rejected(format!(
                "{} may not read the programme's reports; act as --as coordinator or --as auditor",
                self.principal
            )))
        }
    }

    fn require_audit(&self) -> Result<(), CliError> {
        if principal::can_audit(&self.principal) {
            Ok(())
        } else {
            Err(CliError::Rejected(format!(
                "{} may not read the audit trail; act as --as auditor or --as coordinator",
                self.principal
            )))
        }
    }
}

/// "Not found" for a missing incident and for one the caller may not see alike.
pub(super) fn not_found(id: &IncidentId, caller: &str) -> CliError {
    CliError::Rejected(format!(
        "incident {id} not found (for {caller}); `digisos incident list` shows the incidents you may see"
    ))
}

impl Backend for Embedded {
    fn report(&mut self, report: Report) -> Result<Written, CliError> {
        let recorded = self.execute(&Command::Report(report))?;
        let id = recorded.iter().find_map(|r| match &r.event {
            ProgrammeEvent::Incident { id, .. } => Some(id.clone()),
            _ => None,
        });
        Ok(self.written(id, recorded))
    }

    fn act(&mut self, id: &IncidentId, command: IncidentCommand) -> Result<Written, CliError> {
        self.visible(id)?;
        let recorded = self.execute(&Command::Incident {
            id: id.clone(),
            command,
        })?;
        Ok(self.written(Some(id.clone()), recorded))
    }

    fn incidents(
        &mut self,
        state: Option<IncidentState>,
        body: Option<&str>,
    ) -> Result<Vec<IncidentRow>, CliError> {
        let p = self.service.state();
        Ok(p.visible_incidents(&self.principal)
            .filter(|i| state.is_none_or(|s| i.state() == s))
            .filter(|i| body.is_none_or(|b| i.body == b))
            .map(|i| IncidentRow::new(i, body_name(p.register(), &i.body)))
            .collect())
    }

    fn incident(&mut self, id: &IncidentId) -> Result<IncidentView, CliError> {
        let p = self.service.state();
        let incident = self.visible(id)?;
        Ok(IncidentView::of(p, incident))
    }

    fn events(&mut self, id: &IncidentId) -> Result<Vec<Recorded>, CliError> {
        self.visible(id)?;
        let stored = self
            .service
            .store()
            .log()
            .read_stream(&format!("incident-{id}"), 1)
            .map_err(exec::store_error)?;
        stored
            .iter()
            .map(digisos_store::decode)
            .collect::<Result<Vec<_>, _>>()
            .map_err(exec::store_error)
    }

    fn time_entries(&mut self, id: &IncidentId) -> Result<Vec<TimeEntryRecord>, CliError> {
        Ok(self.visible(id)?.time_entries.values().cloned().collect())
    }

    fn clocks(&mut self, id: &IncidentId) -> Result<AsOf<ClockView>, CliError> {
        let incident = self.visible(id)?;
        let calendars = self.service.state().calendars();
        let mut items = Vec::new();
        for c in &incident.clocks {
            let s = c.clock.status(self.now, calendars).map_err(|e| {
                CliError::Rejected(format!(
                    "the {} clock of {} cannot be read: {e}; check the contract's calendars",
                    c.clock.kind(),
                    c.provider
                ))
            })?;
            items.push(ClockView {
                provider: c.provider.clone(),
                window: c.clock.kind(),
                stage: s.stage,
                deadline: s.deadline,
                elapsed_seconds: s.elapsed.num_seconds(),
                remaining_seconds: s.remaining.map(|r| r.num_seconds()),
                percent: s.percent,
            });
        }
        Ok(AsOf {
            at: self.now,
            items,
        })
    }

    fn duties(&mut self, id: &IncidentId) -> Result<AsOf<DutyStatus>, CliError> {
        Ok(AsOf {
            at: self.now,
            items: self.visible(id)?.duties.status(self.now),
        })
    }

    fn bodies(&mut self, kind: Option<BodyKind>) -> Result<Vec<Body>, CliError> {
        Ok(self
            .service
            .state()
            .register()
            .bodies()
            .filter(|b| kind.is_none_or(|k| b.kind == k))
            .cloned()
            .collect())
    }

    fn body(&mut self, key: &BodyKey) -> Result<Body, CliError> {
        self.service
            .state()
            .register()
            .get(key)
            .cloned()
            .ok_or_else(|| body_not_found(key))
    }

    fn register_stats(&mut self) -> Result<RegisterStats, CliError> {
        Ok(self.service.state().register().stats())
    }

    fn eligibility(
        &mut self,
        key: &BodyKey,
        on: NaiveDate,
        contract: Option<&Path>,
    ) -> Result<Decision, CliError> {
        let p = self.service.state();
        let rules = match (contract, p.contract()) {
            (Some(path), _) => crate::cmd::contract::load(path)?.eligibility,
            (None, Some(adopted)) => adopted.eligibility.clone(),
            (None, None) => RuleSet::nrw_default(),
        };
        Ok(rules.decide(p.register(), key, on))
    }

    fn utilisation_report(&mut self) -> Result<UtilisationReport, CliError> {
        self.require_reports()?;
        Ok(reports::utilisation(self.service.state(), self.now))
    }

    fn sla_report(&mut self) -> Result<SlaReport, CliError> {
        self.require_reports()?;
        Ok(reports::sla(self.service.state(), self.now))
    }

    fn incident_report(&mut self) -> Result<IncidentStatistics, CliError> {
        self.require_reports()?;
        Ok(reports::incident_statistics(self.service.state(), self.now))
    }

    fn duties_report(&mut self) -> Result<DutiesReport, CliError> {
        self.require_reports()?;
        Ok(reports::duties(self.service.state(), self.now))
    }

    fn ocds_package(&mut self, prefix: &OcidPrefix) -> Result<ReleasePackage, CliError> {
        self.require_reports()?;
        ocds::export(self.service.state(), prefix, self.now).map_err(|e| match e {
            OcdsError::InvalidPrefix(_) => CliError::Usage(e.to_string()),
            OcdsError::NoContract => CliError::Rejected(e.to_string()),
        })
    }

    fn audit_verify(&mut self) -> Result<AuditReport, CliError> {
        self.require_audit()?;
        let report = self
            .service
            .store()
            .log()
            .verify()
            .map_err(exec::store_error)?;
        Ok(AuditReport {
            intact: report.is_intact(),
            events_checked: report.events_checked,
            last_position: report.last_position,
            head_hash: report.head_hash.to_hex(),
            first_break: report.first_break.as_ref().map(|b| AuditBreak {
                position: b.position,
                reason: b.reason.to_string(),
            }),
        })
    }

    fn audit_export(&mut self, since: u64, out: &mut dyn std::io::Write) -> Result<(), CliError> {
        self.require_audit()?;
        let log = self.service.store().log();
        let mut from = since.saturating_add(1);
        loop {
            let page = log.read_all(from, PAGE).map_err(exec::store_error)?;
            for e in &page {
                let line = serde_json::to_string(e).map_err(|err| {
                    CliError::Store(format!("cannot encode event {}: {err}", e.position))
                })?;
                writeln!(out, "{line}").map_err(CliError::io("writing the export to stdout"))?;
            }
            match page.last() {
                Some(last) if page.len() == PAGE => from = last.position + 1,
                _ => return Ok(()),
            }
        }
    }
}

/// "Not in the register" (exit 1).
pub(super) fn body_not_found(key: &BodyKey) -> CliError {
    CliError::Rejected(format!(
        "{key} is not in the register; check the key with `digisos registry list` or import it"
    ))
}
