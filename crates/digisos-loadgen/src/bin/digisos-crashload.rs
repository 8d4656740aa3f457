//! digisos-crashload: runs call-off load against a SQLite store until killed, printing
//! one line per acknowledged (committed) command to stdout, flushed at once:
//!
//! `ack <TAB> label <TAB> position stream kind[; position stream kind…]` — or
//! `rej <TAB> label <TAB> reason` for a command the domain refused (nothing written).
//!
//! Usage: `digisos-crashload sqlite://PATH` (or `postgres://…?schema=x`). On an empty
//! store it first adopts the example contract and imports the example register. The
//! crash-safety test kills it with SIGKILL at random points and restarts it.

use digisos_core::service::{Outcome, Service};
use digisos_loadgen::scenario::t0;
use digisos_loadgen::{Driver, Limits, set_up};
use digisos_store::ProgrammeLog;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: digisos-crashload STORE_URL");
        return ExitCode::from(2);
    };
    match run(&url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("digisos-crashload: {e}");
            ExitCode::from(3)
        }
    }
}

fn run(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut service = Service::open(ProgrammeLog::open(url)?)?;
    let mut out = std::io::stdout().lock();
    let now = |position: u64| t0() + chrono::TimeDelta::seconds(20 * position as i64);
    let at = now(service.position());
    let setup = set_up(&mut service, Limits::Example, at)?;
    if !setup.is_empty() {
        writeln!(out, "{}", line("set-up", &Ok(setup)))?;
        out.flush()?;
    }
    let mut driver = Driver::new(service.state(), 12);
    loop {
        let at = now(service.position());
        let size = fastrand::usize(1..=8);
        let steps = driver.next_batch(service.state(), at, size);
        let batch: Vec<_> = steps
            .iter()
            .map(|s| (s.command.clone(), s.by.clone()))
            .collect();
        let outcomes = service.execute_batch(&batch, at)?;
        // Committed: only now acknowledge.
        for (step, outcome) in steps.iter().zip(&outcomes) {
            writeln!(out, "{}", line(&step.label, outcome))?;
            driver.record(step, outcome);
        }
        out.flush()?;
    }
}

fn line(label: &str, outcome: &Outcome) -> String {
    match outcome {
        Ok(events) => {
            let events: Vec<String> = events
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.position,
                        r.event.stream(),
                        r.event.kind_name()
                    )
                })
                .collect();
            format!("ack\t{label}\t{}", events.join("; "))
        }
        Err(rejection) => format!("rej\t{label}\t{rejection}"),
    }
}
