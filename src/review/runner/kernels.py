"""The kernels of a run: started ahead of the notebooks that will run on them, with the imports
every notebook needs already done, so a notebook's kernel start and import cell cost next to
nothing on the run's critical path (review.runner.run).

papermill starts a kernel for each notebook and waits for it; here the run hands papermill a
kernel that started while the notebooks before it ran (`km=`), through a papermill engine that
stops that kernel when the notebook ends, as papermill stops its own.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 120  # kernel start; a healthy start takes under 2 s

# What a notebook's kernel imports as it starts (IPKernelApp.exec_lines), before the notebook is
# handed to it: its import cell then costs next to nothing. Every notebook imports review.evidence.pipeline
# (pandas, pandera, DuckDB, pyarrow); each clause notebook also matplotlib, to draw its charts
# (review.outputs.charts.clauses, about 0.3 s); P4 the plain-English scoring; the report WeasyPrint.
PRELOAD: tuple[str, ...] = ("review.evidence.pipeline",)
CHARTS = ("review.outputs.charts.clauses",)
PRELOAD_EXTRA: dict[str, tuple[str, ...]] = {
    "21-p1-reach-and-engagement": CHARTS,
    "22-p2-critical-incidents": CHARTS,
    "23-p3-availability-and-response": CHARTS,
    "24-p4-quality-and-plain-english": ("review.evidence.plain_english", *CHARTS),
    "25-p5-conduct-and-governance": CHARTS,
    "27-p7-equality-and-accessibility": CHARTS,
    "90-board-report": ("review.outputs.report", "weasyprint"),
}
# Preloaded modules whose `warm_up()` then runs too: work the notebook does first whatever the
# data (P4: loading the pronouncing dictionary, ~0.7 s).
WARM_UP: tuple[str, ...] = ("review.evidence.plain_english",)
# Kernels started ahead (Kernels): once the first notebook has started, the next KERNELS_AHEAD
# notebooks to start have a kernel starting or ready, KERNELS_STARTING of them starting at a time.
# They start while the notebooks before them run, above all while a wave of one notebook leaves a
# core idle (the data-quality check, the recommendations). Two at a time: on size M on two cores,
# one at a time did not keep up with the short clause notebooks nor have the report's kernel
# (about 2 s to start) ready after the recommendations. Each ready kernel holds about 230 MB
# (290 MB for the report's).
KERNELS_AHEAD = 3
KERNELS_STARTING = 2
# With inputs this large (a national year: size L, 3 GB) each notebook runs for tens of seconds,
# so a kernel started one notebook ahead is ready in time, and two more idle kernels would hold
# ~0.5 GB of the memory the notebooks need (L's peak: 4.16 GB with three ahead).
LARGE_INPUT_BYTES = 1 << 30


def kernels_ahead(input_bytes: int) -> int:
    """How many notebooks ahead to start kernels, for a run over `input_bytes` of input files."""
    return 1 if input_bytes >= LARGE_INPUT_BYTES else KERNELS_AHEAD


class Kernels:
    """The kernels of a run, each started ahead of the notebook that will run on it.

    A kernel is started (a process that imports ipykernel, then PRELOAD) for each of the next
    `ahead` notebooks to start, one after another, while the notebooks before them run; a
    notebook takes its kernel ready, or still starting (nbclient then waits for it, up to
    START_TIMEOUT_S), or has one started at once if its turn to start has not come. Each kernel is
    started in the notebook folder (the notebooks' working folder) and writes its own log, renamed
    `<notebook>.kernel.log` when a notebook takes it. A kernel is used by one notebook only and is
    stopped with it (papermill_engine); close() stops any that no notebook took (a wave failed).
    """

    def __init__(self, kernel: str, notebook_dir: Path, log_dir: Path, ahead: int, starting: int):
        self.kernel_name = kernel
        self.notebook_dir = notebook_dir
        self.log_dir = log_dir
        self.ahead = ahead
        self.upcoming: list[str] = []  # the notebooks still to start, in the order they start
        self.idle: list[_StartedKernel] = []  # started, not yet taken
        self.started = self.taken = 0
        self.lock = threading.Lock()
        self.sockets = _socket_folder()  # the kernels' sockets; None: TCP on localhost
        # Starts the kernels ahead, `starting` at a time (each ready before the next is started).
        self.starter = ThreadPoolExecutor(max_workers=starting, thread_name_prefix="kernel-start")
        self.launched = threading.Event()  # a kernel's process has been started (or failed to start)

    @staticmethod
    def preload(name: str) -> tuple[str, ...]:
        return PRELOAD + PRELOAD_EXTRA.get(name, ())

    def plan(self, names: list[str]) -> None:
        """The notebooks still to run, in the order they start; starts kernels for the first few."""
        with self.lock:
            self.upcoming = list(names)
            self._start_ahead()

    def wait_launched(self, timeout: float) -> None:
        """Wait until the first kernel's process has started (or failed to), at most `timeout`
        seconds; at once when no kernel is planned."""
        with self.lock:
            planned = self.started > 0
        if planned:
            self.launched.wait(timeout)

    def take(self, name: str):
        """The kernel manager of a kernel for `name`: one started ahead, else one started now."""
        with self.lock:
            self.taken += 1
            if name in self.upcoming:
                self.upcoming.remove(name)
            chosen = self._fitting(name, self.idle)
            if chosen is not None:
                self.idle.remove(chosen)
            now = chosen is None or chosen.manager.cancel()  # none, or its turn has not come
            if now:
                chosen = self._reserve(self.preload(name))
            self._start_ahead()
        if now:  # start one here and now
            try:
                chosen.manager.set_result(self._launch(chosen.preload, chosen.log))
            except Exception as exc:
                chosen.manager.set_exception(exc)
        try:
            return chosen.manager.result()  # an error starting it is this notebook's error
        finally:
            if chosen.log.exists():
                chosen.log.replace(self.log_dir / f"{name}.kernel.log")

    def close(self) -> None:
        """Stop the kernels no notebook took, and remove their logs."""
        with self.lock:
            idle, self.idle, self.upcoming = self.idle, [], []
        self.starter.shutdown(wait=True, cancel_futures=True)
        for started in idle:
            if not started.manager.cancelled() and started.manager.exception() is None:
                stop_kernel(started.manager.result())
            started.log.unlink(missing_ok=True)
        if self.sockets:  # every kernel has stopped: a notebook's with it, the others just now
            shutil.rmtree(self.sockets, ignore_errors=True)

    def _fitting(self, name: str, kernels: list[_StartedKernel]) -> _StartedKernel | None:
        """The kernel with the most of what `name` imports, and nothing else; None if none fits."""
        wanted = set(self.preload(name))
        fits = [k for k in kernels if set(k.preload) <= wanted]
        return max(fits, key=lambda k: len(k.preload), default=None)

    def _start_ahead(self) -> None:
        spare = list(self.idle)
        window = self.upcoming[: self.ahead]
        if not self.taken:
            # Until the first notebook has its kernel, that kernel starts alone (nothing can run
            # before it), but for those that import more than it (the report's, the slowest to
            # start, and the clause notebooks'), when they are that close.
            window = window[:1] + [name for name in window[1:] if name in PRELOAD_EXTRA]
        for name in window:
            match = self._fitting(name, spare)
            if match is not None:
                spare.remove(match)
            else:
                self.idle.append(self._start(self.preload(name)))

    def _reserve(self, preload: tuple[str, ...]) -> _StartedKernel:
        self.started += 1
        return _StartedKernel(preload, self.log_dir / f".kernel-{self.started}.log", Future())

    def _start(self, preload: tuple[str, ...]) -> _StartedKernel:
        started = self._reserve(preload)
        started.manager = self.starter.submit(self._launch, preload, started.log, wait=True)
        return started

    def _launch(self, preload: tuple[str, ...], log: Path, wait: bool = False):
        """Start a kernel; with `wait`, return once it is ready (or has failed to start: the
        notebook taking it reports that), so that kernels started ahead start one at a time,
        on at most one core, beside the notebooks running."""
        from jupyter_core.utils import run_sync

        try:
            manager = self._start_process(preload, log)
        finally:
            self.launched.set()
        if wait:
            run_sync(_wait_until_ready)(manager)
        return manager

    def _start_process(self, preload: tuple[str, ...], log: Path):
        """The manager of a kernel whose process has just been started (not yet ready)."""
        from jupyter_core.utils import run_sync

        from review.inputs.pseudonym_key import kernel_environment  # standard library only: no pandas here

        # Over Unix sockets in the run's own folder (0700): no TCP port to race another process
        # for, and nothing another user of the machine can connect to (ipykernel warns that TCP
        # is unencrypted). TCP where the folder's path is too long for a socket's.
        where = {"transport": "ipc", "ip": os.path.join(self.sockets, log.stem.strip("."))} if self.sockets else {}
        manager = _kernel_manager(log)(kernel_name=self.kernel_name, client_factory=_ready_client(), **where)
        tops = sorted({module.split(".")[0] for module in preload})
        env = kernel_environment()  # the pseudonymisation key, found from where `review` was run
        # Arrow's buffers from the C library's allocator, which hands a large freed buffer back at
        # once: Arrow's own (mimalloc) keeps it, and two clause kernels cutting a national year's
        # posts held ~100-200 MB more each at their peaks (docs/guide.md, "Benchmark").
        env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
        run_sync(manager.start_kernel)(
            cwd=str(self.notebook_dir),
            env=env,
            extra_arguments=[
                "--HistoryManager.hist_file=:memory:",  # as nbclient starts a kernel: no history file
                # Run as the kernel starts, before it answers: the imports, leaving no names behind.
                f"--IPKernelApp.exec_lines=import {', '.join(preload)}",
                *(f"--IPKernelApp.exec_lines={module}.warm_up()" for module in preload if module in WARM_UP),
                f"--IPKernelApp.exec_lines=del {', '.join(tops)}",
            ],
        )
        return manager


# A Unix socket's path is at most 107 bytes (Linux); a kernel's are <folder>/kernel-N-5.
SOCKET_FOLDER_MAX = 80
# A run's socket folder is named for its process: review-kernels-<pid>-<random>.
SOCKET_PREFIX = "review-kernels-"
# A folder left by a run that was killed outright (SIGKILL: close() never ran) is removed by a
# later run once its process is gone and it has been untouched this long: a process in another
# PID namespace sharing the temporary folder looks gone, but its run ends within the hour.
STALE_AFTER_S = 6 * 3600


def _socket_folder() -> str | None:
    """A new private folder (mode 0700) for a run's kernel sockets; None where Unix sockets are not
    to be had (not POSIX) or the temporary folder's path is too long for them."""
    if os.name != "posix":
        return None
    sweep_socket_folders()
    folder = tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-")
    if len(folder) > SOCKET_FOLDER_MAX:
        os.rmdir(folder)
        return None
    return folder


def sweep_socket_folders(parent: str | None = None, now: float | None = None) -> list[str]:
    """Remove this user's socket folders in `parent` (the temporary folder) left by runs whose
    process has gone, untouched for STALE_AFTER_S; return their paths."""
    parent = Path(parent or tempfile.gettempdir())
    now = time.time() if now is None else now
    removed = []
    for folder in parent.glob(f"{SOCKET_PREFIX}*-*"):
        pid = folder.name[len(SOCKET_PREFIX):].split("-", 1)[0]
        try:
            info = folder.lstat()
        except OSError:
            continue
        # lstat: a link is not a folder here, whatever it points to
        if (not pid.isdigit() or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                or now - info.st_mtime < STALE_AFTER_S or _running(int(pid))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(str(folder))
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


async def _wait_until_ready(manager) -> None:
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=START_TIMEOUT_S)
    except RuntimeError:
        pass  # died or did not answer: the notebook that takes it says so
    finally:
        client.stop_channels()


@dataclass
class _StartedKernel:
    preload: tuple[str, ...]  # what it imports as it starts
    log: Path  # its log until a notebook takes it
    manager: Future  # its kernel manager, once the process is started


def stop_kernel(manager) -> None:
    """Stop a kernel at once and release its ports and files; nothing to do if it has stopped."""
    from jupyter_core.utils import run_sync

    try:
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # already gone: nothing left to stop
        pass


def _kernel_manager(log_path: Path):
    """A kernel manager whose kernel writes its own log (start-up chatter, warnings, a crash's
    last words) to a file kept beside the executed notebook, not onto the user's terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with log_path.open("ab") as log:  # the kernel keeps its own copy of the handle
                kw["stderr"] = kw["stdout"] = log
                return await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # Once the kernel is killed (the notebook has ended), look every 5 ms whether it has
            # gone rather than every 100 ms: the notebook is not finished until it has.
            await super()._async_wait(pollinterval=0.005)

    return LoggedKernelManager


@functools.cache
def _ready_client():
    """jupyter_client's asynchronous kernel client, less the 0.2 s of silence on IOPub that its
    wait_for_ready waits for once the kernel has answered. That flush is of the kernel's status
    messages about the handshake; nbclient needs no flush, as it keeps only the messages that
    answer its own requests (by parent message id). The handshake itself is jupyter_client's:
    the kernel has answered kernel_info on the shell channel and IOPub is delivering."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    return ReadyClient


_ENGINE = "policy-review"
# Seconds to wait for a cell's outputs once it has returned (nbclient's default is 4).
IOPUB_TIMEOUT_S = 120


@functools.cache
def papermill_engine() -> str:
    """papermill's nbclient engine, registered as _ENGINE, except that the kernel it is given
    (started ahead by Kernels) is its own: stopped, with its client's channels, when the last
    cell has returned, as papermill stops a kernel it started itself."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class OwningClient(PapermillNotebookClient):
        def __init__(self, nb_man, km=None, **kw):
            # nbclient waits only 4 s for a cell's outputs after it returns, then warns and goes
            # on without them: on a loaded machine the executed notebook (the audit trail) lost
            # the board report's tables. Wait longer, and fail rather than keep a partial record.
            kw.setdefault("iopub_timeout", IOPUB_TIMEOUT_S)
            kw.setdefault("raise_on_iopub_timeout", True)
            super().__init__(nb_man, km=km, **kw)
            self.owns_km = True

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            # NBClientEngine.execute_managed_notebook of papermill 2.7, with OwningClient.
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            return OwningClient(nb_man, **final_kwargs).execute()

    papermill_engines.register(_ENGINE, Engine)
    return _ENGINE
