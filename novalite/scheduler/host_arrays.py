"""HostArrays: host state as a struct of numpy arrays, one row per HostState.

The :class:`HostManager` keeps one ``HostArrays`` next to its HostState
objects; a HostState attached to it (``_arrays``/``_slot``) writes its row
whenever it changes through its methods (report, service, consume, restore),
so no request rebuilds anything.  Rows are dense and in the order hosts were
added (removal compacts, keeping that order), which is also the order of
:meth:`HostManager.get_all_host_states`.

Vectorised plugins read columns through a :class:`HostView`: the candidate
hosts of one request, as positions into the arrays.
"""

import math

import numpy as np

#: float64 columns copied from the HostState attribute of the same name
#: (None -> 0); float64 keeps every integer below 2**53 exact and does
#: arithmetic bit for bit as Python does on ints and floats.
RESOURCE_FIELDS = ('free_ram_mb', 'total_usable_ram_mb', 'vcpus_total', 'vcpus_used',
                   'free_disk_mb', 'total_usable_disk_gb', 'num_instances', 'num_io_ops')
#: allocation ratios; NaN means None, i.e. "use the filter's default"
RATIO_FIELDS = ('ram_allocation_ratio', 'cpu_allocation_ratio', 'disk_allocation_ratio')
#: bool columns from the service dict
FLAG_FIELDS = ('enabled', 'up')
#: what HostState.consume_from_request changes
CONSUMED_FIELDS = ('free_ram_mb', 'free_disk_mb', 'vcpus_used', 'num_instances', 'num_io_ops')

_FLOAT_FIELDS = RESOURCE_FIELDS + RATIO_FIELDS
#: |values| below this, and integral: a column the engine may rank by directly
SMALL_INT = 2.0 ** 49


def service_flags(service):
    """(enabled, up) as ComputeFilter judges them: enabled = neither disabled nor forced down."""
    return (not service.get('disabled') and not service.get('forced_down'),
            bool(service.get('is_up')))


