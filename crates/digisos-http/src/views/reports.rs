//! The programme's reports: utilisation, SLA attainment, incident statistics and
//! reporting duties, each as of the server's now.
//!
//! Unlike the other answers these keep the core report's own member names (`as_of`,
//! `lines`, `rows`, …), so that a report reads the same from `curl` and from
//! `digisos --json report …`, and a client can read it into the core's report types.

use chrono::{DateTime, Utc};
use digisos_core::ids::{LotId, ProviderId};
use digisos_core::incident::IncidentId;
use digisos_core::money::Money;
use digisos_core::reports::{
    CountRow, DurationStats, DutiesReport, DutyCounts, IncidentDuties, IncidentStatistics,
    SlaBreach, SlaReport, SlaRow, UtilisationLine, UtilisationReport, UtilisationScope,
};
use digisos_core::sla::WindowKind;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::DutyView;

/// Reserved, posted, released and remaining money per contract, lot, provider, contract
/// year and body per contract year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilisationReportView {
    /// The instant the report describes: the server's now (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub as_of: DateTime<Utc>,
    /// The id of the contract in force; `null` before one was adopted.
    pub contract: Option<String>,
    /// Whether the contract's maximum value was reached (no new call-offs).
    pub exhausted: bool,
    /// The contract, its lots, the providers, the contract years and the body-years, in
    /// that order.
    pub lines: Vec<UtilisationLineView>,
}

/// One line of the utilisation report (amounts are net EUR as decimal strings).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilisationLineView {
    /// What the line adds up: `contract`, `lot`, `provider`, `contract_year` or
    /// `body_year`.
    #[schema(value_type = String)]
    pub scope: UtilisationScope,
    /// Contract id, lot id, provider id (`-`: not accepted by anyone yet), year index or
    /// `BODY/YEAR`.
    pub key: String,
    /// A name for people (lot title, provider or body name); empty if unknown.
    pub name: String,
    /// Number of call-offs counted (also resolved ones).
    pub call_offs: u32,
    /// The limit; `null` when the scope has none.
    #[schema(value_type = Option<String>)]
    pub limit: Option<Money>,
    /// Held by open reservations and not yet posted.
    #[schema(value_type = String)]
    pub reserved: Money,
    /// Posted by approved time entries (net of reversals).
    #[schema(value_type = String)]
    pub posted: Money,
    /// Released by closes, voids, refusals and lowerings.
    #[schema(value_type = String)]
    pub released: Money,
    /// Still free under the limit; `null` without a limit.
    #[schema(value_type = Option<String>)]
    pub remaining: Option<Money>,
    /// `posted + reserved` in percent of the limit (decimal string, two decimals);
    /// `null` without a limit.
    #[schema(value_type = Option<String>)]
    pub percent: Option<Decimal>,
    /// Warning levels (percent) announced for this limit (contract and lots only).
    pub warnings_reached: Vec<u8>,
}

impl From<UtilisationReport> for UtilisationReportView {
    fn from(r: UtilisationReport) -> Self {
        let UtilisationReport {
            as_of,
            contract,
            exhausted,
            lines,
        } = r;
        UtilisationReportView {
            as_of,
            contract,
            exhausted,
            lines: lines.into_iter().map(UtilisationLineView::from).collect(),
        }
    }
}

impl From<UtilisationLine> for UtilisationLineView {
    fn from(l: UtilisationLine) -> Self {
        let UtilisationLine {
            scope,
            key,
            name,
            call_offs,
            limit,
            reserved,
            posted,
            released,
            remaining,
            percent,
            warnings_reached,
        } = l;
        UtilisationLineView {
            scope,
            key,
            name,
            call_offs,
            limit,
            reserved,
            posted,
            released,
            remaining,
            percent,
            warnings_reached,
        }
    }
}

/// SLA attainment per provider and lot, and every missed deadline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaReportView {
    /// The instant the report describes: the server's now (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub as_of: DateTime<Utc>,
    /// One row per provider and lot with at least one clock, by provider and lot.
    pub rows: Vec<SlaRowView>,
    /// Every breach, by deadline, incident and window.
    pub breaches: Vec<SlaBreachView>,
}

