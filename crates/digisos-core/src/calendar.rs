//! Calendars for SLA windows: `24x7` (absolute time) or business hours in a time zone with
//! NRW holidays and closures; deadlines and elapsed open time between instants.

mod business;
pub mod holidays;
pub mod ics;
pub mod spec;
mod tables;
mod timeline;

use crate::ids::CalendarId;
use crate::validation::{Problem, Problems};
use business::Business;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use holidays::{ClosedDay, nrw_holidays};
use spec::{CalendarSpec, HolidaySet, Interval};
use std::collections::BTreeMap;

/// Name of the always-open preset.
pub const PRESET_24X7: &str = "24x7";
/// Name of the NRW office-hours preset (Mon–Fri 08:00–18:00 Europe/Berlin, NRW holidays).
pub const PRESET_NRW_BUSINESS: &str = "nrw-business";

/// A compiled calendar: answers "when does a window of open time end" and "how much open
/// time lies between two instants". Build it with [`Calendar::preset`] or
/// [`Calendar::from_spec`]; it is immutable afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    inner: Inner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Inner {
    AlwaysOpen,
    Business(Box<Business>),
}

impl Calendar {
    /// The always-open calendar (`24x7`): open time is absolute time.
    pub fn always_open() -> Calendar {
        Calendar {
            inner: Inner::AlwaysOpen,
        }
    }

    /// A built-in calendar by name (`24x7`, `nrw-business`); `None` for other names.
    pub fn preset(name: &str) -> Option<Calendar> {
        match name {
            PRESET_24X7 => Some(Calendar::always_open()),
            PRESET_NRW_BUSINESS => {
                let day = vec![Interval {
                    start: 8 * 60,
                    end: 18 * 60,
                }];
                let week = [
                    day.clone(),
                    day.clone(),
                    day.clone(),
                    day.clone(),
                    day,
                    Vec::new(),
                    Vec::new(),
                ];
                let b = Business::new(
                    chrono_tz::Europe::Berlin,
                    week,
                    HolidaySet::Nrw,
                    BTreeMap::new(),
                )?;
                Some(Calendar {
                    inner: Inner::Business(Box::new(b)),
                })
            }
            _ => None,
        }
    }

    /// Compiles a contract-file spec; fails with every problem of [`CalendarSpec::validate`].
    pub fn from_spec(spec: &CalendarSpec) -> Result<Calendar, Vec<Problem>> {
        let problems = spec.validate();
        if !problems.is_empty() {
            return Err(problems);
        }
        let CalendarSpec::Business(b) = spec else {
            return Ok(Calendar::always_open());
        };
        let invalid = || vec![Problem::new("", "calendar cannot be compiled")];
        let tz: chrono_tz::Tz = b.time_zone.parse().map_err(|_| invalid())?;
        let mut week: [Vec<Interval>; 7] = Default::default();
        for (slot, (day, texts)) in week.iter_mut().zip(b.hours.days()) {
            *slot = spec::parse_day(day, texts)?;
        }
        let mut closures = BTreeMap::new();
        for date in &b.closed_on {
            closures.insert(*date, "Schließtag".to_string());
        }
        for h in &b.extra_holidays {
            closures.insert(h.date, h.name.clone());
        }
        let business = Business::new(tz, week, b.holidays, closures).ok_or_else(invalid)?;
        Ok(Calendar {
            inner: Inner::Business(Box::new(business)),
        })
    }

    /// This calendar with `days` added as extra closed days (e.g. imported from an
    /// iCalendar file with [`ics::parse_ics`]); a day's name replaces the name of an
    /// existing closure on the same date. Fails for `24x7`, which has no opening hours to
    /// close.
    pub fn with_extra_holidays(&self, days: &[ClosedDay]) -> Result<Calendar, ExtraHolidaysError> {
        match &self.inner {
            Inner::AlwaysOpen => Err(ExtraHolidaysError::AlwaysOpen),
            Inner::Business(b) => Ok(Calendar {
                inner: Inner::Business(Box::new(
                    b.with_closures(days.iter().map(|d| (d.date, d.name.clone()))),
                )),
            }),
        }
    }

    /// The earliest instant at which the open time counted from `start` equals `window`
    /// (a start outside opening hours counts from the next opening). A zero or negative
    /// window gives `start`. Never fails; saturates at the largest representable instant.
    pub fn deadline(&self, start: DateTime<Utc>, window: TimeDelta) -> DateTime<Utc> {
        match &self.inner {
            Inner::AlwaysOpen => start
                .checked_add_signed(window.max(TimeDelta::zero()))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            Inner::Business(b) => b.deadline(start, window),
        }
    }

