//! The load's world: the example NRW contract (optionally with limits raised so that a
//! long run never exhausts it), the example register, and which lot serves which body.

use chrono::{DateTime, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::ids::LotId;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Rejection};
use digisos_core::service::{Recorded, Service, Store};

/// The example contract (TOML).
pub const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
/// The example register (CSV).
pub const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");

/// Bodies that report in the load, each with the lot serving its Regierungsbezirk.
pub const BODIES: &[(&str, &str)] = &[
    ("05966", "los-2-westfalen"),
    ("05970040", "los-2-westfalen"),
    ("05913000", "los-2-westfalen"),
    ("05315000", "los-1-rheinland"),
    ("05111000", "los-1-rheinland"),
    ("05334002", "los-1-rheinland"),
];

/// A start instant inside the contract term: Monday 6 October 2025, 08:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Which limits the load's contract has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limits {
    /// The example contract as it is (a long run exhausts the per-body cap).
    Example,
    /// Maximum, lot ceilings and the per-body cap raised far beyond any run.
    Unbounded,
}

/// Why the load could not be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The example contract or register did not parse.
    #[error("the example data does not parse: {0}")]
    Example(String),
    /// The domain refused a set-up command.
    #[error("set-up refused: {0}")]
    Refused(#[from] Rejection),
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
}

/// The example contract, with `limits` applied.
pub fn contract(limits: Limits) -> Result<ContractSpec, LoadError> {
    let bad = |e: &dyn std::fmt::Display| LoadError::Example(e.to_string());
    let mut doc: toml::Table = toml::from_str(CONTRACT).map_err(|e| bad(&e))?;
    if limits == Limits::Unbounded {
        let huge = toml::Value::from("900000000000.00");
        let maximum = toml::Value::from("9000000000000.00");
        doc.insert("maximum_value".into(), maximum.clone());
        doc.insert("estimated_value".into(), maximum);
        if let Some(t) = doc.get_mut("limits").and_then(toml::Value::as_table_mut) {
            t.insert("per_body_year".into(), huge.clone());
        }
        if let Some(lots) = doc.get_mut("lots").and_then(toml::Value::as_array_mut) {
            for lot in lots.iter_mut().filter_map(toml::Value::as_table_mut) {
                lot.insert("ceiling".into(), huge.clone());
            }
        }
    }
    toml::Value::Table(doc).try_into().map_err(|e| bad(&e))
}

/// The lot serving `body` in the load.
pub fn lot_of(body: &str) -> Option<LotId> {
    BODIES
        .iter()
        .find(|(b, _)| *b == body)
        .and_then(|(_, l)| LotId::new(*l).ok())
}

/// Adopts the contract and imports the register unless a contract is already in force.
/// Returns the recorded events (none if the store was set up already).
pub fn set_up<S: Store>(
    service: &mut Service<S>,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<Vec<Recorded>, LoadError> {
    if service.state().contract().is_some() {
        return Ok(Vec::new());
    }
    let import = digisos_core::register::csv::parse(REGISTER)
        .map_err(|e| LoadError::Example(format!("{e:?}")))?;
    let batch = [
        Command::AdoptContract(Box::new(contract(limits)?)),
        Command::ImportRegister {
            source: "examples/nrw/register.csv".into(),
            import,
        },
    ]
    .map(|c| (c, Principal::coordinator()));
    let mut recorded = Vec::new();
    for outcome in service
        .execute_batch(&batch, now)
        .map_err(|e| LoadError::Store(e.to_string()))?
    {
        recorded.extend(outcome?);
    }
    Ok(recorded)
}
