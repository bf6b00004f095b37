"""Idle memory of each service: start the whole hub, wait until ready, report RSS.

The stack is the one `bench/ingest.py` uses (five services, three sandboxes,
ports moved by `--port-offset`, default 3000), on the Kafka and PostgreSQL of
KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL. RSS is read from /proc 10 s after
every process reports ready. RSS under load is measured by `bench/ingest.py`
during the order ingest. Prints figures only; the target is 150 MB idle per
service.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stack import add_port_offset_argument, bench_stack, rss_megabytes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_port_offset_argument(parser)
    args = parser.parse_args()
    with bench_stack(name="memory", time_scale=1.0, port_offset=args.port_offset, extra_env={}) as hub:
        time.sleep(10)  # Lets startup work (migrations, topic creation, first polls) finish.
        for name, pid in hub.service_pids().items():
            print(f"{name:18s} idle RSS {rss_megabytes(pid):6.0f} MB   (target <= 150 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
