//! Helpers for Vigie's tests, used only as a dev-dependency.
//!
//! [`SmtpServer`] is a real SMTP server on loopback: code under test sends to it over
//! TCP as it would to a relay, and the test reads what was delivered.
//!
//! [`Browser`] drives Debian's Chromium through ChromeDriver (the W3C WebDriver protocol),
//! for end-to-end tests of the pages.
//!
//! [`incidents::covering`] is a data set using every code and every flag, for tests that
//! require the same answers from both engines.

pub mod incidents;
mod smtp;
mod webdriver;

pub use smtp::{Received, SmtpServer};
pub use webdriver::{Browser, Element, WebDriverError};
