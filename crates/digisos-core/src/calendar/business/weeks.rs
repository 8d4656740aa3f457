//! The week-skipping path of business-hours arithmetic, used outside the timeline's years
//! (or for zones without a timeline): walks the partial first and last weeks segment by
//! segment and skips whole weeks arithmetically (nominal weekly open time minus closed
//! days; only weeks next to a zone transition are walked exactly).

use super::{Business, MARGIN, Seg, weekday_index};
use crate::calendar::holidays::{nrw_holiday_dates, nrw_holiday_name};
use crate::calendar::spec::HolidaySet;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use std::ops::ControlFlow;

impl Business {
    /// [`Self::deadline`] without the timeline: walks the partial first and last weeks and
    /// skips whole weeks arithmetically in between.
    pub(in crate::calendar) fn deadline_by_weeks(
        &self,
        start: DateTime<Utc>,
        window: TimeDelta,
    ) -> DateTime<Utc> {
        if window <= TimeDelta::zero() {
            return start;
        }
        let mut remaining = window;
        let day = self.local_date(start);
        let (Some(mut monday), Some(last_partial)) =
            (day.pred_opt().map(monday_of), day.succ_opt().map(monday_of))
        else {
            return DateTime::<Utc>::MAX_UTC;
        };
        // The partial first week(s), clipped at `start`.
        loop {
            if let Some(at) = self.consume_week(monday, start, &mut remaining) {
                return at;
            }
            if monday >= last_partial {
                break;
            }
            let Some(next) = add_days(monday, 7) else {
                return DateTime::<Utc>::MAX_UTC;
            };
            monday = next;
        }
        // Whole weeks, many at a time; stop strictly before the window is used up.
        loop {
            let Some(next) = add_days(monday, 7) else {
                return DateTime::<Utc>::MAX_UTC;
            };
            monday = next;
            let mut weeks = (remaining.num_seconds() - 1) / self.week_nominal.num_seconds();
            let skipped = loop {
                if weeks < 1 {
                    break None;
                }
                match self.weeks_open(monday, weeks) {
                    Some(open) if open < remaining => break Some(open),
                    _ => weeks /= 2,
                }
            };
            let Some(open) = skipped else { break };
            remaining -= open;
            let Some(next) = add_days(monday, 7 * weeks.unsigned_abs() - 7) else {
                return DateTime::<Utc>::MAX_UTC;
            };
            monday = next;
        }
        // The partial last weeks.
        loop {
            if let Some(at) = self.consume_week(monday, start, &mut remaining) {
                return at;
            }
            let Some(next) = add_days(monday, 7) else {
                return DateTime::<Utc>::MAX_UTC;
            };
            monday = next;
        }
    }

