-- Lists that stay fast at a million contacts (issue 10, item 8).

-- The contacts list of a team or the organisation, newest first (ORDER BY occurred_at DESC,
-- id DESC LIMIT …), and fidelity's dose over a period: walking this index in time order reads
-- only the page, and its participant, coach and minutes columns answer the dose sums without
-- touching the table.
CREATE INDEX contacts_by_time ON contacts (org_id, occurred_at, id, participant_id, coach_id, minutes);

-- A coach's contacts list and its capped count walk the caseload's participants: with the id
-- and the coach in the index (the list's optional coach filter), neither reads the table.
DROP INDEX contacts_of_participant;
CREATE INDEX contacts_of_participant ON contacts (org_id, participant_id, occurred_at, id, coach_id);
