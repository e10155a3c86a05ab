"""A one-line progress bar for a simulation run, redrawn in place with ``\\r``.

The simulator calls :meth:`Progress.update` from its event loop, so the
common (throttled) call must cost next to nothing: it stores two numbers and
decrements a counter; the clock is read only every N calls, N adapting so
that it is read some 20 times a second whatever the call rate.
"""

import sys
import time

# Redraw at most this often (seconds): ~5 updates/s is plenty for a human.
MIN_INTERVAL_S = 0.2
# Aim to read the clock this often (seconds) to decide whether to redraw.
_CHECK_EVERY_S = 0.05
_MAX_CALLS_BETWEEN_CHECKS = 1000
BAR_WIDTH = 24


def format_sim_time(seconds):
    """Simulated time as ``Dd hh:mm:ss``, e.g. ``1d 02:03:04``."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{days}d {hours:02d}:{minutes:02d}:{secs:02d}'


def format_duration(seconds):
    """Wall-clock duration as ``h:mm:ss`` (hours unbounded)."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}'


def _is_tty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        # No isatty, or a closed stream: certainly not a terminal to draw on.
        return False


class Progress:
    """Progress bar of one run: simulated time against ``total_sim_s``.

    Draws on ``stream`` (default ``sys.stderr``) only when it is a terminal,
    unless ``enabled`` is True (or ``force=True``); ``enabled=False`` never
    draws.  Shows a bar and percentage, simulated time of total, events per
    second and an ETA extrapolated from simulated-time progress against the
    wall clock.  ``total_sim_s`` of None or 0 means unknown: no bar, no ETA.
    Use as a context manager or call :meth:`close` to end the line.
    ``clock`` is injectable for tests.
    """

    def __init__(self, total_sim_s, stream=None, enabled=None, label='', force=False, clock=time.monotonic):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = force or _is_tty(self.stream)
        self.enabled = bool(enabled)
        self.total_sim_s = float(total_sim_s) if total_sim_s else 0.0
        self.label = label
        self._clock = clock
        self._start = clock()
        self._last_draw = None
        self._last_check = self._start
        self._batch = 1
        self._line_len = 0
        self._closed = False
        self.sim_time_s = 0.0
        self.events = 0
        self.writes = 0
        # Disabled: the countdown never reaches zero, so update() stays two stores and a decrement.
        self._calls_left = 1 if self.enabled else sys.maxsize

    def update(self, sim_time_s, events):
        """Record progress; redraws at most every MIN_INTERVAL_S of wall-clock time."""
        self.sim_time_s = sim_time_s
        self.events = events
        self._calls_left -= 1
        if self._calls_left > 0:
            return
        self._check()

    def _check(self):
        now = self._clock()
        elapsed = now - self._last_check
        self._last_check = now
        # The call rate seen over the last batch sizes the next one, so the
        # clock is read ~every _CHECK_EVERY_S whether update() comes 10 or 10^6 times a second.
        if elapsed > 0:
            batch = self._batch / elapsed * _CHECK_EVERY_S
        else:
            batch = self._batch * 2
        self._batch = self._calls_left = int(min(max(batch, 1), _MAX_CALLS_BETWEEN_CHECKS))
        if self._last_draw is None or now - self._last_draw >= MIN_INTERVAL_S:
            self._draw(now)

    def render(self, now=None):
        """The status line for the current figures (without ``\\r``)."""
        now = self._clock() if now is None else now
        wall = max(now - self._start, 0.0)
        sim = max(float(self.sim_time_s), 0.0)
        parts = [self.label] if self.label else []
        if self.total_sim_s > 0:
            frac = min(sim / self.total_sim_s, 1.0)
            filled = int(frac * BAR_WIDTH)
            parts.append('[' + '#' * filled + '.' * (BAR_WIDTH - filled) + ']')
            parts.append(f'{frac * 100:5.1f}%')
            parts.append(f'{format_sim_time(sim)} / {format_sim_time(self.total_sim_s)}')
        else:
            parts.append(format_sim_time(sim))
        rate = self.events / wall if wall > 0 else 0.0
        parts.append(f'{rate:,.0f} ev/s')
        if self.total_sim_s > 0 and sim > 0 and wall > 0:
            remaining = max(self.total_sim_s - sim, 0.0) * wall / sim
            parts.append(f'ETA {format_duration(remaining)}')
        else:
            parts.append('ETA -:--:--')
        return '  '.join(parts)

    def _draw(self, now):
        line = self.render(now)
        # Pad over the tail of a longer previous line instead of relying on terminal escapes.
        pad = ' ' * max(self._line_len - len(line), 0)
        self._line_len = len(line)
        self.stream.write('\r' + line + pad)
        self.stream.flush()
        self._last_draw = now
        self.writes += 1

    def close(self):
        """Draw the final figures and end the line; idempotent."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw(self._clock())
            self.stream.write('\n')
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
