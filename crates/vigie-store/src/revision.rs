//! Whether the data the observatory counts changed: an in-process count of the changes
//! committed through this store, and a revision number in the database that every such
//! transaction raises, for the processes sharing the database.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use crate::{Store, StoreError, on_pool};

/// Raises the stored revision; run last in a transaction that changes counted data.
pub(crate) const BUMP: &str =
    "UPDATE observatory_revision SET revision = revision + 1 WHERE id = 1";

/// Changes to counted data committed through one store and its clones.
#[derive(Debug, Clone, Default)]
pub(crate) struct Changes(Arc<AtomicU64>);

impl Changes {
    /// Counts one committed change (or one that may have committed).
    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::Release);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

impl Store {
    /// How many changes to the data the observatory counts were committed through this
    /// store (or a clone) since it was opened: read it before reading the data, and the
    /// data is current while it stays the same.
    pub fn observatory_changes(&self) -> u64 {
        self.changes.get()
    }

    /// The revision of the counted data in the database, raised by every transaction that
    /// changes it, from any process.
    pub async fn observatory_revision(&self) -> Result<i64, StoreError> {
        let sql = "SELECT revision FROM observatory_revision WHERE id = 1";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
    }
}
