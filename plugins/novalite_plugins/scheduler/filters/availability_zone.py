"""AvailabilityZoneFilter: only hosts in the requested availability zone."""

import numpy as np

from novalite.scheduler import interfaces


class AvailabilityZoneFilter(interfaces.BaseFilter):
    """Rejects hosts outside the requested zone; the host manager resolves zones from aggregates."""

    def host_passes(self, host_state, spec, cycle_state):
        wanted = spec.availability_zone
        if not wanted:
            return True
        zone = host_state.availability_zone
        if zone == wanted:
            return True
        # A host in several zoned aggregates carries "az1,az2" (as Nova shows it).
        return zone is not None and ',' in zone and wanted in zone.split(',')

    def filter_vec(self, hosts, spec, cycle_state):
        if not spec.availability_zone:
            return np.ones(len(hosts), dtype=bool)
        host_passes = self.host_passes
        return np.fromiter((host_passes(h, spec, cycle_state) for h in hosts.states),
                           dtype=bool, count=len(hosts))

    def vec_key(self, spec, cycle_state):
        # Zones are not columns, but the host manager reshapes the arrays
        # (dropping cached verdicts) whenever aggregates change.
        return spec.availability_zone or ''

    def reject_reason(self, host_state, spec, cycle_state):
        return 'in zone %r, %r requested' % (host_state.availability_zone,
                                             spec.availability_zone)
