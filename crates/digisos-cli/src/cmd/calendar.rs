//! `digisos calendar …`: SLA deadlines and closed days of the preset and contract calendars.

use crate::{CliError, Ctx};
use chrono::{DateTime, Datelike, Utc};
use clap::{Args, Subcommand};
use digisos_core::calendar::ics::parse_ics;
use digisos_core::calendar::spec::CalendarSpec;
use digisos_core::calendar::{Calendar, Calendars};
use digisos_core::ids::CalendarId;
use digisos_core::sla::policy::MAX_WINDOW_MINUTES;
use digisos_core::validation::Problem;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Business calendars: deadlines and closed days.
#[derive(Debug, Subcommand)]
pub(crate) enum CalendarCommand {
    /// The earliest instant at which N minutes of open time have passed since --start.
    Deadline(DeadlineArgs),
    /// The closed days (holidays, closures) of a year.
    Holidays(HolidaysArgs),
}

/// Arguments of `calendar deadline`.
#[derive(Debug, Args)]
pub(crate) struct DeadlineArgs {
    /// Start instant, RFC 3339 with offset (e.g. 2025-04-07T08:00:00+02:00).
    #[arg(long, value_parser = crate::output::parse_now)]
    start: DateTime<Utc>,
    /// Window length in minutes of open time.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_WINDOW_MINUTES)))]
    minutes: u32,
    /// Calendar name: 24x7, nrw-business, or one of the contract's [calendars.<id>].
    #[arg(long)]
    calendar: String,
    /// Contract file (TOML) whose [calendars.<id>] tables are added to the presets.
    #[arg(long)]
    contract: Option<PathBuf>,
    /// iCalendar file of all-day events whose days are closed in addition to the calendar's
    /// own holidays (repeatable; not for 24x7).
    #[arg(long = "ics", value_name = "FILE")]
    ics: Vec<PathBuf>,
}

/// Arguments of `calendar holidays`.
#[derive(Debug, Args)]
pub(crate) struct HolidaysArgs {
    /// The year.
    #[arg(long, value_parser = clap::value_parser!(i32).range(1583..=9999))]
    year: i32,
    /// Calendar name: 24x7, nrw-business, or one of the contract's [calendars.<id>].
    #[arg(long, default_value = "nrw-business")]
    calendar: String,
    /// Contract file (TOML) whose [calendars.<id>] tables are added to the presets.
    #[arg(long)]
    contract: Option<PathBuf>,
    /// iCalendar file of all-day events whose days are closed in addition to the calendar's
    /// own holidays (repeatable; not for 24x7).
    #[arg(long = "ics", value_name = "FILE")]
    ics: Vec<PathBuf>,
}

#[derive(Debug, Serialize)]
struct DeadlineOut {
    deadline: String,
    deadline_utc: String,
    calendar: String,
    minutes: u32,
    start: String,
}

#[derive(Debug, Serialize)]
struct HolidaysOut {
    calendar: String,
    year: i32,
    closed_days: Vec<ClosedDayOut>,
}

#[derive(Debug, Serialize)]
struct ClosedDayOut {
    date: String,
    weekday: String,
    name: String,
}

/// Runs a `calendar` subcommand.
pub(crate) fn run(command: CalendarCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        CalendarCommand::Deadline(args) => deadline(args, ctx),
        CalendarCommand::Holidays(args) => holidays(args, ctx),
    }
}

fn deadline(args: DeadlineArgs, ctx: &Ctx) -> Result<(), CliError> {
    let calendars = load(args.contract.as_deref())?;
    let cal = with_ics(pick(&calendars, &args.calendar)?, &args.ics)?;
    let at = cal.deadline(
        args.start,
        chrono::TimeDelta::minutes(i64::from(args.minutes)),
    );
    let local = match cal.time_zone() {
        Some(tz) => at.with_timezone(&tz).to_rfc3339(),
        None => at.to_rfc3339(),
    };
    let out = DeadlineOut {
        deadline: local,
        deadline_utc: at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        calendar: args.calendar,
        minutes: args.minutes,
        start: args
            .start
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    };
    ctx.print(&out, || {
        format!(
            "{} ({} min of {} from {})\n",
            out.deadline, out.minutes, out.calendar, out.start
        )
    })
}

fn holidays(args: HolidaysArgs, ctx: &Ctx) -> Result<(), CliError> {
    let calendars = load(args.contract.as_deref())?;
    let cal = with_ics(pick(&calendars, &args.calendar)?, &args.ics)?;
    let closed_days = cal
        .closed_days(args.year)
        .into_iter()
        .map(|d| ClosedDayOut {
            date: d.date.to_string(),
            weekday: d.date.weekday().to_string(),
            name: d.name,
        })
        .collect();
    let out = HolidaysOut {
        calendar: args.calendar,
        year: args.year,
        closed_days,
    };
    ctx.print(&out, || {
        if out.closed_days.is_empty() {
            return format!("{} has no closed days in {}\n", out.calendar, out.year);
        }
        out.closed_days
            .iter()
            .map(|d| format!("{} {} {}\n", d.date, d.weekday, d.name))
            .collect()
    })
}

/// The part of a contract file this command reads: its `[calendars.<id>]` tables.
#[derive(Debug, Deserialize)]
struct ContractCalendars {
    #[serde(default)]
    calendars: BTreeMap<CalendarId, CalendarSpec>,
}

fn load(contract: Option<&Path>) -> Result<Calendars, CliError> {
    let Some(path) = contract else {
        return Ok(Calendars::presets());
    };
    let text = std::fs::read_to_string(path)
        .map_err(CliError::io(format!("reading {}", path.display())))?;
    let parsed: ContractCalendars = toml::from_str(&text).map_err(|e| {
        CliError::Invalid(vec![Problem::new(
            path.display().to_string(),
            e.to_string().trim_end().to_string(),
        )])
    })?;
    Calendars::from_specs(&parsed.calendars).map_err(CliError::Invalid)
}

fn pick<'a>(calendars: &'a Calendars, name: &str) -> Result<&'a Calendar, CliError> {
    let known = || {
        calendars
            .ids()
            .map(CalendarId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    CalendarId::new(name)
        .ok()
        .and_then(|id| calendars.get(&id))
        .ok_or_else(|| CliError::Usage(format!("unknown calendar {name:?}: known are {}", known())))
}

/// `cal` with the closed days of the `--ics` files added; every unparsable file is listed
/// (exit 1), and `24x7` with files is a usage error (exit 2).
fn with_ics<'a>(cal: &'a Calendar, files: &[PathBuf]) -> Result<Cow<'a, Calendar>, CliError> {
    if files.is_empty() {
        return Ok(Cow::Borrowed(cal));
    }
    let mut days = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(CliError::io(format!("reading {}", path.display())))?;
        match parse_ics(&text) {
            Ok(found) => days.extend(found),
            Err(e) => problems.push(Problem::new(path.display().to_string(), e.to_string())),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::Invalid(problems));
    }
    cal.with_extra_holidays(&days)
        .map(Cow::Owned)
        .map_err(|e| CliError::Usage(format!("--ics: {e}")))
}
