"""AvailabilityZoneFilter: only hosts in the requested availability zone."""

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

    def reject_reason(self, host_state, spec, cycle_state):
        return 'in zone %r, %r requested' % (host_state.availability_zone,
                                             spec.availability_zone)
