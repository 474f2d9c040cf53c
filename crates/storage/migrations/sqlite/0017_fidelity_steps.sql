-- Fidelity's protocol steps over a period (issue 10, item 8): the steps due in the period are
-- read from this index in due order (about 2 500 of 20 000 at the 1 M-contact scale for 90
-- days) instead of every participant's tasks.
CREATE INDEX tasks_steps_by_due ON tasks (org_id, kind, due_on, participant_id);
