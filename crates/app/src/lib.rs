//! Kindred app.
