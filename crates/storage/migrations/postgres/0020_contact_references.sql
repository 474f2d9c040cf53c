-- The program's own reference of a contact imported from a spreadsheet, so importing the same
-- file again finds the contact instead of adding it twice. A reference is the program's, per
-- participant (their spreadsheets number a person's contacts, or key them by date and mode);
-- contacts logged in Kindred have none. Kept apart from `contacts` so the hot table and its
-- rollup triggers stay as they are.
CREATE TABLE contact_references (
    org_id          UUID NOT NULL,
    participant_id  UUID NOT NULL,
    reference       TEXT NOT NULL,
    contact_id      UUID NOT NULL,
    PRIMARY KEY (org_id, participant_id, reference),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id)
);
