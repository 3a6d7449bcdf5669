//! Drafts of the declaration form, kept as typed.

use super::*;

/// The draft of a declaration: one per user and structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DraftKey {
    /// Whose draft it is.
    pub user: UserId,
    /// The structure it declares for.
    pub structure: StructureId,
}

/// A draft as saved: the step to resume at, and every field as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDraft {
    /// The step of the form to resume at (from 1).
    pub step: i32,
    /// The fields as typed.
    pub fields: RawDeclaration,
}

impl Store {
    /// Saves the draft of a declaration (one per user and structure) at its step.
    pub async fn save_draft(
        &self,
        key: DraftKey,
        step: i32,
        fields: &RawDeclaration,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO drafts (user_id, structure_id, step, fields, updated_at_ns) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (user_id, structure_id) DO UPDATE SET step = excluded.step, fields = excluded.fields, \
                   updated_at_ns = excluded.updated_at_ns";
        let fields = fields.to_json();
        on_pool!(self, pool => sqlx::query(sql).bind(key.user.0).bind(key.structure.0).bind(step).bind(&fields).bind(ns(now)).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The saved draft, read back as it was typed; content that does not read back (changed
    /// outside Vigie) is `Corrupt`, named by the draft's user (its row, with the structure
    /// in the reason).
    pub async fn draft(&self, key: DraftKey) -> Result<Option<SavedDraft>, StoreError> {
        let sql = "SELECT step, fields FROM drafts WHERE user_id = $1 AND structure_id = $2";
        let row: Option<(i32, String)> = on_pool!(self, pool => {
            match sqlx::query(sql).bind(key.user.0).bind(key.structure.0).fetch_optional(pool).await? {
                Some(row) => Some((row.try_get(0)?, row.try_get(1)?)),
                None => None,
            }
        });
        let Some((step, fields)) = row else {
            return Ok(None);
        };
        let fields = RawDeclaration::from_json(&fields).map_err(|e| StoreError::Corrupt {
            table: "drafts",
            id: key.user.0,
            column: "fields",
            reason: format!(
                "the draft for structure {} does not read: {e}",
                key.structure.0
            ),
        })?;
        Ok(Some(SavedDraft { step, fields }))
    }

    /// Forgets a draft.
    pub async fn delete_draft(&self, key: DraftKey) -> Result<(), StoreError> {
        let sql = "DELETE FROM drafts WHERE user_id = $1 AND structure_id = $2";
        on_pool!(self, pool => sqlx::query(sql).bind(key.user.0).bind(key.structure.0).execute(pool).await?.rows_affected());
        Ok(())
    }
}
