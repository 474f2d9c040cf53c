-- Whole-scope lists that stay fast at a million contacts (issue 10, item 8): each list reads
-- one page in its own order, and its capped count, from an index in that order.

-- Due lists (a section is a range of due dates, soonest or newest first, then by name): the
-- page and its count walk this index in due order; the participant and assignee are in it so
-- the scope's filter reads the table only for the rows it keeps.
DROP INDEX tasks_open_by_due;
CREATE INDEX tasks_open_by_due ON tasks (org_id, status, due_on, participant_id, assignee_id);

-- The follow-up list: one time point's open windows are the participants of its program
-- enrolled within a range of days, read soonest closing (earliest enrolled) first.
CREATE INDEX participants_by_enrolment ON participants (org_id, program_id, enrolled_on);

-- Open referrals to follow up, untouched longest first: walked in that order, the status and
-- participant (for the scope) read from the index.
CREATE INDEX referrals_by_age ON referrals (org_id, updated_at, id, status, participant_id);
