-- Events a consumer group has applied; the primary key makes a redelivery a no-op.
CREATE TABLE processed_events (
    consumer_group text NOT NULL,
    event_id uuid NOT NULL,
    topic text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
