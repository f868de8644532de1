"""Roles, permissions and the check every write function makes.

The app sets the actor of each rerun (`set_actor`, from `kvali.ui.state`); write functions call
`require(permission)` at their entry. Without an actor — the CLI, tests, a project without
users — everything is allowed, as in the single-analyst kvali.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from kvali.errors import KvaliError

Permission = Literal["code", "import", "tag", "codebook", "documents", "users", "projects"]

CODER_PERMISSIONS: frozenset[Permission] = frozenset({"code", "import", "tag"})
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {  # one entry per USER_ROLES
    "reader": frozenset(),
    "coder": CODER_PERMISSIONS,
    "admin": CODER_PERMISSIONS | {"codebook", "documents", "users", "projects"},
}

ROLE_LABELS = {"admin": "administrator", "coder": "koder", "reader": "læser"}
"""The roles in Danish, as the app shows them."""

DOING = {
    "code": "kode, behandle forslag eller skrive memoer",
    "import": "importere filer",
    "tag": "køre den automatiske kodning",
    "codebook": "ændre kodebogen",
    "documents": "slette, genimportere eller ændre typen af dokumenter",
    "users": "administrere brugere",
    "projects": "åbne eller oprette andre projekter",
}
"""What each permission lets a user do, in Danish, for the refusal sentence."""


class AccessDenied(KvaliError):
    """The logged-in user's role does not allow the change; nothing was written."""


@dataclass(frozen=True)
class Actor:
    """Who acts in this rerun: a user and their role; role None = nobody is logged in."""

    name: str
    role: str | None


_ACTOR: ContextVar[Actor | None] = ContextVar("kvali.actor", default=None)


def set_actor(actor: Actor | None) -> None:
    """Make ACTOR the one whose role `require` checks (None: no access control)."""
    _ACTOR.set(actor)


def current_actor() -> Actor | None:
    """The actor set for this rerun, or None outside the app's access control."""
    return _ACTOR.get()


def allowed(permission: Permission) -> bool:
    """Whether the current actor may do what PERMISSION names."""
    actor = _ACTOR.get()
    return actor is None or permission in ROLE_PERMISSIONS.get(actor.role or "", frozenset())


def require(permission: Permission) -> None:
    """Raise AccessDenied, with a Danish sentence, unless the current actor has PERMISSION."""
    if allowed(permission):
        return
    actor = _ACTOR.get()
    assert actor is not None
    doing = DOING[permission]
    if actor.role is None:
        danish = f"Log ind for at {doing}."
    elif actor.role == "reader":
        danish = f"Du har kun læseadgang til projektet og kan ikke {doing}."
    else:
        danish = (f"Som {ROLE_LABELS[actor.role]} kan du ikke {doing}; det kan kun en "
                  "administrator.")
    raise AccessDenied(f"{actor.name or 'nobody'} ({actor.role or 'not logged in'}) may not "
                       f"{permission}", danish=danish)
