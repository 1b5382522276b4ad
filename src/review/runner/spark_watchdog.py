"""The watchdog of a run's Spark Connect server (review.runner.spark_server), a process of its own.

    python -m review.runner.spark_watchdog COMMAND...

starts the server (COMMAND) in a process group of its own, then stops that group when its stdin,
a pipe the run holds, closes: the run has ended, or died without stopping it (killed outright:
no `finally` of the run's runs, but the kernel closes the pipe). It also stops the server on
SIGTERM, SIGINT or SIGHUP, and exits with the server's status.

Standard library only: the server starts through it as the run starts, so its own start-up is on
the run's critical path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

STOP_TIMEOUT_S = 20  # for the server to stop its application (the master marks it finished)


def stop_group(process: subprocess.Popen, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Stop the process group that `process` leads (started with `start_new_session`): SIGTERM,
    then SIGKILL if `process` has not exited within `timeout_s`. Returns when it has exited, or at
    once if the group is already gone."""
    for sig, wait in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            pass


def main(command: list[str]) -> int:
    """Run `command` as the server until stdin closes or a stop signal comes, then stop its group.
    Returns the server's exit status (128 + the signal's number if a signal ended it)."""
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
    done = threading.Event()

    def wait_for_eof() -> None:
        while os.read(0, 65536):  # the raw pipe: a buffered stdin's lock would abort the exit below
            pass
        done.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: done.set())
    while server.poll() is None and not done.wait(0.2):
        pass
    stop_group(server)
    code = server.wait()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(status)  # no interpreter shutdown while the thread above may still be in its read
