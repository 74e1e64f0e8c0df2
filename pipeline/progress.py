"""Progress bars for the steps that can take longer than a few seconds (ingest per layer, analyse per analysis,
the demo's files, the GeoPackage's layers, the detail pages; fetch has its own per download).

Only on a terminal: when stderr is not a TTY (CI, a log file, a pipe) there is no bar at all, so logs stay clean.
The CLI routes console log lines through tqdm while a stage runs (`logs_above_bars`), so a log line never cuts a
bar in half; a bar disappears when its step is done (the stage's summary says what happened).
"""
from __future__ import annotations

import contextlib
import logging
import sys

from tqdm import tqdm


_silenced = False


def enabled() -> bool:
    return sys.stderr.isatty() and not _silenced


def silence() -> None:
    """No bars from this process: a helper process beside the main one (its bars would be drawn over the main's)."""
    global _silenced
    _silenced = True


def bar(iterable=None, *, desc: str, unit: str = "", total: int | None = None) -> tqdm:
    """A bar over `iterable` (or one to `.update()` by hand), shown only on a terminal, gone when done."""
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not enabled(), leave=False,
                dynamic_ncols=True, file=sys.stderr)


@contextlib.contextmanager
def logs_above_bars():
    """On a terminal, the console log handlers write through tqdm (above the bars) until the block ends; their
    levels and formats stay as they are (the log file is not touched)."""
    swapped = []
    if enabled():
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler and handler.stream in (sys.stderr, sys.stdout):
                swapped.append((handler, handler.emit))
                handler.emit = lambda record, h=handler: tqdm.write(h.format(record), file=h.stream)
    try:
        yield
    finally:
        for handler, emit in swapped:
            handler.emit = emit
