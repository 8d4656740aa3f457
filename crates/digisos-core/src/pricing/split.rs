//! Cuts an interval into pieces at local midnight, night start and night end in a time
//! zone, exactly, also across daylight-saving changes (23- and 25-hour days).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// A piece of an interval within which the local date and the night flag do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece {
    pub(super) from: DateTime<Utc>,
    pub(super) to: DateTime<Utc>,
    /// The local date of the piece.
    pub(super) date: NaiveDate,
    /// True if the local wall-clock time is within the night window.
    pub(super) night: bool,
}

/// The night window on the wall clock, `[from, to)`; crosses midnight when `from > to`;
/// empty when `from == to`.
#[derive(Debug, Clone, Copy)]
pub(super) struct NightWindow {
    pub(super) from: NaiveTime,
    pub(super) to: NaiveTime,
}

impl NightWindow {
    fn contains(self, t: NaiveTime) -> bool {
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }

    /// The first wall-clock instant after `local` at which the classification may change.
    fn next_boundary(self, local: NaiveDateTime) -> NaiveDateTime {
        let day = local.date();
        let next_day = day.succ_opt().unwrap_or(day);
        let midnight = next_day.and_time(NaiveTime::MIN);
        [self.from, self.to]
            .into_iter()
            .flat_map(|t| [day.and_time(t), next_day.and_time(t)])
            .filter(|b| *b > local)
            .fold(midnight, NaiveDateTime::min)
    }
}

fn offset_seconds(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The first whole second in `(lo, hi]` at which the UTC offset differs from the offset
/// at `lo` (which must differ at `hi`).
fn transition(tz: Tz, lo: DateTime<Utc>, hi: DateTime<Utc>) -> DateTime<Utc> {
    let offset = offset_seconds(tz, lo);
    let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or(hi);
    let mut lo_s = lo.timestamp();
    let mut hi_s = hi.timestamp() + i64::from(hi.timestamp_subsec_nanos() > 0);
    while hi_s - lo_s > 1 {
        let mid = lo_s + (hi_s - lo_s) / 2;
        if offset_seconds(tz, at(mid)) == offset {
            lo_s = mid;
        } else {
            hi_s = mid;
        }
    }
    at(hi_s).max(lo + Duration::nanoseconds(1))
}

/// Splits `[start, end)` into pieces, cut at every local midnight, night start and night
/// end of `tz`, and at every UTC offset change (pieces then repeat date and flag).
pub(super) fn split(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
    night: NightWindow,
) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut cursor = start;
    while cursor < end {
        let offset = offset_seconds(tz, cursor);
        let local = cursor.naive_utc() + Duration::seconds(i64::from(offset));
        let wall = night.next_boundary(local);
        let mut next = (wall - Duration::seconds(i64::from(offset))).and_utc();
        if offset_seconds(tz, next) != offset {
            next = transition(tz, cursor, next);
        }
        // `next > cursor` always, except at the end of the calendar: finish there
        let to = if next > cursor { next.min(end) } else { end };
        pieces.push(Piece {
            from: cursor,
            to,
            date: local.date(),
            night: night.contains(local.time()),
        });
        cursor = to;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn window_across_midnight() {
        let w = NightWindow {
            from: t(20, 0),
            to: t(6, 0),
        };
        assert!(w.contains(t(20, 0)) && w.contains(t(0, 0)) && w.contains(t(5, 59)));
        assert!(!w.contains(t(6, 0)) && !w.contains(t(19, 59)));
        let empty = NightWindow {
            from: t(6, 0),
            to: t(6, 0),
        };
        assert!(!empty.contains(t(6, 0)));
    }

    #[test]
    fn spring_forward_cuts_at_the_offset_change() {
        // 2025-03-30 01:30 CET (00:30 UTC) to 04:00 CEST (02:00 UTC)
        let start = Utc.with_ymd_and_hms(2025, 3, 30, 0, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2025, 3, 30, 2, 0, 0).unwrap();
        let w = NightWindow {
            from: t(20, 0),
            to: t(6, 0),
        };
        let pieces = split(start, end, chrono_tz::Europe::Berlin, w);
        let cut = Utc.with_ymd_and_hms(2025, 3, 30, 1, 0, 0).unwrap();
        assert_eq!(pieces.len(), 2);
        assert_eq!((pieces[0].to, pieces[1].from), (cut, cut));
        assert!(pieces.iter().all(|p| p.night));
    }
}
