"""ServerGroupSoftAffinityWeigher / ServerGroupSoftAntiAffinityWeigher: soft server-group policies."""

from novalite.scheduler import interfaces


class _SoftAffinityWeigherBase(interfaces.BaseWeigher):
    """Counts the request's server-group members on the host, for groups of ``policy``.

    Per host: the members come from ``spec.instance_group['members']`` and the
    host's ``instances``, which have no column.  Any other request scores 0.
    """

    policy = None
    sign = 1

    def _key(self):
        return '%s.members' % (self.name or type(self).__name__)

    def prepare(self, spec, cycle_state):
        cycle_state[self._key()] = self._members(spec)

    def _members(self, spec):
        group = spec.instance_group
        if not group or group.get('policy') != self.policy:
            return None
        return frozenset(group.get('members') or ())

    def _get_members(self, spec, cycle_state):
        key = self._key()
        if key not in cycle_state:  # called without prepare (e.g. directly in a test)
            cycle_state[key] = self._members(spec)
        return cycle_state[key]

    def weigh(self, host_state, spec, cycle_state):
        members = self._get_members(spec, cycle_state)
        if not members:
            return 0
        return self.sign * len(members.intersection(host_state.instances))

    def weigh_all(self, host_states, spec, cycle_state):
        members = self._get_members(spec, cycle_state)
        if not members:
            return [0] * len(host_states)
        sign = self.sign
        return [sign * len(members.intersection(h.instances)) for h in host_states]


class ServerGroupSoftAffinityWeigher(_SoftAffinityWeigherBase):
    """Prefers hosts running more members of the request's ``soft-affinity`` group.

    Multiplier: ``[filter_scheduler] soft_affinity_weight_multiplier`` (1.0).
    """

    multiplier_option = 'soft_affinity_weight_multiplier'
    policy = 'soft-affinity'


class ServerGroupSoftAntiAffinityWeigher(_SoftAffinityWeigherBase):
    """Prefers hosts running fewer members of the request's ``soft-anti-affinity`` group.

    Scores minus the member count, as Nova does, so the multiplier stays
    positive.  Multiplier: ``[filter_scheduler]
    soft_anti_affinity_weight_multiplier`` (1.0).
    """

    multiplier_option = 'soft_anti_affinity_weight_multiplier'
    policy = 'soft-anti-affinity'
    sign = -1
