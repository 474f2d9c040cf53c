-- Per-month rollups of contacts, the day rollups (0014, 0018) summed by month, so a period of
-- whole months reads one row per month, coach and caseload instead of one per day: a program's
-- year of activities was ~160 000 day rows at 1 M contacts, and is ~5 000 month rows. A period
-- reads its whole months here and only its partial months at either end from the day rows
-- (`kindred_storage::rollup_span`).
--
-- Kept exact by triggers on the day rollups themselves, so every rule that keeps a day row
-- exact (a contact written, edited or deleted; its terms; a participant changing coach or
-- program) keeps its month row exact too, with nothing written twice: each change of a day row
-- adds its difference to its month's row. `month` is the month's first day. The same rules for
-- PostgreSQL are in `0019_fidelity_by_month.sql` there.

CREATE TABLE contact_month_totals (
    org_id                  BLOB NOT NULL,
    month                   TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id)
) STRICT, WITHOUT ROWID;

INSERT INTO contact_month_totals
SELECT org_id, substr(day, 1, 8) || '01', participant_coach_id, participant_program_id,
       coach_id, SUM(contacts), SUM(minutes)
FROM contact_day_totals GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER contact_month_totals_insert AFTER INSERT ON contact_day_totals
BEGIN
    INSERT INTO contact_month_totals
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.contacts, NEW.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_totals_update AFTER UPDATE OF contacts, minutes ON contact_day_totals
BEGIN
    INSERT INTO contact_month_totals
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.contacts - OLD.contacts, NEW.minutes - OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_totals_delete AFTER DELETE ON contact_day_totals
BEGIN
    INSERT INTO contact_month_totals
    VALUES (OLD.org_id, substr(OLD.day, 1, 8) || '01', OLD.participant_coach_id,
            OLD.participant_program_id, OLD.coach_id, -OLD.contacts, -OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TABLE contact_month_support_kinds (
    org_id                  BLOB NOT NULL,
    month                   TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    kind                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id, kind)
) STRICT, WITHOUT ROWID;

INSERT INTO contact_month_support_kinds
SELECT org_id, substr(day, 1, 8) || '01', participant_coach_id, participant_program_id,
       coach_id, kind, SUM(contacts), SUM(minutes)
FROM contact_day_support_kinds GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER contact_month_support_kinds_insert AFTER INSERT ON contact_day_support_kinds
BEGIN
    INSERT INTO contact_month_support_kinds
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.kind, NEW.contacts, NEW.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_support_kinds_update AFTER UPDATE OF contacts, minutes ON contact_day_support_kinds
BEGIN
    INSERT INTO contact_month_support_kinds
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.kind, NEW.contacts - OLD.contacts, NEW.minutes - OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_support_kinds_delete AFTER DELETE ON contact_day_support_kinds
BEGIN
    INSERT INTO contact_month_support_kinds
    VALUES (OLD.org_id, substr(OLD.day, 1, 8) || '01', OLD.participant_coach_id,
            OLD.participant_program_id, OLD.coach_id, OLD.kind, -OLD.contacts, -OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TABLE contact_month_activities (
    org_id                  BLOB NOT NULL,
    month                   TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    activity                TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id, activity)
) STRICT, WITHOUT ROWID;

INSERT INTO contact_month_activities
SELECT org_id, substr(day, 1, 8) || '01', participant_coach_id, participant_program_id,
       coach_id, activity, SUM(contacts), SUM(minutes)
FROM contact_day_activities GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER contact_month_activities_insert AFTER INSERT ON contact_day_activities
BEGIN
    INSERT INTO contact_month_activities
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.activity, NEW.contacts, NEW.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_activities_update AFTER UPDATE OF contacts, minutes ON contact_day_activities
BEGIN
    INSERT INTO contact_month_activities
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.activity, NEW.contacts - OLD.contacts, NEW.minutes - OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_activities_delete AFTER DELETE ON contact_day_activities
BEGIN
    INSERT INTO contact_month_activities
    VALUES (OLD.org_id, substr(OLD.day, 1, 8) || '01', OLD.participant_coach_id,
            OLD.participant_program_id, OLD.coach_id, OLD.activity, -OLD.contacts, -OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TABLE contact_month_modes (
    org_id                  BLOB NOT NULL,
    month                   TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    mode                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id, mode)
) STRICT, WITHOUT ROWID;

INSERT INTO contact_month_modes
SELECT org_id, substr(day, 1, 8) || '01', participant_coach_id, participant_program_id,
       coach_id, mode, SUM(contacts), SUM(minutes)
