//! Pure parser for iCalendar (RFC 5545) files of all-day events, imported as extra holidays.

use super::holidays::ClosedDay;
use chrono::NaiveDate;

/// Longest all-day event accepted, in days (a longer one is almost surely a mistake).
const MAX_EVENT_DAYS: i64 = 366;

/// Why an iCalendar text cannot be imported; `line` is 1-based in the original text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IcsError {
    /// The (first physical) line of the offending content line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses the all-day `VEVENT`s (`DTSTART;VALUE=DATE:20251224`, optional exclusive
/// `DTEND;VALUE=DATE`, `SUMMARY`) of an iCalendar text into closed days, one per date,
/// in file order. Handles CRLF and folded lines. Fails on the first timed event, missing
/// or malformed date, or unterminated event.
pub fn parse_ics(text: &str) -> Result<Vec<ClosedDay>, IcsError> {
    let mut out = Vec::new();
    let mut event: Option<Event> = None;
    for (line, content) in unfold(text) {
        let (head, value) = content.split_once(':').unwrap_or((content.as_str(), ""));
        let mut params = head.split(';');
        let name = params.next().unwrap_or("").to_ascii_uppercase();
        let params: Vec<String> = params.map(str::to_ascii_uppercase).collect();
        match (name.as_str(), event.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VEVENT") => {
                event = Some(Event {
                    line,
                    ..Event::default()
                });
            }
            ("BEGIN", Some(_)) if value.eq_ignore_ascii_case("VEVENT") => {
                return Err(err(line, "BEGIN:VEVENT inside an event"));
            }
            ("END", Some(ev)) if value.eq_ignore_ascii_case("VEVENT") => {
                let ev = std::mem::take(ev);
                event = None;
                ev.finish(&mut out)?;
            }
            ("DTSTART", Some(ev)) => ev.start = Some(all_day(line, &params, value)?),
            ("DTEND", Some(ev)) => ev.end = Some(all_day(line, &params, value)?),
            ("SUMMARY", Some(ev)) => ev.summary = Some(unescape(value)),
            _ => {}
        }
    }
    match event {
        Some(ev) => Err(err(ev.line, "event is not closed with END:VEVENT")),
        None => Ok(out),
    }
}

#[derive(Debug, Default)]
struct Event {
    line: usize,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    summary: Option<String>,
}

impl Event {
    fn finish(self, out: &mut Vec<ClosedDay>) -> Result<(), IcsError> {
        let start = self
            .start
            .ok_or_else(|| err(self.line, "event has no DTSTART"))?;
        let days = match self.end {
            Some(end) => (end - start).num_days(),
            None => 1,
        };
        if !(1..=MAX_EVENT_DAYS).contains(&days) {
            return Err(err(
                self.line,
                &format!("event must last 1 to {MAX_EVENT_DAYS} days (DTEND is exclusive)"),
            ));
        }
        let name = self
            .summary
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "Feiertag".to_string());
        let mut date = start;
        for _ in 0..days {
            out.push(ClosedDay {
                date,
                name: name.clone(),
            });
            date = date
                .succ_opt()
                .ok_or_else(|| err(self.line, "date out of range"))?;
        }
        Ok(())
    }
}

fn all_day(line: usize, params: &[String], value: &str) -> Result<NaiveDate, IcsError> {
    if !params.iter().any(|p| p == "VALUE=DATE") {
        return Err(err(
            line,
            "not an all-day event: expected DTSTART;VALUE=DATE:YYYYMMDD",
        ));
    }
    NaiveDate::parse_from_str(value.trim(), "%Y%m%d")
        .map_err(|_| err(line, &format!("{value:?} is not a date like 20251224")))
}

/// Joins folded lines (a line starting with space or tab continues the previous one);
/// yields (1-based line number of the first physical line, content line).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some(last)) => last.1.push_str(rest),
            _ if raw.is_empty() => {}
            _ => out.push((i + 1, raw.to_string())),
        }
    }
    out
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn err(line: usize, message: &str) -> IcsError {
    IcsError {
        line,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251224\r\nSUMMARY:Heilig\r\n abend\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251229\r\nDTEND;VALUE=DATE:20251231\r\nSUMMARY:Betriebs\\, ruhe\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn parses_all_day_events_with_folding_and_crlf() {
        let days = parse_ics(SAMPLE).unwrap();
        let text: Vec<String> = days
            .iter()
            .map(|d| format!("{} {}", d.date, d.name))
            .collect();
        assert_eq!(
            text,
            [
                "2025-12-24 Heiligabend",
                "2025-12-29 Betriebs, ruhe",
                "2025-12-30 Betriebs, ruhe"
            ]
        );
    }

    #[test]
    fn errors_carry_line_numbers() {
        let cases = [
            (
                "BEGIN:VEVENT\nDTSTART:20251224T080000Z\nEND:VEVENT\n",
                2,
                "not an all-day event",
            ),
            (
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:2025-12-24\nEND:VEVENT\n",
                2,
                "is not a date",
            ),
            (
                "X:1\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n",
                2,
                "no DTSTART",
            ),
            (
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20251224\n",
                1,
                "not closed",
            ),
            (
                "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20251224\nDTEND;VALUE=DATE:20251224\nEND:VEVENT\n",
                1,
                "1 to 366 days",
            ),
        ];
        for (text, line, needle) in cases {
            let e = parse_ics(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}");
            assert!(e.message.contains(needle), "{e}");
        }
    }
}
