"""Parse `key=value` setting arguments of the command line."""

import json
from typing import Any

from crossdock_cli.api import CliError


def parse_assignment(text: str, current: dict[str, Any] | None = None) -> tuple[str, Any]:
    """Split `key=value`; the value is JSON when it parses as JSON, else the plain string.

    So `ordersAutoAccept=true` sends a boolean, `ordersPollSeconds=600` a number
    and `ordersStatuses='["SHIPPING"]'` a list. When `current` contains a string for
    the key, the value stays a string, so `offerStateCode=11` sends "11".
    """
    key, separator, raw = text.partition("=")
    key = key.strip()
    if not separator or not key:
        raise CliError(f"invalid setting {text!r}; write it as key=value, e.g. ordersAutoAccept=true")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return key, raw
    if current is not None and isinstance(current.get(key), str) and not isinstance(value, str):
        return key, raw
    return key, value
