-- paved's state on SQLite. Timestamps are RFC 3339 text in UTC written by paved (so they
-- compare as text); JSON is text.

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    repo          TEXT    NOT NULL,
    git_ref       TEXT    NOT NULL,
    sha           TEXT    NOT NULL,
    pull_request  INTEGER,
    kind          TEXT    NOT NULL CHECK (kind IN ('plan', 'apply', 'drift')),
    status        TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'interrupted', 'cancelled')),
    conclusion    TEXT,
    actor         TEXT,
    replica       TEXT,
    summary       TEXT    NOT NULL DEFAULT '{}',
    created_at    TEXT    NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
CREATE INDEX runs_by_repo ON runs (repo, pull_request, id);
CREATE INDEX runs_running ON runs (status, replica) WHERE status = 'running';

CREATE TABLE steps (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled', 'interrupted')),
    started_at   TEXT    NOT NULL,
    finished_at  TEXT,
    log_bytes    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX steps_by_run ON steps (run_id, id);

-- A step's log, in the chunks it was appended in: appending never rewrites earlier text.
CREATE TABLE step_logs (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    step_id  INTEGER NOT NULL REFERENCES steps (id) ON DELETE CASCADE,
    chunk    TEXT    NOT NULL
);
CREATE INDEX step_logs_by_step ON step_logs (step_id, id);

CREATE TABLE plans (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stack            TEXT    NOT NULL,
    component        TEXT    NOT NULL,
    planfile         TEXT,
    planfile_digest  TEXT,
    plan_digest      TEXT,
    to_add           INTEGER NOT NULL,
    to_change        INTEGER NOT NULL,
    to_destroy       INTEGER NOT NULL,
    no_changes       INTEGER NOT NULL,
    exit_code        INTEGER NOT NULL,
    created_at       TEXT    NOT NULL
);
CREATE INDEX plans_by_run ON plans (run_id);
CREATE INDEX plans_by_target ON plans (stack, component, id);

-- lease_expires_at NULL: pinned by an interrupted run until unlocked.
CREATE TABLE locks (
    stack             TEXT    NOT NULL,
    component         TEXT    NOT NULL,
    owner             TEXT    NOT NULL,
    run_id            INTEGER NOT NULL,
    pull_request      INTEGER,
    acquired_at       TEXT    NOT NULL,
    lease_expires_at  TEXT,
    PRIMARY KEY (stack, component)
);
CREATE INDEX locks_by_owner ON locks (owner);
CREATE INDEX locks_by_run ON locks (run_id);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

-- Forge webhook delivery ids already accepted: a replayed delivery is refused.
CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,
    received_at  TEXT NOT NULL
);
CREATE INDEX deliveries_by_time ON deliveries (received_at);

-- pull_request is 0 for "no pull request", so the unique index below collapses duplicates.
CREATE TABLE reconcile_requests (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    repo              TEXT    NOT NULL,
    git_ref           TEXT    NOT NULL,
    pull_request      INTEGER NOT NULL DEFAULT 0,
    reason            TEXT    NOT NULL,
    enqueued_at       TEXT    NOT NULL,
    claimed_by        TEXT,
    claimed_at        TEXT,
    lease_expires_at  TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX reconcile_requests_waiting ON reconcile_requests (repo, git_ref, pull_request)
    WHERE claimed_by IS NULL;
CREATE INDEX reconcile_requests_claimed ON reconcile_requests (repo, git_ref, pull_request, lease_expires_at)
    WHERE claimed_by IS NOT NULL;
