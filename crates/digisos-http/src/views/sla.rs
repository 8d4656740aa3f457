//! The SLA clocks of an incident, read at an instant.

use chrono::{DateTime, Utc};
use digisos_core::calendar::Calendars;
use digisos_core::ids::ProviderId;
use digisos_core::incident::{Incident, ProviderClock};
use digisos_core::sla::{ClockStage, WindowKind};
use serde::Serialize;
use utoipa::ToSchema;

/// One SLA clock of one provider: which window, its stage, and its reading at the
/// instant of the answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockView {
    /// The provider the clock runs against.
    #[schema(value_type = String)]
    pub provider: ProviderId,
    /// `acceptance`, `first_contact`, `remote_start`, `on_site` or `resolve`.
    #[schema(value_type = String)]
    pub window: WindowKind,
    /// `pending`, `running`, `paused`, `met`, `breached` or `cancelled`.
    #[schema(value_type = String)]
    pub stage: ClockStage,
    /// When the window was breached (RFC 3339); `null` if it was not.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub breached_at: Option<DateTime<Utc>>,
    /// The reading (its members sit beside the ones above).
    #[serde(flatten)]
    pub reading: ClockReading,
}

/// The reading of a clock: the time counted, or why it could not be computed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ClockReading {
    /// The clock could be read.
    Measured {
        /// Open time counted, in seconds (paused time excluded).
        elapsed_seconds: i64,
        /// Window minus elapsed, in seconds (negative when overdue); `null` before the
        /// start.
        remaining_seconds: Option<i64>,
        /// Elapsed share of the window in percent (may exceed 100); `null` before the
        /// start.
        percent: Option<u32>,
        /// The deadline in force (RFC 3339); `null` unless running or breached.
        #[schema(value_type = Option<String>, format = DateTime)]
        deadline: Option<DateTime<Utc>>,
    },
    /// The clock could not be read (e.g. its calendar is not known).
    Failed {
        /// What went wrong.
        status_error: String,
    },
}

/// Every SLA clock of an incident at `now`.
pub fn clocks(i: &Incident, now: DateTime<Utc>, calendars: &Calendars) -> Vec<ClockView> {
    i.clocks.iter().map(|c| clock(c, now, calendars)).collect()
}

fn clock(c: &ProviderClock, now: DateTime<Utc>, calendars: &Calendars) -> ClockView {
    let reading = match c.clock.status(now, calendars) {
        Ok(s) => ClockReading::Measured {
            elapsed_seconds: s.elapsed.num_seconds(),
            remaining_seconds: s.remaining.map(|r| r.num_seconds()),
            percent: s.percent,
            deadline: s.deadline,
        },
        Err(e) => ClockReading::Failed {
            status_error: e.to_string(),
        },
    };
    ClockView {
        provider: c.provider.clone(),
        window: c.clock.kind(),
        stage: c.clock.stage(),
        breached_at: c.clock.breached_at(),
        reading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn view(reading: ClockReading) -> serde_json::Value {
        let at = Utc.with_ymd_and_hms(2025, 10, 2, 18, 0, 0).unwrap();
        serde_json::to_value(ClockView {
            provider: ProviderId::new("rheinwacht").unwrap(),
            window: WindowKind::Acceptance,
            stage: ClockStage::Breached,
            breached_at: Some(at),
            reading,
        })
        .unwrap()
    }

    #[test]
    fn a_reading_sits_beside_the_clock_members() {
        let measured = view(ClockReading::Measured {
            elapsed_seconds: 3660,
            remaining_seconds: None,
            percent: Some(101),
            deadline: None,
        });
        assert_eq!(
            measured,
            json!({
                "provider": "rheinwacht", "window": "acceptance", "stage": "breached",
                "breached_at": "2025-10-02T18:00:00Z", "elapsed_seconds": 3660,
                "remaining_seconds": null, "percent": 101, "deadline": null,
            })
        );
        let failed = view(ClockReading::Failed {
            status_error: "unknown calendar `x`".into(),
        });
        assert_eq!(
            failed,
            json!({
                "provider": "rheinwacht", "window": "acceptance", "stage": "breached",
                "breached_at": "2025-10-02T18:00:00Z", "status_error": "unknown calendar `x`",
            })
        );
    }
}
