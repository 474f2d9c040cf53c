-- Per-participant rollups of contacts, so the research load (a study's analysis, the research
-- view) reads one row per participant and key instead of every contact: at 10 000
-- participants and 1 M contacts its dose aggregates scanned the contacts and 1.3 M support
-- kinds on each request (~9 s of a 9.7 s analysis).
--
-- Kept exact by triggers, as the rollups of 0014 are: every write of a contact or its support
-- kinds (the application's, the bench seed's set-based INSERT … SELECT, a hand-run repair)
-- updates them in the same statement, hence the same transaction. `0015_participant_dose.sql`
-- for PostgreSQL holds the same rules as plpgsql functions.
--
-- Keyed by the contact's participant only: the research scopes join `participants` for the
-- coach, so a participant's change of coach or program moves nothing. Rows whose counts fall
-- to zero stay and are skipped by the reads.

-- A participant's contacts, minutes and last contact (NULL once they have none).
CREATE TABLE participant_dose_totals (
    org_id           BLOB NOT NULL,
    participant_id   BLOB NOT NULL,
    contacts         INTEGER NOT NULL,
    minutes          INTEGER NOT NULL,
    last_contact_at  TEXT,
    PRIMARY KEY (org_id, participant_id)
) STRICT, WITHOUT ROWID;

