-- Drift: what the last drift check found per repository, stack and component, and named
-- leases (one replica at a time runs the drift schedule).

CREATE TABLE drift_states (
    repo          TEXT    NOT NULL,
    stack         TEXT    NOT NULL,
    component     TEXT    NOT NULL,
    drifted       INTEGER NOT NULL,
    -- When the current drift was first seen (NULL while in sync).
    first_seen    TEXT,
    last_seen     TEXT,
    checked_at    TEXT    NOT NULL,
    sha           TEXT    NOT NULL,
    to_add        INTEGER NOT NULL DEFAULT 0,
    to_change     INTEGER NOT NULL DEFAULT 0,
    to_destroy    INTEGER NOT NULL DEFAULT 0,
    -- The open drift issue on the forge, if any.
    issue_number  INTEGER,
    issue_url     TEXT,
    PRIMARY KEY (repo, stack, component)
);

CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
