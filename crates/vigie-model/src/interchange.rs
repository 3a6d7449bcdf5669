//! Interchange formats: how incidents travel between Vigie and other tools.

pub mod v1;
