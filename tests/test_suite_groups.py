"""The suite's own scheduling (tests/conftest.py): under xdist with ``--dist loadgroup``, as
scripts/test runs it, the tests that start, stop or time servers form one group, which xdist
runs in one process, one at a time; the rest are spread over both processes."""

import pytest


def _grouping(request) -> None:
    if not request.config.getoption("loadgroup", default=False):
        pytest.skip("only under xdist with --dist loadgroup (scripts/test)")


@pytest.mark.slow
def test_a_test_that_starts_servers_is_in_the_group_run_one_at_a_time(request):
    _grouping(request)
    assert request.node.nodeid.endswith("@one_at_a_time")


def test_any_other_test_is_in_no_group(request):
    _grouping(request)
    assert "@" not in request.node.nodeid
