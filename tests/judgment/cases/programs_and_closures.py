"""Programs started by os.exec* and os.spawn* (the program, and a shell's `-c COMMAND` in its
argument list), and input reaching a sink through a nested function or a lambda."""
import functools
import json
import os
import shutil
import subprocess
import sys
from functools import partial
from types import SimpleNamespace

from flask import Flask, request

app = Flask(__name__)


@app.route("/exec")
def exec_shell():
    command = request.args["c"]
    # ruleid: shell-injection
    os.execv("/bin/sh", ["sh", "-c", command])


@app.route("/execl")
def execl_shell():
    command = request.args["c"]
    # ruleid: shell-injection
    os.execl("/bin/sh", "sh", "-c", command)


@app.route("/spawn")
def spawn_program():
    program = request.args["p"]
    # ruleid: shell-injection
    os.spawnv(os.P_WAIT, program, [program])


@app.route("/spawnl")
def spawnl_shell():
    command = request.args["c"]
    # ruleid: shell-injection
    return os.spawnl(os.P_WAIT, "/bin/sh", "sh", "-c", command)


@app.route("/listing")
def listing():
    directory = request.args["d"]
    # ok: shell-injection
    return os.spawnv(os.P_WAIT, "/bin/ls", ["ls", "--", directory])


@app.route("/closure")
def closure():
    command = request.args["c"]

    def run():
        # ruleid: shell-injection
        os.system(command)

    run()
    return "ok"


@app.route("/closure-cleaned")
def closure_cleaned():
    name = request.args["n"]

    def greet():
        # ok: shell-injection
        os.system("echo hello")
        return name

    return greet().upper()


@app.route("/lambda")
def through_a_lambda():
    # ruleid: shell-injection
    run = lambda c: os.system("ls " + c)  # noqa: E731
    run(request.args["d"])
    return "ok"


@app.route("/lambda-constant")
def lambda_given_a_constant():
    # ok: shell-injection
    run = lambda c: os.system("ls " + c)  # noqa: E731
    run("/tmp")
    return request.args["d"].upper()



def motd():
    path = "/etc/motd"

    def show():
        # ok: path-traversal
        return open(path).read()

    return show()


@app.route("/shout")
def shout():
    path = request.args["p"]

    def show():  # not motd()'s show: each function calls its own
        return path.upper()

    return {"said": show()}


@app.route("/partial")
def through_a_partial():
    run = functools.partial(subprocess.run, shell=True)
    # ruleid: shell-injection
    run(request.args["c"])
    return "ok"


@app.route("/partial-bound")
def partial_bound_input():
    show = partial(os.system, "cat " + request.args["f"])
    # ruleid: shell-injection
    show()
    return "ok"


@app.route("/partial-program")
def partial_without_a_shell():
    run = partial(subprocess.run, check=True)
    # ok: shell-injection
    run(["ls", "--", request.args["d"]])
    return "ok"


@app.route("/siblings")
def siblings():
    command = request.args["c"]

    def execute():
        # ruleid: shell-injection
        os.system(command)

    def step():  # calls its sibling: execute()'s free names are still siblings()'s
        execute()

    step()
    return "ok"


def scheduled(command):
    def job():
        # ok: shell-injection
        os.system(command)

    return job


def job():  # the module's own job(), not scheduled()'s
    return "ran"


@app.route("/status")
def status():
    command = request.args["c"]
    job()
    return {"length": len(command)}


def make_lister():
    target = "/tmp"
    # ok: shell-injection
    return lambda: os.system("ls " + target)


@app.route("/ls")
def ls():
    target = request.args["t"]  # not the lambda's target: that is make_lister()'s
    lister = make_lister()
    lister()
    return {"length": len(target)}


@app.route("/grep")
def grep_pattern():
    pattern = request.args["p"]
    # ok: shell-injection
    return {"status": os.spawnlp(os.P_WAIT, "grep", "grep", "-e", pattern, "/var/log/app.log")}


@app.route("/config")
def git_config():
    # ok: shell-injection
    subprocess.run(["/usr/bin/git", "-c", "user.name=" + request.args["n"], "log"], check=True)
    return "ok"


@app.route("/evaluate")
def evaluate():
    # ruleid: shell-injection
    subprocess.run([sys.executable, "-c", request.args["code"]], check=True)
    return "ok"


@app.route("/perl")
def perl_one_liner():
    # ruleid: shell-injection
    subprocess.run(["/usr/bin/perl", "-e", request.args["code"]], check=True)
    return "ok"


@app.route("/exit-code")
def exit_code():
    done = subprocess.run(["ls", "--", request.args["d"]], capture_output=True, check=False)
    # ok: xss
    return f"<p>exit {done.returncode}</p>"


@app.route("/execl-starred")
def execl_starred():
    argv = ["sh", "-c", request.args["c"]]
    # ruleid: shell-injection
    os.execl("/bin/sh", *argv)


@app.route("/execl-starred-listing")
def execl_starred_listing():
    argv = ["ls", "--", request.args["d"]]
    # ok: shell-injection
    os.execl("/bin/ls", *argv)



def tool_after_del_runs(command, log="tool.log"):
    # ruleid: shell-injection
    os.system(command)
    return log


