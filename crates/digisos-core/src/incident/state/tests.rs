//! Tests of the lifecycle table: every row, every refusal, and random walks.

use super::*;
use Cascade::{NextProvider as Next, NoProviderLeft as NoneLeft};
use Eligibility::{Eligible, Ineligible};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// given state, when action, then state — the happy path and every side exit.
#[test]
fn given_when_then() {
    let table: &[(IncidentState, Action, IncidentState)] = &[
        (S::Reported, A::Triage(Eligible), S::Triaged),
        (S::Reported, A::Triage(Ineligible), S::Rejected),
        (S::Triaged, A::Dispatch, S::Dispatched),
        (S::Dispatched, A::Accept, S::Accepted),
        (S::Dispatched, A::Decline(Next), S::Dispatched),
        (S::Dispatched, A::Decline(NoneLeft), S::Unserved),
        (S::Dispatched, A::MissAcceptance(Next), S::Dispatched),
        (S::Dispatched, A::MissAcceptance(NoneLeft), S::Unserved),
        (S::Unserved, A::Dispatch, S::Dispatched),
        (S::Accepted, A::RecordFirstContact, S::Responding),
        (S::Responding, A::RecordRemoteStart, S::Responding),
        (S::OnSite, A::RecordRemoteStart, S::OnSite),
        (S::Responding, A::RecordOnSiteArrival, S::OnSite),
        (S::Responding, A::Contain, S::Contained),
        (S::OnSite, A::Contain, S::Contained),
        (S::Contained, A::Recover, S::Recovered),
        (S::Recovered, A::Close, S::Closed),
        (S::Reported, A::Withdraw, S::Withdrawn),
        (S::Triaged, A::Withdraw, S::Withdrawn),
        (S::Dispatched, A::Withdraw, S::Withdrawn),
        (S::Unserved, A::Cancel, S::Cancelled),
        (S::Recovered, A::Cancel, S::Cancelled),
    ];
    for &(given, when, then) in table {
        assert_eq!(given.allowed(when), Ok(then), "{given} + {when}");
    }
}

#[test]
fn refusals_name_the_current_state() {
    let table: &[(IncidentState, Action)] = &[
        (S::Reported, A::Report),
        (S::Reported, A::Dispatch),
        (S::Triaged, A::Accept),
        (S::Accepted, A::Withdraw),
        (S::Accepted, A::Decline(Next)),
        (S::Accepted, A::RecordOnSiteArrival),
        (S::Contained, A::RecordOnSiteArrival),
        (S::Accepted, A::Contain),
        (S::Contained, A::Close),
        (S::Unserved, A::Withdraw),
        (S::Closed, A::Cancel),
        (S::Cancelled, A::Cancel),
    ];
    for &(from, action) in table {
        assert_eq!(
            from.allowed(action),
            Err(IllegalTransition { from, action }),
            "{from} + {action}"
        );
    }
    let e = S::Closed.allowed(A::Accept).unwrap_err();
    assert_eq!(e.to_string(), "cannot accept an incident that is closed");
}

#[test]
fn cancel_from_every_non_terminal_state_and_terminal_states_take_nothing() {
    for state in IncidentState::ALL {
        if state.is_terminal() {
            for action in Action::ALL {
                assert!(state.allowed(action).is_err(), "{state} + {action}");
            }
        } else {
            assert_eq!(state.allowed(A::Cancel), Ok(S::Cancelled), "{state}");
        }
    }
    let terminal: Vec<_> = IncidentState::ALL
        .into_iter()
        .filter(|s| s.is_terminal())
        .collect();
    assert_eq!(
        terminal,
        [S::Closed, S::Rejected, S::Withdrawn, S::Cancelled]
    );
}

#[test]
fn every_state_is_reachable_and_every_live_state_can_end() {
    let reachable = reachable_from(S::INITIAL);
    assert_eq!(reachable.len(), IncidentState::ALL.len());
    for state in IncidentState::ALL {
        assert!(
            reachable_from(state).iter().any(|s| s.is_terminal()),
            "{state} cannot end"
        );
    }
}

#[test]
fn roles_per_action() {
    use Role::*;
    let table: &[(Action, &[Role])] = &[
        (A::Report, &[Coordinator, Body]),
        (A::Triage(Eligible), &[Coordinator]),
        (A::Dispatch, &[Coordinator]),
        (A::Accept, &[Coordinator, Provider]),
        (A::Decline(Next), &[Coordinator, Provider]),
        (A::MissAcceptance(Next), &[]),
        (A::RecordFirstContact, &[Coordinator, Provider]),
        (A::RecordOnSiteArrival, &[Coordinator, Provider]),
        (A::Contain, &[Coordinator, Provider]),
        (A::Recover, &[Coordinator, Provider]),
        (A::Close, &[Coordinator]),
        (A::Withdraw, &[Coordinator, Body]),
        (A::Cancel, &[Coordinator]),
    ];
    for &(action, roles) in table {
        for role in [Coordinator, Body, Provider, Auditor] {
            assert_eq!(
                action.allowed_for(role),
                roles.contains(&role),
                "{role} / {action}"
            );
        }
    }
    assert!(Action::ALL.iter().all(|a| !a.allowed_for(Auditor)));
}

#[test]
fn serde_names_are_snake_case() {
    let names: Vec<String> = IncidentState::ALL
        .iter()
        .map(|s| {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json.trim_matches('"'), s.as_str());
            s.as_str().to_owned()
        })
        .collect();
    assert!(names.contains(&"on_site".to_owned()));
}

fn reachable_from(start: IncidentState) -> BTreeSet<IncidentState> {
    let mut seen = BTreeSet::from([start]);
    let mut todo = vec![start];
    while let Some(s) = todo.pop() {
        for a in Action::ALL {
            if let Ok(next) = s.allowed(a)
                && seen.insert(next)
            {
                todo.push(next);
            }
        }
    }
    seen
}

proptest! {
    /// Random action sequences never leave the graph: every reached state is reachable
    /// from `reported`, every refusal names the state we were in, and a terminal state
    /// never moves again.
    #[test]
    fn random_walks_stay_in_the_graph(
        picks in prop::collection::vec(0..Action::ALL.len(), 0..60)
    ) {
        let reachable = reachable_from(S::INITIAL);
        let mut state = S::INITIAL;
        for i in picks {
            let action = Action::ALL[i];
            match state.allowed(action) {
                Ok(next) => {
                    prop_assert!(!state.is_terminal(), "{state} moved on {action}");
                    let in_table = TRANSITIONS
                        .iter()
                        .any(|(f, a, t)| f.contains(&state) && *a == action && *t == next);
                    prop_assert!(in_table, "{} + {} -> {} is not a row", state, action, next);
                    state = next;
                }
                Err(e) => prop_assert_eq!(e, IllegalTransition { from: state, action }),
            }
            prop_assert!(reachable.contains(&state));
        }
    }
}
