//! The contract-file form of a calendar (`[calendars.<id>]`), validated before it is compiled.

use super::holidays::ClosedDay;
use crate::validation::{Problem, Problems};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A calendar as written in the contract file, e.g.
/// `kind = "business"`, `time_zone = "Europe/Berlin"`, `holidays = "nrw"`,
/// `hours.mon = ["08:00-12:00", "13:00-17:00"]`. Call [`CalendarSpec::validate`] (or
/// [`super::Calendar::from_spec`], which validates) before using it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
#[allow(clippy::large_enum_variant)] // a spec is parsed once; boxing would only hurt serde ergonomics
pub enum CalendarSpec {
    /// Always open: deadlines are absolute time (`kind = "24x7"`).
    #[serde(rename = "24x7")]
    AlwaysOpen,
    /// Opening hours in a time zone, with holidays and closures (`kind = "business"`).
    #[serde(rename = "business")]
    Business(BusinessSpec),
}

/// Opening hours (*Geschäftszeiten*) of a business calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessSpec {
    /// IANA time zone name; the opening hours are local wall-clock times in it.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Opening intervals per weekday (`"08:00-18:00"`, end `24:00` allowed).
    pub hours: WeekHours,
    /// Which statutory holidays close the calendar.
    #[serde(default)]
    pub holidays: HolidaySet,
    /// One-off closures (*Schließtage*), e.g. a works outing.
    #[serde(default)]
    pub closed_on: Vec<NaiveDate>,
    /// Extra named days off, e.g. imported from an iCalendar file.
    #[serde(default)]
    pub extra_holidays: Vec<ClosedDay>,
}

/// Opening intervals per weekday; a missing day is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeekHours {
    /// Monday.
    pub mon: Vec<String>,
    /// Tuesday.
    pub tue: Vec<String>,
    /// Wednesday.
    pub wed: Vec<String>,
    /// Thursday.
    pub thu: Vec<String>,
    /// Friday.
    pub fri: Vec<String>,
    /// Saturday.
    pub sat: Vec<String>,
    /// Sunday.
    pub sun: Vec<String>,
}

impl WeekHours {
    /// The days Monday..Sunday with their short names.
    pub fn days(&self) -> [(&'static str, &[String]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// Which statutory holidays apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidaySet {
    /// North Rhine-Westphalia, § 2 FeiertG NW.
    #[default]
    Nrw,
    /// No statutory holidays (only `closed_on` and `extra_holidays`).
    None,
}

fn default_time_zone() -> String {
    "Europe/Berlin".to_string()
}

/// An opening interval in minutes of the local day, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    /// Opening, minutes after local midnight.
    pub start: u16,
    /// Closing, minutes after local midnight (1440 = midnight at the end of the day).
    pub end: u16,
}

impl Interval {
    /// Parses `"HH:MM-HH:MM"`; fails with a message when malformed or empty.
    pub fn parse(text: &str) -> Result<Interval, String> {
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| format!("{text:?} is not an interval like \"08:00-18:00\""))?;
        let start = parse_hhmm(a.trim())?;
        let end = parse_hhmm(b.trim())?;
        if start >= end {
            return Err(format!("{text:?} closes before it opens"));
        }
        if start == 1440 {
            return Err(format!("{text:?} opens at 24:00"));
        }
        Ok(Interval { start, end })
    }
}

fn parse_hhmm(s: &str) -> Result<u16, String> {
    let bad = || format!("{s:?} is not a time like \"08:00\" (00:00 to 24:00)");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl CalendarSpec {
    /// Every problem of the spec (unknown time zone, malformed or overlapping intervals,
    /// no opening hours at all, unnamed extra holidays); empty when it can be compiled.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Problems::new();
        let CalendarSpec::Business(b) = self else {
            return problems.into_vec();
        };
        if b.time_zone.parse::<chrono_tz::Tz>().is_err() {
            problems.push(
                "time_zone",
                format!(
                    "unknown time zone {:?}: use an IANA name like \"Europe/Berlin\"",
                    b.time_zone
                ),
            );
        }
        let mut any_open = false;
        for (day, texts) in b.hours.days() {
            any_open |= !texts.is_empty();
            if let Err(list) = parse_day(day, texts) {
                for p in list {
                    problems.push(p.path, p.message);
                }
            }
        }
        if !any_open {
            problems.push(
                "hours",
                "no opening hours: give at least one interval, e.g. mon = [\"08:00-18:00\"]",
            );
        }
        for (i, h) in b.extra_holidays.iter().enumerate() {
            if h.name.trim().is_empty() {
                problems.push(format!("extra_holidays[{i}].name"), "must not be empty");
            }
        }
        problems.into_vec()
    }
}

/// Parses one day's intervals, sorted; every problem with its path.
pub(super) fn parse_day(day: &str, texts: &[String]) -> Result<Vec<Interval>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        match Interval::parse(t) {
            Ok(iv) => out.push((iv, i)),
            Err(m) => problems.push(Problem::new(format!("hours.{day}[{i}]"), m)),
        }
    }
    out.sort();
    for w in out.windows(2) {
        if w[1].0.start < w[0].0.end {
            problems.push(Problem::new(
                format!("hours.{day}[{}]", w[1].1),
                format!("overlaps {:?}", texts[w[0].1]),
            ));
        }
    }
    if problems.is_empty() {
        Ok(out.into_iter().map(|(iv, _)| iv).collect())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!(
            Interval::parse("08:00-18:00"),
            Ok(Interval {
                start: 480,
                end: 1080
            })
        );
        assert_eq!(Interval::parse("00:00-24:00").map(|i| i.end), Ok(1440));
        for bad in [
            "8:00-18:00",
            "18:00-08:00",
            "08:00",
            "08:60-09:00",
            "24:00-24:00",
            "10:00-24:01",
        ] {
            assert!(Interval::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validate_lists_every_problem() {
        let spec = CalendarSpec::Business(BusinessSpec {
            time_zone: "Mars/Olympus".into(),
            hours: WeekHours {
                mon: vec!["08:00-12:00".into(), "11:00-13:00".into()],
                tue: vec!["x".into()],
                ..WeekHours::default()
            },
            holidays: HolidaySet::Nrw,
            closed_on: vec![],
            extra_holidays: vec![ClosedDay {
                date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
                name: " ".into(),
            }],
        });
        let text: Vec<String> = spec.validate().iter().map(ToString::to_string).collect();
        insta::assert_debug_snapshot!(text);
    }

    #[test]
    fn no_hours_is_a_problem() {
        let spec = CalendarSpec::Business(BusinessSpec {
            time_zone: "Europe/Berlin".into(),
            hours: WeekHours::default(),
            holidays: HolidaySet::None,
            closed_on: vec![],
            extra_holidays: vec![],
        });
        assert_eq!(spec.validate().len(), 1);
        assert!(CalendarSpec::AlwaysOpen.validate().is_empty());
    }
}
