"""novalite-compute: one compute host driving its hypervisor through a virt driver.

This service never opens the database: everything goes through the conductor.
"""

from novalite import exception
from novalite import plugin
from novalite import rpc
from novalite import service
from novalite.cmd import common
from novalite.compute import manager
from novalite.compute import rpcapi as compute_rpcapi
from novalite.conductor import rpcapi as conductor_rpcapi
from novalite.network import executor as network_executor
from novalite.network import firewall
from novalite.network import rpcapi as network_rpcapi

BINARY = 'novalite-compute'


def build(conf, host=None, transport=None, driver=None):
    """A compute Service (not started) with the configured virt driver."""
    host = host or conf.host
    if driver is None:
        driver = plugin.load(plugin.VIRT_DRIVERS, conf.compute_driver, conf)
    conductor = conductor_rpcapi.ConductorAPI(conf, transport)
    mgr = manager.ComputeManager(conf, host, driver, conductor,
                                 conductor_rpcapi.ComputeTaskAPI(conf, transport),
                                 network_rpcapi.NetworkAPI(conf, transport),
                                 firewall.load(conf, network_executor.from_conf(conf)),
                                 notifier=rpc.get_notifier(conf, 'compute.%s' % host))
    return service.Service(conf, BINARY, compute_rpcapi.TOPIC, host, [mgr],
                           service.ConductorReporter(conductor), manager=mgr,
                           transport=transport)


def main(argv=None):
    conf = common.parse(argv, prog=BINARY)
    try:
        svc = build(conf)
    except exception.NovaliteException as exc:
        common.fail(exc.message)
    common.run_services([svc], BINARY)
