"""novalite-conductor: the database proxy for computes, and the build workflow."""

from novalite import rpc
from novalite import service
from novalite.cmd import common
from novalite.compute import rpcapi as compute_rpcapi
from novalite.conductor import manager
from novalite.conductor import rpcapi as conductor_rpcapi
from novalite.db import api as db_api
from novalite.scheduler import rpcapi as scheduler_rpcapi

BINARY = 'novalite-conductor'


def build(conf, db, host=None, transport=None):
    """A conductor Service (not started)."""
    host = host or conf.host
    notifier = rpc.get_notifier(conf, 'conductor.%s' % host)
    endpoints = [
        manager.ConductorManager(conf, db),
        manager.ComputeTaskManager(conf, db, scheduler_rpcapi.SchedulerAPI(conf, transport),
                                   compute_rpcapi.ComputeAPI(conf, transport), notifier),
    ]
    return service.Service(conf, BINARY, conductor_rpcapi.TOPIC, host, endpoints,
                           service.DBReporter(db), transport=transport)


def main(argv=None):
    conf = common.parse(argv, prog=BINARY)
    db = db_api.Database(conf)
    common.run_services([build(conf, db)], BINARY)
