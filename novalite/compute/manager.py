"""The compute manager: the RPC endpoint of a compute host, driving its virt driver.

Every state change goes through the conductor (this service never opens the
database).  Each save names the task state it expects, so a delete that lands
mid-operation makes the operation stop and clean up instead of resurrecting
the server.  Operations on one instance are serialised by a per-instance lock.
"""

import collections
import os
import threading
import time
import traceback

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_utils import excutils

from novalite import context as nl_context
from novalite import exception
from novalite.compute import notifications
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

    #: 1.1: attach_interface, detach_interface, refresh_instance_security_rules,
    #: snapshot_instance
    target = messaging.Target(version='1.1')

    def __init__(self, conf, host, driver, conductor_api, compute_task_api, network_api,
                 firewall, notifier=None):
        self.conf = conf
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.compute_task_api = compute_task_api
        #: the network service's RPC client: fixed IPs, VIFs, security rules
        self.network_api = network_api
        #: the security-group firewall of this host (novalite.network.firewall)
        self.firewall = firewall
        self.notifier = notifier
        self.tracker = resource_tracker.ResourceTracker(conf, host, driver)
        self._locks = _InstanceLocks()
        self._last_power_sync = time.monotonic()
        self._failures_lock = threading.Lock()
        self._failed_builds = 0  # consecutive, service-wide (the tracker counts per node)
        self._driver_ready = False

    # -- service hooks ----------------------------------------------------------------

    def init_host(self, ctx):
        """Connect the driver, count the instances already here, report resources.

        An unreachable hypervisor does not stop the service: it still heartbeats
        (so os-services shows it up and its node absent or stale), and each
        periodic pass tries the connection again until it works.
        """
        try:
            self.driver.init_host(self.host)
        except exception.HypervisorUnavailable as exc:
            self._driver_ready = False
            LOG.error('%s: the hypervisor is unavailable (%s); the service runs and retries '
                      'every %ds', self.host, exc.message, self.conf.periodic_interval)
            return
        self._driver_ready = True
        self.tracker.refresh_totals()
        for instance in self.conductor.instance_get_all_by_host(ctx, self.host):
            if instance.vm_state == states.BUILDING or instance.task_state == states.DELETING:
                # Interrupted by a restart: finish what can be finished, honestly.
                self._finish_interrupted(ctx, instance)
                continue
            self.tracker.track(instance)
            self._restore_networking(ctx, instance)
        self.update_available_resource(ctx)

    def _restore_networking(self, ctx, instance):
        """After a restart: plug the VIFs again and re-apply the firewall (host state may
        have been lost with the service, as Nova's init_host assumes)."""
        try:
            network_info = self.network_api.get_instance_nw_info(ctx, instance.uuid)
            if network_info:
                self.driver.plug_vifs(instance, network_info)
                self._setup_firewall(ctx, instance, network_info)
        except Exception:
            LOG.exception('Restoring the networking of %s failed', instance.uuid)

    def _finish_interrupted(self, ctx, instance):
        if instance.task_state == states.DELETING:
            self._do_terminate(ctx, instance)
            return
        self.driver.destroy(ctx, instance)
        self._release_network(ctx, instance)
        self._set_error(ctx, instance, exception.RescheduledException(
            instance_uuid=instance.uuid, reason='compute service restarted during the build'))

    def cleanup_host(self):
        """Let the driver release its hypervisor connection at service stop."""
        self.driver.cleanup_host(self.host)

    def periodic_tasks(self, ctx):
        """Run by the service every periodic_interval; the power sync on its own interval."""
        if not self._driver_ready:
            self.init_host(ctx)
            if not self._driver_ready:
                return
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
        network_info = None
        try:
            claim = self.tracker.instance_claim(instance, node, limits)
            instance = self._save(ctx, instance, {'host': self.host, 'node': node,
                                                  'task_state': states.NETWORKING},
                                  expected=[states.SCHEDULING, None])
            # From here a failure releases the network, even if the call itself failed:
            # a timed-out allocation may still have completed in the network service.
            network_info = []
            network_info = self._allocate_network(ctx, instance, request_spec)
            instance = self._save(ctx, instance, {'task_state': states.BLOCK_DEVICE_MAPPING},
                                  expected=[states.NETWORKING])
            instance = self._save(ctx, instance, {'task_state': states.SPAWNING},
                                  expected=[states.BLOCK_DEVICE_MAPPING])
            spawned = True
            self._setup_firewall(ctx, instance, network_info)
            self.driver.plug_vifs(instance, network_info)
            self.driver.spawn(ctx, instance, request_spec.get('image') or {}, [], None,
                              network_info=network_info, block_device_info=None)
            info = self.driver.get_info(instance)
            instance = self._save(ctx, instance, {
                'vm_state': states.ACTIVE, 'task_state': None, 'power_state': info.state,
                'launched_at': dt_to_str(utcnow())}, expected=[states.SPAWNING])
        except (exception.UnexpectedDeletingTaskStateError, exception.InstanceNotFound):
            # Deleted while building: undo what we did; terminate (if cast) finishes it.
            # Not counted as a failed build (Nova counts it): a user's delete says
            # nothing about this host.
            LOG.info('Instance %s was deleted during its build', instance.uuid)
            self._undo_build(ctx, instance, claim, spawned, network_info)
            self._report(ctx, node)
            return
        except exception.BuildAbortException as exc:
            self._undo_build(ctx, instance, claim, spawned, network_info)
            self._set_error(ctx, instance, exc)
            self._build_failed(node)
            self._report(ctx, node)
            return
        except self._NETWORK_ALLOCATION_ERRORS as exc:
            # The networks are the same on every host: rescheduling cannot help.
            LOG.warning('Networking for %s failed: %s', instance.uuid, exc)
            self._undo_build(ctx, instance, claim, spawned, network_info)
            self._set_error(ctx, instance, exc)
            self._report(ctx, node)
            return
        except Exception as exc:  # anything else: another host may do better
            LOG.warning('Build of %s failed on %s: %s', instance.uuid, self.host, exc)
            self._undo_build(ctx, instance, claim, spawned, network_info)
            # Counted and reported before the reschedule, so the scheduler can see it.
            self._build_failed(node)
            self._report(ctx, node)
            self._reschedule_or_error(ctx, instance, request_spec, filter_properties, exc)
            return
        self._build_succeeded(node)
        self._notify(ctx, 'instance.create.end', instance)
        self._report(ctx, node)

    _NETWORK_ALLOCATION_ERRORS = (exception.NoMoreFixedIps, exception.NoMoreNetworks,
                                  exception.NetworkNotFound, exception.FixedIpAlreadyInUse,
                                  exception.FixedIpInvalid)

    def _allocate_network(self, ctx, instance, request_spec):
        """Fixed IPs and VIFs from the network service (none if the request said so)."""
        requested = request_spec.get('requested_networks')
        if requested == []:
            return []
        return self.network_api.allocate_for_instance(
            ctx, instance.uuid, instance.project_id, self.host, requested_networks=requested)

    def _setup_firewall(self, ctx, instance, network_info):
        if not network_info:
            return
        security_info = self.network_api.get_instance_security_rules(ctx, instance.uuid)
        self.firewall.setup_instance(instance.uuid, security_info)

    def _release_network(self, ctx, instance):
        """Drop the firewall and release the server's addresses; failures are logged, not
        raised, so the rest of a cleanup still happens."""
        try:
            self.firewall.remove_instance(instance.uuid)
        except Exception:
            LOG.exception('Removing the firewall of %s failed', instance.uuid)
        try:
            self.network_api.deallocate_for_instance(ctx, instance.uuid, instance.project_id,
                                                     self.host)
        except Exception:
            LOG.exception('Releasing the network of %s failed', instance.uuid)

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

    def _undo_build(self, ctx, instance, claim, spawned, network_info=None):
        if spawned:
            try:
                self.driver.destroy(ctx, instance, network_info=network_info)
            except Exception:  # leave the error of the build as the one reported
                LOG.exception('Cleanup of %s after a failed build failed', instance.uuid)
        if network_info is not None:
            if network_info:
                try:
                    self.driver.unplug_vifs(instance, network_info)
                except Exception:
                    LOG.exception('Unplugging the VIFs of %s failed', instance.uuid)
            self._release_network(ctx, instance)
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
        network_info = self._network_info(ctx, instance)
        self.driver.destroy(ctx, instance, network_info=network_info)
        if network_info:
            self.driver.unplug_vifs(instance, network_info)
        self._release_network(ctx, instance)
        self.tracker.release(instance.uuid)
        try:
            self.conductor.instance_destroy(ctx, instance.uuid)
        except exception.InstanceNotFound:
            pass
        self._notify(ctx, 'instance.delete.end', instance)
        if instance.node:
            self._report(ctx, instance.node)

    def _network_info(self, ctx, instance):
        try:
            return self.network_api.get_instance_nw_info(ctx, instance.uuid)
        except Exception:
            LOG.exception('Reading the network info of %s failed', instance.uuid)
            return []

    # -- snapshots ------------------------------------------------------------------------------

    def snapshot_instance(self, ctx, instance, image_id):
        """Have the driver copy the root disk; the conductor activates (or drops) the image."""
        instance = self._instance(instance)
        with self._locks(instance.uuid):
            try:
                instance = self._save(ctx, instance, {'task_state': states.IMAGE_SNAPSHOT},
                                      expected=[states.IMAGE_SNAPSHOT_PENDING])
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound) as exc:
                LOG.info('Snapshot of %s abandoned: %s', instance.uuid, exc)
                self.conductor.image_destroy(ctx, image_id)
                return
            self._notify(ctx, 'instance.snapshot.start', instance)

            def update_task_state(task_state, expected_state=states.IMAGE_SNAPSHOT):
                self._save(ctx, instance, {'task_state': task_state}, expected=[expected_state])

            try:
                location = self.driver.snapshot(ctx, instance, image_id, update_task_state)
            except Exception as exc:
                # Nova: the image goes, the server stays as it was; the fault says why.
                LOG.warning('Snapshot of %s failed: %s', instance.uuid, exc)
                self.conductor.image_destroy(ctx, image_id)
                self.conductor.instance_fault_create(
                    ctx, instance.uuid, getattr(exc, 'code', 500) or 500,
                    'snapshot failed: %s' % getattr(exc, 'message', exc), None, self.host)
                try:
                    self.conductor.instance_update(ctx, instance.uuid, {'task_state': None})
                except exception.InstanceNotFound:
                    pass
                return
            values = {'status': 'active'}
            if isinstance(location, str) and location:
                values['location'] = 'file://' + location
                try:
                    values['size'] = os.path.getsize(location)
                except OSError:
                    pass
            self.conductor.image_update(ctx, image_id, values)
            try:
                instance = self._save(ctx, instance, {'task_state': None},
                                      expected=[states.IMAGE_UPLOADING])
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound) as exc:
                LOG.info('Snapshot of %s finished after a change: %s', instance.uuid, exc)
                return
            self._notify(ctx, 'instance.snapshot.end', instance)

    # -- interfaces and security groups ------------------------------------------------------

    def attach_interface(self, ctx, instance, network_uuid, requested_ip=None):
        """Allocate a VIF on ``network_uuid`` and plug it; on a driver failure, release it."""
        instance = self._instance(instance)
        with self._locks(instance.uuid):
            vif = self.network_api.allocate_interface(
                ctx, instance.uuid, instance.project_id, self.host, network_uuid,
                requested_ip=requested_ip)
            try:
                self.driver.attach_interface(ctx, instance, {}, vif)
            except Exception:
                with excutils.save_and_reraise_exception():
                    LOG.warning('Attaching interface %s to %s failed', vif['id'],
                                instance.uuid)
                    self.network_api.deallocate_interface(ctx, instance.uuid, self.host,
                                                          vif['id'])
            self._refresh_firewall(ctx, instance.uuid)
            self._notify(ctx, 'instance.interface_attach.end', instance)
            return vif

    def detach_interface(self, ctx, instance, port_id):
        """Unplug VIF ``port_id`` from the guest, then release its fixed IP."""
        instance = self._instance(instance)
        with self._locks(instance.uuid):
            vif = next((v for v in self._network_info(ctx, instance) if v['id'] == port_id),
                       None)
            if vif is None:
                raise exception.InterfaceNotFound(port_id=port_id, instance_id=instance.uuid)
            self.driver.detach_interface(ctx, instance, vif)
            self.network_api.deallocate_interface(ctx, instance.uuid, self.host, port_id)
            self._refresh_firewall(ctx, instance.uuid)
            self._notify(ctx, 'instance.interface_detach.end', instance)

    def refresh_instance_security_rules(self, ctx, instance_uuid):
        """Re-render one server's firewall chain (its groups or their rules changed)."""
        with self._locks(instance_uuid):
            self._refresh_firewall(ctx, instance_uuid)

    def _refresh_firewall(self, ctx, instance_uuid):
        if instance_uuid not in self.tracker.tracked:
            return  # not (or no longer) on this host
        security_info = self.network_api.get_instance_security_rules(ctx, instance_uuid)
        self.firewall.refresh_instance(instance_uuid, security_info)

    # -- power actions ------------------------------------------------------------------

    def reboot_instance(self, ctx, instance, reboot_type):
        instance = self._instance(instance)
        hard = reboot_type == 'HARD'
        tasks = ((states.REBOOTING_HARD, states.REBOOT_PENDING_HARD, states.REBOOT_STARTED_HARD)
                 if hard else (states.REBOOTING, states.REBOOT_PENDING, states.REBOOT_STARTED))
        with self._locks(instance.uuid):
            self._run_action(
                ctx, instance, 'reboot', tasks,
                lambda inst: self.driver.reboot(ctx, inst, self._network_info(ctx, inst),
                                                reboot_type),
                vm_state=states.ACTIVE)

    def stop_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'power_off', states.POWERING_OFF, states.STOPPED,
                            lambda inst: self.driver.power_off(
                                inst, timeout=self.conf.shutdown_timeout, retry_interval=1))

    def start_instance(self, ctx, instance):
        self._simple_action(ctx, instance, 'power_on', states.POWERING_ON, states.ACTIVE,
                            lambda inst: self.driver.power_on(
                                ctx, inst, self._network_info(ctx, inst)))

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
                            lambda inst: self.driver.resume(
                                ctx, inst, self._network_info(ctx, inst)))

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
            self.notifier.info(ctx, event, notifications.notification_payload(instance))
