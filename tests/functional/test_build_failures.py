"""Failed builds, as Nova counts them: reported to the scheduler, weighed against, and auto-disabling.

Real conductor, scheduler and compute services in process; the fake driver
injects the spawn failures.
"""

import nltest
from novalite.compute import states

WEIGHERS = ['RAMWeigher', 'BuildFailureWeigher']


def _conf(tmp_path, threshold=10, **overrides):
    return nltest.make_conf(tmp_path, filter_scheduler__weight_classes=WEIGHERS,
                            compute__consecutive_build_service_disable_threshold=threshold,
                            **overrides)




def _failed_builds(cloud, host):
    """stats['failed_builds'] of ``host``'s node as the database has it."""
    [node] = [n for n in cloud.db.compute_node_get_all() if n.host == host]
    return int((node.stats or {}).get('failed_builds', 0))


def _scheduler_view(cloud, host):
    """failed_builds of ``host`` in the scheduler's own host state (after a refresh)."""
    scheduler = cloud.services[1].endpoints[0]
    with scheduler._lock:
        scheduler._services_read = -1e9     # a full refresh, as on the next request
        scheduler._refresh()
        return next(s.failed_builds for s in scheduler.host_manager.get_all_host_states()
                    if s.host == host)


def _service(cloud, host):
    return next(s for s in cloud.db.service_get_all(binary='novalite-compute')
                if s.host == host)


def test_failed_builds_reach_the_scheduler_which_steers_away(tmp_path):
    # compute1 has the most RAM, so RAMWeigher alone would keep choosing it; it always fails.
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', memory_mb=262144, spawn_failure_rate=1.0),
               'compute2': nltest.fake_driver(tmp_path, 'c2'), 'compute3': nltest.fake_driver(tmp_path, 'c3')}
    cloud = nltest.Cloud(_conf(tmp_path), hosts=tuple(drivers), drivers=drivers).start()
    try:
        first = cloud.boot()[0]
        assert cloud.wait_state(first.uuid, states.ACTIVE).host != 'compute1'
        assert drivers['compute1']._spawns == 1
        nltest.wait_for(lambda: _failed_builds(cloud, 'compute1') == 1,
                        what='failed_builds=1 in compute1\'s node stats')
        assert _scheduler_view(cloud, 'compute1') == 1
        assert _scheduler_view(cloud, 'compute2') == 0

        # BuildFailureWeigher (x 1e6) now outweighs compute1's free RAM: no more tries there.
        later = cloud.boot(count=3)
        hosts = {cloud.wait_state(i.uuid, states.ACTIVE).host for i in later}
        assert hosts <= {'compute2', 'compute3'}
        assert drivers['compute1']._spawns == 1
        assert not _service(cloud, 'compute1').disabled     # 1 < threshold 10
    finally:
        cloud.stop()


def test_a_successful_build_resets_the_count(tmp_path):
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', fail_first_spawns=2)}
    cloud = nltest.Cloud(_conf(tmp_path), hosts=('compute1',), drivers=drivers).start()
    try:
        for expected in (1, 2):
            instance = cloud.boot()[0]     # only one host: no reschedule target, ERROR
            cloud.wait_state(instance.uuid, states.ERROR)
            nltest.wait_for(lambda n=expected: _failed_builds(cloud, 'compute1') == n,
                            what='failed_builds=%d' % expected)
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ACTIVE)
        nltest.wait_for(lambda: _failed_builds(cloud, 'compute1') == 0, what='reset to 0')
        assert _scheduler_view(cloud, 'compute1') == 0
    finally:
        cloud.stop()


def test_threshold_disables_the_service(tmp_path):
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', memory_mb=262144, spawn_failure_rate=1.0),
               'compute2': nltest.fake_driver(tmp_path, 'c2', spawn_failure_rate=1.0)}
    cloud = nltest.Cloud(_conf(tmp_path, threshold=2), hosts=tuple(drivers),
                         drivers=drivers).start()
    try:
        # Each boot fails on both hosts (one try each, then retries run out).
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ERROR)
        assert not _service(cloud, 'compute1').disabled
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ERROR)
        for host in drivers:
            service = nltest.wait_for(lambda h=host: _service(cloud, h).disabled and
                                      _service(cloud, h), what='%s disabled' % host)
            assert service.disabled_reason == 'Auto-disabled due to 2 build failures'
        spawns = sum(d._spawns for d in drivers.values())
        assert spawns == 4

        # ComputeFilter now removes both: NoValidHost without another spawn.
        _scheduler_view(cloud, 'compute1')      # skip the scheduler's 2 s service cache
        instance = cloud.boot()[0]
        cloud.wait_state(instance.uuid, states.ERROR)
        fault = cloud.api.get_faults([instance.uuid])[instance.uuid]
        assert 'ComputeFilter' in fault['message']
        assert sum(d._spawns for d in drivers.values()) == spawns
    finally:
        cloud.stop()


def test_threshold_zero_counts_nothing(tmp_path):
    drivers = {'compute1': nltest.fake_driver(tmp_path, 'c1', spawn_failure_rate=1.0)}
    cloud = nltest.Cloud(_conf(tmp_path, threshold=0), hosts=('compute1',),
                         drivers=drivers).start()
    try:
        for _ in range(2):
            instance = cloud.boot()[0]
            cloud.wait_state(instance.uuid, states.ERROR)
        compute = next(s for s in cloud.services if s.binary == 'novalite-compute').manager
        assert compute.tracker.failed_builds == {}
        assert _failed_builds(cloud, 'compute1') == 0
        assert not _service(cloud, 'compute1').disabled
    finally:
        cloud.stop()
