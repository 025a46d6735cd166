"""The progress of a batch, in French: done, failed, remaining, and the time left.

On a terminal, one line redrawn in place with a bar; otherwise (a log, CI) a line at
most every `every` seconds, and one at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..frenchnumbers import NBSP, number, plural

WIDTH = 24


def duration(seconds: float) -> str:
    """75 -> '1 min 15 s'; 3725 -> '1 h 02 min'."""
    total = int(round(seconds))
    if total < 60:
        return f"{total}{NBSP}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}{NBSP}min {secs:02d}{NBSP}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}{NBSP}h {minutes:02d}{NBSP}min"


class Progress:
    def __init__(self, total: int, say: Callable[[str], None], stream: TextIO | None = None,
                 every: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.say, self.every, self.clock = say, every, clock
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self.started = self.last = clock()

    def line(self) -> str:
        remaining = self.total - self.done
        elapsed = self.clock() - self.started
        left = (f"reste environ {duration(elapsed / self.done * remaining)}" if self.done
                and remaining else "temps restant : estimation en cours" if remaining
                else f"terminé en {duration(elapsed)}")
        return (f"Rapports : {number(self.done)}/{number(self.total)} faits, "
                f"{number(self.failed)} en échec, {number(remaining)} "
                f"{plural(remaining, 'restant')} — {left}")

    def advance(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        now = self.clock()
        if self.live:
            filled = WIDTH * self.done // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {self.line()}\x1b[K")
            self.stream.flush()
        elif now - self.last >= self.every and self.done < self.total:
            self.say(self.line())
            self.last = now

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
        self.say(self.line())
