"""``/os-availability-zone[/detail]``: zones of the compute services.

A zone is available when one of its enabled compute services is up.  The detail
view (admin) adds each zone's hosts and services, and Nova's ``internal`` zone
holding the services that are not computes.
"""

from novalite import servicegroup
from novalite.api.compute import common
from novalite.api.compute import services as services_api

RULE = 'os_compute_api:os-availability-zone:%s'
INTERNAL = 'internal'


def _zones(conf, services):
    """{zone: [(service, up)]} for every service."""
    zones = {}
    for service in services:
        zone = services_api.zone(conf, service)
        zones.setdefault(zone, []).append((service, servicegroup.is_up(conf, service)))
    return zones


def _available(entries):
    return any(up and not service.disabled for service, up in entries)


class AvailabilityZones(common.Resource):
    """``GET /os-availability-zone``: the compute zones and whether they are available."""

    def on_get(self, req, resp):
        self.authorize(req, RULE % 'list')
        zones = _zones(self.conf, self.backends.db.service_get_all())
        zones.pop(INTERNAL, None)
        resp.media = {'availabilityZoneInfo': [
            {'zoneName': name, 'zoneState': {'available': _available(entries)}, 'hosts': None}
            for name, entries in sorted(zones.items())]}

    def on_get_detail(self, req, resp):
        self.authorize(req, RULE % 'detail')
        zones = _zones(self.conf, self.backends.db.service_get_all())
        info = []
        # Nova lists the internal zone first, then the compute zones.
        for name in sorted(zones, key=lambda z: (z != INTERNAL, z)):
            hosts = {}
            for service, up in zones[name]:
                hosts.setdefault(service.host, {})[service.binary] = {
                    'available': up, 'active': not service.disabled,
                    'updated_at': common.isotime_micro(service.updated_at)}
            info.append({'zoneName': name,
                         'zoneState': {'available': True if name == INTERNAL
                                       else _available(zones[name])},
                         'hosts': hosts})
        resp.media = {'availabilityZoneInfo': info}
