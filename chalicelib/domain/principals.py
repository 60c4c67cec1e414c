"""Who is asking: roles from identity-provider groups, and what each may do.
Pure: no tokens, no HTTP. The authorizer turns a verified token into groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.errors import KawalError
from chalicelib.domain.projects import OPDS
from chalicelib.routing import SQUAD_CODES

Role = Literal["command", "operator", "shadow", "squad", "opd", "bappeda", "anonymous"]
# Cognito groups, one per role or squad.
COMMAND_GROUP, OPERATOR_GROUP, SHADOW_GROUP = "command", "operator", "shadow"
# Bappeda's planning officers: citizens' proposals (usulan) only, never reports.
BAPPEDA_GROUP = "bappeda"
SQUAD_GROUP_PREFIX = "squad-"
OPD_GROUP_PREFIX = "opd-"  # an OPD's staff: its own projects' progress, nothing of reports
OPEN_SQUADS = tuple(s for s in SQUAD_CODES if s != "shadow")
STAFF_GROUPS = (
    COMMAND_GROUP,
    OPERATOR_GROUP,
    SHADOW_GROUP,
    BAPPEDA_GROUP,
    *(SQUAD_GROUP_PREFIX + s for s in OPEN_SQUADS),
    *(OPD_GROUP_PREFIX + o for o in OPDS),
)
# Roles that must sign in with an authenticator app's code too (offered to the others).
SECOND_FACTOR_ROLES = frozenset({"command", "operator"})


class Forbidden(KawalError):
    status = 403
    code = "forbidden"


class Unauthenticated(KawalError):
    status = 401
    code = "unauthenticated"


def push_owner(topic: str) -> str:
    """Where the phones that hear a topic by web push are filed: ``command``, or
    ``squad#<code>`` (the shadow squad's too). One mapping for the phone that
    subscribes and the dispatcher that sends, so they cannot drift apart."""
    return topic if topic == "command" else f"squad#{topic}"


@dataclass(frozen=True)
class Principal:
    role: Role
    id: str
    squad: str | None = None  # the squad of a squad or shadow member
    opd: str | None = None  # the OPD of an OPD's staff member

    @classmethod
    def from_groups(cls, user_id: str, groups: list[str]) -> Principal:
        """The strongest role wins: command > operator > shadow > squad member > OPD >
        Bappeda."""
        if COMMAND_GROUP in groups:
            return cls("command", user_id)
        if OPERATOR_GROUP in groups:
            return cls("operator", user_id)
        if SHADOW_GROUP in groups:
            return cls("shadow", user_id, "shadow")
        squads = sorted(
            g[len(SQUAD_GROUP_PREFIX) :] for g in groups if g.startswith(SQUAD_GROUP_PREFIX)
        )
        squads = [s for s in squads if s in OPEN_SQUADS]
        if len(squads) == 1:
            return cls("squad", user_id, squads[0])
        if BAPPEDA_GROUP in groups:
            return cls("bappeda", user_id)
        opds = [g[len(OPD_GROUP_PREFIX) :] for g in groups if g.startswith(OPD_GROUP_PREFIX)]
        opds = [o for o in opds if o in OPDS]
        if not squads and len(opds) == 1:
            return cls("opd", user_id, opd=opds[0])
        return cls("anonymous", user_id)  # no usable group, or ambiguous: no staff rights

    @property
    def is_staff(self) -> bool:
        """Staff of the reports' workflow (an OPD's staff file progress, Bappeda's officers
        work proposals: neither is)."""
        return self.role not in ("anonymous", "opd", "bappeda")

    @property
    def plans(self) -> bool:
        """May moderate proposals and record the Musrenbang path (Bappeda, the regent)."""
        return self.role in ("bappeda", "command")

    def can_see_squad(self, squad: str) -> bool:
        """May this principal know the squad exists (and see its reports)?"""
        if self.role == "command":
            return True
        if squad == "shadow":
            return False  # covert: absent to all but the command centre
        return self.role in ("operator",) or self.squad == squad

    @property
    def push_owner(self) -> str | None:
        """Where this person's phones are filed for web push; None: no message is ever
        sent to this role (operators hear from the ops topic, by email)."""
        if self.role == "command":
            return push_owner("command")
        if self.role in ("squad", "shadow") and self.squad:
            return push_owner(self.squad)
        return None

    def can_manage_subscriptions(self, squad: str) -> bool:
        return self.role == "command" or (self.role == "operator" and squad != "shadow")


ANONYMOUS = Principal("anonymous", "anonymous")
