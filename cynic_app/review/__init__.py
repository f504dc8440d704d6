"""`cynic judge`: the judge where reviewers work — files, directories and diffs, on the command
line, in pre-commit and in CI.

walk.py chooses the files (gitignore honoured, vendored trees skipped), run.py judges them in
this machine's processes (remote.py asks a node instead), diff.py keeps what is on the lines
changed since a git revision, report.py holds each file's outcome and the gate the exit code
reads, and text.py, sarif.py and report.as_json print it. rulesdoc.py generates docs/rules.md,
which findings link to. command.py is the click command.

Exit codes: 0 no file fails the gate; 1 a file's verdict (with --diff: the verdict of its
changed lines) is the --fail-on verdict or worse; 2 a usage error (click's: an unknown option,
a path that does not exist, --diff outside a git repository or with an unknown revision); 3 a
file could not be judged (unreadable, refused by the node, the judge failed on it), the node
could not be reached, or the run was interrupted. 3 outranks 1: a run that could not judge every
file is incomplete, whatever the others' verdicts.
"""
