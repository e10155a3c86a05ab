"""The filter scheduler as a pure function of (host states, request spec).

No RPC, no database, no global config: the scheduler service and the
simulator both build an :class:`Engine` from constructed plugins (or with
:meth:`Engine.from_conf`) and call :meth:`Engine.select_destinations` with the
host states they hold.  The only side effect is virtual consumption on the
chosen host states (and ``spec.instance_group['hosts']``), undone when the
request as a whole fails.
"""

import dataclasses
import logging
import random

import numpy as np

from novalite import exception
from novalite.scheduler import host_arrays as host_arrays_mod
from novalite.scheduler import host_state as host_state_mod
from novalite.scheduler import interfaces
from novalite.scheduler import multipliers as multipliers_mod

LOG = logging.getLogger(__name__)

NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'

_SMALL = host_arrays_mod.SMALL_INT
_FAR = 2.0 ** 60


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


class _FilterResults:
    """Cumulative filter masks for one request key, kept current row by row.

    ``masks[k]`` says which hosts pass filters 0..k, ``counts[k]`` how many;
    ``examples[k]`` is a host filter k removed (one passing filters 0..k-1),
    ``reasons[k]`` the cached ``(row, reject_reason)`` for it.  ``position``
    is the arrays' change-log position the masks reflect.
    """

    __slots__ = ('masks', 'counts', 'examples', 'reasons', 'position')

    def __init__(self, arrays, filters, spec, cycle):
        view = arrays.view()
        masks = []
        passed = None
        for filt in filters:
            mask = np.asarray(filt.filter_vec(view, spec, cycle), dtype=bool)
            passed = mask.copy() if passed is None else np.logical_and(passed, mask)
            masks.append(passed)
        self.masks = masks
        self.counts = [int(np.count_nonzero(m)) for m in masks]
        self.examples = [None] * len(masks)
        self.reasons = [None] * len(masks)
        self.position = arrays.changes_position

    def update(self, arrays, rows, filters, spec, cycle):
        """Re-judge ``rows`` with each filter's ``host_passes``, in filter order."""
        states = arrays.states
        masks, counts = self.masks, self.counts
        judged = list(zip(filters, masks))
        for i in rows:
            state = states[i]
            ok = True
            for k, (filt, mask) in enumerate(judged):
                # A host an earlier filter removed is not asked again (as in _filter).
                if ok:
                    ok = bool(filt.host_passes(state, spec, cycle))
                # Python bools compare faster than numpy scalars: read the mask once.
                if bool(mask[i]) is not ok:
                    mask[i] = ok
                    counts[k] += 1 if ok else -1

        for k, reason in enumerate(self.reasons):
            if reason is not None and reason[0] in rows:
                self.reasons[k] = None  # the example host changed: phrase it again

    @property
    def nbytes(self):
        return sum(mask.nbytes for mask in self.masks)

    def example(self, k):
        """A row filter ``k`` removed, kept from request to request while it stays removed."""
        row = self.examples[k]
        before = self.masks[k - 1] if k else None
        mask = self.masks[k]
        if row is None or mask[row] or (before is not None and not before[row]):
            rejected = ~mask if before is None else np.logical_and(before, ~mask)
            row = self.examples[k] = int(rejected.argmax())
        return row


