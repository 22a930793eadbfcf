"""A dump of one schema under another name, made without rewriting any SQL text.

The dump is restored into a scratch database next to the structure of the public schema (and
the rows of the public tables the tenant's foreign keys point at), the schema is renamed there
with `ALTER SCHEMA … RENAME`, dumped again, and the scratch database is dropped. Needs CREATEDB.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql

from kreisportal.database import run_pg_program


def renamed_dump(dump: Path, old_schema: str, new_schema: str, work: Path) -> Path:
    """A dump of the same schema under `new_schema`, made in a scratch database."""
    if old_schema == new_schema:
        return dump

    scratch = f"kp_restore_{uuid.uuid4().hex[:12]}"
    maintenance = _conninfo()
    with psycopg.connect(**maintenance, autocommit=True) as conn:
        extensions = [
            row[0]
            for row in conn.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
        ]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        with psycopg.connect(**{**maintenance, "dbname": scratch}, autocommit=True) as conn:
            for extension in extensions:
                conn.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA public").format(
                        sql.Identifier(extension)
                    )
                )
        # The tenant's foreign keys point at shared tables (the catalogue): the structure of
        # the public schema (without its own foreign keys) and the rows of those tables.
        public = work / "public-structure.dump"
        run_pg_program(
            "pg_dump", ["--format=custom", "--schema-only", "--schema=public", f"--file={public}"]
        )
        restore = ["--exit-on-error", "--no-owner", "--no-privileges"]
        toc = run_pg_program("pg_restore", ["--list", str(public)], database=scratch)
        entries = work / "public-structure.list"
        entries.write_text(
            "".join(
                line + "\n"
                for line in toc.splitlines()
                if " SCHEMA - public " not in line
                and "COMMENT - SCHEMA public " not in line
                and " FK CONSTRAINT " not in line
            )
        )
        run_pg_program(
            "pg_restore", [*restore, f"--use-list={entries}", str(public)], database=scratch
        )
        referenced = _shared_tables_referenced_by_tenants()
        if referenced:
            rows = work / "public-referenced.dump"
            run_pg_program(
                "pg_dump",
                ["--format=custom", "--data-only", f"--file={rows}"]
                + [f"--table=public.{table}" for table in referenced],
            )
            run_pg_program("pg_restore", [*restore, str(rows)], database=scratch)
        run_pg_program("pg_restore", [*restore, str(dump)], database=scratch)
        with psycopg.connect(**{**maintenance, "dbname": scratch}, autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(old_schema), sql.Identifier(new_schema)
                )
            )
        renamed = work / "renamed.dump"
        run_pg_program(
            "pg_dump",
            ["--format=custom", f"--schema={new_schema}", f"--file={renamed}"],
            database=scratch,
        )
        return renamed
    finally:
        with psycopg.connect(**maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )


def _shared_tables_referenced_by_tenants() -> list[str]:
    """Public tables that tenant tables point at (read from the always-current template)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT target.relname
            FROM pg_constraint con
            JOIN pg_class target ON target.oid = con.confrelid
            WHERE con.contype = 'f'
              AND con.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)
              AND target.relnamespace = 'public'::regnamespace
            ORDER BY 1
            """,
            [settings.TENANT_BASE_SCHEMA],
        )
        return [row[0] for row in cursor.fetchall()]


def _conninfo() -> dict:
    db = connection.settings_dict
    info = {"dbname": db["NAME"], "user": db.get("USER") or "postgres"}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("PASSWORD", "password")):
        if db.get(key):
            info[name] = str(db[key])
    return info
