-- +goose Up
-- Rules that give an agent to the customers the ERP sends without one: the
-- first rule (by position) whose non-empty fields all match wins.
CREATE TABLE agent_rules (
    position    integer     NOT NULL PRIMARY KEY CHECK (position > 0),
    entity_id   bigint      REFERENCES entities (id),  -- NULL: any entity
    country     text        NOT NULL DEFAULT '',       -- '': any country
    category    text        NOT NULL DEFAULT '',       -- '': any category
    agent_id    bigint      NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- An agent's absence: their accounts and open tasks go to the delegates from
-- starts_at and come back at ends_at (NULL: leaving for good). The Handover
-- workflow handover/<id> does the moves.
CREATE TABLE absences (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id    bigint      NOT NULL REFERENCES users (id),
    delegates   bigint[]    NOT NULL CHECK (cardinality(delegates) > 0),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
    reason      text        NOT NULL DEFAULT '',
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    ended_early_at timestamptz,  -- DELETE asked to end it before ends_at
    ended_by    text        NOT NULL DEFAULT ''
);
CREATE INDEX absences_agent_idx ON absences (agent_id);

-- What a handover moved, so its end moves back exactly those (and only those
-- nobody reassigned by hand meanwhile). One row per account or task.
CREATE TABLE handover_moves (
    absence_id  bigint      NOT NULL REFERENCES absences (id),
    kind        text        NOT NULL CHECK (kind IN ('account', 'task')),
    object_id   bigint      NOT NULL, -- customers.id or tasks.id
    ordinal     integer     NOT NULL, -- the round robin's turn among the delegates
    from_agent  bigint      NOT NULL REFERENCES users (id),
    to_agent    bigint      NOT NULL REFERENCES users (id),
    moved_at    timestamptz,          -- NULL: recorded, not yet moved
    outcome     text        NOT NULL DEFAULT '' CHECK (outcome IN ('', 'returned', 'kept', 'failed')),
    settled_at  timestamptz,
    PRIMARY KEY (absence_id, kind, object_id)
);
CREATE INDEX handover_moves_to_idx ON handover_moves (to_agent) WHERE settled_at IS NULL;

-- +goose Down
DROP TABLE handover_moves;
DROP TABLE absences;
DROP TABLE agent_rules;
