//! The read side: the programme folded from the log, updated by the writer after every
//! commit and read by the handlers. An incident's events are not kept here (they are in
//! the log; [`super::ServiceHandle::incident_events`] reads them), so the read model is
//! as large as the programme's state and starts from the service's state — restored
//! from a snapshot — instead of replaying the log. After a pipelined commit it takes a
//! copy of the writer's state ([`ReadModel::replace`]); other commits fold their events.

use chrono::{DateTime, Utc};

use digisos_core::programme::Programme;
use digisos_core::service::Recorded;

/// What handlers read: the programme as of `position`.
#[derive(Debug, Default)]
pub struct ReadModel {
    programme: Programme,
    position: u64,
}

impl ReadModel {
    /// A read model at `position` with the state `programme` folded up to there.
    pub(crate) fn new(programme: Programme, position: u64) -> ReadModel {
        ReadModel {
            programme,
            position,
        }
    }

    /// The programme state.
    pub fn programme(&self) -> &Programme {
        &self.programme
    }

    /// The log position folded last.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The earliest instant at which any incident has a timeout to handle (the programme
    /// keeps an index of deadlines, so this does not scan the incidents).
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        self.programme.next_timeout()
    }

    /// Takes the state `programme` at `position` — the writer's own, after a commit, so
    /// that the events need not be folded a second time — unless the read model is
    /// already there; returns the state it dropped, to be freed outside the lock.
    pub(crate) fn replace(&mut self, programme: Programme, position: u64) -> Programme {
        if position <= self.position {
            return programme;
        }
        self.position = position;
        std::mem::replace(&mut self.programme, programme)
    }

    /// Folds one recorded event; events at or before `position` are skipped.
    pub(crate) fn fold(&mut self, r: &Recorded) {
        if r.position <= self.position {
            return;
        }
        self.programme.apply(&r.event);
        self.position = r.position;
    }
}
