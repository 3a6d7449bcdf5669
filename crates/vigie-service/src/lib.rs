//! Use cases of Vigie shared by the web, the command line and the workers. Each takes the
//! store, what it needs of the outside (a mailer) and `now`: time is a parameter.

pub mod accounts;
pub mod declarations;
pub mod handling;
pub mod observatory;
pub mod outbox;
