"""Measure oslo.messaging RPC cost over novalite's inproc:// driver (and rabbit).

Reports, per transport URL, the sequential ``call`` round trip (median, p99,
calls/s) and ``cast`` throughput (casts/s until the server has handled them
all).  Examples::

    python benchmarks/rpc.py
    python benchmarks/rpc.py --url inproc:// --url rabbit://guest:guest@127.0.0.1:5672/
    python benchmarks/rpc.py --json results/rpc.json
"""

import argparse
import json
import logging
import re
import statistics
import sys
import threading
import time
import uuid
import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

import oslo_messaging  # noqa: E402
from oslo_config import cfg  # noqa: E402
from oslo_messaging import opts as om_opts  # noqa: E402
from novalite.conf import messaging as messaging_conf  # noqa: E402


def make_conf(url):
    conf = cfg.ConfigOpts()
    conf([], project='novalite-bench')
    # the same registration (incl. oslo.messaging 18.3's private-conf workaround) as the services
    messaging_conf.register_opts(conf)
    if url.startswith('rabbit'):
        # Leave nothing behind on a shared broker: auto-delete queues (and,
        # as bench() uses a private exchange, that exchange too).
        for group, opts in om_opts.list_opts():
            if group == 'oslo_messaging_rabbit':
                conf.register_opts(opts, group=group)
        conf.set_override('amqp_auto_delete', True,
                          group='oslo_messaging_rabbit')
        conf.set_override('rabbit_transient_queues_ttl', 60,
                          group='oslo_messaging_rabbit')
    return conf


class Endpoint:
    """Server side: an echo method and a cast counter."""

    def __init__(self):
        self.casts = 0
        self.expected = None
        self.done = threading.Event()

    def echo(self, ctxt, value):
        return value

    def count(self, ctxt, value):
        # The threading executor may run casts concurrently.
        with _count_lock:
            self.casts += 1
            if self.casts == self.expected:
                self.done.set()


_count_lock = threading.Lock()


def bench(url, calls, casts, warmup):
    transport = oslo_messaging.get_rpc_transport(make_conf(url), url=url)
    name = f'bench-{uuid.uuid4().hex[:12]}'
    endpoint = Endpoint()
    server = oslo_messaging.get_rpc_server(
        transport,
        oslo_messaging.Target(exchange=name, topic=name, server='bench'),
        [endpoint])
    server.start()
    client = oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(exchange=name, topic=name),
        timeout=30)
    try:
        for i in range(warmup):
            client.call({}, 'echo', value=i)

        timings = []
        perf = time.perf_counter
        started = perf()
        for i in range(calls):
            t0 = perf()
            client.call({}, 'echo', value=i)
            timings.append(perf() - t0)
        call_elapsed = perf() - started
        timings.sort()

        endpoint.expected = casts
        started = perf()
        for i in range(casts):
            client.cast({}, 'count', value=i)
        sent = perf() - started
        if not endpoint.done.wait(60):
            raise RuntimeError(f'{url}: only {endpoint.casts}/{casts} casts '
                               'handled within 60 s')
        handled = perf() - started
    finally:
        server.stop()
        server.wait()
        transport.cleanup()

    return {
        # Credentials stay out of the table and the JSON file.
        'url': re.sub(r'//[^/@]*@', '//', url),
        'calls': calls,
        'call_median_ms': statistics.median(timings) * 1e3,
        'call_p99_ms': timings[min(len(timings) - 1,
                                   int(len(timings) * 0.99))] * 1e3,
        'calls_per_s': calls / call_elapsed,
        'casts': casts,
        'cast_send_per_s': casts / sent,
        'casts_per_s': casts / handled,
    }


def print_table(results):
    header = ('transport', 'call median ms', 'call p99 ms', 'calls/s',
              'casts sent/s', 'casts handled/s')
    rows = [(r['url'], f"{r['call_median_ms']:.3f}", f"{r['call_p99_ms']:.3f}",
             f"{r['calls_per_s']:,.0f}", f"{r['cast_send_per_s']:,.0f}",
             f"{r['casts_per_s']:,.0f}") for r in results]
    widths = [max(len(str(row[i])) for row in [header] + rows)
              for i in range(len(header))]
    for row in [header] + rows:
        print('  '.join(str(cell).rjust(width) if i else
                        str(cell).ljust(width)
                        for i, (cell, width) in enumerate(zip(row, widths))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--url', action='append', dest='urls',
                        help='transport URL to measure; repeatable '
                             '(default: inproc://)')
    parser.add_argument('--calls', type=int, default=2000,
                        help='sequential calls to time (default: 2000)')
    parser.add_argument('--casts', type=int, default=10000,
                        help='casts for the throughput run (default: 10000)')
    parser.add_argument('--warmup', type=int, default=200,
                        help='untimed calls first (default: 200)')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the figures to FILE as JSON')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    results = [bench(url, args.calls, args.casts, args.warmup)
               for url in args.urls or ['inproc://']]
    print_table(results)
    if args.json:
        with open(args.json, 'w') as out:
            json.dump({'python': sys.version.split()[0],
                       'oslo.messaging': _version('oslo.messaging'),
                       'results': results}, out, indent=2)
            out.write('\n')
    return 0


def _version(dist):
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


if __name__ == '__main__':
    sys.exit(main())
