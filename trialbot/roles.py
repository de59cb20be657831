"""Staff roles in the triage web app: every member of staff triages, an admin also reads
the audit log. What each role may do is checked by ``trialbot.web.auth.require_role``.

No imports beyond the standard library: the CLI offers these before it loads the store.
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    TRIAGE = "triage"
    ADMIN = "admin"


# The values the database's ``staff_users.role`` allows (its CHECK constraint).
ROLES: tuple[str, ...] = tuple(role.value for role in Role)
