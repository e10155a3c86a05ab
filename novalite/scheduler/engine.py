"""The filter scheduler as a pure function of (host states, request spec).

No RPC, no database, no global config: the scheduler service and the
simulator both build an :class:`Engine` from constructed plugins (or with
:meth:`Engine.from_conf`) and call :meth:`Engine.select_destinations` with the
host states they hold.  The only side effect is virtual consumption on the
chosen host states (and ``spec.instance_group['hosts']``), undone when the
request as a whole fails.
"""

import dataclasses
import heapq
import logging
import random

from novalite import exception
from novalite.scheduler import host_state as host_state_mod
from novalite.scheduler import interfaces

LOG = logging.getLogger(__name__)

NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'


def plugin_name(plugin):
    """The name a plugin is reported and configured under."""
    return plugin.name or type(plugin).__name__


@dataclasses.dataclass
class FilterStep:
    """One filtering stage: how many hosts came in, how many it removed, one example why."""

    name: str
    hosts_in: int
    removed: int
    example_host: str | None = None
    example_reason: str | None = None

    @property
    def hosts_out(self):
        return self.hosts_in - self.removed

    def __str__(self):
        text = '%s returned %d hosts (removed %d of %d' % (
            self.name, self.hosts_out, self.removed, self.hosts_in)
        if self.example_host is not None:
            text += '; e.g. %s: %s' % (self.example_host, self.example_reason)
        return text + ')'


@dataclasses.dataclass
class Explanation:
    """Why one instance went where it went, or why it could not be placed.

    ``steps`` lists the host-list stages in order: ``ignore_hosts`` /
    ``force_hosts`` / ``force_nodes`` when the request uses them, then each
    filter that ran.  ``weights`` maps weigher name to the chosen host's
    normalised score (before the multiplier in ``multipliers``).
    """

    instance_index: int
    num_instances: int
    hosts_total: int
    steps: list = dataclasses.field(default_factory=list)
    forced: bool = False
    weights: dict = dataclasses.field(default_factory=dict)
    multipliers: dict = dataclasses.field(default_factory=dict)
    chosen: tuple | None = None
    total_weight: float | None = None

    @property
    def failed_step(self):
        """The stage that left no host, or None."""
        if self.steps and self.steps[-1].hosts_out == 0:
            return self.steps[-1]
        return None

    def reason(self):
        """The NoValidHost reason for a failed placement."""
        text = NOT_ENOUGH_HOSTS
        if self.num_instances > 1:
            text += ' Instance %d of %d could not be placed.' % (
                self.instance_index + 1, self.num_instances)
        step = self.failed_step
        if self.hosts_total == 0:
            text += ' No compute hosts are known to the scheduler.'
        elif step is not None:
            kind = 'Filter ' if not step.name.startswith(('ignore_', 'force_')) else ''
            text += ' %s%s.' % (kind, step)
        return text

    def __str__(self):
        lines = ['instance %d/%d: %d hosts%s' % (
            self.instance_index + 1, self.num_instances, self.hosts_total,
            ' (forced: filters skipped)' if self.forced else '')]
        lines.extend('  %s' % step for step in self.steps)
        if self.chosen is not None:
            scores = ', '.join('%s=%.3f x %g' % (name, score, self.multipliers[name])
                               for name, score in self.weights.items())
            lines.append('  chose %s/%s weight %.3f%s' % (
                self.chosen[0], self.chosen[1], self.total_weight,
                ' [%s]' % scores if scores else ''))
        return '\n'.join(lines)


@dataclasses.dataclass
class Selection:
    """Where to build one instance, and the limits the compute's claim enforces."""

    host: str
    nodename: str
    limits: dict
    weight: float
    explanation: Explanation | None = None


