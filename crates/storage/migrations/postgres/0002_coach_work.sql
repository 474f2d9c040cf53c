-- Coach work, programs and fidelity: program protocols and eligibility, staff
-- qualifications, appointments, contacts (with the four kinds of support and activities),
-- group sessions, tasks, outcome events, recovery plans, resources and referrals,
-- supervision and boundary concerns.

-- Programs: from a template or custom; peer eligibility, caseload target and costs.
ALTER TABLE programs ADD COLUMN template_code TEXT;
ALTER TABLE programs ADD COLUMN target_caseload INTEGER;
ALTER TABLE programs ADD COLUMN min_months_in_recovery INTEGER;
ALTER TABLE programs ADD COLUMN requires_certification BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE programs ADD COLUMN min_training_hours INTEGER;
ALTER TABLE programs ADD COLUMN hourly_staff_cost_cents BIGINT;
ALTER TABLE programs ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE program_components (
    org_id       UUID NOT NULL,
    program_id   UUID NOT NULL,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    PRIMARY KEY (org_id, program_id, position),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id) ON DELETE CASCADE
);

-- Cost of one contact by mode (travel, phone credit…), on top of the staff time.
CREATE TABLE program_contact_costs (
    org_id      UUID NOT NULL,
    program_id  UUID NOT NULL,
    mode        TEXT NOT NULL,
    cost_cents  BIGINT NOT NULL,
    PRIMARY KEY (org_id, program_id, mode),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id) ON DELETE CASCADE
);

-- A timed step of a program's protocol: target and window in days from its anchor.
CREATE TABLE protocol_steps (
    org_id            UUID NOT NULL,
    program_id        UUID NOT NULL,
    code              TEXT NOT NULL,
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL,
    anchor            TEXT NOT NULL,
    target_day        INTEGER NOT NULL,
    window_start_day  INTEGER NOT NULL,
    window_end_day    INTEGER NOT NULL,
    activity          TEXT,
    PRIMARY KEY (org_id, program_id, code),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id) ON DELETE CASCADE
);

-- A peer worker's qualifications. The recovery start date is private to supervisors and admins.
CREATE TABLE staff_profiles (
    org_id               UUID NOT NULL,
    user_id              UUID NOT NULL,
    recovery_start_date  DATE,
    employment           TEXT NOT NULL,
    training_hours       INTEGER NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

CREATE TABLE certifications (
    org_id      UUID NOT NULL,
    id          UUID NOT NULL,
    user_id     UUID NOT NULL,
    name        TEXT NOT NULL,
    issued_on   DATE,
    expires_on  DATE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX certifications_of_user ON certifications (org_id, user_id);

-- Who coached a participant when, and why an ineligible assignment was allowed.
CREATE TABLE coach_assignments (
    org_id           UUID NOT NULL,
    id               UUID NOT NULL,
    participant_id   UUID NOT NULL,
    coach_id         UUID,
    assigned_by      UUID NOT NULL,
    assigned_at      TIMESTAMPTZ NOT NULL,
    override_reason  TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, coach_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, assigned_by) REFERENCES users (org_id, id)
);
CREATE INDEX coach_assignments_of_participant ON coach_assignments (org_id, participant_id, assigned_at);

CREATE TABLE appointments (
    org_id          UUID NOT NULL,
    id              UUID NOT NULL,
    participant_id  UUID NOT NULL,
    kind            TEXT NOT NULL,
    scheduled_for   TIMESTAMPTZ NOT NULL,
    with_whom       TEXT NOT NULL,
    place           TEXT,
    status          TEXT NOT NULL,
    note            TEXT,
    created_by      UUID NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX appointments_of_participant ON appointments (org_id, participant_id, scheduled_for);

-- What is due, by when: protocol steps, follow-up dates, assessments, urgent safety tasks.
-- A task is done in its window when opens_on <= completed_on <= closes_on.
CREATE TABLE tasks (
    org_id           UUID NOT NULL,
    id               UUID NOT NULL,
    participant_id   UUID NOT NULL,
    kind             TEXT NOT NULL,
    program_id       UUID,
    step_code        TEXT,
    time_point_code  TEXT,
    assignee_id      UUID,
    title            TEXT NOT NULL,
    opens_on         DATE NOT NULL,
    due_on           DATE NOT NULL,
    closes_on        DATE,
    status           TEXT NOT NULL,
    completed_on     DATE,
    completed_at     TIMESTAMPTZ,
    completed_by     UUID,
    contact_id       UUID,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, participant_id, program_id, step_code),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id),
    FOREIGN KEY (org_id, assignee_id) REFERENCES users (org_id, id)
);
CREATE INDEX tasks_open_by_due ON tasks (org_id, status, due_on);
CREATE INDEX tasks_of_participant ON tasks (org_id, participant_id, status);

