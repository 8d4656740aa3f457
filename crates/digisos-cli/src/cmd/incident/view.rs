//! What `incident list|show|events` print: view structs for `--json` (money as decimal
//! strings, times RFC 3339) and their table forms.

use crate::cmd::args::name_of;
use crate::cmd::describe::EventView;
use crate::cmd::table::{self, Listing, instant, opt};
use chrono::{DateTime, Utc};
use digisos_core::duties::Nis2Class;
use digisos_core::ids::{LotId, ProviderId};
use digisos_core::incident::IncidentState;
use digisos_core::incident::{Incident, IncidentCategory, IncidentId, Milestone};
use digisos_core::ledger::{CallOffId, Reservation, ReservationState};
use digisos_core::money::Money;
use digisos_core::programme::Programme;
use digisos_core::register::{BodyKey, Register};
use digisos_core::sla::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of `incident list`; read from the API's incident representation in remote
/// mode (the body's name is looked up separately).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct IncidentRow {
    pub(crate) id: IncidentId,
    pub(crate) body: String,
    #[serde(default)]
    pub(crate) body_name: Option<String>,
    state: IncidentState,
    waiting_for_body: bool,
    severity: Option<Severity>,
    lot: Option<LotId>,
    provider: Option<ProviderId>,
    reported_at: DateTime<Utc>,
    title: String,
}

impl IncidentRow {
    /// The row of `i`, with the body's name from the register.
    pub(crate) fn new(i: &Incident, body_name: Option<String>) -> IncidentRow {
        IncidentRow {
            id: i.id.clone(),
            body: i.body.clone(),
            body_name,
            state: i.state(),
            waiting_for_body: i.lifecycle.waiting,
            severity: i.severity,
            lot: i.lot.clone(),
            provider: i.provider.clone(),
            reported_at: i.reported_at,
            title: i.title.clone(),
        }
    }
}

/// The rows as a table or CSV.
pub(crate) fn listing(rows: &[IncidentRow]) -> Listing {
    let mut l = Listing::new(vec![
        "id", "body", "name", "state", "severity", "lot", "provider", "reported", "title",
    ]);
    for r in rows {
        let state = if r.waiting_for_body {
            format!("{} (waiting)", r.state)
        } else {
            r.state.as_str().to_string()
        };
        l.push(vec![
            r.id.to_string(),
            r.body.clone(),
            r.body_name.clone().unwrap_or_default(),
            state,
            opt(r.severity),
            opt(r.lot.as_ref()),
            opt(r.provider.as_ref()),
            instant(r.reported_at),
            r.title.clone(),
        ]);
    }
    l
}

/// The call-off's reservation, as `incident show` prints it.
#[derive(Debug, Serialize)]
struct CallOffView {
    id: CallOffId,
    state: ReservationState,
    person_days: Option<rust_decimal::Decimal>,
    reserved: Money,
    pending_raise: Option<Money>,
    posted: Money,
    released: Money,
}

/// Everything `incident show` prints.
#[derive(Debug, Serialize)]
pub(crate) struct IncidentView {
    id: IncidentId,
    body: String,
    body_name: Option<String>,
    title: String,
    description: String,
    category: IncidentCategory,
    state: &'static str,
    waiting_for_body: bool,
    severity: Option<Severity>,
    lot: Option<LotId>,
    provider: Option<ProviderId>,
    offered_to: Vec<ProviderId>,
    call_off: Option<CallOffView>,
    aware_at: DateTime<Utc>,
    reported_at: DateTime<Utc>,
    affected_services: Vec<String>,
    personal_data: bool,
    nis2: Nis2Class,
    on_site_needed: bool,
    milestones: BTreeMap<Milestone, DateTime<Utc>>,
    rejection_reasons: Vec<String>,
    final_report_ref: Option<String>,
    time_entries: usize,
}

impl IncidentView {
    /// The view of `i` with its call-off from the programme's ledger and the body's name
    /// from its register.
    pub(crate) fn of(p: &Programme, i: &Incident) -> IncidentView {
        let reservation = i
            .call_off
            .as_ref()
            .and_then(|id| p.ledger().reservation(id));
        IncidentView::new(i, reservation, body_name(p.register(), &i.body))
    }

