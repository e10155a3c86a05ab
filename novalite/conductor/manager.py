"""The conductor: the database on behalf of computes, and the build workflow.

``ConductorManager`` answers the DB-proxy calls computes make (they never open
the database).  ``ComputeTaskManager`` (namespace ``compute_task``) runs the
boot: retry bookkeeping, a call to the scheduler, a cast per placed instance
to its compute host; a request nobody can place ends in ERROR with a fault.
"""

import oslo_messaging as messaging
from oslo_log import log as logging

from novalite import exception
from novalite import objects
from novalite.compute import api as compute_api
from novalite.compute import states
from novalite.objects.base import str_to_dt

LOG = logging.getLogger(__name__)


class ConductorManager:
    """DB proxy endpoint for services that must not touch the database."""

    # 1.1: service_disable; 1.2: image_update, image_destroy
    target = messaging.Target(version='1.2')

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def service_get_or_create(self, ctx, host, binary, topic):
        return self.db.service_get_or_create(host, binary, topic).to_dict()

    def service_heartbeat(self, ctx, service_id):
        self.db.service_heartbeat(service_id)

    def service_disable(self, ctx, host, binary, reason):
        """Disable the service (host, binary), e.g. a compute after repeated build failures."""
        service = self.db.service_get_by_host_binary(host, binary)
        return self.db.service_update(service.id, {'disabled': True,
                                                   'disabled_reason': reason}).to_dict()

    def instance_update(self, ctx, instance_uuid, updates, expected_task_state='__unset__'):
        updates = {k: str_to_dt(v) if k.endswith('_at') else v for k, v in updates.items()}
        kwargs = {}
        if expected_task_state != '__unset__':
            kwargs['expected_task_state'] = expected_task_state
        return self.db.instance_update(instance_uuid, updates, **kwargs).to_dict()

    def instance_destroy(self, ctx, instance_uuid):
        self.db.instance_destroy(instance_uuid)

    def instance_fault_create(self, ctx, instance_uuid, code, message, details, host):
        try:
            self.db.instance_fault_create(instance_uuid, code, message, details, host)
        except Exception:  # a fault for a row deleted meanwhile is not worth an error
            LOG.info('Fault for %s not recorded: %s', instance_uuid, message)

    def instance_get_all_by_host(self, ctx, host):
        return [i.to_dict() for i in self.db.instance_get_all({'host': host})]

    def compute_node_update(self, ctx, host, nodename, values):
        self.db.compute_node_update(host, nodename, values)

    def image_update(self, ctx, image_id, values):
        """A snapshot's record once its file is written (status, location, size)."""
        return self.db.image_update(image_id, values)

    def image_destroy(self, ctx, image_id):
        self.db.image_destroy(image_id)