CREATE TABLE group_sessions (
    org_id          UUID NOT NULL,
    id              UUID NOT NULL,
    program_id      UUID,
    facilitator_id  UUID NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    minutes         INTEGER NOT NULL,
    topic           TEXT NOT NULL,
    mode            TEXT NOT NULL,
    setting         TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, program_id) REFERENCES programs (org_id, id),
    FOREIGN KEY (org_id, facilitator_id) REFERENCES users (org_id, id)
);

-- One encounter between a peer and a participant.
CREATE TABLE contacts (
    org_id             UUID NOT NULL,
    id                 UUID NOT NULL,
    participant_id     UUID NOT NULL,
    coach_id           UUID NOT NULL,
    occurred_at        TIMESTAMPTZ NOT NULL,
    minutes            INTEGER NOT NULL,
    mode               TEXT NOT NULL,
    format             TEXT NOT NULL,
    setting            TEXT,
    note               TEXT,
    next_follow_up_on  DATE,
    group_session_id   UUID,
    task_id            UUID,
    version            BIGINT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, coach_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, group_session_id) REFERENCES group_sessions (org_id, id),
    FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id)
);
CREATE INDEX contacts_of_participant ON contacts (org_id, participant_id, occurred_at);
CREATE INDEX contacts_of_coach ON contacts (org_id, coach_id, occurred_at);

CREATE TABLE contact_support_kinds (
    org_id      UUID NOT NULL,
    contact_id  UUID NOT NULL,
    kind        TEXT NOT NULL,
    PRIMARY KEY (org_id, contact_id, kind),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
);

CREATE TABLE contact_activities (
    org_id      UUID NOT NULL,
    contact_id  UUID NOT NULL,
    activity    TEXT NOT NULL,
    PRIMARY KEY (org_id, contact_id, activity),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
);

-- Edit history: what each change to a contact replaced (field names and old values).
CREATE TABLE contact_revisions (
    org_id      UUID NOT NULL,
    contact_id  UUID NOT NULL,
    revision    INTEGER NOT NULL,
    changed_by  UUID NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    changes     TEXT NOT NULL,
    PRIMARY KEY (org_id, contact_id, revision),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, changed_by) REFERENCES users (org_id, id)
);

CREATE TABLE outcome_events (
    org_id          UUID NOT NULL,
    id              UUID NOT NULL,
    participant_id  UUID NOT NULL,
    kind            TEXT NOT NULL,
    occurred_on     DATE NOT NULL,
    substance       TEXT,
    detail          TEXT,
    appointment_id  UUID,
    recorded_by     UUID NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, appointment_id) REFERENCES appointments (org_id, id),
    FOREIGN KEY (org_id, recorded_by) REFERENCES users (org_id, id)
);
CREATE INDEX outcome_events_of_participant ON outcome_events (org_id, participant_id, occurred_on);
CREATE INDEX outcome_events_by_kind ON outcome_events (org_id, kind, occurred_on);

