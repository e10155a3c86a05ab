"""A simulated scheduler service: the real HostManager and Engine, fed by the virtual cloud.

It does what ``novalite.scheduler.manager.SchedulerManager`` does around the
engine (note the instances a request refers to, select, forget them) but
takes host reports from the simulation instead of reading a database, and
stamps consumption with the simulated clock.
"""

import os
import random
import tempfile

from novalite import conf as nl_conf
from novalite.scheduler import engine as sched_engine
from novalite.scheduler import host_manager


def _ini_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ','.join(_ini_value(v) for v in value)
    if isinstance(value, dict):
        return ','.join('%s:%s' % (k, _ini_value(v)) for k, v in value.items())
    return str(value)


def make_conf(config):
    """A ConfigOpts for a scenario's :class:`SchedulerConfig`, as a nova.conf would say it.

    The scenario's settings are written as a config file and parsed, so every
    option (a plugin's own, deprecated Kilo names) means what it means in
    the service's config file.
    """
    sections = {'DEFAULT': {}, 'filter_scheduler': {}}
    fs = sections['filter_scheduler']
    fs['enabled_filters'] = config.filters
    fs['weight_classes'] = list(config.weighers)
    multipliers = {k: v for k, v in config.weighers.items() if v is not None}
    if multipliers:
        fs['weight_multipliers'] = multipliers
    fs['host_subset_size'] = config.host_subset_size
    fs['max_attempts'] = config.max_attempts
    for key, value in config.allocation_ratios.items():
        sections['DEFAULT']['%s_allocation_ratio' % key] = value
    sections['DEFAULT']['service_down_time'] = max(1, int(config.service_down_time_s))
    for group, opts in config.options.items():
        sections.setdefault(group, {}).update(opts)
    text = ''.join('[%s]\n%s\n' % (group, ''.join(
        '%s = %s\n' % (k, _ini_value(v)) for k, v in opts.items()))
        for group, opts in sections.items())
    fd, path = tempfile.mkstemp(prefix='novalite-sim-', suffix='.conf')
    try:
        with os.fdopen(fd, 'w') as fh:
            fh.write(text)
        conf = nl_conf.make_conf([], default_config_files=[path])
        # Parsed values are kept in memory; read every group now, while the file exists.
        conf.filter_scheduler.enabled_filters  # noqa: B018
    finally:
        os.unlink(path)
    return conf


class SimScheduler:
    """One scheduler process's view of the cloud and its engine.

    ``clock`` is the simulation's clock (seconds); consumption is stamped
    with it, so a compute report older than a placement does not overwrite
    the placement (the service's rule, on simulated time).
    """

    def __init__(self, conf, seed, clock):
        self.conf = conf
        self.engine = sched_engine.Engine.from_conf(conf, rng=random.Random(seed), clock=clock)
        self.host_manager = host_manager.HostManager(conf)

    def update(self, nodes, services, now, aggregates_by_host=None):
        """Apply compute reports (``full=False``: only these nodes changed)."""
        self.host_manager.update_nodes(nodes, services, aggregates_by_host=aggregates_by_host,
                                       now=now, full=False)

    def select(self, spec, locations=None):
        """The engine's selections for ``spec``; raises NoValidHost.

        ``locations`` maps the uuids of existing servers the request refers
        to (server group members ...) to ``(host, node)``; they are noted for
        this request only, and so are the engine's own additions.
        """
        hm = self.host_manager
        noted = hm.note_instances(locations) if locations else []
        try:
            selections = self.engine.select_destinations(hm.get_all_host_states(), spec)
        finally:
            hm.forget_instances(noted)
        if spec.instance_uuids:
            placed = []
            for uuid, sel in zip(spec.instance_uuids, selections):
                state = hm.get_host_state(sel.host, sel.nodename)
                if state is not None:
                    placed.append((state, uuid))
            hm.forget_instances(placed)
        return selections
