"""The virt driver conformance kit: pytest checks of the ComputeDriver contract.

Any driver, built-in or third-party, runs the whole contract by subclassing
:class:`DriverConformance` in one of its test modules under a name pytest
collects and saying how to build the driver::

    from novalite.virt import testing

    class TestMyDriverConformance(testing.DriverConformance):
        def make_driver(self):
            conf = ...                      # a ConfigOpts with the driver's options
            return MyDriver(conf)

The base class name does not start with ``Test``, so pytest never collects the
kit on its own, only its subclasses.  Other hooks (``make_instance``,
``make_image_meta``, ``reset_peer``, ``inject_spawn_failure``, ``host``) have
defaults a subclass may override.  Checks of an operation the driver declares
unsupported in its ``capabilities`` (``supports_pause``, ``supports_suspend``,
``supports_console_output``, ``supports_vnc_console``,
``supports_attach_interface``, ``supports_attach_volume``, ``supports_snapshot``,
``reports_instance_usage``; see ``ComputeDriver.has_capability``) are skipped
with the reason.

This module needs pytest; it is imported by tests only, never by a service.
"""

import json
import uuid

import pytest

from novalite import exception
from novalite import objects
from novalite.compute import states
from novalite.virt import interfaces

#: the keys of get_available_resource and the types each value may have
RESOURCE_TYPES = {
    'vcpus': (int,), 'memory_mb': (int,), 'local_gb': (int,),
    'vcpus_used': (int,), 'memory_mb_used': (int,), 'local_gb_used': (int,),
    'hypervisor_type': (str,), 'hypervisor_version': (int,),
    'hypervisor_hostname': (str,), 'cpu_info': (str,),
    'disk_available_least': (int, type(None)), 'supported_instances': (list,),
    'host_ip': (str, type(None)),
}

#: the power-state integers get_info may report
POWER_STATES = frozenset(states.POWER_STATE_NAMES)

_NOT_FOUND_CALLS = {
    'power_off': lambda d, ctx, inst: d.power_off(inst),
    'power_on': lambda d, ctx, inst: d.power_on(ctx, inst, []),
    'pause': lambda d, ctx, inst: d.pause(inst),
    'unpause': lambda d, ctx, inst: d.unpause(inst),
    'suspend': lambda d, ctx, inst: d.suspend(ctx, inst),
    'resume': lambda d, ctx, inst: d.resume(ctx, inst, []),
    'reboot_soft': lambda d, ctx, inst: d.reboot(ctx, inst, [], 'SOFT'),
    'reboot_hard': lambda d, ctx, inst: d.reboot(ctx, inst, [], 'HARD'),
}

# which capability an operation needs, for the unknown-instance checks
_NEEDS = {'pause': 'supports_pause', 'unpause': 'supports_pause',
          'suspend': 'supports_suspend', 'resume': 'supports_suspend'}


