-- Programs, protocols and tasks: what issue 5's protocol work needs beyond 0002.

-- A step measured from the first appointment needs to know which kind of appointment.
ALTER TABLE protocol_steps ADD COLUMN appointment_kind TEXT;

-- Why a task was cancelled, when and by whom (NULL: by Kindred, when the participant left or
-- moved program). Fidelity leaves cancelled tasks out of its denominators. No foreign key on
-- cancelled_by: a composite (org_id, cancelled_by) key cannot be added to an existing SQLite
-- table, and the two backends keep the same shape.
ALTER TABLE tasks ADD COLUMN cancelled_at TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN cancelled_by UUID;
ALTER TABLE tasks ADD COLUMN cancel_reason TEXT;

-- "Tasks assigned to me" in the due lists.
CREATE INDEX tasks_of_assignee ON tasks (org_id, assignee_id, status, due_on);
-- The first appointment of a kind anchors protocol steps.
CREATE INDEX appointments_by_kind ON appointments (org_id, participant_id, kind, scheduled_for);
-- The automatic attended/missed event of an appointment is replaced when its status changes.
CREATE INDEX outcome_events_of_appointment ON outcome_events (org_id, appointment_id);
