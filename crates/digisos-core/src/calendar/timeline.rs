//! Integer-seconds timeline of a business calendar over the precomputed years (1990–2099):
//! the open seconds before each local date as a prefix sum, so a deadline is one binary
//! search plus a walk through one day's segments, and elapsed time is two look-ups —
//! without chrono date arithmetic in the hot path.
//!
//! Built only when the zone's local date never runs backwards (no fall-back across local
//! midnight in the range), so that every instant of a local date precedes every instant
//! of the next date; otherwise the callers use the week-skipping path.

use super::business::{Business, weekday_index};
use super::tables::Tables;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::fmt;
use std::ops::ControlFlow;

const DAY: i64 = 86_400;
const NANOS: i64 = 1_000_000_000;
/// Wider than any UTC offset (seconds), as `business::MARGIN`.
const MARGIN: i64 = 15 * 3_600;

/// Prefix sums of open time per local date over the table range.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Timeline {
    /// Days since 1970-01-01 of the local date with index 0.
    first_day: i64,
    /// Weekday (Monday = 0) of index 0.
    first_weekday: usize,
    /// `cum[i]` = open seconds from the start of the range to the start of local date `i`;
    /// one more entry than there are days.
    cum: Vec<u32>,
    /// Offset (seconds) valid before the first transition.
    initial: i32,
    /// (first UTC second with the new offset, new offset), sorted.
    transitions: Vec<(i64, i32)>,
}

impl fmt::Debug for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeline")
            .field("first_day", &self.first_day)
            .field("days", &self.cum.len().saturating_sub(1))
            .field("transitions", &self.transitions.len())
            .finish_non_exhaustive()
    }
}

impl Timeline {
    /// Builds the timeline from the calendar's tables; `None` when the zone's local date
    /// runs backwards somewhere in the range or the sums do not fit.
    pub(super) fn build(b: &Business, tables: &Tables) -> Option<Timeline> {
        let (from, to) = tables.date_range();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
        let mut prev = tables.initial();
        let mut transitions = Vec::with_capacity(tables.transitions().len());
        for (at, off) in tables.transitions() {
            let t = at.and_utc().timestamp();
            // Local time jumps from t - 1 + prev to t + off: a jump back across midnight
            // puts later instants on an earlier date.
            if (t + i64::from(*off)).div_euclid(DAY) < (t - 1 + i64::from(prev)).div_euclid(DAY) {
                return None;
            }
            transitions.push((t, *off));
            prev = *off;
        }
        let mut timeline = Timeline {
            first_day: (from - epoch).num_days(),
            first_weekday: weekday_index(from),
            cum: Vec::new(),
            initial: tables.initial(),
            transitions,
        };
        let days = usize::try_from((to - from).num_days()).ok()?;
        let mut closed = tables
            .closed_between(from, to)?
            .iter()
            .filter_map(|d| usize::try_from((*d - from).num_days()).ok())
            .peekable();
        let mut cum: i64 = 0;
        timeline.cum.reserve(days + 1);
        for i in 0..days {
            timeline.cum.push(u32::try_from(cum).ok()?);
            if closed.next_if_eq(&i).is_some() {
                continue;
            }
            let _ = timeline.walk_open_day(b, i, |a, z| {
                cum += z - a;
                ControlFlow::<()>::Continue(())
            });
        }
        timeline.cum.push(u32::try_from(cum).ok()?);
        Some(timeline)
    }

    /// The earliest instant at which the open time counted from `start` equals `window`
    /// (`window > 0`); `None` when `start` or the deadline lies outside the range.
    pub(super) fn deadline(
        &self,
        b: &Business,
        start: DateTime<Utc>,
        window: TimeDelta,
    ) -> Option<DateTime<Utc>> {
        let s = start.timestamp_nanos_opt()?;
        let i = self.day_index(s)?;
        let target = self
            .open_until(b, i, s)
            .checked_add(window.num_nanoseconds()?)?;
        // The first date whose start has at least `target` behind it; the deadline lies
        // on the date before it.
        let after = i
            + 1
            + self
                .cum
                .get(i + 1..)?
                .partition_point(|c| nanos(*c) < target);
        let day = after.checked_sub(1).filter(|_| after < self.cum.len())?;
        let mut remaining = target - nanos(self.cum[day]);
        let flow = self.walk_day(b, day, |a, z| {
            let len = (z - a) * NANOS;
            if len >= remaining {
                return ControlFlow::Break(a * NANOS + remaining);
            }
            remaining -= len;
            ControlFlow::Continue(())
        });
        match flow {
            ControlFlow::Break(at) => Some(DateTime::from_timestamp_nanos(at)),
            ControlFlow::Continue(()) => None,
        }
    }

