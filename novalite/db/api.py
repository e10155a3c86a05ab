"""The database query API: every read and write of novalite's tables goes through here.

Statements are SQLAlchemy Core on the ORM tables (fast, explicit); results come
back as the dataclasses of ``novalite.objects``.  Conditional updates
(``expected_task_state``) are single UPDATE statements so two services racing
on one instance cannot both win.
"""

import contextlib
import re
import threading
import uuid as uuidlib

import sqlalchemy as sa

from novalite import exception
from novalite import objects
from novalite.db import aggregates as db_aggregates
from novalite.db import engine as db_engine
from novalite.db import instance_groups as db_instance_groups
from novalite.db import models
from novalite.db import networks as db_networks
from novalite.db import security_groups as db_security_groups
from novalite.db.common import _row, retry_on_deadlock  # noqa: F401 (re-exported)
from novalite.utils import utcnow

_UNSET = object()

T_SERVICES = models.Service.__table__
T_NODES = models.ComputeNode.__table__
T_FLAVORS = models.Flavor.__table__
T_IMAGES = models.Image.__table__
T_KEYPAIRS = models.KeyPair.__table__
T_INSTANCES = models.Instance.__table__
T_FAULTS = models.InstanceFault.__table__
T_QUOTAS = models.Quota.__table__
T_SG_INSTANCES = models.SecurityGroupInstanceAssociation.__table__
T_INFO_CACHES = models.InstanceInfoCache.__table__

# Instance columns that only the DB layer manages.
_INSTANCE_SORT_KEYS = {'created_at', 'updated_at', 'display_name', 'uuid', 'vm_state',
                       'host', 'launched_at', 'id'}


def _instance(row):
    data = dict(row._mapping)
    data['metadata'] = data.get('metadata') or {}
    return objects.Instance.from_dict(data)


def _as_list(value):
    if value is None:
        return [None]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


