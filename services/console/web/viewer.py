"""Who is looking at a console page: the signed-in staff member and what they carry to the APIs."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Viewer:
    account_id: str
    username: str
    display_name: str
    role: Role
    department: str | None
    # The staff JWT minted for this session: every API call is made with it, as this person.
    token: str
    # The session's CSRF token: every form carries it, htmx sends it as a header.
    csrf_token: str

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.supervisor, Role.admin)
