-- +goose Up
-- What Temporal is owed: a workflow a committed change must start or tell (a
-- new or reopened case's Case workflow, a rejected dispute's email to the
-- customer, the pause of an account its customer answered).
-- Each row is written in the change's transaction and marked done once
-- Temporal took the start; the worker's CatchUp workflow starts what is
-- still pending every few minutes, so a change made while Temporal was away
-- is caught up when it is back instead of being lost.
CREATE TABLE temporal_outbox (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('case.start', 'case.rejection_notice', 'reply.pause')),
    ref        bigint      NOT NULL, -- the case; the inbound email for reply.pause
    round      integer     NOT NULL DEFAULT 0, -- the case's reopening round
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT '',
    done_at    timestamptz,
    UNIQUE (kind, ref, round)
);
CREATE INDEX temporal_outbox_pending_idx ON temporal_outbox (created_at) WHERE done_at IS NULL;

-- +goose Down
DROP TABLE temporal_outbox;
