-- The research record (issue 11): what the evaluation reads that the record did not hold.
-- Coach qualifications (time in recovery, certification, training hours) are already in
-- staff_profiles and certifications (0002).

-- A hospitalisation's kind (psychiatric, medical, detox, residential), so an outcome can count
-- the kind it names. NULL on every other event, and on a stay of unknown kind.
ALTER TABLE outcome_events ADD COLUMN hospitalisation_kind TEXT;

-- The program component a contact delivered, by its name: program_components is rewritten by
-- position whenever a program changes, so the name is what stays put. NULL for none.
ALTER TABLE contacts ADD COLUMN component TEXT;
