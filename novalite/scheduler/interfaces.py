"""The scheduler plugin API: filters, weighers and the per-request cycle state.

Third-party and built-in plugins alike subclass :class:`BaseFilter` or
:class:`BaseWeigher` and register an entry point in ``novalite.scheduler.filters``
or ``novalite.scheduler.weighers``.  Plugins import this module and
``novalite.objects`` only.

A request passes through the extension points in this order::

    prepare(spec, cycle_state)               once per request, every filter and weigher
    for each instance of the request:
        filter_vec, else filter_all / host_passes   each filter in configured order
        weigh_vec, else weigh_all / weigh           each weigher, on the survivors
        (engine normalises, multiplies, picks; host_passes of each vectorised
         filter on the chosen host, for its limits; consumes on the chosen host)

Vectorised entry points (optional): ``filter_vec(hosts, spec, cycle_state)``
and ``weigh_vec(hosts, spec, cycle_state)`` take a
:class:`novalite.scheduler.host_arrays.HostView` -- one numpy array per
HostState field (``hosts.free_ram_mb``, ``hosts.vcpus_total``, ratios with NaN
for None, ``hosts.enabled``/``hosts.up`` ...), one value per candidate host,
plus ``hosts.states`` -- and return a numpy bool mask / numeric array of
``len(hosts)``.  They must agree exactly with ``host_passes`` / ``weigh``, which
stay mandatory: plugins without a vectorised entry point run per host, and
the engine mixes both in one request.

``host_state`` is a :class:`novalite.scheduler.host_state.HostState`; ``spec`` a
:class:`novalite.objects.RequestSpec`.
"""

import abc


class CycleState(dict):
    """Per-request scratch space shared by every plugin for one ``select_destinations`` call.

    A plain dict: key entries by your plugin's name (``cycle_state['MyFilter']``)
    so plugins do not collide.  ``instance_index`` is the index (0-based) of the
    instance of a multi-create being placed; it is 0 during ``prepare``.
    Nothing in it outlives the request.
    """

    __slots__ = ('instance_index',)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance_index = 0


class _Plugin:
    """What filters and weighers share: a conf, a name and the ``prepare`` hook."""

    #: The name reports, log lines and the multiplier map use.  None means the
    #: class name; the engine's ``from_conf`` sets the entry-point name.
    name = None

    def __init__(self, conf):
        """Store ``conf`` (an oslo.config ``ConfigOpts``).

        Read options here, once, rather than per host.  A plugin declaring its
        own options provides a classmethod ``register_opts(conf)``, which the
        loader calls before constructing it, and a module-level ``list_opts()``
        for the sample config.
        """
        self.conf = conf

    def prepare(self, spec, cycle_state):
        """Per-request work before any host is looked at (default: nothing).

        Called once per request, not per instance or host: parse hints, look
        up the flavor's extra specs, precompute sets, and keep the results in
        ``cycle_state``.  Must not modify ``spec``.
        """

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self.name or type(self).__name__)


