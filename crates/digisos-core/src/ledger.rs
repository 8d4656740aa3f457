//! The limits ledger: two-phase reservations of call-offs against every limit they touch
//! (model: TigerBeetle's pending/post/void transfers), in decide/apply style.
//!
//! A call-off **reserves** its amount against the contract maximum, its lot's ceiling, its
//! body's cap for the contract year and its own cap, all or nothing
//! ([`LedgerCommand::Reserve`]); approved time entries **post** against the reservation;
//! closing **releases** the remainder and cancelling **voids** what is not posted.
//! Corrections are reversing entries, never edits.
//!
//! Call [`Ledger::decide`] with a command and the [`Limits`] in force; on success append
//! the events to the log and fold each with [`Ledger::apply`]. `decide` never changes the
//! state; `apply` never fails.
//!
//! # Invariants
//! After every event that `decide` produced, for the state built by `apply`:
//! - for every limit, `posted + reserved ≤ limit` (the limit recorded with the last
//!   event that checked it);
//! - no amount is negative ([`Money`] cannot be);
//! - per call-off, `posted ≤ reserved`, and the balances equal the sum of their call-offs;
//! - a reservation resolves (closed, voided or refused) at most once; a resolved
//!   call-off only ever changes by reversing a posting, which releases that amount;
//! - after every decision (batch of events) that reached the contract maximum the
//!   framework is exhausted, and stays so (EuGH C-23/20) even if money is released later.
//!
//! [`Ledger::invariant_violations`] checks the per-event ones; the property tests run it
//! after every event and check exhaustion after every decision.

mod decide;
mod evolve;
mod keys;
mod limits;
mod messages;
mod pairs;
mod query;
mod rejection;
#[cfg(test)]
mod tests;

pub use keys::{CallOffId, EntryId, LedgerIdError, LimitKey};
pub use limits::Limits;
pub use messages::{Ceiling, LedgerCommand, LedgerEvent};
pub use query::UtilisationRow;
pub use rejection::{Exceeded, LedgerRejection};

use crate::ids::LotId;
use crate::money::Money;
use crate::vecmap::VecMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The ledger of one framework contract: balances per limit and a record per call-off.
/// Build it by folding the contract's ledger events with [`Ledger::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Persistent (one balance per limit, and every call-off has its own cap): a copy
    /// of the ledger shares it.
    #[serde(with = "pairs")]
    balances: imbl::OrdMap<LimitKey, Balance>,
    /// Persistent and shared, like the programme's incidents: a copy of the ledger (for
    /// a snapshot in the background) costs nothing; a change copies a record (and its
    /// path) only while a copy still shares it.
    #[serde(
        serialize_with = "crate::wire::ordmap_as_map",
        deserialize_with = "crate::wire::ordmap_in_one_pass"
    )]
    reservations: imbl::OrdMap<CallOffId, Arc<Reservation>>,
    exhausted: bool,
}

/// The state of one limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// The limit recorded by the last event that checked it; `None` = unlimited.
    pub limit: Option<Money>,
    /// Held by open reservations and not yet posted.
    pub reserved: Money,
    /// Posted by approved entries (net of reversals).
    pub posted: Money,
    /// Released in total by closes, voids, refusals, lowerings and late reversals.
    pub released: Money,
    /// Warning levels (percent) already announced for this limit.
    pub warnings_reached: BTreeSet<u8>,
}

impl Balance {
    /// `posted + reserved`: what counts against the limit.
    pub fn used(&self) -> Money {
        self.posted
            .checked_add(self.reserved)
            .unwrap_or(self.posted.max(self.reserved))
    }

    /// What is still free under the limit; `None` when unlimited.
    pub fn remaining(&self) -> Option<Money> {
        self.limit.map(|l| l.saturating_sub(self.used()))
    }
}

/// Where a reservation stands. Closed, voided and refused are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationState {
    /// Held against the limits, waiting for the coordinator; nothing can be posted.
    PendingApproval,
    /// Postable.
    Active,
    /// Closed; the remainder was released.
    Closed,
    /// Cancelled; what was not posted was voided.
    Voided,
    /// Refused by the coordinator; everything was released.
    Refused,
}

impl ReservationState {
    /// True for closed, voided and refused.
    pub fn is_resolved(self) -> bool {
        matches!(self, Self::Closed | Self::Voided | Self::Refused)
    }
}

/// One posting of a call-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// Posted amount.
    pub amount: Money,
    /// True once reversed.
    pub reversed: bool,
}

/// The ledger's record of one call-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// The body's register key.
    pub body: String,
    /// The lot.
    pub lot: LotId,
    /// Contract year index.
    pub year: i32,
    /// The reserved amount postings may use (while pending approval: the held amount).
    pub amount: Money,
    /// A raise held against the limits and waiting for approval.
    pub pending_raise: Option<Money>,
    /// Estimated person-days, if given.
    #[serde(with = "crate::wire::decimal_opt")]
    pub person_days: Option<Decimal>,
    /// Posted, net of reversals.
    pub posted: Money,
    /// Released in total.
    pub released: Money,
    /// Where it stands.
    pub state: ReservationState,
    /// The limits it counts against: contract, lot, body-year, call-off.
    pub keys: Vec<LimitKey>,
    /// Postings by entry id (a map kept as a sorted vector: most call-offs post a few).
    pub postings: VecMap<EntryId, Posting>,
}

impl Reservation {
    /// What the call-off holds against its limits: while open the larger of the reserved
    /// amount and a pending raise, once resolved only what stays posted.
    pub fn held(&self) -> Money {
        if self.state.is_resolved() {
            self.posted
        } else {
            self.pending_raise
                .map_or(self.amount, |r| r.max(self.amount))
        }
    }

    /// Reserved and not yet posted (what a close would release).
    pub fn unposted(&self) -> Money {
        self.held().saturating_sub(self.posted)
    }
}

impl Ledger {
    /// An empty ledger (no call-offs yet).
    pub fn new() -> Self {
        Self::default()
    }

    /// The balance of a limit; `None` until a reservation has touched it.
    pub fn balance(&self, key: &LimitKey) -> Option<&Balance> {
        self.balances.get(key)
    }

    /// The record of a call-off; `None` if it was never reserved.
    pub fn reservation(&self, call_off: &CallOffId) -> Option<&Reservation> {
        self.reservations.get(call_off).map(Arc::as_ref)
    }

    /// Every call-off's record, ordered by id.
    pub fn reservations(&self) -> impl Iterator<Item = (&CallOffId, &Reservation)> {
        self.reservations.iter().map(|(id, r)| (id, r.as_ref()))
    }

    /// True once the contract maximum was reached: no new call-offs or raises, ever.
    pub fn is_exhausted(&self) -> bool {
        self.exhausted
    }
}
