-- Foundation: organisations, accounts, sessions, participants, consent and the audit chain.
-- SQLite twin of postgres/0001_foundation.sql: STRICT tables, UUIDs as 16-byte BLOBs,
-- timestamps as fixed-width UTC text, dates as ISO text.

-- The tenant list. On Citus this is a reference table (replicated); every other table is
-- distributed by org_id.
CREATE TABLE organisations (
    id          BLOB PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Per-organisation counters (participant reference numbers).
CREATE TABLE org_counters (
    org_id      BLOB NOT NULL REFERENCES organisations (id),
    name        TEXT NOT NULL,
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (org_id, name)
) STRICT;

CREATE TABLE users (
    org_id         BLOB NOT NULL REFERENCES organisations (id),
    id             BLOB NOT NULL,
    email          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    supervisor_id  BLOB,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email),
    FOREIGN KEY (org_id, supervisor_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX users_by_supervisor ON users (org_id, supervisor_id);

CREATE TABLE user_roles (
    org_id   BLOB NOT NULL,
    user_id  BLOB NOT NULL,
    role     TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, role),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
) STRICT;

-- Browser sessions. The cookie carries the organisation id and a random token; only the
-- token's SHA-256 is stored, so a copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    org_id        BLOB NOT NULL,
    token_hash    BLOB NOT NULL,
    user_id       BLOB NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, token_hash),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_by_user ON sessions (org_id, user_id);

CREATE TABLE api_tokens (
    org_id        BLOB NOT NULL,
    id            BLOB NOT NULL,
    user_id       BLOB NOT NULL,
    name          TEXT NOT NULL,
    token_hash    BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, token_hash),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
) STRICT;

-- Failed logins per organisation and email, whether or not the account exists (so the
-- throttle does not reveal which accounts do).
CREATE TABLE login_throttle (
    org_id           BLOB NOT NULL REFERENCES organisations (id),
    email            TEXT NOT NULL,
    failures         INTEGER NOT NULL,
    last_failure_at  TEXT NOT NULL,
    locked_until     TEXT,
    PRIMARY KEY (org_id, email)
) STRICT;

CREATE TABLE programs (
    org_id       BLOB NOT NULL REFERENCES organisations (id),
    id           BLOB NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, name)
) STRICT;

-- The research record: no names, no date of birth, no contact details.
CREATE TABLE participants (
    org_id                        BLOB NOT NULL REFERENCES organisations (id),
    id                            BLOB NOT NULL,
    reference                     TEXT NOT NULL,
    program_id                    BLOB,
    enrolled_on                   TEXT NOT NULL,
    setting                       TEXT,
    referral_source               TEXT,
    treatment_phase               TEXT,
    coach_id                      BLOB,
    status                        TEXT NOT NULL,
    age_band                      TEXT NOT NULL,
    gender                        TEXT,
    primary_substance             TEXT,
    co_occurring_mental_disorder  TEXT NOT NULL,
    housing                       TEXT,
    justice_involvement           TEXT,
    pregnant                      TEXT NOT NULL,
    veteran                       TEXT NOT NULL,
    version                       INTEGER NOT NULL,
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, reference),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id),
    FOREIGN KEY (org_id, coach_id) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX participants_caseload ON participants (org_id, coach_id, status);

-- The identity, kept apart from the research record.
CREATE TABLE participant_identities (
    org_id          BLOB NOT NULL,
    participant_id  BLOB NOT NULL,
    given_name      TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    preferred_name  TEXT,
    date_of_birth   TEXT NOT NULL,
    phone           TEXT,
    email           TEXT,
    PRIMARY KEY (org_id, participant_id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX participant_identities_duplicate_check
    ON participant_identities (org_id, date_of_birth, family_name);

CREATE TABLE consents (
    org_id             BLOB NOT NULL,
    id                 BLOB NOT NULL,
    participant_id     BLOB NOT NULL,
    disclose           TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    signed_on          TEXT NOT NULL,
    expires_on         TEXT NOT NULL,
    notes              TEXT,
    recorded_by        BLOB NOT NULL,
    recorded_at        TEXT NOT NULL,
    revoked_at         TEXT,
    revoked_by         BLOB,
    revocation_reason  TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, revoked_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX consents_of_participant ON consents (org_id, participant_id);

-- The audit log: append-only, hash-chained per organisation (see kindred_domain::audit).
CREATE TABLE audit_events (
    org_id        BLOB NOT NULL REFERENCES organisations (id),
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    actor_id      BLOB,
    actor_label   TEXT NOT NULL,
    action        TEXT NOT NULL,
    record_type   TEXT NOT NULL,
    record_id     TEXT,
    detail        TEXT NOT NULL,
    prev_hash     BLOB NOT NULL,
    hash          BLOB NOT NULL,
    PRIMARY KEY (org_id, seq)
) STRICT;
CREATE INDEX audit_events_of_record ON audit_events (org_id, record_type, record_id, seq);
CREATE INDEX audit_events_of_actor ON audit_events (org_id, actor_id, seq);

-- The last link of each organisation's chain. Appending locks this row, which serialises
-- appends within one organisation and no further.
CREATE TABLE audit_heads (
    org_id  BLOB NOT NULL REFERENCES organisations (id),
    seq     INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    PRIMARY KEY (org_id)
) STRICT;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
