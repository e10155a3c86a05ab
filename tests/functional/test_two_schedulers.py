"""Two scheduler services at once over RabbitMQ must not overcommit a host.

Each scheduler consumes resources only in its own cached view, so both may
pick the same host for different requests.  The compute's claim against the
limits the filters computed refuses the one that does not fit, and the build
is rescheduled with its retry record.  Capacity here is barely enough for
every server; whatever the interleaving, no host may end up over its limit.
"""

import concurrent.futures

import pytest

import nltest
from novalite.cmd import scheduler as scheduler_cmd
from novalite.compute import states
from novalite_plugins.virt.fake import driver as fake_driver

pytestmark = pytest.mark.realservices

HOSTS = ('compute1', 'compute2', 'compute3', 'compute4')
PER_HOST = 5                      # m1.small servers that fit on one host
SMALL_MB = 2048
RESERVED_MB = 512


def _driver(conf):
    fake_driver.FakeDriver.register_opts(conf)
    conf.set_override('memory_mb', RESERVED_MB + PER_HOST * SMALL_MB, group='fake_driver')
    return fake_driver.FakeDriver(conf)


def test_two_schedulers_never_overcommit(tmp_path, rabbit_url, mysql_url):
    conf = nltest.make_conf(tmp_path, transport_url=rabbit_url,
                            database__connection=mysql_url, ram_allocation_ratio=1.0,
                            scheduler__max_attempts=len(HOSTS))
    drivers = {h: _driver(nltest.make_conf(tmp_path / h)) for h in HOSTS}
    cloud = nltest.Cloud(conf, hosts=HOSTS, drivers=drivers)
    cloud.services.insert(2, scheduler_cmd.build(conf, cloud.db, host='scheduler-2'))
    cloud.db.quota_set(cloud.ctx.project_id, 'instances', -1)
    cloud.db.quota_set(cloud.ctx.project_id, 'cores', -1)
    cloud.db.quota_set(cloud.ctx.project_id, 'ram', -1)
    cloud.start()
    try:
        wanted = PER_HOST * len(HOSTS)
        # one request per server, concurrently: the two schedulers share the topic
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            booted = list(pool.map(lambda i: cloud.boot(flavor_id='2', name='s%d' % i)[0],
                                   range(wanted)))
        settled = [cloud.wait(i.uuid, lambda x: x.task_state is None and
                              x.vm_state in (states.ACTIVE, states.ERROR), timeout=120,
                              what='ACTIVE or ERROR') for i in booted]

        per_host = {h: [i for i in settled if i.host == h and i.vm_state == states.ACTIVE]
                    for h in HOSTS}
        assert all(len(servers) <= PER_HOST for servers in per_host.values()), {
            h: len(s) for h, s in per_host.items()}
        # what the hypervisors hold agrees, and no claim is left over
        for host, driver in drivers.items():
            assert len(driver.instances) == len(per_host[host])
            assert sum(i.memory_mb for i in driver.instances.values()) <= PER_HOST * SMALL_MB
        errors = [i for i in settled if i.vm_state == states.ERROR]
        faults = cloud.api.get_faults([i.uuid for i in errors])
        for instance in errors:
            # a server that lost every race says so; it never lands on a full host
            assert instance.host is None
            assert 'No valid host' in faults[instance.uuid]['message'] or \
                'retries' in faults[instance.uuid]['message']
        active = sum(len(s) for s in per_host.values())
        assert active + len(errors) == wanted
        assert active >= wanted - len(HOSTS), 'reschedules should place nearly every server'
    finally:
        cloud.stop()
