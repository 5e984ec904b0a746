"""The console's schema: staff accounts, their sessions, pending OIDC sign-ins, and an audit of
sign-ins and admin actions. Nothing about grievances lives here: those are the services'."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, Table, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.base import make_metadata

SCHEMA = "console"
metadata = make_metadata(SCHEMA)

account = Table(
    "account",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("department", Text),
    # argon2id in PHC string form; NULL for an account that signs in only through OIDC.
    Column("password_hash", Text),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    # Set for a one-time password (first admin, created or reset accounts): change before anything else.
    Column("must_change_password", Boolean, nullable=False, server_default=text("false")),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
    Column("oidc_subject", Text, unique=True, comment="the provider's sub, bound at the first OIDC sign-in"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

staff_session = Table(
    "staff_session",
    metadata,
    # SHA-256 of the cookie's 256-bit random value: a copy of this table signs nobody in.
    Column("session_hash", Text, primary_key=True),
    Column("account_id", Text, ForeignKey(account.c.account_id, ondelete="CASCADE"), nullable=False),
    Column("csrf_token", Text, nullable=False),
    # The staff JWT the APIs see, short-lived and re-minted while the session is used.
    Column("api_token", Text, nullable=False),
    Column("api_token_expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False, comment="absolute end, whatever the activity"),
    Column("ip", Text),
    Column("user_agent", Text),
    Index(None, "account_id"),
)

oidc_login = Table(
    "oidc_login",
    metadata,
    # One pending authorisation request: the browser holds the state in a cookie, we hold the rest.
    Column("state_hash", Text, primary_key=True),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("next_path", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

account_audit = Table(
    "account_audit",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("action", Text, nullable=False, comment="sign_in, sign_in_failed, locked, sign_out, created, ..."),
    # The account acted on (NULL for a sign-in attempt with an unknown user name, which is not kept:
    # people type their password into the user name field).
    Column("account_id", Text),
    Column("actor_id", Text, comment="the admin who acted; NULL when the account holder did"),
    Column("ip", Text),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index(None, "account_id", "occurred_at"),
)
