//! Search and sort keys: folded copies of searchable text, written by storage beside the text
//! on every insert and update, so searching and ordering compare folded text on both
//! databases (see [`kindred_domain::text`] for why neither database folds).
//!
//! - `participant_identities.search_key`: family, given and preferred names and the
//!   reference; `sort_key`: family name, then given name (the caseload's order, and what the
//!   enrolment's duplicate check compares).
//! - `resources.search_key`: organisation, service, category and city; `sort_key`:
//!   organisation, then service.
//!
//! Rows without keys (written before the keys existed, or by a build that did not know them)
//! are filled by [`Database::fill_search_keys`] when the database is migrated, which every
//! start does. A change to the fold is shipped as a migration that sets the keys to NULL.

use kindred_domain::ids::OrgId;
use kindred_domain::participant::Identity;
use kindred_domain::resource::ResourceDetails;
use kindred_domain::text::fold;
use uuid::Uuid;

use crate::Result;
use crate::backend::Database;
use crate::session::on_conn;

/// Between the parts of a sort key: below every character a name can hold, so "Reyes, Ana"
/// sorts before "Reyes-Smith, Cleo" and a family name is compared whole before the given name.
const PART: char = '\u{1}';

/// The keys of one participant's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityKeys {
    pub(crate) search: String,
    pub(crate) sort: String,
}

impl IdentityKeys {
    pub(crate) fn of(reference: &str, identity: &Identity) -> Self {
        Self::from_parts(
            reference,
            &identity.given_name,
            &identity.family_name,
            identity.preferred_name.as_deref(),
        )
    }

    fn from_parts(reference: &str, given: &str, family: &str, preferred: Option<&str>) -> Self {
        let preferred = preferred.unwrap_or_default();
        Self {
            search: fold(&format!("{family} {given} {preferred} {reference}")),
            sort: sort_key(family, given),
        }
    }
}

/// The sort key of a family and given name (also what the duplicate check compares).
pub(crate) fn sort_key(family: &str, given: &str) -> String {
    format!("{}{PART}{}", fold(family), fold(given))
}

/// The keys of a resource: (search, sort).
pub(crate) fn resource_keys(details: &ResourceDetails) -> (String, String) {
    resource_keys_of(
        &details.organisation_name,
        &details.service_name,
        details.category.as_deref(),
        details.city.as_deref(),
    )
}

fn resource_keys_of(
    organisation: &str,
    service: &str,
    category: Option<&str>,
    city: Option<&str>,
) -> (String, String) {
    let (category, city) = (category.unwrap_or_default(), city.unwrap_or_default());
    (
        fold(&format!("{organisation} {service} {category} {city}")),
        format!("{}{PART}{}", fold(organisation), fold(service)),
    )
}

/// A LIKE pattern matching the folded `text` anywhere in a search key, with `%`, `_` and `\`
/// taken literally (unescaped, a search for `%` would scan and match everything); `None` when
/// nothing is left to search for. Folded before escaping: a fullwidth `％` folds to `%`.
pub(crate) fn contains_pattern(text: &str) -> Option<String> {
    let folded = fold(text.trim());
    if folded.trim().is_empty() {
        return None;
    }
    let mut pattern = String::from("%");
    for ch in folded.trim().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    Some(pattern)
}

/// Rows are filled this many at a time, each batch in its own transaction, so a large
/// organisation does not hold the (SQLite) writer for one long transaction.
const BATCH: i64 = 500;

#[derive(sqlx::FromRow)]
struct IdentityText {
    participant_id: Uuid,
    reference: String,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ResourceText {
    id: Uuid,
    organisation_name: String,
    service_name: String,
    category: Option<String>,
    city: Option<String>,
}

impl Database {
    /// Computes the keys of every row that has none, in every organisation; returns how many
    /// rows it filled. Idempotent: a row with keys is never touched, so a second run fills
    /// nothing.
    pub async fn fill_search_keys(&self) -> Result<u64> {
        let mut filled = 0;
        for organisation in self.organisations().await? {
            filled += self.fill_identity_keys(organisation.id).await?;
            filled += self.fill_resource_keys(organisation.id).await?;
        }
        Ok(filled)
    }

