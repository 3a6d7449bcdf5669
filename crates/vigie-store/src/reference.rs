//! Reference data: the establishments register, regions, hospital activity.

use sqlx::Row as _;
use vigie_model::{Code, Region};
use vigie_reference::Establishment;

use crate::{Store, StoreError, on_pool, revision::BUMP};

/// What the database holds, for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    /// Declaring structures.
    pub structures: i64,
    /// Incidents per Paris year, oldest first.
    pub incidents_by_year: Vec<(i16, i64)>,
    /// Establishments of the register.
    pub establishments: i64,
    /// Regions.
    pub regions: i64,
    /// Regions with an activity share.
    pub activity_shares: i64,
}

impl Store {
    /// Replaces the activity shares (figure 7) by `shares`.
    pub async fn load_activity(&self, shares: &[(Region, f64)]) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM activity_shares").execute(&mut *tx).await?;
            for (region, share) in shares {
                sqlx::query("INSERT INTO activity_shares (region, share) VALUES ($1, $2)")
                    .bind(region.code())
                    .bind(*share)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(BUMP).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        self.changes.bump();
        Ok(())
    }

    /// The activity shares, in region order.
    pub async fn activity_shares(&self) -> Result<Vec<(Region, f64)>, StoreError> {
        let sql = "SELECT region, share FROM activity_shares";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).fetch_all(pool).await? {
                let code: String = row.try_get(0)?;
                let region = crate::decode::parsed(Region::parse(&code), "activity_shares", 0, "region")?;
                out.push((region, row.try_get::<f64, _>(1)?));
            }
        });
        out.sort_by_key(|(r, _)| *r);
        Ok(out)
    }

    /// Adds or refreshes establishments of the register.
    pub async fn load_establishments(&self, list: &[Establishment]) -> Result<(), StoreError> {
        let sql = "INSERT INTO establishments (finess, name, category, kind, legal_status, region, department) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   ON CONFLICT (finess) DO UPDATE SET name = excluded.name, category = excluded.category, \
                   kind = excluded.kind, legal_status = excluded.legal_status, region = excluded.region, \
                   department = excluded.department";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for e in list {
                sqlx::query(sql)
                    .bind(e.finess.as_str())
                    .bind(e.name.as_str())
                    .bind(i32::from(e.category))
                    .bind(e.kind.code())
                    .bind(e.legal_status.code())
                    .bind(e.region.code())
                    .bind(e.department.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A structure as the establishments register describes it (not OSE, no GHT).
    pub async fn structure_from_register(
        &self,
        finess: &vigie_model::Finess,
    ) -> Result<Option<vigie_model::Structure>, StoreError> {
        let sql = "SELECT name, kind, legal_status, region FROM establishments WHERE finess = $1";
        let row = on_pool!(self, pool => match sqlx::query(sql).bind(finess.as_str()).fetch_optional(pool).await? {
            Some(row) => Some((
                row.try_get::<String, _>(0)?,
                row.try_get::<String, _>(1)?,
                row.try_get::<String, _>(2)?,
                row.try_get::<String, _>(3)?,
            )),
            None => None,
        });
        let Some((name, kind, legal_status, region)) = row else {
            return Ok(None);
        };
        let bad = |column: &'static str, reason: String| StoreError::Corrupt {
            table: "establishments",
            id: 0,
            column,
            reason,
        };
        Ok(Some(vigie_model::Structure {
            finess: *finess,
            name: vigie_model::text::BoundedText::parse(name)
                .map_err(|e| bad("name", e.to_string()))?,
            kind: Code::parse(&kind).map_err(|e| bad("kind", e.to_string()))?,
            legal_status: Code::parse(&legal_status)
                .map_err(|e| bad("legal_status", e.to_string()))?,
            region: Code::parse(&region).map_err(|e| bad("region", e.to_string()))?,
            ose: false,
            ght: None,
        }))
    }

    /// Adds or renames regions.
    pub async fn load_regions(&self, list: &[(Region, String)]) -> Result<(), StoreError> {
        let sql = "INSERT INTO regions (code, name) VALUES ($1, $2) \
                   ON CONFLICT (code) DO UPDATE SET name = excluded.name";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (region, name) in list {
                sqlx::query(sql).bind(region.code()).bind(name.as_str()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Counts of what the database holds.
    pub async fn holdings(&self) -> Result<Holdings, StoreError> {
        let mut h = Holdings::default();
        on_pool!(self, pool => {
            let count = |table: &'static str| async move {
                let sql = match table {
                    "structures" => "SELECT COUNT(*) FROM structures",
                    "establishments" => "SELECT COUNT(*) FROM establishments",
                    "regions" => "SELECT COUNT(*) FROM regions",
                    _ => "SELECT COUNT(*) FROM activity_shares",
                };
                sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await
            };
            h.structures = count("structures").await?;
            h.establishments = count("establishments").await?;
            h.regions = count("regions").await?;
            h.activity_shares = count("activity_shares").await?;
            let by_year = "SELECT local_year, COUNT(*) FROM incidents GROUP BY local_year ORDER BY local_year";
            for row in sqlx::query(by_year).fetch_all(pool).await? {
                let year: i32 = row.try_get(0)?;
                h.incidents_by_year.push((i16::try_from(year).unwrap_or(i16::MAX), row.try_get::<i64, _>(1)?));
            }
        });
        Ok(h)
    }
}
