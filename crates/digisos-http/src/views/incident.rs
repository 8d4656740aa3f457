//! An incident, its events, its reporting duties and its time entries.

use chrono::{DateTime, Utc};
use digisos_core::duties::{DutyKind, DutyState, DutyStatus, Nis2Class};
use digisos_core::ids::{LotId, ProviderId, RoleId};
use digisos_core::incident::{
    Incident, IncidentCategory, IncidentId, IncidentState, Milestone, TimeEntryNo, TimeEntryRecord,
    TimeEntryState,
};
use digisos_core::ledger::CallOffId;
use digisos_core::money::Money;
use digisos_core::programme::ProgrammeEvent;
use digisos_core::service::Recorded;
use digisos_core::sla::Severity;
use serde::Serialize;
use utoipa::ToSchema;

pub use super::sla::clocks;

/// One incident and its call-off, as the caller may see it. Answered with
/// `ETag: "v<version>"`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentView {
    /// Incident id, e.g. `INC-000042`.
    #[schema(value_type = String, example = "INC-000042")]
    pub id: IncidentId,
    /// Number of events of the incident's stream; the `ETag` is `"v<version>"`.
    pub version: u64,
    /// The affected body's register key.
    pub body: String,
    /// Short title.
    pub title: String,
    /// What happened, as far as known.
    pub description: String,
    /// `ransomware`, `malware`, `account_compromise`, `denial_of_service`, `data_breach`
    /// or `other`.
    #[schema(value_type = String)]
    pub category: IncidentCategory,
    /// Lifecycle state: `reported`, `triaged`, `dispatched`, `accepted`, `responding`,
    /// `on_site`, `contained`, `recovered`, `closed`, `rejected`, `withdrawn`,
    /// `cancelled` or `unserved`.
    #[schema(value_type = String)]
    pub state: IncidentState,
    /// Whether the incident waits for the body (pausable SLA windows are paused).
    pub waiting_for_body: bool,
    /// `low`, `medium`, `high` or `critical`; `null` before triage.
    #[schema(value_type = Option<String>)]
    pub severity: Option<Severity>,
    /// The lot; `null` before triage.
    #[schema(value_type = Option<String>)]
    pub lot: Option<LotId>,
    /// The provider holding the call-off now; `null` when none does.
    #[schema(value_type = Option<String>)]
    pub provider: Option<ProviderId>,
    /// Every provider the call-off was offered to, in order.
    #[schema(value_type = Vec<String>)]
    pub offered_to: Vec<ProviderId>,
    /// The call-off in the ledger (`CO-000001`); `null` before the dispatch.
    #[schema(value_type = Option<String>)]
    pub call_off: Option<CallOffId>,
    /// When the body became aware (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub aware_at: DateTime<Utc>,
    /// When the report was recorded (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: DateTime<Utc>,
    /// Services affected.
    pub affected_services: Vec<String>,
    /// Whether personal data is affected (GDPR duty).
    pub personal_data: bool,
    /// The body's NIS2 class: `none`, `important` or `essential`.
    #[schema(value_type = String)]
    pub nis2: Nis2Class,
    /// Whether on-site help was requested.
    pub on_site_needed: bool,
    /// The milestones reached so far, each with its instant.
    pub milestones: MilestonesView,
    /// Reasons of a rejection at triage; empty otherwise.
    pub rejection_reasons: Vec<String>,
    /// Reference of the final report; `null` until closed.
    pub final_report_ref: Option<String>,
    /// Net amount of the approved time entries (decimal string, EUR).
    #[schema(value_type = String, example = "1320.00")]
    pub posted: Money,
    /// Number of time entries submitted (`GET …/time-entries` lists them).
    pub time_entries: usize,
}

impl From<&Incident> for IncidentView {
    fn from(i: &Incident) -> Self {
        let Incident {
            id,
            body,
            title,
            description,
            category,
            affected_services,
            personal_data,
            nis2,
            on_site_needed,
            aware_at,
            reported_at,
            lifecycle,
            severity,
            lot,
            rejection_reasons,
            call_off,
            order: _,
            provider,
            offered_to,
            milestones,
            clocks: _,
            duties: _,
            time_entries,
            final_report_ref,
            version,
        } = i;
        IncidentView {
            id: id.clone(),
            version: *version,
            body: body.clone(),
            title: title.clone(),
            description: description.clone(),
            category: *category,
            state: lifecycle.state,
            waiting_for_body: lifecycle.waiting,
            severity: *severity,
            lot: lot.clone(),
            provider: provider.clone(),
            offered_to: offered_to.clone(),
            call_off: call_off.clone(),
            aware_at: *aware_at,
            reported_at: *reported_at,
            affected_services: affected_services.clone(),
            personal_data: *personal_data,
            nis2: *nis2,
            on_site_needed: *on_site_needed,
            milestones: MilestonesView::from_instants(milestones),
            rejection_reasons: rejection_reasons.clone(),
            final_report_ref: final_report_ref.clone(),
            posted: i.posted(),
            time_entries: time_entries.len(),
        }
    }
}

