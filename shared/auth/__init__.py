"""Staff authentication: OAuth2 bearer JWTs carrying ``role`` and ``department`` claims."""

from shared.auth.tokens import StaffPrincipal, TokenError, issue_token, verify_token

__all__ = ["StaffPrincipal", "TokenError", "issue_token", "verify_token"]