/// The clocks one provider ran in one lot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaRowView {
    /// The provider the clocks ran against.
    #[schema(value_type = String)]
    pub provider: ProviderId,
    /// The lot of the incidents.
    #[schema(value_type = String)]
    pub lot: LotId,
    /// Clocks stopped within their window.
    pub met: u32,
    /// Clocks whose deadline passed (recorded, or passed by `as_of` and not yet recorded).
    pub breached: u32,
    /// Clocks still running or paused within their window (not in the percentage).
    pub running: u32,
    /// Clocks cancelled by a decline, the cascade or a close (not in the percentage).
    pub cancelled: u32,
    /// `met / (met + breached)` in percent (decimal string, two decimals); `null` when no
    /// clock ended.
    #[schema(value_type = Option<String>)]
    pub percent_met: Option<Decimal>,
    /// Time from the offer to acceptance.
    pub time_to_accept: DurationStatsView,
    /// Time to the first qualified contact.
    pub time_to_first_contact: DurationStatsView,
    /// Time to on-site arrival.
    pub time_to_on_site: DurationStatsView,
}

/// How many durations were measured, their median and 90th percentile, in whole seconds
/// of open time (the window's calendar; paused time excluded).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DurationStatsView {
    /// Number of samples.
    pub count: u32,
    /// Median in seconds; `null` without samples.
    pub median_seconds: Option<i64>,
    /// 90th percentile in seconds (nearest rank); `null` without samples.
    pub p90_seconds: Option<i64>,
}

/// One missed deadline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaBreachView {
    /// The incident.
    #[schema(value_type = String, example = "INC-000042")]
    pub incident: IncidentId,
    /// The provider at fault.
    #[schema(value_type = String)]
    pub provider: ProviderId,
    /// The lot.
    #[schema(value_type = String)]
    pub lot: LotId,
    /// `acceptance`, `first_contact`, `remote_start`, `on_site` or `resolve`.
    #[schema(value_type = String)]
    pub window: WindowKind,
    /// The deadline that passed (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub due: DateTime<Utc>,
    /// When the measured milestone was reached after all; `null` if it was not (yet).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<DateTime<Utc>>,
}

impl From<SlaReport> for SlaReportView {
    fn from(r: SlaReport) -> Self {
        let SlaReport {
            as_of,
            rows,
            breaches,
        } = r;
        SlaReportView {
            as_of,
            rows: rows.into_iter().map(SlaRowView::from).collect(),
            breaches: breaches.into_iter().map(SlaBreachView::from).collect(),
        }
    }
}

impl From<SlaRow> for SlaRowView {
    fn from(r: SlaRow) -> Self {
        let SlaRow {
            provider,
            lot,
            met,
            breached,
            running,
            cancelled,
            percent_met,
            time_to_accept,
            time_to_first_contact,
            time_to_on_site,
        } = r;
        SlaRowView {
            provider,
            lot,
            met,
            breached,
            running,
            cancelled,
            percent_met,
            time_to_accept: time_to_accept.into(),
            time_to_first_contact: time_to_first_contact.into(),
            time_to_on_site: time_to_on_site.into(),
        }
    }
}

impl From<DurationStats> for DurationStatsView {
    fn from(s: DurationStats) -> Self {
        let DurationStats {
            count,
            median_seconds,
            p90_seconds,
        } = s;
        DurationStatsView {
            count,
            median_seconds,
            p90_seconds,
        }
    }
}

impl From<SlaBreach> for SlaBreachView {
    fn from(b: SlaBreach) -> Self {
        let SlaBreach {
            incident,
            provider,
            lot,
            window,
            due,
            at,
        } = b;
        SlaBreachView {
            incident,
            provider,
            lot,
            window,
            due,
            at,
        }
    }
}

