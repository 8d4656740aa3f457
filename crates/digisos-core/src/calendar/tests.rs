//! Table and property tests of calendar arithmetic (deadline, elapsed) on edge days.

use super::business::Business;
use super::spec::{BusinessSpec, CalendarSpec, HolidaySet, WeekHours};
use super::{Calendar, Inner, reference};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use proptest::prelude::*;

fn nrw() -> Calendar {
    Calendar::preset("nrw-business").unwrap()
}

/// Berlin wall-clock "YYYY-MM-DD HH:MM" (earliest if ambiguous) as UTC.
fn berlin(text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    Berlin
        .from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn show(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%Y-%m-%d %a %H:%M %:z")
        .to_string()
}

/// A calendar that is open around the DST switch hours and on weekends, with two
/// intervals a day and a closure: the hard case for the fast path.
fn awkward() -> Calendar {
    let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    Calendar::from_spec(&CalendarSpec::Business(BusinessSpec {
        time_zone: "Europe/Berlin".into(),
        hours: WeekHours {
            mon: s(&["08:00-12:00", "13:00-17:30"]),
            wed: s(&["00:00-24:00"]),
            fri: s(&["09:00-10:00"]),
            sat: s(&["01:30-03:30", "22:00-24:00"]),
            sun: s(&["00:00-02:30", "02:45-04:00", "20:00-21:00"]),
            ..WeekHours::default()
        },
        holidays: HolidaySet::Nrw,
        closed_on: vec![NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()],
        extra_holidays: vec![],
    }))
    .unwrap()
}

#[test]
fn deadlines_on_edge_days() {
    let cal = nrw();
    // (case, start Berlin, minutes, expected deadline Berlin)
    let table = [
        (
            "working day",
            "2025-04-07 08:00",
            600,
            "2025-04-07 Mon 18:00 +02:00",
        ),
        (
            "saturday night",
            "2025-04-05 23:30",
            30,
            "2025-04-07 Mon 08:30 +02:00",
        ),
        (
            "exactly at closing",
            "2025-04-07 18:00",
            60,
            "2025-04-08 Tue 09:00 +02:00",
        ),
        (
            "before opening",
            "2025-04-08 06:00",
            1,
            "2025-04-08 Tue 08:01 +02:00",
        ),
        (
            "dst start weekend",
            "2025-03-28 17:00",
            120,
            "2025-03-31 Mon 09:00 +02:00",
        ),
        (
            "dst end weekend",
            "2025-10-24 17:00",
            120,
            "2025-10-27 Mon 09:00 +01:00",
        ),
        (
            "easter week",
            "2025-04-17 17:00",
            120,
            "2025-04-22 Tue 09:00 +02:00",
        ),
        (
            "himmelfahrt",
            "2025-05-28 17:00",
            120,
            "2025-05-30 Fri 09:00 +02:00",
        ),
        (
            "fronleichnam",
            "2025-06-18 17:30",
            60,
            "2025-06-20 Fri 08:30 +02:00",
        ),
        (
            "allerheiligen friday",
            "2024-10-31 17:00",
            120,
            "2024-11-04 Mon 09:00 +01:00",
        ),
        (
            "allerheiligen sunday",
            "2026-10-30 17:00",
            120,
            "2026-11-02 Mon 09:00 +01:00",
        ),
        (
            "christmas eve works",
            "2025-12-24 09:00",
            60,
            "2025-12-24 Wed 10:00 +01:00",
        ),
        (
            "24 to 27 dec",
            "2025-12-24 17:00",
            120,
            "2025-12-29 Mon 09:00 +01:00",
        ),
        (
            "31 dec to 2 jan",
            "2025-12-31 17:00",
            120,
            "2026-01-02 Fri 09:00 +01:00",
        ),
        (
            "start on a holiday",
            "2025-05-01 10:00",
            60,
            "2025-05-02 Fri 09:00 +02:00",
        ),
        (
            "leap day",
            "2028-02-28 17:00",
            120,
            "2028-02-29 Tue 09:00 +01:00",
        ),
        (
            "leap day 2024",
            "2024-02-29 17:00",
            600,
            "2024-03-01 Fri 17:00 +01:00",
        ),
        (
            "pentecost",
            "2026-05-22 17:00",
            120,
            "2026-05-26 Tue 09:00 +02:00",
        ),
        (
            "one week",
            "2025-01-06 08:00",
            3000,
            "2025-01-10 Fri 18:00 +01:00",
        ),
        (
            "zero window",
            "2025-04-05 23:30",
            0,
            "2025-04-05 Sat 23:30 +02:00",
        ),
    ];
    for (case, start, minutes, expected) in table {
        let got = cal.deadline(berlin(start), TimeDelta::minutes(minutes));
        assert_eq!(show(got), expected, "{case}");
        assert_eq!(
            cal.elapsed(berlin(start), got),
            TimeDelta::minutes(minutes),
            "{case}"
        );
    }
}

#[test]
fn always_open_is_absolute_time_across_dst() {
    let cal = Calendar::preset("24x7").unwrap();
    let start = berlin("2025-03-30 00:30");
    let got = cal.deadline(start, TimeDelta::hours(3));
    assert_eq!(show(got), "2025-03-30 Sun 04:30 +02:00");
    let start = berlin("2025-10-26 00:30");
    let got = cal.deadline(start, TimeDelta::hours(3));
    assert_eq!(show(got), "2025-10-26 Sun 02:30 +01:00");
}

#[test]
fn a_year_long_window_matches_the_reference() {
    let cal = nrw();
    let start = berlin("2025-01-02 07:00");
    let window = TimeDelta::minutes(250 * 600);
    assert_eq!(
        cal.deadline(start, window),
        reference::deadline(&cal, start, window)
    );
}

#[test]
fn awkward_calendar_matches_reference_across_both_dst_switches() {
    let cal = awkward();
    for start in [
        "2025-03-27 12:00",
        "2025-10-23 12:00",
        "2025-03-29 02:00",
        "2025-10-26 02:10",
    ] {
        for minutes in [1, 59, 60, 61, 150, 600, 1439, 1500, 3000, 10_000] {
            let s = berlin(start);
            let w = TimeDelta::minutes(minutes);
            assert_eq!(
                cal.deadline(s, w),
                reference::deadline(&cal, s, w),
                "{start} + {minutes}"
            );
        }
    }
    // The repeated hour of the fall-back Sunday is open twice (00:00-02:30 and 02:45-04:00).
    let day = berlin("2025-10-26 00:00");
    assert_eq!(
        cal.elapsed(day, berlin("2025-10-26 12:00")),
        TimeDelta::minutes(150 + 30 + 15 + 75)
    );
}

/// Whole-minute instants between 2024 and 2030.
fn minute_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (1_704_067_200_i64 / 60..1_924_992_000_i64 / 60)
        .prop_map(|m| DateTime::from_timestamp(m * 60, 0).unwrap())
}

