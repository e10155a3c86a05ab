"""ComputeCapabilitiesFilter: flavor extra specs the host's capabilities must satisfy."""

import json as jsonlib

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import extra_specs_ops

_SCOPE = 'capabilities'


def _lookup(host_state, path):
    """The capability at ``path`` (a list of names) or None, as Nova looks it up.

    The first name is a HostState attribute, else a key of ``stats``; later
    names index into dicts (a JSON string is parsed first), so
    ``cpu_info:features`` reaches the CPU flags.
    """
    name = path[0]
    # Private attributes (the arrays bookkeeping) are not capabilities.
    cap = None if name.startswith('_') else getattr(host_state, name, None)
    if cap is None:
        cap = (host_state.stats or {}).get(name)
    for name in path[1:]:
        if isinstance(cap, str):
            try:
                cap = jsonlib.loads(cap)
            except ValueError:
                return None
        if not isinstance(cap, dict):
            return None
        cap = cap.get(name)
        if cap is None:
            return None
    return cap


class ComputeCapabilitiesFilter(interfaces.BaseFilter):
    """Rejects hosts whose capabilities fail the flavor's unscoped or ``capabilities:`` extra specs.

    Each such spec ``[capabilities:]a[:b...] = requirement`` looks up HostState
    attribute ``a`` (else ``stats['a']``), then nested keys, and matches
    ``str(value)`` with extra_specs_ops; a missing capability rejects.  Specs
    in any other scope (``hw:``, ``aggregate_instance_extra_specs:`` ...) are
    ignored.  Reads no options.
    """

    def prepare(self, spec, cycle_state):
        cycle_state['ComputeCapabilitiesFilter'] = self._wanted(spec)

    @staticmethod
    def _wanted(spec):
        """[(path, requirement)] of the specs this filter checks; empty: every host passes."""
        wanted = []
        for key, req in ((spec.flavor or {}).get('extra_specs') or {}).items():
            path = key.split(':')
            if len(path) > 1:
                if path[0] != _SCOPE:
                    continue
                del path[0]
            wanted.append((path, req))
        return wanted

    def _failed(self, host_state, wanted):
        """The first (path, requirement, value) not satisfied, or None."""
        for path, req in wanted:
            cap = _lookup(host_state, path)
            if cap is None or not extra_specs_ops.match(str(cap), req):
                return path, req, cap
        return None

    def host_passes(self, host_state, spec, cycle_state):
        wanted = cycle_state.get('ComputeCapabilitiesFilter')
        if wanted is None:
            wanted = self._wanted(spec)
        if not wanted:
            return True
        return self._failed(host_state, wanted) is None

    def reject_reason(self, host_state, spec, cycle_state):
        failed = self._failed(host_state, self._wanted(spec))
        if failed is None:
            return 'capabilities match'
        path, req, cap = failed
        if cap is None:
            return 'no capability %s (extra spec wants %r)' % (':'.join(path), req)
        return 'capability %s=%r does not match %r' % (':'.join(path), str(cap), req)