    /// Open time in `[start, end)` (`start < end`); `None` when either lies outside the range.
    pub(super) fn elapsed(
        &self,
        b: &Business,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Option<TimeDelta> {
        let (s, e) = (start.timestamp_nanos_opt()?, end.timestamp_nanos_opt()?);
        let (i, j) = (self.day_index(s)?, self.day_index(e)?);
        Some(TimeDelta::nanoseconds(
            self.open_until(b, j, e) - self.open_until(b, i, s),
        ))
    }

    /// Open nanoseconds from the start of the range to `t` (UTC nanoseconds on date `i`).
    fn open_until(&self, b: &Business, i: usize, t: i64) -> i64 {
        let mut open = nanos(self.cum[i]);
        let _ = self.walk_day(b, i, |a, z| {
            let (a, z) = (a * NANOS, (z * NANOS).min(t));
            if a >= t {
                return ControlFlow::Break(());
            }
            open += (z - a).max(0);
            ControlFlow::Continue(())
        });
        open
    }

    /// The index of the local date of `t` (UTC nanoseconds), if in range.
    fn day_index(&self, t: i64) -> Option<usize> {
        let secs = t.div_euclid(NANOS);
        let local = secs + i64::from(self.offset_at(secs));
        let i = usize::try_from(local.div_euclid(DAY) - self.first_day).ok()?;
        (i + 1 < self.cum.len()).then_some(i)
    }

    fn offset_at(&self, secs: i64) -> i32 {
        let i = self.transitions.partition_point(|(t, _)| *t <= secs);
        match i {
            0 => self.initial,
            _ => self.transitions[i - 1].1,
        }
    }

    /// The single offset valid over `[lo, hi]` (UTC seconds), or `None` when a transition
    /// falls in it.
    fn fixed_over(&self, lo: i64, hi: i64) -> Option<i32> {
        let i = self.transitions.partition_point(|(t, _)| *t <= lo);
        if self.transitions.get(i).is_some_and(|(t, _)| *t <= hi) {
            return None;
        }
        Some(match i {
            0 => self.initial,
            _ => self.transitions[i - 1].1,
        })
    }

    /// Calls `f` with date `i`'s open segments (UTC seconds, in time order) until it
    /// breaks; nothing for a closed date (no open time in the prefix sums).
    fn walk_day<B>(
        &self,
        b: &Business,
        i: usize,
        f: impl FnMut(i64, i64) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        if self.cum.get(i + 1) == self.cum.get(i) {
            return ControlFlow::Continue(());
        }
        self.walk_open_day(b, i, f)
    }

    /// Like [`Self::walk_day`] for a date that is not closed. Dates near a zone transition
    /// are computed exactly (and sorted: around a fall-back a later interval can come
    /// earlier in real time); all others are integer shifts of local midnight.
    fn walk_open_day<B>(
        &self,
        b: &Business,
        i: usize,
        mut f: impl FnMut(i64, i64) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let Ok(offset) = i64::try_from(i) else {
            return ControlFlow::Continue(());
        };
        let midnight = (self.first_day + offset) * DAY;
        let intervals = &b.week[(self.first_weekday + i) % 7];
        let edges = |m: u16| midnight + i64::from(m) * 60;
        if let Some(off) = self.fixed_over(midnight - MARGIN, midnight + DAY + MARGIN) {
            let off = i64::from(off);
            for iv in intervals {
                f(edges(iv.start) - off, edges(iv.end) - off)?;
            }
            return ControlFlow::Continue(());
        }
        let local = |secs: i64| DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc());
        let mut exact: Vec<(i64, i64)> = Vec::new();
        for iv in intervals {
            let (Some(l1), Some(l2)) = (local(edges(iv.start)), local(edges(iv.end))) else {
                continue;
            };
            exact.extend(
                b.exact_segments(l1, l2)
                    .into_iter()
                    .flatten()
                    .map(|(a, z)| (a.timestamp(), z.timestamp())),
            );
        }
        exact.sort_unstable();
        for (a, z) in exact {
            f(a, z)?;
        }
        ControlFlow::Continue(())
    }
}

fn nanos(secs: u32) -> i64 {
    i64::from(secs) * NANOS
}
