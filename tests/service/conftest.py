import pytest

from tests.service.test_write_path import make_node


@pytest.fixture
def node(config):
    """A node's service with a fault-injecting pool and file system (test_write_path.make_node)."""
    yield from make_node(config)
