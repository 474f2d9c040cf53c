//! Integration tests: the real router over HTTP, against a real SQLite file and a real
//! PostgreSQL schema (each story runs on both; PostgreSQL is skipped, saying so, when no
//! server answers, unless `CI=true`).

mod support;

mod assessment_pages;
mod assessment_timing;
mod assessments;
mod audit;
mod auth;
mod bench;
mod blinded_assessment;
mod browser;
mod browser_assessments;
mod browser_contacts;
mod browser_follow_up;
mod browser_report;
mod caseload_glance;
mod cli;
mod consents;
mod contact_fidelity;
mod contact_pages;
mod contacts;
mod demo_follow_up;
mod demo_studies;
mod eligibility;
mod errors;
mod fhir_export;
mod fhir_export_demo;
mod follow_up;
mod follow_up_pages;
mod follow_up_rates;
mod group_sessions;
mod imports;
mod instruments;
mod list_routes;
mod outcome_events;
mod participants;
mod program_dashboard;
mod programs;
mod reassignment;
mod recovery_plans;
mod referrals;
mod research_record;
mod resources;
mod roles;
mod schema;
mod staff;
mod studies;
mod study_analysis;
mod study_eligibility;
mod study_export;
mod study_flow;
mod study_report;
mod supervision;
mod tasks;
mod tenancy;
