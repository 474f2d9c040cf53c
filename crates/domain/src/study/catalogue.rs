//! What a study's definitions may refer to: the instruments (Kindred's library and the
//! organisation's own) and the time points the covered programs schedule. Parsing checks every
//! reference against it, so a study cannot name an outcome nobody can measure.

use std::collections::BTreeSet;

use crate::instruments::{self, InstrumentDefinition};

/// The instruments and time points a study may name.
#[derive(Debug, Clone, Default)]
pub struct StudyCatalogue<'a> {
    /// Every instrument that may be named (the library and the organisation's own).
    pub instruments: Vec<&'a InstrumentDefinition>,
    /// The time point codes the covered programs schedule; `None` skips that check (when the
    /// programs are not known yet, e.g. for a template).
    pub time_points: Option<BTreeSet<String>>,
}

impl StudyCatalogue<'static> {
    /// Kindred's instrument library, with no time point check.
    pub fn library() -> Self {
        Self { instruments: instruments::library().iter().collect(), time_points: None }
    }
}

impl<'a> StudyCatalogue<'a> {
    /// The same instruments, checking time points against `codes`.
    pub fn with_time_points<S: Into<String>>(self, codes: impl IntoIterator<Item = S>) -> Self {
        Self { time_points: Some(codes.into_iter().map(Into::into).collect()), ..self }
    }

    /// The instrument with this code.
    pub fn instrument(&self, code: &str) -> Option<&'a InstrumentDefinition> {
        self.instruments.iter().copied().find(|d| d.code == code)
    }

    /// Checks that a time point code is scheduled (when the schedule is known).
    pub(crate) fn check_time_point(&self, code: &str) -> Result<(), String> {
        match &self.time_points {
            Some(codes) if !codes.contains(code) => {
                let known: Vec<&str> = codes.iter().map(String::as_str).collect();
                Err(format!(
                    "is not a time point of the study's programs (they schedule: {})",
                    known.join(", ")
                ))
            }
            _ => Ok(()),
        }
    }
}
