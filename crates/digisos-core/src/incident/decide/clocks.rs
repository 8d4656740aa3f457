//! SLA clock and cascade helpers of `decide`: start a provider's clocks, stop one at a
//! milestone, pause/resume/cancel them, and move the call-off down the cascade.

use super::super::aggregate::Incident;
use super::super::event::IncidentEventKind as E;
use super::super::facts::Facts;
use super::super::rejection::IncidentRejection;
use crate::contract::Lot;
use crate::ids::ProviderId;
use crate::sla::{Clock, ClockEvent, ClockStage, WindowKind, WindowStart};
use chrono::{DateTime, Utc};

type Out = Result<Vec<E>, IncidentRejection>;

fn wrap(window: WindowKind, provider: &ProviderId, events: Vec<ClockEvent>) -> Vec<E> {
    events
        .into_iter()
        .map(|event| E::Sla {
            window,
            provider: provider.clone(),
            event,
        })
        .collect()
}

/// Starts every window of the incident's severity for `provider` at `at` (or at the
/// report, for windows that count from it), in one event. The on-site window only if
/// on-site help was requested.
pub(crate) fn start_all(
    incident: &Incident,
    lot: &Lot,
    provider: &ProviderId,
    at: DateTime<Utc>,
    facts: &Facts<'_>,
) -> Out {
    let Some(severity) = incident.severity else {
        return Ok(Vec::new());
    };
    let Some(windows) = lot.sla.windows.get(&severity) else {
        return Ok(Vec::new());
    };
    let mut clocks = Vec::with_capacity(windows.len());
    for (kind, spec) in windows {
        if *kind == WindowKind::OnSite && !incident.on_site_needed {
            continue;
        }
        let start = match spec.start {
            WindowStart::Dispatch => at,
            WindowStart::Report => incident.reported_at.min(at),
        };
        clocks.push(Clock::new(*kind).plan_start(start, spec, facts.calendars)?);
    }
    if clocks.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![E::SlaStarted {
        provider: provider.clone(),
        clocks,
    }])
}

fn is_open(clock: &Clock) -> bool {
    matches!(clock.stage(), ClockStage::Running | ClockStage::Paused)
}

/// Stops `provider`'s clock for `window` at `now` (met or breached), if it runs.
pub(crate) fn stop(
    incident: &Incident,
    provider: &ProviderId,
    window: WindowKind,
    now: DateTime<Utc>,
    facts: &Facts<'_>,
) -> Out {
    match incident.clock(provider, window) {
        Some(c) if is_open(c) || c.stage() == ClockStage::Breached => {
            match c.stop(now, facts.calendars) {
                Ok(events) => Ok(wrap(window, provider, events)),
                // a breached clock that was already stopped stays as it is
                Err(crate::sla::ClockRejection::Ended) => Ok(Vec::new()),
                Err(e) => Err(e.into()),
            }
        }
        _ => Ok(Vec::new()),
    }
}

/// Cancels every open clock of `provider` (decline, cascade, withdrawal, cancellation).
pub(crate) fn cancel_all(
    incident: &Incident,
    provider: &ProviderId,
    now: DateTime<Utc>,
    facts: &Facts<'_>,
) -> Out {
    let mut out = Vec::new();
    for pc in incident.clocks.iter().filter(|c| &c.provider == provider) {
        if is_open(&pc.clock) {
            let events = pc.clock.cancel(now, facts.calendars)?;
            out.extend(wrap(pc.clock.kind(), provider, events));
        }
    }
    Ok(out)
}

/// Pauses (or resumes) every pausable clock of the current provider.
pub(crate) fn pause_or_resume(
    incident: &Incident,
    pause: bool,
    now: DateTime<Utc>,
    facts: &Facts<'_>,
) -> Out {
    let Some(provider) = &incident.provider else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for pc in incident.clocks.iter().filter(|c| &c.provider == provider) {
        let pausable = pc.clock.window().is_some_and(|w| w.pausable);
        let events = match (pause, pc.clock.stage()) {
            (true, ClockStage::Running) if pausable => pc.clock.pause(now, facts.calendars)?,
            (false, ClockStage::Paused) => pc.clock.resume(now, facts.calendars)?,
            _ => continue,
        };
        out.extend(wrap(pc.clock.kind(), provider, events));
    }
    Ok(out)
}

/// The provider after `current` in the incident's cascade order, if any.
pub(crate) fn next_provider(incident: &Incident, current: &ProviderId) -> Option<ProviderId> {
    let pos = incident.order.iter().position(|p| p == current)?;
    incident.order.get(pos + 1).cloned()
}
