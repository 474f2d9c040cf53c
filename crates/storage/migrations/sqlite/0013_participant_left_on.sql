-- The day a participant withdrew or was lost to follow-up (issue 11): time-to-event outcomes
-- are censored there and counts over exposure end there. NULL while they are in the program,
-- and for departures recorded before this column existed (the day is then unknown).
ALTER TABLE participants ADD COLUMN left_on TEXT;
