//! Structures, declarations, cases as their viewers list them, routings made by hand, and
//! messages.

use super::*;

/// A stored structure.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureRecord {
    /// Identifier.
    pub id: StructureId,
    /// The structure.
    pub structure: Structure,
}

/// What a declarant writes beyond the interchange format's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclarationTexts {
    /// Measures already taken.
    pub measures_taken: Option<String>,
    /// Affected systems and providers.
    pub affected_systems: Option<String>,
}

/// One case: the incident, what access depends on, and its handling state.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    /// Case number.
    pub case: CaseNumber,
    /// The incident as declared and qualified.
    pub incident: Incident,
    /// Structure, GHT, region and routings: what access depends on.
    pub facts: IncidentFacts,
    /// Handling state.
    pub state: CaseState,
    /// Who declared it on the portal.
    pub declared_by: Option<UserId>,
    /// Measures taken and affected systems, as declared.
    pub texts: DeclarationTexts,
}

impl CaseRecord {
    /// The handling state of a case when it is declared.
    pub const INITIAL_STATE: CaseState = CaseState::Received;
}

/// A line of a list of cases.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    /// Case number.
    pub case: CaseNumber,
    /// Name of the declaring structure.
    pub structure_name: String,
    /// Title given by the declarant.
    pub title: Option<String>,
    /// When it was declared.
    pub declared_at: DateTime,
    /// Handling state.
    pub state: CaseState,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// What access depends on.
    pub facts: IncidentFacts,
}

/// A message on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Identifier.
    pub id: i64,
    /// Author's display name, if the author is known.
    pub author: Option<String>,
    /// Author's role.
    pub author_role: Option<Role>,
    /// Text.
    pub body: String,
    /// When it was written.
    pub at: Timestamp,
}

