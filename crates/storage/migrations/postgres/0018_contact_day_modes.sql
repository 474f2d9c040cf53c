-- Per-day rollup of contacts by mode, for a program dashboard's cost over a period: the same
-- rules as `0018_contact_day_modes.sql` for SQLite (read its header), as plpgsql functions.

CREATE TABLE contact_day_modes (
    org_id                  UUID NOT NULL,
    day                     DATE NOT NULL,
    participant_coach_id    UUID NOT NULL,
    participant_program_id  UUID NOT NULL,
    coach_id                UUID NOT NULL,
    mode                    TEXT NOT NULL,
    contacts                INTEGER NOT NULL,
    minutes                 INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, participant_coach_id, participant_program_id, coach_id, mode)
);

-- Backfill.
INSERT INTO contact_day_modes
SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date,
       coalesce(p.coach_id, '00000000-0000-0000-0000-000000000000'),
       coalesce(p.program_id, '00000000-0000-0000-0000-000000000000'), c.coach_id,
       c.mode, COUNT(*), SUM(c.minutes)
FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds `n` contacts of `m` minutes in `mode`, made by `coach` on `at`'s day with `participant`.
CREATE FUNCTION contact_day_modes_add(
    org UUID, participant UUID, at TIMESTAMPTZ, coach UUID, contact_mode TEXT,
    n INTEGER, m INTEGER
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_day_modes AS r
    SELECT org, (at AT TIME ZONE 'UTC')::date,
           coalesce(p.coach_id, '00000000-0000-0000-0000-000000000000'),
           coalesce(p.program_id, '00000000-0000-0000-0000-000000000000'),
           coach, contact_mode, n, m
    FROM participants p WHERE p.org_id = org AND p.id = participant
    ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id, mode)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
END;
$$;

CREATE FUNCTION contacts_keep_day_modes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM contact_day_modes_add(NEW.org_id, NEW.participant_id, NEW.occurred_at,
                                      NEW.coach_id, NEW.mode, 1, NEW.minutes);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.occurred_at IS DISTINCT FROM NEW.occurred_at
           OR OLD.minutes IS DISTINCT FROM NEW.minutes
           OR OLD.coach_id IS DISTINCT FROM NEW.coach_id
           OR OLD.participant_id IS DISTINCT FROM NEW.participant_id
           OR OLD.mode IS DISTINCT FROM NEW.mode THEN
            PERFORM contact_day_modes_add(OLD.org_id, OLD.participant_id, OLD.occurred_at,
                                          OLD.coach_id, OLD.mode, -1, -OLD.minutes);
            PERFORM contact_day_modes_add(NEW.org_id, NEW.participant_id, NEW.occurred_at,
                                          NEW.coach_id, NEW.mode, 1, NEW.minutes);
        END IF;
        RETURN NEW;
    ELSE
        PERFORM contact_day_modes_add(OLD.org_id, OLD.participant_id, OLD.occurred_at,
                                      OLD.coach_id, OLD.mode, -1, -OLD.minutes);
        RETURN OLD;
    END IF;
END;
$$;

CREATE TRIGGER contact_day_modes_write AFTER INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_keep_day_modes();
CREATE TRIGGER contact_day_modes_delete BEFORE DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_keep_day_modes();

-- A participant who changes coach or program takes their contacts to their new caseload's rows.
CREATE FUNCTION participants_move_contact_day_modes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zero CONSTANT UUID := '00000000-0000-0000-0000-000000000000';
BEGIN
    IF OLD.coach_id IS NOT DISTINCT FROM NEW.coach_id
       AND OLD.program_id IS NOT DISTINCT FROM NEW.program_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO contact_day_modes AS r
    SELECT c.org_id, (c.occurred_at AT TIME ZONE 'UTC')::date, v.pc, v.pp, c.coach_id, c.mode,
           v.sign * COUNT(*), v.sign * SUM(c.minutes)
    FROM contacts c,
         (VALUES (coalesce(OLD.coach_id, zero), coalesce(OLD.program_id, zero), -1),
                 (coalesce(NEW.coach_id, zero), coalesce(NEW.program_id, zero), 1))
         AS v (pc, pp, sign)
    WHERE c.org_id = NEW.org_id AND c.participant_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6, v.sign
    ON CONFLICT (org_id, day, participant_coach_id, participant_program_id, coach_id, mode)
    DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts,
                  minutes = r.minutes + EXCLUDED.minutes;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participants_contact_day_modes AFTER UPDATE OF coach_id, program_id ON participants
    FOR EACH ROW EXECUTE FUNCTION participants_move_contact_day_modes();
