//! A lot of the contract: providers, rates, surcharges, call-off limits, SLA windows.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use digisos_core::contract::{CallOffLimits, Lot, ProviderSelection};
use digisos_core::ids::{CalendarId, LotId, ProviderId, RoleId};
use digisos_core::money::Money;
use digisos_core::sla::{Severity, WindowKind, WindowSpec, WindowStart};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// A lot (*Los*): ranked providers, rates, surcharges, limits and SLA windows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LotView {
    /// Lot id.
    #[schema(value_type = String)]
    pub id: LotId,
    /// Title.
    pub title: String,
    /// Scope of services.
    pub scope: String,
    /// Regierungsbezirke served (`053`); empty = the whole Land.
    pub regions: Vec<String>,
    /// Lot ceiling, net (decimal string, EUR); `null` when unlimited.
    #[schema(value_type = Option<String>)]
    pub ceiling: Option<Money>,
    /// Providers in rank order.
    #[schema(value_type = Vec<String>)]
    pub providers: Vec<ProviderId>,
    /// `cascade` (always the first-ranked first) or `rotation` (round robin).
    #[schema(value_type = String)]
    pub selection: ProviderSelection,
    /// Net hourly rates per rate-card role (decimal strings, EUR).
    #[schema(value_type = BTreeMap<String, String>)]
    pub rates: BTreeMap<RoleId, Money>,
    /// Hours of one person-day (decimal string).
    #[schema(value_type = String)]
    pub hours_per_day: Decimal,
    /// Role whose rate prices estimates in person-days.
    #[schema(value_type = String)]
    pub estimate_role: RoleId,
    /// Night surcharge in percent (decimal string).
    #[schema(value_type = String)]
    pub night_percent: Decimal,
    /// Night start, local time (`20:00:00`).
    #[schema(value_type = String, format = "partial-time")]
    pub night_from: NaiveTime,
    /// Night end, local time (`06:00:00`).
    #[schema(value_type = String, format = "partial-time")]
    pub night_to: NaiveTime,
    /// Weekend surcharge in percent (decimal string).
    #[schema(value_type = String)]
    pub weekend_percent: Decimal,
    /// Public holiday surcharge in percent (decimal string).
    #[schema(value_type = String)]
    pub holiday_percent: Decimal,
    /// Call-off limits.
    pub limits: CallOffLimitsView,
    /// SLA windows by severity (`low` … `critical`), then by window kind
    /// (`acceptance`, `first_contact`, `remote_start`, `on_site`, `resolve`).
    #[schema(value_type = BTreeMap<String, BTreeMap<String, WindowView>>)]
    pub sla: BTreeMap<Severity, BTreeMap<WindowKind, WindowView>>,
}

impl From<&Lot> for LotView {
    fn from(l: &Lot) -> Self {
        let Lot {
            id,
            title,
            scope,
            regions,
            ceiling,
            providers,
            selection,
            rates,
            hours_per_day,
            estimate_role,
            night_percent,
            night_from,
            night_to,
            weekend_percent,
            holiday_percent,
            limits,
            sla,
        } = l;
        let sla = sla
            .windows
            .iter()
            .map(|(severity, windows)| {
                let windows = windows.iter().map(|(k, w)| (*k, w.into())).collect();
                (*severity, windows)
            })
            .collect();
        LotView {
            id: id.clone(),
            title: title.clone(),
            scope: scope.clone(),
            regions: regions.clone(),
            ceiling: *ceiling,
            providers: providers.clone(),
            selection: *selection,
            rates: rates.clone(),
            hours_per_day: *hours_per_day,
            estimate_role: estimate_role.clone(),
            night_percent: *night_percent,
            night_from: *night_from,
            night_to: *night_to,
            weekend_percent: *weekend_percent,
            holiday_percent: *holiday_percent,
            limits: limits.into(),
            sla,
        }
    }
}

/// The call-off limits of a lot (net amounts as decimal strings, EUR).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallOffLimitsView {
    /// Maximum net amount of one call-off; `null` when unlimited.
    #[schema(value_type = Option<String>)]
    pub per_call_off: Option<Money>,
    /// Maximum person-days of one call-off (decimal string); `null` when unlimited.
    #[schema(value_type = Option<String>)]
    pub per_call_off_person_days: Option<Decimal>,
    /// Reservations above this need the coordinator's approval; `null` if none do.
    #[schema(value_type = Option<String>)]
    pub approval_threshold: Option<Money>,
}

impl From<&CallOffLimits> for CallOffLimitsView {
    fn from(l: &CallOffLimits) -> Self {
        let CallOffLimits {
            per_call_off,
            per_call_off_person_days,
            approval_threshold,
        } = l;
        CallOffLimitsView {
            per_call_off: *per_call_off,
            per_call_off_person_days: *per_call_off_person_days,
            approval_threshold: *approval_threshold,
        }
    }
}

/// One SLA response window of a lot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowView {
    /// Length in minutes of open time of `calendar`.
    pub minutes: u32,
    /// The calendar that counts open time (`24x7`, `nrw-business`, or a contract
    /// calendar).
    #[schema(value_type = String)]
    pub calendar: CalendarId,
    /// Warn when these shares of the window are used up, in percent, ascending.
    pub warn_at_percent: Vec<u8>,
    /// Whether the window pauses while the incident waits for the body.
    pub pausable: bool,
    /// Which instant the window counts from: `dispatch` or `report`.
    #[schema(value_type = String)]
    pub start: WindowStart,
}

impl From<&WindowSpec> for WindowView {
    fn from(w: &WindowSpec) -> Self {
        let WindowSpec {
            minutes,
            calendar,
            warn_at_percent,
            pausable,
            start,
        } = w;
        WindowView {
            minutes: *minutes,
            calendar: calendar.clone(),
            warn_at_percent: warn_at_percent.clone(),
            pausable: *pausable,
            start: *start,
        }
    }
}