class BaseFilter(_Plugin, abc.ABC):
    """A predicate removing hosts that cannot take one instance of the request.

    Contract:

    * ``host_passes`` is pure: it decides from ``host_state``, ``spec`` and
      ``cycle_state`` only.  No database, no RPC, no writes to host state --
      except ``host_state.limits[key]``, where resource filters record the
      oversubscription limit the compute's claim will enforce (as Nova's
      RamFilter, CoreFilter and DiskFilter do).
    * It is called for every candidate host of every instance of a request,
      so it must be cheap; move per-request work to ``prepare``.
    * Filters run in configured order; a later filter only sees the hosts
      earlier filters passed, and the engine stops at the first filter that
      leaves no host.
    """

    @abc.abstractmethod
    def host_passes(self, host_state, spec, cycle_state):
        """Return True if ``host_state`` can take one instance of ``spec``."""

    def filter_all(self, host_states, spec, cycle_state):
        """Return one bool per host in ``host_states`` (same order).

        The default calls ``host_passes`` for each host.  Override to decide
        for all hosts at once (e.g. vectorised); the result must equal what
        ``host_passes`` would return for each host.
        """
        host_passes = self.host_passes
        return [host_passes(h, spec, cycle_state) for h in host_states]

    def reject_reason(self, host_state, spec, cycle_state):
        """A short human reason why ``host_state`` was rejected, for reports.

        Called only for a rejected example host, after filtering, so it may
        be slower than ``host_passes``.  Phrase it without the host name (the
        engine prefixes it), e.g. ``'512 MB usable RAM < 2048 MB requested'``.
        """
        return 'rejected by %s' % (self.name or type(self).__name__)

    #: Optional vectorised ``host_passes``: ``filter_vec(hosts, spec, cycle_state)``
    #: returns a numpy bool array, one per host of the HostView ``hosts``.  It
    #: may be evaluated on hosts earlier filters removed, so it must be pure
    #: and must not set limits: the engine calls ``host_passes`` on the chosen
    #: host only, which records ``limits`` there.  None: the engine uses
    #: ``filter_all``.
    filter_vec = None

    #: Optional, with ``filter_vec``: ``vec_key(spec, cycle_state)`` returns a
    #: hashable key such that this filter's verdict on a host depends only on
    #: the key and that host's HostArrays columns -- e.g. RamFilter's is the
    #: requested RAM.  When every filter of the chain has one, the engine keeps
    #: the filter masks per key between requests and re-judges (with
    #: ``host_passes``) only the hosts whose columns changed since, so a
    #: placement costs O(changed hosts) filtering instead of O(hosts).  Return
    #: None for a request whose verdicts depend on anything else (hints, host
    #: attributes that are not columns, ...).  ``reject_reason`` must depend
    #: only on the same things.  None: never cached.
    vec_key = None


class BaseWeigher(_Plugin, abc.ABC):
    """Scores hosts that passed every filter; higher means preferred.

    A weigher returns *raw* numbers in whatever unit is natural (free MB,
    instance count ...).  The engine normalises each weigher's values over
    the candidate hosts to [0, 1] (min-max; all equal gives 0 everywhere),
    multiplies by the weigher's multiplier -- the ``[filter_scheduler]
    weight_multipliers`` entry for its name, else the option named by
    ``multiplier_option``, else ``default_multiplier`` --
    and sums over weighers.  A negative multiplier reverses the preference.
    ``minval``/``maxval`` fix the normalisation bounds instead of taking them
    from the candidates (values outside them are not clipped).

    ``weigh`` follows the same purity rules as ``BaseFilter.host_passes``.
    """

    default_multiplier = 1.0

    #: Name of the ``[filter_scheduler]`` option holding this weigher's multiplier
    #: (Nova's ``ram_weight_multiplier`` ...), or None.  The multiplier is the
    #: ``weight_multipliers`` entry for the weigher's name, else this option's
    #: value, else ``default_multiplier`` (novalite.scheduler.multipliers.resolve).
    #: A plugin naming its own option registers it in its ``register_opts``.
    multiplier_option = None

    minval = None
    maxval = None

    @abc.abstractmethod
    def weigh(self, host_state, spec, cycle_state):
        """Return the raw weight (a number) of ``host_state`` for ``spec``."""

    def weigh_all(self, host_states, spec, cycle_state):
        """Return one raw weight per host (same order); default calls ``weigh``."""
        weigh = self.weigh
        return [weigh(h, spec, cycle_state) for h in host_states]

    #: Optional vectorised ``weigh``: ``weigh_vec(hosts, spec, cycle_state)``
    #: returns a numpy array of raw weights, one per host of the HostView
    #: ``hosts`` (which may include hosts the filters removed; the engine
    #: ignores those).  None: the engine uses ``weigh_all``.
    weigh_vec = None
