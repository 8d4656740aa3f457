//! `digisos tick` and `digisos next-timeout`: the embedded timer. `tick` records whatever
//! fell due by `--now` (SLA warnings and breaches, missed acceptance windows with their
//! cascade, overdue reporting duties); `next-timeout` says when the next thing falls due.

use crate::cmd::describe::{self, EventView};
use crate::cmd::exec;
use crate::cmd::table::{instant, opt_instant};
use crate::{CliError, Ctx};
use chrono::{DateTime, Utc};
use digisos_core::duties::DutyEvent;
use digisos_core::incident::IncidentEventKind as E;
use digisos_core::programme::ProgrammeEvent;
use digisos_core::service::Recorded;
use digisos_core::sla::ClockEvent;
use serde::Serialize;

/// The answer of `tick`.
#[derive(Debug, Serialize)]
struct TickView<'a> {
    now: DateTime<Utc>,
    breaches: usize,
    cascades: usize,
    unserved: usize,
    overdue_duties: usize,
    events: Vec<EventView<'a>>,
    next_timeout: Option<DateTime<Utc>>,
}

/// Records everything due by `--now` and prints it. Fails with exit 3 if the store fails.
pub(crate) fn tick(ctx: &Ctx) -> Result<(), CliError> {
    let mut service = ctx.open_service()?;
    let recorded = service.tick(ctx.now).map_err(exec::store_error)?;
    let count = |f: fn(&E) -> bool| {
        recorded
            .iter()
            .filter(
                |r| matches!(&r.event, ProgrammeEvent::Incident { event, .. } if f(&event.kind)),
            )
            .count()
    };
    let view = TickView {
        now: ctx.now,
        breaches: count(|k| {
            matches!(
                k,
                E::Sla {
                    event: ClockEvent::Breached { .. },
                    ..
                }
            )
        }),
        cascades: count(|k| matches!(k, E::AcceptanceWindowMissed { next: Some(_), .. })),
        unserved: count(|k| matches!(k, E::AcceptanceWindowMissed { next: None, .. })),
        overdue_duties: count(|k| matches!(k, E::Duty(DutyEvent::Overdue { .. }))),
        events: recorded.iter().map(describe::view).collect(),
        next_timeout: service.next_timeout(),
    };
    ctx.print(&view, || human(&view, &recorded))
}

fn human(v: &TickView<'_>, recorded: &[Recorded]) -> String {
    let mut s = if recorded.is_empty() {
        format!("nothing was due by {}\n", instant(v.now))
    } else {
        format!(
            "recorded {} event(s) due by {}: {} breach(es), {} cascade(s), {} unserved, {} overdue duty(ies)\n",
            recorded.len(),
            instant(v.now),
            v.breaches,
            v.cascades,
            v.unserved,
            v.overdue_duties
        )
    };
    for line in describe::lines(recorded, None).lines() {
        s.push_str(&format!("  {line}\n"));
    }
    s.push_str(&format!("next timeout: {}\n", opt_instant(v.next_timeout)));
    s
}

/// The answer of `next-timeout`.
#[derive(Debug, Serialize)]
struct NextView {
    next_timeout: Option<DateTime<Utc>>,
}

/// Prints the next instant at which `tick` has something to record.
pub(crate) fn next_timeout(ctx: &Ctx) -> Result<(), CliError> {
    let service = ctx.open_service()?;
    let view = NextView {
        next_timeout: service.next_timeout(),
    };
    ctx.print(&view, || match view.next_timeout {
        Some(t) => format!("{}\n", instant(t)),
        None => "nothing is due: no clock or duty is open\n".to_string(),
    })
}
