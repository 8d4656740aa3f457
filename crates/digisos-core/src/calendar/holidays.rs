//! Statutory public holidays of North Rhine-Westphalia (§ 2 FeiertG NW), computed for any
//! year from the Gregorian Easter date.

use chrono::{Datelike, Days, NaiveDate};

/// A closed day of a calendar: a public holiday (*Feiertag*) or a one-off closure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ClosedDay {
    /// The local calendar date.
    pub date: NaiveDate,
    /// Its name, e.g. `Fronleichnam`.
    pub name: String,
}

/// Easter Sunday (*Ostersonntag*) of `year` in the Gregorian calendar (anonymous
/// Gregorian algorithm, Meeus/Jones/Butcher). Returns `None` only for years chrono cannot
/// represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Fixed-date NRW holidays: (month, day, name).
const FIXED: [(u32, u32, &str); 6] = [
    (1, 1, "Neujahr"),
    (5, 1, "Tag der Arbeit"),
    (10, 3, "Tag der Deutschen Einheit"),
    (11, 1, "Allerheiligen"),
    (12, 25, "1. Weihnachtstag"),
    (12, 26, "2. Weihnachtstag"),
];

/// Easter-dependent NRW holidays: (days after Easter Sunday, name).
const MOVABLE: [(i64, &str); 5] = [
    (-2, "Karfreitag"),
    (1, "Ostermontag"),
    (39, "Christi Himmelfahrt"),
    (50, "Pfingstmontag"),
    (60, "Fronleichnam"),
];

/// The NRW statutory holidays of `year`, sorted by date, one entry per date (when
/// Christi Himmelfahrt falls on 1 May, as in 2008, the names are joined). Empty only for
/// years chrono cannot represent.
pub fn nrw_holidays(year: i32) -> Vec<ClosedDay> {
    let mut out: Vec<ClosedDay> = FIXED
        .iter()
        .filter_map(|&(m, d, name)| {
            Some(ClosedDay {
                date: NaiveDate::from_ymd_opt(year, m, d)?,
                name: name.to_string(),
            })
        })
        .collect();
    if let Some(easter) = easter_sunday(year) {
        for &(offset, name) in &MOVABLE {
            if let Some(date) = shift(easter, offset) {
                out.push(ClosedDay {
                    date,
                    name: name.to_string(),
                });
            }
        }
    }
    out.sort();
    out.dedup_by(|later, earlier| {
        let same = later.date == earlier.date;
        if same {
            earlier.name = format!("{} / {}", earlier.name, later.name);
        }
        same
    });
    out
}

/// The dates of the eleven NRW holidays of `year`, unsorted and without allocation (for
/// counting closed days over long spans); `None` entries only for unrepresentable years.
pub fn nrw_holiday_dates(year: i32) -> [Option<NaiveDate>; 11] {
    let mut out = [None; 11];
    for (slot, &(m, d, _)) in out.iter_mut().zip(FIXED.iter()) {
        *slot = NaiveDate::from_ymd_opt(year, m, d);
    }
    if let Some(easter) = easter_sunday(year) {
        for (slot, &(offset, _)) in out[FIXED.len()..].iter_mut().zip(MOVABLE.iter()) {
            *slot = shift(easter, offset);
        }
    }
    out
}

/// The name of the NRW holiday on `date`, if it is one. Cheap: no allocation.
pub fn nrw_holiday_name(date: NaiveDate) -> Option<&'static str> {
    let (m, d) = (date.month(), date.day());
    if let Some(&(_, _, name)) = FIXED.iter().find(|&&(fm, fd, _)| fm == m && fd == d) {
        return Some(name);
    }
    if !(3..=6).contains(&m) {
        return None;
    }
    let easter = easter_sunday(date.year())?;
    let offset = date.signed_duration_since(easter).num_days();
    MOVABLE
        .iter()
        .find(|&&(o, _)| o == offset)
        .map(|&(_, name)| name)
}

fn shift(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_table() {
        // Known Easter Sundays (Gregorian).
        let table = [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ];
        for (y, m, d) in table {
            assert_eq!(easter_sunday(y), Some(ymd(y, m, d)), "easter {y}");
        }
    }

    #[test]
    fn nrw_holidays_2024_to_2030() {
        let mut text = String::new();
        for year in 2024..=2030 {
            for h in nrw_holidays(year) {
                text.push_str(&format!("{} {} {}\n", h.date, h.date.format("%a"), h.name));
            }
        }
        insta::assert_snapshot!(text);
    }

    #[test]
    fn name_lookup_agrees_with_the_list() {
        for year in 1990..=2100 {
            let list = nrw_holidays(year);
            for h in &list {
                let name = nrw_holiday_name(h.date).unwrap();
                assert!(h.name.contains(name), "{year}: {}", h.name);
            }
            let mut d = ymd(year, 1, 1);
            let mut count = 0;
            while d.year() == year {
                if nrw_holiday_name(d).is_some() {
                    count += 1;
                }
                d = d.succ_opt().unwrap();
            }
            assert_eq!(count, list.len(), "{year}");
            let distinct = nrw_holiday_dates(year)
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>();
            assert_eq!(distinct.len(), list.len(), "{year}");
        }
    }

    #[test]
    fn ascension_on_may_day_is_one_closed_day() {
        let list = nrw_holidays(2008);
        assert_eq!(list.len(), 10);
        assert!(
            list.iter()
                .any(|h| h.name == "Christi Himmelfahrt / Tag der Arbeit")
        );
    }

    #[test]
    fn christmas_eve_and_new_years_eve_are_working_days() {
        assert_eq!(nrw_holiday_name(ymd(2025, 12, 24)), None);
        assert_eq!(nrw_holiday_name(ymd(2025, 12, 31)), None);
    }
}