class DriverConformance:
    """The ComputeDriver contract as pytest tests; subclass it as ``Test...``.

    Hooks:

    * ``make_driver()`` (required): a new, constructed driver.  The kit calls
      ``init_host(self.host)`` before each test and ``cleanup_host`` after.
    * ``make_instance(**fields)``: a :class:`novalite.objects.Instance` the
      driver can spawn (default: a new uuid and a 1 vCPU / 512 MB / 1 GB flavor).
    * ``make_image_meta()``: the image registry dict spawn receives.
    * ``reset_peer()``: put the hypervisor (or its simulator) back in a clean
      state after each test (default: nothing).
    * ``inject_spawn_failure(driver)``: make the next spawn fail in the
      hypervisor and return True; the default returns False and the check that
      a failed spawn leaves nothing behind is skipped.
    * ``make_vif(index)``: one network_info entry for the interface checks.
    * ``make_volume_connection_info(tmp_path)``: a volume the driver can attach
      (default: a 1 MiB local file, ``driver_volume_type`` ``file``).
    """

    #: the host name passed to init_host
    host = 'conformance-host'

    # -- hooks ------------------------------------------------------------------------

    def make_driver(self):
        raise TypeError('%s must define make_driver() (the kit\'s one required hook)'
                        % type(self).__name__)

    def make_instance(self, **fields):
        instance_uuid = str(uuid.uuid4())
        values = {
            'uuid': instance_uuid, 'display_name': 'conformance-%s' % instance_uuid[:8],
            'user_id': 'conformance', 'project_id': 'conformance',
            'flavor': {'flavorid': '1', 'name': 'm1.tiny', 'memory_mb': 512, 'vcpus': 1,
                       'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'extra_specs': {}},
            'image_ref': 'conformance-image', 'host': self.host, 'node': None,
            'vm_state': states.BUILDING, 'task_state': states.SPAWNING,
        }
        values.update(fields)
        return objects.Instance(**values)

    def make_image_meta(self):
        return {'id': 'conformance-image', 'name': 'conformance', 'status': 'active',
                'disk_format': 'qcow2', 'container_format': 'bare', 'size': 1 << 20,
                'min_disk': 0, 'min_ram': 0, 'properties': {'architecture': 'x86_64'}}

    def reset_peer(self):
        """Called after each test, after the kit destroyed what it spawned."""

    def make_vif(self, index=1):
        """One network_info entry (a VIF on a bridge) for the interface checks."""
        return {'id': str(uuid.UUID(int=index)), 'address': 'fa:16:3e:00:00:%02x' % index,
                'type': 'bridge', 'devname': 'tap%011d' % index,
                'network': {'id': str(uuid.UUID(int=1000 + index)), 'label': 'kit',
                            'bridge': 'br100', 'bridge_interface': None, 'vlan': None,
                            'multi_host': False, 'injected': False, 'mtu': None,
                            'subnets': [{'cidr': '10.0.0.0/24', 'version': 4,
                                         'gateway': '10.0.0.1', 'dns': [],
                                         'ips': [{'address': '10.0.0.%d' % (index + 2),
                                                  'type': 'fixed', 'version': 4,
                                                  'floating_ips': []}]}]}}

    def make_volume_connection_info(self, tmp_path):
        """A ``connection_info`` the driver can attach (default: a local file volume)."""
        path = tmp_path / 'volume.img'
        path.write_bytes(b'\0' * (1 << 20))
        return {'driver_volume_type': 'file', 'serial': str(uuid.uuid4()),
                'data': {'device_path': str(path)}}

    def inject_spawn_failure(self, driver):
        return False

    # -- fixtures ---------------------------------------------------------------------

    @pytest.fixture
    def driver(self):
        driver = self.make_driver()
        assert isinstance(driver, interfaces.ComputeDriver), (
            'make_driver() must return a ComputeDriver, not %r' % (driver,))
        driver.init_host(self.host)
        self._spawned = []
        try:
            yield driver
        finally:
            try:
                for instance in self._spawned:
                    driver.destroy(None, instance)
            finally:
                driver.cleanup_host(self.host)
                self.reset_peer()

    @pytest.fixture
    def ctx(self):
        # Drivers receive the request context opaquely; none of the contract reads it.
        return None

    def spawn(self, driver, ctx, instance=None):
        """Spawn a new (or the given) instance; the fixture destroys it after the test."""
        instance = instance or self.make_instance()
        self._spawned.append(instance)
        driver.spawn(ctx, instance, self.make_image_meta(), [], None,
                     network_info=[], block_device_info=None)
        return instance

    @pytest.fixture
    def running(self, driver, ctx):
        return self.spawn(driver, ctx)

    def state(self, driver, instance):
        return driver.get_info(instance).state

    def require(self, driver, capability):
        if not driver.has_capability(capability):
            pytest.skip('%s declares %s=False' % (type(driver).__name__, capability))

    def require_override(self, driver, method):
        if getattr(type(driver), method) is getattr(interfaces.ComputeDriver, method):
            pytest.skip('%s keeps the base %s (not supported)' % (type(driver).__name__,
                                                                   method))

    # -- construction and host ------------------------------------------------------

    def test_capabilities_are_a_dict_of_bools(self, driver):
        assert isinstance(driver.capabilities, dict)
        bad = {k: v for k, v in driver.capabilities.items() if not isinstance(v, bool)}
        assert not bad, 'capabilities must map names to bools: %s' % bad

    def test_available_nodes_are_names(self, driver):
        nodes = driver.get_available_nodes()
        assert nodes and all(isinstance(n, str) and n for n in nodes), nodes
        assert driver.get_available_nodes(refresh=True) == nodes

    def test_available_resource_keys_and_types(self, driver):
        for node in driver.get_available_nodes():
            resources = driver.get_available_resource(node)
            missing = sorted(set(RESOURCE_TYPES) - set(resources))
            assert not missing, 'get_available_resource(%r) lacks %s' % (node, missing)
            for key, types in RESOURCE_TYPES.items():
                # bool is an int subclass; a True vcpus count is a bug, not a number
                assert isinstance(resources[key], types) and not isinstance(
                    resources[key], bool), '%s=%r is not %s' % (key, resources[key], types)
            for key in ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                        'local_gb_used'):
                assert resources[key] >= 0, '%s=%r' % (key, resources[key])
            assert resources['vcpus'] > 0 and resources['memory_mb'] > 0
            assert isinstance(json.loads(resources['cpu_info']), dict)
            for entry in resources['supported_instances']:
                assert isinstance(entry, (list, tuple)) and len(entry) == 3, entry
                assert all(isinstance(part, str) for part in entry), entry

    def test_available_resource_of_unknown_node_is_empty(self, driver):
        assert driver.get_available_resource('no-such-node-%s' % uuid.uuid4().hex) == {}

    def test_host_ip_and_overhead(self, driver):
        ip = driver.get_host_ip_addr()
        assert ip is None or isinstance(ip, str)
        overhead = driver.estimate_instance_overhead(self.make_instance())
        assert {'memory_mb', 'vcpus', 'disk_gb'} <= set(overhead)
        assert all(isinstance(v, int) and v >= 0 for v in overhead.values()), overhead

    def test_usage_reflects_spawned_instances(self, driver, ctx):
        self.require(driver, 'reports_instance_usage')
        node = driver.get_available_nodes()[0]
        before = driver.get_available_resource(node)
        instance = self.spawn(driver, ctx)
        during = driver.get_available_resource(node)
        flavor = instance.flavor
        assert during['vcpus_used'] - before['vcpus_used'] >= flavor['vcpus']
        assert during['memory_mb_used'] - before['memory_mb_used'] >= flavor['memory_mb']
        driver.destroy(ctx, instance)
        after = driver.get_available_resource(node)
        assert after['vcpus_used'] == before['vcpus_used']
        assert after['memory_mb_used'] == before['memory_mb_used']
        assert after['local_gb_used'] == before['local_gb_used']

    # -- spawn, get_info, list ---------------------------------------------------------

    def test_spawn_ends_running(self, driver, running):
        info = driver.get_info(running)
        assert isinstance(info, interfaces.InstanceInfo)
        assert info.state == states.RUNNING
        for field in ('max_mem_kb', 'mem_kb', 'num_cpu', 'cpu_time_ns'):
            value = getattr(info, field)
            assert isinstance(value, int) and value >= 0, (field, value)

    def test_spawn_of_an_existing_instance_is_a_hypervisor_error(self, driver, ctx, running):
        with pytest.raises(exception.HypervisorError):
            driver.spawn(ctx, running, self.make_image_meta(), [], None, network_info=[])
        assert self.state(driver, running) == states.RUNNING

    def test_get_info_of_unknown_instance_raises_not_found(self, driver):
        with pytest.raises(exception.InstanceNotFound):
            driver.get_info(self.make_instance())

    def test_list_instance_uuids_and_instance_exists(self, driver, ctx):
        first, second = self.spawn(driver, ctx), self.spawn(driver, ctx)
        listed = driver.list_instance_uuids()
        assert isinstance(listed, list)
        assert {first.uuid, second.uuid} <= set(listed)
        assert len(listed) == len(set(listed)), 'duplicates in %s' % listed
        assert driver.instance_exists(first) is True
        assert driver.instance_exists(self.make_instance()) is False
        driver.destroy(ctx, first)
        assert first.uuid not in driver.list_instance_uuids()
        assert second.uuid in driver.list_instance_uuids()
        assert driver.instance_exists(first) is False

    def test_failed_spawn_leaves_nothing_behind(self, driver, ctx):
        if not self.inject_spawn_failure(driver):
            pytest.skip('inject_spawn_failure() is not provided for this driver')
        instance = self.make_instance()
        with pytest.raises((exception.HypervisorError, exception.ComputeResourcesUnavailable,
                            exception.BuildAbortException, exception.InstanceInvalidState)):
            self.spawn(driver, ctx, instance)
        assert instance.uuid not in driver.list_instance_uuids()
        with pytest.raises(exception.InstanceNotFound):
            driver.get_info(instance)

    # -- destroy -----------------------------------------------------------------------

    def test_destroy_removes_the_instance(self, driver, ctx, running):
        driver.destroy(ctx, running)
        assert running.uuid not in driver.list_instance_uuids()
        with pytest.raises(exception.InstanceNotFound):
            driver.get_info(running)

    def test_destroy_is_idempotent(self, driver, ctx, running):
        driver.destroy(ctx, running)
        driver.destroy(ctx, running)
        driver.destroy(ctx, self.make_instance())

    @pytest.mark.parametrize('how', ['power_off', 'pause', 'suspend'])
    def test_destroy_from_any_power_state(self, driver, ctx, running, how):
        if how in _NEEDS:
            self.require(driver, _NEEDS[how])
        _NOT_FOUND_CALLS[how](driver, ctx, running)
        driver.destroy(ctx, running)
        assert running.uuid not in driver.list_instance_uuids()

    # -- power transitions ------------------------------------------------------------

    def test_power_off_and_on(self, driver, ctx, running):
        driver.power_off(running)
        assert self.state(driver, running) == states.SHUTDOWN
        driver.power_off(running)           # already off: succeeds
        assert self.state(driver, running) == states.SHUTDOWN
        driver.power_on(ctx, running, [])
        assert self.state(driver, running) == states.RUNNING
        driver.power_on(ctx, running, [])   # already on: succeeds
        assert self.state(driver, running) == states.RUNNING

    def test_clean_power_off_with_timeout(self, driver, running):
        driver.power_off(running, timeout=5, retry_interval=1)
        assert self.state(driver, running) == states.SHUTDOWN

    def test_pause_and_unpause(self, driver, running):
        self.require(driver, 'supports_pause')
        driver.pause(running)
        assert self.state(driver, running) == states.PAUSED_POWER
        driver.pause(running)
        assert self.state(driver, running) == states.PAUSED_POWER
        driver.unpause(running)
        assert self.state(driver, running) == states.RUNNING
        driver.unpause(running)
        assert self.state(driver, running) == states.RUNNING

    def test_suspend_and_resume(self, driver, ctx, running):
        self.require(driver, 'supports_suspend')
        driver.suspend(ctx, running)
        assert self.state(driver, running) == states.SUSPENDED_POWER
        driver.suspend(ctx, running)
        assert self.state(driver, running) == states.SUSPENDED_POWER
        driver.resume(ctx, running, [])
        assert self.state(driver, running) == states.RUNNING
        driver.resume(ctx, running, [])
        assert self.state(driver, running) == states.RUNNING

    @pytest.mark.parametrize('reboot_type', ['SOFT', 'HARD'])
    def test_reboot_of_a_running_instance(self, driver, ctx, running, reboot_type):
        driver.reboot(ctx, running, [], reboot_type)
        assert self.state(driver, running) == states.RUNNING

    @pytest.mark.parametrize('start', ['power_off', 'pause', 'suspend'])
    def test_hard_reboot_recovers_any_state(self, driver, ctx, running, start):
        """The API allows a HARD reboot from stopped, paused and suspended: it ends RUNNING."""
        if start in _NEEDS:
            self.require(driver, _NEEDS[start])
        _NOT_FOUND_CALLS[start](driver, ctx, running)
        driver.reboot(ctx, running, [], 'HARD')
        assert self.state(driver, running) == states.RUNNING

    def test_get_info_reports_a_known_power_state(self, driver, ctx, running):
        assert self.state(driver, running) in POWER_STATES
        driver.power_off(running)
        assert self.state(driver, running) in POWER_STATES

    @pytest.mark.parametrize('operation', sorted(_NOT_FOUND_CALLS))
    def test_operations_on_unknown_instance_raise_not_found(self, driver, ctx, operation):
        if operation in _NEEDS:
            self.require(driver, _NEEDS[operation])
        with pytest.raises(exception.InstanceNotFound):
            _NOT_FOUND_CALLS[operation](driver, ctx, self.make_instance())

    # -- consoles ------------------------------------------------------------------------

    def test_vnc_console(self, driver, ctx, running):
        self.require(driver, 'supports_vnc_console')
        self.require_override(driver, 'get_vnc_console')
        console = driver.get_vnc_console(ctx, running)
        assert isinstance(console, interfaces.ConsoleVNC)
        assert isinstance(console.host, str) and console.host
        assert isinstance(console.port, int) and 0 < console.port < 65536
        assert console.internal_access_path is None or isinstance(
            console.internal_access_path, str)
        with pytest.raises(exception.InstanceNotFound):
            driver.get_vnc_console(ctx, self.make_instance())

    def test_console_output(self, driver, ctx, running):
        self.require(driver, 'supports_console_output')
        self.require_override(driver, 'get_console_output')
        assert isinstance(driver.get_console_output(ctx, running), str)
        with pytest.raises(exception.InstanceNotFound):
            driver.get_console_output(ctx, self.make_instance())

    # -- devices and snapshots ------------------------------------------------------------

    def test_attach_and_detach_interface(self, driver, ctx, running):
        self.require(driver, 'supports_attach_interface')
        vif = self.make_vif()
        driver.attach_interface(ctx, running, self.make_image_meta(), vif)
        assert self.state(driver, running) == states.RUNNING
        driver.detach_interface(ctx, running, vif)
        driver.detach_interface(ctx, running, vif)      # gone already: quiet
        with pytest.raises(exception.InstanceNotFound):
            driver.attach_interface(ctx, self.make_instance(), self.make_image_meta(), vif)

    def test_attach_and_detach_volume(self, driver, ctx, running, tmp_path):
        self.require(driver, 'supports_attach_volume')
        connection_info = self.make_volume_connection_info(tmp_path)
        driver.attach_volume(ctx, connection_info, running, '/dev/vdb')
        assert self.state(driver, running) == states.RUNNING
        driver.detach_volume(connection_info, running, '/dev/vdb')
        driver.detach_volume(connection_info, running, '/dev/vdb')   # quiet
        with pytest.raises(exception.InstanceNotFound):
            driver.attach_volume(ctx, connection_info, self.make_instance(), '/dev/vdb')

    def test_snapshot_walks_the_upload_task_states(self, driver, ctx, running):
        self.require(driver, 'supports_snapshot')
        seen = []

        def update_task_state(task_state, expected_state=None):
            seen.append((task_state, expected_state))

        driver.snapshot(ctx, running, str(uuid.uuid4()), update_task_state)
        assert seen == [('image_pending_upload', None),
                        ('image_uploading', 'image_pending_upload')]
        assert self.state(driver, running) == states.RUNNING
        with pytest.raises(exception.InstanceNotFound):
            driver.snapshot(ctx, self.make_instance(), str(uuid.uuid4()), update_task_state)

    def test_unsupported_device_operations_say_so(self, driver, ctx, running, tmp_path):
        """A driver that keeps a base device method raises NotSupportedByDriver (501)."""
        calls = {
            'attach_interface': lambda: driver.attach_interface(
                ctx, running, self.make_image_meta(), self.make_vif()),
            'detach_interface': lambda: driver.detach_interface(ctx, running, self.make_vif()),
            'attach_volume': lambda: driver.attach_volume(
                ctx, self.make_volume_connection_info(tmp_path), running, '/dev/vdb'),
            'detach_volume': lambda: driver.detach_volume({}, running, '/dev/vdb'),
            'snapshot': lambda: driver.snapshot(ctx, running, 'x', lambda **kw: None),
        }
        kept = [m for m in calls
                if getattr(type(driver), m) is getattr(interfaces.ComputeDriver, m)]
        if not kept:
            pytest.skip('%s implements every device operation' % type(driver).__name__)
        for method in kept:
            with pytest.raises(exception.NotSupportedByDriver):
                calls[method]()

    def test_unsupported_consoles_say_so(self, driver, ctx, running):
        """A driver that keeps a base console method raises NotSupportedByDriver (501)."""
        kept = [m for m in ('get_vnc_console', 'get_console_output')
                if getattr(type(driver), m) is getattr(interfaces.ComputeDriver, m)]
        if not kept:
            pytest.skip('%s implements both consoles' % type(driver).__name__)
        for method in kept:
            with pytest.raises(exception.NotSupportedByDriver):
                getattr(driver, method)(ctx, running)
