//! The read side: the programme folded from the log plus each incident's events, updated
//! by the writer after every commit and read by the handlers. It also indexes each
//! incident's next timeout as it folds, so that finding the programme's next deadline
//! (the timer task, the writer before each batch) costs O(log n), not a scan of every
//! incident.

use std::collections::{BTreeMap, BTreeSet};

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
    /// Each incident's next timeout, and the same ordered by instant.
    deadlines: BTreeMap<IncidentId, DateTime<Utc>>,
    due: BTreeSet<(DateTime<Utc>, IncidentId)>,
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

    /// The earliest instant at which any incident has a timeout to handle; the same as
    /// `Programme::next_timeout` without scanning every incident.
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        self.due.first().map(|(at, _)| *at)
    }

    /// Folds one recorded event; events at or before `position` are skipped.
    pub(crate) fn fold(&mut self, r: &Recorded) {
        if r.position <= self.position {
            return;
        }
        self.programme.apply(&r.event);
        if let ProgrammeEvent::Incident { id, .. } = &r.event {
            self.events.entry(id.clone()).or_default().push(r.clone());
            self.reindex(id);
        }
        self.position = r.position;
    }

    /// Recomputes the next timeout of one incident (it depends on that incident alone).
    fn reindex(&mut self, id: &IncidentId) {
        let next = self
            .programme
            .incidents()
            .get(id)
            .and_then(|i| i.next_timeout());
        let previous = match next {
            Some(at) => self.deadlines.insert(id.clone(), at),
            None => self.deadlines.remove(id),
        };
        if previous == next {
            return;
        }
        if let Some(old) = previous {
            self.due.remove(&(old, id.clone()));
        }
        if let Some(at) = next {
            self.due.insert((at, id.clone()));
        }
    }
}
