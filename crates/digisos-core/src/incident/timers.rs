//! Sans-IO timers of an incident: the next instant something is due (an SLA warning or
//! breach, a missed acceptance window, an overdue reporting duty), and `handle_timeout`,
//! which returns everything due by `now` — each once, in time order, even if `now` jumped.

use super::aggregate::Incident;
use super::decide::{cancel_all, next_provider, start_all};
use super::event::{IncidentEvent, IncidentEventKind as E};
use super::facts::Facts;
use crate::principal::Actor;
use crate::sla::{ClockEvent, WindowKind};
use chrono::{DateTime, Utc};

impl Incident {
    /// The next instant at which [`Incident::handle_timeout`] has something to do.
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        let clocks = self.clocks.iter().filter_map(|c| c.clock.next_timeout());
        clocks.chain(self.duties.next_timeout()).min()
    }

    /// Everything due by `now`, as events stamped with the instant each became due and
    /// caused by the timer. A missed acceptance window moves the call-off down the
    /// cascade (the next provider's clocks start at the breach instant).
    pub fn handle_timeout(&self, now: DateTime<Utc>, facts: &Facts<'_>) -> Vec<IncidentEvent> {
        let mut state = self.clone();
        let mut out = Vec::new();
        // Each round handles the earliest due instant; every round records at least one
        // event that removes what was due, so the loop ends.
        for _ in 0..10_000 {
            let Some(due) = state.next_timeout().filter(|t| *t <= now) else {
                break;
            };
            let kinds = state.due_at(due, facts);
            if kinds.is_empty() {
                break;
            }
            for (at, kind) in kinds {
                let event = IncidentEvent {
                    at,
                    by: Actor::Timer,
                    kind,
                };
                state.apply(&event);
                out.push(event);
            }
        }
        out
    }

    /// The events due at the timer instant `due`, each with the instant it actually
    /// happened (a breach at its deadline, a warning at its threshold, an overdue duty at
    /// its due time); the timer instant itself lies just after a deadline.
    fn due_at(&self, due: DateTime<Utc>, facts: &Facts<'_>) -> Vec<(DateTime<Utc>, E)> {
        let mut out = Vec::new();
        for pc in &self.clocks {
            if pc.clock.next_timeout() != Some(due) {
                continue;
            }
            let events = pc.clock.handle_timeout(due);
            let breach = events.iter().find_map(|e| match e {
                ClockEvent::Breached { at } => Some(*at),
                _ => None,
            });
            for event in events {
                let at = clock_event_at(&event).unwrap_or(due);
                let kind = E::Sla {
                    window: pc.clock.kind(),
                    provider: pc.provider.clone(),
                    event,
                };
                out.push((at, kind));
            }
            let holds = self.provider.as_ref() == Some(&pc.provider);
            if let Some(at) = breach
                && pc.clock.kind() == WindowKind::Acceptance
                && holds
            {
                let cascade = self.cascade_after_miss(due, at, facts);
                out.extend(cascade.into_iter().map(|e| (at, e)));
                return out;
            }
        }
        if self.duties.next_timeout().is_some_and(|t| t <= due) {
            for d in self.duties.handle_timeout(due) {
                let at = match &d {
                    crate::duties::DutyEvent::Overdue { due, .. } => *due,
                    _ => due,
                };
                out.push((at, E::Duty(d)));
            }
        }
        out
    }

    /// The cascade after the holder missed its acceptance window: the breach (found by the
    /// timer at `timer`) happened at `at`; the other clocks cancel and the next provider's
    /// clocks start then.
    fn cascade_after_miss(
        &self,
        timer: DateTime<Utc>,
        at: DateTime<Utc>,
        facts: &Facts<'_>,
    ) -> Vec<E> {
        let Some(provider) = self.provider.clone() else {
            return Vec::new();
        };
        let mut after = self.clone();
        // the breach itself is applied before the other clocks of the provider cancel
        for pc in after
            .clocks
            .iter_mut()
            .filter(|c| c.provider == provider && c.clock.kind() == WindowKind::Acceptance)
        {
            for e in pc.clock.handle_timeout(timer) {
                pc.clock.apply(&e);
            }
        }
        let mut out = cancel_all(&after, &provider, at, facts).unwrap_or_default();
        let next = next_provider(self, &provider);
        out.push(E::AcceptanceWindowMissed {
            provider,
            due: at,
            next: next.clone(),
        });
        let lot = self.lot.as_ref().and_then(|l| facts.lot(l));
        if let (Some(next), Some(lot)) = (next, lot) {
            out.extend(start_all(self, lot, &next, at, facts).unwrap_or_default());
        }
        out
    }
}

/// The instant a timer-produced clock event happened.
fn clock_event_at(event: &ClockEvent) -> Option<DateTime<Utc>> {
    match event {
        ClockEvent::WarningReached { at, .. } | ClockEvent::Breached { at } => Some(*at),
        _ => None,
    }
}
