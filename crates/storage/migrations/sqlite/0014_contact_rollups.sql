-- Per-day rollups of contacts, so fidelity over a period reads one row per day, coach and
-- caseload instead of every contact (a 90-day period held ~380 000 contacts at 1 M).
--
-- Kept exact by triggers, not by the storage write functions: every write of a contact, its
-- terms or a participant's coach or program (the application's, the bench seed's set-based
-- INSERT … SELECT, a hand-run repair) then updates them in the same statement, hence the same
-- transaction, and no writer can forget. `0014_contact_rollups.sql` for PostgreSQL holds the
-- same rules as plpgsql functions.
--
-- A row is keyed by the participant's *current* coach and program (what the policy's scopes
-- and the program filter select on; the zero UUID for none, since a key cannot hold NULL) and
-- by the contact's day (UTC, as the period's bounds are midnights UTC) and coach (who the dose
-- counts toward). Rows whose counts fall to zero stay and are skipped by the reads.

CREATE TABLE contact_day_totals (
    org_id                  BLOB NOT NULL,
    day                     TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE contact_day_support_kinds (
    org_id                  BLOB NOT NULL,
    day                     TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    kind                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE contact_day_activities (
    org_id                  BLOB NOT NULL,
    day                     TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    activity                TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id, activity)
) STRICT, WITHOUT ROWID;

-- Each (participant, coach) who met, with their first and last contact: "participants
-- reached" in a period is a distinct count, which day rows cannot give. A pair was in contact
-- in [from, to) when its first or last contact falls in it; only a pair with contacts both
-- before and after the period needs a look at its contacts.
CREATE TABLE contact_pairs (
    org_id          BLOB NOT NULL,
    participant_id  BLOB NOT NULL,
    coach_id        BLOB NOT NULL,
    first_at        TEXT NOT NULL,
    last_at         TEXT NOT NULL,
    PRIMARY KEY (org_id, participant_id, coach_id)
) STRICT, WITHOUT ROWID;

-- Backfill.
INSERT INTO contact_day_totals
SELECT c.org_id, substr(c.occurred_at, 1, 10),
       coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)), c.coach_id,
       COUNT(*), SUM(c.minutes)
FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO contact_day_support_kinds
SELECT c.org_id, substr(c.occurred_at, 1, 10),
       coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)), c.coach_id,
       t.kind, COUNT(*), SUM(c.minutes)
FROM contact_support_kinds t
JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO contact_day_activities
SELECT c.org_id, substr(c.occurred_at, 1, 10),
       coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)), c.coach_id,
       t.activity, COUNT(*), SUM(c.minutes)
FROM contact_activities t
JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO contact_pairs
SELECT org_id, participant_id, coach_id, MIN(occurred_at), MAX(occurred_at)
FROM contacts GROUP BY 1, 2, 3;

-- A contact: its day row, and its pair.
CREATE TRIGGER contact_rollups_insert AFTER INSERT ON contacts
BEGIN
    INSERT INTO contact_day_totals
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           NEW.coach_id, 1, NEW.minutes
    FROM participants p WHERE p.org_id = NEW.org_id AND p.id = NEW.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_pairs VALUES (NEW.org_id, NEW.participant_id, NEW.coach_id,
                                      NEW.occurred_at, NEW.occurred_at)
    ON CONFLICT DO UPDATE SET first_at = min(first_at, excluded.first_at),
                              last_at = max(last_at, excluded.last_at);
END;

-- An edit moves the contact, and its terms, from its old day row to its new one.
CREATE TRIGGER contact_rollups_update
AFTER UPDATE OF occurred_at, minutes, coach_id, participant_id ON contacts
WHEN OLD.occurred_at IS NOT NEW.occurred_at OR OLD.minutes IS NOT NEW.minutes
  OR OLD.coach_id IS NOT NEW.coach_id OR OLD.participant_id IS NOT NEW.participant_id
