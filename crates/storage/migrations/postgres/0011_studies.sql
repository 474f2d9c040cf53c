-- Studies (issue 11): an evaluator's study over one or more programs, its allocation log,
-- and its locked analysis plan with the amendments chained to it.

-- A study. `definition` is the study as input (JSON), re-parsed on every read so what is
-- stored can only be a study the current parser accepts; `version` guards concurrent edits.
-- `seed` is drawn when the study opens for enrolment and never leaves the application layer
-- except to the study's evaluator re-deriving the allocation log.
CREATE TABLE studies (
    org_id         UUID NOT NULL,
    id             UUID NOT NULL,
    title          TEXT NOT NULL,
    design         TEXT NOT NULL,
    status         TEXT NOT NULL,
    definition     TEXT NOT NULL,
    template_code  TEXT,
    seed           BYTEA,
    created_by     UUID NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    opened_at      TIMESTAMPTZ,
    version        BIGINT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX studies_by_title ON studies (org_id, title);

-- The programs a study covers (also inside `definition`; here so queries can join on them).
CREATE TABLE study_programs (
    org_id      UUID NOT NULL,
    study_id    UUID NOT NULL,
    program_id  UUID NOT NULL,
    PRIMARY KEY (org_id, study_id, program_id),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id)
);
CREATE INDEX study_programs_by_program ON study_programs (org_id, program_id);

-- The allocation log: append-only (the triggers below refuse any change). `sequence` numbers
-- the study's enrolments from 1; `position` is the count allocated before in the stratum,
-- which is what the seeded sequence is indexed by. An allocation is never undone: a
-- participant who withdraws stays in their arm (intention to treat).
CREATE TABLE study_allocations (
    org_id          UUID NOT NULL,
    study_id        UUID NOT NULL,
    sequence        BIGINT NOT NULL,
    participant_id  UUID NOT NULL,
    stratum         TEXT NOT NULL,
    position        BIGINT NOT NULL,
    arm             TEXT NOT NULL,
    method          TEXT NOT NULL,
    block           BIGINT,
    block_size      BIGINT,
    enrolled_by     UUID NOT NULL,
    enrolled_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, study_id, sequence),
    UNIQUE (org_id, study_id, participant_id),
    UNIQUE (org_id, study_id, stratum, position),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, enrolled_by) REFERENCES users (org_id, id)
);
CREATE INDEX study_allocations_of_participant ON study_allocations (org_id, participant_id);

CREATE FUNCTION study_records_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER study_allocations_append_only
    BEFORE UPDATE OR DELETE ON study_allocations
    FOR EACH ROW EXECUTE FUNCTION study_records_are_append_only();

-- The analysis plan as locked: the SHA-256 of its canonical form, the form itself, who and when.
CREATE TABLE study_plan_locks (
    org_id     UUID NOT NULL,
    study_id   UUID NOT NULL,
    hash       TEXT NOT NULL,
    canonical  TEXT NOT NULL,
    locked_by  UUID NOT NULL,
    locked_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, study_id),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id),
    FOREIGN KEY (org_id, locked_by) REFERENCES users (org_id, id)
);

-- Amendments to a locked plan, in order, each chained to the link before it.
CREATE TABLE study_amendments (
    org_id         UUID NOT NULL,
    study_id       UUID NOT NULL,
    seq            BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    previous_hash  TEXT NOT NULL,
    plan_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    canonical      TEXT NOT NULL,
    amended_by     UUID NOT NULL,
    amended_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, study_id, seq),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id),
    FOREIGN KEY (org_id, amended_by) REFERENCES users (org_id, id)
);

CREATE TRIGGER study_plan_locks_append_only
    BEFORE UPDATE ON study_plan_locks
    FOR EACH ROW EXECUTE FUNCTION study_records_are_append_only();
CREATE TRIGGER study_amendments_append_only
    BEFORE UPDATE ON study_amendments
    FOR EACH ROW EXECUTE FUNCTION study_records_are_append_only();
