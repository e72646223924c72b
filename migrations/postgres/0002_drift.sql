-- Drift: what the last drift check found per repository, stack and component, and named
-- leases (one replica at a time runs the drift schedule). Same tables as on SQLite.

CREATE TABLE drift_states (
    repo          TEXT        NOT NULL,
    stack         TEXT        NOT NULL,
    component     TEXT        NOT NULL,
    drifted       BOOLEAN     NOT NULL,
    first_seen    TIMESTAMPTZ,
    last_seen     TIMESTAMPTZ,
    checked_at    TIMESTAMPTZ NOT NULL,
    sha           TEXT        NOT NULL,
    to_add        BIGINT      NOT NULL DEFAULT 0,
    to_change     BIGINT      NOT NULL DEFAULT 0,
    to_destroy    BIGINT      NOT NULL DEFAULT 0,
    issue_number  BIGINT,
    issue_url     TEXT,
    PRIMARY KEY (repo, stack, component)
);

CREATE TABLE leases (
    name        TEXT        PRIMARY KEY,
    owner       TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
