"""The compute API: validation, quotas and the database record, then RPC to do the work.

The REST layer calls this; this calls the conductor (builds) or the compute
host (actions) over RPC.  State checks follow Nova: an action allowed only in
some vm_states and with no task in flight raises InstanceInvalidState (409).
"""

import base64
import binascii
import functools
import json
import re
import uuid as uuidlib

import netaddr
from oslo_log import log as logging
from oslo_utils import uuidutils

from novalite import exception
from novalite import objects
from novalite.compute import aggregates
from novalite.compute.notifications import notification_payload  # noqa: F401 (re-exported)
from novalite.compute import quotas as quota_mod
from novalite.compute import server_groups as server_groups_mod
from novalite.compute import states

LOG = logging.getLogger(__name__)

_HOSTNAME_BAD = re.compile(r'[^a-z0-9-]+')


def check_state(vm_state=None, task_state=(None,), action=None):
    """Decorator: refuse the call unless the instance is in one of these states."""
    def wrapper(func):
        name = action or func.__name__

        @functools.wraps(func)
        def inner(self, ctx, instance, *args, **kwargs):
            if vm_state is not None and instance.vm_state not in vm_state:
                raise exception.InstanceInvalidState(
                    action=name, instance_uuid=instance.uuid, attr='vm_state',
                    state=instance.vm_state)
            if task_state is not None and instance.task_state not in task_state:
                raise exception.InstanceInvalidState(
                    action=name, instance_uuid=instance.uuid, attr='task_state',
                    state=instance.task_state)
            if instance.locked and not ctx.is_admin:
                raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
            return func(self, ctx, instance, *args, **kwargs)
        return inner
    return wrapper


def _check_fixed_ip(network, fixed_ip):
    """Refuse an address that is malformed (400) or outside ``network`` (FixedIpInvalid)."""
    try:
        address = netaddr.IPAddress(fixed_ip)
    except (netaddr.AddrFormatError, ValueError):
        raise exception.Invalid(reason='Invalid fixed IP address (%s)' % fixed_ip) from None
    if address not in netaddr.IPNetwork(network['cidr']):
        raise exception.FixedIpInvalid(
            address=fixed_ip, reason='not in network %s (%s)' % (network['uuid'],
                                                                 network['cidr']))


def sanitize_hostname(name, default='server'):
    """A DNS label from a display name, as Nova does (lowercase, a-z0-9-, <= 63)."""
    host = _HOSTNAME_BAD.sub('-', (name or '').lower().replace('_', '-')).strip('-.')
    return host[:63].rstrip('-') or default


