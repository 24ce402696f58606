"""Step-by-step progress reporting for long pipeline runs (to stderr)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Print numbered steps with their duration.

    Parameters
    ----------
    total
        The number of steps expected, shown as ``[i/total]``.
    stream
        Where to write; ``None`` silences the output.
    """

    def __init__(self, total: int, stream: TextIO | None = sys.stderr) -> None:
        self.total = total
        self.done = 0
        self.stream = stream

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Time one step and print its label and duration when it ends."""
        self.done += 1
        start = time.perf_counter()
        if self.stream is not None:
            print(f"[{self.done}/{self.total}] {label} ...", file=self.stream, flush=True)
        yield
        if self.stream is not None:
            took = time.perf_counter() - start
            print(f"      klaar in {took:.1f} s", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """Print an indented remark under the current step."""
        if self.stream is not None:
            print(f"      {text}", file=self.stream, flush=True)
