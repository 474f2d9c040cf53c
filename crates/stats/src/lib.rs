//! Kindred's evaluation statistics.
//!
//! Pure functions over plain slices and small structs: no I/O, no async, no knowledge of HTTP
//! or SQL. Every estimate is checked against lifelines, statsmodels or scipy (see
//! `reference/` and `tests/`). Degenerate input is a [`StatsError`], never a panic or a
//! silent NaN.

mod error;
pub mod interval;
pub mod validate;

pub mod allocation;
pub mod bootstrap;
pub mod gee;
pub mod propensity;
pub mod proportions;
pub mod regression;
pub mod survival;
pub mod two_group;

pub use error::StatsError;
pub use interval::Interval;