FROM contact_day_modes GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER contact_month_modes_insert AFTER INSERT ON contact_day_modes
BEGIN
    INSERT INTO contact_month_modes
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.mode, NEW.contacts, NEW.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_modes_update AFTER UPDATE OF contacts, minutes ON contact_day_modes
BEGIN
    INSERT INTO contact_month_modes
    VALUES (NEW.org_id, substr(NEW.day, 1, 8) || '01', NEW.participant_coach_id,
            NEW.participant_program_id, NEW.coach_id, NEW.mode, NEW.contacts - OLD.contacts, NEW.minutes - OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_month_modes_delete AFTER DELETE ON contact_day_modes
BEGIN
    INSERT INTO contact_month_modes
    VALUES (OLD.org_id, substr(OLD.day, 1, 8) || '01', OLD.participant_coach_id,
            OLD.participant_program_id, OLD.coach_id, OLD.mode, -OLD.contacts, -OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- Indexes that hold every column the program and fidelity figures read, so a year of a
-- program's protocol steps, enrolments and first contacts is read from the index alone, not a
-- table row per participant or task as well (at 10 000 participants, by hand in
-- sqlite3: steps 26 → 12 ms, enrolments 7 → 1 ms). They replace narrower indexes serving the same queries. (A covering
-- index of participants by id was tried for the steps' join and dropped: on a database
-- analysed before it existed, SQLite chose it to drive the organisation's contact list, 1 →
-- 30 ms.)
DROP INDEX tasks_steps_by_due;
CREATE INDEX tasks_steps_by_due ON tasks (org_id, kind, due_on, participant_id, step_code, status,
                                          opens_on, closes_on, completed_on);
DROP INDEX participants_by_enrolment;
CREATE INDEX participants_by_enrolment ON participants (org_id, program_id, enrolled_on, left_on,
                                                        coach_id, status, id);

-- A version per program of everything its follow-up rates are computed from (who is enrolled
-- when and with which coach, their completed assessments and exclusions, the schedule, the
-- coaches' names), raised by triggers on each write of them, so a process may keep a program's
-- rates for the day and know at the cost of one key lookup whether they still hold — whoever
-- wrote, from whichever process. Contacts do not touch it.
CREATE TABLE follow_up_versions (
    org_id      BLOB NOT NULL,
    program_id  BLOB NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (org_id, program_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER follow_up_version_enrolled AFTER INSERT ON participants
WHEN NEW.program_id IS NOT NULL
BEGIN
    INSERT INTO follow_up_versions VALUES (NEW.org_id, NEW.program_id, 1)
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_participant AFTER UPDATE OF program_id, enrolled_on, coach_id
ON participants
WHEN OLD.program_id IS NOT NEW.program_id OR OLD.enrolled_on IS NOT NEW.enrolled_on
  OR OLD.coach_id IS NOT NEW.coach_id
BEGIN
    INSERT INTO follow_up_versions SELECT OLD.org_id, OLD.program_id, 1
    WHERE OLD.program_id IS NOT NULL ON CONFLICT DO UPDATE SET version = version + 1;
    INSERT INTO follow_up_versions SELECT NEW.org_id, NEW.program_id, 1
    WHERE NEW.program_id IS NOT NULL ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_unenrolled AFTER DELETE ON participants
WHEN OLD.program_id IS NOT NULL
BEGIN
    INSERT INTO follow_up_versions VALUES (OLD.org_id, OLD.program_id, 1)
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_assessed AFTER INSERT ON assessments
WHEN NEW.program_id IS NOT NULL
BEGIN
    INSERT INTO follow_up_versions VALUES (NEW.org_id, NEW.program_id, 1)
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_assessment
AFTER UPDATE OF status, time_point_code, administered_on, program_id ON assessments
WHEN OLD.status IS NOT NEW.status OR OLD.time_point_code IS NOT NEW.time_point_code
  OR OLD.administered_on IS NOT NEW.administered_on OR OLD.program_id IS NOT NEW.program_id
BEGIN
    INSERT INTO follow_up_versions SELECT OLD.org_id, OLD.program_id, 1
    WHERE OLD.program_id IS NOT NULL ON CONFLICT DO UPDATE SET version = version + 1;
    INSERT INTO follow_up_versions SELECT NEW.org_id, NEW.program_id, 1
    WHERE NEW.program_id IS NOT NULL ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_unassessed AFTER DELETE ON assessments
WHEN OLD.program_id IS NOT NULL
BEGIN
    INSERT INTO follow_up_versions VALUES (OLD.org_id, OLD.program_id, 1)
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

-- An exclusion counts toward its participant's current program.
CREATE TRIGGER follow_up_version_excluded AFTER INSERT ON follow_up_exclusions
BEGIN
    INSERT INTO follow_up_versions
    SELECT p.org_id, p.program_id, 1 FROM participants p
    WHERE p.org_id = NEW.org_id AND p.id = NEW.participant_id AND p.program_id IS NOT NULL
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_exclusion AFTER UPDATE ON follow_up_exclusions
BEGIN
    INSERT INTO follow_up_versions
    SELECT p.org_id, p.program_id, 1 FROM participants p
    WHERE p.org_id = NEW.org_id AND p.id IN (OLD.participant_id, NEW.participant_id)
      AND p.program_id IS NOT NULL
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_unexcluded AFTER DELETE ON follow_up_exclusions
BEGIN
    INSERT INTO follow_up_versions
    SELECT p.org_id, p.program_id, 1 FROM participants p
    WHERE p.org_id = OLD.org_id AND p.id = OLD.participant_id AND p.program_id IS NOT NULL
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_scheduled AFTER INSERT ON program_time_points
BEGIN
    INSERT INTO follow_up_versions VALUES (NEW.org_id, NEW.program_id, 1)
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_schedule AFTER UPDATE ON program_time_points
BEGIN
    INSERT INTO follow_up_versions SELECT OLD.org_id, OLD.program_id, 1
    WHERE true ON CONFLICT DO UPDATE SET version = version + 1;
    INSERT INTO follow_up_versions SELECT NEW.org_id, NEW.program_id, 1
    WHERE true ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER follow_up_version_unscheduled AFTER DELETE ON program_time_points
BEGIN
    INSERT INTO follow_up_versions VALUES (OLD.org_id, OLD.program_id, 1)
    ON CONFLICT DO UPDATE SET version = version + 1;
END;

-- The rates by coach carry the coaches' names.
CREATE TRIGGER follow_up_version_coach_name AFTER UPDATE OF display_name ON users
WHEN OLD.display_name IS NOT NEW.display_name
BEGIN
    UPDATE follow_up_versions SET version = version + 1 WHERE org_id = NEW.org_id;
END;
