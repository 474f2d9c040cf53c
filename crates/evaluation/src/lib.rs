//! Kindred's evaluation engine: from a participant's record to the outcome values a study
//! defines, and from the analysed table to the analyses its plan names.
//!
//! Pure functions over plain data, like the statistics crate it drives: the application layer
//! loads the record, this crate derives and analyses, and the results are plain values the
//! web layer serialises. A missing outcome is [`Observation::Missing`], never zero.

pub mod allocation;
pub mod analysis;
pub mod assemble;
pub mod observation;
pub mod outcomes;
pub mod record;
pub mod table;

pub use observation::{Observation, RepeatedPoint};
