//! Use cases of Vigie shared by the web, the command line and the workers. Each takes the
//! store, what it needs of the outside (a mailer) and `now`: time is a parameter.

pub mod accounts;
pub mod declarations;
pub mod handling;
pub mod observatory;
pub mod outbox;
pub mod publication;

use vigie_store::{Store, StoreError};

/// Opens the store at `url` and migrates the tables of every service crate: what every
/// server and command opens the database with.
pub async fn open(url: &str) -> Result<Store, StoreError> {
    let store = Store::open(url).await?;
    vigie_publication::migrate(&store).await?;
    Ok(store)
}