class Database(db_aggregates.AggregatesMixin, db_instance_groups.InstanceGroupsMixin,
               db_networks.NetworksMixin, db_security_groups.SecurityGroupsMixin):
    """Query API over one SQLAlchemy engine."""

    def __init__(self, conf=None, url=None, engine=None):
        if engine is None:
            url = url or db_engine.connection_url(conf)
            kwargs = {}
            if conf is not None:
                kwargs = dict(echo=conf.database.connection_debug,
                              pool_size=conf.database.max_pool_size,
                              max_overflow=conf.database.max_overflow)
            engine = db_engine.create_engine(url, **kwargs)
        self.engine = engine
        # SQLite allows one writer at a time and makes the others sleep in its busy
        # handler (1, 2, 5 ... 100 ms steps) however soon the lock frees; queueing the
        # writers of this process on a lock instead wakes the next one at once.
        self._write_lock = (threading.Lock() if engine.dialect.name == 'sqlite'
                            else contextlib.nullcontext())

    @contextlib.contextmanager
    def _write(self):
        """A write transaction (serialised within the process on SQLite)."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    def dispose(self):
        self.engine.dispose()

    # -- services -----------------------------------------------------------------

    @retry_on_deadlock
    def service_get_or_create(self, host, binary, topic):
        """Return the service row for (host, binary), creating it on first start."""
        with self._write() as conn:
            row = conn.execute(sa.select(T_SERVICES).where(
                T_SERVICES.c.host == host, T_SERVICES.c.binary == binary)).first()
            if row is not None:
                return objects.Service.from_dict(_row(row))
            now = utcnow()
            try:
                conn.execute(T_SERVICES.insert().values(
                    uuid=str(uuidlib.uuid4()), host=host, binary=binary, topic=topic,
                    report_count=0, disabled=False, forced_down=False,
                    created_at=now, updated_at=now, last_seen_up=now))
            except sa.exc.IntegrityError:
                pass  # another process registered it first
        return self.service_get_by_host_binary(host, binary)

    def service_get_by_host_binary(self, host, binary):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_SERVICES).where(
                T_SERVICES.c.host == host, T_SERVICES.c.binary == binary)).first()
        if row is None:
            raise exception.ComputeHostNotFound(host=host)
        return objects.Service.from_dict(_row(row))

    @retry_on_deadlock
    def service_heartbeat(self, service_id):
        """Record a heartbeat: bump report_count and the timestamps liveness reads."""
        now = utcnow()
        with self._write() as conn:
            result = conn.execute(T_SERVICES.update().where(T_SERVICES.c.id == service_id).values(
                report_count=T_SERVICES.c.report_count + 1, updated_at=now, last_seen_up=now))
        if result.rowcount == 0:
            raise exception.ServiceNotFound(service_id=service_id)

    def service_get(self, service_id):
        col = T_SERVICES.c.uuid if isinstance(service_id, str) and not service_id.isdigit() \
            else T_SERVICES.c.id
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_SERVICES).where(col == service_id)).first()
        if row is None:
            raise exception.ServiceNotFound(service_id=service_id)
        return objects.Service.from_dict(_row(row))

    def service_get_all(self, binary=None, host=None):
        query = sa.select(T_SERVICES).order_by(T_SERVICES.c.id)
        if binary is not None:
            query = query.where(T_SERVICES.c.binary == binary)
        if host is not None:
            query = query.where(T_SERVICES.c.host == host)
        with self.engine.connect() as conn:
            return [objects.Service.from_dict(_row(r)) for r in conn.execute(query)]

    @retry_on_deadlock
    def service_update(self, service_id, values):
        with self._write() as conn:
            conn.execute(T_SERVICES.update().where(T_SERVICES.c.id == service_id).values(
                **values, updated_at=utcnow()))
        return self.service_get(service_id)

    @retry_on_deadlock
    def service_delete(self, service_id):
        with self._write() as conn:
            svc = conn.execute(sa.select(T_SERVICES).where(T_SERVICES.c.id == service_id)).first()
            if svc is None:
                raise exception.ServiceNotFound(service_id=service_id)
            conn.execute(T_SERVICES.delete().where(T_SERVICES.c.id == service_id))
            if svc.binary == 'novalite-compute':
                conn.execute(T_NODES.update().where(T_NODES.c.host == svc.host).values(deleted=True))

    # -- compute nodes ------------------------------------------------------------

    @retry_on_deadlock
    def compute_node_update(self, host, nodename, values):
        """Create or update the node (host, nodename) with the resources its compute reports."""
        values = dict(values)
        values.pop('id', None)
        values.pop('created_at', None)
        values['updated_at'] = utcnow()
        values['deleted'] = False
        where = (T_NODES.c.host == host, T_NODES.c.hypervisor_hostname == nodename)
        with self._write() as conn:
            result = conn.execute(T_NODES.update().where(*where).values(**values))
            if result.rowcount == 0:
                values.setdefault('uuid', str(uuidlib.uuid4()))
                values.update(host=host, hypervisor_hostname=nodename, created_at=values['updated_at'])
                try:
                    conn.execute(T_NODES.insert().values(**values))
                except sa.exc.IntegrityError:
                    values.pop('uuid'), values.pop('created_at')
                    conn.execute(T_NODES.update().where(*where).values(**values))
            row = conn.execute(sa.select(T_NODES).where(*where)).first()
        return objects.ComputeNode.from_dict(_row(row))

    def compute_node_get_all(self, updated_since=None):
        query = sa.select(T_NODES).where(T_NODES.c.deleted == sa.false()).order_by(T_NODES.c.id)
        if updated_since is not None:
            query = query.where(T_NODES.c.updated_at > updated_since)
        with self.engine.connect() as conn:
            return [objects.ComputeNode.from_dict(_row(r)) for r in conn.execute(query)]

    def compute_node_get(self, node_id):
        col = T_NODES.c.id if isinstance(node_id, int) or str(node_id).isdigit() else T_NODES.c.uuid
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_NODES).where(
                col == node_id, T_NODES.c.deleted == sa.false())).first()
        if row is None:
            raise exception.ComputeNodeNotFound(node=node_id)
        return objects.ComputeNode.from_dict(_row(row))

    # -- flavors ------------------------------------------------------------------

    @retry_on_deadlock
    def flavor_create(self, values):
        values = dict(values)
        values.pop('id', None)
        values.setdefault('extra_specs', {})
        now = utcnow()
        values['created_at'] = now
        with self._write() as conn:
            for col in ('flavorid', 'name'):
                if conn.execute(sa.select(T_FLAVORS.c.id).where(
                        T_FLAVORS.c[col] == values[col])).first() is not None:
                    raise exception.FlavorExists(what='ID' if col == 'flavorid' else 'name',
                                                 value=values[col])
            conn.execute(T_FLAVORS.insert().values(**values))
        return self.flavor_get(values['flavorid'])

    def flavor_get(self, flavorid):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_FLAVORS).where(
                T_FLAVORS.c.flavorid == str(flavorid))).first()
        if row is None:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return objects.Flavor.from_dict(_row(row))

    def flavor_get_all(self, is_public=True, min_memory_mb=None, min_root_gb=None,
                       sort_key='flavorid', sort_dir='asc', limit=None, marker=None):
        """Flavors, filtered; ``is_public=None`` means all."""
        query = sa.select(T_FLAVORS).where(T_FLAVORS.c.disabled == sa.false())
        if is_public is not None:
            query = query.where(T_FLAVORS.c.is_public == bool(is_public))
        if min_memory_mb is not None:
            query = query.where(T_FLAVORS.c.memory_mb >= min_memory_mb)
        if min_root_gb is not None:
            query = query.where(T_FLAVORS.c.root_gb >= min_root_gb)
        with self.engine.connect() as conn:
            flavors = [objects.Flavor.from_dict(_row(r)) for r in conn.execute(query)]
        flavors.sort(key=lambda f: _sort_value(getattr(f, sort_key)), reverse=sort_dir == 'desc')
        return _paginate(flavors, 'flavorid', marker, limit, exception.FlavorNotFound,
                         'flavor_id')

    def flavor_delete(self, flavorid):
        with self._write() as conn:
            result = conn.execute(T_FLAVORS.delete().where(T_FLAVORS.c.flavorid == str(flavorid)))
        if result.rowcount == 0:
            raise exception.FlavorNotFound(flavor_id=flavorid)

    def flavor_update(self, flavorid, values):
        with self._write() as conn:
            result = conn.execute(T_FLAVORS.update().where(
                T_FLAVORS.c.flavorid == str(flavorid)).values(**values, updated_at=utcnow()))
        if result.rowcount == 0:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return self.flavor_get(flavorid)

    # -- images -------------------------------------------------------------------

    def image_create(self, values):
        values = dict(values)
        values.setdefault('id', str(uuidlib.uuid4()))
        values['created_at'] = values['updated_at'] = utcnow()
        with self._write() as conn:
            conn.execute(T_IMAGES.insert().values(**values))
        return self.image_get(values['id'])

    def image_update(self, image_id, values):
        values = dict(values, updated_at=utcnow())
        with self._write() as conn:
            result = conn.execute(T_IMAGES.update().where(T_IMAGES.c.id == str(image_id))
                                  .values(**values))
        if result.rowcount == 0:
            raise exception.ImageNotFound(image_id=image_id)
        return self.image_get(image_id)

    def image_destroy(self, image_id):
        with self._write() as conn:
            conn.execute(T_IMAGES.delete().where(T_IMAGES.c.id == str(image_id)))

    def image_get(self, image_id):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_IMAGES).where(T_IMAGES.c.id == str(image_id))).first()
        if row is None:
            raise exception.ImageNotFound(image_id=image_id)
        return _row(row)

    def image_get_all(self, limit=None, marker=None):
        with self.engine.connect() as conn:
            images = [_row(r) for r in conn.execute(
                sa.select(T_IMAGES).order_by(T_IMAGES.c.created_at, T_IMAGES.c.id))]
        return _paginate(images, 'id', marker, limit, exception.ImageNotFound, 'image_id',
                         getter=dict.get)

    # -- key pairs ----------------------------------------------------------------

    @retry_on_deadlock
    def keypair_create(self, user_id, name, public_key, fingerprint, key_type='ssh'):
        now = utcnow()
        with self._write() as conn:
            try:
                conn.execute(T_KEYPAIRS.insert().values(
                    user_id=user_id, name=name, public_key=public_key, fingerprint=fingerprint,
                    type=key_type, created_at=now))
            except sa.exc.IntegrityError:
                raise exception.KeyPairExists(key_name=name) from None
        return self.keypair_get(user_id, name)

    def keypair_get(self, user_id, name):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_KEYPAIRS).where(
                T_KEYPAIRS.c.user_id == user_id, T_KEYPAIRS.c.name == name)).first()
        if row is None:
            raise exception.KeypairNotFound(name=name, user_id=user_id)
        return _row(row)

    def keypair_get_all(self, user_id, limit=None, marker=None):
        with self.engine.connect() as conn:
            keys = [_row(r) for r in conn.execute(sa.select(T_KEYPAIRS).where(
                T_KEYPAIRS.c.user_id == user_id).order_by(T_KEYPAIRS.c.name))]
        return _paginate(keys, 'name', marker, limit, exception.KeypairNotFound, 'name',
                         getter=dict.get, extra={'user_id': user_id})

    def keypair_count(self, user_id):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(T_KEYPAIRS).where(
                T_KEYPAIRS.c.user_id == user_id)).scalar_one()

    def keypair_delete(self, user_id, name):
        with self._write() as conn:
            result = conn.execute(T_KEYPAIRS.delete().where(
                T_KEYPAIRS.c.user_id == user_id, T_KEYPAIRS.c.name == name))
        if result.rowcount == 0:
            raise exception.KeypairNotFound(name=name, user_id=user_id)

    # -- instances ----------------------------------------------------------------

    @retry_on_deadlock
    def instances_create(self, instances, group_uuid=None, max_members=-1):
        """Insert several new instances in one transaction (a multi-create is all or nothing).

        With ``group_uuid`` they join that server group in the same transaction:
        over the ``server_group_members`` quota ``max_members`` (QuotaExceeded)
        or for a group deleted meanwhile (NotFound) no server is created.
        """
        now = utcnow()
        rows = []
        for inst in instances:
            data = inst.to_dict()
            data.pop('id', None)
            data['created_at'] = data['updated_at'] = now
            data['vcpus'] = inst.flavor['vcpus']
            data['memory_mb'] = inst.flavor['memory_mb']
            for key in ('launched_at', 'terminated_at', 'deleted_at'):
                data[key] = getattr(inst, key)
            rows.append(data)
        with self._write() as conn:
            if group_uuid is not None:
                group_id = self._lock_group(conn, group_uuid)
                self._add_members(conn, group_id, [i.uuid for i in instances], max_members)
            conn.execute(T_INSTANCES.insert(), rows)
        for inst in instances:
            inst.created_at = inst.updated_at = now
        return instances

    def instance_get(self, instance_uuid, read_deleted=False):
        query = sa.select(T_INSTANCES).where(T_INSTANCES.c.uuid == instance_uuid)
        if not read_deleted:
            query = query.where(T_INSTANCES.c.deleted == sa.false())
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return _instance(row)

    def instance_get_locations(self, instance_uuids):
        """``{uuid: (host, node)}`` of the given live instances that have a host.

        Deleted, unknown and not yet scheduled instances are left out: the
        scheduler asks where the servers a request refers to are.
        """
        uuids = list(instance_uuids)
        if not uuids:
            return {}
        query = sa.select(T_INSTANCES.c.uuid, T_INSTANCES.c.host, T_INSTANCES.c.node).where(
            T_INSTANCES.c.uuid.in_(uuids), T_INSTANCES.c.deleted == sa.false(),
            T_INSTANCES.c.host.is_not(None))
        with self.engine.connect() as conn:
            return {uuid: (host, node) for uuid, host, node in conn.execute(query)}

    def instance_get_all(self, filters=None, sort_key='created_at', sort_dir='desc',
                         limit=None, marker=None):
        """Instances matching ``filters`` (exact-match columns, plus ``name`` as a regex,
        ``changes-since`` as a datetime, ``deleted`` bool, ``uuid`` list), newest first."""
        filters = dict(filters or {})
        query = sa.select(T_INSTANCES)
        deleted = filters.pop('deleted', False)
        if deleted is not None:
            query = query.where(T_INSTANCES.c.deleted == bool(deleted))
        name = filters.pop('name', None)
        since = filters.pop('changes-since', None)
        if since is not None:
            query = query.where(T_INSTANCES.c.updated_at >= since)
        for key, value in filters.items():
            col = T_INSTANCES.c[key]
            values = _as_list(value)
            if values == [None]:
                query = query.where(col.is_(None))
            else:
                query = query.where(col.in_(values))
        if sort_key not in _INSTANCE_SORT_KEYS:
            raise exception.Invalid(reason='Invalid sort_key %s' % sort_key)
        column = T_INSTANCES.c[sort_key]
        desc = sort_dir == 'desc'
        query = query.order_by(column.desc() if desc else column.asc(),
                               T_INSTANCES.c.id.desc() if desc else T_INSTANCES.c.id.asc())
        if name:
            # A regex cannot run in every database: filter and page in Python.
            with self.engine.connect() as conn:
                instances = [_instance(r) for r in conn.execute(query)]
            try:
                pattern = re.compile(name)
            except re.error:
                pattern = re.compile(re.escape(name))
            instances = [i for i in instances if pattern.search(i.display_name or '')]
            return _paginate(instances, 'uuid', marker, limit, exception.Invalid, 'reason',
                             not_found_msg='marker [%s] not found')
        with self.engine.connect() as conn:
            if marker is not None:
                # keyset pagination: rows after the marker in (sort_key, id) order
                row = conn.execute(sa.select(column, T_INSTANCES.c.id).where(
                    T_INSTANCES.c.uuid == marker)).first()
                if row is None:
                    raise exception.Invalid(reason='marker [%s] not found' % marker)
                value, row_id = row
                after = (column < value) if desc else (column > value)
                tie = (T_INSTANCES.c.id < row_id) if desc else (T_INSTANCES.c.id > row_id)
                if value is None:
                    after = column.is_not(None) if desc else sa.false()
                    tie = sa.and_(column.is_(None), tie)
                else:
                    tie = sa.and_(column == value, tie)
                query = query.where(sa.or_(after, tie))
            if limit is not None:
                query = query.limit(limit)
            return [_instance(r) for r in conn.execute(query)]

    @retry_on_deadlock
    def instance_update(self, instance_uuid, values, expected_task_state=_UNSET,
                        expected_vm_state=_UNSET):
        """Update one instance; with ``expected_*`` only if its state still matches.

        Raises UnexpectedDeletingTaskStateError if it is being deleted meanwhile,
        UnexpectedTaskStateError on another mismatch, InstanceNotFound if gone.
        """
        values = dict(values)
        values['updated_at'] = utcnow()
        query = T_INSTANCES.update().where(T_INSTANCES.c.uuid == instance_uuid,
                                           T_INSTANCES.c.deleted == sa.false())
        if expected_task_state is not _UNSET:
            expected = _as_list(expected_task_state)
            conds = [T_INSTANCES.c.task_state.in_([e for e in expected if e is not None])]
            if None in expected:
                conds.append(T_INSTANCES.c.task_state.is_(None))
            query = query.where(sa.or_(*conds))
        if expected_vm_state is not _UNSET:
            query = query.where(T_INSTANCES.c.vm_state.in_(_as_list(expected_vm_state)))
        if 'metadata' in values:
            values[T_INSTANCES.c['metadata']] = values.pop('metadata')
        with self._write() as conn:
            result = conn.execute(query.values(values))
            row = conn.execute(sa.select(T_INSTANCES).where(
                T_INSTANCES.c.uuid == instance_uuid)).first()
        if row is None or (result.rowcount == 0 and row.deleted):
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        if result.rowcount == 0:
            actual = row.task_state
            exc = (exception.UnexpectedDeletingTaskStateError if actual == 'deleting'
                   else exception.UnexpectedTaskStateError)
            if expected_task_state is _UNSET:
                raise exception.InstanceInvalidState(
                    action='update', instance_uuid=instance_uuid, attr='vm_state',
                    state=row.vm_state)
            raise exc(instance_uuid=instance_uuid, expected=expected_task_state, actual=actual)
        return _instance(row)

    @retry_on_deadlock
    def instance_destroy(self, instance_uuid):
        """Soft-delete an instance (the row stays with deleted=True, as Nova's)."""
        now = utcnow()
        with self._write() as conn:
            result = conn.execute(T_INSTANCES.update().where(
                T_INSTANCES.c.uuid == instance_uuid, T_INSTANCES.c.deleted == sa.false()).values(
                deleted=True, deleted_at=now, terminated_at=now, updated_at=now,
                vm_state='deleted', task_state=None, power_state=0))
            if result.rowcount:
                # What hangs off a server goes with it (Nova: instance_destroy).  Its
                # fixed and floating IPs were released by the network service first.
                conn.execute(T_SG_INSTANCES.delete().where(
                    T_SG_INSTANCES.c.instance_uuid == instance_uuid))
                conn.execute(T_INFO_CACHES.delete().where(
                    T_INFO_CACHES.c.instance_uuid == instance_uuid))
        if result.rowcount == 0:
            raise exception.InstanceNotFound(instance_id=instance_uuid)

    @retry_on_deadlock
    def instance_fault_create(self, instance_uuid, code, message, details=None, host=None):
        with self._write() as conn:
            conn.execute(T_FAULTS.insert().values(
                instance_uuid=instance_uuid, code=code, message=message[:255],
                details=details, host=host, created_at=utcnow()))

    def instance_fault_get_latest(self, instance_uuids):
        """Newest fault per instance uuid: {uuid: fault dict}."""
        if not instance_uuids:
            return {}
        query = sa.select(T_FAULTS).where(T_FAULTS.c.instance_uuid.in_(list(instance_uuids)))
        query = query.order_by(T_FAULTS.c.id.desc())
        out = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                out.setdefault(row.instance_uuid, _row(row))
        return out

    # -- quotas -------------------------------------------------------------------

    def quota_get_all(self, project_id):
        """Per-project overrides: {resource: hard_limit}."""
        with self.engine.connect() as conn:
            return {r.resource: r.hard_limit for r in conn.execute(
                sa.select(T_QUOTAS).where(T_QUOTAS.c.project_id == project_id))}

    @retry_on_deadlock
    def quota_set(self, project_id, resource, hard_limit):
        now = utcnow()
        with self._write() as conn:
            result = conn.execute(T_QUOTAS.update().where(
                T_QUOTAS.c.project_id == project_id, T_QUOTAS.c.resource == resource).values(
                hard_limit=hard_limit, updated_at=now))
            if result.rowcount == 0:
                conn.execute(T_QUOTAS.insert().values(project_id=project_id, resource=resource,
                                                      hard_limit=hard_limit, created_at=now))

    def quota_delete_all(self, project_id):
        with self._write() as conn:
            conn.execute(T_QUOTAS.delete().where(T_QUOTAS.c.project_id == project_id))

    def quota_usage(self, project_id):
        """What the project uses now: instances, cores, ram (non-deleted servers)."""
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(T_INSTANCES.c.vcpus), 0),
                          sa.func.coalesce(sa.func.sum(T_INSTANCES.c.memory_mb), 0)).where(
            T_INSTANCES.c.project_id == project_id, T_INSTANCES.c.deleted == sa.false())
        with self.engine.connect() as conn:
            count, cores, ram = conn.execute(query).one()
        return {'instances': int(count), 'cores': int(cores), 'ram': int(ram)}


def _sort_value(value):
    # flavorids are strings of digits by convention: sort numerically when they are.
    if isinstance(value, str) and value.isdigit():
        return (0, int(value), value)
    return (1, 0, value)


def _paginate(items, key, marker, limit, not_found, field, getter=getattr,
              not_found_msg=None, extra=None):
    if marker is not None:
        for index, item in enumerate(items):
            if str(getter(item, key)) == str(marker):
                items = items[index + 1:]
                break
        else:
            if not_found_msg:
                raise not_found(**{field: not_found_msg % marker})
            raise not_found(**{field: marker}, **(extra or {}))
    if limit is not None:
        items = items[:limit]
    return items
