"""A function run in a forked child process while this one goes on: the second core's share of
a stage that would otherwise leave it idle (the PDF beside the workbook, a large table's checks
beside the small tables'). Linux only in practice; where a process cannot fork, the call runs at
once, in this process, and `result()` returns its value.

The child inherits everything imported so far (so it pays no import time), runs the function and
sends back its return value, or the exception it raised, both pickled; it then exits without
running this process's exit handlers (multiprocessing's fork does so). The caller must not rely
on the child's side effects in memory: only files written and the value returned come back.
"""

from __future__ import annotations

import pickle
import time

from review.errors import ReviewError


class Forked:
    """`function(*args)` started in a forked child; `result()` waits for it and returns its value
    or raises its exception. `seconds` is then the child's own time for the call."""

    def __init__(self, function, *args, name: str = "review-forked"):
        import multiprocessing

        self.name = name
        self.seconds = 0.0
        self.process = None
        self._done = None
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: run it now
            began = time.perf_counter()
            try:
                self._done = ("value", function(*args))
            except Exception as exc:  # raised by result(), as the child's would be
                self._done = ("error", exc)
            self.seconds = time.perf_counter() - began
            return
        self._receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_child, args=(sender, function, args), name=name, daemon=True)
        self.process.start()
        sender.close()

    def result(self):
        if self._done is None:
            try:
                self._done = pickle.loads(self._receiver.recv_bytes())
            except EOFError:  # the child died before it could say anything
                self._done = ("died", None)
            finally:
                self.process.join()
                self._receiver.close()
            if self._done[0] != "died":
                self.seconds = self._done[2]
        status, payload = self._done[:2]
        if status == "died":
            raise ReviewError(f"{self.name}: the child process stopped without a word (exit code {self.process.exitcode})")
        if status == "error":
            raise payload
        return payload


    def stop(self) -> None:
        """End the child if it is still running (the caller failed and will not ask for the result)."""
        if self.process is not None and self._done is None:
            self.process.terminate()
            self.process.join()
            self._receiver.close()
            self._done = ("died", None)


def _child(sender, function, args) -> None:
    began = time.perf_counter()
    try:
        outcome = ("value", function(*args))
    except BaseException as exc:  # sent to the parent, which raises it
        outcome = ("error", exc)
    try:
        message = pickle.dumps((*outcome, time.perf_counter() - began))
        pickle.loads(message)  # the parent must be able to rebuild it
    except Exception as exc:
        failed = outcome[1] if outcome[0] == "error" else exc
        message = pickle.dumps(("error", ReviewError(f"{type(failed).__name__}: {failed}"), time.perf_counter() - began))
    sender.send_bytes(message)
    sender.close()
