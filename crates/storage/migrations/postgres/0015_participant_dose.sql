-- Per-participant rollups of contacts, so the research load (a study's analysis, the research
-- view) reads one row per participant and key instead of every contact: at 10 000
-- participants and 1 M contacts its dose aggregates scanned the contacts and 1.3 M support
-- kinds on each request (~9 s of a 9.7 s analysis).
--
-- Kept exact by triggers, as the rollups of 0014 are: every write of a contact or its support
-- kinds (the application's, the bench seed's set-based INSERT … SELECT, a hand-run repair)
-- updates them in the same transaction. The SQLite migration of the same number holds the
-- same rules as its triggers.
--
-- Keyed by the contact's participant only: the research scopes join `participants` for the
-- coach, so a participant's change of coach or program moves nothing. Rows whose counts fall
-- to zero stay and are skipped by the reads. Concurrent writers meet in
-- `ON CONFLICT … DO UPDATE`, which adds to the row atomically; a last contact is recomputed
-- only after that row is locked, by a later statement (a fresh snapshot), so it sees every
-- write committed before. Counts are BIGINT: the reads take them as they stand (0014's are
-- summed, which widens them).

-- A participant's contacts, minutes and last contact (NULL once they have none).
CREATE TABLE participant_dose_totals (
    org_id           UUID NOT NULL,
    participant_id   UUID NOT NULL,
    contacts         BIGINT NOT NULL,
    minutes          BIGINT NOT NULL,
    last_contact_at  TIMESTAMPTZ,
    PRIMARY KEY (org_id, participant_id)
);

-- A contact with two kinds counts toward both.
CREATE TABLE participant_dose_support_kinds (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    kind            TEXT NOT NULL,
    contacts        BIGINT NOT NULL,
    minutes         BIGINT NOT NULL,
    PRIMARY KEY (org_id, participant_id, kind)
);

CREATE TABLE participant_dose_modes (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    mode            TEXT NOT NULL,
    contacts        BIGINT NOT NULL,
    minutes         BIGINT NOT NULL,
    PRIMARY KEY (org_id, participant_id, mode)
);

-- Only contacts that named a component.
CREATE TABLE participant_dose_components (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    component       TEXT NOT NULL,
    contacts        BIGINT NOT NULL,
    minutes         BIGINT NOT NULL,
    PRIMARY KEY (org_id, participant_id, component)
);

-- Backfill.
INSERT INTO participant_dose_totals
SELECT org_id, participant_id, COUNT(*), SUM(minutes), MAX(occurred_at)
FROM contacts GROUP BY 1, 2;

INSERT INTO participant_dose_support_kinds
SELECT c.org_id, c.participant_id, t.kind, COUNT(*), SUM(c.minutes)
FROM contact_support_kinds t JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
GROUP BY 1, 2, 3;

INSERT INTO participant_dose_modes
SELECT org_id, participant_id, mode, COUNT(*), SUM(minutes)
FROM contacts GROUP BY 1, 2, 3;

INSERT INTO participant_dose_components
SELECT org_id, participant_id, component, COUNT(*), SUM(minutes)
FROM contacts WHERE component IS NOT NULL GROUP BY 1, 2, 3;

