//! Where a study stands: a draft the evaluator still edits, open for enrolment (the seed is
//! drawn and the definition is fixed, changed only by amendment once the plan is locked), or
//! closed to new enrolments.

use serde::Serialize;

/// A study's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StudyStatus {
    Draft,
    Open,
    Closed,
}

impl StudyStatus {
    pub const ALL: [StudyStatus; 3] = [Self::Draft, Self::Open, Self::Closed];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// For pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Open => "Open for enrolment",
            Self::Closed => "Closed to enrolment",
        }
    }
}
