"""The compute manager: the RPC endpoint of a compute host, driving its virt driver.

Every state change goes through the conductor (this service never opens the
database).  Each save names the task state it expects, so a delete that lands
mid-operation makes the operation stop and clean up instead of resurrecting
the server.  Operations on one instance are serialised by a per-instance lock.
"""

import collections
import threading
import time
import traceback

import oslo_messaging as messaging
from oslo_log import log as logging

from novalite import context as nl_context
from novalite import exception
from novalite.compute import api as compute_api
from novalite.compute import resource_tracker
from novalite.compute import states
from novalite.objects.base import dt_to_str
from novalite.utils import utcnow

LOG = logging.getLogger(__name__)

_ONE_SHOT = object()

#: the binary whose service record this manager disables (novalite.cmd.compute.BINARY)
BINARY = 'novalite-compute'


class _InstanceLocks:
    """A lock per instance uuid, dropped when nobody holds or waits for it."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks = {}
        self._users = collections.Counter()

    def __call__(self, key):
        return _Held(self, key)


class _Held:
    def __init__(self, owner, key):
        self.owner, self.key = owner, key

    def __enter__(self):
        with self.owner._guard:
            lock = self.owner._locks.setdefault(self.key, threading.Lock())
            self.owner._users[self.key] += 1
        lock.acquire()

    def __exit__(self, *exc):
        with self.owner._guard:
            self.owner._locks[self.key].release()
            self.owner._users[self.key] -= 1
            if not self.owner._users[self.key]:
                del self.owner._users[self.key]
                del self.owner._locks[self.key]


class ComputeManager:
    """Builds, runs and deletes the servers placed on this host."""

    target = messaging.Target(version='1.0')

    def __init__(self, conf, host, driver, conductor_api, compute_task_api, notifier=None):
        self.conf = conf
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.compute_task_api = compute_task_api
        self.notifier = notifier
        self.tracker = resource_tracker.ResourceTracker(conf, host, driver)
        self._locks = _InstanceLocks()
        self._last_power_sync = time.monotonic()
        self._failures_lock = threading.Lock()
        self._failed_builds = 0  # consecutive, service-wide (the tracker counts per node)

    # -- service hooks ----------------------------------------------------------------

    def init_host(self, ctx):
        """Connect the driver, count the instances already here, report resources."""
        self.driver.init_host(self.host)
        self.tracker.refresh_totals()
        for instance in self.conductor.instance_get_all_by_host(ctx, self.host):
            if instance.vm_state == states.BUILDING or instance.task_state == states.DELETING:
                # Interrupted by a restart: finish what can be finished, honestly.
                self._finish_interrupted(ctx, instance)
                continue
            self.tracker.track(instance)
        self.update_available_resource(ctx)

    def _finish_interrupted(self, ctx, instance):
        if instance.task_state == states.DELETING:
            self._do_terminate(ctx, instance)
            return
        self.driver.destroy(ctx, instance)
        self._set_error(ctx, instance, exception.RescheduledException(
            instance_uuid=instance.uuid, reason='compute service restarted during the build'))

    def cleanup_host(self):
        """Let the driver release its hypervisor connection at service stop."""
        self.driver.cleanup_host(self.host)

    def periodic_tasks(self, ctx):
        """Run by the service every periodic_interval; the power sync on its own interval."""
        self.update_available_resource(ctx)
        interval = self.conf.sync_power_state_interval
        now = time.monotonic()
        if interval >= 0 and now - self._last_power_sync >= interval:
            self._last_power_sync = now
            self._sync_power_states(ctx)

    def update_available_resource(self, ctx):
        """Report every node's totals and usage to the conductor (compute_nodes)."""
        self.tracker.refresh_totals()
        for nodename in list(self.tracker.totals):
            self._report(ctx, nodename)

    def _report(self, ctx, nodename):
        values = self.tracker.node_report(nodename)
        if values is not None:
            self.conductor.compute_node_update(ctx, self.host, nodename, values)

    # -- build ----------------------------------------------------------------------------

    def build_and_run_instance(self, ctx, instance, request_spec, filter_properties, limits,
                               node=None):
        """Claim, then networking -> block_device_mapping -> spawning -> active."""
        instance = self._instance(instance)
        node = node or self.driver.get_available_nodes()[0]
        with self._locks(instance.uuid):
            self._build(ctx, instance, request_spec, filter_properties or {}, limits or {},
                        node)

    def _build(self, ctx, instance, request_spec, filter_properties, limits, node):
        claim = None
        spawned = False
        try:
            claim = self.tracker.instance_claim(instance, node, limits)
            instance = self._save(ctx, instance, {'host': self.host, 'node': node,
                                                  'task_state': states.NETWORKING},
                                  expected=[states.SCHEDULING, None])
            instance = self._save(ctx, instance, {'task_state': states.BLOCK_DEVICE_MAPPING},
                                  expected=[states.NETWORKING])
            instance = self._save(ctx, instance, {'task_state': states.SPAWNING},
                                  expected=[states.BLOCK_DEVICE_MAPPING])
            spawned = True
            self.driver.spawn(ctx, instance, request_spec.get('image') or {}, [], None,
                              network_info=[], block_device_info=None)
            info = self.driver.get_info(instance)
            instance = self._save(ctx, instance, {
                'vm_state': states.ACTIVE, 'task_state': None, 'power_state': info.state,
                'launched_at': dt_to_str(utcnow())}, expected=[states.SPAWNING])
        except (exception.UnexpectedDeletingTaskStateError, exception.InstanceNotFound):
            # Deleted while building: undo what we did; terminate (if cast) finishes it.
            # Not counted as a failed build (Nova counts it): a user's delete says
            # nothing about this host.
            LOG.info('Instance %s was deleted during its build', instance.uuid)
            self._undo_build(ctx, instance, claim, spawned)
            self._report(ctx, node)
            return
        except exception.BuildAbortException as exc:
            self._undo_build(ctx, instance, claim, spawned)
            self._set_error(ctx, instance, exc)
            self._build_failed(node)
            self._report(ctx, node)
            return
        except Exception as exc:  # anything else: another host may do better
            LOG.warning('Build of %s failed on %s: %s', instance.uuid, self.host, exc)
            self._undo_build(ctx, instance, claim, spawned)
            # Counted and reported before the reschedule, so the scheduler can see it.
            self._build_failed(node)
            self._report(ctx, node)
            self._reschedule_or_error(ctx, instance, request_spec, filter_properties, exc)
            return
        self._build_succeeded(node)
        self._notify(ctx, 'instance.create.end', instance)
        self._report(ctx, node)

    def _build_failed(self, node):
        """Nova: count the failure for the scheduler; disable this service at the threshold."""
        threshold = self.conf.compute.consecutive_build_service_disable_threshold
        if not threshold:
            return
        self.tracker.build_failed(node)
        with self._failures_lock:
            self._failed_builds += 1
            failures = self._failed_builds
            if failures >= threshold:
                # Start afresh when an operator enables the service again.
                self._failed_builds = 0
        if failures < threshold:
            if failures > 1:
                LOG.warning('%d consecutive build failures on %s', failures, self.host)
            return
        LOG.error('Disabling service %s on %s due to %d consecutive build failures',
                  BINARY, self.host, failures)
        try:
            self.conductor.service_disable(nl_context.get_admin_context(), self.host, BINARY,
                                           'Auto-disabled due to %d build failures' % failures)
        except Exception:  # the build's own outcome must still be handled
            LOG.exception('Could not disable service %s on %s', BINARY, self.host)

    def _build_succeeded(self, node):
        if not self.conf.compute.consecutive_build_service_disable_threshold:
            return
        self.tracker.build_succeeded(node)
        with self._failures_lock:
            self._failed_builds = 0

    def _undo_build(self, ctx, instance, claim, spawned):
        if spawned:
            try:
                self.driver.destroy(ctx, instance)
            except Exception:  # leave the error of the build as the one reported
                LOG.exception('Cleanup of %s after a failed build failed', instance.uuid)
        if claim is not None:
            claim.abort()

    def _reschedule_or_error(self, ctx, instance, request_spec, filter_properties, exc):
        retry = filter_properties.get('retry')
        if not retry:
            self._set_error(ctx, instance, exc)
            return
        retry = dict(retry, exc=str(exc))
        try:
            instance = self._save(ctx, instance, {'task_state': states.SCHEDULING,
                                                  'host': None, 'node': None},
                                  expected=[states.SCHEDULING, states.NETWORKING,
                                            states.BLOCK_DEVICE_MAPPING, states.SPAWNING, None])
        except (exception.UnexpectedDeletingTaskStateError, exception.InstanceNotFound):
            return
        from novalite import objects
        spec = objects.RequestSpec.from_dict(request_spec)
        spec.num_instances = 1
        spec.instance_uuids = [instance.uuid]
        LOG.info('Rescheduling %s (attempt %d failed on %s: %s)', instance.uuid,
                 retry.get('num_attempts', 1), self.host, exc)
        self.compute_task_api.build_instances(ctx, [instance], spec, {'retry': retry})

    def _set_error(self, ctx, instance, exc):
        # The fault first: a client that sees ERROR must find the reason with it.
        code = getattr(exc, 'code', 500) or 500
        self.conductor.instance_fault_create(
            ctx, instance.uuid, code, getattr(exc, 'message', str(exc)),
            ''.join(traceback.format_exception_only(type(exc), exc)), self.host)
        try:
            self.conductor.instance_update(ctx, instance.uuid, {
                'vm_state': states.ERROR, 'task_state': None})
        except exception.InstanceNotFound:
            return
        self._notify(ctx, 'instance.create.error', instance)

    # -- delete ---------------------------------------------------------------------------

    def terminate_instance(self, ctx, instance):
        instance = self._instance(instance)
        with self._locks(instance.uuid):
            self._do_terminate(ctx, instance)

    def _do_terminate(self, ctx, instance):
        self.driver.destroy(ctx, instance)
        self.tracker.release(instance.uuid)
        try:
            self.conductor.instance_destroy(ctx, instance.uuid)
        except exception.InstanceNotFound:
            pass
        self._notify(ctx, 'instance.delete.end', instance)
        if instance.node:
            self._report(ctx, instance.node)

    # -- power actions ------------------------------------------------------------------

    def reboot_instance(self, ctx, instance, reboot_type):
        instance = self._instance(instance)
        hard = reboot_type == 'HARD'
        tasks = ((states.REBOOTING_HARD, states.REBOOT_PENDING_HARD, states.REBOOT_STARTED_HARD)
                 if hard else (states.REBOOTING, states.REBOOT_PENDING, states.REBOOT_STARTED))
        with self._locks(instance.uuid):
            self._run_action(
                ctx, instance, 'reboot', tasks,
                lambda inst: self.driver.reboot(ctx, inst, [], reboot_type),
                vm_state=states.ACTIVE)

    def stop_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'power_off', states.POWERING_OFF, states.STOPPED,
                            lambda inst: self.driver.power_off(
                                inst, timeout=self.conf.shutdown_timeout, retry_interval=1))

    def start_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'power_on', states.POWERING_ON, states.ACTIVE,
                            lambda inst: self.driver.power_on(ctx, inst, []))

    def pause_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'pause', states.PAUSING, states.PAUSED,
                            lambda inst: self.driver.pause(inst))

    def unpause_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'unpause', states.UNPAUSING, states.ACTIVE,
                            lambda inst: self.driver.unpause(inst))

    def suspend_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'suspend', states.SUSPENDING, states.SUSPENDED,
                            lambda inst: self.driver.suspend(ctx, inst))

    def resume_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'resume', states.RESUMING, states.ACTIVE,
                            lambda inst: self.driver.resume(ctx, inst, []))

    def _simple_action(self, ctx, instance, name, task_state, vm_state, call):
        instance = self._instance(instance)
        with self._locks(instance.uuid):
            self._run_action(ctx, instance, name, (task_state,), call, vm_state=vm_state)

    def _run_action(self, ctx, instance, name, tasks, call, vm_state):
        """Walk the task states in ``tasks``, call the driver, land in ``vm_state``/None.

        A driver failure leaves the server in ERROR with a fault naming the action.
        """
        try:
            for previous, task in zip(tasks, tasks[1:]):
                instance = self._save(ctx, instance, {'task_state': task}, expected=[previous])
            self._notify(ctx, 'instance.%s.start' % name, instance)
            try:
                call(instance)
                power = self.driver.get_info(instance).state
            except Exception as exc:
                LOG.exception('%s of %s failed', name, instance.uuid)
                self._action_failed(ctx, instance, name, exc)
                return
            if name == 'reboot' and instance.vm_state == states.STOPPED:
                vm_state = states.ACTIVE
            instance = self._save(ctx, instance, {'vm_state': vm_state, 'task_state': None,
                                                  'power_state': power},
                                  expected=[tasks[-1]])
            self._notify(ctx, 'instance.%s.end' % name, instance)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound) as exc:
            LOG.info('%s of %s stopped: %s', name, instance.uuid, exc)

    def _action_failed(self, ctx, instance, name, exc):
        self.conductor.instance_fault_create(
            ctx, instance.uuid, getattr(exc, 'code', 500) or 500,
            '%s failed: %s' % (name, getattr(exc, 'message', exc)), None, self.host)
        try:
            self.conductor.instance_update(ctx, instance.uuid, {'vm_state': states.ERROR,
                                                                'task_state': None})
        except exception.InstanceNotFound:
            return

    def change_instance_metadata(self, ctx, instance, diff):
        instance = self._instance(instance)
        try:
            self.driver.change_instance_metadata(ctx, instance, diff)
        except exception.InstanceNotFound:
            LOG.info('Metadata change for %s: not on this hypervisor', instance.uuid)

    # -- periodic: power-state sync ---------------------------------------------------------

    def _sync_power_states(self, ctx):
        """Align the database with what the hypervisor reports (Nova's rules, no task in flight)."""
        known = set(self.driver.list_instance_uuids())
        for instance in self.conductor.instance_get_all_by_host(ctx, self.host):
            if instance.task_state is not None or instance.vm_state == states.BUILDING:
                continue
            if instance.uuid in known:
                power = self.driver.get_info(instance).state
            else:
                power = states.NOSTATE
            if power == instance.power_state:
                continue
            updates = {'power_state': power}
            if instance.vm_state == states.ACTIVE and power in (
                    states.SHUTDOWN, states.CRASHED, states.SUSPENDED_POWER, states.NOSTATE):
                updates['vm_state'] = states.STOPPED
            try:
                self.conductor.instance_update(ctx, instance.uuid, updates,
                                               expected_task_state=[None])
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                continue

    # -- helpers ------------------------------------------------------------------------------

    def _instance(self, data):
        from novalite import objects
        return objects.Instance.from_dict(data) if isinstance(data, dict) else data

    def _save(self, ctx, instance, updates, expected=_ONE_SHOT):
        if expected is _ONE_SHOT:
            return self.conductor.instance_update(ctx, instance.uuid, updates)
        return self.conductor.instance_update(ctx, instance.uuid, updates,
                                              expected_task_state=expected)

    def _notify(self, ctx, event, instance):
        if self.notifier is not None:
            self.notifier.info(ctx, event, compute_api.notification_payload(instance))
