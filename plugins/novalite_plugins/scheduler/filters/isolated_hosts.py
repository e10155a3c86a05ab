"""IsolatedHostsFilter: isolated images only on isolated hosts (and, by default, the converse)."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import options

OPTS = [options.ISOLATED_IMAGES, options.ISOLATED_HOSTS, options.RESTRICT_ISOLATED_HOSTS]


def list_opts():
    return [(options.GROUP, OPTS)]


class IsolatedHostsFilter(interfaces.BaseFilter):
    """Rejects non-isolated hosts for an isolated image and, if restricted, isolated hosts for others.

    Reads ``[filter_scheduler] isolated_images`` (image ids),
    ``isolated_hosts`` (host names) and
    ``restrict_isolated_hosts_to_isolated_images`` (default True), Kilo
    names in [DEFAULT].  With no isolated images, a restricted isolated host
    takes nothing.
    """

    @classmethod
    def register_opts(cls, conf):
        options.register(conf, OPTS)

    def __init__(self, conf):
        super().__init__(conf)
        group = conf[options.GROUP]
        self.images = frozenset(group.isolated_images)
        self.hosts = frozenset(group.isolated_hosts)
        self.restrict = group.restrict_isolated_hosts_to_isolated_images

    def _verdicts(self, spec):
        """(isolated host passes, other host passes) for this request's image."""
        if not self.images:
            return not self.restrict, True
        image_isolated = (spec.image or {}).get('id') in self.images
        if self.restrict:
            return image_isolated, not image_isolated
        return True, not image_isolated

    def prepare(self, spec, cycle_state):
        cycle_state['IsolatedHostsFilter'] = self._verdicts(spec)

    def host_passes(self, host_state, spec, cycle_state):
        verdicts = cycle_state.get('IsolatedHostsFilter')
        if verdicts is None:
            verdicts = self._verdicts(spec)
        isolated_ok, other_ok = verdicts
        if isolated_ok and other_ok:
            return True
        return isolated_ok if host_state.host in self.hosts else other_ok

    def reject_reason(self, host_state, spec, cycle_state):
        if host_state.host in self.hosts:
            return 'isolated host, image %s is not isolated' % (spec.image or {}).get('id')
        return 'not an isolated host, image %s is isolated' % (spec.image or {}).get('id')