class Engine:
    """Filter, weigh and choose hosts for a :class:`RequestSpec`, Nova FilterScheduler style.

    ``filters`` and ``weighers`` are constructed plugin instances, applied in
    order.  ``multipliers`` maps weigher name to multiplier; a weigher not in
    it uses its ``default_multiplier``.  The best host is chosen, or one at
    random (``rng``) among the ``host_subset_size`` best.  ``clock()`` gives the
    ``updated`` stamp of consumed host states (default: naive UTC now).
    """

    #: request keys whose filter results are kept (least recently used dropped)
    FILTER_CACHE_SIZE = 8

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
        # Only plugins that override prepare() are called per request.
        self._preparers = [p for p in self.filters + self.weighers
                           if type(p).prepare is not interfaces._Plugin.prepare]
        self._vec_filters = [f for f in self.filters if f.filter_vec is not None]
        # Filter results are cached per request key when every filter can say
        # what its result depends on (vec_key); see _filter_cached.
        self._keyed = bool(self.filters) and all(
            f.filter_vec is not None and f.vec_key is not None for f in self.filters)
        self._names = [plugin_name(f) for f in self.filters]

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
        # Validated here, at start: a multiplier for a weigher not loaded is a typo.
        resolved = multipliers_mod.resolve(conf, weighers)
        return cls(filters, weighers,
                   multipliers={plugin_name(w): m for w, m in zip(weighers, resolved)},
                   host_subset_size=fs.host_subset_size, rng=rng, clock=clock)

    # -- the request -------------------------------------------------------

    def select_destinations(self, host_states, spec):
        """Return one :class:`Selection` per instance of ``spec``, in order.

        ``host_states`` is the HostManager's ``get_all_host_states()`` (which
        carries its HostArrays, so nothing is rebuilt) or any iterable of
        HostStates (then arrays are built for this request).

        Raises NoValidHost (with ``.explanation``) when any instance cannot be
        placed; consumption already done for earlier instances of the request
        is undone first, so the caller gets all or nothing.
        """
        arrays = getattr(host_states, 'host_arrays', None)
        if arrays is None or arrays.n != len(host_states):
            arrays = host_arrays_mod.HostArrays.from_states(list(host_states))
        cycle = interfaces.CycleState()
        for p in self._preparers:
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
            explanation = Explanation(index, num, arrays.n)
            view, passed, count = self._filter(arrays, spec, cycle, explanation)
            if not count:
                self._undo(undo, group, group_before)
                reason = explanation.reason()
                LOG.debug('NoValidHost: %s\n%s', reason, explanation)
                exc = exception.NoValidHost(reason=reason)
                exc.explanation = explanation
                raise exc
            pos, weight = self._choose(view, passed, count, spec, cycle, explanation)
            row = pos if view.index is None else int(view.index[pos])
            chosen = arrays.states[row]
            if not explanation.forced:
                # Vectorised filters set no limits: host_passes records them on
                # the chosen host exactly as the per-host path would have.
                for filt in self._vec_filters:
                    filt.host_passes(chosen, spec, cycle)
            uuid = spec.instance_uuids[index] if index < len(spec.instance_uuids) else None
            if index < num - 1:
                # Only a later instance can fail the request after this consumption.
                undo.append((chosen, chosen.snapshot(), uuid))
            chosen.consume_from_request(spec, now=self.clock(), instance_uuid=uuid)
            if chosen._arrays is not arrays:
                arrays.load_consumed(row, chosen)  # arrays built for this request
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

    def _filter(self, arrays, spec, cycle, explanation):
        """Filter the hosts of ``arrays`` (or take the forced ones); steps go to ``explanation``.

        Returns (view, passed, count): the candidate HostView, a bool mask
        over it of the hosts passing, and how many do.
        """
        index = None
        if spec.ignore_hosts or spec.force_hosts or spec.force_nodes:
            hosts = self._stages(arrays.states, spec, explanation)
            position = {id(s): i for i, s in enumerate(arrays.states)}
            index = np.array([position[id(h)] for h in hosts], dtype=np.intp)
            if explanation.forced or not hosts:
                return arrays.view(index), np.ones(len(hosts), dtype=bool), len(hosts)
        elif self._keyed:
            key = tuple([f.vec_key(spec, cycle) for f in self.filters])
            if None not in key:
                return self._filter_cached(arrays, key, spec, cycle, explanation)
        view = arrays.view(index)
        count = len(view)
        n = count
        # Two masks reused for every filter: no temporaries besides the filters' own.
        passed = np.ones(n, dtype=bool)
        kept_mask = np.empty(n, dtype=bool)
        states = None
        for filt in self.filters:
            if not count:
                break
            if filt.filter_vec is not None:
                mask = np.asarray(filt.filter_vec(view, spec, cycle), dtype=bool)
                np.logical_and(passed, mask, out=kept_mask)
            else:
                # Per-host plugin: called on the current survivors only, in order.
                if states is None:
                    states = view.states
                survivors = np.flatnonzero(passed)
                oks = filt.filter_all([states[i] for i in survivors.tolist()], spec, cycle)
                kept_mask[:] = False
                kept_mask[survivors[np.array([bool(ok) for ok in oks], dtype=bool)]] = True
            kept = int(np.count_nonzero(kept_mask))
            step = FilterStep(plugin_name(filt), count, count - kept)
            if step.removed:
                # One example is enough for a report; only the rejected host pays.
                # kept is a subset of passed: the first difference is the first rejected.
                pos = int(np.not_equal(passed, kept_mask).argmax())
                row = pos if view.index is None else int(view.index[pos])
                rejected = arrays.states[row]
                step.example_host = rejected.host
                step.example_reason = filt.reject_reason(rejected, spec, cycle)
            explanation.steps.append(step)
            passed, kept_mask, count = kept_mask, passed, kept
        return view, passed, count

    def _filter_cached(self, arrays, key, spec, cycle, explanation):
        """``_filter`` for all hosts from the results cached for ``key``, redoing changed rows only.

        A filter's ``vec_key`` promises that its verdict on a host depends on
        the key and the host's columns alone, so the cumulative masks of an
        earlier request with the same key stay right except on rows changed
        since (the arrays log them: the hosts chosen since, compute reports,
        services).  Those rows are re-judged with ``host_passes`` (which
        agrees with ``filter_vec`` by contract); many changed rows, or a
        first request, run ``filter_vec`` on everything.
        """
        cache = arrays.caches.get(self)
        if cache is None:
            cache = arrays.caches[self] = {}
        entry = cache.get(key)
        changed = None
        if entry is not None:
            changed = arrays.changes_since(entry.position)
            if changed is not None and len(changed) > 64:
                changed = None
        if changed is None:
            entry = cache[key] = _FilterResults(arrays, self.filters, spec, cycle)
            if len(cache) > self.FILTER_CACHE_SIZE:
                del cache[next(iter(cache))]
        elif changed:
            entry.update(arrays, set(changed), self.filters, spec, cycle)
        else:
            # Most recently used last: the oldest entry is evicted first.
            cache[key] = cache.pop(key)
        entry.position = arrays.changes_position
        count = arrays.n
        states = arrays.states
        for k, filt in enumerate(self.filters):
            if not count:
                break
            kept = entry.counts[k]
            step = FilterStep(self._names[k], count, count - kept)
            if step.removed:
                example = entry.example(k)
                reason = entry.reasons[k]
                if reason is None or reason[0] != example:
                    reason = entry.reasons[k] = (
                        example, filt.reject_reason(states[example], spec, cycle))
                step.example_host = states[example].host
                step.example_reason = reason[1]
            explanation.steps.append(step)
            count = kept
        return arrays.view(), entry.masks[-1], count

    def _stages(self, hosts, spec, explanation):
        """ignore_hosts / force_hosts / force_nodes, on HostState lists (rarely used)."""
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

    def _choose(self, view, passed, count, spec, cycle, explanation):
        """Weigh the passing hosts of ``view`` and pick one; returns (position, total weight).

        Same arithmetic, in the same order, as weighing a list of survivors:
        min-max over the survivors, (raw - lo) * multiplier / span summed.
        """
        n = len(view)
        normalisers = []
        survivors = None
        masked = count != n
        penalty = None
        for weigher, multiplier in zip(self.weighers, self.multipliers):
            if weigher.weigh_vec is not None:
                raw = np.asarray(weigher.weigh_vec(view, spec, cycle), dtype=np.float64)
            else:
                if survivors is None:
                    survivors = np.flatnonzero(passed)
                states = view.states
                raw = np.zeros(n)
                raw[survivors] = weigher.weigh_all([states[i] for i in survivors.tolist()],
                                                   spec, cycle)
            lo, hi = weigher.minval, weigher.maxval
            top = None  # first position of the largest raw among the candidates, if known
            if lo is None or hi is None:
                if not masked:
                    lo = float(raw.min()) if lo is None else lo
                    if len(self.weighers) == 1 and self._small(view, raw):
                        top = int(raw.argmax())
                        hi = float(raw[top]) if hi is None else hi
                    else:
                        hi = float(raw.max()) if hi is None else hi
                elif self._small(view, raw):
                    # Branch-free masked min/max: non-candidates pushed out of range by
                    # +/- 2**60 (exact for the candidates, whose |raw| < 2**49).
                    if penalty is None:
                        penalty = np.empty(n)
                        np.copyto(penalty, ~passed)
                        penalty *= _FAR
                    shifted = np.subtract(raw, penalty)
                    top = int(shifted.argmax())
                    if hi is None:
                        hi = float(raw[top])
                    if lo is None:
                        lo = float(np.add(raw, penalty, out=shifted).min())
                else:
                    candidates = raw[passed]
                    lo = float(candidates.min()) if lo is None else lo
                    hi = float(candidates.max()) if hi is None else hi
            span = float(hi - lo)
            normalisers.append((weigher, multiplier, raw, lo, span, top))
        best = self._best_fast(view, normalisers, count)
        if best is not None:
            total = 0.0
            for _weigher, multiplier, raw, lo, span, _top in normalisers:
                if span > 0 and multiplier != 0:
                    total = total + (float(raw[best]) - lo) * (multiplier / span)
        else:
            totals = np.zeros(n)
            for _weigher, multiplier, raw, lo, span, _top in normalisers:
                if span <= 0 or multiplier == 0:
                    continue  # all equal: every host scores 0 (Nova's normalize)
                totals += (raw - lo) * (multiplier / span)
            ranked = totals if not masked else np.where(passed, totals, -np.inf)
            k = min(self.host_subset_size, count)
            if k == 1:
                best = int(np.argmax(ranked))
            else:
                # The k best without a full sort; ties keep host order, as a stable sort would.
                kth = np.partition(ranked, n - k)[n - k]
                above = np.flatnonzero(ranked > kth)
                cand = np.concatenate((above, np.flatnonzero(ranked == kth)[:k - len(above)]))
                top = cand[np.lexsort((cand, -ranked[cand]))]
                best = self.rng.choice(top.tolist())
            total = float(totals[best])
        row = best if view.index is None else int(view.index[best])
        chosen = view.arrays.states[row]
        for weigher, multiplier, raw, lo, span, _top in normalisers:
            name = plugin_name(weigher)
            explanation.weights[name] = (float(raw[best]) - lo) / span if span > 0 else 0.0
            explanation.multipliers[name] = multiplier
        explanation.chosen = (chosen.host, chosen.nodename)
        explanation.total_weight = total
        return best, total

    def _best_fast(self, view, normalisers, count):
        """The choice without computing totals, when it provably equals the argmax of the totals.

        One weigher scoring (span > 0, multiplier > 0), raw values small
        integers, the best host wanted (subset 1): the scaled score is then
        strictly increasing in raw, so the first largest raw is the first
        largest total.  None when that does not hold.
        """
        if self.host_subset_size != 1 and count > 1:
            return None
        scoring = [entry for entry in normalisers if entry[4] > 0 and entry[1] != 0]
        if not scoring:
            return None
        if len(scoring) > 1:
            return None
        weigher, multiplier, raw, lo, span, top = scoring[0]
        if (top is None or weigher.minval is not None or weigher.maxval is not None
                or not 1e-200 < multiplier < 1e200
                or not (-_SMALL < lo and lo + span < _SMALL)):
            return None
        return top

    @staticmethod
    def _small(view, raw):
        """True if ``raw`` is a column of small integers (|x| < 2**49) of the view's arrays."""
        return view.index is None and view.arrays.is_small_int_column(raw)
