//! Case handling rules of Vigie, as pure functions of their inputs.
//!
//! Time is always a parameter: nothing here reads the clock.

pub mod calendar;
pub mod routing;