-- Adds `n` contacts of `m` minutes, of `contact_mode` and (when not NULL) `contact_component`,
-- to `participant`'s rows; `at` (NULL when taking away) can only move the last contact later.
CREATE FUNCTION participant_dose_add(
    org UUID, participant UUID, contact_mode TEXT, contact_component TEXT, n INTEGER, m INTEGER,
    at TIMESTAMPTZ
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participant_dose_totals AS r VALUES (org, participant, n, m, at)
    ON CONFLICT (org_id, participant_id)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes,
                  last_contact_at = GREATEST(r.last_contact_at, EXCLUDED.last_contact_at);
    INSERT INTO participant_dose_modes AS r VALUES (org, participant, contact_mode, n, m)
    ON CONFLICT (org_id, participant_id, mode)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
    IF contact_component IS NOT NULL THEN
        INSERT INTO participant_dose_components AS r
        VALUES (org, participant, contact_component, n, m)
        ON CONFLICT (org_id, participant_id, component)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
END;
$$;

-- A contact's kinds added to (`n` = 1) or taken from (`n` = -1) `participant`'s rows.
CREATE FUNCTION participant_dose_kinds(
    org UUID, contact UUID, participant UUID, n INTEGER, m INTEGER
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participant_dose_support_kinds AS r
    SELECT org, participant, k.kind, n, m
    FROM contact_support_kinds k WHERE k.org_id = org AND k.contact_id = contact
    ON CONFLICT (org_id, participant_id, kind)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
END;
$$;

-- The participant's last contact from their contacts as they stand (one step down
-- `contacts_of_participant`).
CREATE FUNCTION participant_last_contact_refresh(org UUID, participant UUID)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE participant_dose_totals
    SET last_contact_at = (SELECT MAX(c.occurred_at) FROM contacts c
                           WHERE c.org_id = org AND c.participant_id = participant)
    WHERE org_id = org AND participant_id = participant;
END;
$$;

CREATE FUNCTION contacts_keep_participant_dose() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Its kinds come after it, by their own trigger.
        PERFORM participant_dose_add(NEW.org_id, NEW.participant_id, NEW.mode, NEW.component,
                                     1, NEW.minutes, NEW.occurred_at);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        -- The application edits the date, minutes, mode and component; the participant is
        -- kept right too, for a hand-run repair.
        IF OLD.participant_id IS DISTINCT FROM NEW.participant_id
           OR OLD.occurred_at IS DISTINCT FROM NEW.occurred_at
           OR OLD.minutes IS DISTINCT FROM NEW.minutes
           OR OLD.mode IS DISTINCT FROM NEW.mode
           OR OLD.component IS DISTINCT FROM NEW.component THEN
            PERFORM participant_dose_add(OLD.org_id, OLD.participant_id, OLD.mode,
                                         OLD.component, -1, -OLD.minutes, NULL);
            PERFORM participant_dose_add(NEW.org_id, NEW.participant_id, NEW.mode,
                                         NEW.component, 1, NEW.minutes, NEW.occurred_at);
            PERFORM participant_dose_kinds(OLD.org_id, OLD.id, OLD.participant_id,
                                           -1, -OLD.minutes);
            PERFORM participant_dose_kinds(NEW.org_id, NEW.id, NEW.participant_id,
                                           1, NEW.minutes);
            -- The old participant's last contact may be the one that moved; for the new one,
            -- the GREATEST above is right.
            PERFORM participant_last_contact_refresh(OLD.org_id, OLD.participant_id);
        END IF;
        RETURN NEW;
    ELSE
        -- Before the row goes, while its kinds are still there (the cascade removes them
        -- after it, when their own trigger finds no contact and leaves the rollups alone).
        PERFORM participant_dose_add(OLD.org_id, OLD.participant_id, OLD.mode, OLD.component,
                                     -1, -OLD.minutes, NULL);
        PERFORM participant_dose_kinds(OLD.org_id, OLD.id, OLD.participant_id,
                                       -1, -OLD.minutes);
        RETURN OLD;
    END IF;
END;
$$;

CREATE FUNCTION participant_last_contact_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM participant_last_contact_refresh(OLD.org_id, OLD.participant_id);
    RETURN OLD;
END;
$$;

CREATE TRIGGER participant_dose_write AFTER INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_keep_participant_dose();
CREATE TRIGGER participant_dose_delete BEFORE DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_keep_participant_dose();
CREATE TRIGGER participant_last_contact_delete AFTER DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION participant_last_contact_after_delete();

-- A contact's kinds, with its participant and minutes as they stand.
CREATE FUNCTION contact_support_kinds_keep_participant_dose() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row_org UUID;
    row_contact UUID;
    row_kind TEXT;
    n INTEGER;
    c RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        row_org := NEW.org_id; row_contact := NEW.contact_id; row_kind := NEW.kind; n := 1;
    ELSE
        row_org := OLD.org_id; row_contact := OLD.contact_id; row_kind := OLD.kind; n := -1;
    END IF;
    SELECT x.participant_id, x.minutes INTO c
    FROM contacts x WHERE x.org_id = row_org AND x.id = row_contact;
    IF FOUND THEN
        INSERT INTO participant_dose_support_kinds AS r
        VALUES (row_org, c.participant_id, row_kind, n, n * c.minutes)
        ON CONFLICT (org_id, participant_id, kind)
        DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                      minutes = r.minutes + EXCLUDED.minutes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contact_support_kinds_participant_dose
    AFTER INSERT OR DELETE ON contact_support_kinds
    FOR EACH ROW EXECUTE FUNCTION contact_support_kinds_keep_participant_dose();
