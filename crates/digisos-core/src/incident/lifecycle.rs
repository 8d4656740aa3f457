//! The lifecycle slice of the incident's state (graph state + waiting flag) and its dumb
//! `evolve` fold over events; the full aggregate composes this with SLA, ledger and duties.

use super::event::{IncidentEventKind, LifecycleEffect};
use super::state::IncidentState;
use super::waiting;
use serde::{Deserialize, Serialize};

/// Where an incident stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The graph state.
    pub state: IncidentState,
    /// Whether the incident is waiting for the body.
    pub waiting: bool,
}

/// Fold one event into the lifecycle (`None` before the incident was reported).
///
/// Never panics: events `decide` produced are always legal moves; an event that is not
/// (a corrupt or foreign log) leaves the lifecycle as it was, so replay stays total.
pub fn evolve(current: Option<Lifecycle>, event: &IncidentEventKind) -> Option<Lifecycle> {
    match (current, event.lifecycle_effect()) {
        (None, LifecycleEffect::Move(super::state::Action::Report)) => Some(Lifecycle {
            state: IncidentState::INITIAL,
            waiting: false,
        }),
        (None, _) => None,
        (Some(l), LifecycleEffect::Move(action)) => {
            let state = l.state.allowed(action).unwrap_or(l.state);
            Some(Lifecycle {
                state,
                waiting: waiting::after_move(state, l.waiting),
            })
        }
        (Some(l), LifecycleEffect::Wait(w)) => Some(Lifecycle {
            waiting: waiting::toggle(l.state, l.waiting, w).unwrap_or(l.waiting),
            ..l
        }),
        (Some(l), LifecycleEffect::None) => Some(l),
    }
}

#[cfg(test)]
mod tests;
