-- An organisation's own instruments, imported from FHIR SDC Questionnaires. The definition is
-- kept whole as JSON (the same shape as the shipped definition files); one version per code.
-- SQLite twin of postgres/0005_org_instruments.sql.

CREATE TABLE org_instruments (
    org_id       BLOB NOT NULL,
    code         TEXT NOT NULL,
    version      TEXT NOT NULL,
    definition   TEXT NOT NULL,
    imported_by  BLOB NOT NULL,
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, code),
    FOREIGN KEY (org_id, imported_by) REFERENCES users (org_id, id)
) STRICT;
