//! SLA policy data: per severity, the response windows with their calendar, warnings and
//! pause rule, as written in the contract (`[sla.critical.acceptance]`).

use crate::ids::CalendarId;
use crate::validation::{Problem, Problems};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Longest window accepted, in minutes (366 days).
pub const MAX_WINDOW_MINUTES: u32 = 366 * 24 * 60;

/// Severity of an incident (*Schweregrad*), lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Minor impact.
    Low,
    /// Some services impaired.
    Medium,
    /// Essential services impaired.
    High,
    /// The body cannot work (e.g. ransomware).
    Critical,
}

/// Which response window a clock measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// The provider accepts the call-off (*Annahme*).
    Acceptance,
    /// First qualified contact with the body.
    FirstContact,
    /// Remote analysis starts.
    RemoteStart,
    /// On-site arrival (only when on-site help was requested).
    OnSite,
    /// Incident resolved (optional).
    Resolve,
}

impl fmt::Display for WindowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WindowKind::Acceptance => "acceptance",
            WindowKind::FirstContact => "first_contact",
            WindowKind::RemoteStart => "remote_start",
            WindowKind::OnSite => "on_site",
            WindowKind::Resolve => "resolve",
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// Which instant a window counts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowStart {
    /// From the dispatch to the provider.
    #[default]
    Dispatch,
    /// Retroactively from the body's report.
    Report,
}

/// One response window: its length in open time of `calendar`, warning thresholds and
/// whether it pauses while the incident waits for the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Length in minutes of open time (1 to [`MAX_WINDOW_MINUTES`]).
    pub minutes: u32,
    /// The calendar that counts open time (`24x7`, `nrw-business`, or a contract calendar).
    pub calendar: CalendarId,
    /// Warn when this share of the window is used up, ascending, each in 1..=99.
    #[serde(default)]
    pub warn_at_percent: Vec<u8>,
    /// True when the window pauses while waiting for the body.
    #[serde(default)]
    pub pausable: bool,
    /// Which instant the window counts from.
    #[serde(default)]
    pub start: WindowStart,
}

impl WindowSpec {
    /// The window as a duration of open time.
    pub fn window(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.minutes))
    }

    /// Every problem of this window (zero or too long, bad warnings, unknown calendar).
    pub fn validate(&self, known_calendar: impl Fn(&CalendarId) -> bool) -> Vec<Problem> {
        let mut p = Problems::new();
        if self.minutes == 0 || self.minutes > MAX_WINDOW_MINUTES {
            p.push(
                "minutes",
                format!(
                    "must be 1 to {MAX_WINDOW_MINUTES} (366 days), got {}",
                    self.minutes
                ),
            );
        }
        if !known_calendar(&self.calendar) {
            p.push(
                "calendar",
                format!(
                    "unknown calendar {:?}: use 24x7, nrw-business or a [calendars.<id>] of the contract",
                    self.calendar.as_str()
                ),
            );
        }
        if let Some(bad) = self.warn_at_percent.iter().find(|w| !(1..=99).contains(*w)) {
            p.push("warn_at_percent", format!("{bad} is outside 1..=99"));
        }
        if self.warn_at_percent.windows(2).any(|w| w[0] >= w[1]) {
            p.push(
                "warn_at_percent",
                "must be strictly ascending, e.g. [50, 75, 90]",
            );
        }
        p.into_vec()
    }
}

/// The SLA policy of a lot: windows per severity and kind (`[sla.<severity>.<kind>]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlaPolicy {
    /// The windows, by severity then kind.
    pub windows: BTreeMap<Severity, BTreeMap<WindowKind, WindowSpec>>,
}

impl SlaPolicy {
    /// The window of `kind` for `severity`, if the policy defines it.
    pub fn window(&self, severity: Severity, kind: WindowKind) -> Option<&WindowSpec> {
        self.windows.get(&severity)?.get(&kind)
    }

