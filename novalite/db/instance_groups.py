"""Database queries for server groups and their members (a mixin of Database).

A member row stays when its server is deleted (the instance row is only marked
deleted), so every query that shows or counts members joins ``instances`` and
keeps the non-deleted ones: a deleted server has left its group.
"""

import uuid as uuidlib

import sqlalchemy as sa

from novalite import exception
from novalite import objects
from novalite.db import models
from novalite.db.common import _row, retry_on_deadlock
from novalite.utils import utcnow

T_GROUPS = models.InstanceGroup.__table__
T_MEMBERS = models.InstanceGroupMember.__table__
T_INSTANCES = models.Instance.__table__

GROUP_QUOTA_MESSAGE = 'Quota exceeded, too many server groups.'
MEMBER_QUOTA_MESSAGE = 'Quota exceeded, too many servers in group'


def group_not_found(group_uuid):
    return exception.NotFound('Instance group %s could not be found.' % group_uuid)


def _live_members():
    """(group_id, instance_uuid, host) of members whose server is not deleted."""
    return sa.select(T_MEMBERS.c.group_id, T_MEMBERS.c.instance_uuid, T_INSTANCES.c.host).join(
        T_INSTANCES, T_INSTANCES.c.uuid == T_MEMBERS.c.instance_uuid).where(
        T_INSTANCES.c.deleted == sa.false())


class InstanceGroupsMixin:
    """Server group queries; mixed into :class:`novalite.db.api.Database`."""

    # -- groups -------------------------------------------------------------------------

    @retry_on_deadlock
    def instance_group_create(self, values, max_groups=-1):
        """Create a group (``name``, ``user_id``, ``project_id``, ``policy``, ``rules``).

        With ``max_groups >= 0`` the project's count is checked in the same
        transaction, so two creates racing for the last slot cannot both win
        (QuotaExceeded, 403).
        """
        now = utcnow()
        data = {'uuid': values.get('uuid') or str(uuidlib.uuid4()), 'name': values['name'],
                'user_id': values['user_id'], 'project_id': values['project_id'],
                'policy': values['policy'], 'rules': dict(values.get('rules') or {}),
                'created_at': now}
        with self._write() as conn:
            if max_groups >= 0:
                count = conn.execute(sa.select(sa.func.count()).select_from(T_GROUPS).where(
                    T_GROUPS.c.project_id == data['project_id'])).scalar_one()
                if count >= max_groups:
                    raise exception.QuotaExceeded(GROUP_QUOTA_MESSAGE)
            conn.execute(T_GROUPS.insert().values(**data))
        return self.instance_group_get(data['uuid'])

    def instance_group_get(self, group_uuid, project_id=None):
        """The group (members included); ``project_id`` None means any project (admin)."""
        query = sa.select(T_GROUPS).where(T_GROUPS.c.uuid == group_uuid)
        if project_id is not None:
            query = query.where(T_GROUPS.c.project_id == project_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                raise group_not_found(group_uuid)
            return self._groups(conn, [row])[0]

    def instance_group_get_all(self, project_id=None, limit=None, offset=None):
        """Groups of ``project_id`` (None: of every project), oldest first, paged."""
        query = sa.select(T_GROUPS).order_by(T_GROUPS.c.id)
        if project_id is not None:
            query = query.where(T_GROUPS.c.project_id == project_id)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return self._groups(conn, list(conn.execute(query)))

    def instance_group_get_by_instance(self, instance_uuid):
        """The group a server belongs to; NotFound when it belongs to none."""
        query = sa.select(T_GROUPS).join(T_MEMBERS, T_MEMBERS.c.group_id == T_GROUPS.c.id).where(
            T_MEMBERS.c.instance_uuid == instance_uuid).order_by(T_GROUPS.c.id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                raise exception.NotFound('Instance %s is in no server group.' % instance_uuid)
            return self._groups(conn, [row])[0]

    @retry_on_deadlock
    def instance_group_delete(self, group_uuid, project_id=None):
        """Delete a group and its member rows (the servers stay)."""
        query = sa.select(T_GROUPS.c.id).where(T_GROUPS.c.uuid == group_uuid)
        if project_id is not None:
            query = query.where(T_GROUPS.c.project_id == project_id)
        with self._write() as conn:
            group_id = conn.execute(query).scalar()
            if group_id is None:
                raise group_not_found(group_uuid)
            conn.execute(T_MEMBERS.delete().where(T_MEMBERS.c.group_id == group_id))
            conn.execute(T_GROUPS.delete().where(T_GROUPS.c.id == group_id))

    def instance_group_count(self, project_id):
        """Server groups of a project (the ``server_groups`` quota)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(T_GROUPS).where(
                T_GROUPS.c.project_id == project_id)).scalar_one()

    # -- members ------------------------------------------------------------------------

    @retry_on_deadlock
    def instance_group_add_members(self, group_uuid, instance_uuids, max_members=-1):
        """Add existing servers to a group (``server_group_members`` quota checked)."""
        with self._write() as conn:
            group_id = self._lock_group(conn, group_uuid)
            self._add_members(conn, group_id, instance_uuids, max_members)

    @retry_on_deadlock
    def instance_group_members(self, group_uuid):
        """``{instance_uuid: host or None}`` of the group's non-deleted servers."""
        query = _live_members().join(T_GROUPS, T_GROUPS.c.id == T_MEMBERS.c.group_id).where(
            T_GROUPS.c.uuid == group_uuid).order_by(T_MEMBERS.c.id)
        with self.engine.connect() as conn:
            return {r.instance_uuid: r.host for r in conn.execute(query)}

    def instance_group_member_count(self, group_uuid):
        """Non-deleted servers in a group (the ``server_group_members`` quota)."""
        return len(self.instance_group_members(group_uuid))

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _lock_group(conn, group_uuid):
        # FOR UPDATE serialises member additions per group on MySQL/PostgreSQL
        # (SQLite writers are serialised already), so the quota check holds.
        group_id = conn.execute(sa.select(T_GROUPS.c.id).where(
            T_GROUPS.c.uuid == group_uuid).with_for_update()).scalar()
        if group_id is None:
            raise group_not_found(group_uuid)
        return group_id

    @staticmethod
    def _add_members(conn, group_id, instance_uuids, max_members):
        existing = {r.instance_uuid for r in conn.execute(
            _live_members().where(T_MEMBERS.c.group_id == group_id))}
        new = [u for u in dict.fromkeys(instance_uuids) if u not in existing]
        if max_members >= 0 and len(existing) + len(new) > max_members:
            raise exception.QuotaExceeded(MEMBER_QUOTA_MESSAGE)
        if new:
            # rows of deleted servers may linger; the unique key would refuse a re-add
            conn.execute(T_MEMBERS.delete().where(T_MEMBERS.c.group_id == group_id,
                                                  T_MEMBERS.c.instance_uuid.in_(new)))
            now = utcnow()
            conn.execute(T_MEMBERS.insert(), [
                {'group_id': group_id, 'instance_uuid': u, 'created_at': now} for u in new])

    @staticmethod
    def _groups(conn, rows):
        """InstanceGroup objects for group rows, members in one query."""
        if not rows:
            return []
        ids = [r.id for r in rows]
        members = {}
        for r in conn.execute(_live_members().where(T_MEMBERS.c.group_id.in_(ids)).order_by(
                T_MEMBERS.c.id)):
            members.setdefault(r.group_id, []).append(r.instance_uuid)
        out = []
        for row in rows:
            data = _row(row)
            data['rules'] = data.get('rules') or {}
            data['members'] = members.get(row.id, [])
            out.append(objects.InstanceGroup.from_dict(data))
        return out