/// Any instant (with seconds and nanoseconds) between 2024 and 2030.
fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (1_704_067_200_i64..1_924_992_000_i64, 0u32..1_000_000_000)
        .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap())
}

fn business(cal: &Calendar) -> &Business {
    match &cal.inner {
        Inner::Business(b) => b,
        Inner::AlwaysOpen => panic!("not a business calendar"),
    }
}

/// Mon–Fri 08:00–18:00 in `zone`, NRW holidays.
fn office_hours_in(zone: &str) -> Calendar {
    let day = vec!["08:00-18:00".to_string()];
    Calendar::from_spec(&CalendarSpec::Business(BusinessSpec {
        time_zone: zone.into(),
        hours: WeekHours {
            mon: day.clone(),
            tue: day.clone(),
            wed: day.clone(),
            thu: day.clone(),
            fri: day,
            ..WeekHours::default()
        },
        holidays: HolidaySet::Nrw,
        closed_on: vec![],
        extra_holidays: vec![],
    }))
    .unwrap()
}

#[test]
fn berlin_calendars_use_the_timeline() {
    assert!(business(&nrw()).timeline.is_some());
    assert!(business(&awkward()).timeline.is_some());
}

#[test]
fn a_zone_falling_back_across_midnight_uses_week_skipping_and_stays_exact() {
    // Newfoundland fell back at 00:01 until 2011: 2010-11-07 00:01 NDT became 2010-11-06
    // 23:01 NST, so the local date ran backwards for a minute.
    let cal = office_hours_in("America/St_Johns");
    assert!(business(&cal).timeline.is_none());
    let zone: chrono_tz::Tz = "America/St_Johns".parse().unwrap();
    let local = |text: &str| {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        zone.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    };
    for start in ["2010-11-05 17:00", "2010-11-06 23:30", "2010-03-12 12:00"] {
        for minutes in [1, 60, 600, 3_000, 20_000] {
            let (s, w) = (local(start), TimeDelta::minutes(minutes));
            let fast = cal.deadline(s, w);
            assert_eq!(fast, reference::deadline(&cal, s, w), "{start} + {minutes}");
            assert_eq!(cal.elapsed(s, fast), w, "{start} + {minutes}");
        }
    }
}

