-- Per-day rollup of contacts by mode, so a program dashboard's cost (staff time plus each
-- contact's cost by mode, from the program's cost settings) over a period reads one row per
-- day, caseload and mode instead of every contact in it (a year held ~500 000 contacts at 1 M).
--
-- The same shape and rules as `contact_day_totals` (0014), with the contact's mode in the key:
-- kept exact by triggers on every write of a contact or of a participant's coach or program,
-- so no writer can forget. `0018_contact_day_modes.sql` for PostgreSQL holds the same rules as
-- plpgsql functions. Rows whose counts fall to zero stay and are skipped by the reads.

CREATE TABLE contact_day_modes (
    org_id                  BLOB NOT NULL,
    day                     TEXT NOT NULL,
    participant_coach_id    BLOB NOT NULL,
    participant_program_id  BLOB NOT NULL,
    coach_id                BLOB NOT NULL,
    mode                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id, mode)
) STRICT, WITHOUT ROWID;

-- Backfill.
INSERT INTO contact_day_modes
SELECT c.org_id, substr(c.occurred_at, 1, 10),
       coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)), c.coach_id,
       c.mode, COUNT(*), SUM(c.minutes)
FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER contact_day_modes_insert AFTER INSERT ON contacts
BEGIN
    INSERT INTO contact_day_modes
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           NEW.coach_id, NEW.mode, 1, NEW.minutes
    FROM participants p WHERE p.org_id = NEW.org_id AND p.id = NEW.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- An edit moves the contact from its old row to its new one.
CREATE TRIGGER contact_day_modes_update
AFTER UPDATE OF occurred_at, minutes, coach_id, participant_id, mode ON contacts
WHEN OLD.occurred_at IS NOT NEW.occurred_at OR OLD.minutes IS NOT NEW.minutes
  OR OLD.coach_id IS NOT NEW.coach_id OR OLD.participant_id IS NOT NEW.participant_id
  OR OLD.mode IS NOT NEW.mode
BEGIN
    INSERT INTO contact_day_modes
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, OLD.mode, -1, -OLD.minutes
    FROM participants p WHERE p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_modes
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           NEW.coach_id, NEW.mode, 1, NEW.minutes
    FROM participants p WHERE p.org_id = NEW.org_id AND p.id = NEW.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contact_day_modes_delete BEFORE DELETE ON contacts
BEGIN
    INSERT INTO contact_day_modes
    SELECT OLD.org_id, substr(OLD.occurred_at, 1, 10),
           coalesce(p.coach_id, zeroblob(16)), coalesce(p.program_id, zeroblob(16)),
           OLD.coach_id, OLD.mode, -1, -OLD.minutes
    FROM participants p WHERE p.org_id = OLD.org_id AND p.id = OLD.participant_id
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;

-- A participant who changes coach or program takes their contacts to their new caseload's rows.
CREATE TRIGGER participant_contact_day_modes_move
AFTER UPDATE OF coach_id, program_id ON participants
WHEN OLD.coach_id IS NOT NEW.coach_id OR OLD.program_id IS NOT NEW.program_id
BEGIN
    INSERT INTO contact_day_modes
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(OLD.coach_id, zeroblob(16)), coalesce(OLD.program_id, zeroblob(16)),
           c.coach_id, c.mode, -COUNT(*), -SUM(c.minutes)
    FROM contacts c WHERE c.org_id = OLD.org_id AND c.participant_id = OLD.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
    INSERT INTO contact_day_modes
    SELECT c.org_id, substr(c.occurred_at, 1, 10),
           coalesce(NEW.coach_id, zeroblob(16)), coalesce(NEW.program_id, zeroblob(16)),
           c.coach_id, c.mode, COUNT(*), SUM(c.minutes)
    FROM contacts c WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts,
                              minutes = minutes + excluded.minutes;
END;
