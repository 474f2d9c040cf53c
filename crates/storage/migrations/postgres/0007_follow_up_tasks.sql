-- Follow-up tasks: at most one task of each kind (the assessment to give, the supervisor's
-- escalation) per participant, program and time point, so the daily sweep can run any number
-- of times (INSERT … ON CONFLICT DO NOTHING against this index).
CREATE UNIQUE INDEX tasks_one_per_time_point
    ON tasks (org_id, participant_id, program_id, time_point_code, kind)
    WHERE time_point_code IS NOT NULL;
