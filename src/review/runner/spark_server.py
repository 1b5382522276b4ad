"""One Spark application for a run on a cluster: a Spark Connect server the run starts and stops.

With `engine: spark` and a cluster's master (`spark://HOST:7077`, `yarn`, `k8s://...`), each
clause notebook's kernel would start a Spark driver of its own, so a run was several Spark
applications, the later ones waiting on the cluster for the cores the first ones held (size S
with a two-core worker: 142 s cold with three applications, 85 s with one; docs/guide.md,
"Engines"). Instead the run starts one Spark Connect server
(PySpark ships it: `spark-submit --class ...SparkConnectServer`), the one driver and application
of the run, with the settings review's driver always has (review.evidence.rollup.spark_conf).
The kernels find it through REMOTE_ENV in their environment and attach to it as Spark Connect
clients (review.evidence.rollup.spark_session), each with a session of its own (its own
temporary views) in the one application.

The server starts as the run starts, once the cache has said a clause notebook will run (they
alone use Spark: a re-run after editing only the decisions starts none), so its start-up (a JVM,
registering with the master: 13 s measured on the two-core machine, more when it is busy)
overlaps the data-quality check; a kernel that needs it waits until it answers. It is stopped when the run ends, failed or not. If the run's process dies without stopping it
(killed), a watchdog process (review.runner.spark_watchdog), which the run holds a pipe to, sees
the pipe close and stops the server: a cluster never keeps a run's application, and its cores,
after the run.

Local mode (`local[*]`) is as before: each kernel runs Spark in its own process.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from review.errors import ReviewError
from review.runner import spark_watchdog

# The server's main class; spark-submit runs it without an application jar (Spark 4).
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def needed(engine: str, settings) -> bool:
    """Whether a run with this engine and these Spark settings gets a server: Spark on a cluster."""
    return engine == "spark" and not settings.master.startswith("local")


class ConnectServer:
    """A Spark Connect server on the loopback address, a free port, driving `settings.master`."""

    def __init__(self, settings):
        self.settings = settings
        self.port = _free_port()
        self.url = f"sc://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log: Path | None = None
        self._reaper: threading.Thread | None = None

    def command(self) -> list[str]:
        from review.evidence.rollup import spark_conf

        conf = spark_conf(self.settings) | {
            "spark.connect.grpc.binding.address": "127.0.0.1",  # for this machine's kernels only
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.connect.grpc.port.maxRetries": "0",  # that port or none: the kernels are told it
        }
        command = [str(_spark_home() / "bin" / "spark-submit"), "--class", SERVER_CLASS,
                   "--master", self.settings.master]
        for key, value in conf.items():
            command += ["--conf", f"{key}={value}"]
        return command

    def start(self) -> None:
        """Start the server (through its watchdog); returns at once, the server starts meanwhile."""
        handle, name = tempfile.mkstemp(prefix="policy-review-spark-connect-", suffix=".log")
        self.log = Path(name)
        env = dict(os.environ, SPARK_HOME=str(_spark_home()))
        env.pop("SPARK_REMOTE", None)  # spark-submit would take it for the server's own client
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", spark_watchdog.__name__, *self.command()],
                stdin=subprocess.PIPE, stdout=handle, stderr=handle, env=env, cwd=tempfile.gettempdir(),
            )
        except OSError as exc:
            os.close(handle)
            raise ReviewError(f"could not start Spark Connect for master {self.settings.master}: {exc}") from None
        os.close(handle)
        # Reaped as soon as it exits, so that the kernels see it gone (rollup.SERVER_PID_ENV).
        self._reaper = threading.Thread(target=self.process.wait, daemon=True, name="spark-connect-reaper")
        self._reaper.start()

    def environment(self) -> dict[str, str]:
        """What the kernels are told: where the server is, and its watchdog's process id."""
        from review.evidence.rollup import REMOTE_ENV, SERVER_PID_ENV

        return {REMOTE_ENV: self.url, SERVER_PID_ENV: str(self.process.pid)}

    def failure(self) -> str | None:
        """Why the server stopped before the run ended, or None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        return (f"the Spark Connect server for master {self.settings.master} stopped (status "
                f"{self.process.returncode}): {_log_tail(self.log)}\nIts log is kept: {self.log}")

    def stop(self, keep_log: bool = False) -> None:
        """Stop the server and its application: close the watchdog's pipe; it stops the server.
        Its log is removed, unless `keep_log` (a failure that names it has been reported)."""
        if self.process is None:
            return
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(spark_watchdog.STOP_TIMEOUT_S + 10)
        except subprocess.TimeoutExpired:  # the watchdog itself hangs: stop both
            self.process.kill()
            self.process.wait()
        if not keep_log and self.log is not None:
            self.log.unlink(missing_ok=True)


@contextlib.contextmanager
def for_run(config, engine: str = ""):
    """A Spark Connect server for the run, if it runs Spark on a cluster (`engine`, else the
    config's); its address is in this process's environment, which the kernels inherit
    (review.inputs.pseudonym_key.kernel_environment), until the run ends. Nothing otherwise."""
    settings = config.spark
    if not needed(engine or config.engine, settings):
        yield None
        return
    server = ConnectServer(settings)
    server.start()
    added = server.environment()
    before = {key: os.environ.get(key) for key in added}
    os.environ.update(added)
    reported = False
    try:
        yield server
    except ReviewError as exc:
        why = server.failure()  # a notebook failed because the server had: say so first
        if why:
            reported = True
            raise ReviewError(f"{why}\n{exc}") from None
        raise
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop(keep_log=reported)


def _spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        from review.evidence.rollup import pyspark_missing

        raise pyspark_missing() from None
    return Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(log: Path | None, lines: int = 5) -> str:
    if log is None or not log.exists():
        return "no log"
    text = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    errors = [line for line in text if "Exception" in line or " ERROR " in line or "Error" in line]
    return "\n".join((errors or text)[-lines:]) or "an empty log"
