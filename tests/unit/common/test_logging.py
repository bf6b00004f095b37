"""Structured JSON logs: context ids attached, secrets masked."""

import io
import json
import logging

from crossdock_common.logging import ContextAndRedactionFilter, log_context, redact_text


def capture(logger_name="test.crossdock"):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    from pythonjsonlogger.json import JsonFormatter

    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(ContextAndRedactionFilter())
    logger = logging.getLogger(logger_name)
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream


def test_log_context_ids_appear_in_json():
    logger, stream = capture()

    with log_context(account_id="acme", order_id="5001-A"):
        logger.info("order routed", extra={"integration_id": "mirakl-1"})

    record = json.loads(stream.getvalue())
    assert record["account_id"] == "acme"
    assert record["order_id"] == "5001-A"
    assert record["integration_id"] == "mirakl-1"


def test_log_masks_secret_fields():
    logger, stream = capture()

    logger.info("connected", extra={"api_key": "k-123", "settings": {"shared_secret": "s-1", "url": "https://x"}})

    record = json.loads(stream.getvalue())
    assert record["api_key"] == "[REDACTED]"
    assert record["settings"]["shared_secret"] == "[REDACTED]"
    assert record["settings"]["url"] == "https://x"


def test_log_masks_inline_credentials():
    text = redact_text("GET /api?access_token=abc123&page=2 Authorization: Bearer eyJhbGciOi.x.y")

    assert "abc123" not in text
    assert "eyJhbGciOi" not in text
    assert "page=2" in text
