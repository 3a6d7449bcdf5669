//! The portal tested as its users meet it: over HTTP, on a real database, with e-mails
//! delivered to a real SMTP server on loopback.

mod api;
mod app;
mod declare;
mod e2e;
mod flows;
mod handling;
mod lifecycle;
mod load;
mod matrix;
mod observatory;
mod security;
