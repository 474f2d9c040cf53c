-- Per-month rollups of contacts, the day rollups summed by month: the same rules as
-- `0019_fidelity_by_month.sql` for SQLite (read its header), as plpgsql functions.

CREATE TABLE contact_month_totals (
    org_id                  UUID NOT NULL,
    month                   DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id)
);

INSERT INTO contact_month_totals
SELECT org_id, date_trunc('month', day)::date, participant_coach_id, participant_program_id,
       coach_id, SUM(contacts), SUM(minutes)
FROM contact_day_totals GROUP BY 1, 2, 3, 4, 5;

-- Adds a change of a day row of `contact_day_totals` to its month's row.
CREATE FUNCTION contact_day_totals_to_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO contact_month_totals AS r
        VALUES (OLD.org_id, date_trunc('month', OLD.day)::date, OLD.participant_coach_id,
                OLD.participant_program_id, OLD.coach_id, -OLD.contacts, -OLD.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO contact_month_totals AS r
        VALUES (NEW.org_id, date_trunc('month', NEW.day)::date, NEW.participant_coach_id,
                NEW.participant_program_id, NEW.coach_id, NEW.contacts, NEW.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contact_day_totals_to_month AFTER INSERT OR UPDATE OR DELETE ON contact_day_totals
    FOR EACH ROW EXECUTE FUNCTION contact_day_totals_to_month();

CREATE TABLE contact_month_support_kinds (
    org_id                  UUID NOT NULL,
    month                   DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    kind                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id, kind)
);

INSERT INTO contact_month_support_kinds
SELECT org_id, date_trunc('month', day)::date, participant_coach_id, participant_program_id,
       coach_id, kind, SUM(contacts), SUM(minutes)
FROM contact_day_support_kinds GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds a change of a day row of `contact_day_support_kinds` to its month's row.
CREATE FUNCTION contact_day_support_kinds_to_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO contact_month_support_kinds AS r
        VALUES (OLD.org_id, date_trunc('month', OLD.day)::date, OLD.participant_coach_id,
                OLD.participant_program_id, OLD.coach_id, OLD.kind, -OLD.contacts, -OLD.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id, kind)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO contact_month_support_kinds AS r
        VALUES (NEW.org_id, date_trunc('month', NEW.day)::date, NEW.participant_coach_id,
                NEW.participant_program_id, NEW.coach_id, NEW.kind, NEW.contacts, NEW.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id, kind)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contact_day_support_kinds_to_month AFTER INSERT OR UPDATE OR DELETE ON contact_day_support_kinds
    FOR EACH ROW EXECUTE FUNCTION contact_day_support_kinds_to_month();

CREATE TABLE contact_month_activities (
    org_id                  UUID NOT NULL,
    month                   DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    activity                TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id, activity)
);

INSERT INTO contact_month_activities
SELECT org_id, date_trunc('month', day)::date, participant_coach_id, participant_program_id,
       coach_id, activity, SUM(contacts), SUM(minutes)
FROM contact_day_activities GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds a change of a day row of `contact_day_activities` to its month's row.
CREATE FUNCTION contact_day_activities_to_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO contact_month_activities AS r
        VALUES (OLD.org_id, date_trunc('month', OLD.day)::date, OLD.participant_coach_id,
                OLD.participant_program_id, OLD.coach_id, OLD.activity, -OLD.contacts, -OLD.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id, activity)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO contact_month_activities AS r
        VALUES (NEW.org_id, date_trunc('month', NEW.day)::date, NEW.participant_coach_id,
                NEW.participant_program_id, NEW.coach_id, NEW.activity, NEW.contacts, NEW.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id, activity)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contact_day_activities_to_month AFTER INSERT OR UPDATE OR DELETE ON contact_day_activities
    FOR EACH ROW EXECUTE FUNCTION contact_day_activities_to_month();

CREATE TABLE contact_month_modes (
    org_id                  UUID NOT NULL,
    month                   DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    mode                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, participant_coach_id, participant_program_id, coach_id, mode)
);

INSERT INTO contact_month_modes
SELECT org_id, date_trunc('month', day)::date, participant_coach_id, participant_program_id,
       coach_id, mode, SUM(contacts), SUM(minutes)
FROM contact_day_modes GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds a change of a day row of `contact_day_modes` to its month's row.
CREATE FUNCTION contact_day_modes_to_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO contact_month_modes AS r
        VALUES (OLD.org_id, date_trunc('month', OLD.day)::date, OLD.participant_coach_id,
                OLD.participant_program_id, OLD.coach_id, OLD.mode, -OLD.contacts, -OLD.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id, mode)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO contact_month_modes AS r
        VALUES (NEW.org_id, date_trunc('month', NEW.day)::date, NEW.participant_coach_id,
                NEW.participant_program_id, NEW.coach_id, NEW.mode, NEW.contacts, NEW.minutes)
        ON CONFLICT (org_id, month, participant_coach_id, participant_program_id, coach_id, mode)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contact_day_modes_to_month AFTER INSERT OR UPDATE OR DELETE ON contact_day_modes
    FOR EACH ROW EXECUTE FUNCTION contact_day_modes_to_month();

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

