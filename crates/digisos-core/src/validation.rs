//! Validation problems with a path, so that a report can list *every* problem at once
//! (e.g. `lots[1].rate_card.roles.forensic_analyst: rate must be positive`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem found while validating a document (contract, register import, …).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    /// Where the problem is, in the document's own terms (`lots[1].providers[0]`).
    pub path: String,
    /// What is wrong and, where possible, what to do (lowercase, no final period).
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Collects problems while walking a document; child paths are joined with `.`.
#[derive(Debug, Default)]
pub struct Problems {
    items: Vec<Problem>,
}

impl Problems {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.items.push(Problem::new(path, message));
    }

    /// Records every problem of `other`, each prefixed with `prefix.`.
    pub fn extend_under(&mut self, prefix: &str, other: Vec<Problem>) {
        for p in other {
            let path = if p.path.is_empty() {
                prefix.to_string()
            } else if prefix.is_empty() {
                p.path
            } else {
                format!("{prefix}.{}", p.path)
            };
            self.items.push(Problem::new(path, p.message));
        }
    }

    /// True if nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems, in the order found.
    pub fn into_vec(self) -> Vec<Problem> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_under_a_prefix() {
        let mut p = Problems::new();
        p.push("term", "longer than 4 years");
        p.extend_under(
            "lots[1]",
            vec![Problem::new("rate_card", "empty"), Problem::new("", "x")],
        );
        let v: Vec<String> = p.into_vec().iter().map(ToString::to_string).collect();
        assert_eq!(
            v,
            [
                "term: longer than 4 years",
                "lots[1].rate_card: empty",
                "lots[1]: x"
            ]
        );
    }
}
