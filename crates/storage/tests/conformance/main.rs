//! Storage conformance: each test runs once on a fresh SQLite file and once on a fresh
//! PostgreSQL schema (kellnr's per-backend macro), so the one SQL text storage writes is shown
//! to behave the same on both — searching non-ASCII names, ordering them, time order within a
//! second, refusing stale versions, counting sign-in attempts made at the same moment. PostgreSQL is skipped, saying so, when no server answers,
//! unless `CI=true`.

mod support;

mod caseload_glance;
mod conflicts;
mod contact_rollups;
mod login_throttle;
mod name_order;
mod participant_dose;
mod search;
mod search_key_fill;
mod step_tally;
mod time_order;
mod unique_rules;
