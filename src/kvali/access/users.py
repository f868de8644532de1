"""The project's users: add, list, change and remove them, and check a log-in.

A project with users asks for a log-in in the app; a project without users is the
single-analyst app. While users exist, at least one of them is an admin: the first user must be
an admin, and the last admin cannot be removed or demoted while others remain. Changes are
recorded in `events` with the user name and role, never a password or a hash.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from kvali.access.passwords import dummy_hash, hash_password, verify_password
from kvali.access.roles import require
from kvali.access.throttle import LOG_INS
from kvali.coding.store import log_event, now
from kvali.errors import KvaliError, UsageError, shorten
from kvali.store.schema_privacy import USER_ROLES

log = logging.getLogger("kvali.access")

NAME_LENGTH = 64
PASSWORD_LENGTH = (8, 1024)


class LoginFailed(KvaliError):
    """A log-in that was refused: wrong name or password, or too many failed attempts."""


@dataclass(frozen=True)
class User:
    """A user as listed: never the password hash."""

    name: str
    role: str
    created_at: str

    def to_dict(self) -> dict[str, str]:
        """The user as JSON-ready data."""
        return asdict(self)


def has_users(db: Database) -> bool:
    """Whether the project has users (and so the app asks for a log-in)."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1


def list_users(db: Database) -> list[User]:
    """The users, by name."""
    return [User(*row) for row in
            db.execute("SELECT name, role, created_at FROM users ORDER BY name")]


def get_user(db: Database, name: str) -> User | None:
    """The user called NAME, or None."""
    row = db.execute("SELECT name, role, created_at FROM users WHERE name = ?",
                     [name]).fetchone()
    return User(*row) if row else None


def add_user(db: Database, name: str, role: str, password: str, actor: str = "kvali") -> User:
    """Add a user with a new salted password hash; the first user must be an admin."""
    require("users")
    name = _valid_name(name)
    _check_role(role)
    _check_password(password)
    with db.atomic():
        if get_user(db, name):
            raise UsageError(f"user {shorten(name)!r} exists already")
        if role != "admin" and not has_users(db):
            raise UsageError("the first user must be an admin (--role admin)")
        db.execute("INSERT INTO users (name, role, password_hash, created_at) "
                   "VALUES (?, ?, ?, ?)", [name, role, hash_password(password), now()])
        log_event(db, actor, "user_add", {"user": name, "role": role})
    return get_user(db, name)  # type: ignore[return-value]


def remove_user(db: Database, name: str, actor: str = "kvali") -> None:
    """Remove a user; the last admin only when no other users remain."""
    require("users")
    with db.atomic():
        user = _existing(db, name)
        if user.role == "admin":
            _keep_an_admin(db, user.name, "remove")
        db.execute("DELETE FROM users WHERE name = ?", [user.name])
        log_event(db, actor, "user_remove", {"user": user.name})


def set_role(db: Database, name: str, role: str, actor: str = "kvali") -> None:
    """Give a user another role; the last admin cannot be demoted."""
    require("users")
    _check_role(role)
    with db.atomic():
        user = _existing(db, name)
        if user.role == "admin" and role != "admin":
            _keep_an_admin(db, user.name, "demote")
        db.execute("UPDATE users SET role = ? WHERE name = ?", [role, user.name])
        log_event(db, actor, "user_role", {"user": user.name, "role": role})


def set_password(db: Database, name: str, password: str, actor: str = "kvali") -> None:
    """Replace a user's password (a new salt and hash)."""
    require("users")
    _check_password(password)
    with db.atomic():
        user = _existing(db, name)
        db.execute("UPDATE users SET password_hash = ? WHERE name = ?",
                   [hash_password(password), user.name])
        log_event(db, actor, "user_password", {"user": user.name})


def authenticate(db: Database, name: str, password: str, session: str) -> User:
    """The user when NAME and PASSWORD match; raises LoginFailed otherwise, or while too many
    recent failures (of this name or this SESSION) make the caller wait. Logged to
    "kvali.access" with the name, never the password."""
    name = name.strip()
    keys = (f"user:{name.casefold()}", f"session:{session}")
    wait = LOG_INS.wait(keys)
    if wait > 0:
        log.warning("log-in refused for user %r: too many failed attempts (%.0f s left)",
                    shorten(name), wait)
        seconds = math.ceil(wait)
        raise LoginFailed(f"too many failed log-ins; try again in {seconds} s",
                          danish=f"For mange forkerte forsøg. Vent {seconds} sekunder, og prøv "
                                 "igen.")
    row = db.execute("SELECT password_hash FROM users WHERE name = ?", [name]).fetchone()
    matches = verify_password(password, row[0] if row else dummy_hash())
    if not (row and matches):
        LOG_INS.failed(keys)
        log.warning("failed log-in for user %r", shorten(name))
        raise LoginFailed("wrong user name or password",
                          danish="Forkert brugernavn eller adgangskode.")
    LOG_INS.succeeded(keys)
    log.info("user %r logged in", shorten(name))
    return get_user(db, name)  # type: ignore[return-value]


def _existing(db: Database, name: str) -> User:
    user = get_user(db, name.strip())
    if user is None:
        raise UsageError(f"no user {shorten(name)!r}; see `kvali users list`")
    return user


def _keep_an_admin(db: Database, name: str, verb: str) -> None:
    others = db.execute("SELECT count(*), count(*) FILTER (WHERE role = 'admin') FROM users "
                        "WHERE name != ?", [name]).fetchone()
    if others[0] and not others[1]:
        raise UsageError(f"cannot {verb} {shorten(name)!r}: it is the last admin and other users "
                         "remain; make another user admin first")


def _valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or any(
            unicodedata.category(c).startswith("C") for c in name):
        raise UsageError(f"user name: 1 to {NAME_LENGTH} characters, no control characters")
    return name


def _check_role(role: str) -> None:
    if role not in USER_ROLES:
        raise UsageError(f"role {shorten(role)!r}: use one of {', '.join(USER_ROLES)}")


def _check_password(password: str) -> None:
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise UsageError(f"a password needs {low} to {high} characters")
