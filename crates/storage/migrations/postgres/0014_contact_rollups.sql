-- Per-day rollups of contacts, so fidelity over a period reads one row per day, coach and
-- caseload instead of every contact (a 90-day period held ~380 000 contacts at 1 M).
--
-- Kept exact by triggers, not by the storage write functions: every write of a contact, its
-- terms or a participant's coach or program (the application's, the bench seed's set-based
-- INSERT … SELECT, a hand-run repair) then updates them in the same transaction, and no writer
-- can forget. The SQLite migration of the same number holds the same rules as its triggers.
--
-- A row is keyed by the participant's *current* coach and program (what the policy's scopes
-- and the program filter select on; the zero UUID for none, since a key cannot hold NULL) and
-- by the contact's day (UTC, as the period's bounds are midnights UTC) and coach (who the dose
-- counts toward). Rows whose counts fall to zero stay and are skipped by the reads. Concurrent
-- writers meet in `ON CONFLICT … DO UPDATE`, which adds to the row atomically.

CREATE TABLE contact_day_totals (
    org_id                  UUID NOT NULL,
    day                     DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id)
);

CREATE TABLE contact_day_support_kinds (
    org_id                  UUID NOT NULL,
    day                     DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    kind                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id, kind)
);

CREATE TABLE contact_day_activities (
    org_id                  UUID NOT NULL,
    day                     DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    activity                TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id, activity)
);

-- Each (participant, coach) who met, with their first and last contact: "participants
-- reached" in a period is a distinct count, which day rows cannot give. A pair was in contact
-- in [from, to) when its first or last contact falls in it; only a pair with contacts both
-- before and after the period needs a look at its contacts.
CREATE TABLE contact_pairs (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    coach_id        UUID NOT NULL,
    first_at        TIMESTAMPTZ NOT NULL,
    last_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, participant_id, coach_id)
);

