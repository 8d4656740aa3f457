//! SLA attainment report (*SLA-Erfüllung*) per provider and lot: clocks met, breached and
//! still running, percentage met, median and p90 time to accept, to first contact and to
//! on-site arrival, and every breach.

use super::stats::DurationStats;
use crate::ids::{LotId, ProviderId};
use crate::incident::{Incident, IncidentId, Milestone};
use crate::programme::Programme;
use crate::sla::{Clock, ClockStage, WindowKind};
use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One provider in one lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaRow {
    /// The provider the clocks ran against.
    pub provider: ProviderId,
    /// The lot of the incidents.
    pub lot: LotId,
    /// Clocks stopped within their window.
    pub met: u32,
    /// Clocks whose deadline passed (recorded, or passed by `as_of` and not yet recorded).
    pub breached: u32,
    /// Clocks still running or paused within their window (not in the percentage).
    pub running: u32,
    /// Clocks cancelled (decline, cascade, close; not in the percentage).
    pub cancelled: u32,
    /// `met / (met + breached)` in percent, two decimals; `None` when nothing ended.
    pub percent_met: Option<Decimal>,
    /// Time from the offer to acceptance (acceptance clocks that stopped).
    pub time_to_accept: DurationStats,
    /// Time to the first qualified contact (first-contact clocks that stopped).
    pub time_to_first_contact: DurationStats,
    /// Time to on-site arrival (on-site clocks that stopped).
    pub time_to_on_site: DurationStats,
}

/// One missed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaBreach {
    /// The incident.
    pub incident: IncidentId,
    /// The provider at fault.
    pub provider: ProviderId,
    /// The lot.
    pub lot: LotId,
    /// The window that was missed.
    pub window: WindowKind,
    /// The deadline that passed.
    pub due: DateTime<Utc>,
    /// When the measured milestone was reached after all; `None` if it was not (yet), e.g.
    /// when a missed acceptance moved the call-off to the next provider.
    pub at: Option<DateTime<Utc>>,
}

/// The SLA attainment report as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaReport {
    /// The instant the report describes.
    pub as_of: DateTime<Utc>,
    /// One row per provider and lot with at least one clock, ordered by provider and lot.
    pub rows: Vec<SlaRow>,
    /// Every breach, ordered by deadline, incident and window.
    pub breaches: Vec<SlaBreach>,
}

#[derive(Default)]
struct Acc {
    met: u32,
    breached: u32,
    running: u32,
    cancelled: u32,
    times: BTreeMap<WindowKind, Vec<TimeDelta>>,
}

/// SLA attainment of every provider in every lot as of `now`. Times are the open time
/// the clock counted (its window's calendar; wall-clock time for `24x7`, paused time
/// excluded). A running clock whose deadline passed by `now` counts as breached even
/// before the timer recorded it. Never fails.
pub fn sla(programme: &Programme, now: DateTime<Utc>) -> SlaReport {
    let calendars = programme.calendars();
    let mut acc: BTreeMap<(ProviderId, LotId), Acc> = BTreeMap::new();
    let mut breaches = Vec::new();
    for incident in programme.incidents().values() {
        let Some(lot) = &incident.lot else { continue };
        for pc in &incident.clocks {
            let Ok(status) = pc.clock.status(now, calendars) else {
                continue;
            };
            let a = acc.entry((pc.provider.clone(), lot.clone())).or_default();
            let reached = milestone_of(incident, &pc.provider, pc.clock.kind());
            let overdue = status.deadline.filter(|d| *d <= now);
            match (status.stage, overdue) {
                (ClockStage::Pending, _) => continue,
                (ClockStage::Met, _) => a.met += 1,
                (ClockStage::Cancelled, _) => a.cancelled += 1,
                (ClockStage::Running | ClockStage::Paused, None) => a.running += 1,
                (ClockStage::Breached, _) | (ClockStage::Running | ClockStage::Paused, Some(_)) => {
                    a.breached += 1;
                    breaches.push(SlaBreach {
                        incident: incident.id.clone(),
                        provider: pc.provider.clone(),
                        lot: lot.clone(),
                        window: pc.clock.kind(),
                        due: due(&pc.clock, overdue).unwrap_or(now),
                        at: reached,
                    });
                }
            }
            let stopped =
                matches!(status.stage, ClockStage::Met | ClockStage::Breached) && reached.is_some();
            if stopped {
                a.times
                    .entry(pc.clock.kind())
                    .or_default()
                    .push(status.elapsed);
            }
        }
    }
    breaches.sort_by(|a, b| {
        (a.due, &a.incident, a.window, &a.provider).cmp(&(
            b.due,
            &b.incident,
            b.window,
            &b.provider,
        ))
    });
    let rows = acc
        .into_iter()
        .map(|((provider, lot), mut a)| {
            let ended = a.met + a.breached;
            let percent_met = (ended > 0).then(|| {
                let mut p = (Decimal::from(a.met) * Decimal::ONE_HUNDRED / Decimal::from(ended))
                    .round_dp_with_strategy(
                        2,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                    );
                p.rescale(2);
                p
            });
            let mut times = |k| DurationStats::of(a.times.remove(&k).unwrap_or_default());
            SlaRow {
                time_to_accept: times(WindowKind::Acceptance),
                time_to_first_contact: times(WindowKind::FirstContact),
                time_to_on_site: times(WindowKind::OnSite),
                provider,
                lot,
                met: a.met,
                breached: a.breached,
                running: a.running,
                cancelled: a.cancelled,
                percent_met,
            }
        })
        .collect();
    SlaReport {
        as_of: now,
        rows,
        breaches,
    }
}

/// The missed deadline: recorded with the breach, or the running clock's deadline.
fn due(clock: &Clock, overdue: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    clock.breached_at().or(overdue)
}

/// When `provider` reached the milestone `window` measures, if it holds the incident.
fn milestone_of(
    incident: &Incident,
    provider: &ProviderId,
    window: WindowKind,
) -> Option<DateTime<Utc>> {
    let accepted = incident.milestones.contains_key(&Milestone::Accepted);
    if !accepted || incident.provider.as_ref() != Some(provider) {
        return None;
    }
    let milestone = match window {
        WindowKind::Acceptance => Milestone::Accepted,
        WindowKind::FirstContact => Milestone::FirstContact,
        WindowKind::RemoteStart => Milestone::RemoteStart,
        WindowKind::OnSite => Milestone::OnSite,
        WindowKind::Resolve => Milestone::Recovered,
    };
    incident.milestones.get(&milestone).copied()
}
