-- Foundation: organisations, accounts, sessions, participants, consent and the audit chain.

-- The tenant list. On Citus this is a reference table (replicated); every other table is
-- distributed by org_id.
CREATE TABLE organisations (
    id          UUID PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Per-organisation counters (participant reference numbers).
CREATE TABLE org_counters (
    org_id      UUID NOT NULL REFERENCES organisations (id),
    name        TEXT NOT NULL,
    last_value  BIGINT NOT NULL,
    PRIMARY KEY (org_id, name)
);

CREATE TABLE users (
    org_id         UUID NOT NULL REFERENCES organisations (id),
    id             UUID NOT NULL,
    email          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    supervisor_id  UUID,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email),
    FOREIGN KEY (org_id, supervisor_id) REFERENCES users (org_id, id)
);
CREATE INDEX users_by_supervisor ON users (org_id, supervisor_id);

CREATE TABLE user_roles (
    org_id   UUID NOT NULL,
    user_id  UUID NOT NULL,
    role     TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, role),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- Browser sessions. The cookie carries the organisation id and a random token; only the
-- token's SHA-256 is stored, so a copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    org_id        UUID NOT NULL,
    token_hash    BYTEA NOT NULL,
    user_id       UUID NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, token_hash),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_user ON sessions (org_id, user_id);

CREATE TABLE api_tokens (
    org_id        UUID NOT NULL,
    id            UUID NOT NULL,
    user_id       UUID NOT NULL,
    name          TEXT NOT NULL,
    token_hash    BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, token_hash),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- Failed logins per organisation and email, whether or not the account exists (so the
-- throttle does not reveal which accounts do).
CREATE TABLE login_throttle (
    org_id           UUID NOT NULL REFERENCES organisations (id),
    email            TEXT NOT NULL,
    failures         INTEGER NOT NULL,
    last_failure_at  TIMESTAMPTZ NOT NULL,
    locked_until     TIMESTAMPTZ,
    PRIMARY KEY (org_id, email)
);

CREATE TABLE programs (
    org_id       UUID NOT NULL REFERENCES organisations (id),
    id           UUID NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, name)
);

-- The research record: no names, no date of birth, no contact details.
CREATE TABLE participants (
    org_id                        UUID NOT NULL REFERENCES organisations (id),
    id                            UUID NOT NULL,
    reference                     TEXT NOT NULL,
    program_id                    UUID,
    enrolled_on                   DATE NOT NULL,
    setting                       TEXT,
    referral_source               TEXT,
    treatment_phase               TEXT,
    coach_id                      UUID,
    status                        TEXT NOT NULL,
    age_band                      TEXT NOT NULL,
    gender                        TEXT,
    primary_substance             TEXT,
    co_occurring_mental_disorder  TEXT NOT NULL,
    housing                       TEXT,
    justice_involvement           TEXT,
    pregnant                      TEXT NOT NULL,
    veteran                       TEXT NOT NULL,
    version                       BIGINT NOT NULL,
    created_at                    TIMESTAMPTZ NOT NULL,
    updated_at                    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, reference),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id),
    FOREIGN KEY (org_id, coach_id) REFERENCES users (org_id, id)
);
CREATE INDEX participants_caseload ON participants (org_id, coach_id, status);

-- The identity, kept apart from the research record.
CREATE TABLE participant_identities (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    given_name      TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    preferred_name  TEXT,
    date_of_birth   DATE NOT NULL,
    phone           TEXT,
    email           TEXT,
    PRIMARY KEY (org_id, participant_id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id) ON DELETE CASCADE
);
CREATE INDEX participant_identities_duplicate_check
    ON participant_identities (org_id, date_of_birth, family_name);

CREATE TABLE consents (
    org_id             UUID NOT NULL,
    id                 UUID NOT NULL,
    participant_id     UUID NOT NULL,
    disclose           TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    signed_on          DATE NOT NULL,
    expires_on         DATE NOT NULL,
    notes              TEXT,
    recorded_by        UUID NOT NULL,
    recorded_at        TIMESTAMPTZ NOT NULL,
    revoked_at         TIMESTAMPTZ,
    revoked_by         UUID,
    revocation_reason  TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, revoked_by) REFERENCES users (org_id, id)
);
CREATE INDEX consents_of_participant ON consents (org_id, participant_id);

-- The audit log: append-only, hash-chained per organisation (see kindred_domain::audit).
CREATE TABLE audit_events (
    org_id        UUID NOT NULL REFERENCES organisations (id),
    seq           BIGINT NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    actor_id      UUID,
    actor_label   TEXT NOT NULL,
    action        TEXT NOT NULL,
    record_type   TEXT NOT NULL,
    record_id     TEXT,
    detail        TEXT NOT NULL,
    prev_hash     BYTEA NOT NULL,
    hash          BYTEA NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_events_of_record ON audit_events (org_id, record_type, record_id, seq);
CREATE INDEX audit_events_of_actor ON audit_events (org_id, actor_id, seq);

-- The last link of each organisation's chain. Appending locks this row, which serialises
-- appends within one organisation and no further.
CREATE TABLE audit_heads (
    org_id  UUID NOT NULL REFERENCES organisations (id),
    seq     BIGINT NOT NULL,
    hash    BYTEA NOT NULL,
    PRIMARY KEY (org_id)
);

CREATE FUNCTION audit_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only();