    async fn fill_identity_keys(&self, org: OrgId) -> Result<u64> {
        let mut filled = 0;
        loop {
            let mut tx = self.tenant(org).write().await?;
            let n = on_conn!(tx.conn(), c => {
                let rows: Vec<IdentityText> = c.query_as(
                    "SELECT i.participant_id, p.reference, i.given_name, i.family_name,
                            i.preferred_name
                     FROM participant_identities i
                     JOIN participants p ON p.org_id = $1 AND p.id = i.participant_id
                     WHERE i.org_id = $1 AND (i.search_key IS NULL OR i.sort_key IS NULL)
                     LIMIT $2",
                )
                .bind(BATCH)
                .fetch_all(&mut *c)
                .await?;
                for row in &rows {
                    let keys = IdentityKeys::from_parts(
                        &row.reference,
                        &row.given_name,
                        &row.family_name,
                        row.preferred_name.as_deref(),
                    );
                    // Only a row still without keys: one a writer keyed meanwhile is current.
                    c.query(
                        "UPDATE participant_identities SET search_key = $3, sort_key = $4
                         WHERE org_id = $1 AND participant_id = $2
                           AND (search_key IS NULL OR sort_key IS NULL)",
                    )
                    .bind(row.participant_id)
                    .bind(&keys.search)
                    .bind(&keys.sort)
                    .execute(&mut *c)
                    .await?;
                }
                rows.len()
            });
            tx.commit().await?;
            filled += n as u64;
            if (n as i64) < BATCH {
                return Ok(filled);
            }
        }
    }

    async fn fill_resource_keys(&self, org: OrgId) -> Result<u64> {
        let mut filled = 0;
        loop {
            let mut tx = self.tenant(org).write().await?;
            let n = on_conn!(tx.conn(), c => {
                let rows: Vec<ResourceText> = c.query_as(
                    "SELECT id, organisation_name, service_name, category, city FROM resources
                     WHERE org_id = $1 AND (search_key IS NULL OR sort_key IS NULL) LIMIT $2",
                )
                .bind(BATCH)
                .fetch_all(&mut *c)
                .await?;
                for row in &rows {
                    let (search, sort) = resource_keys_of(
                        &row.organisation_name,
                        &row.service_name,
                        row.category.as_deref(),
                        row.city.as_deref(),
                    );
                    c.query(
                        "UPDATE resources SET search_key = $3, sort_key = $4
                         WHERE org_id = $1 AND id = $2
                           AND (search_key IS NULL OR sort_key IS NULL)",
                    )
                    .bind(row.id)
                    .bind(&search)
                    .bind(&sort)
                    .execute(&mut *c)
                    .await?;
                }
                rows.len()
            });
            tx.commit().await?;
            filled += n as u64;
            if (n as i64) < BATCH {
                return Ok(filled);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_folded_then_escaped() {
        assert_eq!(contains_pattern("  Élodie "), Some("%elodie%".into()));
        assert_eq!(contains_pattern("100%"), Some("%100\\%%".into()));
        assert_eq!(contains_pattern("a_b\\c"), Some("%a\\_b\\\\c%".into()));
        // A fullwidth percent folds to `%`, which is then taken literally.
        assert_eq!(contains_pattern("％"), Some("%\\%%".into()));
        // Nothing left after folding (a lone combining mark) searches for nothing.
        assert_eq!(contains_pattern("\u{301}"), None);
        assert_eq!(contains_pattern("   "), None);
    }

    #[test]
    fn a_family_name_is_compared_whole_before_the_given_name() {
        assert!(sort_key("Reyes", "Zoe") < sort_key("Reyes-Smith", "Ana"));
        assert!(sort_key("de la Cruz", "Ana") < sort_key("Dean", "Ana"));
        assert_eq!(sort_key("ana", "REYES"), sort_key("Ana", "Reyes"));
    }
}
