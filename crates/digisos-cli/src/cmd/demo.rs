//! `digisos demo [--seed N]`: a fresh data directory with the example NRW contract (in a
//! clearly labelled demo variant) and register, then a deterministic replay of a wave
//! modelled on the Südwestfalen-IT attack of 29/30 October 2023, ending with the
//! utilisation and SLA reports. The same seed and `--now` give byte-identical output.

mod plan;
mod wave;

use crate::cmd::report::{self, FormatArgs, ReportCommand, grid::money};
use crate::{CliError, Ctx};
use chrono::{DateTime, Days, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use clap::Args;
use digisos_core::contract::ContractSpec;
use digisos_core::ids::{ContractId, LotId};
use digisos_core::money::Money;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::register::{self, Register};
use digisos_core::validation::Problem;
use rust_decimal::Decimal;
use std::fmt::Write as _;

const CONTRACT: &str = include_str!("../../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../../examples/nrw/register.csv");

/// The night of the attack: Monday 30 October 2023, 03:00 CET.
const ATTACK: &str = "2023-10-30T03:00:00+01:00";

/// Days the story runs.
const STORY_DAYS: u64 = 7;

/// Lot ceiling of the demo variant per affected body, EUR.
const CEILING_PER_BODY: i64 = 30_000;

/// Options of the demo.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Seed of the wave's random choices (report times, estimates, response times).
    #[arg(long, default_value_t = 2023)]
    seed: u64,
}

