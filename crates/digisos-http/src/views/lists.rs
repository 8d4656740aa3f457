//! The list answers: pages with a cursor, whole lists, and lists computed at an instant.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    BodyView, ClockView, DutyView, EventView, IncidentView, LotView, TimeEntryView,
    UtilisationRowView,
};

/// A page of the incidents the caller may see, by id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentPage {
    /// The incidents of this page, by id.
    pub items: Vec<IncidentView>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A page of the register, by key.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BodyPage {
    /// The bodies of this page, by key.
    pub items: Vec<BodyView>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Every event of an incident's stream.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    /// The events in log order.
    pub items: Vec<EventView>,
}

/// The SLA clocks of an incident at the server's current time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockList {
    /// The instant the clocks were read at (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// One clock per provider and window, in the order they were started.
    pub items: Vec<ClockView>,
}

/// The reporting duties of an incident at the server's current time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyList {
    /// The instant the duties were assessed at (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// The duties that apply to the incident.
    pub items: Vec<DutyView>,
}

/// The time entries of an incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeEntryList {
    /// The entries by number.
    pub items: Vec<TimeEntryView>,
}

/// The lots of the contract in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LotList {
    /// The lots in contract order.
    pub items: Vec<LotView>,
}

/// The utilisation of every limit a reservation has touched.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilisationList {
    /// One row per limit: the contract, then lots, body-years and call-offs.
    pub items: Vec<UtilisationRowView>,
}
