//! Incident statistics (*Vorfallstatistik*): counts by state, severity, category and
//! Regierungsbezirk, and the mean-time figures MTTA (report → accepted) and MTTR
//! (report → recovered) as medians and 90th percentiles.

use super::stats::DurationStats;
use crate::incident::{IncidentCategory, Milestone};
use crate::programme::Programme;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One count of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    /// The value counted (`closed`, `critical`, `ransomware`, `059`, …).
    pub key: String,
    /// Number of incidents.
    pub incidents: u32,
}

/// Incident statistics as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentStatistics {
    /// The instant the report describes.
    pub as_of: DateTime<Utc>,
    /// Number of incidents reported.
    pub total: u32,
    /// By lifecycle state, in lifecycle order (only states that occur).
    pub by_state: Vec<CountRow>,
    /// By severity, highest first; `untriaged` for incidents without one.
    pub by_severity: Vec<CountRow>,
    /// By category, in the order of the category list.
    pub by_category: Vec<CountRow>,
    /// By the body's Regierungsbezirk (`none` when the register has none for it).
    pub by_regierungsbezirk: Vec<CountRow>,
    /// Time to acknowledge: report → accepted by a provider.
    pub mtta: DurationStats,
    /// Time to recover: report → recovered.
    pub mttr: DurationStats,
}

const CATEGORIES: [IncidentCategory; 6] = [
    IncidentCategory::Ransomware,
    IncidentCategory::Malware,
    IncidentCategory::AccountCompromise,
    IncidentCategory::DenialOfService,
    IncidentCategory::DataBreach,
    IncidentCategory::Other,
];

/// The serialised name of a category (`account_compromise`, …).
fn category_name(c: IncidentCategory) -> &'static str {
    match c {
        IncidentCategory::Ransomware => "ransomware",
        IncidentCategory::Malware => "malware",
        IncidentCategory::AccountCompromise => "account_compromise",
        IncidentCategory::DenialOfService => "denial_of_service",
        IncidentCategory::DataBreach => "data_breach",
        IncidentCategory::Other => "other",
    }
}

/// The name of an NRW Regierungsbezirk by its code (`059` → `Arnsberg`), if known.
pub fn region_name(code: &str) -> Option<&'static str> {
    match code {
        "051" => Some("Düsseldorf"),
        "053" => Some("Köln"),
        "055" => Some("Münster"),
        "057" => Some("Detmold"),
        "059" => Some("Arnsberg"),
        _ => None,
    }
}

fn rows<K: Ord>(counts: BTreeMap<K, u32>, name: impl Fn(&K) -> String) -> Vec<CountRow> {
    counts
        .iter()
        .map(|(k, n)| CountRow {
            key: name(k),
            incidents: *n,
        })
        .collect()
}

/// Counts and response-time figures of every incident as of `now` (incidents reported
/// after `now` are still counted: the state is what the log holds). Never fails.
pub fn incident_statistics(programme: &Programme, now: DateTime<Utc>) -> IncidentStatistics {
    let mut by_state = BTreeMap::new();
    let mut by_severity = BTreeMap::new();
    let mut by_category = BTreeMap::new();
    let mut by_region: BTreeMap<String, u32> = BTreeMap::new();
    let mut mtta = Vec::new();
    let mut mttr = Vec::new();
    let bump = |n: &mut u32| *n = n.saturating_add(1);
    for i in programme.incidents().values() {
        bump(by_state.entry(i.state()).or_default());
        // highest severity first: reverse the order, `untriaged` (None) last
        bump(
            by_severity
                .entry(std::cmp::Reverse(i.severity))
                .or_default(),
        );
        let pos = CATEGORIES.iter().position(|c| *c == i.category);
        bump(
            by_category
                .entry(pos.unwrap_or(CATEGORIES.len()))
                .or_default(),
        );
        let region = i
            .body
            .parse()
            .ok()
            .and_then(|key| programme.register().get(&key))
            .and_then(|b| b.regierungsbezirk.as_ref())
            .map_or_else(|| "none".to_string(), ToString::to_string);
        bump(by_region.entry(region).or_default());
        if let Some(at) = i.milestones.get(&Milestone::Accepted) {
            mtta.push(*at - i.reported_at);
        }
        if let Some(at) = i.milestones.get(&Milestone::Recovered) {
            mttr.push(*at - i.reported_at);
        }
    }
    IncidentStatistics {
        as_of: now,
        total: u32::try_from(programme.incidents().len()).unwrap_or(u32::MAX),
        by_state: rows(by_state, ToString::to_string),
        by_severity: rows(by_severity, |s| {
            s.0.map_or_else(|| "untriaged".to_string(), |s| s.to_string())
        }),
        by_category: rows(by_category, |pos| {
            CATEGORIES
                .get(*pos)
                .map_or("other", |c| category_name(*c))
                .to_string()
        }),
        by_regierungsbezirk: rows(by_region, Clone::clone),
        mtta: DurationStats::of(mtta),
        mttr: DurationStats::of(mttr),
    }
}
