-- Instruments and follow-up: program schedules (time points and the instruments at each),
-- administered assessments with their server-computed scores, administrative exclusions,
-- contact attempts and the locator record.
-- SQLite twin of postgres/0006_follow_up.sql (STRICT tables; see 0001 for the type mapping).

CREATE TABLE program_time_points (
    org_id            BLOB NOT NULL,
    program_id        BLOB NOT NULL,
    code              TEXT NOT NULL,
    position          INTEGER NOT NULL,
    label             TEXT NOT NULL,
    target_day        INTEGER NOT NULL,
    window_start_day  INTEGER NOT NULL,
    window_end_day    INTEGER NOT NULL,
    PRIMARY KEY (org_id, program_id, code),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE program_time_point_instruments (
    org_id           BLOB NOT NULL,
    program_id       BLOB NOT NULL,
    time_point_code  TEXT NOT NULL,
    instrument_code  TEXT NOT NULL,
    position         INTEGER NOT NULL,
    PRIMARY KEY (org_id, program_id, time_point_code, instrument_code),
    FOREIGN KEY (org_id, program_id, time_point_code)
        REFERENCES program_time_points (org_id, program_id, code) ON DELETE CASCADE
) STRICT;

-- One administration of an instrument. Answers are kept as given (JSON: item id → value);
-- scores, band and flags are computed by the server from the instrument's definition.
CREATE TABLE assessments (
    org_id              BLOB NOT NULL,
    id                  BLOB NOT NULL,
    participant_id      BLOB NOT NULL,
    instrument_code     TEXT NOT NULL,
    instrument_version  TEXT NOT NULL,
    program_id          BLOB,
    time_point_code     TEXT,
    administered_on     TEXT NOT NULL,
    status              TEXT NOT NULL,
    answers             TEXT NOT NULL,
    score               REAL,
    subscores           TEXT,
    band                TEXT,
    flags               TEXT,
    administered_by     BLOB NOT NULL,
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id),
    FOREIGN KEY (org_id, administered_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX assessments_of_participant ON assessments (org_id, participant_id, instrument_code, administered_on);
CREATE INDEX assessments_by_time_point ON assessments (org_id, program_id, time_point_code, status);

-- A time point excluded from the follow-up rate, with the reason.
CREATE TABLE follow_up_exclusions (
    org_id           BLOB NOT NULL,
    participant_id   BLOB NOT NULL,
    time_point_code  TEXT NOT NULL,
    reason           TEXT NOT NULL,
    note             TEXT,
    recorded_by      BLOB NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, participant_id, time_point_code),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id)
) STRICT;

CREATE TABLE contact_attempts (
    org_id           BLOB NOT NULL,
    id               BLOB NOT NULL,
    participant_id   BLOB NOT NULL,
    time_point_code  TEXT,
    attempted_at     TEXT NOT NULL,
    channel          TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    note             TEXT,
    made_by          BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, made_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX contact_attempts_of_participant ON contact_attempts (org_id, participant_id, attempted_at);

-- Ways to reach a participant, and people who know how to (kept under consent).
CREATE TABLE locator_entries (
    org_id          BLOB NOT NULL,
    id              BLOB NOT NULL,
    participant_id  BLOB NOT NULL,
    kind            TEXT NOT NULL,
    value           TEXT NOT NULL,
    relationship    TEXT,
    consent_id      BLOB,
    note            TEXT,
    active          INTEGER NOT NULL,
    created_by      BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, consent_id) REFERENCES consents (org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
) STRICT;
CREATE INDEX locator_entries_of_participant ON locator_entries (org_id, participant_id);