-- A version per program of everything its follow-up rates are computed from, raised by
-- triggers on each write of them: the same rules as for SQLite (read its comment).
CREATE TABLE follow_up_versions (
    org_id      UUID NOT NULL,
    program_id  UUID NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (org_id, program_id)
);

CREATE FUNCTION follow_up_version_raise(org UUID, program UUID) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF program IS NOT NULL THEN
        INSERT INTO follow_up_versions AS v VALUES (org, program, 1)
        ON CONFLICT (org_id, program_id) DO UPDATE SET version = v.version + 1;
    END IF;
END;
$$;

CREATE FUNCTION participants_raise_follow_up_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM follow_up_version_raise(NEW.org_id, NEW.program_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM follow_up_version_raise(OLD.org_id, OLD.program_id);
    ELSIF OLD.program_id IS DISTINCT FROM NEW.program_id
       OR OLD.enrolled_on IS DISTINCT FROM NEW.enrolled_on
       OR OLD.coach_id IS DISTINCT FROM NEW.coach_id THEN
        PERFORM follow_up_version_raise(OLD.org_id, OLD.program_id);
        PERFORM follow_up_version_raise(NEW.org_id, NEW.program_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participants_follow_up_version
AFTER INSERT OR DELETE OR UPDATE OF program_id, enrolled_on, coach_id ON participants
    FOR EACH ROW EXECUTE FUNCTION participants_raise_follow_up_version();

CREATE FUNCTION assessments_raise_follow_up_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM follow_up_version_raise(NEW.org_id, NEW.program_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM follow_up_version_raise(OLD.org_id, OLD.program_id);
    ELSIF OLD.status IS DISTINCT FROM NEW.status
       OR OLD.time_point_code IS DISTINCT FROM NEW.time_point_code
       OR OLD.administered_on IS DISTINCT FROM NEW.administered_on
       OR OLD.program_id IS DISTINCT FROM NEW.program_id THEN
        PERFORM follow_up_version_raise(OLD.org_id, OLD.program_id);
        PERFORM follow_up_version_raise(NEW.org_id, NEW.program_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER assessments_follow_up_version
AFTER INSERT OR DELETE OR UPDATE OF status, time_point_code, administered_on, program_id
ON assessments FOR EACH ROW EXECUTE FUNCTION assessments_raise_follow_up_version();

-- An exclusion counts toward its participant's current program.
CREATE FUNCTION exclusions_raise_follow_up_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed RECORD;
BEGIN
    FOR changed IN
        SELECT p.org_id, p.program_id FROM participants p
        WHERE (TG_OP <> 'INSERT' AND p.org_id = OLD.org_id AND p.id = OLD.participant_id)
           OR (TG_OP <> 'DELETE' AND p.org_id = NEW.org_id AND p.id = NEW.participant_id)
    LOOP
        PERFORM follow_up_version_raise(changed.org_id, changed.program_id);
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE TRIGGER exclusions_follow_up_version
AFTER INSERT OR UPDATE OR DELETE ON follow_up_exclusions
    FOR EACH ROW EXECUTE FUNCTION exclusions_raise_follow_up_version();

CREATE FUNCTION time_points_raise_follow_up_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM follow_up_version_raise(OLD.org_id, OLD.program_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM follow_up_version_raise(NEW.org_id, NEW.program_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER time_points_follow_up_version
AFTER INSERT OR UPDATE OR DELETE ON program_time_points
    FOR EACH ROW EXECUTE FUNCTION time_points_raise_follow_up_version();

-- The rates by coach carry the coaches' names.
CREATE FUNCTION users_raise_follow_up_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.display_name IS DISTINCT FROM NEW.display_name THEN
        UPDATE follow_up_versions SET version = version + 1 WHERE org_id = NEW.org_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_follow_up_versions AFTER UPDATE OF display_name ON users
    FOR EACH ROW EXECUTE FUNCTION users_raise_follow_up_versions();

-- Rollup rows are counters rewritten by every contact write. Room left on each page lets
-- PostgreSQL rewrite a row in place (a HOT update: no column of theirs in an index changes)
-- instead of leaving a new version in every index for vacuum to find.
ALTER TABLE contact_day_totals SET (fillfactor = 70);
ALTER TABLE contact_day_support_kinds SET (fillfactor = 70);
ALTER TABLE contact_day_activities SET (fillfactor = 70);
ALTER TABLE contact_day_modes SET (fillfactor = 70);
ALTER TABLE contact_month_totals SET (fillfactor = 50);
ALTER TABLE contact_month_support_kinds SET (fillfactor = 50);
ALTER TABLE contact_month_activities SET (fillfactor = 50);
ALTER TABLE contact_month_modes SET (fillfactor = 50);
ALTER TABLE contact_pairs SET (fillfactor = 70);
ALTER TABLE participant_dose_totals SET (fillfactor = 70);