-- Recovery plans: participant-led goals in the outcome domains, their steps and status history.
CREATE TABLE recovery_goals (
    org_id          UUID NOT NULL,
    id              UUID NOT NULL,
    participant_id  UUID NOT NULL,
    domain          TEXT NOT NULL,
    title           TEXT NOT NULL,
    target_on       DATE,
    status          TEXT NOT NULL,
    position        INTEGER NOT NULL,
    created_by      UUID NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX recovery_goals_of_participant ON recovery_goals (org_id, participant_id, position);

CREATE TABLE goal_steps (
    org_id       UUID NOT NULL,
    id           UUID NOT NULL,
    goal_id      UUID NOT NULL,
    description  TEXT NOT NULL,
    target_on    DATE,
    done_on      DATE,
    position     INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, goal_id) REFERENCES recovery_goals (org_id, id) ON DELETE CASCADE
);
CREATE INDEX goal_steps_of_goal ON goal_steps (org_id, goal_id, position);

CREATE TABLE goal_status_history (
    org_id      UUID NOT NULL,
    goal_id     UUID NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    changed_by  UUID NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    note        TEXT,
    PRIMARY KEY (org_id, goal_id, seq),
    FOREIGN KEY (org_id, goal_id) REFERENCES recovery_goals (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, changed_by) REFERENCES users (org_id, id)
);

-- The community resource directory (entered by hand or imported from Open Referral HSDS).
CREATE TABLE resources (
    org_id             UUID NOT NULL,
    id                 UUID NOT NULL,
    source             TEXT NOT NULL,
    source_id          TEXT,
    organisation_name  TEXT NOT NULL,
    service_name       TEXT NOT NULL,
    description        TEXT,
    category           TEXT,
    address            TEXT,
    city               TEXT,
    postal_code        TEXT,
    phone              TEXT,
    email              TEXT,
    website            TEXT,
    hours              TEXT,
    active             BOOLEAN NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, source, source_id)
);
CREATE INDEX resources_by_name ON resources (org_id, organisation_name, service_name);

CREATE TABLE referrals (
    org_id          UUID NOT NULL,
    id              UUID NOT NULL,
    participant_id  UUID NOT NULL,
    resource_id     UUID NOT NULL,
    made_by         UUID NOT NULL,
    made_on         DATE NOT NULL,
    status          TEXT NOT NULL,
    shared          BOOLEAN NOT NULL,
    consent_id      UUID,
    shared_items    TEXT,
    note            TEXT,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, resource_id) REFERENCES resources (org_id, id),
    FOREIGN KEY (org_id, made_by) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, consent_id) REFERENCES consents (org_id, id)
);
CREATE INDEX referrals_of_participant ON referrals (org_id, participant_id, made_on);

CREATE TABLE referral_events (
    org_id       UUID NOT NULL,
    referral_id  UUID NOT NULL,
    seq          INTEGER NOT NULL,
    status       TEXT NOT NULL,
    changed_by   UUID NOT NULL,
    changed_at   TIMESTAMPTZ NOT NULL,
    note         TEXT,
    PRIMARY KEY (org_id, referral_id, seq),
    FOREIGN KEY (org_id, referral_id) REFERENCES referrals (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, changed_by) REFERENCES users (org_id, id)
);

CREATE TABLE supervision_sessions (
    org_id         UUID NOT NULL,
    id             UUID NOT NULL,
    supervisor_id  UUID NOT NULL,
    coach_id       UUID NOT NULL,
    held_on        DATE NOT NULL,
    minutes        INTEGER NOT NULL,
    format         TEXT NOT NULL,
    topics         TEXT NOT NULL,
    notes          TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, supervisor_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, coach_id) REFERENCES users (org_id, id)
);
CREATE INDEX supervision_sessions_of_coach ON supervision_sessions (org_id, coach_id, held_on);

CREATE TABLE boundary_concerns (
    org_id          UUID NOT NULL,
    id              UUID NOT NULL,
    coach_id        UUID NOT NULL,
    participant_id  UUID,
    raised_by       UUID NOT NULL,
    raised_on       DATE NOT NULL,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL,
    resolution      TEXT,
    resolved_on     DATE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, coach_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, participant_id) REFERENCES participants (org_id, id),
    FOREIGN KEY (org_id, raised_by) REFERENCES users (org_id, id)
);
CREATE INDEX boundary_concerns_of_coach ON boundary_concerns (org_id, coach_id, status);
