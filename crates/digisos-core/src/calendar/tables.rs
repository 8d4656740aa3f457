//! Lookup tables a business calendar precomputes once (1990–2099): its closed days and its
//! time zone's transitions, so deadlines need binary searches instead of zone and Easter
//! computations. Outside the table range the callers fall back to computing directly.

use super::holidays::nrw_holiday_dates;
use super::spec::HolidaySet;
use chrono::{NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::Tz;
use std::collections::BTreeMap;

const FIRST_YEAR: i32 = 1990;
const END_YEAR: i32 = 2100;
/// Sampling step when searching transitions (transitions are further apart than this).
const STEP: TimeDelta = TimeDelta::days(4);

/// Precomputed closed days and zone transitions of one business calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tables {
    from: NaiveDate,
    to: NaiveDate,
    /// Closed days in `[from, to)`, sorted, each once.
    closed: Vec<NaiveDate>,
    utc_from: NaiveDateTime,
    utc_to: NaiveDateTime,
    /// Offset (seconds) valid from `utc_from` until the first transition.
    initial: i32,
    /// (first UTC instant with the new offset, new offset), sorted.
    transitions: Vec<(NaiveDateTime, i32)>,
}

impl Tables {
    /// Builds the tables; `None` only if chrono cannot represent the range.
    pub(super) fn build(
        tz: Tz,
        holidays: HolidaySet,
        closures: &BTreeMap<NaiveDate, String>,
    ) -> Option<Tables> {
        let from = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1)?;
        let to = NaiveDate::from_ymd_opt(END_YEAR, 1, 1)?;
        let mut closed: Vec<NaiveDate> = closures.range(from..to).map(|(d, _)| *d).collect();
        if holidays == HolidaySet::Nrw {
            for year in FIRST_YEAR..END_YEAR {
                closed.extend(nrw_holiday_dates(year).into_iter().flatten());
            }
        }
        closed.sort_unstable();
        closed.dedup();

        let utc_from = from.and_hms_opt(0, 0, 0)?;
        let utc_to = to.and_hms_opt(0, 0, 0)?;
        let offset = |t: NaiveDateTime| tz.offset_from_utc_datetime(&t).fix().local_minus_utc();
        let initial = offset(utc_from);
        let mut transitions = Vec::new();
        let (mut t, mut current) = (utc_from, initial);
        while t < utc_to {
            let next = (t + STEP).min(utc_to);
            let off = offset(next);
            if off != current {
                // Bisect to the first second with the new offset.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > TimeDelta::seconds(1) {
                    let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
                    if offset(mid) == current {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                transitions.push((hi, off));
                current = off;
            }
            t = next;
        }
        Some(Tables {
            from,
            to,
            closed,
            utc_from,
            utc_to,
            initial,
            transitions,
        })
    }

    /// The dates covered, `[from, to)`.
    pub(super) fn date_range(&self) -> (NaiveDate, NaiveDate) {
        (self.from, self.to)
    }

    /// The offset (seconds) valid before the first transition.
    pub(super) fn initial(&self) -> i32 {
        self.initial
    }

    /// The zone transitions: (first UTC instant with the new offset, new offset), sorted.
    pub(super) fn transitions(&self) -> &[(NaiveDateTime, i32)] {
        &self.transitions
    }

    /// The closed days in `[from, to)`, or `None` outside the table range.
    pub(super) fn closed_between(&self, from: NaiveDate, to: NaiveDate) -> Option<&[NaiveDate]> {
        if from < self.from || to > self.to {
            return None;
        }
        let a = self.closed.partition_point(|d| *d < from);
        let b = self.closed.partition_point(|d| *d < to);
        self.closed.get(a..b)
    }

    /// The offset at a UTC instant, or `None` outside the table range.
    pub(super) fn offset_at(&self, utc: NaiveDateTime) -> Option<i32> {
        if utc < self.utc_from || utc >= self.utc_to {
            return None;
        }
        let i = self.transitions.partition_point(|(t, _)| *t <= utc);
        Some(match i {
            0 => self.initial,
            _ => self.transitions[i - 1].1,
        })
    }

    /// The transition instants in `[lo, hi]`, or `None` outside the table range.
    pub(super) fn transitions_over(
        &self,
        lo: NaiveDateTime,
        hi: NaiveDateTime,
    ) -> Option<impl Iterator<Item = &NaiveDateTime>> {
        self.offset_at(lo)?;
        self.offset_at(hi)?;
        let a = self.transitions.partition_point(|(t, _)| *t < lo);
        let b = self.transitions.partition_point(|(t, _)| *t <= hi);
        Some(self.transitions.get(a..b)?.iter().map(|(t, _)| t))
    }

    /// The single offset valid over `[lo, hi]` (`Some(None)` when a transition falls in
    /// it), or `None` outside the table range. One binary search.
    pub(super) fn fixed_over(&self, lo: NaiveDateTime, hi: NaiveDateTime) -> Option<Option<i32>> {
        if lo < self.utc_from || hi >= self.utc_to {
            return None;
        }
        let i = self.transitions.partition_point(|(t, _)| *t <= lo);
        let crosses = self.transitions.get(i).is_some_and(|(t, _)| *t <= hi);
        let at_lo = match i {
            0 => self.initial,
            _ => self.transitions[i - 1].1,
        };
        Some((!crosses).then_some(at_lo))
    }
}
