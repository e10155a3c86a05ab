"""The fake hypervisor: instances live in a dict; sizes, delays and failures are configurable.

It behaves like a real driver from the compute manager's point of view (power
states move, resources are claimed and released, unknown instances raise
InstanceNotFound), which makes it the driver for development, functional
tests, benchmarks and the full-stack simulator.
"""

import json
import random
import threading
import time

from oslo_config import cfg

from novalite import exception
from novalite.compute import states
from novalite.virt import interfaces

GROUP = 'fake_driver'

OPTS = [
    cfg.IntOpt('vcpus', default=16, min=1, help='vCPUs each fake node reports.'),
    cfg.IntOpt('memory_mb', default=65536, min=1, help='RAM (MB) each fake node reports.'),
    cfg.IntOpt('local_gb', default=1024, min=1, help='Disk (GB) each fake node reports.'),
    cfg.ListOpt('nodes', default=[],
                help='Node names this service manages; empty means nodes_per_host nodes '
                     'named after the host.'),
    cfg.IntOpt('nodes_per_host', default=1, min=1,
               help='Nodes each service manages when nodes is empty: one named after the '
                    'host, or HOST-node1..N (one service standing for many hypervisors, '
                    'as Nova\'s fake driver can).'),
    cfg.FloatOpt('spawn_delay', default=0.0, min=0.0,
                 help='Seconds spawn takes (simulates a real hypervisor).'),
    cfg.FloatOpt('operation_delay', default=0.0, min=0.0,
                 help='Seconds every other lifecycle operation takes.'),
    cfg.FloatOpt('spawn_failure_rate', default=0.0, min=0.0, max=1.0,
                 help='Probability that a spawn fails with a reschedulable error.'),
    cfg.IntOpt('fail_first_spawns', default=0, min=0,
               help='The first N spawns on this service fail with a reschedulable error '
                    '(deterministic failure injection for retry tests).'),
    cfg.BoolOpt('abort_builds', default=False,
                help='Every spawn fails with a non-reschedulable BuildAbortException.'),
]


def list_opts():
    return [(GROUP, OPTS)]


class FakeInstance:
    """What the fake hypervisor knows of one instance."""

    __slots__ = ('uuid', 'name', 'state', 'vcpus', 'memory_mb', 'metadata', 'vifs', 'volumes',
                 'snapshots')

    def __init__(self, instance):
        self.uuid = instance.uuid
        self.name = instance.display_name
        self.state = states.RUNNING
        self.vcpus = instance.flavor['vcpus']
        self.memory_mb = instance.flavor['memory_mb']
        self.metadata = dict(instance.metadata)
        self.vifs = {}       # MAC -> network_info entry: what is plugged into the guest
        self.volumes = {}    # mountpoint -> connection_info
        self.snapshots = []  # image ids taken