-- A contact with two kinds counts toward both.
CREATE TABLE participant_dose_support_kinds (
    org_id          BLOB NOT NULL,
    participant_id  BLOB NOT NULL,
    kind            TEXT NOT NULL,
    contacts        INTEGER NOT NULL,
    minutes         INTEGER NOT NULL,
    PRIMARY KEY (org_id, participant_id, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE participant_dose_modes (
    org_id          BLOB NOT NULL,
    participant_id  BLOB NOT NULL,
    mode            TEXT NOT NULL,
    contacts        INTEGER NOT NULL,
    minutes         INTEGER NOT NULL,
    PRIMARY KEY (org_id, participant_id, mode)
) STRICT, WITHOUT ROWID;

-- Only contacts that named a component.
CREATE TABLE participant_dose_components (
    org_id          BLOB NOT NULL,
    participant_id  BLOB NOT NULL,
    component       TEXT NOT NULL,
    contacts        INTEGER NOT NULL,
    minutes         INTEGER NOT NULL,
    PRIMARY KEY (org_id, participant_id, component)
) STRICT, WITHOUT ROWID;

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

-- A contact: its totals, mode and component (its kinds come after it, by their own trigger).
CREATE TRIGGER participant_dose_insert AFTER INSERT ON contacts
BEGIN
    INSERT INTO participant_dose_totals
    VALUES (NEW.org_id, NEW.participant_id, 1, NEW.minutes, NEW.occurred_at)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes,
                              last_contact_at = max(coalesce(last_contact_at, excluded.last_contact_at),
                                                    excluded.last_contact_at);
    INSERT INTO participant_dose_modes
    VALUES (NEW.org_id, NEW.participant_id, NEW.mode, 1, NEW.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_components
    SELECT NEW.org_id, NEW.participant_id, NEW.component, 1, NEW.minutes
    WHERE NEW.component IS NOT NULL
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- An edit takes the contact, with its kinds, out of its old rows and into its new ones. The
-- application edits the date, minutes, mode and component; the participant is kept right too,
-- for a hand-run repair.
CREATE TRIGGER participant_dose_update
AFTER UPDATE OF participant_id, occurred_at, minutes, mode, component ON contacts
WHEN OLD.participant_id IS NOT NEW.participant_id OR OLD.occurred_at IS NOT NEW.occurred_at
  OR OLD.minutes IS NOT NEW.minutes OR OLD.mode IS NOT NEW.mode
  OR OLD.component IS NOT NEW.component
BEGIN
    INSERT INTO participant_dose_totals
    VALUES (OLD.org_id, OLD.participant_id, -1, -OLD.minutes, NULL)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_totals
    VALUES (NEW.org_id, NEW.participant_id, 1, NEW.minutes, NEW.occurred_at)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes,
                              last_contact_at = max(coalesce(last_contact_at, excluded.last_contact_at),
                                                    excluded.last_contact_at);
    -- The old participant's last contact may be the one that moved: from what is left (one
    -- step down `contacts_of_participant`). For the new one, the max above is right.
    UPDATE participant_dose_totals
    SET last_contact_at = (SELECT MAX(c.occurred_at) FROM contacts c
                           WHERE c.org_id = OLD.org_id AND c.participant_id = OLD.participant_id)
    WHERE org_id = OLD.org_id AND participant_id = OLD.participant_id;
    INSERT INTO participant_dose_modes
    VALUES (OLD.org_id, OLD.participant_id, OLD.mode, -1, -OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_modes
    VALUES (NEW.org_id, NEW.participant_id, NEW.mode, 1, NEW.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_components
    SELECT OLD.org_id, OLD.participant_id, OLD.component, -1, -OLD.minutes
    WHERE OLD.component IS NOT NULL
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_components
    SELECT NEW.org_id, NEW.participant_id, NEW.component, 1, NEW.minutes
    WHERE NEW.component IS NOT NULL
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_support_kinds
    SELECT OLD.org_id, OLD.participant_id, t.kind, -1, -OLD.minutes
    FROM contact_support_kinds t WHERE t.org_id = OLD.org_id AND t.contact_id = OLD.id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_support_kinds
    SELECT NEW.org_id, NEW.participant_id, t.kind, 1, NEW.minutes
    FROM contact_support_kinds t WHERE t.org_id = NEW.org_id AND t.contact_id = NEW.id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- Before the row goes, while its kinds are still there (a cascade removes them after it, when
-- their own trigger finds no contact and leaves the rollups alone).
CREATE TRIGGER participant_dose_delete BEFORE DELETE ON contacts
BEGIN
    INSERT INTO participant_dose_totals
    VALUES (OLD.org_id, OLD.participant_id, -1, -OLD.minutes, NULL)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_modes
    VALUES (OLD.org_id, OLD.participant_id, OLD.mode, -1, -OLD.minutes)
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_components
    SELECT OLD.org_id, OLD.participant_id, OLD.component, -1, -OLD.minutes
    WHERE OLD.component IS NOT NULL
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO participant_dose_support_kinds
    SELECT OLD.org_id, OLD.participant_id, t.kind, -1, -OLD.minutes
    FROM contact_support_kinds t WHERE t.org_id = OLD.org_id AND t.contact_id = OLD.id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- Once it has gone: the participant's last contact from what is left.
CREATE TRIGGER participant_last_contact_delete AFTER DELETE ON contacts
BEGIN
    UPDATE participant_dose_totals
    SET last_contact_at = (SELECT MAX(c.occurred_at) FROM contacts c
                           WHERE c.org_id = OLD.org_id AND c.participant_id = OLD.participant_id)
    WHERE org_id = OLD.org_id AND participant_id = OLD.participant_id;
END;

-- A contact's kinds, with its participant and minutes as they stand.
CREATE TRIGGER contact_support_kinds_dose_insert AFTER INSERT ON contact_support_kinds
BEGIN
    INSERT INTO participant_dose_support_kinds
    SELECT c.org_id, c.participant_id, NEW.kind, 1, c.minutes
    FROM contacts c WHERE c.org_id = NEW.org_id AND c.id = NEW.contact_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_support_kinds_dose_delete AFTER DELETE ON contact_support_kinds
BEGIN
    INSERT INTO participant_dose_support_kinds
    SELECT c.org_id, c.participant_id, OLD.kind, -1, -c.minutes
    FROM contacts c WHERE c.org_id = OLD.org_id AND c.id = OLD.contact_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;
