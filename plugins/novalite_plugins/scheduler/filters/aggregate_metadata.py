"""Reading aggregate metadata from a HostState, as Nova's scheduler utils do."""

import collections
import logging
import math

LOG = logging.getLogger(__name__)


def metadata_by_key(host_state):
    """``{key: set of values}`` over the host's aggregates; comma-separated values are split.

    Nova (Liberty and later) splits ``"a, b"`` into ``{'a', 'b'}``, so
    ``filter_tenant_id`` and ``instance_type`` lists work in one key.
    """
    metadata = collections.defaultdict(set)
    for aggregate in host_state.aggregates:
        for key, value in (aggregate.get('metadata') or {}).items():
            metadata[key].update(x.strip() for x in str(value).split(','))
    return metadata


def values_for_key(host_state, key):
    """The raw values of ``key`` in the host's aggregates (one per aggregate having it)."""
    values = []
    for aggregate in host_state.aggregates:
        value = (aggregate.get('metadata') or {}).get(key)
        if value is not None:
            values.append(value)
    return values


class NumberFromAggregates:
    """The minimum of a numeric aggregate metadata key over a host's aggregates.

    An unparsable (or negative, or non-finite) value is logged once and
    ignored; with no usable value the caller's default applies.  (Nova falls
    back to the default as soon as *one* value is bad; ignoring only the bad
    one keeps a stricter valid limit of another aggregate in force.)
    """

    def __init__(self, key, cast):
        self.key = key
        self.cast = cast
        self._warned = set()

    def __call__(self, host_state, default):
        best = None
        for aggregate in host_state.aggregates:
            raw = (aggregate.get('metadata') or {}).get(self.key)
            if raw is None:
                continue
            try:
                value = self.cast(raw)
                if not math.isfinite(value) or value < 0:
                    raise ValueError('not a finite non-negative number')
            except (TypeError, ValueError):
                # Once per aggregate and value: host_passes runs for every host and request.
                seen = (aggregate.get('name'), raw)
                if seen not in self._warned:
                    self._warned.add(seen)
                    LOG.warning('Ignoring aggregate %s metadata %s=%r: not a valid number',
                                aggregate.get('name'), self.key, raw)
                continue
            if best is None or value < best:
                best = value
        return default if best is None else best
