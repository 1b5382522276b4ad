"""A review on a real Spark standalone cluster is one Spark application and gives DuckDB's outputs.

The cluster is started here from the installed PySpark (`spark-class ...deploy.master.Master` and
`...deploy.worker.Worker`, two cores) on the loopback address and free ports, and always torn
down. The seeded sample S is reviewed with DuckDB (tests/sample_run.py, shared with the other
report tests) and again with `engine: spark` and the cluster's master: the master must have seen exactly one Spark application for the Spark run (the
run's Spark Connect server, review.runner.spark_server), and the board report, its HTML, the
workbook, the register and the rejected rows must be the same as DuckDB's, byte for byte.

The watchdog is tested without Spark: a run killed outright still stops its server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import yaml

from review.runner.spark_watchdog import stop_group
from sample_run import YEAR, review_run, sample_run

START_TIMEOUT_S = 120  # a master, then a worker registered with it: about 20 s on two busy cores


def _java_missing() -> str | None:
    if shutil.which("java") is None:
        return "Java is absent (Spark needs Java 17 or later; scripts/setup.sh installs it)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _state(webui: str) -> dict:
    with urllib.request.urlopen(f"{webui}/json/", timeout=5) as answer:
        return json.load(answer)


class Cluster:
    """A standalone master and one worker (2 cores, 2 GB), each in a process group of its own."""

    def __init__(self, base: Path):
        import pyspark

        self.base = base
        self.spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
        self.port, self.webui_port, self.worker_webui_port = _free_port(), _free_port(), _free_port()
        self.master = f"spark://127.0.0.1:{self.port}"
        self.webui = f"http://127.0.0.1:{self.webui_port}"
        self.processes: list[subprocess.Popen] = []
        self.env = dict(os.environ, SPARK_HOME=str(self.spark_class.parents[1]), SPARK_LOG_DIR=str(base / "logs"),
                        SPARK_LOCAL_DIRS=str(base / "local"))

    def _start(self, name: str, *args: str) -> None:
        log = (self.base / f"{name}.log").open("wb")
        self.processes.append(subprocess.Popen(
            [str(self.spark_class), *args], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            env=self.env, cwd=self.base, start_new_session=True,
        ))
        log.close()

    def start(self) -> None:
        self._start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", str(self.port), "--webui-port", str(self.webui_port))
        self._start("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "2", "--memory", "2g", "--webui-port", str(self.worker_webui_port),
                    "--work-dir", str(self.base / "work"), self.master)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            for process, name in zip(self.processes, ("master", "worker")):
                if process.poll() is not None:
                    raise RuntimeError(f"the Spark {name} stopped:\n{(self.base / f'{name}.log').read_text()[-2000:]}")
            try:
                if any(w["state"] == "ALIVE" for w in _state(self.webui)["workers"]):
                    return
            except OSError:  # the master's web UI is not up yet
                pass
            time.sleep(0.5)
        raise RuntimeError(f"no worker registered with {self.master} within {START_TIMEOUT_S} s")

    def applications(self) -> list[dict]:
        state = _state(self.webui)
        return state["activeapps"] + state["completedapps"]

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop_group(process)  # as the run's watchdog stops its server


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    why = _java_missing()
    if why:
        pytest.skip(why)
    cluster = Cluster(tmp_path_factory.mktemp("spark-cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _spark_config(base: Path, master: str) -> Path:
    """The sample run's config (config/2025.yml with a logo) with `engine: spark` on `master`."""
    raw = yaml.safe_load(sample_run("S").config.read_text(encoding="utf-8"))
    raw["engine"] = "spark"
    raw["spark"] = {"master": master, "shuffle_partitions": 2, "conf": {"spark.executor.memory": "1g"}}
    path = base / f"{YEAR}.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.e2e
def test_a_run_on_a_cluster_is_one_spark_application_and_gives_duckdbs_outputs(cluster, tmp_path):
    duckdb = sample_run("S")  # the seeded sample S reviewed with DuckDB (config/2025.yml's engine)
    assert yaml.safe_load(duckdb.config.read_text())["engine"] == "duckdb"
    assert cluster.applications() == []

    out = tmp_path / "out"
    review_run(duckdb.data, out, _spark_config(tmp_path, cluster.master))

    apps = cluster.applications()
    assert [a["name"] for a in apps] == ["policy-review"], apps  # one application for the whole run
    assert _state(cluster.webui)["activeapps"] == []  # and it ended with the run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["engine"] == "spark" and manifest["config"]["spark"]["master"] == cluster.master

    for name in (f"annual-review-{YEAR}.pdf", f"annual-review-{YEAR}.html", f"recommendations-{YEAR}.yml",
                 "rejected-rows.csv"):
        assert (out / name).read_bytes() == (duckdb.out / name).read_bytes(), name
    workbook = f"metrics-{YEAR}.xlsx"
    duckdb_sheets = pd.read_excel(duckdb.out / workbook, sheet_name=None)
    spark_sheets = pd.read_excel(out / workbook, sheet_name=None)
    assert list(spark_sheets) == list(duckdb_sheets)
    for sheet, frame in duckdb_sheets.items():
        pd.testing.assert_frame_equal(spark_sheets[sheet], frame, obj=sheet)

    # A re-run after editing only the team's decisions reuses every clause notebook (the only
    # ones that use Spark) from the cache: it starts no Spark application at all.
    (tmp_path / f"decisions-{YEAR}.yml").write_text("# edited after the first run\n", encoding="utf-8")
    review_run(duckdb.data, out, tmp_path / f"{YEAR}.yml")
    rerun = json.loads((out / "manifest.json").read_text())
    assert rerun["cache"]["status"] == "hit" and sorted(rerun["notebooks"]["timings"]) == [
        "30-p6-recommendations", "90-board-report"], rerun["cache"]
    assert [a["name"] for a in cluster.applications()] == ["policy-review"]  # still the first run's one


