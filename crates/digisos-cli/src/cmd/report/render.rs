//! Each report as grids: for tables (grouped money, readable durations, local times) and
//! for CSV (plain decimals, seconds, RFC 3339 instants). Formatting only, no figures.

use super::grid::{Grid, duration, local, money, money_csv, money_or_dash, opt};
use digisos_core::reports::{
    CountRow, DurationStats, DutiesReport, IncidentStatistics, SlaReport, UtilisationReport,
    region_name,
};

const NAME_WIDTH: usize = 34;

fn short(name: &str) -> String {
    if name.chars().count() <= NAME_WIDTH {
        name.to_string()
    } else {
        let cut: String = name.chars().take(NAME_WIDTH - 1).collect();
        format!("{cut}…")
    }
}

fn percent(p: Option<rust_decimal::Decimal>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p} %"))
}

fn levels(levels: &[u8]) -> String {
    levels
        .iter()
        .map(|l| format!("{l} %"))
        .collect::<Vec<_>>()
        .join(", ")
}

const UTILISATION: [&str; 11] = [
    "scope",
    "key",
    "name",
    "call-offs",
    "limit",
    "reserved",
    "posted",
    "released",
    "remaining",
    "used",
    "warnings",
];

/// The utilisation report as one table.
pub(crate) fn utilisation_table(r: &UtilisationReport) -> Vec<Grid> {
    let exhausted = if r.exhausted {
        " — FRAMEWORK EXHAUSTED (maximum value reached)"
    } else {
        ""
    };
    let title = format!(
        "Utilisation of {} as of {} (EUR net){exhausted}",
        r.contract.as_deref().unwrap_or("(no contract)"),
        local(r.as_of)
    );
    let mut g = Grid::new(title, &UTILISATION, &[3, 4, 5, 6, 7, 8, 9]);
    for l in &r.lines {
        g.push(vec![
            l.scope.as_str().to_string(),
            l.key.clone(),
            short(&l.name),
            l.call_offs.to_string(),
            money_or_dash(l.limit),
            money(l.reserved),
            money(l.posted),
            money(l.released),
            money_or_dash(l.remaining),
            percent(l.percent),
            levels(&l.warnings_reached),
        ]);
    }
    vec![g]
}

/// The utilisation report as CSV.
pub(crate) fn utilisation_csv(r: &UtilisationReport) -> Grid {
    let mut g = Grid::new("", &UTILISATION, &[]);
    for l in &r.lines {
        g.push(vec![
            l.scope.as_str().to_string(),
            l.key.clone(),
            l.name.clone(),
            l.call_offs.to_string(),
            money_csv(l.limit),
            l.reserved.to_string(),
            l.posted.to_string(),
            l.released.to_string(),
            money_csv(l.remaining),
            opt(l.percent),
            l.warnings_reached
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(";"),
        ]);
    }
    g
}

const SLA: [&str; 13] = [
    "provider",
    "lot",
    "met",
    "breached",
    "running",
    "cancelled",
    "met %",
    "accept median",
    "accept p90",
    "first contact median",
    "first contact p90",
    "on-site median",
    "on-site p90",
];

const BREACHES: [&str; 6] = ["incident", "provider", "lot", "window", "due", "reached"];

