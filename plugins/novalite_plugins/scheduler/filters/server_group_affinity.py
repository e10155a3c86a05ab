"""ServerGroupAffinityFilter: members of an 'affinity' server group go to the group's hosts."""

from novalite.scheduler import interfaces


def group_policy(spec):
    """The request's server group and its policy, or (None, None).

    Nova Newton+ has one ``policy``; older groups carry a ``policies`` list.
    """
    group = spec.instance_group
    if not group:
        return None, None
    policy = group.get('policy')
    if not policy:
        policies = group.get('policies') or ()
        policy = policies[0] if policies else None
    return group, policy


def group_hosts(group, cycle_state, key):
    """``group['hosts']`` as a set, cached in ``cycle_state[key]`` while it does not change.

    The engine appends each chosen host to ``group['hosts']`` between the
    instances of a multi-create, so the cache is keyed by the instance index
    and the list's length (the list only grows).
    """
    hosts = group.get('hosts') or ()
    stamp = (cycle_state.instance_index, len(hosts))
    cached = cycle_state.get(key)
    if cached is None or cached[0] != stamp:
        cached = cycle_state[key] = (stamp, frozenset(hosts))
    return cached[1]


class ServerGroupAffinityFilter(interfaces.BaseFilter):
    """Rejects hosts outside ``spec.instance_group['hosts']`` when the group's policy is 'affinity'.

    While the group has no host yet, every host passes.  Requests without a
    group, or with another policy, pass everything ('soft-affinity' is a
    weigher's business).  Reads no options.
    """

    def host_passes(self, host_state, spec, cycle_state):
        group, policy = group_policy(spec)
        if policy != 'affinity':
            return True
        hosts = group_hosts(group, cycle_state, 'ServerGroupAffinityFilter')
        return not hosts or host_state.host in hosts

    def reject_reason(self, host_state, spec, cycle_state):
        group, _policy = group_policy(spec)
        return 'not a host of affinity group %s (%s)' % (
            group.get('name') or group.get('uuid'), ', '.join(sorted(group.get('hosts') or ())))
