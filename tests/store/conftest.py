import psycopg
import pytest

from cynic_app.store.migrations import migrate


@pytest.fixture
def conn(database_url):
    """An autocommit connection to a new database with the schema applied."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate(conn)
        yield conn
