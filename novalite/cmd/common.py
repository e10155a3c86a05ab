"""What every console script does: parse config, set up logging, run until a signal."""

import signal
import sys
import threading

from oslo_log import log as logging

from novalite import conf as nl_conf
from novalite import exception
from novalite import service as nl_service

LOG = logging.getLogger(__name__)


def parse(argv=None, prog=None, overrides=None):
    """ConfigOpts from the command line (``--config-file``...), logging set up."""
    argv = sys.argv[1:] if argv is None else argv
    conf = nl_conf.make_conf(argv, prog=prog, overrides=overrides)
    logging.setup(conf, 'novalite')
    return conf


def fail(message):
    """Exit non-zero with one readable line."""
    print('%s: error: %s' % (_prog(), message), file=sys.stderr)
    sys.exit(1)


def _prog():
    return sys.argv[0].rsplit('/', 1)[-1] if sys.argv else 'novalite'


def wait_for_signal():
    """Block until SIGINT or SIGTERM; return the signal's name."""
    stop = threading.Event()
    got = []

    def handler(signum, _frame):
        got.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(1.0):
        pass
    return got[0]


def run_services(services, prog):
    """Start ``services``, wait for a signal, stop them in reverse order."""
    started = []
    try:
        for service in services:
            service.start()
            started.append(service)
        name = wait_for_signal()
        LOG.info('%s: %s received, stopping', prog, name)
    except exception.NovaliteException as exc:
        nl_service.stop_all(started)
        fail(exc.message)
    nl_service.stop_all(started)
