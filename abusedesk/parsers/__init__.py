"""Pure parsers for abuse notices. `parse(data, filename)` is the entry point.

See base.py for the contract; dispatch.py chooses the format.
"""

from .base import CATEGORIES, Event, NotifierInfo, ParseContext, ParsedNotice  # noqa: F401
from .dispatch import parse  # noqa: F401
