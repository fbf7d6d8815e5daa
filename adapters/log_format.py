"""How ``plgbot serve`` logs: plain text lines, or one JSON object per line for a log
collector (``PLGBOT_LOG_FORMAT=json`` or ``plgbot serve --log-format json``).

The result is a :func:`logging.config.dictConfig` dictionary that ``serve`` hands to
uvicorn as its ``log_config``: uvicorn applies it in its own process and again in every
worker process it starts, so plgbot's loggers, uvicorn's error log and its access log
(off by default) all come out in the same format. JSON lines are written by the
maintained ``python-json-logger`` package and carry ``time`` (ISO 8601, UTC),
``level``, ``logger``, ``message`` and ``process`` (which worker), plus the fields a
library adds with ``extra=``.

What is logged is the same in both formats: plgbot never logs request bodies or tokens
(the Slack adapter cuts bodies out of Bolt's records, see ``adapters.slack.app``).
"""

from __future__ import annotations

from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS

LogFormat = Literal["text", "json"]
FORMATS: tuple[LogFormat, ...] = ("text", "json")

TEXT_LINE = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
# The LogRecord attributes a JSON line shows; the rest of the standard ones stay out.
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(process)d"
JSON_NAMES = {"levelname": "level", "name": "logger"}
# uvicorn adds an ANSI-coloured copy of some messages as ``extra``: no use in JSON.
NOT_IN_JSON = [*RESERVED_ATTRS, "color_message"]


def log_config(level: str, log_format: LogFormat = "text") -> dict[str, Any]:
    """The logging setup of a server process: plgbot's loggers at ``level``, uvicorn's
    as uvicorn sets them, everything else from WARNING, all to stderr except uvicorn's
    access log (stdout, as uvicorn does)."""
    if log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": JSON_NAMES,
            "reserved_attrs": NOT_IN_JSON,
            "timestamp": "time",
        }
    else:
        formatter = {"format": TEXT_LINE}
    return {
        "version": 1,
        # Loggers created at import time (Bolt's, the adapters') must keep working.
        "disable_existing_loggers": False,
        "formatters": {"plgbot": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plgbot",
                "stream": "ext://sys.stderr",
            },
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "plgbot",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            # Propagates to the root's handler; INFO says which platforms are on and
            # which process runs the scheduler.
            "plgbot": {"level": level},
            "py.warnings": {"level": "WARNING"},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
    }
