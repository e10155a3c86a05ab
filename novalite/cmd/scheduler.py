"""novalite-scheduler: the filter scheduler service."""

from novalite import exception
from novalite import service
from novalite.cmd import common
from novalite.db import api as db_api
from novalite.scheduler import manager
from novalite.scheduler import rpcapi as scheduler_rpcapi

BINARY = 'novalite-scheduler'


def build(conf, db, host=None, transport=None):
    """A scheduler Service (not started); a misnamed filter or weigher fails here."""
    host = host or conf.host
    endpoint = manager.SchedulerManager(conf, db)
    return service.Service(conf, BINARY, scheduler_rpcapi.TOPIC, host, [endpoint],
                           service.DBReporter(db), transport=transport)


def main(argv=None):
    conf = common.parse(argv, prog=BINARY)
    db = db_api.Database(conf)
    try:
        svc = build(conf, db)
    except exception.NovaliteException as exc:
        common.fail(exc.message)
    common.run_services([svc], BINARY)
