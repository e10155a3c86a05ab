"""``/os-availability-zone[/detail]``: zones of the services.

A compute host is in the zone of its zoned aggregate(s), else in
``default_availability_zone``; every other service is in Nova's ``internal``
zone, which only the detail view (admin) shows.  A zone is available when one
of its enabled compute services is up.  The detail view adds each available
zone's hosts and their enabled services, as Nova's; a zone with no enabled
service shows ``hosts: null``.
"""

from novalite import servicegroup
from novalite.api.compute import common
from novalite.compute import aggregates as compute_aggregates

RULE = 'os_compute_api:os-availability-zone:%s'
INTERNAL = compute_aggregates.INTERNAL_ZONE


def _zones(conf, db):
    """{zone: [(service, up)]} for every service; a host in several zones is in each."""
    zones_by_host = compute_aggregates.host_zones(db)
    zones = {}
    for service in db.service_get_all():
        up = servicegroup.is_up(conf, service)
        for zone in compute_aggregates.service_zone(conf, service, zones_by_host).split(','):
            zones.setdefault(zone, []).append((service, up))
    return zones


def _available(entries):
    return any(up and not service.disabled for service, up in entries)


class AvailabilityZones(common.Resource):
    """``GET /os-availability-zone``: the compute zones and whether they are available."""

    def on_get(self, req, resp):
        self.authorize(req, RULE % 'list')
        zones = _zones(self.conf, self.backends.db)
        zones.pop(INTERNAL, None)
        resp.media = {'availabilityZoneInfo': [
            {'zoneName': name, 'zoneState': {'available': _available(entries)}, 'hosts': None}
            for name, entries in sorted(zones.items())]}

    def on_get_detail(self, req, resp):
        self.authorize(req, RULE % 'detail')
        zones = _zones(self.conf, self.backends.db)
        info = []
        # Nova lists the internal zone first, then the compute zones.
        for name in sorted(zones, key=lambda z: (z != INTERNAL, z)):
            enabled = [(service, up) for service, up in zones[name] if not service.disabled]
            hosts = None
            if enabled:
                hosts = {}
                for service, up in enabled:
                    hosts.setdefault(service.host, {})[service.binary] = {
                        'available': up, 'active': True,
                        'updated_at': common.isotime_micro(service.updated_at)}
            info.append({'zoneName': name,
                         'zoneState': {'available': True if name == INTERNAL
                                       else _available(zones[name])},
                         'hosts': hosts})
        resp.media = {'availabilityZoneInfo': info}