impl Store {
    /// Adds or refreshes a structure; returns its identifier.
    pub async fn save_structure(&self, s: &Structure) -> Result<StructureId, StoreError> {
        let sql = "INSERT INTO structures (finess, name, kind, legal_status, region, ose, ght) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (finess) DO UPDATE SET \
                   name = excluded.name, kind = excluded.kind, legal_status = excluded.legal_status, \
                   region = excluded.region, ose = excluded.ose, ght = excluded.ght RETURNING id";
        // The structure's region, type, status and OSE flag are counted with its incidents.
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar(sql)
                .bind(s.finess.as_str()).bind(s.name.as_str()).bind(s.kind.code()).bind(s.legal_status.code())
                .bind(s.region.code()).bind(s.ose).bind(s.ght.as_ref().map(|g| g.as_str()))
                .fetch_one(&mut *tx).await?;
            sqlx::query(BUMP).execute(&mut *tx).await?;
            tx.commit().await?;
            id
        });
        self.tokens.clear();
        self.changes.bump();
        Ok(StructureId(id))
    }

    /// The structure with this identifier.
    pub async fn structure(&self, id: StructureId) -> Result<Option<StructureRecord>, StoreError> {
        let sql = "SELECT id, finess, name, kind, legal_status, region, ose, ght FROM structures WHERE id = $1";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(id.0).fetch_optional(pool).await? {
                Some(row) => Some(structure_record!(row)),
                None => None,
            }
        }))
    }

    /// The structure with this FINESS number.
    pub async fn structure_by_finess(
        &self,
        finess: &Finess,
    ) -> Result<Option<StructureRecord>, StoreError> {
        let sql = "SELECT id, finess, name, kind, legal_status, region, ose, ght FROM structures WHERE finess = $1";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(finess.as_str()).fetch_optional(pool).await? {
                Some(row) => Some(structure_record!(row)),
                None => None,
            }
        }))
    }

    /// One case, by number (`None` if there is no such case, or the year does not match).
    pub async fn case(&self, case: CaseNumber) -> Result<Option<CaseRecord>, StoreError> {
        let select = decode::SELECT_CASE;
        let routings = "SELECT authority FROM routings WHERE incident_id = $1";
        Ok(on_pool!(self, pool => {
            let Some(row) = sqlx::query(select).bind(case.id()).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let year: i32 = row.try_get("local_year")?;
            if year != i32::from(case.year()) {
                return Ok(None);
            }
            let structure: i64 = row.try_get("structure_id")?;
            let state: String = row.try_get("case_state")?;
            let state = parsed(CaseState::parse(&state), "incidents", case.id(), "case_state")?;
            let declared_by: Option<i64> = row.try_get("declared_by")?;
            let texts = DeclarationTexts {
                measures_taken: row.try_get("measures_taken")?,
                affected_systems: row.try_get("affected_systems")?,
            };
            let incident = decode::raw!(&row).into_incident()?;
            let mut routed_to = CodeSet::empty();
            for r in sqlx::query(routings).bind(case.id()).fetch_all(pool).await? {
                let code: String = r.try_get(0)?;
                if let Recipient::Authority(a) = parsed(Recipient::parse(&code), "routings", case.id(), "authority")? {
                    routed_to.insert(a);
                }
            }
            let facts = IncidentFacts {
                structure: StructureId(structure),
                ght: incident.structure.ght.as_ref().map(|g| g.as_str().to_owned()),
                region: incident.structure.region,
                routed_to,
            };
            Some(CaseRecord { case, incident, facts, state, declared_by: declared_by.map(UserId), texts })
        }))
    }

    /// Routes a case to an authority, with the reason, and journals it; routing twice
    /// changes nothing.
    pub async fn route_case(
        &self,
        case: CaseNumber,
        authority: Authority,
        reason: &str,
        by: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "INSERT INTO routings (incident_id, authority, reason, routed_at_ns) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (incident_id, authority) DO NOTHING";
        let entry = NewEntry {
            at_ns: ns(now),
            actor: by.clone(),
            action: Action::CaseRouted,
            subject: case.to_string(),
            payload: Payload::new()
                .with("authority", authority.code())
                .with("reason", reason),
        };
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(case.id()).bind(authority.code()).bind(reason).bind(ns(now))
                .execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                tx.append_journal(vec![entry]).await?;
            }
            tx.commit().await?;
            n == 1
        }))
    }

    /// The cases a listing may show, newest first.
    pub async fn list_cases(
        &self,
        listing: &Listing,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut out = Vec::new();
        if *listing == Listing::Nothing {
            return Ok(out);
        }
        macro_rules! listing_query {
            ($db:ty) => {{
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT i.id, i.local_year, i.title, i.declared_at_ns, i.declared_offset_s, i.case_state, \
                     i.care_impact, i.structure_id, s.name, s.ght, s.region, \
                     (SELECT string_agg(r.authority, ',') FROM routings r WHERE r.incident_id = i.id) AS routed \
                     FROM incidents i JOIN structures s ON s.id = i.structure_id",
                );
                match listing {
                    Listing::All | Listing::Nothing => {}
                    Listing::Structure(id) => {
                        qb.push(" WHERE i.structure_id = ").push_bind(id.0);
                    }
                    Listing::Ght(name) => {
                        qb.push(" WHERE s.ght = ").push_bind(name.clone());
                    }
                    Listing::Region(region) => {
                        qb.push(" WHERE s.region = ").push_bind(region.code());
                    }
                    Listing::RoutedTo(authority) => {
                        qb.push(" WHERE EXISTS (SELECT 1 FROM routings r WHERE r.incident_id = i.id AND r.authority = ")
                            .push_bind(authority.code())
                            .push(")");
                    }
                }
                qb.push(" ORDER BY i.declared_at_ns DESC, i.id DESC LIMIT ").push_bind(limit);
                qb.push(" OFFSET ").push_bind(offset);
                qb
            }};
        }
        match self.pool() {
            Pool::Sqlite(pool) => {
                let mut qb = listing_query!(Sqlite);
                let mut rows = qb.build().fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    out.push(case_summary!(row));
                }
            }
            Pool::Postgres(pool) => {
                let mut qb = listing_query!(Postgres);
                let mut rows = qb.build().fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    out.push(case_summary!(row));
                }
            }
        }
        Ok(out)
    }

    /// The messages of a case, oldest first.
    pub async fn messages(&self, case: CaseNumber) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = "SELECT m.id, m.body, m.created_at_ns, u.display_name, u.role FROM messages m \
                   LEFT JOIN users u ON u.id = m.author_id WHERE m.incident_id = $1 ORDER BY m.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(case.id()).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                let role: Option<String> = row.try_get("role")?;
                let at: i64 = row.try_get("created_at_ns")?;
                out.push(MessageRecord {
                    id,
                    author: row.try_get("display_name")?,
                    author_role: role.map(|r| parsed(Role::parse(&r), "users", id, "role")).transpose()?,
                    body: row.try_get("body")?,
                    at: instant(at),
                });
            }
        });
        Ok(out)
    }

    /// Adds a message to a case and journals it (its text only as a SHA-256).
    pub async fn add_message(
        &self,
        case: CaseNumber,
        author: UserId,
        body: &str,
        by: &Actor,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO messages (incident_id, author_id, body, created_at_ns) VALUES ($1, $2, $3, $4) RETURNING id";
        let entry = |id: i64| NewEntry {
            at_ns: ns(now),
            actor: by.clone(),
            action: Action::MessagePosted,
            subject: case.to_string(),
            payload: Payload::new()
                .with("message", id)
                .with("author", Actor::User(author.0).to_string())
                .with("body_sha256", sha256_hex(body.as_bytes())),
        };
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sql).bind(case.id()).bind(author.0).bind(body).bind(ns(now))
                .fetch_one(&mut *tx).await?;
            tx.append_journal(vec![entry(id)]).await?;
            tx.commit().await?;
            id
        }))
    }

    /// The GHT whose member structures declared the most incidents, if any structure has one.
    pub async fn busiest_ght(&self) -> Result<Option<String>, StoreError> {
        let sql = "SELECT s.ght FROM structures s JOIN incidents i ON i.structure_id = s.id \
                   WHERE s.ght IS NOT NULL GROUP BY s.ght ORDER BY COUNT(*) DESC, s.ght LIMIT 1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).fetch_optional(pool).await?))
    }
}
