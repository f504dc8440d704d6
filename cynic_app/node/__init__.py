"""A node's life: one CYNIC_HOME and its database, opened, served, settled and closed.

- ``open.py``: the one start-up sequence (``open_node``): settings, home, node lock, database,
  binding, migrations, then a checkpoint of every journal; ``settle_node`` is ``cynic replay``.
- ``runtime.py``: what each serving process builds after the fork (pool, journal writer,
  guidance writer, the service) and closes when it stops.
- ``home.py`` (CYNIC_HOME and its locks), ``binding.py`` (the database it belongs to).
- ``checkpoint.py``: settle closed journals, then write the snapshot — written once, used by
  start-up, the gunicorn master and ``cynic checkpoint``.
- ``settle.py`` (a closed journal: verify, apply, guidance, delete), ``apply.py`` (its records
  into PostgreSQL), ``verify.py`` (``cynic replay --verify``, ``cynic stats``).
- ``errors.py``: why a node refuses, and the exit status of each reason.

One word per idea:

- *apply*: put journaled records that PostgreSQL lacks into it, exactly once.
- *settle*: a closed journal — verify it, repair a torn tail, apply it, name its newest judgment
  in guidance.json, delete it.
- *resolve*: a record's outcome is decided — committed or aborted (``JournalWriter.resolve``);
  a record *in doubt* (COMMIT cut off) is resolved as committed (``Service.resolve_doubt``).
- *checkpoint*: settle every closed journal, then write ``conscious_state.json``.
- *recover*: what start-up does before serving (``open.recover``).
- *replay* is only an Idempotency-Key retry answered with the stored record
  (``Idempotent-Replayed``) — and, for operators, the names that came before these words: the
  ``cynic replay`` command and the ``cynic_replay_*`` metrics, which count settling.
"""