fn calendars() -> impl Strategy<Value = Calendar> {
    prop_oneof![Just(nrw()), Just(awkward())]
}

proptest! {
    #[test]
    fn elapsed_inverts_deadline(cal in calendars(), start in any_instant(), secs in 0i64..366 * 86_400) {
        let w = TimeDelta::seconds(secs);
        prop_assert_eq!(cal.elapsed(start, cal.deadline(start, w)), w);
    }

    #[test]
    fn deadline_is_monotonic_in_window(cal in calendars(), start in any_instant(), a in 0i64..60 * 86_400, b in 0i64..60 * 86_400) {
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(cal.deadline(start, TimeDelta::seconds(lo)) <= cal.deadline(start, TimeDelta::seconds(hi)));
    }

    #[test]
    fn deadline_is_monotonic_in_start(cal in calendars(), a in any_instant(), b in any_instant(), secs in 0i64..30 * 86_400) {
        let (lo, hi) = (a.min(b), a.max(b));
        let w = TimeDelta::seconds(secs);
        prop_assert!(cal.deadline(lo, w) <= cal.deadline(hi, w));
    }

    #[test]
    fn always_open_deadline_is_start_plus_window(start in any_instant(), secs in 0i64..366 * 86_400) {
        let cal = Calendar::always_open();
        let w = TimeDelta::seconds(secs);
        prop_assert_eq!(cal.deadline(start, w), start + w);
        prop_assert_eq!(cal.elapsed(start, start + w), w);
    }
}

proptest! {
    #[test]
    fn timeline_agrees_with_week_skipping(cal in calendars(), start in any_instant(), end in any_instant(), secs in 0i64..366 * 86_400) {
        let b = business(&cal);
        let w = TimeDelta::seconds(secs);
        let deadline = b.deadline(start, w);
        prop_assert_eq!(deadline, b.deadline_by_weeks(start, w));
        prop_assert_eq!(b.elapsed(start, deadline), b.elapsed_by_weeks(start, deadline));
        prop_assert_eq!(b.elapsed(start, end), b.elapsed_by_weeks(start, end));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn fast_path_agrees_with_minute_stepping(cal in calendars(), start in minute_instant(), minutes in 0i64..4_000) {
        let w = TimeDelta::minutes(minutes);
        let fast = cal.deadline(start, w);
        prop_assert_eq!(fast, reference::deadline(&cal, start, w));
        prop_assert_eq!(cal.elapsed(start, fast), reference::elapsed(&cal, start, fast));
    }
}

#[test]
fn outside_the_precomputed_years_the_direct_path_agrees() {
    for cal in [nrw(), awkward()] {
        for start in [
            "1975-03-27 12:00",
            "2150-10-22 12:00",
            "2099-12-28 17:00",
            "1989-12-29 17:00",
        ] {
            for minutes in [1, 600, 3000, 20_000] {
                let s = berlin(start);
                let w = TimeDelta::minutes(minutes);
                let fast = cal.deadline(s, w);
                assert_eq!(fast, reference::deadline(&cal, s, w), "{start} + {minutes}");
                assert_eq!(cal.elapsed(s, fast), w, "{start} + {minutes}");
            }
        }
    }
}

#[test]
fn extra_holidays_close_days_of_a_business_calendar() {
    let outing = super::holidays::ClosedDay {
        date: NaiveDate::from_ymd_opt(2025, 4, 7).unwrap(),
        name: "Betriebsausflug".into(),
    };
    let base = nrw();
    let cal = base
        .with_extra_holidays(std::slice::from_ref(&outing))
        .unwrap();
    // Friday 17:00 + 2 h: Monday is closed now, so Tuesday 09:00.
    let start = berlin("2025-04-04 17:00");
    assert_eq!(
        show(base.deadline(start, TimeDelta::hours(2))),
        "2025-04-07 Mon 09:00 +02:00"
    );
    assert_eq!(
        show(cal.deadline(start, TimeDelta::hours(2))),
        "2025-04-08 Tue 09:00 +02:00"
    );
    assert_eq!(
        cal.deadline(start, TimeDelta::hours(2)),
        reference::deadline(&cal, start, TimeDelta::hours(2))
    );
    assert!(cal.closed_days(2025).contains(&outing));
    assert_eq!(
        cal.closed_days(2025).len(),
        base.closed_days(2025).len() + 1
    );
    assert_eq!(
        Calendar::always_open().with_extra_holidays(&[outing]),
        Err(super::ExtraHolidaysError::AlwaysOpen)
    );
}
