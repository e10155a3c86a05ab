"""Database queries for networks, fixed and floating IPs, VIFs and info caches (a mixin of Database).

Rows come back as plain dicts.  Every allocation is a compare-and-swap UPDATE
(``... WHERE id = :id AND instance_uuid IS NULL``) whose rowcount says whether
this transaction won the row, as Nova's ``fixed_ip_associate_pool`` does: two
network services (or threads) racing for the last address of a pool on
MariaDB or PostgreSQL never both get it, and the loser moves on to the next
free row or gets NoMoreFixedIps / NoMoreFloatingIps.  A server's VIF row is
written in the same transaction as its fixed IP, so a failed allocation leaves
neither behind.
"""

import random
import uuid as uuidlib

import netaddr
import sqlalchemy as sa

from novalite import exception
from novalite.db import models
from novalite.db.common import _row, retry_on_deadlock
from novalite.utils import utcnow

T_NETWORKS = models.Network.__table__
T_VIFS = models.VirtualInterface.__table__
T_FIXED = models.FixedIp.__table__
T_FLOATING = models.FloatingIp.__table__
T_CACHES = models.InstanceInfoCache.__table__

#: free rows a losing allocator picks its next try from (spreads racing writers)
_CANDIDATES = 16


def _network_key(network_id):
    """The column an id, uuid or CIDR names."""
    if isinstance(network_id, int) or str(network_id).isdigit():
        return T_NETWORKS.c.id, int(network_id)
    if '/' in str(network_id):
        return T_NETWORKS.c.cidr, str(network_id)
    return T_NETWORKS.c.uuid, str(network_id)


def _live():
    return T_NETWORKS.c.deleted == sa.false()


def _floating_query():
    """Floating IPs with the address and server of the fixed IP they are on."""
    return sa.select(T_FLOATING, T_FIXED.c.address.label('fixed_ip'),
                     T_FIXED.c.instance_uuid).select_from(
        T_FLOATING.outerjoin(T_FIXED, T_FIXED.c.id == T_FLOATING.c.fixed_ip_id))


def _floating(row):
    data = _row(row)
    data.pop('created_at', None)
    data.pop('updated_at', None)
    return data


