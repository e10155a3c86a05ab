"""Database queries for host aggregates, their hosts and metadata (a mixin of Database).

As in Nova, an aggregate's availability zone is its ``availability_zone``
metadata key.  Deleting an aggregate is a soft delete (the row stays with
``deleted=True`` and frees its name); its host and metadata rows go.  Every
write also bumps the aggregate's ``updated_at``, so the scheduler's cheap
:meth:`AggregatesMixin.aggregates_signature` sees any change.
"""

import uuid as uuidlib

import sqlalchemy as sa

from novalite import exception
from novalite import objects
from novalite.db import models
from novalite.db.common import _row, retry_on_deadlock
from novalite.objects.aggregate import AZ_KEY
from novalite.utils import utcnow

T_AGGREGATES = models.Aggregate.__table__
T_AGG_HOSTS = models.AggregateHost.__table__
T_AGG_METADATA = models.AggregateMetadata.__table__


def not_found(aggregate_id):
    return exception.NotFound('Aggregate %s could not be found.' % aggregate_id)


def _id_column(aggregate_id):
    if isinstance(aggregate_id, int) or str(aggregate_id).isdigit():
        return T_AGGREGATES.c.id, int(aggregate_id)
    return T_AGGREGATES.c.uuid, str(aggregate_id)