/// Incident counts by state, severity, category and Regierungsbezirk, and the
/// response-time figures MTTA and MTTR.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentStatisticsView {
    /// The instant the report describes: the server's now (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub as_of: DateTime<Utc>,
    /// Number of incidents reported.
    pub total: u32,
    /// By lifecycle state, in lifecycle order (only states that occur).
    pub by_state: Vec<CountRowView>,
    /// By severity, highest first; `untriaged` for incidents without one.
    pub by_severity: Vec<CountRowView>,
    /// By category, in the order of the category list.
    pub by_category: Vec<CountRowView>,
    /// By the body's Regierungsbezirk code (`059`; `none` when the register has none).
    pub by_regierungsbezirk: Vec<CountRowView>,
    /// Time to acknowledge: report → accepted by a provider (wall-clock seconds).
    pub mtta: DurationStatsView,
    /// Time to recover: report → recovered (wall-clock seconds).
    pub mttr: DurationStatsView,
}

/// One count of a breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountRowView {
    /// The value counted (`closed`, `critical`, `ransomware`, `059`, …).
    pub key: String,
    /// Number of incidents.
    pub incidents: u32,
}

impl From<IncidentStatistics> for IncidentStatisticsView {
    fn from(s: IncidentStatistics) -> Self {
        let IncidentStatistics {
            as_of,
            total,
            by_state,
            by_severity,
            by_category,
            by_regierungsbezirk,
            mtta,
            mttr,
        } = s;
        let rows = |rows: Vec<CountRow>| rows.into_iter().map(CountRowView::from).collect();
        IncidentStatisticsView {
            as_of,
            total,
            by_state: rows(by_state),
            by_severity: rows(by_severity),
            by_category: rows(by_category),
            by_regierungsbezirk: rows(by_regierungsbezirk),
            mtta: mtta.into(),
            mttr: mttr.into(),
        }
    }
}

impl From<CountRow> for CountRowView {
    fn from(r: CountRow) -> Self {
        let CountRow { key, incidents } = r;
        CountRowView { key, incidents }
    }
}

/// The reporting duties (NIS2, GDPR) of every incident that carries one, and the totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutiesReportView {
    /// The instant the report describes: the server's now (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub as_of: DateTime<Utc>,
    /// Incidents that carry at least one duty, by id.
    pub incidents: Vec<IncidentDutiesView>,
    /// Counts over all incidents.
    pub total: DutyCountsView,
}

/// The duties of one incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentDutiesView {
    /// The incident.
    #[schema(value_type = String, example = "INC-000042")]
    pub incident: IncidentId,
    /// The body's register key.
    pub body: String,
    /// The body's name (empty if the register does not know it).
    pub body_name: String,
    /// Counts by state.
    pub counts: DutyCountsView,
    /// Every duty with its deadline and state.
    pub duties: Vec<DutyView>,
}

/// Duties by state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyCountsView {
    /// Not submitted, deadline not passed (or not yet known).
    pub open: u32,
    /// Submitted in time.
    pub submitted: u32,
    /// Submitted after the deadline.
    pub submitted_late: u32,
    /// Not submitted and the deadline passed.
    pub overdue: u32,
}

impl From<DutiesReport> for DutiesReportView {
    fn from(r: DutiesReport) -> Self {
        let DutiesReport {
            as_of,
            incidents,
            total,
        } = r;
        DutiesReportView {
            as_of,
            incidents: incidents
                .into_iter()
                .map(IncidentDutiesView::from)
                .collect(),
            total: total.into(),
        }
    }
}

impl From<IncidentDuties> for IncidentDutiesView {
    fn from(i: IncidentDuties) -> Self {
        let IncidentDuties {
            incident,
            body,
            body_name,
            counts,
            duties,
        } = i;
        IncidentDutiesView {
            incident,
            body,
            body_name,
            counts: counts.into(),
            duties: duties.into_iter().map(DutyView::from).collect(),
        }
    }
}

impl From<DutyCounts> for DutyCountsView {
    fn from(c: DutyCounts) -> Self {
        let DutyCounts {
            open,
            submitted,
            submitted_late,
            overdue,
        } = c;
        DutyCountsView {
            open,
            submitted,
            submitted_late,
            overdue,
        }
    }
}
