"""ServerGroupAntiAffinityFilter: members of an 'anti-affinity' server group spread over hosts."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import server_group_affinity


class _Group:
    __slots__ = ('members', 'max_per_host')

    def __init__(self, members, max_per_host):
        self.members = members
        self.max_per_host = max_per_host


def _group(spec):
    """The anti-affinity group's members and per-host maximum, or None when inactive."""
    group, policy = server_group_affinity.group_policy(spec)
    if policy != 'anti-affinity':
        return None
    rules = group.get('rules') or {}
    try:
        max_per_host = int(rules.get('max_server_per_host') or 1)
    except (TypeError, ValueError):
        max_per_host = 1  # the API validates rules; never loosen the policy on garbage
    return _Group(frozenset(group.get('members') or ()), max(1, max_per_host))


class ServerGroupAntiAffinityFilter(interfaces.BaseFilter):
    """Rejects hosts holding ``max_server_per_host`` (rules; default 1) members of an 'anti-affinity' group.

    Members on a host are ``host_state.instances`` & ``group['members']``; a
    host listed in ``group['hosts']`` counts as holding at least one (Kilo
    judged by the hosts list alone, and the engine adds each chosen host
    there).  A host already running the instance being placed (a move)
    passes.  Requests without a group, or with another policy, pass
    everything ('soft-anti-affinity' is a weigher's business).  Reads no
    options.
    """

    def prepare(self, spec, cycle_state):
        cycle_state['ServerGroupAntiAffinityFilter'] = _group(spec)

    def _count(self, host_state, spec, cycle_state, group):
        """Members on the host, or None when the instance being placed is already there."""
        index = cycle_state.instance_index
        uuids = spec.instance_uuids
        if index < len(uuids) and uuids[index] in host_state.instances:
            return None
        count = len(group.members.intersection(host_state.instances)) if group.members else 0
        if not count:
            hosts = server_group_affinity.group_hosts(spec.instance_group, cycle_state,
                                                      'ServerGroupAntiAffinityFilter.hosts')
            if host_state.host in hosts:
                count = 1
        return count

    def host_passes(self, host_state, spec, cycle_state):
        if 'ServerGroupAntiAffinityFilter' in cycle_state:
            group = cycle_state['ServerGroupAntiAffinityFilter']
        else:
            group = _group(spec)
        if group is None:
            return True
        count = self._count(host_state, spec, cycle_state, group)
        return count is None or count < group.max_per_host

    def reject_reason(self, host_state, spec, cycle_state):
        group = _group(spec)
        count = self._count(host_state, spec, cycle_state, group)
        return '%s anti-affinity group members on host >= max %d' % (count, group.max_per_host)
