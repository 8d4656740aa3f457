//! Answers of the business calendars: a deadline, the closed days of a year.

use chrono::{DateTime, NaiveDate, Utc};
use digisos_core::calendar::holidays::ClosedDay;
use digisos_core::ids::CalendarId;
use serde::Serialize;
use utoipa::ToSchema;

/// The deadline of a window of open time in a calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineView {
    /// The calendar that counted (`nrw-business`, `24x7`, or a contract calendar).
    #[schema(value_type = String)]
    pub calendar: CalendarId,
    /// When the window starts (RFC 3339), as asked.
    #[schema(value_type = String, format = DateTime)]
    pub start: DateTime<Utc>,
    /// The window in minutes of open time, as asked.
    pub minutes: u32,
    /// When the window ends (RFC 3339): a milestone exactly at it is met.
    #[schema(value_type = String, format = DateTime)]
    pub deadline: DateTime<Utc>,
}

/// The closed days of a calendar in a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidaysView {
    /// The calendar.
    #[schema(value_type = String)]
    pub calendar: CalendarId,
    /// The year, as asked.
    pub year: i32,
    /// Closed days by date (statutory holidays and closures); empty for `24x7`.
    pub items: Vec<ClosedDayView>,
}

/// One closed day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosedDayView {
    /// The local calendar date.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Its name, e.g. `Fronleichnam`.
    pub name: String,
}

impl From<ClosedDay> for ClosedDayView {
    fn from(d: ClosedDay) -> Self {
        let ClosedDay { date, name } = d;
        ClosedDayView { date, name }
    }
}