/// The milestones of an incident: a member for each one reached, absent otherwise.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MilestonesView {
    /// Triaged (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub triaged: Option<DateTime<Utc>>,
    /// First dispatched.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub dispatched: Option<DateTime<Utc>>,
    /// Accepted by a provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub accepted: Option<DateTime<Utc>>,
    /// First qualified contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_contact: Option<DateTime<Utc>>,
    /// Remote analysis started.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub remote_start: Option<DateTime<Utc>>,
    /// On-site arrival.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub on_site: Option<DateTime<Utc>>,
    /// Contained.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub contained: Option<DateTime<Utc>>,
    /// Recovered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub recovered: Option<DateTime<Utc>>,
    /// Closed, withdrawn, rejected or cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended: Option<DateTime<Utc>>,
}

impl MilestonesView {
    fn from_instants<'a>(
        milestones: impl IntoIterator<Item = (&'a Milestone, &'a DateTime<Utc>)>,
    ) -> Self {
        let mut v = MilestonesView::default();
        for (m, at) in milestones {
            let slot = match m {
                Milestone::Triaged => &mut v.triaged,
                Milestone::Dispatched => &mut v.dispatched,
                Milestone::Accepted => &mut v.accepted,
                Milestone::FirstContact => &mut v.first_contact,
                Milestone::RemoteStart => &mut v.remote_start,
                Milestone::OnSite => &mut v.on_site,
                Milestone::Contained => &mut v.contained,
                Milestone::Recovered => &mut v.recovered,
                Milestone::Ended => &mut v.ended,
            };
            *slot = Some(*at);
        }
        v
    }
}

/// One event of an incident's stream, with its position in the programme's log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Global position in the log (1-based, gapless).
    pub position: u64,
    /// The event as recorded: `{"type": "incident", "id": …, "event": {"at", "by",
    /// "kind": {"type": "reported" | "triaged" | "ledger" | …, …}}}`. The core's event
    /// enum is large and versioned with the log, so it is not spelled out here; the audit
    /// export carries the same payloads.
    #[schema(value_type = Object)]
    pub event: ProgrammeEvent,
}

/// Every event of an incident's stream, in order.
pub fn events(recorded: &[Recorded]) -> Vec<EventView> {
    recorded
        .iter()
        .map(|r| EventView {
            position: r.position,
            event: r.event.clone(),
        })
        .collect()
}

/// Where one reporting duty (NIS2, GDPR) stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyView {
    /// `nis2_early_warning`, `nis2_notification`, `nis2_final_report` or
    /// `gdpr_notification`.
    #[schema(value_type = String)]
    pub kind: DutyKind,
    /// The deadline (RFC 3339); `null` while it is not known yet (final report).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due: Option<DateTime<Utc>>,
    /// When it was submitted to the authority; `null` if not yet.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// `open`, `submitted`, `submitted_late` or `overdue`.
    #[schema(value_type = String)]
    pub state: DutyState,
}

impl From<DutyStatus> for DutyView {
    fn from(d: DutyStatus) -> Self {
        let DutyStatus {
            kind,
            due,
            submitted_at,
            state,
        } = d;
        DutyView {
            kind,
            due,
            submitted_at,
            state,
        }
    }
}

/// A provider's time entry on the call-off, priced when it was submitted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeEntryView {
    /// Number within the incident (1, 2, …); the `{n}` of the review routes.
    #[schema(value_type = u32)]
    pub entry: TimeEntryNo,
    /// The provider who worked.
    #[schema(value_type = String)]
    pub provider: ProviderId,
    /// Rate-card role.
    #[schema(value_type = String)]
    pub role: RoleId,
    /// Start (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub start: DateTime<Utc>,
    /// End (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub end: DateTime<Utc>,
    /// What was done.
    pub description: String,
    /// Net price with surcharges (decimal string, EUR).
    #[schema(value_type = String, example = "247.50")]
    pub amount: Money,
    /// `submitted`, `approved` (posted), `disputed` or `reversed`.
    #[schema(value_type = String)]
    pub state: TimeEntryState,
    /// Why it was disputed or reversed; `null` otherwise.
    pub note: Option<String>,
}

impl From<&TimeEntryRecord> for TimeEntryView {
    fn from(t: &TimeEntryRecord) -> Self {
        let TimeEntryRecord {
            entry,
            provider,
            role,
            start,
            end,
            description,
            amount,
            state,
            note,
        } = t;
        TimeEntryView {
            entry: *entry,
            provider: provider.clone(),
            role: role.clone(),
            start: *start,
            end: *end,
            description: description.clone(),
            amount: *amount,
            state: *state,
            note: note.clone(),
        }
    }
}