BEGIN
    INSERT INTO contact_day_totals
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, -1, -OLD.minutes
    FROM participants p WHERE p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_totals
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           NEW.coach_id, 1, NEW.minutes
    FROM participants p WHERE p.org_id = NEW.org_id AND p.id = NEW.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_support_kinds
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, t.kind, -1, -OLD.minutes
    FROM contact_support_kinds t, participants p
    WHERE t.org_id = OLD.org_id AND t.contact_id = OLD.id
      AND p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_support_kinds
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           NEW.coach_id, t.kind, 1, NEW.minutes
    FROM contact_support_kinds t, participants p
    WHERE t.org_id = NEW.org_id AND t.contact_id = NEW.id
      AND p.org_id = NEW.org_id AND p.id = NEW.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_activities
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, t.activity, -1, -OLD.minutes
    FROM contact_activities t, participants p
    WHERE t.org_id = OLD.org_id AND t.contact_id = OLD.id
      AND p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_activities
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           NEW.coach_id, t.activity, 1, NEW.minutes
    FROM contact_activities t, participants p
    WHERE t.org_id = NEW.org_id AND t.contact_id = NEW.id
      AND p.org_id = NEW.org_id AND p.id = NEW.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    -- The old pair from what is left (or gone), then the new pair.
    DELETE FROM contact_pairs
    WHERE org_id = OLD.org_id AND participant_id = OLD.participant_id AND coach_id = OLD.coach_id
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.org_id = OLD.org_id
                      AND c.participant_id = OLD.participant_id AND c.coach_id = OLD.coach_id);
    UPDATE contact_pairs
    SET first_at = (SELECT MIN(c.occurred_at) FROM contacts c WHERE c.org_id = OLD.org_id
                    AND c.participant_id = OLD.participant_id AND c.coach_id = OLD.coach_id),
        last_at = (SELECT MAX(c.occurred_at) FROM contacts c WHERE c.org_id = OLD.org_id
                   AND c.participant_id = OLD.participant_id AND c.coach_id = OLD.coach_id)
    WHERE org_id = OLD.org_id AND participant_id = OLD.participant_id AND coach_id = OLD.coach_id;
    INSERT INTO contact_pairs VALUES (NEW.org_id, NEW.participant_id, NEW.coach_id,
                                      NEW.occurred_at, NEW.occurred_at)
    ON CONFLICT DO UPDATE SET first_at = min(first_at, excluded.first_at),
                              last_at = max(last_at, excluded.last_at);
END;

-- Before the row goes, while its terms are still there (a cascade removes them after it, when
-- their own trigger finds no contact and leaves the rollups alone).
CREATE TRIGGER contact_rollups_delete BEFORE DELETE ON contacts
BEGIN
    INSERT INTO contact_day_totals
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, -1, -OLD.minutes
    FROM participants p WHERE p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_support_kinds
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, t.kind, -1, -OLD.minutes
    FROM contact_support_kinds t, participants p
    WHERE t.org_id = OLD.org_id AND t.contact_id = OLD.id
      AND p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_activities
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, t.activity, -1, -OLD.minutes
    FROM contact_activities t, participants p
    WHERE t.org_id = OLD.org_id AND t.contact_id = OLD.id
      AND p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_pairs_delete AFTER DELETE ON contacts
BEGIN
    DELETE FROM contact_pairs
    WHERE org_id = OLD.org_id AND participant_id = OLD.participant_id AND coach_id = OLD.coach_id
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.org_id = OLD.org_id
                      AND c.participant_id = OLD.participant_id AND c.coach_id = OLD.coach_id);
    UPDATE contact_pairs
    SET first_at = (SELECT MIN(c.occurred_at) FROM contacts c WHERE c.org_id = OLD.org_id
                    AND c.participant_id = OLD.participant_id AND c.coach_id = OLD.coach_id),
        last_at = (SELECT MAX(c.occurred_at) FROM contacts c WHERE c.org_id = OLD.org_id
                   AND c.participant_id = OLD.participant_id AND c.coach_id = OLD.coach_id)
    WHERE org_id = OLD.org_id AND participant_id = OLD.participant_id AND coach_id = OLD.coach_id;
