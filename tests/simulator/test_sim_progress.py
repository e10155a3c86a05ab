"""The run progress bar: what it shows, when it is silent, how often it writes."""

import io

from novalite_sim import progress


class FakeClock:
    """A monotonic clock the test advances by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class CountingStream(io.StringIO):
    def __init__(self, tty=False):
        super().__init__()
        self.tty = tty
        self.writes = 0

    def isatty(self):
        return self.tty

    def write(self, s):
        self.writes += 1
        return super().write(s)


def test_formats():
    assert progress.format_sim_time(0) == '0d 00:00:00'
    assert progress.format_sim_time(93784.9) == '1d 02:03:04'
    assert progress.format_duration(3725) == '1:02:05'


def test_renders_sim_time_rate_and_eta():
    clock = FakeClock()
    out = io.StringIO()
    p = progress.Progress(86400, stream=out, force=True, label='azure-day', clock=clock)
    clock.now += 10.0
    p.update(21600.0, 500_000)
    text = out.getvalue()
    assert text.startswith('\razure-day')
    assert '0d 06:00:00 / 1d 00:00:00' in text
    assert '25.0%' in text
    assert '50,000 ev/s' in text
    # A quarter done in 10 s: three quarters take 30 s more.
    assert 'ETA 0:00:30' in text
    assert '[######' + '.' * 18 + ']' in text
    p.close()
    assert out.getvalue().endswith('\n')


def test_close_draws_final_figures_and_is_idempotent():
    clock = FakeClock()
    out = io.StringIO()
    with progress.Progress(3600, stream=out, force=True, clock=clock) as p:
        p.update(0.0, 0)
        clock.now += 0.01
        p.update(3600.0, 1000)  # throttled: drawn only by close()
        assert '100.0%' not in out.getvalue()
    assert out.getvalue().endswith('100.0%  0d 01:00:00 / 0d 01:00:00  100,000 ev/s  ETA 0:00:00\n')
    p.close()
    assert out.getvalue().count('\n') == 1


def test_unknown_total():
    out = io.StringIO()
    p = progress.Progress(None, stream=out, enabled=True, clock=FakeClock())
    p.update(90.0, 10)
    assert '0d 00:01:30' in out.getvalue()
    assert '%' not in out.getvalue() and 'ETA -:--:--' in out.getvalue()


def test_silent_unless_tty_or_forced():
    out = CountingStream(tty=False)
    p = progress.Progress(100, stream=out)
    assert not p.enabled
    for i in range(10_000):
        p.update(i / 100, i)
    p.close()
    assert out.getvalue() == ''
    assert progress.Progress(100, stream=CountingStream(tty=True)).enabled
    assert not progress.Progress(100, stream=CountingStream(tty=True), enabled=False).enabled
    assert not progress.Progress(100, stream=object()).enabled  # no isatty at all


def test_throttled_to_a_few_writes_per_second():
    clock = FakeClock()
    out = CountingStream()
    p = progress.Progress(86400, stream=out, force=True, clock=clock)
    # 100,000 calls spread over 2 s of wall clock: at most ~5 draws/s.
    for i in range(100_000):
        clock.now += 2e-5
        p.update(i * 0.8, i * 1000)
    assert 2 <= p.writes <= 11
    assert out.writes == p.writes


def test_shorter_line_overwrites_longer():
    clock = FakeClock()
    out = io.StringIO()
    p = progress.Progress(None, stream=out, force=True, clock=clock)
    clock.now += 1
    p.update(10.0, 10_000_000)
    first = out.getvalue()
    clock.now += 1000
    p.update(20.0, 10_000_001)
    second = out.getvalue()[len(first):]
    assert len(second) == len(first)
