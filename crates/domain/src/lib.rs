//! Kindred domain.
