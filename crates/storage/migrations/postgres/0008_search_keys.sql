-- Search and sort keys: folded copies of names and directory text (kindred_domain::text::fold:
-- lower case, decomposed, marks removed), written by storage on every insert and update.
-- Neither database folds: SQLite's lower() changes ASCII only, so "Élodie" typed exactly found
-- nobody. SQLite cannot compute the fold in SQL, so rows that exist now are filled in Rust when
-- the database is next migrated (Database::fill_search_keys, idempotent: only rows without
-- keys). The columns stay nullable so a build from before this migration can still write
-- (expand/contract); its rows get their keys on the next start.
--
-- COLLATE "C": byte order, which for UTF-8 is code point order, the same as SQLite's BINARY;
-- without it the order would follow the server's locale (en_US ignores spaces, for one).
ALTER TABLE participant_identities ADD COLUMN search_key TEXT COLLATE "C";
ALTER TABLE participant_identities ADD COLUMN sort_key TEXT COLLATE "C";
-- The caseload and follow-up lists, by name: ORDER BY i.sort_key, p.id within an organisation.
CREATE INDEX participant_identities_by_name
    ON participant_identities (org_id, sort_key, participant_id);
-- The enrolment's duplicate check now compares sort_key (the folded family and given name)
-- at one date of birth: participant_identities_duplicate_check's (org_id, date_of_birth)
-- prefix still finds those few rows, so it needs no index of its own.

ALTER TABLE resources ADD COLUMN search_key TEXT COLLATE "C";
ALTER TABLE resources ADD COLUMN sort_key TEXT COLLATE "C";
-- The directory, by organisation and service name: ORDER BY sort_key, id.
CREATE INDEX resources_directory_by_name ON resources (org_id, sort_key, id);

-- A caseload or directory search is a LIKE '%…%' on search_key: no B-tree index can serve a
-- pattern that starts with a wildcard, so it reads the organisation's rows (the page's scope
-- filter and LIMIT bound the rest). None is added for it.