class Engine:
    """Filter, weigh and choose hosts for a :class:`RequestSpec`, Nova FilterScheduler style.

    ``filters`` and ``weighers`` are constructed plugin instances, applied in
    order.  ``multipliers`` maps weigher name to multiplier; a weigher not in
    it uses its ``default_multiplier``.  The best host is chosen, or one at
    random (``rng``) among the ``host_subset_size`` best.  ``clock()`` gives the
    ``updated`` stamp of consumed host states (default: naive UTC now).
    """

    def __init__(self, filters, weighers, multipliers=None, host_subset_size=1,
                 rng=None, clock=None):
        self.filters = list(filters)
        self.weighers = list(weighers)
        multipliers = multipliers or {}
        self.multipliers = [float(multipliers.get(plugin_name(w), w.default_multiplier))
                            for w in self.weighers]
        # Nova: a subset size below 1 counts as 1.
        self.host_subset_size = max(1, int(host_subset_size))
        self.rng = rng if rng is not None else random.Random()
        self.clock = clock or host_state_mod.utcnow

    @classmethod
    def from_conf(cls, conf, rng=None, clock=None):
        """Load the configured filters and weighers by entry-point name and build an engine.

        Raises PluginNotFound / PluginLoadFailed for a misspelled or broken name.
        """
        from novalite import plugin  # only this factory needs stevedore

        fs = conf.filter_scheduler
        filters = plugin.load_all(plugin.FILTERS, fs.enabled_filters, conf)
        weighers = plugin.load_all(plugin.WEIGHERS, fs.weight_classes, conf)
        for name, obj in zip(list(fs.enabled_filters) + list(fs.weight_classes),
                             filters + weighers):
            if obj.name is None:
                obj.name = name
        return cls(filters, weighers, multipliers=fs.weight_multipliers,
                   host_subset_size=fs.host_subset_size, rng=rng, clock=clock)

    # -- the request -------------------------------------------------------

    def select_destinations(self, host_states, spec):
        """Return one :class:`Selection` per instance of ``spec``, in order.

        Raises NoValidHost (with ``.explanation``) when any instance cannot be
        placed; consumption already done for earlier instances of the request
        is undone first, so the caller gets all or nothing.
        """
        host_states = list(host_states)
        cycle = interfaces.CycleState()
        for p in self.filters + self.weighers:
            p.prepare(spec, cycle)
        num = max(1, spec.num_instances)
        group = spec.instance_group
        # Restored on failure: the caller must see the group as it was.
        group_before = dict(group) if group is not None else None
        if group_before is not None and 'hosts' in group_before:
            group_before['hosts'] = list(group_before['hosts'])
        undo = []
        selections = []
        for index in range(num):
            cycle.instance_index = index
            explanation = Explanation(index, num, len(host_states))
            hosts = self._filter(host_states, spec, cycle, explanation)
            if not hosts:
                self._undo(undo, group, group_before)
                reason = explanation.reason()
                LOG.debug('NoValidHost: %s\n%s', reason, explanation)
                exc = exception.NoValidHost(reason=reason)
                exc.explanation = explanation
                raise exc
            chosen, weight = self._choose(hosts, spec, cycle, explanation)
            uuid = spec.instance_uuids[index] if index < len(spec.instance_uuids) else None
            undo.append((chosen, chosen.snapshot(), uuid))
            chosen.consume_from_request(spec, now=self.clock(), instance_uuid=uuid)
            if group is not None and chosen.host not in group.setdefault('hosts', []):
                # Later instances of the batch see it (anti-affinity spreads them).
                group['hosts'].append(chosen.host)
            if LOG.isEnabledFor(logging.DEBUG):
                LOG.debug('%s', explanation)
            selections.append(Selection(chosen.host, chosen.nodename, dict(chosen.limits),
                                        weight, explanation))
        return selections

    @staticmethod
    def _undo(undo, group, group_before):
        for state, snapshot, uuid in reversed(undo):
            state.restore(snapshot, uuid)
        if group is not None:
            group.clear()
            group.update(group_before)

    # -- filtering ---------------------------------------------------------

    def _filter(self, host_states, spec, cycle, explanation):
        """The hosts passing every filter (or the forced ones); steps go to ``explanation``."""
        hosts = host_states
        if spec.ignore_hosts:
            ignore = {h.lower() for h in spec.ignore_hosts}
            hosts = self._stage(explanation, 'ignore_hosts', hosts,
                                [h for h in hosts if h.host.lower() not in ignore],
                                'listed in ignore_hosts')
        if spec.force_hosts or spec.force_nodes:
            if spec.force_hosts:
                force = {h.lower() for h in spec.force_hosts}
                hosts = self._stage(explanation, 'force_hosts', hosts,
                                    [h for h in hosts if h.host.lower() in force],
                                    'not in force_hosts')
            if spec.force_nodes:
                force = {n.lower() for n in spec.force_nodes}
                hosts = self._stage(explanation, 'force_nodes', hosts,
                                    [h for h in hosts if h.nodename.lower() in force],
                                    'not in force_nodes')
            if hosts:
                # Nova: forcing a host or node skips every filter.
                explanation.forced = True
                return hosts
        for filt in self.filters:
            if not hosts:
                break
            passes = filt.filter_all(hosts, spec, cycle)
            kept = [h for h, ok in zip(hosts, passes) if ok]
            step = FilterStep(plugin_name(filt), len(hosts), len(hosts) - len(kept))
            if step.removed:
                # One example is enough for a report; only the rejected host pays.
                rejected = next(h for h, ok in zip(hosts, passes) if not ok)
                step.example_host = rejected.host
                step.example_reason = filt.reject_reason(rejected, spec, cycle)
            explanation.steps.append(step)
            hosts = kept
        return hosts

    @staticmethod
    def _stage(explanation, name, hosts, kept, why):
        step = FilterStep(name, len(hosts), len(hosts) - len(kept))
        if step.removed:
            keep = set(map(id, kept))
            step.example_host = next(h.host for h in hosts if id(h) not in keep)
            step.example_reason = why
        explanation.steps.append(step)
        return kept

    # -- weighing and choosing --------------------------------------------

    def _choose(self, hosts, spec, cycle, explanation):
        """Weigh ``hosts`` and pick one; returns (host_state, total weight)."""
        n = len(hosts)
        totals = [0.0] * n
        normalisers = []
        for weigher, multiplier in zip(self.weighers, self.multipliers):
            raw = weigher.weigh_all(hosts, spec, cycle)
            lo = min(raw) if weigher.minval is None else weigher.minval
            hi = max(raw) if weigher.maxval is None else weigher.maxval
            span = float(hi - lo)
            normalisers.append((weigher, multiplier, raw, lo, span))
            if span <= 0 or multiplier == 0:
                continue  # all equal: every host scores 0 (Nova's normalize)
            scale = multiplier / span
            totals = [t + (r - lo) * scale for t, r in zip(totals, raw)]
        if self.host_subset_size == 1 or n == 1:
            best = max(range(n), key=totals.__getitem__)
        else:
            # Only the top k are needed: nlargest is O(n log k), not a full sort.
            top = heapq.nlargest(min(self.host_subset_size, n), range(n),
                                 key=totals.__getitem__)
            best = self.rng.choice(top)
        chosen = hosts[best]
        for weigher, multiplier, raw, lo, span in normalisers:
            name = plugin_name(weigher)
            explanation.weights[name] = (raw[best] - lo) / span if span > 0 else 0.0
            explanation.multipliers[name] = multiplier
        explanation.chosen = (chosen.host, chosen.nodename)
        explanation.total_weight = totals[best]
        return chosen, totals[best]
