//! `decide` of the incident aggregate: checks a command against the incident, the caller
//! and the facts, and returns the events to record — or a typed rejection. Never mutates.

mod clocks;
mod money;

use super::aggregate::{Incident, Milestone};
use super::command::{IncidentCommand as C, Report};
use super::event::{IncidentEvent, IncidentEventKind as E};
use super::facts::{Facts, local_date};
use super::rejection::IncidentRejection as R;
use super::state::{Action, Cascade, Eligibility, IncidentState};
use super::waiting::{self, WaitAction};
use crate::principal::{self, Actor, Principal, Role};
use crate::sla::WindowKind;
use chrono::{DateTime, Utc};

pub(crate) use clocks::{cancel_all, next_provider, start_all};

/// Decides `command` by `by` at `now` on `incident` (`None` before it was reported).
///
/// Fails with a typed [`R`] and records nothing when the caller may not act, the
/// lifecycle forbids the move, a limit would be exceeded, and so on. A caller that may
/// not see the incident gets [`R::NotFound`], never a hint that it exists.
pub fn decide(
    incident: Option<&Incident>,
    command: &C,
    by: &Principal,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<IncidentEvent>, R> {
    let kinds = match (incident, command) {
        (None, C::ReportIncident(report)) => report_incident(report, by, facts, now)?,
        (Some(_), C::ReportIncident(_)) => return Err(R::AlreadyReported),
        (None, _) => return Err(R::NotFound),
        (Some(i), command) => {
            if !principal::can_view_incident(by, &i.body, &i.offered_to) {
                return Err(R::NotFound);
            }
            decide_on(i, command, by, facts, now)?
        }
    };
    let actor = Actor::Principal(by.clone());
    Ok(kinds
        .into_iter()
        .map(|kind| IncidentEvent {
            at: now,
            by: actor.clone(),
            kind,
        })
        .collect())
}

fn forbidden(by: &Principal, what: &'static str) -> R {
    R::Forbidden {
        who: by.to_string(),
        what,
    }
}

fn report_incident(
    report: &Report,
    by: &Principal,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<E>, R> {
    if !principal::can_report_for(by, &report.body) {
        return Err(forbidden(by, "report an incident for this body"));
    }
    if report.title.trim().is_empty() {
        return Err(R::Empty("title"));
    }
    let known = report
        .body
        .parse()
        .ok()
        .and_then(|key| facts.register.get(&key));
    if known.is_none() {
        return Err(R::UnknownBody(report.body.clone()));
    }
    if report.aware_at > now {
        return Err(R::AwarenessInFuture {
            aware_at: report.aware_at,
            now,
        });
    }
    Ok(vec![E::Reported {
        body: report.body.clone(),
        title: report.title.clone(),
        description: report.description.clone(),
        category: report.category,
        aware_at: report.aware_at,
        affected_services: report.affected_services.clone(),
        personal_data: report.personal_data,
        nis2: report.nis2,
        on_site_needed: report.on_site_needed,
    }])
}

/// Checks role, binding and lifecycle for a lifecycle `action`.
fn may(
    i: &Incident,
    by: &Principal,
    action: Action,
    what: &'static str,
) -> Result<IncidentState, R> {
    if !principal::can_perform(by, action, &i.body, i.provider.as_ref()) {
        return Err(forbidden(by, what));
    }
    Ok(i.state().allowed(action)?)
}

fn decide_on(
    i: &Incident,
    command: &C,
    by: &Principal,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<E>, R> {
    match command {
        C::ReportIncident(_) => Err(R::AlreadyReported),
        C::Triage { severity, lot } => money::triage(i, by, *severity, lot, facts),
        C::Reject { reasons } => {
            may(i, by, Action::Triage(Eligibility::Ineligible), "reject")?;
            if reasons.iter().all(|r| r.trim().is_empty()) {
                return Err(R::Empty("reasons"));
            }
            Ok(vec![E::Rejected {
                reasons: reasons.clone(),
            }])
        }
        C::Dispatch { estimate } => money::dispatch(i, by, estimate, facts, now),
        C::ApproveReservation => money::approve_reservation(i, by, facts, now),
        C::RefuseReservation { reason } => money::refuse_reservation(i, by, reason, facts),
        C::Accept => {
            may(i, by, Action::Accept, "accept")?;
            let provider = current(i)?;
            let mut out = clocks::stop(i, &provider, WindowKind::Acceptance, now, facts)?;
            out.push(E::Accepted { provider });
            Ok(out)
        }
        C::Decline { reason } => {
            let provider = current(i)?;
            let next = next_provider(i, &provider);
            let cascade = if next.is_some() {
                Cascade::NextProvider
            } else {
                Cascade::NoProviderLeft
            };
            may(i, by, Action::Decline(cascade), "decline")?;
            if reason.trim().is_empty() {
                return Err(R::Empty("reason"));
            }
            let mut out = cancel_all(i, &provider, now, facts)?;
            out.push(E::Declined {
                provider,
                reason: reason.clone(),
                next: next.clone(),
            });
            if let (Some(next), Some(lot)) = (next, i.lot.as_ref().and_then(|l| facts.lot(l))) {
                out.extend(start_all(i, lot, &next, now, facts)?);
            }
            Ok(out)
        }
        C::RecordFirstContact => milestone(
            i,
            by,
            Action::RecordFirstContact,
            WindowKind::FirstContact,
            E::FirstContactRecorded,
            facts,
            now,
        ),
        C::RecordRemoteStart => {
            if i.milestones.contains_key(&Milestone::RemoteStart) {
                return Err(R::AlreadyRecorded("remote start"));
            }
            milestone(
                i,
                by,
                Action::RecordRemoteStart,
                WindowKind::RemoteStart,
                E::RemoteStartRecorded,
                facts,
                now,
            )
        }
        C::RecordOnSiteArrival => {
            if !i.on_site_needed {
                return Err(R::NoOnSite);
            }
            milestone(
                i,
                by,
                Action::RecordOnSiteArrival,
                WindowKind::OnSite,
                E::OnSiteArrivalRecorded,
                facts,
                now,
            )
        }
        C::WaitForBody { reason } => {
            wait(i, by, WaitAction::Wait)?;
            let mut out = clocks::pause_or_resume(i, true, now, facts)?;
            out.push(E::WaitingForBody {
                reason: reason.clone(),
            });
            Ok(out)
        }
        C::ResumeFromBody => {
            wait(i, by, WaitAction::Resume)?;
            let mut out = clocks::pause_or_resume(i, false, now, facts)?;
            out.push(E::ResumedFromBody);
            Ok(out)
        }
        C::Contain => {
            may(i, by, Action::Contain, "record containment")?;
            Ok(vec![E::Contained])
        }
        C::Recover => {
            may(i, by, Action::Recover, "record recovery")?;
            let provider = current(i)?;
            let mut out = clocks::stop(i, &provider, WindowKind::Resolve, now, facts)?;
            out.push(E::Recovered);
            Ok(out)
        }
        C::Close { final_report_ref } => money::close(i, by, final_report_ref, facts, now),
        C::Withdraw { reason } => money::end(i, by, Action::Withdraw, reason, facts, now),
        C::Cancel { reason } => money::end(i, by, Action::Cancel, reason, facts, now),
        C::RecordDutySubmission {
            kind,
            submitted_at,
            reference,
        } => {
            if !matches!(by.role(), Role::Coordinator) && !by.is_body(&i.body) {
                return Err(forbidden(by, "record a reporting duty"));
            }
            let events = i
                .duties
                .record_submission(*kind, *submitted_at, reference)?;
            Ok(events.into_iter().map(E::Duty).collect())
        }
        C::SubmitTimeEntry {
            role,
            start,
            end,
            description,
        } => money::submit_time(i, by, role, *start, *end, description, facts),
        C::ApproveTimeEntry { entry } => money::approve_time(i, by, *entry, facts),
        C::DisputeTimeEntry { entry, reason } => money::dispute_time(i, by, *entry, reason),
        C::ReverseTimeEntry { entry, reason } => money::reverse_time(i, by, *entry, reason, facts),
        C::Amend { estimate, reason } => money::amend(i, by, estimate, reason, facts),
        C::ApproveAmendment => money::decide_amendment(i, by, true, facts),
        C::RefuseAmendment { reason } => {
            if reason.trim().is_empty() {
                return Err(R::Empty("reason"));
            }
            money::decide_amendment(i, by, false, facts)
        }
    }
}

fn current(i: &Incident) -> Result<crate::ids::ProviderId, R> {
    i.provider.clone().ok_or(R::InState(i.state()))
}

fn milestone(
    i: &Incident,
    by: &Principal,
    action: Action,
    window: WindowKind,
    event: E,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<E>, R> {
    may(i, by, action, "record this milestone")?;
    let provider = current(i)?;
    let mut out = clocks::stop(i, &provider, window, now, facts)?;
    out.push(event);
    Ok(out)
}

fn wait(i: &Incident, by: &Principal, action: WaitAction) -> Result<(), R> {
    if !action.allowed_for(by.role())
        || (by.role() == Role::Provider && i.provider.as_ref().is_none_or(|p| !by.is_provider(p)))
        || (by.role() == Role::Body && !by.is_body(&i.body))
    {
        return Err(forbidden(by, "change waiting for the body"));
    }
    waiting::toggle(i.state(), i.lifecycle.waiting, action).map_err(|_| R::InState(i.state()))?;
    Ok(())
}

/// The date eligibility and contract years are judged on: the report date (Berlin).
pub(crate) fn report_date(i: &Incident) -> chrono::NaiveDate {
    local_date(i.reported_at)
}