/// The SLA report as two tables: attainment per provider and lot, and the breaches.
pub(crate) fn sla_table(r: &SlaReport) -> Vec<Grid> {
    let title = format!("SLA attainment as of {}", local(r.as_of));
    let mut rows = Grid::new(title, &SLA, &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for x in &r.rows {
        let times = |d: &DurationStats| [duration(d.median_seconds), duration(d.p90_seconds)];
        let mut row = vec![
            x.provider.to_string(),
            x.lot.to_string(),
            x.met.to_string(),
            x.breached.to_string(),
            x.running.to_string(),
            x.cancelled.to_string(),
            percent(x.percent_met),
        ];
        row.extend(times(&x.time_to_accept));
        row.extend(times(&x.time_to_first_contact));
        row.extend(times(&x.time_to_on_site));
        rows.push(row);
    }
    vec![rows, breaches(r, true)]
}

/// The SLA breaches as a grid (tables: local times; CSV: RFC 3339).
pub(crate) fn breaches(r: &SlaReport, table: bool) -> Grid {
    let title = if table {
        format!("SLA breaches ({})", r.breaches.len())
    } else {
        String::new()
    };
    let at = |t: chrono::DateTime<chrono::Utc>| if table { local(t) } else { t.to_rfc3339() };
    let mut g = Grid::new(title, &BREACHES, &[]);
    for b in &r.breaches {
        g.push(vec![
            b.incident.to_string(),
            b.provider.to_string(),
            b.lot.to_string(),
            b.window.to_string(),
            at(b.due),
            b.at.map_or_else(|| if table { "—".into() } else { String::new() }, at),
        ]);
    }
    g
}

/// The SLA attainment per provider and lot as CSV (durations in seconds).
pub(crate) fn sla_csv(r: &SlaReport) -> Grid {
    const HEADERS: [&str; 13] = [
        "provider",
        "lot",
        "met",
        "breached",
        "running",
        "cancelled",
        "percent_met",
        "accept_median_s",
        "accept_p90_s",
        "first_contact_median_s",
        "first_contact_p90_s",
        "on_site_median_s",
        "on_site_p90_s",
    ];
    let mut g = Grid::new("", &HEADERS, &[]);
    for x in &r.rows {
        let times = |d: &DurationStats| [opt(d.median_seconds), opt(d.p90_seconds)];
        let mut row = vec![
            x.provider.to_string(),
            x.lot.to_string(),
            x.met.to_string(),
            x.breached.to_string(),
            x.running.to_string(),
            x.cancelled.to_string(),
            opt(x.percent_met),
        ];
        row.extend(times(&x.time_to_accept));
        row.extend(times(&x.time_to_first_contact));
        row.extend(times(&x.time_to_on_site));
        g.push(row);
    }
    g
}

fn count_rows(s: &IncidentStatistics) -> [(&'static str, &[CountRow]); 4] {
    [
        ("state", &s.by_state),
        ("severity", &s.by_severity),
        ("category", &s.by_category),
        ("regierungsbezirk", &s.by_regierungsbezirk),
    ]
}

fn region_label(dimension: &str, key: &str) -> String {
    match (dimension, region_name(key)) {
        ("regierungsbezirk", Some(name)) => format!("{key} ({name})"),
        _ => key.to_string(),
    }
}

/// Incident statistics as two tables: the counts, and MTTA/MTTR.
pub(crate) fn incidents_table(s: &IncidentStatistics) -> Vec<Grid> {
    let title = format!("Incidents as of {}: {} reported", local(s.as_of), s.total);
    let mut counts = Grid::new(title, &["dimension", "key", "incidents"], &[2]);
    for (dimension, rows) in count_rows(s) {
        for c in rows {
            counts.push(vec![
                dimension.to_string(),
                region_label(dimension, &c.key),
                c.incidents.to_string(),
            ]);
        }
    }
    let mut times = Grid::new(
        "Response times (from the report)",
        &["metric", "incidents", "median", "p90"],
        &[1, 2, 3],
    );
    for (name, d) in [
        ("MTTA (report → accepted)", &s.mtta),
        ("MTTR (report → recovered)", &s.mttr),
    ] {
        times.push(vec![
            name.to_string(),
            d.count.to_string(),
            duration(d.median_seconds),
            duration(d.p90_seconds),
        ]);
    }
    vec![counts, times]
}

/// Incident statistics as one CSV table: the counts, then `mtta` and `mttr` rows with
/// the number of incidents measured and median and p90 in seconds.
pub(crate) fn incidents_csv(s: &IncidentStatistics) -> Grid {
    let headers = ["dimension", "key", "incidents", "median_s", "p90_s"];
    let mut g = Grid::new("", &headers, &[]);
    for (dimension, rows) in count_rows(s) {
        for c in rows {
            let cells = [dimension, &c.key, &c.incidents.to_string(), "", ""];
            g.push(cells.iter().map(ToString::to_string).collect());
        }
    }
    for (name, d) in [("mtta", &s.mtta), ("mttr", &s.mttr)] {
        g.push(vec![
            name.to_string(),
            String::new(),
            d.count.to_string(),
            opt(d.median_seconds),
            opt(d.p90_seconds),
        ]);
    }
    g
}

const DUTIES: [&str; 8] = [
    "incident",
    "body",
    "name",
    "open",
    "submitted",
    "submitted late",
    "overdue",
    "overdue duties",
];

fn duty_rows(r: &DutiesReport, table: bool) -> Grid {
    let title = if table {
        format!("Reporting duties (NIS2, GDPR) as of {}", local(r.as_of))
    } else {
        String::new()
    };
    let mut g = Grid::new(title, &DUTIES, &[3, 4, 5, 6]);
    let name = |n: &str| if table { short(n) } else { n.to_string() };
    for i in &r.incidents {
        let overdue: Vec<String> = i
            .duties
            .iter()
            .filter(|d| d.state == digisos_core::duties::DutyState::Overdue)
            .map(|d| match (table, d.due) {
                (true, Some(due)) => format!("{} (due {})", d.kind, local(due)),
                _ => d.kind.to_string(),
            })
            .collect();
        g.push(vec![
            i.incident.to_string(),
            i.body.clone(),
            name(&i.body_name),
            i.counts.open.to_string(),
            i.counts.submitted.to_string(),
            i.counts.submitted_late.to_string(),
            i.counts.overdue.to_string(),
            overdue.join(if table { "\n" } else { ";" }),
        ]);
    }
    let t = r.total;
    g.push(vec![
        "total".to_string(),
        String::new(),
        String::new(),
        t.open.to_string(),
        t.submitted.to_string(),
        t.submitted_late.to_string(),
        t.overdue.to_string(),
        String::new(),
    ]);
    g
}

/// The reporting duties per incident with a total row, as a table.
pub(crate) fn duties_table(r: &DutiesReport) -> Vec<Grid> {
    vec![duty_rows(r, true)]
}

/// The reporting duties per incident with a total row, as CSV.
pub(crate) fn duties_csv(r: &DutiesReport) -> Grid {
    duty_rows(r, false)
}
