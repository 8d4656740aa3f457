//! Pricing of time entries: a provider's hours are split exactly at every boundary where
//! the price changes (local midnight, night start and end, weekend, public holidays) in
//! the contract's time zone and priced per line by the rate card with surcharges.
//!
//! An entry from 19:00 to 22:00 on a weekday with the night surcharge from 20:00 is
//! 1 h normal + 2 h night. Each line is rounded to cents half-up (*kaufmännisch*); the
//! net total is the sum of the rounded lines. VAT is for display only ([`vat`]) and is
//! never mixed into the ledger's limits.

mod rates;
mod split;
#[cfg(test)]
mod tests;

pub use rates::{Combine, MAX_SURCHARGE_PERCENT, RateCard, Surcharges};

use crate::ids::RoleId;
use crate::money::Money;
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use split::{NightWindow, split};

/// The longest time entry accepted, in hours; record longer work as several entries.
pub const MAX_ENTRY_HOURS: i64 = 24;

/// A provider's record of work (*Zeiteintrag*): who worked, from when to when, on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    /// The role on the lot's rate card.
    pub role: RoleId,
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive); after `start`, at most [`MAX_ENTRY_HOURS`] later.
    pub end: DateTime<Utc>,
    /// What was done.
    pub description: String,
}

/// Which rate applies to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// No surcharge.
    Normal,
    /// Night surcharge.
    Night,
    /// Weekend surcharge.
    Weekend,
    /// Public-holiday surcharge.
    Holiday,
}

/// One priced line of a time entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// Duration in hours (exact up to the 28 significant digits of a decimal).
    pub hours: Decimal,
    /// Which surcharge applies.
    pub kind: LineKind,
    /// Net hourly rate of the role.
    pub rate: Money,
    /// Surcharge in percent (0 for normal hours).
    pub surcharge_percent: Decimal,
    /// `rate × hours × (1 + surcharge)`, rounded to cents half-up.
    pub amount: Money,
}

/// A priced time entry: its lines in time order and the net total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedEntry {
    /// Lines in time order, covering the entry without gaps or overlaps.
    pub lines: Vec<PricedLine>,
    /// Total duration in hours.
    pub hours: Decimal,
    /// Sum of the rounded line amounts (net, without VAT).
    pub net_total: Money,
}

/// Why a time entry cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The entry does not end after it starts.
    #[error("the entry ends ({end}) at or before it starts ({start}); correct the times")]
    EndNotAfterStart {
        /// Start given.
        start: DateTime<Utc>,
        /// End given.
        end: DateTime<Utc>,
    },
    /// The entry is longer than [`MAX_ENTRY_HOURS`].
    #[error("the entry lasts {hours} h, more than {max} h; split it into several entries")]
    TooLong {
        /// Its duration in hours.
        hours: Decimal,
        /// The maximum.
        max: i64,
    },
    /// The role is not on the rate card.
    #[error("role {role} is not on the lot's rate card (known: {known}); use one of those")]
    UnknownRole {
        /// The role given.
        role: RoleId,
        /// The roles of the rate card, comma-separated.
        known: String,
    },
    /// An amount exceeds the decimal range.
    #[error("amount overflow while pricing")]
    Overflow,
}

