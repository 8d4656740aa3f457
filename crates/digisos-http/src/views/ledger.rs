//! Utilisation of the ledger's limits.

use digisos_core::ledger::{LimitKey, UtilisationRow};
use digisos_core::money::Money;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// One limit and how much of it is used (net amounts as decimal strings, EUR).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilisationRowView {
    /// The limit.
    pub key: LimitKeyView,
    /// Its amount; `null` when unlimited.
    #[schema(value_type = Option<String>)]
    pub limit: Option<Money>,
    /// Held and not yet posted.
    #[schema(value_type = String)]
    pub reserved: Money,
    /// Posted.
    #[schema(value_type = String)]
    pub posted: Money,
    /// Released in total.
    #[schema(value_type = String)]
    pub released: Money,
    /// Still free; `null` when unlimited.
    #[schema(value_type = Option<String>)]
    pub remaining: Option<Money>,
    /// `posted + reserved` in percent of the limit (decimal string, two decimals);
    /// `null` when unlimited.
    #[schema(value_type = Option<String>)]
    pub percent: Option<Decimal>,
    /// Warning levels announced so far, in percent (contract and lots only).
    pub warnings_reached: Vec<u8>,
}

impl From<UtilisationRow> for UtilisationRowView {
    fn from(r: UtilisationRow) -> Self {
        let UtilisationRow {
            key,
            limit,
            reserved,
            posted,
            released,
            remaining,
            percent,
            warnings_reached,
        } = r;
        UtilisationRowView {
            key: key.into(),
            limit,
            reserved,
            posted,
            released,
            remaining,
            percent,
            warnings_reached,
        }
    }
}

/// Which limit a row is about: `"contract"`, `{"lot": …}`, `{"body_year": {…}}` or
/// `{"call_off": …}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitKeyView {
    /// The contract maximum (*Höchstwert*).
    Contract,
    /// The ceiling of one lot, by lot id.
    Lot(String),
    /// The cap per eligible body per contract year.
    BodyYear {
        /// The body's register key.
        body: String,
        /// The contract year, 1 for the first twelve months of the term.
        year: i32,
    },
    /// The cap of a single call-off, by call-off id (`CO-000001`).
    CallOff(String),
}

impl From<LimitKey> for LimitKeyView {
    fn from(k: LimitKey) -> Self {
        match k {
            LimitKey::Contract => LimitKeyView::Contract,
            LimitKey::Lot(lot) => LimitKeyView::Lot(lot.as_str().to_owned()),
            LimitKey::BodyYear { body, year } => LimitKeyView::BodyYear { body, year },
            LimitKey::CallOff(id) => LimitKeyView::CallOff(id.as_str().to_owned()),
        }
    }
}