class API:
    """Server operations on behalf of an API request context."""

    def __init__(self, conf, db, conductor_api, compute_rpcapi, notifier=None):
        self.conf = conf
        self.db = db
        self.conductor_api = conductor_api
        self.compute_rpcapi = compute_rpcapi
        self.notifier = notifier
        self.quotas = quota_mod.QuotaEngine(conf, db)
        self.server_groups = server_groups_mod.ServerGroupAPI(conf, db)
        self._network_api = None
        self._security_group_api = None

    @property
    def network_api(self):
        """The network facade (networks, fixed and floating IPs) on the same DB and RPC."""
        if self._network_api is None:
            from novalite.network import api as network_api
            from novalite.network import rpcapi as network_rpcapi
            self._network_api = network_api.API(self.conf, self.db,
                                                network_rpcapi.NetworkAPI(self.conf),
                                                self.compute_rpcapi)
        return self._network_api

    @property
    def security_group_api(self):
        if self._security_group_api is None:
            from novalite.network import security_group_api
            self._security_group_api = security_group_api.SecurityGroupAPI(
                self.conf, self.db, self.compute_rpcapi)
        return self._security_group_api

    # -- create -------------------------------------------------------------------

    def create(self, ctx, *, flavor_id, image_ref, name, min_count=1, max_count=1,
               key_name=None, metadata=None, availability_zone=None, user_data=None,
               description=None, access_ip_v4=None, access_ip_v6=None, scheduler_hints=None,
               config_drive=False, tags=None, networks=None, hostname=None,
               security_groups=None):
        """Validate, check quotas, write the records, cast the build.  Returns (instances, reservation_id)."""
        min_count = min_count or 1
        max_count = max_count or min_count
        if min_count > max_count:
            raise exception.Invalid(reason='min_count must be <= max_count')
        flavor = self._get_flavor(flavor_id)
        image = self._get_image(image_ref) if image_ref else None
        if image is not None:
            self._check_image_fits(image, flavor)
        metadata = dict(metadata or {})
        self._check_metadata(ctx.project_id, metadata)
        key_data = None
        if key_name is not None:
            try:
                key_data = self.db.keypair_get(ctx.user_id, key_name)['public_key']
            except exception.KeypairNotFound:
                raise exception.Invalid(reason='Invalid key_name provided.') from None
        if user_data is not None:
            try:
                base64.b64decode(user_data, validate=True)
            except (binascii.Error, ValueError):
                raise exception.Invalid(reason='Userdata content cannot be decoded.') from None
        availability_zone, forced_host, forced_node = self._parse_az(ctx, availability_zone)
        requested_networks = self._check_requested_networks(ctx, networks, max_count)
        security_group_ids = self._check_security_groups(ctx, security_groups)
        scheduler_hints = normalize_scheduler_hints(scheduler_hints)
        group = None
        if scheduler_hints.get('group'):
            group = self.server_groups.get_for_hint(ctx, scheduler_hints['group'])

        per_instance = {'instances': 1, 'cores': flavor.vcpus, 'ram': flavor.memory_mb}
        count = self.quotas.max_count_allowed(ctx.project_id, per_instance, max_count)
        if count < min_count:
            # Nova's message names what ran out for the minimum asked for.
            self.quotas.check_deltas(ctx.project_id, {k: v * min_count
                                                      for k, v in per_instance.items()})
        if group is not None:
            self.server_groups.check_members(ctx, group, count)
        reservation_id = 'r-' + uuidlib.uuid4().hex[:8]
        flavor_snapshot = {
            'flavorid': flavor.flavorid, 'name': flavor.name, 'memory_mb': flavor.memory_mb,
            'vcpus': flavor.vcpus, 'root_gb': flavor.root_gb, 'ephemeral_gb': flavor.ephemeral_gb,
            'swap': flavor.swap, 'rxtx_factor': flavor.rxtx_factor,
            'extra_specs': dict(flavor.extra_specs or {})}
        instances = []
        for index in range(count):
            display = name if count == 1 else '%s-%d' % (name, index + 1)
            instances.append(objects.Instance(
                uuid=str(uuidlib.uuid4()), display_name=display,
                display_description=description, user_id=ctx.user_id,
                project_id=ctx.project_id, flavor=flavor_snapshot,
                image_ref=image['id'] if image else '', vm_state=states.BUILDING,
                task_state=states.SCHEDULING, power_state=states.NOSTATE,
                availability_zone=availability_zone, key_name=key_name, key_data=key_data,
                metadata=dict(metadata), reservation_id=reservation_id, launch_index=index,
                hostname=hostname if hostname and count == 1 else sanitize_hostname(display),
                user_data=user_data, config_drive='True' if config_drive else '',
                access_ip_v4=access_ip_v4, access_ip_v6=access_ip_v6, tags=list(tags or [])))
        if group is None:
            self.db.instances_create(instances)
        else:
            # servers and membership in one transaction (the member quota rechecked there)
            self.db.instances_create(instances, group.uuid,
                                     self.server_groups.member_limit(ctx, group))
        self.security_group_api.populate_instances(ctx, [i.uuid for i in instances],
                                                    security_group_ids)
        for inst in instances:
            self._notify(ctx, 'instance.create.start', inst)
        spec = objects.RequestSpec(
            flavor=flavor_snapshot, project_id=ctx.project_id, user_id=ctx.user_id,
            num_instances=len(instances), instance_uuids=[i.uuid for i in instances],
            image=dict(image or {}), availability_zone=availability_zone,
            scheduler_hints=scheduler_hints,
            force_hosts=[forced_host] if forced_host else [],
            force_nodes=[forced_node] if forced_node else [],
            requested_networks=requested_networks)
        self.conductor_api.build_instances(ctx, instances, spec)
        return instances, reservation_id

    def _check_requested_networks(self, ctx, networks, max_count):
        """None (default networks), [] (none) or [{uuid, fixed_ip}] checked against the DB."""
        if not networks:
            return networks
        requested = []
        for entry in networks:
            net_uuid, fixed_ip = entry.get('uuid'), entry.get('fixed_ip')
            if not uuidutils.is_uuid_like(net_uuid):
                raise exception.Invalid(reason='Bad networks format: network uuid is not in '
                                               'proper format (%s)' % net_uuid)
            try:
                network = self.network_api.get(ctx, net_uuid)
            except exception.NetworkNotFound:
                raise exception.Invalid(reason='Network %s could not be found.'
                                               % net_uuid) from None
            if fixed_ip is not None:
                if max_count > 1:
                    raise exception.Invalid(reason='max_count cannot be greater than 1 if a '
                                                   'fixed_ip is specified.')
                _check_fixed_ip(network, fixed_ip)
            requested.append({'uuid': net_uuid, 'fixed_ip': fixed_ip})
        return requested

    def _check_security_groups(self, ctx, names):
        """The ids of the groups a new server joins (``default`` when none), all existing."""
        try:
            return self.security_group_api.resolve_names(ctx, names)
        except exception.SecurityGroupNotFound as exc:
            raise exception.Invalid(reason="Unable to find security_group with name or id "
                                           "'%s'" % exc.kwargs['security_group_id']) from None

    def _get_flavor(self, flavor_id):
        try:
            flavor = self.db.flavor_get(flavor_id)
        except exception.FlavorNotFound:
            raise exception.Invalid(reason='Flavor %s could not be found.' % flavor_id) from None
        if flavor.disabled:
            raise exception.Invalid(reason='Flavor %s is disabled.' % flavor_id)
        return flavor

    def _get_image(self, image_ref):
        image_id = image_ref.rstrip('/').rsplit('/', 1)[-1]
        try:
            image = self.db.image_get(image_id)
        except exception.ImageNotFound:
            raise exception.Invalid(reason='Image %s could not be found.' % image_ref) from None
        if image['status'] != 'active':
            raise exception.Invalid(reason='Image %s is not active.' % image_id)
        return image

    @staticmethod
    def _check_image_fits(image, flavor):
        if flavor.memory_mb < (image.get('min_ram') or 0):
            raise exception.Invalid(reason="Flavor's memory is too small for requested image.")
        if flavor.root_gb and flavor.root_gb < (image.get('min_disk') or 0):
            raise exception.Invalid(reason="Flavor's disk is too small for requested image.")
        size_gb = (image.get('size') or 0) / (1024 ** 3)
        if flavor.root_gb and size_gb > flavor.root_gb:
            raise exception.Invalid(reason="Flavor's disk is too small for requested image.")

    def _check_metadata(self, project_id, metadata):
        limit = self.quotas.get_limits(project_id)['metadata_items']
        if 0 <= limit < len(metadata):
            raise exception.QuotaExceeded(reason='Maximum number of metadata items exceeds %d'
                                          % limit)
        for key, value in metadata.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 255:
                raise exception.Invalid(reason='Metadata property key must be 1-255 characters')
            if not isinstance(value, str) or len(value) > 255:
                raise exception.Invalid(reason='Metadata property value must be a string of '
                                               'at most 255 characters')

    def _parse_az(self, ctx, availability_zone):
        """Nova's ``zone:host:node`` form: forcing a host is admin-only.

        Without a forced host the zone must be one a server can land in (that of
        an enabled compute host, or the default zone), else 400 as in Nova.
        """
        if not availability_zone:
            zone, host, node = self.conf.default_schedule_zone, None, None
        else:
            zone, _, rest = availability_zone.partition(':')
            host, _, node = rest.partition(':')
            if (host or node) and not ctx.is_admin:
                raise exception.PolicyNotAuthorized(
                    action='os_compute_api:servers:create:forced_host')
            zone, host, node = zone or None, host or None, node or None
        if zone and host is None and zone not in aggregates.available_zones(self.conf, self.db):
            raise exception.Invalid('The requested availability zone is not available')
        return zone, host, node

    # -- read ---------------------------------------------------------------------

    def get(self, ctx, instance_uuid):
        instance = self.db.instance_get(instance_uuid)
        if not ctx.is_admin and instance.project_id != ctx.project_id:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return instance

    def get_all(self, ctx, filters, limit=None, marker=None, sort_key='created_at',
                sort_dir='desc'):
        filters = dict(filters or {})
        if not ctx.is_admin:
            filters['project_id'] = ctx.project_id
        return self.db.instance_get_all(filters, sort_key=sort_key, sort_dir=sort_dir,
                                        limit=limit, marker=marker)

    def get_faults(self, instance_uuids):
        return self.db.instance_fault_get_latest(instance_uuids)

    # -- update / delete ------------------------------------------------------------

    _UPDATABLE = {'display_name', 'display_description', 'access_ip_v4', 'access_ip_v6',
                  'hostname'}

    def update(self, ctx, instance, **values):
        unknown = set(values) - self._UPDATABLE
        if unknown:
            raise exception.Invalid(reason='Cannot update %s' % ', '.join(sorted(unknown)))
        updated = self.db.instance_update(instance.uuid, values)
        self._notify(ctx, 'instance.update', updated)
        return updated

    def delete(self, ctx, instance):
        """Delete in any state: at once if never placed, else through its compute host."""
        if instance.locked and not ctx.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
        self._notify(ctx, 'instance.delete.start', instance)
        if not instance.host:
            # Never reached a host (still scheduling, or failed to): nothing to undo there.
            # Marking it deleting first makes a build racing with us abort on its next save.
            try:
                self.db.instance_update(instance.uuid, {'task_state': states.DELETING})
            except exception.InstanceNotFound:
                return
            current = self.db.instance_get(instance.uuid)
            if not current.host:
                self.db.instance_destroy(instance.uuid)
                self._notify(ctx, 'instance.delete.end', current)
                return
            instance = current
        instance = self.db.instance_update(instance.uuid, {'task_state': states.DELETING})
        self.compute_rpcapi.terminate_instance(ctx, instance)

    # -- actions ----------------------------------------------------------------------

    def reboot(self, ctx, instance, reboot_type):
        if reboot_type == 'SOFT':
            return self._soft_reboot(ctx, instance)
        return self._hard_reboot(ctx, instance)

    @check_state(vm_state=states.ALLOW_SOFT_REBOOT, action='reboot')
    def _soft_reboot(self, ctx, instance):
        instance = self._set_task(instance, states.REBOOTING, [None])
        self.compute_rpcapi.reboot_instance(ctx, instance, 'SOFT')

    @check_state(vm_state=states.ALLOW_HARD_REBOOT, task_state=states.HARD_REBOOT_TASKS,
                 action='reboot')
    def _hard_reboot(self, ctx, instance):
        instance = self._set_task(instance, states.REBOOTING_HARD, states.HARD_REBOOT_TASKS)
        self.compute_rpcapi.reboot_instance(ctx, instance, 'HARD')

    @check_state(vm_state=[states.ACTIVE, states.ERROR], action='stop')
    def stop(self, ctx, instance):
        if not instance.host:
            raise exception.InstanceInvalidState(action='stop', instance_uuid=instance.uuid,
                                                 attr='host', state=None)
        instance = self._set_task(instance, states.POWERING_OFF, [None])
        self.compute_rpcapi.stop_instance(ctx, instance)

    @check_state(vm_state=[states.STOPPED], action='start')
    def start(self, ctx, instance):
        instance = self._set_task(instance, states.POWERING_ON, [None])
        self.compute_rpcapi.start_instance(ctx, instance)

    @check_state(vm_state=[states.ACTIVE], action='pause')
    def pause(self, ctx, instance):
        instance = self._set_task(instance, states.PAUSING, [None])
        self.compute_rpcapi.pause_instance(ctx, instance)

    @check_state(vm_state=[states.PAUSED], action='unpause')
    def unpause(self, ctx, instance):
        instance = self._set_task(instance, states.UNPAUSING, [None])
        self.compute_rpcapi.unpause_instance(ctx, instance)

    @check_state(vm_state=[states.ACTIVE], action='suspend')
    def suspend(self, ctx, instance):
        instance = self._set_task(instance, states.SUSPENDING, [None])
        self.compute_rpcapi.suspend_instance(ctx, instance)

    @check_state(vm_state=[states.SUSPENDED], action='resume')
    def resume(self, ctx, instance):
        instance = self._set_task(instance, states.RESUMING, [None])
        self.compute_rpcapi.resume_instance(ctx, instance)

    def _set_task(self, instance, task_state, expected):
        try:
            return self.db.instance_update(instance.uuid, {'task_state': task_state},
                                           expected_task_state=expected)
        except exception.UnexpectedTaskStateError as exc:
            raise exception.InstanceInvalidState(
                action=task_state, instance_uuid=instance.uuid, attr='task_state',
                state=exc.kwargs.get('actual')) from None

    # -- snapshots (createImage) ---------------------------------------------------------------

    @check_state(vm_state=[states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED],
                 action='createImage')
    def snapshot(self, ctx, instance, name, metadata=None):
        """Record a queued image and cast the snapshot to the host; returns the image."""
        metadata = dict(metadata or {})
        self._check_metadata(ctx.project_id, metadata)
        source = {}
        if instance.image_ref:
            try:
                source = self.db.image_get(instance.image_ref)
            except exception.ImageNotFound:
                source = {}
        properties = {k: v for k, v in (source.get('properties') or {}).items()}
        properties.update(metadata)
        properties.update({'image_type': 'snapshot', 'instance_uuid': instance.uuid,
                           'base_image_ref': instance.image_ref, 'user_id': ctx.user_id})
        image = self.db.image_create({
            'name': name, 'status': 'queued', 'visibility': 'private',
            'owner': ctx.project_id, 'disk_format': source.get('disk_format', 'qcow2'),
            'container_format': source.get('container_format', 'bare'),
            'min_disk': instance.flavor.get('root_gb', 0),
            'min_ram': source.get('min_ram', 0), 'properties': properties})
        try:
            instance = self._set_task(instance, states.IMAGE_SNAPSHOT_PENDING, [None])
        except exception.InstanceInvalidState:
            self.db.image_destroy(image['id'])
            raise
        self.compute_rpcapi.snapshot_instance(ctx, instance, image['id'])
        return image

    # -- interfaces (os-interface) ------------------------------------------------------------

    _INTERFACE_STATES = [states.ACTIVE, states.PAUSED, states.STOPPED]

    def list_interfaces(self, ctx, instance):
        """The server's VIFs (network_info entries), from the info cache."""
        return self.network_api.get_instance_nw_info(ctx, instance.uuid)

    @check_state(vm_state=_INTERFACE_STATES, action='attach_interface')
    def attach_interface(self, ctx, instance, network_id, requested_ip=None):
        """A new VIF with a fixed IP of ``network_id``, plugged by the compute host."""
        if not network_id:
            raise exception.Invalid(reason='A network must be given (net_id): this cloud '
                                           'has no ports.')
        network = self.network_api.get(ctx, network_id)
        if requested_ip is not None:
            _check_fixed_ip(network, requested_ip)
        return self.compute_rpcapi.attach_interface(ctx, instance, network_id, requested_ip)

    @check_state(vm_state=_INTERFACE_STATES, action='detach_interface')
    def detach_interface(self, ctx, instance, port_id):
        if not any(vif['id'] == port_id for vif in self.list_interfaces(ctx, instance)):
            raise exception.InterfaceNotFound(port_id=port_id, instance_id=instance.uuid)
        self.compute_rpcapi.detach_interface(ctx, instance, port_id)

    # -- metadata -----------------------------------------------------------------------

    _METADATA_STATES = [states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED]

    @check_state(vm_state=_METADATA_STATES, action='update_metadata')
    def update_metadata(self, ctx, instance, metadata, delete=False):
        """Merge ``metadata`` into the server's (replace it all when ``delete``)."""
        new = dict(metadata) if delete else {**instance.metadata, **metadata}
        self._check_metadata(instance.project_id, new)
        self._save_metadata(ctx, instance, new)
        return new

    @check_state(vm_state=_METADATA_STATES, action='delete_metadata')
    def delete_metadata_item(self, ctx, instance, key):
        if key not in instance.metadata:
            raise exception.MetadataItemNotFound()
        new = dict(instance.metadata)
        del new[key]
        self._save_metadata(ctx, instance, new)

    def _save_metadata(self, ctx, instance, new):
        old = instance.metadata
        updated = self.db.instance_update(instance.uuid, {'metadata': new})
        diff = {k: ['+', v] for k, v in new.items() if old.get(k) != v}
        diff.update({k: ['-'] for k in old if k not in new})
        if diff and updated.host:
            self.compute_rpcapi.change_instance_metadata(ctx, updated, diff)

    # -- notifications --------------------------------------------------------------------

    def _notify(self, ctx, event, instance):
        if self.notifier is not None:
            self.notifier.info(ctx, event, notification_payload(instance))


def normalize_scheduler_hints(hints):
    """The hints as the RequestSpec carries them: ``same_host``/``different_host``
    always lists, ``query`` a JSON string; other hints pass through unchanged
    (Nova hands them to out-of-tree filters)."""
    hints = dict(hints or {})
    for key in ('same_host', 'different_host'):
        if isinstance(hints.get(key), str):
            hints[key] = [hints[key]]
    if isinstance(hints.get('query'), (dict, list)):
        hints['query'] = json.dumps(hints['query'])
    return hints


def build(conf, db):
    """A compute API wired to the configured transport (used by the API app)."""
    from novalite import rpc
    from novalite.compute import rpcapi as compute_rpcapi
    from novalite.conductor import rpcapi as conductor_rpcapi
    notifier = rpc.get_notifier(conf, 'compute-api.%s' % conf.host)
    return API(conf, db, conductor_rpcapi.ComputeTaskAPI(conf),
               compute_rpcapi.ComputeAPI(conf), notifier=notifier)
