-- Webhook deliveries waiting to succeed (io.parley.webhook.WebhookDispatcher): one row per event and
-- endpoint, claimed with FOR UPDATE SKIP LOCKED and leased by moving due_at, deleted once delivered
-- or given up.
CREATE TABLE webhook_outbox (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id   text        NOT NULL,
  endpoint   text        NOT NULL,
  body       text        NOT NULL,
  attempts   integer     NOT NULL,
  due_at     timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at);
