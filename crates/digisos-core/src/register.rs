//! The register of bodies (*Verzeichnis der abrufberechtigten Stellen*): who exists, of
//! what kind, where, owned by whom. Imports from GV100AD and CSV apply all-or-nothing.

pub mod body;
pub mod csv;
pub mod gv100ad;
pub mod import;
pub mod key;
pub mod kind;

pub use body::{Body, Ownership, Validity};
pub use import::{Import, ImportErrors, LineError};
pub use key::{BodyKey, KeyError, KeyForm, LandCode, RegionCode};
pub use kind::{BodyKind, KindError};

use crate::validation::{Problem, Problems};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The register: every known body by key. Serialised as `{"bodies": [...]}`; reading it
/// back checks it like an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RegisterFile", into = "RegisterFile")]
pub struct Register {
    bodies: BTreeMap<BodyKey, Body>,
}

/// How many bodies the register holds, in total and by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterStats {
    /// All bodies.
    pub bodies: usize,
    /// Bodies per kind (kinds without bodies are left out).
    pub by_kind: BTreeMap<BodyKind, usize>,
}

/// What an applied import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Bodies whose key was new.
    pub added: usize,
    /// Bodies that replaced one with the same key.
    pub replaced: usize,
}

impl Register {
    /// An empty register.
    pub fn new() -> Self {
        Self::default()
    }

    /// The body with this key, if registered.
    pub fn get(&self, key: &BodyKey) -> Option<&Body> {
        self.bodies.get(key)
    }

    /// Every body, ordered by key.
    pub fn bodies(&self) -> impl Iterator<Item = &Body> {
        self.bodies.values()
    }

    /// The bodies of one kind, ordered by key.
    pub fn of_kind(&self, kind: BodyKind) -> impl Iterator<Item = &Body> {
        self.bodies.values().filter(move |b| b.kind == kind)
    }

    /// Number of bodies.
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    /// True when no body is registered.
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// Counts by kind.
    pub fn stats(&self) -> RegisterStats {
        let mut by_kind = BTreeMap::new();
        for b in self.bodies.values() {
            *by_kind.entry(b.kind).or_insert(0) += 1;
        }
        RegisterStats {
            bodies: self.bodies.len(),
            by_kind,
        }
    }

    /// Adds the import's bodies, replacing bodies with the same key; nothing is ever
    /// removed. Applies whole or not at all: fails with every problem (paths start with
    /// the body key) if a body is invalid, a key appears twice in the import, or a parent
    /// or owner is not in the register after the import.
    pub fn apply_import(&mut self, import: Import) -> Result<ImportSummary, Vec<Problem>> {
        let mut problems = Problems::new();
        let mut merged = self.bodies.clone();
        let mut summary = ImportSummary {
            added: 0,
            replaced: 0,
        };
        let mut seen = std::collections::BTreeSet::new();
        for body in import.bodies {
            let key = body.key.clone();
            problems.extend_under(key.as_str(), body.problems().into_vec());
            if !seen.insert(key.clone()) {
                problems.push(key.as_str(), "appears twice in the import");
            }
            match merged.insert(key, body) {
                Some(_) => summary.replaced += 1,
                None => summary.added += 1,
            }
        }
        check_references(&merged, &mut problems);
        if !problems.is_empty() {
            return Err(problems.into_vec());
        }
        self.bodies = merged;
        Ok(summary)
    }
}

fn check_references(bodies: &BTreeMap<BodyKey, Body>, problems: &mut Problems) {
    for b in bodies.values() {
        if let Some(parent) = &b.parent {
            match bodies.get(parent) {
                None => problems.push(
                    format!("{}.parent", b.key),
                    format!(
                        "Kreis {parent} is not in the register; import it first or with this body"
                    ),
                ),
                Some(p) if p.kind != BodyKind::Kreis => problems.push(
                    format!("{}.parent", b.key),
                    format!("{parent} is a {}, not a kreis", p.kind),
                ),
                Some(_) => {}
            }
        }
        for (i, o) in b.owners.iter().enumerate() {
            if !bodies.contains_key(&o.owner) {
                problems.push(
                    format!("{}.owners[{i}].owner", b.key),
                    format!(
                        "{} is not in the register; import it first or with this body",
                        o.owner
                    ),
                );
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterFile {
    bodies: Vec<Body>,
}

impl From<Register> for RegisterFile {
    fn from(r: Register) -> Self {
        RegisterFile {
            bodies: r.bodies.into_values().collect(),
        }
    }
}

impl TryFrom<RegisterFile> for Register {
    type Error = String;
    fn try_from(f: RegisterFile) -> Result<Self, Self::Error> {
        let mut r = Register::new();
        r.apply_import(Import {
            gebietsstand: None,
            bodies: f.bodies,
        })
        .map_err(|ps| {
            let list: Vec<String> = ps.iter().map(ToString::to_string).collect();
            format!("invalid register: {}", list.join("; "))
        })?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests;