@pytest.mark.e2e
def test_a_master_spark_cannot_use_is_one_clear_error(tmp_path):
    """The run's server stops at once on a malformed master URL (an unreachable master: after
    Spark's three tries of 20 s): the run fails naming the master and Spark's reason, publishes
    nothing and leaves nothing running."""
    why = _java_missing()
    if why:
        pytest.skip(why)
    bad = "spark://127.0.0.1:7077:7077"
    with pytest.raises(RuntimeError) as failed:
        review_run(sample_run("S").data, tmp_path / "out", _spark_config(tmp_path, bad))
    message = str(failed.value)
    assert f"the Spark Connect server for master {bad} stopped" in message
    assert f"Invalid master URL: {bad}" in message
    assert "21-p1-reach-and-engagement.ipynb" in message or "23-p3-availability-and-response.ipynb" in message
    assert not (tmp_path / "out").exists()
    log = re.search(r"Its log is kept: (\S+)", message)
    assert log and Path(log[1]).exists()
    Path(log[1]).unlink()


# --- the watchdog, without Spark ---------------------------------------------------------------------

_OWNER = textwrap.dedent("""
    import sys, time
    from review.config import SparkSettings
    from review.runner.spark_server import ConnectServer

    server = ConnectServer(SparkSettings(master="spark://nowhere:7077"))
    server.command = lambda: [sys.executable, "-c", "import os, time; print(os.getpid(), flush=True); time.sleep(600)"]
    server.start()
    print(server.process.pid, server.log, flush=True)
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[1].startswith("Z"))  # a zombie has stopped


def _wait_gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_the_server_stops_when_the_run_is_killed(tmp_path):
    """The run's process is killed outright (SIGKILL: no finally runs); its watchdog sees the pipe
    close and stops the server's whole process group."""
    owner = subprocess.Popen([sys.executable, "-c", _OWNER], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), start_new_session=True)
    log = None
    try:
        watchdog, log = owner.stdout.readline().split()
        deadline = time.monotonic() + 30
        while not Path(log).read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.1)
        server = int(Path(log).read_text().split()[0])  # the stand-in server printed its pid
        assert _alive(server) and _alive(int(watchdog))
        owner.kill()
        owner.wait()
        assert _wait_gone(server), "the server outlived the run"
        assert _wait_gone(int(watchdog)), "the watchdog outlived the run"
    finally:
        if owner.poll() is None:
            owner.kill()
        if log:
            Path(log).unlink(missing_ok=True)


def test_stopping_the_server_stops_its_process_group():
    from review.config import SparkSettings
    from review.runner.spark_server import ConnectServer

    server = ConnectServer(SparkSettings(master="spark://nowhere:7077"))
    # a stand-in server with a child of its own: both must go
    server.command = lambda: ["sh", "-c", "sleep 600 & echo $!; sleep 600"]
    server.start()
    deadline = time.monotonic() + 30
    while not server.log.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(server.log.read_text().split()[0])
    assert server.failure() is None  # running
    server.stop()
    assert server.process.poll() is not None
    assert _wait_gone(child), "the server's child outlived it"
    assert not server.log.exists()  # a log is kept only when a failure names it


def test_the_watchdog_imports_only_the_standard_library():
    """It starts the server as the run starts: nothing but the standard library on the way."""
    probe = textwrap.dedent("""
        import sys
        before = set(sys.modules)
        import review.runner.spark_watchdog
        print(" ".join(sorted(m for m in set(sys.modules) - before if sys.modules[m])))  # None: marked absent
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    added = done.stdout.split()
    assert [m for m in added if m.startswith("review")] == ["review", "review.runner", "review.runner.spark_watchdog"]
    assert [m for m in added if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("review")] == []


def test_the_watchdog_exits_with_the_servers_status():
    """A server that stops by itself: the watchdog, its pipe still open, exits with its status
    (128 + the signal's number for a signal), which the run reports (ConnectServer.failure)."""
    for command, status in ((["sh", "-c", "exit 3"], 3), (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM)):
        watchdog = subprocess.Popen([sys.executable, "-m", "review.runner.spark_watchdog", *command],
                                    stdin=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        try:
            assert watchdog.wait(30) == status, command
        finally:
            watchdog.stdin.close()
            if watchdog.poll() is None:
                watchdog.kill()
                watchdog.wait()


def test_a_group_that_ignores_sigterm_is_killed():
    process = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 600 & echo $!; wait"], stdout=subprocess.PIPE,
                               text=True, start_new_session=True)
    child = int(process.stdout.readline())
    started = time.monotonic()
    stop_group(process, timeout_s=0.5)
    assert process.returncode == -signal.SIGKILL
    assert 0.5 <= time.monotonic() - started < 10  # SIGTERM was given its time first
    assert _wait_gone(child), "a process of the group outlived it"
