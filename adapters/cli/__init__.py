"""The ``plgbot`` command line: the composition root that wires settings, storage,
the core and the adapters together.

``base`` holds the command group and what every command shares; each other module
adds its commands to the group when imported, which this package does, in one place
(no module imports another's commands, so there is no import circle).
"""

from adapters.cli import core, digest, people, privacy, records, rounds, school  # noqa: F401
from adapters.cli.base import (
    main,
    make_bot,
    open_database,
    run_async,
    school_or_fail,
    settings_or_exit,
)

__all__ = ["main", "make_bot", "open_database", "run_async", "school_or_fail", "settings_or_exit"]