class ComputeTaskManager:
    """Build orchestration: schedule, then hand each instance to its host."""

    target = messaging.Target(namespace='compute_task', version='1.0')

    def __init__(self, conf, db, scheduler_api, compute_rpcapi, notifier=None):
        self.conf = conf
        self.db = db
        self.scheduler_api = scheduler_api
        self.compute_rpcapi = compute_rpcapi
        self.notifier = notifier

    def build_instances(self, ctx, instances, request_spec, filter_properties):
        instances = [objects.Instance.from_dict(i) for i in instances]
        spec = objects.RequestSpec.from_dict(request_spec)
        spec.num_instances = len(instances)
        spec.instance_uuids = [i.uuid for i in instances]
        retry = self._populate_retry(spec, filter_properties)
        if retry is not None and retry['num_attempts'] > self.conf.scheduler.max_attempts:
            reason = 'Last exception: %s' % retry.get('exc', 'unknown')
            exc = exception.MaxRetriesExceeded(reason=reason)
            for instance in instances:
                self._set_error(ctx, instance, exc)
            return
        spec.retry = retry
        try:
            # first try and every reschedule: the group as the database has it now
            spec.instance_group = self._instance_group(spec)
        except exception.NovaliteException as exc:  # group deleted, or its policy unsupported
            for instance in instances:
                self._set_error(ctx, instance, exc)
            return
        try:
            selections = self.scheduler_api.select_destinations(ctx, spec)
        except exception.NoValidHost as exc:
            LOG.info('No valid host for %s: %s', spec.instance_uuids, exc)
            for instance in instances:
                self._set_error(ctx, instance, exc)
            return
        except messaging.MessagingTimeout as exc:
            for instance in instances:
                self._set_error(ctx, instance, exception.NoValidHost(
                    reason='The scheduler did not answer: %s' % exc))
            return
        except Exception as exc:  # never leave servers in BUILD with nobody working on them
            LOG.exception('Scheduling %s failed', spec.instance_uuids)
            for instance in instances:
                self._set_error(ctx, instance, exception.NoValidHost(
                    reason='Scheduling failed: %s' % exc))
            return
        for instance, selection in zip(instances, selections):
            own_spec = objects.RequestSpec.from_dict(spec.to_dict())
            own_spec.num_instances = 1
            own_spec.instance_uuids = [instance.uuid]
            props = {'limits': selection.get('limits') or {}}
            if retry is not None:
                own_retry = {'num_attempts': retry['num_attempts'],
                             'hosts': retry['hosts'] + [[selection['host'],
                                                         selection['nodename']]]}
                own_spec.retry = own_retry
                props['retry'] = own_retry
            self.compute_rpcapi.build_and_run_instance(
                ctx, selection['host'], selection['nodename'], instance, own_spec, props,
                props['limits'])

    # Nova's setup_instance_group: a policy needs its filter (hard) or weigher (soft).
    _POLICY_PLUGINS = {
        'affinity': ('enabled_filters', 'ServerGroupAffinityFilter'),
        'anti-affinity': ('enabled_filters', 'ServerGroupAntiAffinityFilter'),
        'soft-affinity': ('weight_classes', 'ServerGroupSoftAffinityWeigher'),
        'soft-anti-affinity': ('weight_classes', 'ServerGroupSoftAntiAffinityWeigher'),
    }

    def _instance_group(self, spec):
        """RequestSpec.instance_group for the ``group`` hint (None without one)."""
        group_uuid = (spec.scheduler_hints or {}).get('group')
        if not group_uuid:
            return None
        group = self.db.instance_group_get(group_uuid)
        option, plugin = self._POLICY_PLUGINS[group.policy]
        if plugin not in getattr(self.conf.filter_scheduler, option):
            raise exception.NoValidHost(reason='The requested policy is not supported: '
                                               '%s not configured.' % plugin)
        members = self.db.instance_group_members(group_uuid)
        hosts = sorted({host for uuid, host in members.items()
                        if host and uuid not in spec.instance_uuids})
        return {'uuid': group.uuid, 'name': group.name, 'policy': group.policy,
                'rules': dict(group.rules or {}),
                'members': list(dict.fromkeys(list(members) + spec.instance_uuids)),
                'hosts': hosts}

    def _populate_retry(self, spec, filter_properties):
        """Nova's retry record; None when rescheduling is off (one attempt, or a forced host)."""
        forced = len(spec.force_hosts) == 1 or len(spec.force_nodes) == 1
        if self.conf.scheduler.max_attempts <= 1 or forced:
            return None
        previous = (filter_properties or {}).get('retry') or {}
        return {'num_attempts': previous.get('num_attempts', 0) + 1,
                'hosts': [list(h) for h in previous.get('hosts', [])],
                'exc': previous.get('exc')}

    def _set_error(self, ctx, instance, exc):
        # The fault first: a client that sees ERROR must find the reason with it.
        message = getattr(exc, 'message', str(exc))
        details = getattr(exc, 'details', None) or message
        self.db.instance_fault_create(instance.uuid, getattr(exc, 'code', 500) or 500,
                                      message, details, None)
        try:
            self.db.instance_update(instance.uuid, {'vm_state': states.ERROR,
                                                    'task_state': None},
                                    expected_task_state=[states.SCHEDULING, None])
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            return  # deleted meanwhile: nothing to mark
        if self.notifier is not None:
            self.notifier.error(ctx, 'compute_task.build_instances',
                                compute_api.notification_payload(instance))
