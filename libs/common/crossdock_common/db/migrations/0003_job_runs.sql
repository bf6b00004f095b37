-- Last start and finish of each periodic job, shared by every replica of a service.
CREATE TABLE job_runs (
    job text PRIMARY KEY,
    last_started_at timestamptz,
    last_finished_at timestamptz,
    last_status text,
    last_error text,
    runs bigint NOT NULL DEFAULT 0
);