class HostArrays:
    """Columns of ``n`` hosts (attribute per field name, each sliced to ``n``) plus ``states``."""

    def __init__(self, capacity=16):
        self.n = 0
        self.states = []
        self._nan = None
        self._cols = {}
        # Derived columns: key -> [full-capacity array, vec_fn, row_fn]; see derived().
        self._derived = {}
        # Resource columns holding a value that is not a small integer (sticky).
        self._not_small_int = set()
        # Rows changed since the arrays last changed shape, in order (``changes``
        # holds positions ``changes_base`` on), and the shape's generation: what
        # engine caches of filter results use to redo only the changed rows.
        self.changes = []
        self.changes_base = 0
        self.generation = 0
        #: caches keyed by their owner (the engine keeps its filter results here)
        self.caches = {}
        self._alloc(max(1, capacity))

    def _alloc(self, capacity):
        old = self._cols
        cols = {}
        for name in _FLOAT_FIELDS:
            cols[name] = np.zeros(capacity, dtype=np.float64)
        for name in FLAG_FIELDS:
            cols[name] = np.zeros(capacity, dtype=bool)
        for name, arr in old.items():
            cols[name][:self.n] = arr[:self.n]
        self._cols = cols
        self.capacity = capacity
        self._derived = {}
        self._views()

    def _views(self):
        # Column attributes are views of the first n rows: no copy per request.
        for name, arr in self._cols.items():
            setattr(self, name, arr[:self.n])

    @classmethod
    def from_states(cls, states):
        """Arrays for an ad hoc list of HostStates (not attached: the engine refreshes rows it changes)."""
        arrays = cls(len(states))
        arrays.states = list(states)
        arrays.n = len(states)
        arrays._views()
        for i, state in enumerate(arrays.states):
            arrays.load(i, state)
        return arrays

    # -- membership ------------------------------------------------------

    def add(self, state):
        """Append ``state`` as the last row, attach it and load its values."""
        if self.n == self.capacity:
            self._alloc(self.capacity * 2)
        slot = self.n
        self.n += 1
        self.states.append(state)
        self._views()
        state._arrays, state._slot = self, slot
        self.load(slot, state)
        self.reshaped()
        return slot

    def remove(self, states):
        """Drop ``states`` (attached here), compacting rows and keeping the others' order."""
        gone = {s._slot for s in states}
        if not gone:
            return
        keep = np.array([i for i in range(self.n) if i not in gone], dtype=np.intp)
        for arr in self._cols.values():
            arr[:len(keep)] = arr[keep]
        for state in states:
            state._arrays = state._slot = None
        self.states = [self.states[i] for i in keep.tolist()]
        self.n = len(keep)
        self._nan = None
        self._derived = {}
        for slot, state in enumerate(self.states):
            state._slot = slot
        self._views()
        self.reshaped()

    def reshaped(self):
        """Rows were added or removed, or something no column shows changed (e.g. aggregates).

        Every cache of per-row results is dropped.
        """
        self.generation += 1
        self.changes_base += len(self.changes)
        self.changes = []
        self.caches.clear()

    def changed(self, i):
        """Record that row ``i`` changed (the loaders call this)."""
        changes = self.changes
        changes.append(i)
        if len(changes) > 4096 and len(changes) > self.n:
            # Caches this far behind recompute everything anyway.
            self.changes_base += len(changes)
            self.changes = []

    def changes_since(self, position):
        """Rows changed since absolute log ``position``, or None if the log no longer reaches back."""
        start = position - self.changes_base
        if start < 0:
            return None
        return self.changes[start:]

    @property
    def changes_position(self):
        return self.changes_base + len(self.changes)

    # -- rows --------------------------------------------------------------

    def load(self, i, state):
        """Copy every column of row ``i`` from ``state``."""
        self._copy(i, state, RESOURCE_FIELDS)
        cols = self._cols
        for name in RATIO_FIELDS:
            value = getattr(state, name)
            cols[name][i] = math.nan if value is None else value
        self._nan = None
        self.load_service(i, state.service)  # also refreshes the derived columns

    def has_nan(self, name):
        """True if some host's ``name`` ratio is None (cached until a row is reloaded)."""
        if self._nan is None:
            self._nan = {f: bool(np.isnan(getattr(self, f)).any()) for f in RATIO_FIELDS}
        return self._nan[name]

    def load_consumed(self, i, state):
        """Copy the columns consumption changes."""
        self._copy(i, state, CONSUMED_FIELDS)
        self._load_derived(i)

    def _copy(self, i, state, fields):
        """Row ``i`` of the resource columns ``fields`` from ``state`` (None -> 0)."""
        # On every report and consumption: one loop, no helper call per field.
        cols = self._cols
        not_small = self._not_small_int
        for name in fields:
            value = getattr(state, name)
            if value is None:
                value = 0.0
            cols[name][i] = value
            if not (-SMALL_INT < value < SMALL_INT and value == int(value)):
                not_small.add(name)

    def load_service(self, i, service):
        cols = self._cols
        cols['enabled'][i], cols['up'][i] = service_flags(service)
        self._load_derived(i)

    def _load_derived(self, i):
        self.changed(i)
        if self._derived:
            cols = self._cols
            for entry in self._derived.values():
                entry[0][i] = entry[2](cols, i)

    def derived(self, key, vec_fn, row_fn):
        """A column computed from others, kept up to date row by row as rows change.

        ``vec_fn(arrays)`` computes it for all ``n`` rows (from the column
        attributes); ``row_fn(cols, i)`` for row ``i`` from ``cols`` (name ->
        full array), with the same float operations in the same order, so
        both give identical values.  ``key`` names the column, including
        whatever parameters (e.g. a default ratio) it depends on.  Returns
        the first ``n`` rows (read-only by contract).
        """
        entry = self._derived.get(key)
        if entry is None:
            values = np.asarray(vec_fn(self))
            column = np.empty(self.capacity, dtype=values.dtype)
            column[:self.n] = values
            entry = self._derived[key] = [column, vec_fn, row_fn]
        return entry[0][:self.n]

    def is_small_int_column(self, values):
        """True if ``values`` is one of the resource columns and holds small integers only."""
        for name in RESOURCE_FIELDS:
            if getattr(self, name) is values:
                return name not in self._not_small_int
        return False

    def nbytes_per_host(self):
        """Bytes per host of the columns (at the current capacity) and of the cached filter masks."""
        cached = sum(getattr(entry, 'nbytes', 0) for cache in self.caches.values()
                     for entry in cache.values())
        return (sum(arr.itemsize for arr in self._cols.values())
                + sum(entry[0].itemsize for entry in self._derived.values())
                + cached / max(1, self.n))

    def view(self, index=None):
        """The candidates ``index`` (positions; None = all rows, in order)."""
        return HostView(self, index)


class HostView:
    """Candidate hosts of one request: columns as arrays aligned with ``states``.

    ``view.free_ram_mb`` etc. are numpy arrays, one value per candidate
    (read-only by contract: the engine may hand out the arrays themselves).
    ``states`` lists the candidates' HostState objects in the same order.
    """

    def __init__(self, arrays, index=None):
        self.arrays = arrays
        self.index = index
        self.n = arrays.n if index is None else len(index)

    def __len__(self):
        return self.n

    def ratio(self, name, default):
        """The ``name`` ratio column with NaN (None) replaced by ``default``."""
        column = getattr(self, name)
        if self.arrays.has_nan(name):
            column = np.where(np.isnan(column), default, column)
        return column

    def derived(self, key, vec_fn, row_fn):
        """The derived column ``key`` of the arrays (see :meth:`HostArrays.derived`), per candidate."""
        column = self.arrays.derived(key, vec_fn, row_fn)
        return column if self.index is None else column[self.index]

    def __getattr__(self, name):
        # Only column names get here (regular attributes are found first).
        column = getattr(self.arrays, name)
        if self.index is not None:
            column = column[self.index]
        setattr(self, name, column)  # cached for this view
        return column

    @property
    def states(self):
        states = self.arrays.states
        if self.index is None:
            return states
        return [states[i] for i in self.index.tolist()]
