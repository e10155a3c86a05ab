"""novalite-all: every service in one process, ready on a laptop with no configuration.

Defaults: SQLite under state_path (schema created or migrated at start), the
in-process message transport, Nova's default flavors and one image, N fake
compute hosts, a network service whose host changes are recorded, not made
(``network_executor = dry-run``: no root needed), a ``private`` network
10.0.0.0/24 and a ``public`` floating pool 172.24.4.0/24 when the database has
none, and the Compute API on 127.0.0.1:8774.
"""

import argparse
import sys
import time

from oslo_config import cfg
from oslo_log import log as logging

from novalite import bootstrap
from novalite import exception
from novalite import rpc
from novalite import service
from novalite.cmd import common
from novalite.cmd import compute as compute_cmd
from novalite.cmd import conductor as conductor_cmd
from novalite.cmd import network as network_cmd
from novalite.cmd import scheduler as scheduler_cmd
from novalite.db import api as db_api
from novalite.db import engine as db_engine
from novalite.db import migration

LOG = logging.getLogger(__name__)
BINARY = 'novalite-all'


def _own_args(argv):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--fake-computes', type=int, default=4,
                        help='fake compute hosts to run in this process (default 4)')
    own, rest = parser.parse_known_args(argv)
    if own.fake_computes < 0:
        common.fail('--fake-computes must be >= 0')
    return own, rest


class AllInOne:
    """The embedded deployment: build with ``AllInOne(conf)``, then ``start()``/``stop()``."""

    def __init__(self, conf, fake_computes=4, serve_api=True):
        self.conf = conf
        if conf.get_location('transport_url').location == cfg.Locations.opt_default:
            # Nothing configured: one process needs no broker.
            conf.set_override('transport_url', 'inproc://')
        if conf.get_location('network_executor').location == cfg.Locations.opt_default:
            # A laptop run must not need root or touch the host's interfaces.
            conf.set_override('network_executor', 'dry-run')
        self.db = db_api.Database(conf)
        migration.db_sync(self.db.engine)
        bootstrap.ensure_defaults(self.db)
        _ensure_default_networks(conf, self.db)
        self.services = [conductor_cmd.build(conf, self.db),
                         scheduler_cmd.build(conf, self.db),
                         network_cmd.build(conf, self.db)]
        for index in range(fake_computes):
            self.services.append(compute_cmd.build(conf, host='compute%d' % (index + 1)))
        self.api_server = None
        if serve_api:
            from novalite.api import app as api_app
            from novalite.api import server
            self.app = api_app.create_app(conf, db=self.db)
            self.api_server = server.ThreadedServer(
                self.app, conf.api.osapi_compute_listen, conf.api.osapi_compute_listen_port)
        self._started = []

    def start(self):
        if self.api_server is not None:
            self.api_server.start()  # bind first: a taken port fails before anything runs
        for svc in self.services:
            svc.start()
            self._started.append(svc)

    def stop(self):
        if self.api_server is not None:
            self.api_server.stop()
        service.stop_all(self._started)
        self._started = []
        rpc.cleanup()
        self.db.dispose()


def _ensure_default_networks(conf, db):
    """A first run gets devstack's networks, so servers show addresses at once."""
    from novalite import context as nl_context
    from novalite.network import api as network_api
    api = network_api.API(conf, db)
    admin = nl_context.get_admin_context()
    if not api.get_all(admin):
        api.create(admin, label='private', cidr='10.0.0.0/24', num_networks=1,
                   network_size=256, bridge='br100', bridge_interface=conf.flat_interface,
                   vlan_start=conf.vlan_start)
    if not api.list_floating_ips():
        api.create_floating_ips('172.24.4.0/24', 'public', conf.public_interface)


def main(argv=None):
    own, rest = _own_args(sys.argv[1:] if argv is None else argv)
    conf = common.parse(rest, prog=BINARY)
    started = time.monotonic()
    try:
        deployment = AllInOne(conf, fake_computes=own.fake_computes)
        deployment.start()
    except OSError as exc:
        common.fail('cannot listen on %s:%s: %s' % (conf.api.osapi_compute_listen,
                                                    conf.api.osapi_compute_listen_port,
                                                    exc.strerror or exc))
    except exception.NovaliteException as exc:
        common.fail(exc.message)
    url = 'http://%s:%s/v2.1' % (conf.api.osapi_compute_listen,
                                 conf.api.osapi_compute_listen_port)
    print(f"""novalite-all is up in {time.monotonic() - started:.1f}s
  Compute API  {url}   (auth: {conf.api.auth_strategy}; X-Auth-Token "user:project", "admin" is admin)
  database     {db_engine.connection_url(conf)}
  messaging    {conf.transport_url}
  computes     {own.fake_computes} fake hosts (compute1..compute{own.fake_computes})
  network      {conf.network_manager} manager, host changes: {conf.network_executor}
Try:
  curl -s -H 'X-Auth-Token: admin:admin' {url}/flavors
  python -c "import openstack; c = openstack.connect(auth_type='none', \\
      compute_endpoint_override='{url}'); print([f.name for f in c.compute.flavors()])"
Press Ctrl-C to stop.""", flush=True)
    signame = common.wait_for_signal()
    print('%s: %s received, stopping...' % (BINARY, signame), flush=True)
    deployment.stop()
    print('%s: stopped.' % BINARY, flush=True)
