"""The warehouse on the machine's PostgreSQL (127.0.0.1:5432, user postgres): every test gets a database of
its own, dropped afterwards whatever happened, and roles it creates are dropped too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

SERVER = "postgresql://postgres@127.0.0.1:5432"
ADMIN_URL = f"{SERVER}/postgres"


def create_database(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(f'create database "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


def database_exists(name: str) -> bool:
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        return con.execute("select 1 from pg_database where datname = %s", [name]).fetchone() is not None


@pytest.fixture
def pg_database() -> Iterator[str]:
    """The URL of a fresh database, dropped after the test."""
    name = create_database("readiness_test")
    try:
        yield f"{SERVER}/{name}"
    finally:
        drop_database(name)
    assert not database_exists(name)


@pytest.fixture
def reader_role() -> Iterator[str]:
    """A BI role of the test's own (roles are cluster-wide): created without login, dropped after."""
    name = f"readiness_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(f'create role "{name}" nologin')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as con:
            con.execute(f'drop role if exists "{name}"')