/// Prices a time entry: splits it at every local midnight, night start/end, weekend and
/// holiday boundary of `tz` (Europe/Berlin: DST days have 23 or 25 hours) and prices each
/// line by the role's rate and the highest applicable surcharge. `is_holiday` answers for
/// local dates (e.g. the NRW holiday calendar). Adjacent pieces of the same local date
/// and price form one line, so a line is cut exactly where the price or the date changes.
///
/// Fails when the entry does not end after it starts, is longer than
/// [`MAX_ENTRY_HOURS`], or names a role the rate card lacks.
pub fn price(
    entry: &TimeEntry,
    rate_card: &RateCard,
    surcharges: &Surcharges,
    tz: Tz,
    is_holiday: impl Fn(NaiveDate) -> bool,
) -> Result<PricedEntry, PricingError> {
    let (start, end) = (entry.start, entry.end);
    if end <= start {
        return Err(PricingError::EndNotAfterStart { start, end });
    }
    let total = nanos(start, end)?;
    if total > MAX_ENTRY_HOURS * NANOS_PER_HOUR {
        return Err(PricingError::TooLong {
            hours: hours(total),
            max: MAX_ENTRY_HOURS,
        });
    }
    let rate = *rate_card
        .roles
        .get(&entry.role)
        .ok_or_else(|| PricingError::UnknownRole {
            role: entry.role.clone(),
            known: rate_card
                .roles
                .keys()
                .map(RoleId::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let night = NightWindow {
        from: surcharges.night_from,
        to: surcharges.night_to,
    };
    let mut spans: Vec<Span> = Vec::new();
    for piece in split(start, end, tz, night) {
        let (kind, percent) = classify(piece.date, piece.night, surcharges, &is_holiday);
        let span = Span {
            from: piece.from,
            to: piece.to,
            date: piece.date,
            kind,
            percent,
        };
        match spans.last_mut() {
            Some(last) if last.continues_with(&span) => last.to = span.to,
            _ => spans.push(span),
        }
    }
    let mut priced = Vec::with_capacity(spans.len());
    let mut net_total = Money::ZERO;
    for span in spans {
        let (from, to, kind, surcharge_percent) = (span.from, span.to, span.kind, span.percent);
        let n = nanos(from, to)?;
        let amount = line_amount(rate, n, surcharge_percent)?;
        net_total = net_total
            .checked_add(amount)
            .map_err(|_| PricingError::Overflow)?;
        priced.push(PricedLine {
            from,
            to,
            hours: hours(n),
            kind,
            rate,
            surcharge_percent,
            amount,
        });
    }
    Ok(PricedEntry {
        lines: priced,
        hours: hours(total),
        net_total,
    })
}

/// A VAT rate in percent (*Umsatzsteuersatz*), 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct VatRate(Decimal);

/// A VAT rate outside 0..=100 %.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vat rate {0} % is outside 0..=100 %")]
pub struct VatRateError(pub Decimal);

impl VatRate {
    /// The German standard rate, 19 %.
    pub const STANDARD: VatRate = VatRate(Decimal::from_parts(19, 0, 0, false, 0));

    /// Validates a rate in percent; fails outside 0..=100.
    pub fn new(percent: Decimal) -> Result<Self, VatRateError> {
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(VatRateError(percent));
        }
        Ok(VatRate(percent))
    }

    /// The rate in percent.
    pub fn percent(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for VatRate {
    type Error = VatRateError;
    fn try_from(d: Decimal) -> Result<Self, Self::Error> {
        VatRate::new(d)
    }
}

impl From<VatRate> for Decimal {
    fn from(r: VatRate) -> Decimal {
        r.0
    }
}

/// The VAT on a net amount, rounded to cents half-up. For display and invoices only; the
/// ledger's limits are always net.
pub fn vat(net: Money, rate: VatRate) -> Money {
    let factor = rate.0 / Decimal::ONE_HUNDRED;
    // factor ≤ 1, so the product never exceeds `net`
    net.times(factor).unwrap_or(net).round_cents()
}

/// A stretch of one local date at one price, before it is priced.
#[derive(Debug)]
struct Span {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    date: NaiveDate,
    kind: LineKind,
    percent: Decimal,
}

impl Span {
    /// True if `next` follows on directly at the same local date and price.
    fn continues_with(&self, next: &Span) -> bool {
        self.to == next.from
            && (self.date, self.kind, self.percent) == (next.date, next.kind, next.percent)
    }
}

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

fn nanos(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64, PricingError> {
    (to - from).num_nanoseconds().ok_or(PricingError::TooLong {
        hours: Decimal::from((to - from).num_hours()),
        max: MAX_ENTRY_HOURS,
    })
}

fn hours(nanos: i64) -> Decimal {
    Decimal::from(nanos) / Decimal::from(NANOS_PER_HOUR)
}

/// `rate × hours × (100 + percent) / 100`, one division at the end, rounded to cents.
fn line_amount(rate: Money, nanos: i64, percent: Decimal) -> Result<Money, PricingError> {
    let numerator = rate
        .amount()
        .checked_mul(Decimal::from(nanos))
        .and_then(|v| v.checked_mul(Decimal::ONE_HUNDRED + percent))
        .ok_or(PricingError::Overflow)?;
    let value = numerator / (Decimal::from(NANOS_PER_HOUR) * Decimal::ONE_HUNDRED);
    Money::new(value)
        .map(Money::round_cents)
        .map_err(|_| PricingError::Overflow)
}

/// The kind and surcharge of a piece: the highest applicable surcharge wins; on a tie,
/// holiday before weekend before night.
fn classify(
    date: NaiveDate,
    night: bool,
    s: &Surcharges,
    is_holiday: &impl Fn(NaiveDate) -> bool,
) -> (LineKind, Decimal) {
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    let candidates = [
        (is_holiday(date), LineKind::Holiday, s.holiday_percent),
        (weekend, LineKind::Weekend, s.weekend_percent),
        (night, LineKind::Night, s.night_percent),
    ];
    let mut best: Option<(LineKind, Decimal)> = None;
    for (applies, kind, percent) in candidates {
        if applies && best.is_none_or(|(_, b)| percent > b) {
            best = Some((kind, percent));
        }
    }
    best.unwrap_or((LineKind::Normal, Decimal::ZERO))
}
