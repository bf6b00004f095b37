"""Private Kafka and PostgreSQL servers for a development checkout.

Used by `make infra-up` / `make infra-down` and by the test fixtures when no
`KAFKA_BOOTSTRAP_SERVERS` or `DATABASE_URL` is given. Every process started
here is recorded in a pid file and stopped through that file only.
"""

from crossdock_localinfra.kafka import LocalKafka
from crossdock_localinfra.postgres import LocalPostgres

__all__ = ["LocalKafka", "LocalPostgres"]
