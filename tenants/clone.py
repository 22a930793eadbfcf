"""Provisioning a tenant schema from the template's DDL, generated once per migration state.

django-tenants' clone function reads the template's structure from `information_schema` for every
clone. Those views scan the whole system catalogue, which grows with every tenant (~420 relations
each), so cloning got slower with every tenant: ~1.3 s at 11 tenants, ~5 s at 230. Here the
template's DDL comes from `pg_dump --schema-only` once per process and migration state; a clone
replays it under the new schema's name, copies the template's rows with `INSERT … SELECT` and
carries the sequences over. Nothing in it reads the catalogue, so its cost does not depend on how
many tenants exist. Object names (constraints, indexes) come out exactly as in the template.
The DDL is kept in the forms Citus accepts in a distributed schema (deploy/SCALING.md): identity
columns inside CREATE TABLE, and with Citus present constraints sent one statement at a time.

The schema name is replaced in DDL only, where it occurs as the qualifier `tenant_template.`
(pg_dump qualifies every object); the rows are copied by SQL, never rewritten as text. A template
name that would remain anywhere in the DDL after the replacement stops provisioning with an error.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass

from django.db import connection

from kreisportal.database import run_pg_program

# Stands for the clone's quoted schema name in the stored DDL; a character sequence that pg_dump
# output cannot contain outside string literals, and that a check below makes sure is new.
_TARGET = "\u00abclone-target\u00bb"
# Bumped when the generated definition changes shape, so no process keeps an outdated one.
_FORMAT_VERSION = "2"


class CloneError(RuntimeError):
    """The template's DDL cannot be turned into a clone safely."""


@dataclass(frozen=True)
class TemplateDefinition:
    """Everything needed to create a copy of the template schema under another name."""

    fingerprint: str
    pre_data: str  # schema, tables, sequences (with _TARGET for the new schema)
    post_data: tuple[str, ...]  # primary keys, unique and foreign keys, indexes, triggers
    tables: tuple[str, ...]
    sequences: tuple[str, ...]
    # The database has Citus (deploy/SCALING.md): it forwards a DDL command's whole query string
    # to the worker, which refuses several commands in one, so post-data goes one statement at a
    # time there. Elsewhere in one batch: 406 round trips made a clone ~40 % slower.
    one_statement_each: bool = False

    def statements_for(self, template: str, new_schema: str) -> list[str]:
        """The SQL that creates `new_schema`: structure, rows, sequence values, then the
        constraints and indexes (built over the copied rows, checked once)."""
        quote = connection.ops.quote_name
        target = quote(new_schema)
        source = quote(template)
        rows = "\n".join(
            f"INSERT INTO {target}.{quote(table)} OVERRIDING SYSTEM VALUE "
            f"SELECT * FROM {source}.{quote(table)};"
            for table in self.tables
        )
        sequences = "\n".join(
            f"SELECT pg_catalog.setval({_literal(f'{target}.{quote(name)}')}, "
            f"last_value, is_called) FROM {source}.{quote(name)};"
            for name in self.sequences
        )
        constraints = [statement.replace(_TARGET, target) for statement in self.post_data]
        if not self.one_statement_each:
            constraints = ["\n".join(constraints)]
        return [
            f"CREATE SCHEMA {target};",
            self.pre_data.replace(_TARGET, target),
            rows,
            sequences,
            *constraints,
        ]


_definitions: dict[tuple[str, ...], TemplateDefinition] = {}
_lock = threading.Lock()


def clone_schema(template: str, new_schema: str) -> None:
    """Create `new_schema` as a copy of `template` (structure and rows), in the current
    transaction: a failure later in provisioning leaves nothing behind."""
    definition = template_definition(template)
    with connection.cursor() as cursor:
        for statement in definition.statements_for(template, new_schema):
            if statement.strip():
                cursor.execute(statement)


def template_definition(template: str) -> TemplateDefinition:
    """The template's definition for its current migration state (generated on first use in
    this process, and again after the template has been migrated)."""
    fingerprint = _fingerprint(template)
    settings_dict = connection.settings_dict
    key = (
        str(settings_dict.get("HOST")),
        str(settings_dict.get("PORT")),
        settings_dict["NAME"],
        template,
        fingerprint,
    )
    with _lock:
        definition = _definitions.get(key)
        if definition is None:
            definition = _generate(template, fingerprint)
            _definitions.clear()  # an older migration state is of no further use
            _definitions[key] = definition
    return definition


