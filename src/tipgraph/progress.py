"""Progress of a load on stderr: a redrawn bar on a terminal, a line per tenth in a log."""

from __future__ import annotations

import time
from typing import TextIO

from tipgraph.store.bulk import LoadProgress

WIDTH = 24
BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(fraction: float, width: int = WIDTH) -> str:
    """A bar of ``width`` cells filled to ``fraction`` (eighths of a cell)."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BLOCKS[part] if part else "")).ljust(width)


def describe(progress: LoadProgress) -> str:
    """One line: how far, how many triples, how fast."""
    fraction = progress.bytes_done / progress.bytes if progress.bytes else 1.0
    return (
        f"loading {fraction:4.0%} ▕{bar(fraction)}▏ {progress.triples:,} triples, "
        f"{progress.triples_per_second:,.0f} triples/s, "
        f"{progress.files_done}/{progress.files} files"
    )


class LoadBar:
    """Writes messages and load progress to ``stream`` (stderr).

    On a terminal the bar is redrawn in place at most ten times a second; elsewhere (a CI log)
    a line is written at each tenth of the bytes, so logs stay short.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._live = stream.isatty()
        self._drawn = False
        self._last = 0.0
        self._tenths = -1

    def message(self, text: str) -> None:
        self.end()
        self._stream.write(text + "\n")
        self._stream.flush()

    def update(self, progress: LoadProgress) -> None:
        finished = progress.files_done == progress.files
        if self._live:
            now = time.monotonic()
            if finished or now - self._last >= 0.1:
                self._last = now
                self._stream.write("\r" + describe(progress) + "\x1b[K")
                self._drawn = True
        else:
            tenths = progress.bytes_done * 10 // max(progress.bytes, 1)
            if tenths > self._tenths:
                self._tenths = tenths
                self._stream.write(describe(progress) + "\n")
        if finished:
            self.end()
        self._stream.flush()

    def end(self) -> None:
        """Finish a bar being redrawn, so the next line starts clean."""
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False
