"""novalite-network: the network service (flat, flatdhcp or vlan manager; nova-network's role)."""

from novalite import exception
from novalite import service
from novalite.cmd import common
from novalite.db import api as db_api
from novalite.network import manager
from novalite.network import rpcapi as network_rpcapi

BINARY = 'novalite-network'


def build(conf, db, host=None, transport=None):
    """A network Service (not started); a misnamed network_manager fails here."""
    host = host or conf.host
    endpoint = manager.NetworkService(conf, db, host,
                                      network_rpcapi.NetworkAPI(conf, transport))
    return service.Service(conf, BINARY, conf.network_topic, host, [endpoint],
                           service.DBReporter(db), manager=endpoint, transport=transport)


def main(argv=None):
    conf = common.parse(argv, prog=BINARY)
    db = db_api.Database(conf)
    try:
        svc = build(conf, db)
    except exception.NovaliteException as exc:
        common.fail(exc.message)
    common.run_services([svc], BINARY)