    /// [`Self::elapsed`] without the timeline: clips the partial weeks at both ends and
    /// counts whole weeks arithmetically in between.
    pub(in crate::calendar) fn elapsed_by_weeks(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> TimeDelta {
        if end <= start {
            return TimeDelta::zero();
        }
        let (ds, de) = (self.local_date(start), self.local_date(end));
        // Weeks that may hold instants outside [start, end) are clipped; a fall-back across
        // midnight can show the day before/after, hence the one-day margins.
        let weeks = (
            ds.pred_opt().map(monday_of),
            ds.succ_opt().map(monday_of).and_then(|m| add_days(m, 7)),
            de.pred_opt().map(monday_of),
            de.succ_opt().map(monday_of),
        );
        let (Some(lo), Some(full_from), Some(full_to), Some(hi)) = weeks else {
            return end - start;
        };
        let clipped = |from: NaiveDate, to: NaiveDate| {
            let mut sum = TimeDelta::zero();
            let mut monday = from;
            while monday <= to {
                let _ = self.for_each_segment(monday, |a, b| {
                    let (a, b) = (a.max(start), b.min(end));
                    if a < b {
                        sum += b - a;
                    }
                    ControlFlow::<()>::Continue(())
                });
                match add_days(monday, 7) {
                    Some(next) => monday = next,
                    None => break,
                }
            }
            sum
        };
        if full_from >= full_to {
            return clipped(lo, hi);
        }
        let before = full_from.pred_opt().map(monday_of).unwrap_or(lo);
        let full = (full_to - full_from).num_days() / 7;
        clipped(lo, before)
            + self.weeks_open(full_from, full).unwrap_or_default()
            + clipped(full_to, hi)
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        let utc = at.naive_utc();
        (utc + TimeDelta::seconds(i64::from(self.offset_at(utc)))).date()
    }

    /// Walks the week's open segments from `from` on, consuming `remaining`; returns the
    /// instant at which it reaches zero.
    fn consume_week(
        &self,
        monday: NaiveDate,
        from: DateTime<Utc>,
        remaining: &mut TimeDelta,
    ) -> Option<DateTime<Utc>> {
        let flow = self.for_each_segment(monday, |a, b| {
            let a = a.max(from);
            if a >= b {
                return ControlFlow::Continue(());
            }
            let len = b - a;
            if len >= *remaining {
                return ControlFlow::Break(a + *remaining);
            }
            *remaining -= len;
            ControlFlow::Continue(())
        });
        match flow {
            ControlFlow::Break(at) => Some(at),
            ControlFlow::Continue(()) => None,
        }
    }

    /// Open time of `weeks` whole weeks from `monday`: nominal time minus closed days,
    /// with weeks holding a time-zone transition counted exactly. `None` on date overflow.
    fn weeks_open(&self, monday: NaiveDate, weeks: i64) -> Option<TimeDelta> {
        let end = add_days(monday, 7 * weeks.unsigned_abs())?;
        let mut total = TimeDelta::zero();
        let mut irregular: Vec<NaiveDate> = Vec::new();
        let (lo, hi) = (
            monday.and_time(NaiveTime::MIN).checked_sub_signed(MARGIN)?,
            end.and_time(NaiveTime::MIN).checked_add_signed(MARGIN)?,
        );
        match self
            .tables
            .as_ref()
            .and_then(|t| t.transitions_over(lo, hi))
        {
            // Arithmetic: whole weeks at nominal time, only weeks near a transition exactly.
            Some(transitions) => {
                total = self.week_nominal * i32::try_from(weeks).ok()?;
                for t in transitions {
                    for near in [(*t - MARGIN).date(), (*t + MARGIN).date()] {
                        let week = monday_of(near);
                        if monday <= week
                            && week < end
                            && !irregular.contains(&week)
                            && self.fixed_offset(week).is_none()
                        {
                            irregular.push(week);
                            total += self.week_exact(week) - self.week_nominal;
                        }
                    }
                }
            }
            None => {
                let mut week = monday;
                while week < end {
                    if self.fixed_offset(week).is_some() {
                        total += self.week_nominal;
                    } else {
                        irregular.push(week);
                        total += self.week_exact(week);
                    }
                    week = add_days(week, 7)?;
                }
            }
        }
        self.for_each_closed(monday, end, |day| {
            if !irregular.contains(&monday_of(day)) {
                total -= self.nominal[weekday_index(day)];
            }
        });
        Some(total)
    }

    /// Open time of the week from `monday`, segment by segment.
    fn week_exact(&self, monday: NaiveDate) -> TimeDelta {
        let mut total = TimeDelta::zero();
        let _ = self.for_each_segment(monday, |a, b| {
            total += b - a;
            ControlFlow::<()>::Continue(())
        });
        total
    }

    /// Calls `f` for every closed day in `[from, to)` once (holidays and closures).
    fn for_each_closed(&self, from: NaiveDate, to: NaiveDate, mut f: impl FnMut(NaiveDate)) {
        if let Some(closed) = self
            .tables
            .as_ref()
            .and_then(|t| t.closed_between(from, to))
        {
            closed.iter().copied().for_each(f);
            return;
        }
        let nrw = self.holidays == HolidaySet::Nrw;
        if nrw {
            for year in from.year()..=to.year() {
                let dates = nrw_holiday_dates(year);
                for (i, day) in dates.iter().enumerate() {
                    let Some(day) = *day else { continue };
                    // Himmelfahrt can fall on 1 May: count a date once.
                    if from <= day && day < to && !dates[..i].contains(&Some(day)) {
                        f(day);
                    }
                }
            }
        }
        for day in self.closures.range(from..to).map(|(d, _)| *d) {
            if !(nrw && nrw_holiday_name(day).is_some()) {
                f(day);
            }
        }
    }

    /// The UTC offset (seconds) valid for every instant whose local time lies in the week
    /// from `monday`, or `None` when a transition falls in it.
    fn fixed_offset(&self, monday: NaiveDate) -> Option<i32> {
        let start = monday.and_time(NaiveTime::MIN);
        let end = start.checked_add_days(Days::new(7))?;
        let (lo, hi) = (
            start.checked_sub_signed(MARGIN)?,
            end.checked_add_signed(MARGIN)?,
        );
        if let Some(fixed) = self.tables.as_ref().and_then(|t| t.fixed_over(lo, hi)) {
            return fixed;
        }
        let a = self.offset_at(lo);
        (a == self.offset_at(hi)).then_some(a)
    }

    /// The week's closed days as flags, Monday first.
    fn closed_flags(&self, monday: NaiveDate) -> [bool; 7] {
        let mut flags = [false; 7];
        let table =
            add_days(monday, 7).and_then(|end| self.tables.as_ref()?.closed_between(monday, end));
        match table {
            Some(closed) => {
                for day in closed {
                    flags[weekday_index(*day)] = true;
                }
            }
            None => {
                let mut day = monday;
                for flag in &mut flags {
                    *flag = self.is_closed(day);
                    day = day.succ_opt().unwrap_or(day);
                }
            }
        }
        flags
    }

    /// Calls `f` with the week's open segments (UTC, disjoint, in time order) until it
    /// breaks. A week holding a transition is computed exactly and sorted (around a
    /// fall-back, later wall-clock intervals can come earlier in real time).
    fn for_each_segment<B>(
        &self,
        monday: NaiveDate,
        mut f: impl FnMut(DateTime<Utc>, DateTime<Utc>) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let fixed = self.fixed_offset(monday);
        let closed = self.closed_flags(monday);
        let week_start = monday.and_time(NaiveTime::MIN);
        // Fast path: one offset for the whole week, segments are integer shifts of its start.
        let base = fixed.map(|off| (week_start - TimeDelta::seconds(i64::from(off))).and_utc());
        let mut exact: Vec<Seg> = Vec::new();
        for (day, (intervals, closed)) in (0_i64..).zip(self.week.iter().zip(closed)) {
            if closed {
                continue;
            }
            for iv in intervals {
                let (s, e) = (
                    day * 86_400 + i64::from(iv.start) * 60,
                    day * 86_400 + i64::from(iv.end) * 60,
                );
                match base {
                    Some(base) => f(base + TimeDelta::seconds(s), base + TimeDelta::seconds(e))?,
                    None => exact.extend(
                        self.exact_segments(
                            week_start + TimeDelta::seconds(s),
                            week_start + TimeDelta::seconds(e),
                        )
                        .into_iter()
                        .flatten(),
                    ),
                }
            }
        }
        exact.sort();
        for (a, b) in exact {
            f(a, b)?;
        }
        ControlFlow::Continue(())
    }
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        .unwrap_or(date)
}

fn add_days(date: NaiveDate, days: u64) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(days))
}
