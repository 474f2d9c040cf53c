//! Kindred web.
