//! One module per group of subcommands.

pub mod admin;
pub mod audit;
pub mod bench;
pub mod export;
pub mod export_fhir;
pub mod import;
pub mod report;
pub mod serve;