def _fingerprint(template: str) -> str:
    """Which migrations the template has: the DDL changes only with them."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg(app || '.' || name, ',' ORDER BY app, name) "
            f"FROM {quote(template)}.django_migrations"
        )
        applied = cursor.fetchone()[0] or ""
    return hashlib.sha256(f"{_FORMAT_VERSION}:{applied}".encode()).hexdigest()


def _generate(template: str, fingerprint: str) -> TemplateDefinition:
    def dump(section: str) -> str:
        return run_pg_program(
            "pg_dump",
            [
                f"--section={section}",
                "--no-owner",
                "--no-privileges",
                f"--schema={template}",
            ],
        )

    pre_data = _inline_identities(_retarget(_statements_only(dump("pre-data")), template))
    post_data = tuple(
        _retarget(statement, template)
        for statement in map(_statements_only, _dump_entries(dump("post-data")))
        if statement
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = to_regnamespace(%s) "
            "AND relkind IN ('r', 'S') ORDER BY relname",
            [template],
        )
        relations = cursor.fetchall()
        cursor.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
        citus = cursor.fetchone()[0]
    return TemplateDefinition(
        fingerprint=fingerprint,
        pre_data=pre_data,
        post_data=post_data,
        tables=tuple(name for name, kind in relations if kind == "r"),
        sequences=tuple(name for name, kind in relations if kind == "S"),
        one_statement_each=citus,
    )


_ENTRY_HEADER = re.compile(r"^(?=--\n-- Name: )", re.MULTILINE)


def _dump_entries(dump: str) -> list[str]:
    """pg_dump's script cut at its entry headers (`--` / `-- Name: …; Type: …`): one object
    each, and in the post-data section one statement each."""
    return _ENTRY_HEADER.split(dump)


def _statements_only(dump: str) -> str:
    """pg_dump's script without comments, session settings and psql meta-commands: the clone
    runs inside the caller's transaction and must not change its session (search_path!)."""
    kept = []
    in_body = False  # inside a dollar-quoted function body, every line is kept as it is
    for line in dump.splitlines():
        if not in_body and (
            line.startswith(("--", "\\", "SET "))
            or line.startswith("SELECT pg_catalog.set_config(")
            or line.startswith("CREATE SCHEMA ")
        ):
            continue
        kept.append(line)
        if len(_DOLLAR_QUOTE.findall(line)) % 2:
            in_body = not in_body
    return "\n".join(kept).strip()


_DOLLAR_QUOTE = re.compile(r"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")


_IDENTITY = re.compile(
    r"^ALTER TABLE (?P<table>\S+) ALTER COLUMN (?P<column>\S+) "
    r"ADD GENERATED (?P<when>ALWAYS|BY DEFAULT) AS IDENTITY \(\n(?P<options>.*?)\n\);\n?",
    re.MULTILINE | re.DOTALL,
)


def _inline_identities(ddl: str) -> str:
    """Declare identity columns in their CREATE TABLE instead of pg_dump's separate
    `ALTER TABLE … ADD GENERATED … AS IDENTITY`. PostgreSQL ends up with the same column and
    sequence either way; Citus (deploy/SCALING.md) accepts only the inline form for a table in a
    distributed schema, which is distributed as soon as it is created."""
    for match in list(_IDENTITY.finditer(ddl)):
        table, column = match["table"], match["column"]
        options = " ".join(line.strip() for line in match["options"].splitlines())
        block = re.search(
            rf"^CREATE TABLE {re.escape(table)} \(\n.*?\n\);$", ddl, re.MULTILINE | re.DOTALL
        )
        if block is None:
            raise CloneError(f"no CREATE TABLE for the identity column {table}.{column}")
        # `    id bigint NOT NULL,` or, for a NOT NULL constraint with a name of its own
        # (PostgreSQL 18, e.g. kept from before a table was renamed),
        # `    id bigint CONSTRAINT wagtailcore_pagerevision_id_not_null NOT NULL,`
        column_line = re.search(
            rf"^    {re.escape(column)} [^\n]*?(?=(?: CONSTRAINT \S+)? NOT NULL,?$)",
            block[0],
            re.MULTILINE,
        )
        if column_line is None:
            raise CloneError(f"identity column {table}.{column} not found in its CREATE TABLE")
        identity = f" GENERATED {match['when']} AS IDENTITY ({options})"
        definition = block[0][: column_line.end()] + identity + block[0][column_line.end() :]
        ddl = ddl[: block.start()] + definition + ddl[block.end() :]
    return _IDENTITY.sub("", ddl)


def _retarget(ddl: str, template: str) -> str:
    if _TARGET in ddl:
        raise CloneError("the template's DDL contains the clone placeholder")
    qualifier = re.compile(rf'(?<![\w"$]){re.escape(_dump_identifier(template))}\.(?=["\w])')
    retargeted = qualifier.sub(f"{_TARGET}.", ddl)
    if re.search(rf"(?<![\w$]){re.escape(template)}(?![\w$])", retargeted):
        raise CloneError(
            f"the template schema's name {template!r} occurs in its DDL other than as the "
            f"qualifier of an object; cannot clone by renaming"
        )
    return retargeted


def _dump_identifier(name: str) -> str:
    """The schema name as pg_dump writes it (quoted unless it is a plain lower-case name)."""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
