//! "One month after" for the NIS2 final report, in German civil time (Europe/Berlin).

use chrono::{DateTime, LocalResult, Months, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

/// The instant one calendar month after `at`: the same day of the month, next month, at
/// the same local time of day in Europe/Berlin; clamped to the last day of a shorter month
/// (31 Jan → 28 Feb, or 29 Feb in a leap year; 31 Mar → 30 Apr).
///
/// This follows the month rule of Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c) and
/// § 188 (2), (3) BGB (same date next month, else the month's last day), but ends at the
/// same time of day instead of at the end of that day, so the deadline shown is never later
/// than the legal one. A local time that does not exist (spring-forward gap) moves one hour
/// later (the same UTC instant as before the gap would give); a time that occurs twice
/// (autumn) takes the earlier occurrence. `None` only beyond chrono's date range.
pub fn one_month_after(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let offset = Berlin.offset_from_utc_datetime(&at.naive_utc()).fix();
    let local = at.naive_utc().checked_add_offset(offset)?;
    let target = local.checked_add_months(Months::new(1))?;
    resolve(target)
}

fn resolve(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match Berlin.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Some(earlier.with_timezone(&Utc)),
        LocalResult::None => {
            let after_gap = local.checked_add_signed(TimeDelta::hours(1))?;
            Berlin
                .from_local_datetime(&after_gap)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn table() {
        let table = [
            // same day next month, same local time (CET)
            ("2025-01-15T09:00:00Z", "2025-02-15T09:00:00Z"),
            // 31 Jan → 28 Feb (2025) / 29 Feb (2024, leap year)
            ("2025-01-31T09:00:00Z", "2025-02-28T09:00:00Z"),
            ("2024-01-31T09:00:00Z", "2024-02-29T09:00:00Z"),
            // 31 Mar → 30 Apr; local 12:00 CEST both times
            ("2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z"),
            // across the change to summer time: 12:00 CET → 12:00 CEST
            ("2025-03-15T11:00:00Z", "2025-04-15T10:00:00Z"),
            // across the change to winter time: 12:00 CEST → 12:00 CET
            ("2025-10-15T10:00:00Z", "2025-11-15T11:00:00Z"),
            // December → January of the next year
            ("2025-12-31T12:00:00Z", "2026-01-31T12:00:00Z"),
            // the local date counts: 31 Jan 23:30 UTC is 1 Feb 00:30 in Berlin → 1 Mar
            ("2025-01-31T23:30:00Z", "2025-02-28T23:30:00Z"),
            // 02:30 on 26 Oct 2025 happens twice: the earlier (CEST) one
            ("2025-09-26T00:30:00Z", "2025-10-26T00:30:00Z"),
            // 02:30 on 29 Mar 2048 does not exist: 03:30 CEST, the same UTC instant
            ("2048-02-29T01:30:00Z", "2048-03-29T01:30:00Z"),
        ];
        for (from, to) in table {
            assert_eq!(one_month_after(utc(from)), Some(utc(to)), "{from}");
        }
    }

    #[test]
    fn out_of_range_is_none() {
        assert_eq!(one_month_after(DateTime::<Utc>::MAX_UTC), None);
    }
}
