"""``novalite-sim stack``: run the real services with many fake hosts and load them over HTTP.

    novalite-sim stack --hosts 1000 --processes 4 --rate 10 --boots 500 --lifetime 20 --out OUT

Prepares a deployment (:mod:`~novalite_sim.stack.deployment`), boots and
deletes servers through the API (:mod:`~novalite_sim.stack.load`), writes
``OUT/report.json`` and ``OUT/speed.json`` (:mod:`~novalite_sim.stack.report`)
and stops every process and drops the database and vhost it made, on errors
and Ctrl-C too.
"""

import argparse
import datetime
import os
import signal
import sys
import threading

from novalite_sim.stack import deployment as stack_deployment
from novalite_sim.stack import load as stack_load
from novalite_sim.stack import report as stack_report

PROG = 'novalite-sim stack'


def add_arguments(parser):
    """Add the ``stack`` subcommand's options to an argparse parser."""
    dep = parser.add_argument_group('deployment')
    dep.add_argument('--hosts', type=int, default=1000, help='fake compute hosts (%(default)s)')
    dep.add_argument('--processes', type=int, default=4,
                     help='compute-pack processes the hosts are spread over (%(default)s)')
    dep.add_argument('--schedulers', type=int, default=1, help='(%(default)s)')
    dep.add_argument('--conductors', type=int, default=2, help='(%(default)s)')
    dep.add_argument('--api-workers', type=int, default=2,
                     help='gunicorn workers of the API (%(default)s)')
    dep.add_argument('--api-threads', type=int, default=16,
                     help='threads per API worker (%(default)s)')
    dep.add_argument('--transport-url', default='rabbit://guest:guest@127.0.0.1:5672/',
                     help='RabbitMQ; as root with rabbitmqctl, a vhost of its own per run '
                          'is created and deleted (%(default)s)')
    dep.add_argument('--no-temp-vhost', dest='temp_vhost', action='store_false',
                     help='use the transport URL\'s vhost as it is')
    dep.add_argument('--database-url', default='mysql+pymysql://root@127.0.0.1/novalite_stack',
                     help='MariaDB/MySQL or PostgreSQL; the database is DROPPED and created '
                          'again, and dropped at the end (%(default)s)')
    dep.add_argument('--keep-database', action='store_true',
                     help='do not drop the database at the end')
    dep.add_argument('--host-vcpus', type=int, default=16, help='(%(default)s)')
    dep.add_argument('--host-ram-mb', type=int, default=65536, help='(%(default)s)')
    dep.add_argument('--host-disk-gb', type=int, default=1024, help='(%(default)s)')
    dep.add_argument('--spawn-delay', type=float, default=0.0,
                     help='seconds each fake spawn takes (%(default)s)')
    dep.add_argument('--report-interval', type=int, default=30,
                     help='service heartbeat seconds (%(default)s; Nova: 10)')
    dep.add_argument('--service-down-time', type=int, default=120, help='(%(default)s)')
    dep.add_argument('--periodic-interval', type=int, default=60,
                     help='seconds between computes\' periodic resource reports (%(default)s)')
    dep.add_argument('--executor-pool', type=int, default=4,
                     help='RPC executor threads per fake host (%(default)s; oslo default 64)')
    dep.add_argument('--start-workers', type=int, default=16,
                     help='hosts starting at once in each pack (%(default)s)')
    dep.add_argument('--hosts-per-connection', type=int, default=250,
                     help='fake hosts whose RPC servers share one RabbitMQ connection; 0: one '
                          'each, as oslo.messaging does (%(default)s)')
    dep.add_argument('--config-option', action='append', default=[], metavar='GROUP.NAME=VALUE',
                     help='an extra line for novalite.conf, e.g. scheduler.max_attempts=1')
    dep.add_argument('--startup-timeout', type=float, default=600.0, help='(%(default)s s)')
    load = parser.add_argument_group('load')
    load.add_argument('--rate', type=float, default=10.0, help='boots per second (%(default)s)')
    load.add_argument('--boots', type=int, default=500, help='servers to boot (%(default)s)')
    load.add_argument('--lifetime', type=float,
                      help='delete each server this many seconds after it is ACTIVE '
                           '(default: delete everything at the end)')
    load.add_argument('--no-delete', dest='delete', action='store_false',
                      help='leave the servers (with --keep-running, to look at them)')
    load.add_argument('--flavor', default='1', help='flavorRef (%(default)s: m1.tiny)')
    load.add_argument('--concurrency', type=int, default=16,
                      help='HTTP client threads (%(default)s)')
    load.add_argument('--poll-interval', type=float, default=0.2,
                      help='seconds between status polls (%(default)s)')
    load.add_argument('--timeout', type=float, default=600.0,
                      help='seconds to wait for builds and deletes to finish (%(default)s)')
    parser.add_argument('--out', help='output folder (default: stack-YYYYmmdd-HHMMSS)')
    parser.add_argument('--keep-running', action='store_true',
                        help='after the load, keep the deployment up until Ctrl-C')
    parser.add_argument('--quiet', action='store_true', help='no progress lines')
    return parser


