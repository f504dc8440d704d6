"""cynic_app.app.App: Flask, asking once per function whether it must be run as a coroutine."""

import flask.app
import pytest

from cynic_app.app import App


def test_a_function_is_asked_about_once_and_served_as_flask_would(monkeypatch):
    asked = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda f: asked.append(f) or real(f))
    app = App(__name__)

    def view():
        return "ok"

    assert [app.ensure_sync(view) for _ in range(3)] == [view] * 3
    assert asked == [view]


def test_a_coroutine_function_is_still_refused_or_wrapped_as_flask_does():
    app, plain = App(__name__), flask.Flask(__name__)

    async def view():
        return "ok"

    try:
        expected = plain.ensure_sync(view)
    except RuntimeError as exc:  # Flask without its async extra
        with pytest.raises(RuntimeError, match=str(exc)[:40]):
            app.ensure_sync(view)
    else:
        assert app.ensure_sync(view) is not view and callable(expected)


def test_functions_made_per_call_do_not_grow_the_cache():
    app = App(__name__)
    for i in range(App._SYNC_CACHE_LIMIT * 2):
        app.ensure_sync(lambda i=i: i)
    assert len(app._sync) == App._SYNC_CACHE_LIMIT