/// Runs the demo in the (new or empty) data directory. `start` is `--now` if given:
/// the instant the shared provider goes down (default: the night of the real attack).
pub(crate) fn run(args: DemoArgs, start: Option<DateTime<Utc>>, ctx: &Ctx) -> Result<(), CliError> {
    refuse_used_directory(ctx)?;
    let invalid = |e: String| CliError::Invalid(vec![Problem::new("examples/nrw", e)]);
    let mut spec: ContractSpec = toml::from_str(CONTRACT).map_err(|e| invalid(e.to_string()))?;
    let import = register::csv::parse(REGISTER).map_err(|e| invalid(format!("{e:?}")))?;
    let mut register = Register::new();
    register
        .apply_import(import.clone())
        .map_err(CliError::Invalid)?;

    let attack = start.unwrap_or_else(|| {
        DateTime::parse_from_rfc3339(ATTACK).map_or(DateTime::<Utc>::MIN_UTC, |t| t.to_utc())
    });
    let t0 = within_term(attack, &spec).ok_or_else(|| {
        CliError::Usage(format!(
            "no instant on the same weekday and time near {attack} lies within the contract term {} to {}; give --now inside the term",
            spec.term.start, spec.term.end
        ))
    })?;
    let mut rng = plan::Rng::new(args.seed);
    let cast = plan::cast(&register, t0, &mut rng);
    let lot = LotId::new(wave::LOT).map_err(|e| invalid(e.to_string()))?;
    let (old_ceiling, ceiling) = demo_variant(&mut spec, &lot, cast.len());

    let mut out = String::new();
    let _ = writeln!(
        out,
        "digisos demo: a wave like the Südwestfalen-IT attack (seed {})",
        args.seed
    );
    let _ = writeln!(
        out,
        "In the night of 29/30 October 2023 ransomware hit Südwestfalen-IT, the shared IT provider of\n\
         72 municipalities in Südwestfalen; their administrations went dark within hours."
    );
    if t0 != attack {
        let _ = writeln!(
            out,
            "The example contract runs {} to {}, so the story is moved to the same weekday and time:\n\
             {} instead of {}.",
            spec.term.start,
            spec.term.end,
            local(t0),
            local(attack)
        );
    }
    let _ = writeln!(
        out,
        "DEMO VARIANT of examples/nrw/contract.toml (not the contract as written): contract id {},\n\
         ceiling of lot {lot} lowered from {} to {} EUR ({} EUR for each of the {} affected bodies),\n\
         so that one wave reaches its warning levels.",
        spec.id,
        old_ceiling.map_or_else(|| "none".to_string(), money),
        money(ceiling),
        money(Money::euro(CEILING_PER_BODY.unsigned_abs())),
        cast.len()
    );
    let _ = writeln!(out, "Data directory: {}\n", ctx.data.display());
    crate::output::out!("{out}");

    let mut service = ctx.open_service()?;
    if service.position() > 0 {
        return Err(CliError::Usage(format!(
            "the store {} already holds {} events; the demo needs an empty one",
            ctx.store_url(),
            service.position()
        )));
    }
    let coordinator = Principal::coordinator();
    let setup = t0 - TimeDelta::days(1);
    let commands = [
        Command::AdoptContract(Box::new(spec)),
        Command::ImportRegister {
            source: "examples/nrw/register.csv".into(),
            import,
        },
    ];
    for command in commands {
        service
            .execute(&command, &coordinator, setup)
            .map_err(|e| CliError::Store(e.to_string()))?
            .map_err(|r| CliError::Rejected(r.to_string()))?;
    }

    let end = t0 + TimeDelta::days(i64::try_from(STORY_DAYS).unwrap_or(7));
    let bodies = cast.len();
    let mut wave = wave::Wave::new(&mut service, lot, cast, rng);
    wave.run(end).map_err(|e| CliError::Store(e.to_string()))?;
    let closed = wave.closed();
    crate::output::out!("{}", wave.out);

    let state = service.state();
    crate::output::outln!(
        "\nBy {}: {} incidents reported by {bodies} bodies, {closed} closed.\n",
        local(end),
        state.incidents().len()
    );
    let ctx = Ctx {
        now: end,
        ..ctx.clone()
    };
    let table = FormatArgs::default();
    crate::output::out!(
        "{}",
        report::print(&ReportCommand::Utilisation(table), state, &ctx)
    );
    crate::output::outln!();
    let sla = ReportCommand::Sla {
        format: table,
        breaches: false,
    };
    crate::output::out!("{}", report::print(&sla, state, &ctx));
    Ok(())
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Refuses a data directory that exists and is not empty (with the default store).
fn refuse_used_directory(ctx: &Ctx) -> Result<(), CliError> {
    if ctx.store.is_some() || !ctx.data.exists() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(&ctx.data).map_err(CliError::io(format!(
        "reading the data directory {}",
        ctx.data.display()
    )))?;
    if entries.next().is_some() {
        return Err(CliError::Usage(format!(
            "the data directory {} is not empty; the demo needs a new or empty one (e.g. --data ./digisos-demo)",
            ctx.data.display()
        )));
    }
    Ok(())
}

/// `attack`, or the nearest instant on the same weekday and local time (whole 52-week
/// steps) from which the story's days lie within the contract term.
fn within_term(attack: DateTime<Utc>, spec: &ContractSpec) -> Option<DateTime<Utc>> {
    let local_time: NaiveDateTime = attack.with_timezone(&Berlin).naive_local();
    let fits = |t: NaiveDateTime| {
        let first = t.date();
        first >= spec.term.start
            && first
                .checked_add_days(Days::new(STORY_DAYS + 1))
                .is_some_and(|last| last <= spec.term.end)
    };
    (0..=30u64)
        .flat_map(|k| [(k, true), (k, false)])
        .filter_map(|(k, forward)| {
            let days = Days::new(364 * k);
            if forward {
                local_time.checked_add_days(days)
            } else {
                local_time.checked_sub_days(days)
            }
        })
        .find(|t| fits(*t))
        .and_then(|t| Berlin.from_local_datetime(&t).earliest())
        .map(|t| t.to_utc())
}

/// Turns the example contract into the labelled demo variant: its own id and title, and
/// a ceiling of [`CEILING_PER_BODY`] per affected body for `lot`. Returns the old and new
/// ceiling.
fn demo_variant(spec: &mut ContractSpec, lot: &LotId, bodies: usize) -> (Option<Money>, Money) {
    if let Ok(id) = ContractId::new(format!("{}-demo", spec.id)) {
        spec.id = id;
    }
    spec.title = format!("{} — DEMO-VARIANTE (Los-2-Deckel abgesenkt)", spec.title);
    let bodies = i64::try_from(bodies).unwrap_or(i64::MAX).max(1);
    let ceiling = Decimal::from(bodies.saturating_mul(CEILING_PER_BODY));
    let mut old = None;
    if let Some(l) = spec.lots.iter_mut().find(|l| &l.id == lot) {
        old = l.ceiling.and_then(|c| Money::new(c).ok());
        l.ceiling = Some(ceiling);
    }
    (old, Money::new(ceiling).unwrap_or(Money::ZERO))
}
