"""Read-only PostgreSQL logins for analysts and BI tools: SELECT on the read-model tables, nothing else.

The event store (`onestop_events`) holds personal data unmasked and must stay out of reach, so the role gets no
privilege on it; writes are refused by privileges, and the role's sessions also start read-only.
See docs/ANALYSTS.md for what each table holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import psycopg
from psycopg import sql

ANALYST_TABLES = ("dossiers", "kiosk_trays", "projection_tracking")
NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class AnalystGrantError(ValueError):
    """The analyst role cannot be set up as asked; the message says why."""


def _checked(kind: str, name: str) -> str:
    if not NAME.fullmatch(name):
        raise AnalystGrantError(f"{kind} name {name!r} must be lower-case letters, digits and underscores")
    return name


def grant_analyst(conninfo: str, schema: str, role: str, password: str | None, tables: Sequence[str] = ()) -> list[str]:
    """Create (or update) the LOGIN role `role`, able to SELECT the analyst tables of `schema` (`ANALYST_TABLES` plus
    `tables`) and nothing else; returns the tables granted. `password=None` keeps an existing role's password
    (re-granting after a rebuild, which recreates the tables). Run as a superuser or the tables' owner."""
    names = [_checked("table", t) for t in dict.fromkeys([*ANALYST_TABLES, *tables])]
    _checked("schema", schema)
    _checked("role", role)
    with psycopg.connect(conninfo) as conn, conn.transaction():
        existing = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name = ANY(%s)",
            (schema, names),
        ).fetchall()
        missing = sorted(set(names) - {row[0] for row in existing})
        if missing:
            raise AnalystGrantError(
                f"schema {schema!r} has no table {', '.join(missing)}: start the projection "
                "runner once so that it creates the read-model tables"
            )
        found = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if found and found[0]:
            raise AnalystGrantError(f"role {role!r} is a superuser; choose another name for the analyst login")
        if not (password or found):
            raise AnalystGrantError(f"give the new analyst role {role!r} a password")
        secret = sql.SQL(" PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("")
        conn.execute(
            sql.SQL("{} ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS{}").format(
                sql.SQL("ALTER" if found else "CREATE"), sql.Identifier(role), secret
            )
        )
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), sql.Identifier(role)))
        conn.execute(
            sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(schema, t) for t in names), sql.Identifier(role)
            )
        )
        # Defence in depth: sessions start read-only and see the read models first.
        conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(sql.Identifier(role)))
        conn.execute(sql.SQL("ALTER ROLE {} SET search_path = {}").format(sql.Identifier(role), sql.Identifier(schema)))
    return names


def drop_analyst(conninfo: str, role: str) -> None:
    """Remove the analyst role and its privileges in this database (a no-op if it does not exist)."""
    _checked("role", role)
    with psycopg.connect(conninfo) as conn, conn.transaction():
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
