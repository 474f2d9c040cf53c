-- Studies (issue 11): an evaluator's study over one or more programs, its allocation log,
-- and its locked analysis plan with the amendments chained to it.
-- SQLite twin of postgres/0011_studies.sql (STRICT tables; see 0001 for the type mapping).

-- A study. `definition` is the study as input (JSON), re-parsed on every read so what is
-- stored can only be a study the current parser accepts; `version` guards concurrent edits.
-- `seed` is drawn when the study opens for enrolment and never leaves the application layer
-- except to the study's evaluator re-deriving the allocation log.
CREATE TABLE studies (
    org_id         BLOB NOT NULL,
    id             BLOB NOT NULL,
    title          TEXT NOT NULL,
    design         TEXT NOT NULL,
    status         TEXT NOT NULL,
    definition     TEXT NOT NULL,
    template_code  TEXT,
    seed           BLOB,
    created_by     BLOB NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    opened_at      TEXT,
    version        INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX studies_by_title ON studies (org_id, title);

-- The programs a study covers (also inside `definition`; here so queries can join on them).
CREATE TABLE study_programs (
    org_id      BLOB NOT NULL,
    study_id    BLOB NOT NULL,
    program_id  BLOB NOT NULL,
    PRIMARY KEY (org_id, study_id, program_id),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id)
) STRICT;
CREATE INDEX study_programs_by_program ON study_programs (org_id, program_id);

-- The allocation log: append-only (the triggers below refuse any change). `sequence` numbers
-- the study's enrolments from 1; `position` is the count allocated before in the stratum,
-- which is what the seeded sequence is indexed by. An allocation is never undone: a
-- participant who withdraws stays in their arm (intention to treat).
CREATE TABLE study_allocations (
    org_id          BLOB NOT NULL,
    study_id        BLOB NOT NULL,
    sequence        INTEGER NOT NULL,
    participant_id  BLOB NOT NULL,
    stratum         TEXT NOT NULL,
    position        INTEGER NOT NULL,
    arm             TEXT NOT NULL,
    method          TEXT NOT NULL,
    block           INTEGER,
    block_size      INTEGER,
    enrolled_by     BLOB NOT NULL,
    enrolled_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, study_id, sequence),
    UNIQUE (org_id, study_id, participant_id),
    UNIQUE (org_id, study_id, stratum, position),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, enrolled_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX study_allocations_of_participant ON study_allocations (org_id, participant_id);

CREATE TRIGGER study_allocations_no_update BEFORE UPDATE ON study_allocations
BEGIN
    SELECT RAISE(ABORT, 'study_allocations is append-only');
END;
CREATE TRIGGER study_allocations_no_delete BEFORE DELETE ON study_allocations
BEGIN
    SELECT RAISE(ABORT, 'study_allocations is append-only');
END;

-- The analysis plan as locked: the SHA-256 of its canonical form, the form itself, who and when.
CREATE TABLE study_plan_locks (
    org_id     BLOB NOT NULL,
    study_id   BLOB NOT NULL,
    hash       TEXT NOT NULL,
    canonical  TEXT NOT NULL,
    locked_by  BLOB NOT NULL,
    locked_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, study_id),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id),
    FOREIGN KEY (org_id, locked_by) REFERENCES users (org_id, id)
) STRICT;

-- Amendments to a locked plan, in order, each chained to the link before it.
CREATE TABLE study_amendments (
    org_id         BLOB NOT NULL,
    study_id       BLOB NOT NULL,
    seq            INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    previous_hash  TEXT NOT NULL,
    plan_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    canonical      TEXT NOT NULL,
    amended_by     BLOB NOT NULL,
    amended_at     TEXT NOT NULL,
    PRIMARY KEY (org_id, study_id, seq),
    FOREIGN KEY (org_id, study_id) REFERENCES studies (org_id, id),
    FOREIGN KEY (org_id, amended_by) REFERENCES users (org_id, id)
) STRICT;

CREATE TRIGGER study_plan_locks_no_change BEFORE UPDATE ON study_plan_locks
BEGIN
    SELECT RAISE(ABORT, 'study_plan_locks is append-only');
END;
CREATE TRIGGER study_amendments_no_change BEFORE UPDATE ON study_amendments
BEGIN
    SELECT RAISE(ABORT, 'study_amendments is append-only');
END;
