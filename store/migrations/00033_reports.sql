-- +goose Up
-- Weekly reports by email: each runs on a Temporal Schedule (report/<id>) whose
-- action starts a WeeklyReport workflow; its figures are computed inside the
-- perimeter of the user who created it (created_by).
CREATE TABLE reports (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL CHECK (name <> ''),
    entity     text        NOT NULL DEFAULT '', -- an entity code; '': every entity of the perimeter
    group_by   text        NOT NULL DEFAULT 'entity' CHECK (group_by IN ('entity', 'agent', 'category', 'country', 'customer')),
    currency   text        NOT NULL DEFAULT '', -- the reporting currency; '': the deployment's
    recipients text[]      NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 50),
    language   text        NOT NULL DEFAULT 'en',
    weekday    smallint    NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 Sunday … 6 Saturday
    hour       smallint    NOT NULL CHECK (hour BETWEEN 0 AND 23),   -- UTC
    active     boolean     NOT NULL DEFAULT true,
    created_by bigint      NOT NULL REFERENCES users (id),
    version    integer     NOT NULL DEFAULT 1, -- each change: the round of its schedule's sync in temporal_outbox
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per report and period (an ISO week, or a send-now's key): a
-- retried activity sends the report once.
CREATE TABLE reports_sent (
    report_id  bigint      NOT NULL,
    period     text        NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    PRIMARY KEY (report_id, period)
);

ALTER TABLE temporal_outbox DROP CONSTRAINT temporal_outbox_kind_check;
ALTER TABLE temporal_outbox ADD CONSTRAINT temporal_outbox_kind_check
    CHECK (kind IN ('case.start', 'case.rejection_notice', 'reply.pause', 'report.schedule'));

-- +goose Down
DELETE FROM temporal_outbox WHERE kind = 'report.schedule';
ALTER TABLE temporal_outbox DROP CONSTRAINT temporal_outbox_kind_check;
ALTER TABLE temporal_outbox ADD CONSTRAINT temporal_outbox_kind_check
    CHECK (kind IN ('case.start', 'case.rejection_notice', 'reply.pause'));
DROP TABLE reports_sent;
DROP TABLE reports;