@app.route("/tool-after-del")
def tool_after_del():
    parts = ["--", request.args["c"], "tool.log"]
    del parts[0]  # the input is now the first argument
    tool_after_del_runs(*parts)
    return "ok"


def tool_reversed_runs(command, log="tool.log"):
    # ruleid: shell-injection
    os.system(command)
    return log


@app.route("/tool-reversed")
def tool_reversed():
    parts = ["tool.log", request.args["c"]]
    parts.reverse()
    tool_reversed_runs(*parts)
    return "ok"


def tool_sorted_runs(command, log="tool.log"):
    # ruleid: shell-injection
    os.system(command)
    return log


@app.route("/tool-sorted")
def tool_sorted():
    parts = [request.args["c"], "a.log"]
    parts.sort()  # which comes first is not known: the input may be the command
    tool_sorted_runs(*parts)
    return "ok"


@app.route("/forward")
def forward_port():
    rule = json.loads(request.data, object_hook=lambda d: SimpleNamespace(**d))
    # ruleid: shell-injection
    subprocess.run(f"iptables -A INPUT -p tcp --dport {rule.port} -j ACCEPT", shell=True, check=True)
    return "ok"


@app.route("/runners")
def runners():
    code = request.args["c"]
    # ruleid: shell-injection
    subprocess.run(["su", "-c", code, "nobody"], check=True)
    # ruleid: shell-injection
    subprocess.run(["nodejs", "-e", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["/bin/tcsh", "-c", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["py", "-c", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["osascript", "-e", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["Rscript", "-e", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["bash", "-lc", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["python3.12", "-u", "-c", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["busybox", "sh", "-c", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["env", "LC_ALL=C", "sh", "-c", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["timeout", "5", "bash", "-c", code], check=True)
    # ok: shell-injection
    subprocess.run(["ping", "-c", "1", "--", code], check=True)
    # ok: shell-injection
    subprocess.run(["python3", "tool.py", "-c", code], check=True)
    # ok: shell-injection
    subprocess.run(["bash", "/opt/tools/run.sh", "-c", code], check=True)
    # ruleid: shell-injection
    subprocess.run(["cmd.exe", "/d", "/c", code], check=True)
    # ruleid: shell-injection
    os.execl("/bin/bash", "worker", "-c", code)


@app.route("/display-name")
def display_name():
    # ok: shell-injection
    os.execl("/usr/bin/grep", "sh", "-c", request.args["p"], "/var/log/app.log")


def make_runner(command):
    # ruleid: shell-injection
    return lambda: os.system("nice " + command)


@app.route("/factory")
def through_a_factory():
    runner = make_runner(request.args["c"])
    runner()
    return "ok"


@app.route("/sorted")
def sorted_by_a_key():
    order = request.args["o"]
    rows = sorted([{"a": "1", "b": "2"}], key=lambda row: row[order])
    # ok: xss
    return "<td>" + rows[0]["a"] + "</td>"


def make_listing(directory):
    # ruleid: shell-injection
    return lambda: os.system("ls " + directory)


@app.route("/factory-called-at-once")
def factory_called_at_once():
    make_listing(request.args["d"])()
    return "ok"


def make_greeter():
    name = request.args["n"]
    # ruleid: shell-injection
    return lambda: os.system("echo hello " + name)


@app.route("/factory-reads-input")
def factory_reads_input():
    greet = make_greeter()
    greet()
    return "ok"


@app.route("/sibling-shadowed")
def sibling_shadowed():
    command = "uptime"

    def execute():
        os.system(command)  # a constant: only the look any os.system() of a name gets (0.3)

    def step(command):  # its own command is not execute()'s
        execute()
        return command

    return step(request.args["c"])


@app.route("/sibling-shadowing")
def sibling_shadowing():
    command = request.args["c"]

    def execute():
        # ruleid: shell-injection
        os.system(command)

    def step():
        command = "uptime"  # not execute()'s
        execute()
        return command

    return step()


GREP = shutil.which("grep") or "/usr/bin/grep"
RSYNC = shutil.which("rsync") or "rsync"


@app.route("/search")
def search_logs():
    # ok: shell-injection
    done = subprocess.run([GREP, "-E", request.args["p"], "/var/log/app.log"], check=False)
    # ok: shell-injection
    subprocess.run([RSYNC, "-r", request.form["src"], "/srv/backup/"], check=True)
    return {"status": done.returncode}


@app.route("/in-my-shell")
def in_my_shell():
    shell = os.environ.get("SHELL", "/bin/sh")
    # ruleid: shell-injection
    subprocess.run([shell, "-c", request.args["c"]], check=True)
    return "ok"


def make_cleanup(raw_name):
    name = raw_name
    # ok: shell-injection
    cleanup = lambda: os.system("rm -rf /tmp/work-" + name)  # noqa: E731
    name = "default"  # what the lambda reads when it runs
    return cleanup


@app.route("/cleanup")
def cleanup_work():
    make_cleanup(request.args["n"])()
    return "ok"


def make_archiver(raw_name):
    name = "default"
    # ruleid: shell-injection
    archive = lambda: os.system("tar czf /tmp/" + name + ".tgz /srv")  # noqa: E731
    name = raw_name
    return archive


@app.route("/archive")
def archive_work():
    make_archiver(request.args["n"])()
    return "ok"
