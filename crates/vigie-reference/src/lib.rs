//! Readers of reference data: the register of health establishments (DREES SAE), each
//! region's share of national hospital activity, and the official names of regions (COG).
//!
//! Every reader takes bytes from the caller (any [`std::io::Read`]) and opens no file:
//! the command line decides where the data lives. [`embedded`] holds the copy shipped
//! with Vigie (`data/reference/`), compiled into the binary, which is the default. Values are parsed at the boundary; a
//! refused value is a [`ReadError`] naming its line (the header is line 1), its field and
//! the reason.

mod activity;
pub mod embedded;
mod error;
mod regions;
mod register;

pub use activity::{read_activity_csv, read_activity_from_sae};
pub use error::ReadError;
pub use regions::read_regions;
pub use register::{Establishment, read_establishments};
