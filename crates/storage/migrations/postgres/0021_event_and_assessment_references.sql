-- The program's own reference of an outcome event or an assessment imported from a
-- spreadsheet, as 0020 keeps contacts' (per participant), so importing the same file again
-- finds the record instead of adding it twice. Only rows with a reference column are kept
-- here: rows without one are matched on the record's own natural key.
CREATE TABLE outcome_event_references (
    org_id            UUID NOT NULL,
    participant_id    UUID NOT NULL,
    reference         TEXT NOT NULL,
    outcome_event_id  UUID NOT NULL,
    PRIMARY KEY (org_id, participant_id, reference),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, outcome_event_id) REFERENCES outcome_events (org_id, id)
);

CREATE TABLE assessment_references (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    reference       TEXT NOT NULL,
    assessment_id   UUID NOT NULL,
    PRIMARY KEY (org_id, participant_id, reference),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id)
);
