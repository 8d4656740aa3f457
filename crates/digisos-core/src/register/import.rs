//! What a parser hands to the register: the bodies of one import, and line-numbered
//! errors when a file cannot be imported.

use super::body::Body;
use crate::validation::Problem;
use chrono::NaiveDate;
use std::fmt;

/// At most this many errors are collected from one file; the rest are counted only.
pub const MAX_ERRORS: usize = 100;

/// The parsed content of one import file, ready for [`super::Register::apply_import`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// *Gebietsstand* of an official GV100AD file: the date the file describes.
    pub gebietsstand: Option<NaiveDate>,
    /// The bodies, in file order.
    pub bodies: Vec<Body>,
}

/// One error at a line of an import file (1-based), optionally naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line number, counted from 1.
    pub line: usize,
    /// The field, as the format names it (`Satzart`, `owners`).
    pub field: Option<&'static str>,
    /// What is wrong (lowercase, no final period).
    pub message: String,
}

impl LineError {
    /// As a validation problem with path `line N` (for reports of several files).
    pub fn to_problem(&self) -> Problem {
        let message = match self.field {
            Some(f) => format!("field {f}: {}", self.message),
            None => self.message.clone(),
        };
        Problem::new(format!("line {}", self.line), message)
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_problem().fmt(f)
    }
}

/// Every error of a file that could not be imported (capped at [`MAX_ERRORS`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ImportErrors {
    /// The first errors, in line order.
    pub errors: Vec<LineError>,
    /// How many further errors were left out.
    pub left_out: usize,
}

impl ImportErrors {
    fn render(&self) -> String {
        let mut lines: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        if self.left_out > 0 {
            lines.push(format!("… and {} more error(s)", self.left_out));
        }
        lines.join("\n")
    }

    /// The errors as validation problems (plus one for the errors left out).
    pub fn to_problems(&self) -> Vec<Problem> {
        let mut v: Vec<Problem> = self.errors.iter().map(LineError::to_problem).collect();
        if self.left_out > 0 {
            v.push(Problem::new(
                "",
                format!("{} more error(s) not shown", self.left_out),
            ));
        }
        v
    }
}

/// Collects line errors up to [`MAX_ERRORS`].
#[derive(Debug, Default)]
pub(crate) struct ErrorSink {
    errors: Vec<LineError>,
    left_out: usize,
}

impl ErrorSink {
    /// Records an error at `line`.
    pub(crate) fn push(
        &mut self,
        line: usize,
        field: Option<&'static str>,
        message: impl Into<String>,
    ) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(LineError {
                line,
                field,
                message: message.into(),
            });
        } else {
            self.left_out += 1;
        }
    }

    /// How many errors were recorded (including those left out).
    pub(crate) fn len(&self) -> usize {
        self.errors.len() + self.left_out
    }

    /// True if no error was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(value)` if nothing was recorded, else every error.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ImportErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(ImportErrors {
                errors: self.errors,
                left_out: self.left_out,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_the_errors() {
        let mut s = ErrorSink::default();
        for i in 0..(MAX_ERRORS + 5) {
            s.push(i + 1, Some("Satzart"), "bad");
        }
        let e = s.finish(()).unwrap_err();
        assert_eq!(e.errors.len(), MAX_ERRORS);
        assert_eq!(e.left_out, 5);
        assert_eq!(e.errors[0].to_string(), "line 1: field Satzart: bad");
        assert!(e.to_string().ends_with("… and 5 more error(s)"));
    }
}
