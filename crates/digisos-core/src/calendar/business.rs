//! Business-hours arithmetic: open time between instants and deadlines, exact across DST.
//! Within the precomputed years the integer timeline (`timeline.rs`) answers with prefix
//! sums; outside them `business/weeks.rs` skips whole weeks arithmetically, so that windows
//! of a year cost a few dozen steps either way.
//!
//! Semantics: the calendar is *open* at an instant when its local wall-clock date is not
//! closed and its local time of day lies in one of that weekday's intervals. On a DST
//! fall-back day an interval covering the repeated hour is open twice; on spring-forward
//! the skipped hour is not open. Time-zone transitions are assumed to be at least eight
//! days apart (true for all IANA zones in practice).

use super::holidays::nrw_holiday_name;
use super::spec::{HolidaySet, Interval};
use super::tables::Tables;
use super::timeline::Timeline;
use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use std::collections::BTreeMap;

mod weeks;

/// Wider than any UTC offset, so `local ± MARGIN` brackets every instant with that local time.
const MARGIN: TimeDelta = TimeDelta::hours(15);

/// A compiled business calendar (opening hours, zone, closed days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Business {
    pub(super) tz: Tz,
    /// Opening intervals, Monday first.
    pub(super) week: [Vec<Interval>; 7],
    /// Nominal (wall-clock) open time per weekday.
    nominal: [TimeDelta; 7],
    /// Nominal open time of a whole week; positive (validated).
    week_nominal: TimeDelta,
    pub(super) holidays: HolidaySet,
    /// One-off closures and extra holidays, with names.
    pub(super) closures: BTreeMap<NaiveDate, String>,
    /// Closed days and zone transitions precomputed for 1990–2099.
    tables: Option<Tables>,
    /// Open seconds per local date as prefix sums over the same years; `None` when the
    /// zone's local date runs backwards somewhere (see `timeline.rs`).
    pub(super) timeline: Option<Timeline>,
}

type Seg = (DateTime<Utc>, DateTime<Utc>);

impl Business {
    /// Builds the calendar; `None` when the week has no opening hours.
    pub(super) fn new(
        tz: Tz,
        week: [Vec<Interval>; 7],
        holidays: HolidaySet,
        closures: BTreeMap<NaiveDate, String>,
    ) -> Option<Business> {
        let nominal = week.each_ref().map(|ivs| {
            ivs.iter()
                .map(|iv| TimeDelta::minutes(i64::from(iv.end - iv.start)))
                .sum::<TimeDelta>()
        });
        let week_nominal: TimeDelta = nominal.iter().copied().sum();
        (week_nominal > TimeDelta::zero())
            .then(|| Business::assemble(tz, week, nominal, week_nominal, holidays, closures))
    }

    /// This calendar with `extra` closed days added; an extra day's name replaces the name
    /// of an existing closure on the same date.
    pub(super) fn with_closures(
        &self,
        extra: impl IntoIterator<Item = (NaiveDate, String)>,
    ) -> Business {
        let mut closures = self.closures.clone();
        closures.extend(extra);
        Business::assemble(
            self.tz,
            self.week.clone(),
            self.nominal,
            self.week_nominal,
            self.holidays,
            closures,
        )
    }

    /// Precomputes the tables and the timeline of a calendar with opening hours.
    fn assemble(
        tz: Tz,
        week: [Vec<Interval>; 7],
        nominal: [TimeDelta; 7],
        week_nominal: TimeDelta,
        holidays: HolidaySet,
        closures: BTreeMap<NaiveDate, String>,
    ) -> Business {
        let tables = Tables::build(tz, holidays, &closures);
        let mut business = Business {
            tables,
            timeline: None,
            tz,
            week,
            nominal,
            week_nominal,
            holidays,
            closures,
        };
        business.timeline = business
            .tables
            .as_ref()
            .and_then(|t| Timeline::build(&business, t));
        business
    }

    /// True when `date` is a holiday or closure of this calendar.
    pub(super) fn is_closed(&self, date: NaiveDate) -> bool {
        if let Some(closed) = date
            .succ_opt()
            .and_then(|next| self.tables.as_ref()?.closed_between(date, next))
        {
            return !closed.is_empty();
        }
        (self.holidays == HolidaySet::Nrw && nrw_holiday_name(date).is_some())
            || self.closures.contains_key(&date)
    }

    /// True when the calendar is open at `at` (used by the minute-stepping reference).
    pub(super) fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = self.tz.from_utc_datetime(&at.naive_utc()).naive_local();
        let date = local.date();
        if self.is_closed(date) {
            return false;
        }
        let minute = (local.time() - NaiveTime::MIN).num_minutes();
        self.week[weekday_index(date)]
            .iter()
            .any(|iv| i64::from(iv.start) <= minute && minute < i64::from(iv.end))
    }

    /// The earliest instant at which the open time counted from `start` equals `window`.
    pub(super) fn deadline(&self, start: DateTime<Utc>, window: TimeDelta) -> DateTime<Utc> {
        if window <= TimeDelta::zero() {
            return start;
        }
        self.timeline
            .as_ref()
            .and_then(|t| t.deadline(self, start, window))
            .unwrap_or_else(|| self.deadline_by_weeks(start, window))
    }

    /// Open time in `[start, end)`; zero when `end <= start`.
    pub(super) fn elapsed(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> TimeDelta {
        if end <= start {
            return TimeDelta::zero();
        }
        self.timeline
            .as_ref()
            .and_then(|t| t.elapsed(self, start, end))
            .unwrap_or_else(|| self.elapsed_by_weeks(start, end))
    }

    fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        self.tables
            .as_ref()
            .and_then(|t| t.offset_at(utc))
            .unwrap_or_else(|| {
                self.tz
                    .offset_from_utc_datetime(&utc)
                    .fix()
                    .local_minus_utc()
            })
    }

    /// The instants whose local time lies in `[l1, l2)`, near a possible transition.
    pub(super) fn exact_segments(&self, l1: NaiveDateTime, l2: NaiveDateTime) -> [Option<Seg>; 2] {
        let (lo, hi) = (l1 - MARGIN, l2 + MARGIN);
        let (before, after) = (self.offset_at(lo), self.offset_at(hi));
        let shift = |l: NaiveDateTime, off: i32| (l - TimeDelta::seconds(i64::from(off))).and_utc();
        if before == after {
            return [Some((shift(l1, before), shift(l2, before))), None];
        }
        let known = self
            .tables
            .as_ref()
            .and_then(|t| t.transitions_over(lo, hi)?.next().copied());
        let hi = match known {
            Some(t) => t,
            None => {
                // Bisect to the first second with the new offset.
                let (mut lo, mut hi) = (lo, hi);
                while hi - lo > TimeDelta::seconds(1) {
                    let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
                    if self.offset_at(mid) == before {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                hi
            }
        };
        let transition = hi.and_utc();
        let first = (shift(l1, before), shift(l2, before).min(transition));
        let second = (shift(l1, after).max(transition), shift(l2, after));
        let keep = |s: Seg| (s.0 < s.1).then_some(s);
        match (keep(first), keep(second)) {
            (Some(a), Some(b)) if a.1 == b.0 => [Some((a.0, b.1)), None],
            (a, b) => [a, b],
        }
    }
}

/// Monday = 0 … Sunday = 6.
pub(super) fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_monday() as usize
}
