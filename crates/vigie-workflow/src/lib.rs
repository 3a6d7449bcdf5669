//! Case handling rules of Vigie, as pure functions of their inputs.
//!
//! Time is always a parameter: nothing here reads the clock.

pub mod case;
pub mod nis2;
pub mod routing;
pub mod support;
