"""Progress while generating: a live status line on a terminal, periodic log lines in CI.

Why both: a person at a terminal wants to see it move; a CI log wants one readable line
every few seconds, not a thousand carriage returns.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable
from typing import Protocol, TextIO

from sdg_ci.records.run import Usage
from sdg_ci.records.stages import Stage

TTY_PERIOD_S = 0.5
ETA_MIN_DONE = 0.05  # no ETA before this share of the planned rows is done (too noisy)
ETA_WEIGHT = 0.2  # how much each new estimate moves the shown one (rows finish in bursts)


class Metered(Protocol):
    """What the progress line reads from a model endpoint."""

    in_flight: int
    usage: Usage


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self, enabled: bool = True, stream: TextIO | None = None,
                 interval_s: float = 10.0, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval_s = interval_s
        self.counts: dict[Stage, list[int]] = {}  # stage -> [in, out, dropped]
        self.planned = 0
        self.done = 0
        self.started = time.monotonic()
        self.endpoints: list[Metered] = []
        self._eta: tuple[float, float] | None = None  # (when, seconds left) last shown

    def rows(self, stage: Stage | str, rows_in: int = 0, rows_out: int = 0,
             dropped: int = 0) -> None:
        entry = self.counts.setdefault(Stage(stage), [0, 0, 0])
        entry[0] += rows_in
        entry[1] += rows_out
        entry[2] += dropped

    def plan(self, rows: int) -> None:
        self.planned += rows

    def finished(self, rows: int) -> None:
        self.done += rows

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        parts = [f"generate {_clock(elapsed)}"]
        for stage, (rows_in, rows_out, _) in self.counts.items():
            if stage.short:
                parts.append(f"{stage.short} {rows_in}→{rows_out}")
        in_flight = sum(e.in_flight for e in self.endpoints)
        tokens = sum(e.usage.completion_tokens for e in self.endpoints)
        hits = sum(e.usage.cache_hits for e in self.endpoints)
        parts.append(f"in flight {in_flight}")
        parts.append(f"{tokens / elapsed if elapsed > 0 else 0:.0f} tok/s")
        if hits:
            parts.append(f"cached {hits}")
        eta = self.eta(elapsed)
        if eta is not None:
            parts.append(f"ETA {_clock(eta)}")
        return " | ".join(parts)

    def eta(self, elapsed: float) -> float | None:
        """Seconds left, smoothed: the last estimate counted down, moved a fifth of the way
        to the new one, so a burst of finished rows does not make it jump."""
        if not self.planned or not 0 < self.done < self.planned:
            return None
        if self.done < max(1, ETA_MIN_DONE * self.planned):
            return None
        raw = elapsed * (self.planned - self.done) / self.done
        if self._eta is not None:
            when, left = self._eta
            raw = (1 - ETA_WEIGHT) * max(0.0, left - (elapsed - when)) + ETA_WEIGHT * raw
        self._eta = (elapsed, raw)
        return raw

    async def run(self, endpoints: Iterable[Metered]) -> None:
        """Draw until cancelled."""
        self.endpoints = list(endpoints)
        if not self.enabled:
            return
        period = TTY_PERIOD_S if self.tty else self.interval_s
        try:
            while True:
                await asyncio.sleep(period)
                self._emit()
        except asyncio.CancelledError:
            self._emit(final=True)
            raise

    def _emit(self, final: bool = False) -> None:
        text = self.line()
        if self.tty:
            self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
