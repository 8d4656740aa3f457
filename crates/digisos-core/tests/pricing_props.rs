//! Property test of time-entry pricing: lines cover the entry exactly, amounts are never
//! negative and the total is the sum of the lines — across DST changes and odd windows.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use digisos_core::ids::RoleId;
use digisos_core::money::Money;
use digisos_core::pricing::{Combine, LineKind, RateCard, Surcharges, TimeEntry, price};
use proptest::prelude::*;
use rust_decimal::Decimal;

const ZONES: [Tz; 4] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Apia,
];

fn time(minutes: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("minutes within a day")
}

fn surcharges() -> impl Strategy<Value = Surcharges> {
    (0u32..1440, 0u32..1440, 0u32..=300, 0u32..=300, 0u32..=300).prop_map(
        |(from, to, night, weekend, holiday)| Surcharges {
            night_percent: Decimal::from(night),
            night_from: time(from),
            night_to: time(to),
            weekend_percent: Decimal::from(weekend),
            holiday_percent: Decimal::from(holiday),
            combine: Combine::HighestApplies,
        },
    )
}

/// The expected kind and percent at one instant, computed independently of the splitter:
/// convert to local time, then the highest applicable surcharge (holiday, weekend, night).
fn expected(
    at: DateTime<Utc>,
    tz: Tz,
    s: &Surcharges,
    holiday: impl Fn(NaiveDate) -> bool,
) -> (NaiveDate, LineKind, Decimal) {
    let local = at.with_timezone(&tz).naive_local();
    let t = local.time();
    let night = if s.night_from <= s.night_to {
        s.night_from <= t && t < s.night_to
    } else {
        t >= s.night_from || t < s.night_to
    };
    let date = local.date();
    let mut best = (LineKind::Normal, Decimal::ZERO, false);
    for (applies, kind, pct) in [
        (holiday(date), LineKind::Holiday, s.holiday_percent),
        (
            matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
            LineKind::Weekend,
            s.weekend_percent,
        ),
        (night, LineKind::Night, s.night_percent),
    ] {
        if applies && (!best.2 || pct > best.1) {
            best = (kind, pct, true);
        }
    }
    (date, best.0, best.1)
}

proptest! {
    #[test]
    fn lines_cover_the_entry_and_add_up(
        start_s in 1_704_067_200i64..1_798_761_600, // 2024-01-01 .. 2027-01-01
        length_s in 1i64..=86_400,
        nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000],
        rate_cents in 1i64..50_000,
        s in surcharges(),
        zone in 0..ZONES.len(),
        holiday_mod in 2u32..9,
    ) {
        let start = DateTime::from_timestamp(start_s, nanos).expect("in range");
        let end = start + Duration::seconds(length_s);
        let role = RoleId::new("analyst").expect("valid role");
        let rate = Money::new(Decimal::new(rate_cents, 2)).expect("positive");
        let card = RateCard { roles: [(role.clone(), rate)].into() };
        let entry = TimeEntry { role, start, end, description: String::new() };
        let is_holiday = |d: NaiveDate| d.ordinal().is_multiple_of(holiday_mod);
        let priced = price(&entry, &card, &s, ZONES[zone], is_holiday).expect("valid entry");

        prop_assert!(!priced.lines.is_empty());
        prop_assert_eq!(priced.lines[0].from, start);
        prop_assert_eq!(priced.lines[priced.lines.len() - 1].to, end);
        let mut covered = Duration::zero();
        let mut hours = Decimal::ZERO;
        let mut total = Money::ZERO;
        for (i, line) in priced.lines.iter().enumerate() {
            prop_assert!(line.from < line.to, "{line:?}");
            if i > 0 {
                prop_assert_eq!(priced.lines[i - 1].to, line.from);
            }
            if line.kind == LineKind::Normal {
                prop_assert!(line.surcharge_percent.is_zero());
            }
            prop_assert!(line.amount >= Money::ZERO);
            // the price is right at both ends of the line: nothing was cut too late
            let first = expected(line.from, ZONES[zone], &s, is_holiday);
            let last = expected(line.to - Duration::nanoseconds(1), ZONES[zone], &s, is_holiday);
            prop_assert_eq!((first.1, first.2), (line.kind, line.surcharge_percent), "{:?}", line);
            prop_assert_eq!((last.1, last.2), (line.kind, line.surcharge_percent), "{:?}", line);
            // and a line ends only where the price or the local date changes
            if i + 1 < priced.lines.len() {
                let next = expected(line.to, ZONES[zone], &s, is_holiday);
                prop_assert_ne!(last, next, "needless cut at {}", line.to);
            }
            covered += line.to - line.from;
            hours += line.hours;
            total = total.checked_add(line.amount).expect("no overflow");
        }
        // durations add up exactly; decimal hours up to the last of 28 digits
        prop_assert_eq!(covered, end - start);
        prop_assert_eq!(priced.hours, Decimal::from(length_s) / Decimal::from(3600));
        prop_assert!((hours - priced.hours).abs() < Decimal::new(1, 20), "{hours} vs {}", priced.hours);
        prop_assert_eq!(total, priced.net_total);
    }
}
