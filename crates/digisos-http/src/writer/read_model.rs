//! The read side: the programme folded from the log plus each incident's events, updated
//! by the writer after every commit and read by the handlers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use digisos_core::incident::IncidentId;
use digisos_core::programme::{Programme, ProgrammeEvent};
use digisos_core::service::Recorded;

/// What handlers read: the programme as of `position`, and every incident's events.
#[derive(Debug, Default)]
pub struct ReadModel {
    programme: Programme,
    position: u64,
    events: BTreeMap<IncidentId, Vec<Recorded>>,
}

impl ReadModel {
    /// The programme state.
    pub fn programme(&self) -> &Programme {
        &self.programme
    }

    /// The log position folded last.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The events of incident `id`, in order (empty if unknown). Check visibility with
    /// `Programme::incident_for` first.
    pub fn incident_events(&self, id: &IncidentId) -> &[Recorded] {
        self.events.get(id).map_or(&[], Vec::as_slice)
    }

    /// The earliest instant at which any incident has a timeout to handle (the programme
    /// keeps an index of deadlines, so this does not scan the incidents).
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        self.programme.next_timeout()
    }

    /// Folds one recorded event; events at or before `position` are skipped.
    pub(crate) fn fold(&mut self, r: &Recorded) {
        if r.position <= self.position {
            return;
        }
        self.programme.apply(&r.event);
        if let ProgrammeEvent::Incident { id, .. } = &r.event {
            self.events.entry(id.clone()).or_default().push(r.clone());
        }
        self.position = r.position;
    }
}