    /// Every problem of the policy, each with its path (`critical.acceptance.minutes`):
    /// no severity at all, a severity without an acceptance window, and every window problem.
    pub fn validate(&self, known_calendar: impl Fn(&CalendarId) -> bool) -> Vec<Problem> {
        let mut p = Problems::new();
        if self.windows.is_empty() {
            p.push(
                "",
                "no severity defined: add at least [sla.critical.acceptance]",
            );
        }
        for (severity, kinds) in &self.windows {
            if !kinds.contains_key(&WindowKind::Acceptance) {
                p.push(
                    format!("{severity}"),
                    "acceptance window missing: every severity needs one",
                );
            }
            for (kind, spec) in kinds {
                p.extend_under(
                    &format!("{severity}.{kind}"),
                    spec.validate(&known_calendar),
                );
            }
        }
        p.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(minutes: u32, calendar: &str, warn: &[u8]) -> WindowSpec {
        WindowSpec {
            minutes,
            calendar: CalendarId::new(calendar).unwrap(),
            warn_at_percent: warn.to_vec(),
            pausable: false,
            start: WindowStart::Dispatch,
        }
    }

    #[test]
    fn validate_lists_every_problem_with_paths() {
        let mut policy = SlaPolicy::default();
        policy.windows.insert(
            Severity::Critical,
            BTreeMap::from([
                (WindowKind::Acceptance, spec(0, "24x7", &[50, 0, 100])),
                (WindowKind::OnSite, spec(1440, "mars", &[90, 75])),
            ]),
        );
        policy.windows.insert(
            Severity::Low,
            BTreeMap::from([(WindowKind::Resolve, spec(600, "nrw-business", &[]))]),
        );
        let known = |id: &CalendarId| ["24x7", "nrw-business"].contains(&id.as_str());
        let text: Vec<String> = policy
            .validate(known)
            .iter()
            .map(ToString::to_string)
            .collect();
        insta::assert_debug_snapshot!(text);
    }

    #[test]
    fn a_sound_policy_has_no_problems() {
        let mut policy = SlaPolicy::default();
        policy.windows.insert(
            Severity::High,
            BTreeMap::from([(WindowKind::Acceptance, spec(60, "24x7", &[50, 75, 90]))]),
        );
        assert!(policy.validate(|_| true).is_empty());
        assert_eq!(
            policy
                .window(Severity::High, WindowKind::Acceptance)
                .map(WindowSpec::window),
            Some(TimeDelta::hours(1))
        );
        assert!(policy.validate(|_| false).len() == 1);
    }

    #[test]
    fn parses_the_contract_toml_shape() {
        #[derive(Deserialize)]
        struct Lot {
            sla: SlaPolicy,
        }
        let text = r#"
            [sla.critical.acceptance]
            minutes = 60
            calendar = "24x7"
            warn_at_percent = [50, 75, 90]

            [sla.critical.on_site]
            minutes = 1440
            calendar = "24x7"
            pausable = true
            start = "report"

            [sla.low.acceptance]
            minutes = 600
            calendar = "nrw-business"
        "#;
        let lot: Lot = toml::from_str(text).unwrap();
        let on_site = lot
            .sla
            .window(Severity::Critical, WindowKind::OnSite)
            .unwrap();
        assert!(on_site.pausable);
        assert_eq!(on_site.start, WindowStart::Report);
        let low = lot
            .sla
            .window(Severity::Low, WindowKind::Acceptance)
            .unwrap();
        assert_eq!((low.minutes, low.calendar.as_str()), (600, "nrw-business"));
        assert!(low.warn_at_percent.is_empty());
        assert!(lot.sla.validate(|_| true).is_empty());
        let bad: Result<Lot, _> =
            toml::from_str("[sla.urgent.acceptance]\nminutes = 1\ncalendar = \"24x7\"");
        assert!(bad.is_err());
    }

    #[test]
    fn serde_names_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&WindowKind::FirstContact).unwrap(),
            "\"first_contact\""
        );
        assert_eq!(
            serde_json::to_string(&Severity::Critical).unwrap(),
            "\"critical\""
        );
    }
}