END;

-- A contact's terms, with the contact's day, coach and minutes as they stand.
CREATE TRIGGER contact_support_kinds_rollup_insert AFTER INSERT ON contact_support_kinds
BEGIN
    INSERT INTO contact_day_support_kinds
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           c.coach_id, NEW.kind, 1, c.minutes
    FROM contacts c, participants p
    WHERE c.org_id = NEW.org_id AND c.id = NEW.contact_id
      AND p.org_id = c.org_id AND p.id = c.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_support_kinds_rollup_delete AFTER DELETE ON contact_support_kinds
BEGIN
    INSERT INTO contact_day_support_kinds
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           c.coach_id, OLD.kind, -1, -c.minutes
    FROM contacts c, participants p
    WHERE c.org_id = OLD.org_id AND c.id = OLD.contact_id
      AND p.org_id = c.org_id AND p.id = c.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_activities_rollup_insert AFTER INSERT ON contact_activities
BEGIN
    INSERT INTO contact_day_activities
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           c.coach_id, NEW.activity, 1, c.minutes
    FROM contacts c, participants p
    WHERE c.org_id = NEW.org_id AND c.id = NEW.contact_id
      AND p.org_id = c.org_id AND p.id = c.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_activities_rollup_delete AFTER DELETE ON contact_activities
BEGIN
    INSERT INTO contact_day_activities
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           c.coach_id, OLD.activity, -1, -c.minutes
    FROM contacts c, participants p
    WHERE c.org_id = OLD.org_id AND c.id = OLD.contact_id
      AND p.org_id = c.org_id AND p.id = c.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- A participant who changes coach or program takes their contacts to their new caseload's rows.
CREATE TRIGGER participant_contact_rollups_move AFTER UPDATE OF coach_id, program_id ON participants
WHEN OLD.coach_id IS NOT NEW.coach_id OR OLD.program_id IS NOT NEW.program_id
BEGIN
    INSERT INTO contact_day_totals
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(OLD.coach_id, zeroblob(16)), coalesce(OLD.program_id, zeroblob(16)),
           c.coach_id, -COUNT(*), -SUM(c.minutes)
    FROM contacts c WHERE c.org_id = OLD.org_id AND c.participant_id = OLD.id
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_totals
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(NEW.coach_id, zeroblob(16)), coalesce(NEW.program_id, zeroblob(16)),
           c.coach_id, COUNT(*), SUM(c.minutes)
    FROM contacts c WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_support_kinds
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(OLD.coach_id, zeroblob(16)), coalesce(OLD.program_id, zeroblob(16)),
           c.coach_id, t.kind, -COUNT(*), -SUM(c.minutes)
    FROM contacts c JOIN contact_support_kinds t ON t.org_id = c.org_id AND t.contact_id = c.id
    WHERE c.org_id = OLD.org_id AND c.participant_id = OLD.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_support_kinds
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(NEW.coach_id, zeroblob(16)), coalesce(NEW.program_id, zeroblob(16)),
           c.coach_id, t.kind, COUNT(*), SUM(c.minutes)
    FROM contacts c JOIN contact_support_kinds t ON t.org_id = c.org_id AND t.contact_id = c.id
    WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_activities
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(OLD.coach_id, zeroblob(16)), coalesce(OLD.program_id, zeroblob(16)),
           c.coach_id, t.activity, -COUNT(*), -SUM(c.minutes)
    FROM contacts c JOIN contact_activities t ON t.org_id = c.org_id AND t.contact_id = c.id
    WHERE c.org_id = OLD.org_id AND c.participant_id = OLD.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_activities
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(NEW.coach_id, zeroblob(16)), coalesce(NEW.program_id, zeroblob(16)),
           c.coach_id, t.activity, COUNT(*), SUM(c.minutes)
    FROM contacts c JOIN contact_activities t ON t.org_id = c.org_id AND t.contact_id = c.id
    WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;
