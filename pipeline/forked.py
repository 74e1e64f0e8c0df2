"""Helper processes forked beside a stage's main process (ingest, export), so both cores work on a 2-core machine.

A forked helper sees what the main process had read as it is (nothing is pickled on the way in); only its result
travels back. It dies with the main process (PR_SET_PDEATHSIG), so a killed stage leaves no writer behind in its
staging folder, and it draws no progress bars. Fork and prctl need Linux; elsewhere a stage runs in one process.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from pipeline import memory, progress, threads

log = logging.getLogger(__name__)


def count(wanted: int | None, setting: str) -> int:
    """How many processes a stage uses: the setting (`setting`, e.g. export.processen), by default 2 where the
    machine has two cores or more and can fork, else 1."""
    if memory.libc() is None:  # helpers need fork and glibc's prctl (die_with_parent): Linux
        if wanted and wanted > 1:
            log.warning("%s = %d: helper processes need Linux, the stage runs in one process", setting, wanted)
        return 1
    return wanted or min(2, threads.workers())


@contextlib.contextmanager
def frozen():
    """While processes forked from this one run: the objects made so far are out of the garbage collector's reach
    (gc.freeze), so a process collecting them does not write to the pages holding them, which the kernel would copy
    into it; the freed memory is given back first, so the processes share what is in use, not a high-water mark."""
    memory.release()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def die_with_parent(parent: int) -> None:
    """Start of a helper process: killed when the main process dies; no progress bars."""
    memory.libc().prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the main process died before the line above
        os._exit(1)
    progress.silence()


def pool(n: int) -> Executor:
    """Where side jobs run: n - 1 processes forked from this one, or (n = 1) one thread."""
    return ThreadPoolExecutor(1) if n == 1 else processes(n - 1)


def processes(n: int) -> ProcessPoolExecutor:
    """n worker processes forked from this one, each dying with it; without fork and prctl (not Linux), n fresh
    interpreters."""
    if memory.libc() is None:
        return ProcessPoolExecutor(n)
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))


class Beside:
    """func(*args) in one forked process, started now. `result()` returns its value or raises its error here;
    `stop()` kills it if it is still running (this process failed, so its work is not wanted)."""

    def __init__(self, func, *args):
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_run, args=(send, os.getpid(), func, args), daemon=True)
        self._process.start()
        send.close()

    def result(self):
        try:
            ok, value = self._recv.recv()
        except EOFError:  # it died without a word (killed, out of memory)
            self._process.join()
            raise RuntimeError(f"helper process ended with exit code {self._process.exitcode} before it "
                               f"finished") from None
        self._process.join()
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._recv.close()


class Later:
    """Beside's stand-in on one core: func(*args) runs in this process when `result()` is asked."""

    def __init__(self, func, *args):
        self._func, self._args = func, args

    def result(self):
        return self._func(*self._args)


@contextlib.contextmanager
def beside(apart: bool, func, *args):
    """With `apart`: func(*args) in a forked process started now (Beside), the objects made so far frozen while it
    runs (`frozen`) and the process stopped when the block ends; else func(*args) here when its result is asked."""
    if not apart:
        yield Later(func, *args)
        return
    with frozen():
        helper = Beside(func, *args)
        try:
            yield helper
        finally:
            helper.stop()


def _run(send, parent: int, func, args) -> None:
    die_with_parent(parent)
    try:
        out = (True, func(*args))
    except BaseException as exc:  # noqa: BLE001 - raised again in the main process
        out = (False, exc)
    try:
        send.send(out)
    except Exception as exc:  # noqa: BLE001 - what cannot be pickled is sent as text
        text = f"{type(out[1]).__name__}: {out[1]}" if not out[0] else f"the helper's result cannot be sent: {exc}"
        send.send((False, RuntimeError(text)))
    send.close()
