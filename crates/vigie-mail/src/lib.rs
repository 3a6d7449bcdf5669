//! E-mail of Vigie: SMTP delivery and the French messages sent to health structures.
//!
//! Templates are pure functions from what a message must say to a [`Mail`] (plain text
//! and HTML); [`Mailer`] delivers a `Mail` through an SMTP relay configured by
//! [`SmtpConfig`]. The date and `Message-ID` of each message come from the caller
//! ([`Stamp`]): nothing here reads the clock.
//!
//! **Invariant:** a message never carries the description of an incident (health data):
//! only its case number, its date, its title when the caller passes one, and a link to
//! the portal.

mod config;
mod mail;
mod mailer;
pub mod templates;

pub use config::{ConfigError, DEFAULT_TIMEOUT, Security, SmtpConfig};
pub use lettre::{Address, message::Mailbox};
pub use mail::{InvalidMessageId, Mail, MessageId, Stamp};
pub use mailer::{MailError, Mailer};
pub use templates::{
    AccountChanged, Acknowledgment, ComplementRequest, EventNotice, Invitation, ReflexSheetMail,
    RoutingAlert, acknowledgment, complement_request, event_notice, invitation, password_changed,
    reflex_sheet, routing_alert, second_factor_changed,
};
