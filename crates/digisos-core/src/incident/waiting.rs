//! The "waiting for the body" flag (*wartet auf die Stelle*): beside the lifecycle state,
//! set and cleared by its own commands, only while the incident is being worked on.
//!
//! While it is set, the SLA clocks that allow pausing are paused (DESIGN §1.4). It is
//! cleared implicitly when the incident leaves the pausable states (see [`after_move`]).

use super::state::IncidentState;
use crate::principal::Role;
use serde::{Deserialize, Serialize};

/// Set or clear "waiting for the body".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitAction {
    /// The provider waits for the body (information, access, a decision).
    Wait,
    /// The body delivered; work (and the paused clocks) continue.
    Resume,
}

/// Why the flag cannot be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IllegalWait {
    /// The incident is not in accepted, responding, on_site or contained.
    #[error(
        "cannot wait for or resume from the body while the incident is {state}: only in accepted, responding, on_site or contained"
    )]
    NotPausable {
        /// The incident's current state.
        state: IncidentState,
    },
    /// `Wait` while already waiting.
    #[error("the incident is already waiting for the body")]
    AlreadyWaiting,
    /// `Resume` while not waiting.
    #[error("the incident is not waiting for the body")]
    NotWaiting,
}

impl WaitAction {
    /// Whether a principal in `role` may set (`Wait`: provider, coordinator) or clear
    /// (`Resume`: provider, coordinator, or the body that delivered) the flag.
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            WaitAction::Wait => matches!(role, Role::Provider | Role::Coordinator),
            WaitAction::Resume => matches!(role, Role::Provider | Role::Coordinator | Role::Body),
        }
    }
}

/// The flag after `action` in `state` with the flag currently `waiting`; fails if the
/// state is not pausable or the action would not change the flag.
pub fn toggle(
    state: IncidentState,
    waiting: bool,
    action: WaitAction,
) -> Result<bool, IllegalWait> {
    if !state.is_pausable() {
        return Err(IllegalWait::NotPausable { state });
    }
    match (action, waiting) {
        (WaitAction::Wait, false) => Ok(true),
        (WaitAction::Wait, true) => Err(IllegalWait::AlreadyWaiting),
        (WaitAction::Resume, true) => Ok(false),
        (WaitAction::Resume, false) => Err(IllegalWait::NotWaiting),
    }
}

/// The flag after the incident moved to `to`: kept while still pausable, cleared
/// otherwise (e.g. on recovery or cancellation). Call from `evolve` on every move.
pub fn after_move(to: IncidentState, waiting: bool) -> bool {
    waiting && to.is_pausable()
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentState as S;

    #[test]
    fn wait_and_resume_only_in_pausable_states() {
        for state in IncidentState::ALL {
            let wait = toggle(state, false, WaitAction::Wait);
            if matches!(
                state,
                S::Accepted | S::Responding | S::OnSite | S::Contained
            ) {
                assert_eq!(wait, Ok(true), "{state}");
                assert_eq!(toggle(state, true, WaitAction::Resume), Ok(false));
            } else {
                assert_eq!(wait, Err(IllegalWait::NotPausable { state }), "{state}");
            }
        }
    }

    #[test]
    fn double_wait_and_resume_without_wait_are_refused() {
        assert_eq!(
            toggle(S::Responding, true, WaitAction::Wait),
            Err(IllegalWait::AlreadyWaiting)
        );
        assert_eq!(
            toggle(S::Responding, false, WaitAction::Resume),
            Err(IllegalWait::NotWaiting)
        );
    }

    #[test]
    fn leaving_the_pausable_states_clears_the_flag() {
        assert!(after_move(S::OnSite, true));
        assert!(!after_move(S::Recovered, true));
        assert!(!after_move(S::Cancelled, true));
        assert!(!after_move(S::Contained, false));
    }

    #[test]
    fn roles() {
        assert!(WaitAction::Wait.allowed_for(Role::Provider));
        assert!(!WaitAction::Wait.allowed_for(Role::Body));
        assert!(WaitAction::Resume.allowed_for(Role::Body));
        assert!(!WaitAction::Resume.allowed_for(Role::Auditor));
    }

    #[test]
    fn message_names_the_state() {
        let e = IllegalWait::NotPausable { state: S::Triaged };
        assert!(e.to_string().contains("while the incident is triaged"));
    }
}