class NetworksMixin:
    """Network, fixed-IP, floating-IP, VIF and info-cache queries; mixed into
    :class:`novalite.db.api.Database`."""

    # -- networks ---------------------------------------------------------------------

    @staticmethod
    def _network_row(conn, network_id, lock=False):
        col, value = _network_key(network_id)
        query = sa.select(T_NETWORKS).where(col == value, _live()).order_by(T_NETWORKS.c.id)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise exception.NetworkNotFound(network_id=network_id)
        return row

    def network_get(self, network_id):
        """One live network by id, uuid or CIDR; NetworkNotFound otherwise."""
        with self.engine.connect() as conn:
            return _row(self._network_row(conn, network_id))

    def network_get_all(self, project_id=None, vlan=None, host=None, uuids=None):
        """Live networks, by priority then id.  ``project_id`` keeps that project's networks
        and the unowned ones; ``vlan`` True/False keeps VLAN or flat networks; ``uuids``
        keeps those networks (in the order given)."""
        query = sa.select(T_NETWORKS).where(_live())
        if project_id is not None:
            query = query.where(sa.or_(T_NETWORKS.c.project_id == project_id,
                                       T_NETWORKS.c.project_id.is_(None)))
        if vlan is True:
            query = query.where(T_NETWORKS.c.vlan.is_not(None))
        elif vlan is False:
            query = query.where(T_NETWORKS.c.vlan.is_(None))
        if host is not None:
            query = query.where(T_NETWORKS.c.host == host)
        if uuids is not None:
            query = query.where(T_NETWORKS.c.uuid.in_(list(uuids)))
        query = query.order_by(T_NETWORKS.c.priority.is_(None), T_NETWORKS.c.priority,
                               T_NETWORKS.c.id)
        with self.engine.connect() as conn:
            rows = [_row(r) for r in conn.execute(query)]
        if uuids is not None:
            by_uuid = {r['uuid']: r for r in rows}
            missing = [u for u in uuids if u not in by_uuid]
            if missing:
                raise exception.NetworkNotFound(network_id=missing[0])
            rows = [by_uuid[u] for u in uuids]
        return rows

    def network_get_all_by_ids(self, ids):
        """``{id: network}`` of the given ids (deleted ones too: a server may still hold one)."""
        ids = list(set(ids))
        if not ids:
            return {}
        with self.engine.connect() as conn:
            return {r.id: _row(r) for r in conn.execute(
                sa.select(T_NETWORKS).where(T_NETWORKS.c.id.in_(ids)))}

    def network_get_all_by_host(self, host):
        """Networks ``host`` serves: those whose host it is, and multi_host networks with a
        fixed IP on it (it is the gateway of its own servers there)."""
        on_host = sa.select(T_FIXED.c.network_id).where(T_FIXED.c.host == host)
        query = sa.select(T_NETWORKS).where(_live(), sa.or_(
            sa.and_(T_NETWORKS.c.multi_host == sa.false(), T_NETWORKS.c.host == host),
            sa.and_(T_NETWORKS.c.multi_host == sa.true(), T_NETWORKS.c.id.in_(on_host))))
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query.order_by(T_NETWORKS.c.id))]

    def network_cidrs(self):
        """``[(uuid, cidr)]`` of every live network (for overlap checks)."""
        with self.engine.connect() as conn:
            return [(u, c) for u, c in conn.execute(
                sa.select(T_NETWORKS.c.uuid, T_NETWORKS.c.cidr).where(_live()))]

    def network_vlans(self):
        """The VLAN ids live networks use."""
        with self.engine.connect() as conn:
            return {v for (v,) in conn.execute(sa.select(T_NETWORKS.c.vlan).where(
                _live(), T_NETWORKS.c.vlan.is_not(None)))}

    @retry_on_deadlock
    def network_create(self, values, fixed_ips):
        """Insert a network and its addresses (``[{'address', 'reserved'}]``) together.

        Raises CidrConflict when a live network's CIDR overlaps the new one (checked
        again in the write transaction, so two racing creates of one range do not
        both succeed on a serialising database).
        """
        now = utcnow()
        values = dict(values)
        values.setdefault('uuid', str(uuidlib.uuid4()))
        values.update(deleted=False, created_at=now, updated_at=None)
        new = netaddr.IPNetwork(values['cidr'])
        with self._write() as conn:
            for other_uuid, cidr in conn.execute(sa.select(
                    T_NETWORKS.c.uuid, T_NETWORKS.c.cidr).where(_live())):
                if cidr and _overlaps(new, netaddr.IPNetwork(cidr)):
                    raise exception.CidrConflict(cidr=values['cidr'],
                                                 other='%s (%s)' % (cidr, other_uuid))
            try:
                network_id = conn.execute(T_NETWORKS.insert().values(
                    **values)).inserted_primary_key[0]
            except sa.exc.IntegrityError:
                raise exception.Conflict('Network %s already exists.' % values['uuid']) \
                    from None
            if fixed_ips:
                conn.execute(T_FIXED.insert(), [
                    {'address': ip['address'], 'reserved': bool(ip.get('reserved')),
                     'network_id': network_id, 'allocated': False, 'leased': False,
                     'created_at': now} for ip in fixed_ips])
        return self.network_get(network_id)

    @retry_on_deadlock
    def network_update(self, network_id, values):
        with self._write() as conn:
            row = self._network_row(conn, network_id, lock=True)
            conn.execute(T_NETWORKS.update().where(T_NETWORKS.c.id == row.id).values(
                dict(values, updated_at=utcnow())))
        return self.network_get(row.id)

    @retry_on_deadlock
    def network_delete_safe(self, network_id):
        """Soft-delete a network and drop its addresses; NetworkInUse while a server holds
        one of them (allocated, or deallocated but not yet released by DHCP)."""
        now = utcnow()
        with self._write() as conn:
            row = self._network_row(conn, network_id, lock=True)
            used = conn.execute(sa.select(sa.func.count()).select_from(T_FIXED).where(
                T_FIXED.c.network_id == row.id, T_FIXED.c.instance_uuid.is_not(None))).scalar()
            if used:
                raise exception.NetworkInUse(
                    network_id=row.uuid, reason='%d fixed IP(s) are allocated' % used)
            fixed_ids = sa.select(T_FIXED.c.id).where(T_FIXED.c.network_id == row.id)
            conn.execute(T_FLOATING.update().where(T_FLOATING.c.fixed_ip_id.in_(
                fixed_ids)).values(fixed_ip_id=None, host=None))
            conn.execute(T_FIXED.delete().where(T_FIXED.c.network_id == row.id))
            conn.execute(T_VIFS.delete().where(T_VIFS.c.network_id == row.id))
            conn.execute(T_NETWORKS.update().where(T_NETWORKS.c.id == row.id).values(
                deleted=True, deleted_at=now, updated_at=now))
        return _row(row)

    @retry_on_deadlock
    def network_associate(self, project_id, network_id=None):
        """Give ``project_id`` a free VLAN network (or ``network_id``) and return it.

        A project that has one gets it back.  Compare-and-swap on ``project_id IS
        NULL``: two projects racing for the last network do not both win;
        NoMoreNetworks when none is left.
        """
        for _ in range(_CANDIDATES * 4):
            with self._write() as conn:
                if network_id is None:
                    row = conn.execute(sa.select(T_NETWORKS).where(
                        _live(), T_NETWORKS.c.project_id == project_id,
                        T_NETWORKS.c.vlan.is_not(None)).order_by(T_NETWORKS.c.id)).first()
                    if row is not None:
                        return _row(row)
                    row = conn.execute(sa.select(T_NETWORKS).where(
                        _live(), T_NETWORKS.c.project_id.is_(None),
                        T_NETWORKS.c.vlan.is_not(None)).order_by(T_NETWORKS.c.id)).first()
                    if row is None:
                        raise exception.NoMoreNetworks(
                            reason='every VLAN network belongs to a project')
                else:
                    row = self._network_row(conn, network_id)
                result = conn.execute(T_NETWORKS.update().where(
                    T_NETWORKS.c.id == row.id, T_NETWORKS.c.project_id.is_(None)).values(
                    project_id=project_id, updated_at=utcnow()))
            if result.rowcount == 1:
                return self.network_get(row.id)
            if network_id is not None:
                current = self.network_get(row.id)
                if current['project_id'] == project_id:
                    return current
                raise exception.Conflict('Network %s belongs to project %s.'
                                         % (current['uuid'], current['project_id']))
        raise exception.NoMoreNetworks(reason='too many concurrent associations')

    def network_disassociate(self, network_id, project=True, host=True):
        values = {}
        if project:
            values['project_id'] = None
        if host:
            values['host'] = None
        return self.network_update(network_id, values) if values \
            else self.network_get(network_id)

    @retry_on_deadlock
    def network_set_host(self, network_id, host):
        """Make ``host`` serve the network unless another host already does; returns the
        network's host (compare-and-swap on ``host IS NULL``)."""
        with self._write() as conn:
            conn.execute(T_NETWORKS.update().where(
                T_NETWORKS.c.id == network_id, T_NETWORKS.c.host.is_(None)).values(
                host=host, updated_at=utcnow()))
            return conn.execute(sa.select(T_NETWORKS.c.host).where(
                T_NETWORKS.c.id == network_id)).scalar()

    # -- fixed IPs and VIFs -----------------------------------------------------------

    @retry_on_deadlock
    def fixed_ip_allocate(self, network_id, instance_uuid, mac, vif_uuid=None, address=None,
                          host=None):
        """A new VIF (``mac``) on the network and a fixed IP for it, in one transaction.

        With ``address`` that address (FixedIpInvalid if it is not a free-able
        address of the network, FixedIpAlreadyInUse if a server has it);
        otherwise the least recently used free one (NoMoreFixedIps when none is
        left).  A MAC another VIF has raises VirtualInterfaceMacAddressException
        and writes nothing.  Returns ``(vif, fixed_ip)`` dicts.
        """
        now = utcnow()
        tried = set()
        while True:
            try:
                with self._write() as conn:
                    try:
                        vif_id = conn.execute(T_VIFS.insert().values(
                            uuid=vif_uuid or str(uuidlib.uuid4()), address=mac,
                            network_id=network_id, instance_uuid=instance_uuid,
                            created_at=now)).inserted_primary_key[0]
                    except sa.exc.IntegrityError:
                        raise exception.VirtualInterfaceMacAddressException() from None
                    if address is not None:
                        fixed_id = self._claim_address(conn, network_id, address,
                                                       instance_uuid, vif_id, host, now)
                    else:
                        fixed_id = self._claim_from_pool(conn, network_id, instance_uuid,
                                                         vif_id, host, now, tried)
                    vif = _row(conn.execute(sa.select(T_VIFS).where(
                        T_VIFS.c.id == vif_id)).one())
                    fixed = _row(conn.execute(sa.select(T_FIXED).where(
                        T_FIXED.c.id == fixed_id)).one())
                    return vif, fixed
            except _LostRace:
                # Every candidate this snapshot showed went to racing writers: the VIF
                # was rolled back; look again in a new transaction (a new snapshot on
                # MariaDB), still picking at random.
                tried.clear()
                tried.add(None)

    @staticmethod
    def _claim_address(conn, network_id, address, instance_uuid, vif_id, host, now):
        row = conn.execute(sa.select(T_FIXED).where(
            T_FIXED.c.network_id == network_id, T_FIXED.c.address == address)).first()
        if row is None:
            raise exception.FixedIpInvalid(address=address,
                                           reason='not an address of network %s' % network_id)
        if row.reserved:
            raise exception.FixedIpInvalid(address=address, reason='the address is reserved')
        result = conn.execute(T_FIXED.update().where(
            T_FIXED.c.id == row.id, T_FIXED.c.instance_uuid.is_(None),
            T_FIXED.c.reserved == sa.false()).values(
            instance_uuid=instance_uuid, virtual_interface_id=vif_id, allocated=True,
            leased=False, host=host, updated_at=now))
        if result.rowcount != 1:
            owner = conn.execute(sa.select(T_FIXED.c.instance_uuid).where(
                T_FIXED.c.id == row.id)).scalar()
            raise exception.FixedIpAlreadyInUse(address=address, instance_uuid=owner)
        return row.id

    @staticmethod
    def _claim_from_pool(conn, network_id, instance_uuid, vif_id, host, now, tried):
        """The id of the free row this transaction won; _LostRace to retry afresh.

        ``tried`` is non-empty once this allocation has lost a race."""
        free = (T_FIXED.c.network_id == network_id, T_FIXED.c.reserved == sa.false(),
                T_FIXED.c.instance_uuid.is_(None), T_FIXED.c.leased == sa.false())
        for _ in range(3):
            query = sa.select(T_FIXED.c.id).where(*free)
            if tried - {None}:
                query = query.where(T_FIXED.c.id.not_in(list(tried - {None})))
            # Least recently used first (never-used rows before all), as Nova does.
            candidates = [r for (r,) in conn.execute(query.order_by(
                T_FIXED.c.updated_at.is_not(None), T_FIXED.c.updated_at,
                T_FIXED.c.id).limit(_CANDIDATES))]
            if not candidates:
                if tried - {None}:
                    raise _LostRace()
                raise exception.NoMoreFixedIps(network=network_id)
            # The first writer takes the head of the queue; one that lost a race
            # picks at random so racing writers stop colliding on one row.
            while candidates:
                pick = candidates.pop(0 if not tried else random.randrange(len(candidates)))
                tried.add(pick)
                result = conn.execute(T_FIXED.update().where(
                    T_FIXED.c.id == pick, *free).values(
                    instance_uuid=instance_uuid, virtual_interface_id=vif_id,
                    allocated=True, host=host, updated_at=now))
                if result.rowcount == 1:
                    return pick
        raise _LostRace()

    def fixed_ip_get_by_address(self, address, network_id=None):
        query = sa.select(T_FIXED).where(T_FIXED.c.address == str(address))
        if network_id is not None:
            query = query.where(T_FIXED.c.network_id == network_id)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(T_FIXED.c.instance_uuid.is_(None),
                                              T_FIXED.c.id)).first()
        if row is None:
            raise exception.FixedIpNotFound(address=address)
        return _row(row)

    def fixed_ip_get_by_instance(self, instance_uuid):
        """The fixed IPs associated with a server (allocated or awaiting release)."""
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(sa.select(T_FIXED).where(
                T_FIXED.c.instance_uuid == instance_uuid).order_by(T_FIXED.c.id))]

    def fixed_ip_get_by_network(self, network_id):
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(sa.select(T_FIXED).where(
                T_FIXED.c.network_id == network_id).order_by(T_FIXED.c.id))]

    def fixed_ip_count_allocated(self, network_id=None):
        """Fixed IPs a server holds (allocated, or deallocated and awaiting release)."""
        query = sa.select(sa.func.count()).select_from(T_FIXED).where(
            T_FIXED.c.instance_uuid.is_not(None))
        if network_id is not None:
            query = query.where(T_FIXED.c.network_id == network_id)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def fixed_ip_dhcp_hosts(self, network_id, host=None):
        """``[{'mac', 'hostname', 'ip'}]`` of a network's allocated addresses (dnsmasq's hosts
        file), only those on ``host`` when given (a multi_host network's DHCP server serves
        its own host's servers); the host name is ``host-<address with dashes>`` unless the
        caller maps it."""
        query = sa.select(T_FIXED.c.address, T_FIXED.c.instance_uuid, T_VIFS.c.address).join(
            T_VIFS, T_VIFS.c.id == T_FIXED.c.virtual_interface_id).where(
            T_FIXED.c.network_id == network_id, T_FIXED.c.allocated == sa.true()).order_by(
            T_FIXED.c.id)
        if host is not None:
            query = query.where(T_FIXED.c.host == host)
        with self.engine.connect() as conn:
            return [{'mac': mac, 'ip': ip, 'instance_uuid': inst,
                     'hostname': 'host-%s' % ip.replace('.', '-')}
                    for ip, inst, mac in conn.execute(query)]

    @retry_on_deadlock
    def fixed_ip_deallocate(self, address, network_id, disassociate):
        """Mark an address deallocated; with ``disassociate`` it is free at once, otherwise it
        waits for the DHCP release (or the stale timeout).  Returns the old row."""
        now = utcnow()
        with self._write() as conn:
            row = conn.execute(sa.select(T_FIXED).where(
                T_FIXED.c.network_id == network_id, T_FIXED.c.address == address)).first()
            if row is None:
                raise exception.FixedIpNotFound(address=address)
            values = {'allocated': False, 'virtual_interface_id': None, 'updated_at': now}
            if disassociate:
                values.update(instance_uuid=None, host=None, leased=False)
            conn.execute(T_FIXED.update().where(T_FIXED.c.id == row.id).values(values))
        return _row(row)

    @retry_on_deadlock
    def fixed_ip_set_leased(self, address, leased, network_id=None):
        """DHCP lease (True) or release (False); a released address that is no longer
        allocated returns to the pool.  Returns the row after the change."""
        query = sa.select(T_FIXED).where(T_FIXED.c.address == str(address))
        if network_id is not None:
            query = query.where(T_FIXED.c.network_id == network_id)
        with self._write() as conn:
            row = conn.execute(query.order_by(T_FIXED.c.instance_uuid.is_(None), T_FIXED.c.id)
                               .with_for_update()).first()
            if row is None:
                raise exception.FixedIpNotFound(address=address)
            values = {'leased': bool(leased), 'updated_at': utcnow()}
            if not leased and not row.allocated:
                values.update(instance_uuid=None, host=None)
            conn.execute(T_FIXED.update().where(T_FIXED.c.id == row.id).values(values))
            return _row(conn.execute(sa.select(T_FIXED).where(T_FIXED.c.id == row.id)).one())

    @retry_on_deadlock
    def fixed_ip_disassociate_all_by_timeout(self, host, before):
        """Free the deallocated addresses not touched since ``before`` on the networks
        ``host`` serves (all networks if ``host`` is None); returns how many."""
        query = T_FIXED.update().where(T_FIXED.c.allocated == sa.false(),
                                       T_FIXED.c.instance_uuid.is_not(None),
                                       T_FIXED.c.updated_at < before)
        if host is not None:
            served = sa.select(T_NETWORKS.c.id).where(T_NETWORKS.c.host == host,
                                                      T_NETWORKS.c.multi_host == sa.false())
            query = query.where(sa.or_(T_FIXED.c.network_id.in_(served),
                                       T_FIXED.c.host == host))
        with self._write() as conn:
            return conn.execute(query.values(instance_uuid=None, host=None, leased=False,
                                             updated_at=utcnow())).rowcount

    def virtual_interface_get_by_instance(self, instance_uuid):
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(sa.select(T_VIFS).where(
                T_VIFS.c.instance_uuid == instance_uuid).order_by(T_VIFS.c.id))]

    def virtual_interface_get_by_uuid(self, vif_uuid):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(T_VIFS).where(T_VIFS.c.uuid == vif_uuid)).first()
        return None if row is None else _row(row)

    @retry_on_deadlock
    def virtual_interface_delete(self, vif_id):
        with self._write() as conn:
            conn.execute(T_FIXED.update().where(T_FIXED.c.virtual_interface_id == vif_id).values(
                virtual_interface_id=None))
            conn.execute(T_VIFS.delete().where(T_VIFS.c.id == vif_id))

    # -- floating IPs -----------------------------------------------------------------

    @retry_on_deadlock
    def floating_ip_bulk_create(self, addresses, pool, interface=None):
        """Add addresses to ``pool``; FloatingIpExists (nothing added) if one exists."""
        now = utcnow()
        addresses = [str(a) for a in addresses]
        with self._write() as conn:
            exists = conn.execute(sa.select(T_FLOATING.c.address).where(
                T_FLOATING.c.address.in_(addresses)).limit(1)).first()
            if exists is not None:
                raise exception.FloatingIpExists(address=exists[0])
            try:
                conn.execute(T_FLOATING.insert(), [
                    {'address': a, 'pool': pool, 'interface': interface,
                     'auto_assigned': False, 'created_at': now} for a in addresses])
            except sa.exc.IntegrityError:
                raise exception.FloatingIpExists(address=addresses[0]) from None
        return len(addresses)

    @retry_on_deadlock
    def floating_ip_bulk_destroy(self, addresses):
        """Delete addresses; FloatingIpAssociated (nothing deleted) if one is on a server.
        Returns how many existed."""
        addresses = [str(a) for a in addresses]
        with self._write() as conn:
            busy = conn.execute(sa.select(T_FLOATING.c.address).where(
                T_FLOATING.c.address.in_(addresses),
                T_FLOATING.c.fixed_ip_id.is_not(None)).limit(1)).first()
            if busy is not None:
                raise exception.FloatingIpAssociated(address=busy[0])
            return conn.execute(T_FLOATING.delete().where(
                T_FLOATING.c.address.in_(addresses))).rowcount

    def floating_ip_get(self, floating_id):
        with self.engine.connect() as conn:
            row = conn.execute(_floating_query().where(
                T_FLOATING.c.id == int(floating_id))).first()
        if row is None:
            raise exception.FloatingIpNotFound(id=floating_id)
        return _floating(row)

    def floating_ip_get_by_address(self, address):
        with self.engine.connect() as conn:
            row = conn.execute(_floating_query().where(
                T_FLOATING.c.address == str(address))).first()
        if row is None:
            raise exception.FloatingIpNotFound(id=address)
        return _floating(row)

    def floating_ip_get_all(self, pool=None, project_id=None, host=None, fixed_ip_ids=None,
                            associated=None):
        query = _floating_query()
        if pool is not None:
            query = query.where(T_FLOATING.c.pool == pool)
        if project_id is not None:
            query = query.where(T_FLOATING.c.project_id == project_id)
        if host is not None:
            query = query.where(T_FLOATING.c.host == host)
        if fixed_ip_ids is not None:
            query = query.where(T_FLOATING.c.fixed_ip_id.in_(list(fixed_ip_ids)))
        if associated:
            query = query.where(T_FLOATING.c.fixed_ip_id.is_not(None))
        with self.engine.connect() as conn:
            return [_floating(r) for r in conn.execute(query.order_by(T_FLOATING.c.id))]

    def floating_ip_get_pools(self):
        with self.engine.connect() as conn:
            return sorted(p for (p,) in conn.execute(
                sa.select(T_FLOATING.c.pool).distinct()))

    def floating_ip_count_by_project(self, project_id):
        """Floating IPs the project holds (quota usage; auto-assigned ones are not counted)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(T_FLOATING).where(
                T_FLOATING.c.project_id == project_id,
                T_FLOATING.c.auto_assigned == sa.false())).scalar()

    @retry_on_deadlock
    def floating_ip_allocate_address(self, project_id, pool, auto_assigned=False):
        """Give the project a free address of ``pool`` (compare-and-swap on project_id IS
        NULL).  FloatingIpPoolNotFound for a pool with no addresses, NoMoreFloatingIps when
        all are taken."""
        tried = set()
        while True:
            with self._write() as conn:
                query = sa.select(T_FLOATING.c.id).where(
                    T_FLOATING.c.pool == pool, T_FLOATING.c.project_id.is_(None))
                if tried:
                    query = query.where(T_FLOATING.c.id.not_in(list(tried)))
                candidates = [r for (r,) in conn.execute(
                    query.order_by(T_FLOATING.c.id).limit(_CANDIDATES))]
                if not candidates:
                    if not tried:
                        known = conn.execute(sa.select(T_FLOATING.c.id).where(
                            T_FLOATING.c.pool == pool).limit(1)).first()
                        if known is None:
                            raise exception.FloatingIpPoolNotFound(pool=pool)
                        raise exception.NoMoreFloatingIps(pool=pool)
                    tried.clear()   # a fresh transaction sees what was freed meanwhile
                    continue
                while candidates:
                    pick = candidates.pop(0 if not tried else random.randrange(len(candidates)))
                    tried.add(pick)
                    result = conn.execute(T_FLOATING.update().where(
                        T_FLOATING.c.id == pick, T_FLOATING.c.project_id.is_(None)).values(
                        project_id=project_id, auto_assigned=bool(auto_assigned),
                        updated_at=utcnow()))
                    if result.rowcount == 1:
                        break
                else:
                    continue
            return self.floating_ip_get(pick)

    @retry_on_deadlock
    def floating_ip_deallocate(self, address):
        """Return an address to its pool; FloatingIpAssociated while it is on a server."""
        with self._write() as conn:
            row = conn.execute(sa.select(T_FLOATING).where(
                T_FLOATING.c.address == str(address)).with_for_update()).first()
            if row is None:
                raise exception.FloatingIpNotFound(id=address)
            if row.fixed_ip_id is not None:
                raise exception.FloatingIpAssociated(address=address)
            conn.execute(T_FLOATING.update().where(T_FLOATING.c.id == row.id).values(
                project_id=None, host=None, auto_assigned=False, updated_at=utcnow()))

    @retry_on_deadlock
    def floating_ip_fixed_ip_associate(self, floating_address, fixed_ip_id, host):
        """Put a floating IP on a fixed IP (compare-and-swap: free, or already on it).
        FloatingIpAssociated if it is on another one.  Returns the floating IP."""
        with self._write() as conn:
            result = conn.execute(T_FLOATING.update().where(
                T_FLOATING.c.address == str(floating_address),
                sa.or_(T_FLOATING.c.fixed_ip_id.is_(None),
                       T_FLOATING.c.fixed_ip_id == fixed_ip_id)).values(
                fixed_ip_id=fixed_ip_id, host=host, updated_at=utcnow()))
        if result.rowcount != 1:
            self.floating_ip_get_by_address(floating_address)   # NotFound if it is unknown
            raise exception.FloatingIpAssociated(address=floating_address)
        return self.floating_ip_get_by_address(floating_address)

    @retry_on_deadlock
    def floating_ip_disassociate(self, floating_address):
        """Take a floating IP off its fixed IP; returns the floating IP as it was
        (FloatingIpNotAssociated if it was on none)."""
        before = self.floating_ip_get_by_address(floating_address)
        if before['fixed_ip_id'] is None:
            raise exception.FloatingIpNotAssociated(address=floating_address)
        with self._write() as conn:
            result = conn.execute(T_FLOATING.update().where(
                T_FLOATING.c.id == before['id'],
                T_FLOATING.c.fixed_ip_id == before['fixed_ip_id']).values(
                fixed_ip_id=None, host=None, updated_at=utcnow()))
        if result.rowcount != 1:
            raise exception.FloatingIpNotAssociated(address=floating_address)
        return before

    # -- info caches ------------------------------------------------------------------

    @retry_on_deadlock
    def instance_info_cache_update(self, instance_uuid, network_info):
        now = utcnow()
        update = T_CACHES.update().where(T_CACHES.c.instance_uuid == instance_uuid).values(
            network_info=network_info, updated_at=now)
        with self._write() as conn:
            if conn.execute(update).rowcount:
                return
        try:
            with self._write() as conn:
                conn.execute(T_CACHES.insert().values(
                    instance_uuid=instance_uuid, network_info=network_info, created_at=now))
        except sa.exc.IntegrityError:   # a racing writer inserted it first
            with self._write() as conn:
                conn.execute(update)

    def instance_info_cache_get(self, instance_uuid):
        """A server's cached network_info ([] if none)."""
        return self.instance_info_cache_get_many([instance_uuid]).get(instance_uuid, [])

    def instance_info_cache_get_many(self, instance_uuids):
        """``{uuid: network_info}`` of the servers that have a cache (one query)."""
        uuids = list(instance_uuids)
        if not uuids:
            return {}
        with self.engine.connect() as conn:
            return {u: info or [] for u, info in conn.execute(
                sa.select(T_CACHES.c.instance_uuid, T_CACHES.c.network_info).where(
                    T_CACHES.c.instance_uuid.in_(uuids)))}

    @retry_on_deadlock
    def instance_info_cache_delete(self, instance_uuid):
        with self._write() as conn:
            conn.execute(T_CACHES.delete().where(T_CACHES.c.instance_uuid == instance_uuid))


class _LostRace(Exception):
    """Racing writers took every free row this transaction saw."""


def _overlaps(a, b):
    return a.first <= b.last and b.first <= a.last
