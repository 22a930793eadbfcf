"""Which pg_dump/pg_restore a backup or restore runs (the major-version rule), and what an operator
reads when one fails. The programs here are small scripts that answer `--version` like the real
ones; the rule itself is the one `kreisportal.database.pg_program` applies to every server."""

from __future__ import annotations

from pathlib import Path

import pytest

from kreisportal import database
from kreisportal.database import PostgresToolError, error_summary, pg_program


def _fake_program(folder: Path, name: str, major: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.3 (Debian {major}.3-1)'\n")
    program.chmod(0o755)
    return program


@pytest.fixture
def server_version(monkeypatch, settings, tmp_path):
    """A configured server (no embedded database) of the given major version, with the wheel's
    programs (version 18) in a folder of their own and an empty PATH."""
    settings.EMBEDDED_DATABASE = False
    wheel = tmp_path / "wheel"
    _fake_program(wheel, "pg_dump", 18)
    monkeypatch.setattr(database, "embedded_bin_dir", lambda: wheel)
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    return lambda major: monkeypatch.setattr(database, "server_major_version", lambda: major)


def test_the_client_of_the_servers_major_version_is_preferred(server_version, tmp_path):
    on_path = _fake_program(tmp_path / "path", "pg_dump", 15)
    server_version(15)
    assert pg_program("pg_dump") == str(on_path)


def test_without_it_a_newer_client_is_used_with_a_warning(
    server_version, tmp_path, caplog, monkeypatch
):
    # listen on the module's own logger: whether its records reach the root logger depends on
    # what earlier tests did to logging (a worker or CLI run in-process reconfigures it)
    import logging

    logger = logging.getLogger("kreisportal.database")
    monkeypatch.setattr(logger, "disabled", False)
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.WARNING, logger="kreisportal.database")
    try:
        _fake_program(tmp_path / "path", "pg_dump", 14)  # too old for the server
        server_version(15)
        assert pg_program("pg_dump") == str(tmp_path / "wheel" / "pg_dump")
    finally:
        logger.removeHandler(caplog.handler)
    assert "install the PostgreSQL 15 client" in caplog.text


def test_a_newer_pg_restore_is_refused_for_a_server_before_17(server_version, tmp_path):
    """pg_restore 17+ sends `SET transaction_timeout = 0`, which PostgreSQL 15 refuses."""
    wheel_restore = _fake_program(tmp_path / "wheel", "pg_restore", 18)
    server_version(15)
    with pytest.raises(PostgresToolError, match="install the PostgreSQL 15 client"):
        pg_program("pg_restore")
    server_version(17)
    assert pg_program("pg_restore") == str(wheel_restore)


def test_an_older_client_only_is_refused(server_version, tmp_path):
    _fake_program(tmp_path / "path", "pg_dump", 17)
    server_version(19)
    with pytest.raises(PostgresToolError, match=r"older than the server \(PostgreSQL 19\)"):
        pg_program("pg_dump")


def test_the_embedded_server_uses_the_wheels_programs(settings):
    settings.EMBEDDED_DATABASE = True
    assert pg_program("pg_restore") == str(database.embedded_bin_dir() / "pg_restore")


# What pg_restore printed restoring a dump of PostgreSQL 15.20 made by pg_dump 18 into 18.
PG_ATTVER_FAILURE = """\
pg_restore: error: could not execute query: ERROR:  unrecognized parameter "pg_attver"
Command was: CREATE TABLE erkelenz.accounts_citizen (
    id bigint NOT NULL,
    user_id integer NOT NULL
);
ALTER TABLE ONLY erkelenz.accounts_citizen ALTER COLUMN id SET (pg_attver=468065200);
ALTER TABLE ONLY erkelenz.accounts_citizen ALTER COLUMN user_id SET (pg_attver=468065200);
"""


def test_the_error_summary_names_the_error_not_the_tail_of_the_command():
    assert error_summary("pg_restore", PG_ATTVER_FAILURE) == (
        'could not execute query: ERROR:  unrecognized parameter "pg_attver"\n'
        "the command was: CREATE TABLE erkelenz.accounts_citizen ("
    )
    mismatch = (
        "pg_dump: error: aborting because of server version mismatch\n"
        "pg_dump: detail: server version: 18.0; pg_dump version: 15.20\n"
    )
    assert error_summary("pg_dump", mismatch) == (
        "aborting because of server version mismatch; "
        "detail: server version: 18.0; pg_dump version: 15.20"
    )
    assert error_summary("pg_restore", "") == "unknown error"
    assert error_summary("pg_restore", "no prefix at all\nlast line") == "last line"