def _validate(args):
    positive = {'--hosts': args.hosts, '--processes': args.processes,
                '--schedulers': args.schedulers, '--conductors': args.conductors,
                '--api-workers': args.api_workers, '--api-threads': args.api_threads,
                '--host-vcpus': args.host_vcpus, '--host-ram-mb': args.host_ram_mb,
                '--host-disk-gb': args.host_disk_gb, '--concurrency': args.concurrency,
                '--executor-pool': args.executor_pool, '--start-workers': args.start_workers,
                '--report-interval': args.report_interval,
                '--periodic-interval': args.periodic_interval}
    for flag, value in positive.items():
        if value < 1:
            return '%s must be at least 1' % flag
    if args.hosts_per_connection < 0:
        return '--hosts-per-connection must not be negative'
    if args.processes > args.hosts:
        return '--processes (%d) cannot exceed --hosts (%d)' % (args.processes, args.hosts)
    if args.rate <= 0:
        return '--rate must be positive'
    if args.boots < 0:
        return '--boots must not be negative'
    if args.lifetime is not None and args.lifetime < 0:
        return '--lifetime must not be negative'
    if args.poll_interval <= 0 or args.timeout <= 0:
        return '--poll-interval and --timeout must be positive'
    for item in args.config_option:
        key, sep, _ = item.partition('=')
        if not sep or not key.strip():
            return '--config-option wants GROUP.NAME=VALUE, not %r' % item
    return None


def _settings(args, out):
    return stack_deployment.Settings(
        out=out, hosts=args.hosts, processes=args.processes, schedulers=args.schedulers,
        conductors=args.conductors, api_workers=args.api_workers, api_threads=args.api_threads,
        transport_url=args.transport_url, database_url=args.database_url,
        temp_vhost=args.temp_vhost, host_vcpus=args.host_vcpus, host_ram_mb=args.host_ram_mb,
        host_disk_gb=args.host_disk_gb, spawn_delay=args.spawn_delay,
        report_interval=args.report_interval, service_down_time=args.service_down_time,
        periodic_interval=args.periodic_interval, executor_pool=args.executor_pool,
        start_workers=args.start_workers, hosts_per_connection=args.hosts_per_connection,
        config_options=list(args.config_option),
        startup_timeout=args.startup_timeout, keep_database=args.keep_database)


def _error(message):
    print('%s: error: %s' % (PROG, message), file=sys.stderr)


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt()


def run(args):
    """Run one full-stack experiment; the exit code (0 ok, 1 failure, 2 bad input)."""
    problem = _validate(args)
    if problem:
        _error(problem)
        return 2
    out = args.out or 'stack-%s' % datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    os.makedirs(out, exist_ok=True)

    def progress(text):
        if not args.quiet:
            print('  %s' % text, file=sys.stderr, flush=True)

    # SIGTERM unwinds like Ctrl-C, so the finally clauses stop everything.
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    else:
        previous = None
    dep = stack_deployment.Deployment(_settings(args, out))
    try:
        with dep:
            progress('preparing (database, vhost, config) in %s' % out)
            dep.prepare()
            progress('starting %d hosts in %d packs' % (args.hosts, args.processes))
            dep.start(progress)
            progress('all up in %.1fs; booting %d servers at %g/s' % (
                dep.timings['startup_seconds'], args.boots, args.rate))
            rabbit = dep.rabbit_stats()
            status, body = dep.client.request('GET', '/images')
            if status != 200 or not body.get('images'):
                raise stack_deployment.DeploymentError('no image to boot (GET /images: %s)'
                                                       % status)
            generator = stack_load.LoadGenerator(
                dep.client, body['images'][0]['id'], flavor_id=args.flavor, rate=args.rate,
                boots=args.boots, lifetime=args.lifetime, delete=args.delete,
                concurrency=args.concurrency, poll_interval=args.poll_interval,
                timeout=args.timeout, progress=progress)
            dep.monitor.mark('load_start')
            result = generator.run()
            dep.monitor.mark('load_end')
            dep.check_alive()
            report = {'format': stack_report.FORMAT, 'mode': 'stack',
                      'deployment': dict(dep.describe(), rabbitmq=rabbit,
                                         rabbitmq_after_load=dep.rabbit_stats()),
                      'hosts': {'count': args.hosts, 'prefix': dep.s.host_prefix},
                      'load': {'rate': args.rate, 'boots': args.boots,
                               'lifetime': args.lifetime, 'delete': args.delete,
                               'flavor': args.flavor, 'concurrency': args.concurrency}}
            report.update(stack_report.placement(result))
            figures = stack_report.speed(result, dep)
            stack_report.write(out, report, figures)
            stack_report.write_servers(out, result)
            print(stack_report.summary(report, figures))
            print('report: %s' % os.path.join(out, 'report.json'))
            if args.keep_running:
                print('API %s (token admin:admin), config %s; Ctrl-C to stop'
                      % (dep.endpoint, dep.config), flush=True)
                threading.Event().wait()
    except stack_deployment.DeploymentError as exc:
        _error(str(exc))
        return 1
    except KeyboardInterrupt:
        _error('interrupted; everything stopped')
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def main(argv=None):
    """Stand-alone entry (the ``novalite-sim stack`` subcommand calls ``run``)."""
    parser = add_arguments(argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0]))
    return run(parser.parse_args(argv))


if __name__ == '__main__':
    sys.exit(main())