    /// The open time in `[start, end)`; zero when `end <= start`.
    pub fn elapsed(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> TimeDelta {
        match &self.inner {
            Inner::AlwaysOpen => (end - start).max(TimeDelta::zero()),
            Inner::Business(b) => b.elapsed(start, end),
        }
    }

    /// True when the calendar is open at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        match &self.inner {
            Inner::AlwaysOpen => true,
            Inner::Business(b) => b.is_open(at),
        }
    }

    /// The calendar's time zone (`None` for `24x7`, which has no local time).
    pub fn time_zone(&self) -> Option<chrono_tz::Tz> {
        match &self.inner {
            Inner::AlwaysOpen => None,
            Inner::Business(b) => Some(b.tz),
        }
    }

    /// The closed days (holidays, closures, extra days off) in `year`, sorted by date;
    /// empty for `24x7`. Weekdays without opening hours are not listed.
    pub fn closed_days(&self, year: i32) -> Vec<ClosedDay> {
        let Inner::Business(b) = &self.inner else {
            return Vec::new();
        };
        let mut out = match b.holidays {
            HolidaySet::Nrw => nrw_holidays(year),
            HolidaySet::None => Vec::new(),
        };
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return out;
        };
        for (date, name) in b.closures.range(from..=to) {
            if !out.iter().any(|h| h.date == *date) {
                out.push(ClosedDay {
                    date: *date,
                    name: name.clone(),
                });
            }
        }
        out.sort();
        out
    }
}

/// Why extra holidays cannot be added to a calendar ([`Calendar::with_extra_holidays`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraHolidaysError {
    /// The always-open calendar counts every minute; there is nothing to close.
    #[error(
        "the always-open calendar (24x7) has no closed days: use a business calendar such as nrw-business for extra holidays"
    )]
    AlwaysOpen,
}

/// The named calendars of a contract (*Kalender*): the presets plus the contract's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendars {
    by_id: BTreeMap<CalendarId, Calendar>,
}

impl Calendars {
    /// Only the presets `24x7` and `nrw-business`.
    pub fn presets() -> Calendars {
        let mut by_id = BTreeMap::new();
        for name in [PRESET_24X7, PRESET_NRW_BUSINESS] {
            if let (Ok(id), Some(cal)) = (CalendarId::new(name), Calendar::preset(name)) {
                by_id.insert(id, cal);
            }
        }
        Calendars { by_id }
    }

    /// The presets plus the contract's calendars (which may override a preset name);
    /// fails with every problem, each under `calendars.<id>`.
    pub fn from_specs(
        specs: &BTreeMap<CalendarId, CalendarSpec>,
    ) -> Result<Calendars, Vec<Problem>> {
        let mut calendars = Calendars::presets();
        let mut problems = Problems::new();
        for (id, spec) in specs {
            match Calendar::from_spec(spec) {
                Ok(cal) => {
                    calendars.by_id.insert(id.clone(), cal);
                }
                Err(list) => problems.extend_under(&format!("calendars.{id}"), list),
            }
        }
        if problems.is_empty() {
            Ok(calendars)
        } else {
            Err(problems.into_vec())
        }
    }

    /// The calendar named `id`, if known.
    pub fn get(&self, id: &CalendarId) -> Option<&Calendar> {
        self.by_id.get(id)
    }

    /// True when `id` names a calendar (use as `SlaPolicy::validate`'s lookup).
    pub fn contains(&self, id: &CalendarId) -> bool {
        self.by_id.contains_key(id)
    }

    /// The known calendar ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &CalendarId> {
        self.by_id.keys()
    }
}

/// Minute-stepping reference implementation, slow on purpose: for tests and benchmarks
/// only, never for production use.
#[doc(hidden)]
pub mod reference {
    use super::Calendar;
    use chrono::{DateTime, TimeDelta, Utc};

    /// Deadline by stepping minute by minute; `start` and `window` must be whole minutes.
    pub fn deadline(cal: &Calendar, start: DateTime<Utc>, window: TimeDelta) -> DateTime<Utc> {
        let minute = TimeDelta::minutes(1);
        let mut counted = TimeDelta::zero();
        let mut t = start;
        while counted < window {
            if cal.is_open(t) {
                counted += minute;
            }
            t += minute;
        }
        // `t` is just after the last counted minute.
        t
    }

    /// Open time in `[start, end)` by stepping minute by minute (whole minutes only).
    pub fn elapsed(cal: &Calendar, start: DateTime<Utc>, end: DateTime<Utc>) -> TimeDelta {
        let minute = TimeDelta::minutes(1);
        let mut counted = TimeDelta::zero();
        let mut t = start;
        while t < end {
            if cal.is_open(t) {
                counted += minute;
            }
            t += minute;
        }
        counted
    }
}

#[cfg(test)]
mod tests;
