"""Access control for a shared kvali server: users with salted password hashes
(`kvali.access.users`, `kvali.access.passwords`), a limit on failed log-ins
(`kvali.access.throttle`), and roles with the permission check the write functions make."""

from kvali.access.roles import (
    AccessDenied,
    Actor,
    Permission,
    allowed,
    current_actor,
    require,
    set_actor,
)

__all__ = ["AccessDenied", "Actor", "Permission", "allowed", "current_actor", "require",
           "set_actor"]
