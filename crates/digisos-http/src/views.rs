//! JSON representations of core state for responses (RFC 3339 UTC instants, money as
//! decimal strings). Pure translation: nothing here decides.

use chrono::{DateTime, Utc};
use digisos_core::calendar::Calendars;
use digisos_core::incident::{Incident, ProviderClock};
use digisos_core::service::Recorded;
use serde_json::{Value, json};

/// The representation of one incident.
pub fn incident(i: &Incident) -> Value {
    json!({
        "id": i.id,
        "version": i.version,
        "body": i.body,
        "title": i.title,
        "description": i.description,
        "category": i.category,
        "state": i.state(),
        "waiting_for_body": i.lifecycle.waiting,
        "severity": i.severity,
        "lot": i.lot,
        "provider": i.provider,
        "offered_to": i.offered_to,
        "call_off": i.call_off,
        "aware_at": i.aware_at,
        "reported_at": i.reported_at,
        "affected_services": i.affected_services,
        "personal_data": i.personal_data,
        "nis2": i.nis2,
        "on_site_needed": i.on_site_needed,
        "milestones": i.milestones,
        "rejection_reasons": i.rejection_reasons,
        "final_report_ref": i.final_report_ref,
        "posted": i.posted(),
        "time_entries": i.time_entries.len(),
    })
}

/// One event of an incident's stream, with its log position.
pub fn event(r: &Recorded) -> Value {
    json!({ "position": r.position, "event": r.event })
}

/// Every SLA clock of an incident at `now`.
pub fn clocks(i: &Incident, now: DateTime<Utc>, calendars: &Calendars) -> Vec<Value> {
    i.clocks.iter().map(|c| clock(c, now, calendars)).collect()
}

fn clock(c: &ProviderClock, now: DateTime<Utc>, calendars: &Calendars) -> Value {
    let base = json!({
        "provider": c.provider,
        "window": c.clock.kind(),
        "stage": c.clock.stage(),
        "breached_at": c.clock.breached_at(),
    });
    let status = match c.clock.status(now, calendars) {
        Ok(s) => json!({
            "elapsed_seconds": s.elapsed.num_seconds(),
            "remaining_seconds": s.remaining.map(|r| r.num_seconds()),
            "percent": s.percent,
            "deadline": s.deadline,
        }),
        Err(e) => json!({ "status_error": e.to_string() }),
    };
    merge(base, status)
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

/// A page of items with the cursor of the next page (`null` on the last page).
pub fn page(items: Vec<Value>, next: Option<String>) -> Value {
    json!({ "items": items, "next_cursor": next })
}
