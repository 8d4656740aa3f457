//! `Deserialize` for [`ClockEvent`] without buffering the object (see `crate::tagged`).

use super::ClockEvent;
use super::WarningDue;
use crate::sla::policy::WindowSpec;
use crate::tagged::{need, object_keys, put, tag_values};
use crate::wire::Instant;
use chrono::TimeDelta;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

object_keys!(Key {
    Type = "type",
    At = "at",
    Window = "window",
    Deadline = "deadline",
    Warnings = "warnings",
    Consumed = "consumed",
    Percent = "percent",
    Met = "met",
});

tag_values!(Tag {
    Started = "started",
    Paused = "paused",
    Resumed = "resumed",
    WindowChanged = "window_changed",
    WarningReached = "warning_reached",
    Breached = "breached",
    Stopped = "stopped",
    Cancelled = "cancelled",
});

#[derive(Default)]
struct Fields {
    tag: Option<Tag>,
    at: Option<Instant>,
    window: Option<WindowSpec>,
    deadline: Option<Option<Instant>>,
    warnings: Option<Vec<WarningDue>>,
    consumed: Option<i64>,
    percent: Option<u8>,
    met: Option<bool>,
}

impl Fields {
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Fields, A::Error> {
        let mut f = Fields::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Type => put(&mut f.tag, &mut map, "type")?,
                Key::At => put(&mut f.at, &mut map, "at")?,
                Key::Window => put(&mut f.window, &mut map, "window")?,
                Key::Deadline => put(&mut f.deadline, &mut map, "deadline")?,
                Key::Warnings => put(&mut f.warnings, &mut map, "warnings")?,
                Key::Consumed => put(&mut f.consumed, &mut map, "consumed")?,
                Key::Percent => put(&mut f.percent, &mut map, "percent")?,
                Key::Met => put(&mut f.met, &mut map, "met")?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(f)
    }

    fn build<E: serde::de::Error>(self) -> Result<ClockEvent, E> {
        let Fields {
            tag,
            at,
            window,
            deadline,
            warnings,
            consumed,
            percent,
            met,
        } = self;
        let at = || need(at, "at").map(|i| i.0);
        let consumed = || need(consumed, "consumed").map(TimeDelta::nanoseconds);
        // a required instant: missing, or `null`, is refused as the derived impl did
        let required_deadline = || match deadline {
            Some(Some(d)) => Ok(d.0),
            Some(None) => Err(E::invalid_type(
                serde::de::Unexpected::Unit,
                &"an RFC 3339 formatted date and time string",
            )),
            None => Err(E::missing_field("deadline")),
        };
        Ok(match need(tag, "type")? {
            Tag::Started => ClockEvent::Started {
                at: at()?,
                window: need(window, "window")?,
                deadline: required_deadline()?,
                warnings: need(warnings, "warnings")?,
            },
            Tag::Paused => ClockEvent::Paused {
                at: at()?,
                consumed: consumed()?,
            },
            Tag::Resumed => ClockEvent::Resumed {
                at: at()?,
                deadline: required_deadline()?,
                warnings: need(warnings, "warnings")?,
            },
            Tag::WindowChanged => ClockEvent::WindowChanged {
                at: at()?,
                window: need(window, "window")?,
                consumed: consumed()?,
                deadline: deadline.flatten().map(|d| d.0),
                warnings: need(warnings, "warnings")?,
            },
            Tag::WarningReached => ClockEvent::WarningReached {
                at: at()?,
                percent: need(percent, "percent")?,
            },
            Tag::Breached => ClockEvent::Breached { at: at()? },
            Tag::Stopped => ClockEvent::Stopped {
                at: at()?,
                consumed: consumed()?,
                met: need(met, "met")?,
            },
            Tag::Cancelled => ClockEvent::Cancelled {
                at: at()?,
                consumed: consumed()?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for ClockEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EventVisitor;

        impl<'de> Visitor<'de> for EventVisitor {
            type Value = ClockEvent;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("internally tagged enum ClockEvent")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ClockEvent, A::Error> {
                Fields::read(map)?.build()
            }
        }

        d.deserialize_map(EventVisitor)
    }
}
