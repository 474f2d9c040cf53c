//! Kindred storage.
