"""User-facing errors: every failure a user can cause is a KvaliError with one clear line."""

from __future__ import annotations

ECHO_LIMIT = 60  # characters of a user's value repeated in a message


def shorten(value: object, limit: int = ECHO_LIMIT) -> str:
    """A user's value as a message may repeat it: cut to `limit` characters and "…"."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "\u2026"


class KvaliError(Exception):
    """A failure caused by the user's input or environment, shown as one line, never a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None,
                 value: str | None = None, danish: str | None = None) -> None:
        self.source = source
        self.field = field  # the neutral name of the option or setting at fault ("kommune")
        self.value = value  # the value given for it
        self.danish = danish  # the reason in Danish, for the app to render with its own label
        super().__init__(f"{source}: {message}" if source else message)


class InputError(KvaliError):
    """A file, row or value that kvali cannot read as given."""


class UnsafeInputError(InputError):
    """A file refused for safety: zip bomb, XML entity tricks, path traversal, size limit."""


class ProjectError(KvaliError):
    """The project database is missing, locked, corrupt or of an unknown newer version."""


class CodebookError(KvaliError):
    """An invalid codebook; the message names file, line and code key."""


class QueryError(KvaliError):
    """A search query that cannot be parsed; the message says what is wrong and where."""


class UsageError(KvaliError):
    """An option or argument that does not make sense."""

    exit_code = 2


class SelectionError(UsageError):
    """A selection value that matches nothing in the project; `str()` is the CLI's line
    ("--kommune 'Xby': …"), the app renders `field`, `value` and `danish` in its own words."""

    def __init__(self, field: str, value: str, reason: str, danish: str) -> None:
        super().__init__(f"--{field.replace('_', '-')} {shorten(value)!r}: {reason}", field=field,
                         value=value, danish=danish)
