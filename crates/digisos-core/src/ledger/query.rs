//! Read-only views of the ledger for reports: utilisation rows and an invariant audit.

use super::{Ledger, LimitKey};
use crate::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of the utilisation report (contract, each lot, each body-year, each call-off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilisationRow {
    /// The limit.
    pub key: LimitKey,
    /// Its amount; `None` = unlimited.
    pub limit: Option<Money>,
    /// Held and not yet posted.
    pub reserved: Money,
    /// Posted.
    pub posted: Money,
    /// Released in total.
    pub released: Money,
    /// Still free; `None` when unlimited.
    pub remaining: Option<Money>,
    /// `posted + reserved` in percent of the limit (two decimals); `None` when unlimited.
    pub percent: Option<Decimal>,
    /// Warning levels announced so far (contract and lots only).
    pub warnings_reached: Vec<u8>,
}

impl Ledger {
    /// The utilisation of every limit a reservation has touched, in the fixed key order
    /// (contract, lots, body-years, call-offs). Reports call this; it never fails.
    pub fn utilisation(&self) -> Vec<UtilisationRow> {
        self.balances
            .iter()
            .map(|(key, b)| UtilisationRow {
                key: key.clone(),
                limit: b.limit,
                reserved: b.reserved,
                posted: b.posted,
                released: b.released,
                remaining: b.remaining(),
                percent: b.limit.map(|l| b.used().percent_of(l)),
                warnings_reached: b.warnings_reached.iter().copied().collect(),
            })
            .collect()
    }

    /// Every broken invariant (see the module docs), as readable lines; empty for a
    /// ledger built only from events `decide` produced. For audits and tests.
    pub fn invariant_violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut sums: BTreeMap<&LimitKey, (Decimal, Decimal, Decimal)> = BTreeMap::new();
        for (id, r) in &self.reservations {
            let reserved = r.unposted().amount();
            if r.posted > r.held() || r.posted > r.amount {
                out.push(format!(
                    "call-off {id}: posted {} exceeds reserved {}",
                    r.posted, r.amount
                ));
            }
            let live: Decimal = r
                .postings
                .values()
                .filter(|p| !p.reversed)
                .map(|p| p.amount.amount())
                .sum();
            if live != r.posted.amount() {
                out.push(format!(
                    "call-off {id}: posted {} differs from its live postings {live}",
                    r.posted
                ));
            }
            if r.state.is_resolved() && r.pending_raise.is_some() {
                out.push(format!("call-off {id}: resolved with a pending raise"));
            }
            for key in &r.keys {
                let s = sums.entry(key).or_default();
                s.0 += reserved;
                s.1 += r.posted.amount();
                s.2 += r.released.amount();
            }
        }
        for (key, b) in &self.balances {
            if let Some(limit) = b.limit
                && b.used() > limit
            {
                out.push(format!(
                    "{key}: posted {} + reserved {} exceeds the limit {limit}",
                    b.posted, b.reserved
                ));
            }
            let s = sums.get(key).copied().unwrap_or_default();
            if (b.reserved.amount(), b.posted.amount(), b.released.amount()) != s {
                out.push(format!(
                    "{key}: balance (reserved {}, posted {}, released {}) differs from its call-offs {s:?}",
                    b.reserved, b.posted, b.released
                ));
            }
        }
        out
    }
}
