-- paved's state on PostgreSQL (several replicas share it). Same tables as the SQLite schema.

CREATE TABLE runs (
    id            BIGSERIAL   PRIMARY KEY,
    repo          TEXT        NOT NULL,
    git_ref       TEXT        NOT NULL,
    sha           TEXT        NOT NULL,
    pull_request  BIGINT,
    kind          TEXT        NOT NULL CHECK (kind IN ('plan', 'apply', 'drift')),
    status        TEXT        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'interrupted', 'cancelled')),
    conclusion    TEXT,
    actor         TEXT,
    replica       TEXT,
    summary       JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at    TIMESTAMPTZ NOT NULL,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ
);
CREATE INDEX runs_by_repo ON runs (repo, pull_request, id);
CREATE INDEX runs_running ON runs (status, replica) WHERE status = 'running';

CREATE TABLE steps (
    id           BIGSERIAL   PRIMARY KEY,
    run_id       BIGINT      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    status       TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled', 'interrupted')),
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    log_bytes    BIGINT      NOT NULL DEFAULT 0
);
CREATE INDEX steps_by_run ON steps (run_id, id);

-- A step's log, in the chunks it was appended in: appending never rewrites earlier text.
CREATE TABLE step_logs (
    id       BIGSERIAL PRIMARY KEY,
    step_id  BIGINT    NOT NULL REFERENCES steps (id) ON DELETE CASCADE,
    chunk    TEXT      NOT NULL
);
CREATE INDEX step_logs_by_step ON step_logs (step_id, id);

CREATE TABLE plans (
    id               BIGSERIAL   PRIMARY KEY,
    run_id           BIGINT      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stack            TEXT        NOT NULL,
    component        TEXT        NOT NULL,
    planfile         TEXT,
    planfile_digest  TEXT,
    plan_digest      TEXT,
    to_add           BIGINT      NOT NULL,
    to_change        BIGINT      NOT NULL,
    to_destroy       BIGINT      NOT NULL,
    no_changes       BOOLEAN     NOT NULL,
    exit_code        BIGINT      NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX plans_by_run ON plans (run_id);
CREATE INDEX plans_by_target ON plans (stack, component, id);

-- lease_expires_at NULL: pinned by an interrupted run until unlocked.
CREATE TABLE locks (
    stack             TEXT        NOT NULL,
    component         TEXT        NOT NULL,
    owner             TEXT        NOT NULL,
    run_id            BIGINT      NOT NULL,
    pull_request      BIGINT,
    acquired_at       TIMESTAMPTZ NOT NULL,
    lease_expires_at  TIMESTAMPTZ,
    PRIMARY KEY (stack, component)
);
CREATE INDEX locks_by_owner ON locks (owner);
CREATE INDEX locks_by_run ON locks (run_id);

CREATE TABLE events (
    id          BIGSERIAL   PRIMARY KEY,
    kind        TEXT        NOT NULL,
    payload     JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Forge webhook delivery ids already accepted: a replayed delivery is refused.
CREATE TABLE deliveries (
    id           TEXT        PRIMARY KEY,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX deliveries_by_time ON deliveries (received_at);

-- pull_request is 0 for "no pull request", so the unique index below collapses duplicates.
CREATE TABLE reconcile_requests (
    id                BIGSERIAL   PRIMARY KEY,
    repo              TEXT        NOT NULL,
    git_ref           TEXT        NOT NULL,
    pull_request      BIGINT      NOT NULL DEFAULT 0,
    reason            TEXT        NOT NULL,
    enqueued_at       TIMESTAMPTZ NOT NULL,
    claimed_by        TEXT,
    claimed_at        TIMESTAMPTZ,
    lease_expires_at  TIMESTAMPTZ,
    attempts          BIGINT      NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX reconcile_requests_waiting ON reconcile_requests (repo, git_ref, pull_request)
    WHERE claimed_by IS NULL;
CREATE INDEX reconcile_requests_claimed ON reconcile_requests (repo, git_ref, pull_request, lease_expires_at)
    WHERE claimed_by IS NOT NULL;