class AggregatesMixin:
    """Aggregate queries; mixed into :class:`novalite.db.api.Database`."""

    # -- reads ------------------------------------------------------------------------

    def _aggregate_row(self, conn, aggregate_id, lock=False):
        col, value = _id_column(aggregate_id)
        query = sa.select(T_AGGREGATES).where(col == value, T_AGGREGATES.c.deleted == sa.false())
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise not_found(aggregate_id)
        return row

    @staticmethod
    def _aggregates_from_rows(conn, rows):
        """Aggregate objects with their hosts and metadata (two queries for any number)."""
        aggs = {row.id: objects.Aggregate.from_dict(_row(row)) for row in rows}
        if aggs:
            ids = list(aggs)
            for agg_id, host in conn.execute(
                    sa.select(T_AGG_HOSTS.c.aggregate_id, T_AGG_HOSTS.c.host).where(
                        T_AGG_HOSTS.c.aggregate_id.in_(ids)).order_by(T_AGG_HOSTS.c.id)):
                aggs[agg_id].hosts.append(host)
            for agg_id, key, value in conn.execute(
                    sa.select(T_AGG_METADATA.c.aggregate_id, T_AGG_METADATA.c.key,
                              T_AGG_METADATA.c.value).where(
                        T_AGG_METADATA.c.aggregate_id.in_(ids))):
                aggs[agg_id].metadata[key] = value
        return list(aggs.values())

    def aggregate_get(self, aggregate_id):
        """One live aggregate by id (or uuid), hosts and metadata included."""
        with self.engine.connect() as conn:
            row = self._aggregate_row(conn, aggregate_id)
            return self._aggregates_from_rows(conn, [row])[0]

    def aggregate_get_all(self):
        """Every live aggregate, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(T_AGGREGATES).where(
                T_AGGREGATES.c.deleted == sa.false()).order_by(T_AGGREGATES.c.id)).all()
            return self._aggregates_from_rows(conn, rows)

    def aggregate_get_by_host(self, host, key=None):
        """The live aggregates ``host`` is in (only those with metadata ``key`` if given)."""
        query = sa.select(T_AGGREGATES).join(
            T_AGG_HOSTS, T_AGG_HOSTS.c.aggregate_id == T_AGGREGATES.c.id).where(
            T_AGG_HOSTS.c.host == host, T_AGGREGATES.c.deleted == sa.false())
        if key is not None:
            query = query.where(sa.exists().where(
                T_AGG_METADATA.c.aggregate_id == T_AGGREGATES.c.id, T_AGG_METADATA.c.key == key))
        with self.engine.connect() as conn:
            return self._aggregates_from_rows(conn, conn.execute(
                query.order_by(T_AGGREGATES.c.id)).all())

    def aggregate_host_zones(self):
        """``{host: [zone, ...]}`` of every host in a live aggregate with a zone."""
        query = sa.select(T_AGG_HOSTS.c.host, T_AGG_METADATA.c.value).join(
            T_AGGREGATES, T_AGGREGATES.c.id == T_AGG_HOSTS.c.aggregate_id).join(
            T_AGG_METADATA, T_AGG_METADATA.c.aggregate_id == T_AGGREGATES.c.id).where(
            T_AGGREGATES.c.deleted == sa.false(), T_AGG_METADATA.c.key == AZ_KEY)
        zones = {}
        with self.engine.connect() as conn:
            for host, zone in conn.execute(query):
                zones.setdefault(host, [])
                if zone not in zones[host]:
                    zones[host].append(zone)
        return {host: sorted(z) for host, z in zones.items()}

    def aggregates_by_host(self):
        """For the scheduler: ``{host: [{'name', 'uuid', 'id', 'metadata'}]}`` of all hosts
        in any live aggregate.  An aggregate's dict is shared by all its hosts: read only."""
        with self.engine.connect() as conn:
            aggs = {}
            for row in conn.execute(sa.select(T_AGGREGATES.c.id, T_AGGREGATES.c.uuid,
                                              T_AGGREGATES.c.name).where(
                    T_AGGREGATES.c.deleted == sa.false())):
                aggs[row.id] = {'id': row.id, 'uuid': row.uuid, 'name': row.name,
                                'metadata': {}}
            for agg_id, key, value in conn.execute(sa.select(
                    T_AGG_METADATA.c.aggregate_id, T_AGG_METADATA.c.key, T_AGG_METADATA.c.value)):
                if agg_id in aggs:
                    aggs[agg_id]['metadata'][key] = value
            by_host = {}
            for agg_id, host in conn.execute(sa.select(
                    T_AGG_HOSTS.c.aggregate_id, T_AGG_HOSTS.c.host).order_by(T_AGG_HOSTS.c.id)):
                if agg_id in aggs:
                    by_host.setdefault(host, []).append(aggs[agg_id])
        return by_host

    def aggregates_signature(self):
        """A cheap value that changes whenever any aggregate, host or metadata row does.

        One query of aggregate functions over the three (small) tables: row counts,
        newest ids and timestamps.  Every write also bumps the aggregate's
        ``updated_at``, so updates in place change it too.  Read it *before*
        :meth:`aggregates_by_host`: a change landing in between is then seen on
        the next comparison.
        """
        def stat(table, *exprs):
            return [sa.select(expr).select_from(table).scalar_subquery() for expr in exprs]
        a, h, m = T_AGGREGATES.c, T_AGG_HOSTS.c, T_AGG_METADATA.c
        query = sa.select(
            *stat(T_AGGREGATES, sa.func.count(), sa.func.max(a.id), sa.func.max(a.created_at),
                  sa.func.max(a.updated_at)),
            *stat(T_AGG_HOSTS, sa.func.count(), sa.func.max(h.id), sa.func.max(h.created_at)),
            *stat(T_AGG_METADATA, sa.func.count(), sa.func.max(m.id),
                  sa.func.max(m.updated_at)))
        with self.engine.connect() as conn:
            return tuple(conn.execute(query).one())

    # -- writes -----------------------------------------------------------------------

    @staticmethod
    def _check_name_free(conn, name, own_id=None):
        query = sa.select(T_AGGREGATES.c.id).where(T_AGGREGATES.c.name == name,
                                                   T_AGGREGATES.c.deleted == sa.false())
        if own_id is not None:
            query = query.where(T_AGGREGATES.c.id != own_id)
        if conn.execute(query).first() is not None:
            raise exception.Conflict('Aggregate %s already exists.' % name)

    @staticmethod
    def _set_metadata(conn, agg_id, metadata, now):
        """Set keys; a None value deletes its key."""
        for key, value in metadata.items():
            where = (T_AGG_METADATA.c.aggregate_id == agg_id, T_AGG_METADATA.c.key == key)
            if value is None:
                conn.execute(T_AGG_METADATA.delete().where(*where))
                continue
            result = conn.execute(T_AGG_METADATA.update().where(*where).values(
                value=str(value), updated_at=now))
            if result.rowcount == 0:
                conn.execute(T_AGG_METADATA.insert().values(
                    aggregate_id=agg_id, key=key, value=str(value), created_at=now))

    @staticmethod
    def _touch(conn, agg_id, now):
        conn.execute(T_AGGREGATES.update().where(T_AGGREGATES.c.id == agg_id).values(
            updated_at=now))

    @retry_on_deadlock
    def aggregate_create(self, name, availability_zone=None, metadata=None):
        """A new aggregate; its zone (if any) becomes its ``availability_zone`` metadata.

        Raises Conflict (409) if a live aggregate already has the name.
        """
        metadata = dict(metadata or {})
        if availability_zone:
            metadata[AZ_KEY] = availability_zone
        now = utcnow()
        with self._write() as conn:
            self._check_name_free(conn, name)
            agg_id = conn.execute(T_AGGREGATES.insert().values(
                uuid=str(uuidlib.uuid4()), name=name, deleted=False, created_at=now,
                updated_at=None)).inserted_primary_key[0]
            self._set_metadata(conn, agg_id, metadata, now)
        return self.aggregate_get(agg_id)

    @retry_on_deadlock
    def aggregate_update(self, aggregate_id, values):
        """Rename and/or set the zone: ``values`` may hold ``name`` and ``availability_zone``
        (None removes the zone)."""
        now = utcnow()
        with self._write() as conn:
            row = self._aggregate_row(conn, aggregate_id, lock=True)
            if 'name' in values and values['name'] != row.name:
                self._check_name_free(conn, values['name'], own_id=row.id)
                conn.execute(T_AGGREGATES.update().where(T_AGGREGATES.c.id == row.id).values(
                    name=values['name']))
            if AZ_KEY in values:
                self._set_metadata(conn, row.id, {AZ_KEY: values[AZ_KEY]}, now)
            self._touch(conn, row.id, now)
        return self.aggregate_get(row.id)

    @retry_on_deadlock
    def aggregate_delete(self, aggregate_id):
        """Soft-delete the aggregate; its host and metadata rows are removed."""
        now = utcnow()
        with self._write() as conn:
            row = self._aggregate_row(conn, aggregate_id, lock=True)
            conn.execute(T_AGG_HOSTS.delete().where(T_AGG_HOSTS.c.aggregate_id == row.id))
            conn.execute(T_AGG_METADATA.delete().where(T_AGG_METADATA.c.aggregate_id == row.id))
            conn.execute(T_AGGREGATES.update().where(T_AGGREGATES.c.id == row.id).values(
                deleted=True, deleted_at=now, updated_at=now))

    @retry_on_deadlock
    def aggregate_host_add(self, aggregate_id, host):
        """Add ``host``; Conflict (409) if it is already in the aggregate."""
        now = utcnow()
        with self._write() as conn:
            row = self._aggregate_row(conn, aggregate_id, lock=True)
            exists = conn.execute(sa.select(T_AGG_HOSTS.c.id).where(
                T_AGG_HOSTS.c.aggregate_id == row.id, T_AGG_HOSTS.c.host == host)).first()
            if exists is not None:
                raise exception.Conflict('Aggregate %s already has host %s.' % (row.id, host))
            try:
                conn.execute(T_AGG_HOSTS.insert().values(aggregate_id=row.id, host=host,
                                                         created_at=now))
            except sa.exc.IntegrityError:
                raise exception.Conflict('Aggregate %s already has host %s.'
                                         % (row.id, host)) from None
            self._touch(conn, row.id, now)
        return self.aggregate_get(row.id)

    @retry_on_deadlock
    def aggregate_host_delete(self, aggregate_id, host):
        """Remove ``host``; NotFound (404) if it is not in the aggregate."""
        now = utcnow()
        with self._write() as conn:
            row = self._aggregate_row(conn, aggregate_id, lock=True)
            result = conn.execute(T_AGG_HOSTS.delete().where(
                T_AGG_HOSTS.c.aggregate_id == row.id, T_AGG_HOSTS.c.host == host))
            if result.rowcount == 0:
                raise exception.NotFound('Aggregate %s has no host %s.' % (row.id, host))
            self._touch(conn, row.id, now)
        return self.aggregate_get(row.id)

    @retry_on_deadlock
    def aggregate_metadata_update(self, aggregate_id, metadata):
        """Set the given keys (others stay); a None value deletes its key."""
        now = utcnow()
        with self._write() as conn:
            row = self._aggregate_row(conn, aggregate_id, lock=True)
            self._set_metadata(conn, row.id, metadata, now)
            self._touch(conn, row.id, now)
        return self.aggregate_get(row.id)
