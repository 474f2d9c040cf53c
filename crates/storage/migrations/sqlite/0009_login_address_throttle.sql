-- Sign-in attempts per client address (an IPv4 address, or an IPv6 /64), across every email
-- and organisation: slows a guesser who sprays many accounts from one place. An address
-- belongs to no organisation, so this table is global, like the organisations themselves.
CREATE TABLE login_address_throttle (
    address            TEXT NOT NULL,
    failures           INTEGER NOT NULL,
    window_started_at  TEXT NOT NULL,
    PRIMARY KEY (address)
) STRICT;

-- Housekeeping deletes the windows that have ended.
CREATE INDEX login_address_throttle_by_window ON login_address_throttle (window_started_at);
