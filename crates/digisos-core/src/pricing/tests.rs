//! Table tests of pricing in Europe/Berlin: boundaries, weekends, holidays, DST nights.

use super::*;
use chrono::{NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::Berlin;
use rust_decimal_macros::dec;

fn card() -> RateCard {
    RateCard {
        roles: [
            (RoleId::new("analyst").unwrap(), Money::euro(100)),
            (
                RoleId::new("cent").unwrap(),
                Money::new(dec!(0.02)).unwrap(),
            ),
        ]
        .into(),
    }
}

fn surcharges(weekend: Decimal) -> Surcharges {
    Surcharges {
        night_percent: dec!(25),
        night_from: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        night_to: NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
        weekend_percent: weekend,
        holiday_percent: dec!(100),
        combine: Combine::HighestApplies,
    }
}

fn holiday(d: NaiveDate) -> bool {
    ["2025-10-03", "2025-12-25"].contains(&d.to_string().as_str())
}

fn local(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Berlin
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .to_utc()
}

fn entry(role: &str, from: &str, to: &str) -> TimeEntry {
    TimeEntry {
        role: RoleId::new(role).unwrap(),
        start: local(from),
        end: local(to),
        description: "forensic analysis".into(),
    }
}

fn run(e: &TimeEntry, weekend: Decimal) -> Result<PricedEntry, PricingError> {
    price(e, &card(), &surcharges(weekend), Berlin, holiday)
}

/// (kind, hours, amount) per line.
type Lines<'a> = &'a [(LineKind, Decimal, Decimal)];

#[test]
fn entries_split_exactly_at_every_boundary() {
    use LineKind::*;
    let cases: [(&str, &str, &str, Decimal, Lines, Decimal); 8] = [
        (
            "weekday 19-22 with night from 20:00",
            "2025-10-07 19:00",
            "2025-10-07 22:00",
            dec!(50),
            &[(Normal, dec!(1), dec!(100)), (Night, dec!(2), dec!(250))],
            dec!(350),
        ),
        (
            "night across midnight",
            "2025-10-07 22:00",
            "2025-10-08 07:00",
            dec!(50),
            &[
                (Night, dec!(2), dec!(250)),
                (Night, dec!(6), dec!(750)),
                (Normal, dec!(1), dec!(100)),
            ],
            dec!(1100),
        ),
        (
            "into the weekend: weekend 50 % beats night 25 %",
            "2025-10-10 18:00",
            "2025-10-11 10:00",
            dec!(50),
            &[
                (Normal, dec!(2), dec!(200)),
                (Night, dec!(4), dec!(500)),
                (Weekend, dec!(10), dec!(1500)),
            ],
            dec!(2200),
        ),
        (
            "into a holiday (3 October)",
            "2025-10-02 22:00",
            "2025-10-03 02:00",
            dec!(50),
            &[(Night, dec!(2), dec!(250)), (Holiday, dec!(2), dec!(400))],
            dec!(650),
        ),
        (
            "holiday night: holiday 100 % beats night 25 %",
            "2025-12-25 19:00",
            "2025-12-25 22:00",
            dec!(50),
            &[(Holiday, dec!(3), dec!(600))],
            dec!(600),
        ),
        (
            "DST ends: the night of 25/26 October has 9 hours",
            "2025-10-25 22:00",
            "2025-10-26 06:00",
            dec!(10),
            &[(Night, dec!(2), dec!(250)), (Night, dec!(7), dec!(875))],
            dec!(1125),
        ),
        (
            "DST starts: the night of 29/30 March has 7 hours",
            "2025-03-29 22:00",
            "2025-03-30 06:00",
            dec!(10),
            &[(Night, dec!(2), dec!(250)), (Night, dec!(5), dec!(625))],
            dec!(875),
        ),
        (
            "weekend without night surcharge beating it",
            "2025-10-11 19:00",
            "2025-10-11 21:00",
            dec!(10),
            &[(Weekend, dec!(1), dec!(110)), (Night, dec!(1), dec!(125))],
            dec!(235),
        ),
    ];
    for (name, from, to, weekend, lines, total) in cases {
        let priced = run(&entry("analyst", from, to), weekend).unwrap();
        let got: Vec<(LineKind, Decimal, Decimal)> = priced
            .lines
            .iter()
            .map(|l| (l.kind, l.hours, l.amount.amount()))
            .collect();
        assert_eq!(got, lines, "{name}");
        assert_eq!(priced.net_total.amount(), total, "{name}");
        assert_eq!(priced.lines.first().unwrap().from, local(from), "{name}");
        assert_eq!(priced.lines.last().unwrap().to, local(to), "{name}");
    }
}

#[test]
fn lines_carry_rate_and_surcharge() {
    let p = run(
        &entry("analyst", "2025-10-07 19:00", "2025-10-07 22:00"),
        dec!(50),
    )
    .unwrap();
    let night = &p.lines[1];
    assert_eq!(night.from, local("2025-10-07 20:00"));
    assert_eq!(
        (night.rate, night.surcharge_percent),
        (Money::euro(100), dec!(25))
    );
    assert_eq!(p.hours, dec!(3));
}

#[test]
fn each_line_rounds_to_cents_half_up() {
    // 0.02 EUR/h for 15 minutes is 0.005 EUR: half-up gives 0.01 (banker's would give 0)
    let p = run(
        &entry("cent", "2025-10-07 10:00", "2025-10-07 10:15"),
        dec!(50),
    )
    .unwrap();
    assert_eq!(p.net_total.amount(), dec!(0.01));
    // 100 EUR/h for 20 minutes is 33.333… EUR
    let p = run(
        &entry("analyst", "2025-10-07 10:00", "2025-10-07 10:20"),
        dec!(50),
    )
    .unwrap();
    assert_eq!(p.net_total.amount(), dec!(33.33));
}

#[test]
fn malformed_entries_are_refused() {
    let e = entry("analyst", "2025-10-07 10:00", "2025-10-07 10:00");
    assert!(matches!(
        run(&e, dec!(50)),
        Err(PricingError::EndNotAfterStart { .. })
    ));
    // a whole local day at the end of DST has 25 hours: too long for one entry
    let e = entry("analyst", "2025-10-26 00:00", "2025-10-27 00:00");
    assert_eq!(
        run(&e, dec!(50)),
        Err(PricingError::TooLong {
            hours: dec!(25),
            max: 24
        })
    );
    let e = entry("intern", "2025-10-07 10:00", "2025-10-07 11:00");
    let err = run(&e, dec!(50)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "role intern is not on the lot's rate card (known: analyst, cent); use one of those"
    );
}

#[test]
fn vat_is_rounded_and_validated() {
    assert_eq!(
        vat(Money::euro(1_000), VatRate::STANDARD).amount(),
        dec!(190)
    );
    assert_eq!(
        vat(Money::new(dec!(0.05)).unwrap(), VatRate::STANDARD).amount(),
        dec!(0.01)
    );
    assert_eq!(VatRate::new(dec!(7)).unwrap().percent(), dec!(7));
    assert_eq!(VatRate::new(dec!(101)), Err(VatRateError(dec!(101))));
}