    /// The view of `i` with the reservation of its call-off and the body's name.
    pub(crate) fn new(
        i: &Incident,
        reservation: Option<&Reservation>,
        body_name: Option<String>,
    ) -> IncidentView {
        let call_off = i.call_off.as_ref().and_then(|id| {
            reservation.map(|r| CallOffView {
                id: id.clone(),
                state: r.state,
                person_days: r.person_days,
                reserved: r.amount,
                pending_raise: r.pending_raise,
                posted: r.posted,
                released: r.released,
            })
        });
        IncidentView {
            id: i.id.clone(),
            body: i.body.clone(),
            body_name,
            title: i.title.clone(),
            description: i.description.clone(),
            category: i.category,
            state: i.state().as_str(),
            waiting_for_body: i.lifecycle.waiting,
            severity: i.severity,
            lot: i.lot.clone(),
            provider: i.provider.clone(),
            offered_to: i.offered_to.clone(),
            call_off,
            aware_at: i.aware_at,
            reported_at: i.reported_at,
            affected_services: i.affected_services.clone(),
            personal_data: i.personal_data,
            nis2: i.nis2,
            on_site_needed: i.on_site_needed,
            milestones: i.milestones.clone(),
            rejection_reasons: i.rejection_reasons.clone(),
            final_report_ref: i.final_report_ref.clone(),
            time_entries: i.time_entries.len(),
        }
    }

    /// The view as a field/value table.
    pub(crate) fn human(&self) -> String {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        let body = match &self.body_name {
            Some(n) => format!("{} ({n})", self.body),
            None => self.body.clone(),
        };
        let mut rows: Vec<(&str, String)> = vec![
            ("incident", self.id.to_string()),
            ("body", body),
            ("title", self.title.clone()),
            ("category", name_of(&self.category)),
            ("state", self.state.to_string()),
            ("waiting for the body", yes_no(self.waiting_for_body)),
            ("severity", opt(self.severity)),
            ("lot", opt(self.lot.as_ref())),
            ("provider", opt(self.provider.as_ref())),
            ("offered to", join(&self.offered_to)),
            ("aware at", instant(self.aware_at)),
            ("reported at", instant(self.reported_at)),
            ("affected services", join(&self.affected_services)),
            ("personal data", yes_no(self.personal_data)),
            ("NIS2 class", name_of(&self.nis2)),
            ("on-site help", yes_no(self.on_site_needed)),
        ];
        if !self.description.is_empty() {
            rows.insert(3, ("description", self.description.clone()));
        }
        if let Some(c) = &self.call_off {
            rows.push(("call-off", format!("{} ({})", c.id, name_of(&c.state))));
            if let Some(d) = c.person_days {
                rows.push(("estimate", format!("{d} person-days")));
            }
            rows.push(("reserved", format!("{} EUR", c.reserved)));
            if let Some(r) = c.pending_raise {
                rows.push(("pending raise", format!("{r} EUR")));
            }
            rows.push(("posted", format!("{} EUR", c.posted)));
            rows.push(("released", format!("{} EUR", c.released)));
        }
        for (m, at) in &self.milestones {
            rows.push((milestone_label(*m), instant(*at)));
        }
        if !self.rejection_reasons.is_empty() {
            rows.push(("rejected because", self.rejection_reasons.join("; ")));
        }
        if let Some(r) = &self.final_report_ref {
            rows.push(("final report", r.clone()));
        }
        rows.push(("time entries", self.time_entries.to_string()));
        table::fields(&rows)
    }
}

/// The events of one incident as a table.
pub(crate) fn events_table(views: &[EventView<'_>]) -> String {
    let mut l = Listing::new(vec!["#", "at", "by", "event"]);
    for v in views {
        l.push(vec![
            v.position.to_string(),
            instant(v.at),
            v.actor.clone(),
            v.summary.clone(),
        ]);
    }
    l.to_table("no events")
}

fn milestone_label(m: Milestone) -> &'static str {
    match m {
        Milestone::Triaged => "triaged at",
        Milestone::Dispatched => "dispatched at",
        Milestone::Accepted => "accepted at",
        Milestone::FirstContact => "first contact at",
        Milestone::RemoteStart => "remote start at",
        Milestone::OnSite => "on site at",
        Milestone::Contained => "contained at",
        Milestone::Recovered => "recovered at",
        Milestone::Ended => "ended at",
    }
}

fn join<T: ToString>(items: &[T]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The name of the body `key` in `register`, if it is registered.
pub(crate) fn body_name(register: &Register, key: &str) -> Option<String> {
    let key: BodyKey = key.parse().ok()?;
    register.get(&key).map(|b| b.name.clone())
}
