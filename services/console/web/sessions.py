"""Sessions: placeholder until accounts and sign-in land (nobody is signed in)."""

from __future__ import annotations

from fastapi import Request

from services.console.web.viewer import Viewer


class NoSessions:
    async def viewer(self, request: Request) -> Viewer | None:
        return None