class FakeDriver(interfaces.ComputeDriver):
    """An in-memory hypervisor with configurable size, delays and failure injection.

    Options: ``[fake_driver] vcpus, memory_mb, local_gb, nodes, nodes_per_host, spawn_delay,
    operation_delay, spawn_failure_rate, fail_first_spawns, abort_builds``.
    """

    capabilities = {'has_imagecache': False, 'supports_recreate': True,
                    'supports_attach_interface': True, 'supports_attach_volume': True,
                    'supports_snapshot': True, 'reports_instance_usage': True}

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(OPTS, group=GROUP)

    def __init__(self, conf, virtapi=None):
        super().__init__(conf, virtapi)
        self.opts = conf[GROUP]
        self.instances = {}
        self._lock = threading.Lock()
        self._spawns = 0
        self._rng = random.Random()
        self._nodes = []
        self._host = None

    def init_host(self, host):
        self._host = host
        count = self.opts.nodes_per_host
        self._nodes = list(self.opts.nodes) or (
            [host] if count == 1 else ['%s-node%d' % (host, i + 1) for i in range(count)])

    def get_available_nodes(self, refresh=False):
        return list(self._nodes)

    def get_available_resource(self, nodename):
        if nodename not in self._nodes:
            return {}
        with self._lock:
            here = list(self.instances.values())
        return {
            'vcpus': self.opts.vcpus, 'memory_mb': self.opts.memory_mb,
            'local_gb': self.opts.local_gb,
            'vcpus_used': sum(i.vcpus for i in here),
            'memory_mb_used': sum(i.memory_mb for i in here), 'local_gb_used': 0,
            'hypervisor_type': 'fake', 'hypervisor_version': 1000,
            'hypervisor_hostname': nodename,
            'cpu_info': json.dumps({'arch': 'x86_64', 'model': 'fake', 'vendor': 'novalite',
                                    'topology': {'sockets': 1, 'cores': self.opts.vcpus,
                                                 'threads': 1}}),
            'disk_available_least': self.opts.local_gb,
            'supported_instances': [['x86_64', 'fake', 'hvm']],
            'host_ip': '127.0.0.1',
        }

    def get_host_ip_addr(self):
        return '127.0.0.1'

    def spawn(self, context, instance, image_meta, injected_files, admin_password,
              network_info=None, block_device_info=None):
        with self._lock:
            self._spawns += 1
            count = self._spawns
            if instance.uuid in self.instances:
                raise exception.HypervisorError(
                    reason='instance %s already exists' % instance.uuid)
        if self.opts.spawn_delay:
            time.sleep(self.opts.spawn_delay)
        if self.opts.abort_builds:
            raise exception.BuildAbortException(instance_uuid=instance.uuid,
                                                reason='fake driver configured to abort builds')
        if count <= self.opts.fail_first_spawns or (
                self.opts.spawn_failure_rate and
                self._rng.random() < self.opts.spawn_failure_rate):
            raise exception.HypervisorError(reason='injected spawn failure on %s' % self._host)
        fake = FakeInstance(instance)
        fake.vifs = {vif['address']: vif for vif in network_info or ()}
        with self._lock:
            self.instances[instance.uuid] = fake

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        self._delay()
        with self._lock:
            self.instances.pop(instance.uuid, None)

    def _get(self, instance):
        try:
            return self.instances[instance.uuid]
        except KeyError:
            raise exception.InstanceNotFound(instance_id=instance.uuid) from None

    def _set_state(self, instance, state):
        self._delay()
        with self._lock:
            self._get(instance).state = state

    def _delay(self):
        if self.opts.operation_delay:
            time.sleep(self.opts.operation_delay)

    def reboot(self, context, instance, network_info, reboot_type, block_device_info=None):
        self._set_state(instance, states.RUNNING)

    def power_off(self, instance, timeout=0, retry_interval=0):
        self._set_state(instance, states.SHUTDOWN)

    def power_on(self, context, instance, network_info, block_device_info=None):
        self._set_state(instance, states.RUNNING)

    def pause(self, instance):
        self._set_state(instance, states.PAUSED_POWER)

    def unpause(self, instance):
        self._set_state(instance, states.RUNNING)

    def suspend(self, context, instance):
        self._set_state(instance, states.SUSPENDED_POWER)

    def resume(self, context, instance, network_info, block_device_info=None):
        self._set_state(instance, states.RUNNING)

    def get_info(self, instance):
        with self._lock:
            fake = self._get(instance)
            return interfaces.InstanceInfo(state=fake.state, max_mem_kb=fake.memory_mb * 1024,
                                           mem_kb=fake.memory_mb * 1024, num_cpu=fake.vcpus)

    def list_instance_uuids(self):
        with self._lock:
            return list(self.instances)

    def get_console_output(self, context, instance):
        self._get(instance)
        return 'FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE'

    def get_vnc_console(self, context, instance):
        self._get(instance)
        return interfaces.ConsoleVNC(host='127.0.0.1', port=5900)

    def change_instance_metadata(self, context, instance, diff):
        with self._lock:
            fake = self._get(instance)
            for key, change in diff.items():
                if change[0] == '-':
                    fake.metadata.pop(key, None)
                else:
                    fake.metadata[key] = change[1]

    # -- devices: recorded, so tests can see what the manager asked for ----------------------

    def attach_interface(self, context, instance, image_meta, vif):
        with self._lock:
            fake = self._get(instance)
            if vif['address'] in fake.vifs:
                raise exception.HypervisorError(
                    reason='instance %s already has a NIC %s' % (instance.uuid, vif['address']))
            fake.vifs[vif['address']] = vif

    def detach_interface(self, context, instance, vif):
        with self._lock:
            self._get(instance).vifs.pop(vif.get('address'), None)

    def attach_volume(self, context, connection_info, instance, mountpoint, disk_bus=None,
                      device_type=None, encryption=None):
        with self._lock:
            fake = self._get(instance)
            if mountpoint in fake.volumes:
                raise exception.HypervisorError(
                    reason='device %s of instance %s is in use' % (mountpoint, instance.uuid))
            fake.volumes[mountpoint] = connection_info

    def detach_volume(self, connection_info, instance, mountpoint, encryption=None):
        with self._lock:
            self._get(instance).volumes.pop(mountpoint, None)

    def snapshot(self, context, instance, image_id, update_task_state):
        self._get(instance)
        update_task_state(task_state='image_pending_upload')
        self._delay()
        update_task_state(task_state='image_uploading', expected_state='image_pending_upload')
        with self._lock:
            self._get(instance).snapshots.append(image_id)