-- Backfill.
INSERT INTO contact_day_totals
SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date,
       coalesce(p.coach_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(p.program_id, '00000000-0000-0000-0000-000000000000'), c.coach_id,
       COUNT(*), SUM(c.minutes)
FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO contact_day_support_kinds
SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date,
       coalesce(p.coach_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(p.program_id, '00000000-0000-0000-0000-000000000000'), c.coach_id,
       t.kind, COUNT(*), SUM(c.minutes)
FROM contact_support_kinds t
JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO contact_day_activities
SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date,
       coalesce(p.coach_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(p.program_id, '00000000-0000-0000-0000-000000000000'), c.coach_id,
       t.activity, COUNT(*), SUM(c.minutes)
FROM contact_activities t
JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO contact_pairs
SELECT org_id, participant_id, coach_id, MIN(occurred_at), MAX(occurred_at)
FROM contacts GROUP BY 1, 2, 3;

-- Adds `n` contacts of `m` minutes, made by `coach` on `at`'s day with `participant`, to the
-- totals and (when `kind` / `activity` is given) to that term's rows.
CREATE FUNCTION contact_rollup_add(
    org UUID, participant UUID, at TIMESTAMPTZ, coach UUID, term_kind TEXT, term_activity TEXT,
    n INTEGER, m INTEGER
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pc UUID;
    pp UUID;
    d DATE := (at AT TIME ZONE 'UTC')::date;
BEGIN
    SELECT coalesce(p.coach_id, '00000000-0000-0000-0000-000000000000'),
           coalesce(p.program_id, '00000000-0000-0000-0000-000000000000')
    INTO pc, pp
    FROM participants p WHERE p.org_id = org AND p.id = participant;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF term_kind IS NULL AND term_activity IS NULL THEN
        INSERT INTO contact_day_totals AS r VALUES (org, d, pc, pp, coach, n, m)
        ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    IF term_kind IS NOT NULL THEN
        INSERT INTO contact_day_support_kinds AS r VALUES (org, d, pc, pp, coach, term_kind, n, m)
        ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id, kind)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    IF term_activity IS NOT NULL THEN
        INSERT INTO contact_day_activities AS r VALUES (org, d, pc, pp, coach, term_activity, n, m)
        ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id, activity)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
END;
$$;

-- A contact's terms added to (`n` = 1) or taken from (`n` = -1) the rows of its day.
CREATE FUNCTION contact_rollup_terms(
    org UUID, contact UUID, participant UUID, at TIMESTAMPTZ, coach UUID, n INTEGER, m INTEGER
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t TEXT;
BEGIN
    FOR t IN SELECT k.kind FROM contact_support_kinds k
             WHERE k.org_id = org AND k.contact_id = contact LOOP
        PERFORM contact_rollup_add(org, participant, at, coach, t, NULL, n, m);
    END LOOP;
    FOR t IN SELECT a.activity FROM contact_activities a
             WHERE a.org_id = org AND a.contact_id = contact LOOP
        PERFORM contact_rollup_add(org, participant, at, coach, NULL, t, n, m);
    END LOOP;
END;
$$;

-- The (participant, coach) pair from its contacts as they stand: gone when none are left.
CREATE FUNCTION contact_pair_refresh(org UUID, participant UUID, coach UUID)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    f TIMESTAMPTZ;
    l TIMESTAMPTZ;
BEGIN
    SELECT MIN(c.occurred_at), MAX(c.occurred_at) INTO f, l
    FROM contacts c WHERE c.org_id = org AND c.participant_id = participant AND c.coach_id = coach;
    IF f IS NULL THEN
        DELETE FROM contact_pairs
        WHERE org_id = org AND participant_id = participant AND coach_id = coach;
    ELSE
        INSERT INTO contact_pairs VALUES (org, participant, coach, f, l)
        ON CONFLICT (org_id, participant_id, coach_id)
        DO UPDATE SET first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at;
    END IF;
END;
$$;

CREATE FUNCTION contacts_keep_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM contact_rollup_add(NEW.org_id, NEW.participant_id, NEW.occurred_at,
                                   NEW.coach_id, NULL, NULL, 1, NEW.minutes);
        INSERT INTO contact_pairs AS r
        VALUES (NEW.org_id, NEW.participant_id, NEW.coach_id, NEW.occurred_at, NEW.occurred_at)
        ON CONFLICT (org_id, participant_id, coach_id)
        DO UPDATE SET first_at = LEAST(r.first_at, EXCLUDED.first_at),
                      last_at = GREATEST(r.last_at, EXCLUDED.last_at);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.occurred_at IS DISTINCT FROM NEW.occurred_at
           OR OLD.minutes IS DISTINCT FROM NEW.minutes
           OR OLD.coach_id IS DISTINCT FROM NEW.coach_id
           OR OLD.participant_id IS DISTINCT FROM NEW.participant_id THEN
            PERFORM contact_rollup_add(OLD.org_id, OLD.participant_id, OLD.occurred_at,
                                       OLD.coach_id, NULL, NULL, -1, -OLD.minutes);
            PERFORM contact_rollup_add(NEW.org_id, NEW.participant_id, NEW.occurred_at,
                                       NEW.coach_id, NULL, NULL, 1, NEW.minutes);
            PERFORM contact_rollup_terms(OLD.org_id, OLD.id, OLD.participant_id,
                                         OLD.occurred_at, OLD.coach_id, -1, -OLD.minutes);
            PERFORM contact_rollup_terms(NEW.org_id, NEW.id, NEW.participant_id,
                                         NEW.occurred_at, NEW.coach_id, 1, NEW.minutes);
            PERFORM contact_pair_refresh(OLD.org_id, OLD.participant_id, OLD.coach_id);
            PERFORM contact_pair_refresh(NEW.org_id, NEW.participant_id, NEW.coach_id);
        END IF;
        RETURN NEW;
    ELSE
        -- Before the row goes, while its terms are still there (the cascade removes them
        -- after it, when their own trigger finds no contact and leaves the rollups alone).
        PERFORM contact_rollup_add(OLD.org_id, OLD.participant_id, OLD.occurred_at,
                                   OLD.coach_id, NULL, NULL, -1, -OLD.minutes);
        PERFORM contact_rollup_terms(OLD.org_id, OLD.id, OLD.participant_id,
                                     OLD.occurred_at, OLD.coach_id, -1, -OLD.minutes);
        RETURN OLD;
    END IF;
END;
$$;

CREATE FUNCTION contact_pairs_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contact_pair_refresh(OLD.org_id, OLD.participant_id, OLD.coach_id);
    RETURN OLD;
END;
$$;

CREATE TRIGGER contact_rollups_write AFTER INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_keep_rollups();
CREATE TRIGGER contact_rollups_delete BEFORE DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_keep_rollups();
CREATE TRIGGER contact_pairs_delete AFTER DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contact_pairs_after_delete();

-- A contact's terms, with the contact's day, coach and minutes as they stand.
CREATE FUNCTION contact_terms_keep_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_org UUID;
    row_contact UUID;
    n INTEGER;
    k TEXT;
    a TEXT;
    c RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        row_org := NEW.org_id; row_contact := NEW.contact_id; n := 1;
    ELSE
        row_org := OLD.org_id; row_contact := OLD.contact_id; n := -1;
    END IF;
    IF TG_TABLE_NAME = 'contact_support_kinds' THEN
        IF TG_OP = 'INSERT' THEN k := NEW.kind; ELSE k := OLD.kind; END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN a := NEW.activity; ELSE a := OLD.activity; END IF;
    END IF;
    SELECT x.participant_id, x.occurred_at, x.coach_id, x.minutes INTO c
    FROM contacts x WHERE x.org_id = row_org AND x.id = row_contact;
    IF FOUND THEN
        PERFORM contact_rollup_add(row_org, c.participant_id, c.occurred_at, c.coach_id,
                                   k, a, n, n * c.minutes);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contact_support_kinds_rollups AFTER INSERT OR DELETE ON contact_support_kinds
    FOR EACH ROW EXECUTE FUNCTION contact_terms_keep_rollups();
CREATE TRIGGER contact_activities_rollups AFTER INSERT OR DELETE ON contact_activities
    FOR EACH ROW EXECUTE FUNCTION contact_terms_keep_rollups();

-- A participant who changes coach or program takes their contacts to their new caseload's rows.
CREATE FUNCTION participants_move_contact_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zero CONSTANT UUID := '00000000-0000-0000-0000-000000000000';
BEGIN
    IF OLD.coach_id IS NOT DISTINCT FROM NEW.coach_id
       AND OLD.program_id IS NOT DISTINCT FROM NEW.program_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO contact_day_totals AS r
    SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date, v.pc, v.pp, c.coach_id,
           v.sign * COUNT(*), v.sign * SUM(c.minutes)
    FROM contacts c,
         (VALUES (coalesce(OLD.coach_id, zero), coalesce(OLD.program_id, zero), -1),
                 (coalesce(NEW.coach_id, zero), coalesce(NEW.program_id, zero), 1))
         AS v (pc, pp, sign)
    WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, v.sign
    ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
    INSERT INTO contact_day_support_kinds AS r
    SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date, v.pc, v.pp, c.coach_id, t.kind,
           v.sign * COUNT(*), v.sign * SUM(c.minutes)
    FROM contacts c
    JOIN contact_support_kinds t ON t.org_id = c.org_id AND t.contact_id = c.id,
         (VALUES (coalesce(OLD.coach_id, zero), coalesce(OLD.program_id, zero), -1),
                 (coalesce(NEW.coach_id, zero), coalesce(NEW.program_id, zero), 1))
         AS v (pc, pp, sign)
    WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6, v.sign
    ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id, kind)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
    INSERT INTO contact_day_activities AS r
    SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date, v.pc, v.pp, c.coach_id,
           t.activity, v.sign * COUNT(*), v.sign * SUM(c.minutes)
    FROM contacts c
    JOIN contact_activities t ON t.org_id = c.org_id AND t.contact_id = c.id,
         (VALUES (coalesce(OLD.coach_id, zero), coalesce(OLD.program_id, zero), -1),
                 (coalesce(NEW.coach_id, zero), coalesce(NEW.program_id, zero), 1))
         AS v (pc, pp, sign)
    WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6, v.sign
    ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id, activity)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participants_contact_rollups AFTER UPDATE OF coach_id, program_id ON participants
    FOR EACH ROW EXECUTE FUNCTION participants_move_contact_rollups();
