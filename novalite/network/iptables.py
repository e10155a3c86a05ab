"""IptablesManager: per-binary wrapped chains, applied atomically (iptables-save | edit | iptables-restore).

As in nova's linux_net, every chain a service owns is *wrapped* with its binary
name (``novalite-network-snat``, ``novalite-compute-inst-1a2b3c``), so several
services (and foreign tools) can share one host's tables.  Rules name wrapped
chains as ``$name``.  ``apply()`` reads the live tables, drops everything this
binary owns (its wrapped chains, rules jumping to them, the shared-chain rules
it added), puts back the rules held in memory and feeds the whole table to one
``iptables-restore`` call: the change is atomic and foreign rules survive, in
their order (``top_regex``/``bottom_regex`` pin foreign rules to the top or
bottom of their chain).

Shared, unwrapped chains: ``novalite-filter-top`` (FORWARD, OUTPUT → each
binary's ``local``) and ``novalite-postrouting-bottom`` (POSTROUTING → each
binary's ``snat`` → ``float-snat``).

Works with either iptables backend; on Debian bookworm ``iptables`` is the
nf_tables variant (iptables 1.8.9 (nf_tables)), which works inside network
namespaces as the legacy one does.  Only the unqualified ``iptables-save`` and
``iptables-restore`` are called, so a host's alternatives choice is respected.
"""

import collections
import contextlib
import re
import threading

MAX_CHAIN_NAME = 28             # the kernel's limit (XT_EXTENSION_MAXNAMELEN - 1)
BINARY_NAME_MAX = 16            # nova's limit, leaving room for 'inst-xxxxxx'
FILTER_TOP = 'novalite-filter-top'
POSTROUTING_BOTTOM = 'novalite-postrouting-bottom'

BUILTIN_CHAINS = {
    'filter': ('INPUT', 'FORWARD', 'OUTPUT'),
    'nat': ('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'),
}
# Built-in chains that get a wrapped twin (``-A FORWARD -j novalite-network-FORWARD``).
WRAPPED_BUILTINS = {
    'filter': ('INPUT', 'FORWARD', 'OUTPUT'),
    'nat': ('PREROUTING', 'OUTPUT', 'POSTROUTING'),
}
TABLES = ('filter', 'nat')

Rule = collections.namedtuple('Rule', 'chain rule wrap top tag')


class Table:
    """The chains and rules one binary holds for one table (filter or nat)."""

    def __init__(self, name, prefix):
        self.name = name
        self.prefix = prefix
        self.chains = []            # wrapped chain names (short), in creation order
        self.unwrapped_chains = []  # shared chains, declared if missing, never removed
        self.rules = []             # [Rule]
        self._rendered = {}         # (chain, rule, wrap) -> (full chain, '-A ...' line)

    @property
    def rules(self):
        return self._rules

    @rules.setter
    def rules(self, rules):
        # A set of the rules' identities beside the ordered list: add_rule's duplicate
        # check stays O(1) with thousands of instance rules.
        self._rules = list(rules)
        self._keys = {r[:4] for r in self._rules}

    def wrap(self, chain):
        return '%s-%s' % (self.prefix, chain)

    def _full_chain(self, chain, wrap):
        return self.wrap(chain) if wrap else chain

    def add_chain(self, chain, wrap=True):
        full = self._full_chain(chain, wrap)
        if len(full) > MAX_CHAIN_NAME:
            raise ValueError('iptables chain name %r is longer than %d characters'
                             % (full, MAX_CHAIN_NAME))
        target = self.chains if wrap else self.unwrapped_chains
        if chain not in target:
            target.append(chain)

    def remove_chain(self, chain, wrap=True):
        """Drop a chain with its rules and every rule jumping to it."""
        target = self.chains if wrap else self.unwrapped_chains
        if chain not in target:
            return
        target.remove(chain)
        jump = re.compile(r'-[jg] %s(\s|$)' % re.escape('$' + chain if wrap else chain))
        self.rules = [r for r in self.rules
                      if not (r.chain == chain and r.wrap == wrap) and not jump.search(r.rule)]

    def has_chain(self, chain, wrap=True):
        return chain in (self.chains if wrap else self.unwrapped_chains)

    def add_rule(self, chain, rule, wrap=True, top=False, tag=None):
        if wrap and chain not in self.chains:
            raise ValueError('unknown chain %r in table %s' % (chain, self.name))
        new = Rule(chain, rule, wrap, top, tag)
        if new[:4] not in self._keys:
            self._rules.append(new)
            self._keys.add(new[:4])

    def remove_rule(self, chain, rule, wrap=True, top=False):
        self.rules = [r for r in self.rules if r[:4] != (chain, rule, wrap, top)]

    def empty_chain(self, chain, wrap=True):
        self.rules = [r for r in self.rules if not (r.chain == chain and r.wrap == wrap)]

    def remove_rules_by_tag(self, tag):
        self.rules = [r for r in self.rules if r.tag != tag]

    def expand(self, rule):
        """``$name`` → this binary's wrapped chain name."""
        return re.sub(r'\$([\w-]+)', lambda m: self.wrap(m.group(1)), rule)

    def rendered_rules(self):
        """[(full chain, '-A chain rule', top, wrap)] in order."""
        out = []
        cache = self._rendered
        for r in self.rules:
            key = r[:3]
            line = cache.get(key)
            if line is None:
                chain = self._full_chain(r.chain, r.wrap)
                line = cache[key] = (chain, '-A %s %s' % (chain, self.expand(r.rule)))
            out.append((line[0], line[1], r.top, r.wrap))
        if len(cache) > 2 * len(self.rules) + 64:
            # forget the lines of rules that are gone
            live = {r[:3] for r in self.rules}
            self._rendered = {k: v for k, v in cache.items() if k in live}
        return out


def _parse_save(text):
    """iptables-save output → {table: (decls {chain: line}, [(chain, line)])}, order kept."""
    tables = collections.OrderedDict()
    current = None
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('*'):
            current = tables.setdefault(line[1:], (collections.OrderedDict(), []))
        elif current is None:
            continue
        elif line.startswith(':'):
            current[0][line[1:].split()[0]] = line
        elif line.startswith('-A '):
            current[1].append((line.split()[1], line))
    return tables


class IptablesManager:
    """Wrapped chains per table for one binary; ``apply()`` makes the host match them.

    ``binary_name`` is truncated to 16 characters, as nova did, so the
    longest wrapped chain (``<binary>-inst-xxxxxx``) fits the kernel's limit.
    """

    def __init__(self, executor, binary_name='novalite-network', top_regex='', bottom_regex=''):
        self.executor = executor
        self.prefix = binary_name[:BINARY_NAME_MAX]
        self.top_regex = re.compile(top_regex) if top_regex else None
        self.bottom_regex = re.compile(bottom_regex) if bottom_regex else None
        self.tables = {name: Table(name, self.prefix) for name in TABLES}
        self._applied_unwrapped = {name: set() for name in TABLES}
        self._lock = threading.RLock()
        self._deferred = 0
        self._dirty = False
        self._setup_builtin_chains()

    @classmethod
    def from_conf(cls, conf, executor, binary_name):
        return cls(executor, binary_name, top_regex=conf.iptables_top_regex,
                   bottom_regex=conf.iptables_bottom_regex)

    def _setup_builtin_chains(self):
        for name, chains in WRAPPED_BUILTINS.items():
            table = self.tables[name]
            for chain in chains:
                table.add_chain(chain)
                table.add_rule(chain, '-j $%s' % chain, wrap=False, top=True)
        filt = self.tables['filter']
        filt.add_chain(FILTER_TOP, wrap=False)
        filt.add_rule('FORWARD', '-j %s' % FILTER_TOP, wrap=False, top=True)
        filt.add_rule('OUTPUT', '-j %s' % FILTER_TOP, wrap=False, top=True)
        filt.add_chain('local')
        filt.add_rule(FILTER_TOP, '-j $local', wrap=False)
        nat = self.tables['nat']
        nat.add_chain(POSTROUTING_BOTTOM, wrap=False)
        nat.add_rule('POSTROUTING', '-j %s' % POSTROUTING_BOTTOM, wrap=False)
        nat.add_chain('snat')
        nat.add_rule(POSTROUTING_BOTTOM, '-j $snat', wrap=False)
        nat.add_chain('float-snat')
        nat.add_rule('snat', '-j $float-snat')

    def wrap(self, chain):
        return '%s-%s' % (self.prefix, chain)

    # -- batching ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def deferred(self):
        """Batch changes: ``apply()`` calls inside the block run once, at its end.

        If the block raises, nothing is applied (the in-memory rules stay as the
        block left them; callers that roll back restore them first).
        """
        with self._lock:
            self._deferred += 1
            try:
                yield self
            finally:
                self._deferred -= 1
            if self._deferred == 0 and self._dirty:
                self.apply()

    # -- rendering -----------------------------------------------------------------------------

    def _is_ours(self, chain):
        return chain.startswith(self.prefix + '-')

    def render(self, saved):
        """The iptables-restore input that makes ``saved`` (iptables-save text) match memory.

        Only the tables this manager handles appear; iptables-restore leaves the
        others untouched.
        """
        return self._render(saved)[0]

    def _render(self, saved):
        unwrapped = {}
        parsed = _parse_save(saved)
        ours_ref = re.compile(r'-[jg] %s-\S+' % re.escape(self.prefix))
        lines = []
        for name in TABLES:
            table = self.tables[name]
            decls, saved_rules = parsed.get(name, (collections.OrderedDict(), []))
            rendered = table.rendered_rules()
            wanted_unwrapped = {line for _, line, _, wrap in rendered if not wrap}
            stale = self._applied_unwrapped[name] | wanted_unwrapped
            foreign = [(chain, line) for chain, line in saved_rules
                       if not self._is_ours(chain) and not ours_ref.search(line)
                       and line not in stale]
            out_decls = collections.OrderedDict()
            if not decls:
                # A table that does not exist yet has ACCEPT built-ins: say so explicitly.
                for chain in BUILTIN_CHAINS[name]:
                    out_decls[chain] = ':%s ACCEPT [0:0]' % chain
            for chain, line in decls.items():
                if not self._is_ours(chain):
                    out_decls[chain] = line
            for chain in table.unwrapped_chains:
                out_decls.setdefault(chain, ':%s - [0:0]' % chain)
            for chain in table.chains:
                out_decls[table.wrap(chain)] = ':%s - [0:0]' % table.wrap(chain)
            lines.append('*%s' % name)
            lines.extend(out_decls.values())
            # Grouped once per table: per chain, a scan of every rule would make a
            # host with N instances pay O(N^2) on each apply.
            foreign_by_chain = collections.defaultdict(list)
            for chain, line in foreign:
                foreign_by_chain[chain].append(line)
            rendered_by_chain = collections.defaultdict(list)
            for chain, line, top, _ in rendered:
                rendered_by_chain[chain].append((line, top))
            for chain in out_decls:
                lines.extend(self._chain_rules(foreign_by_chain.get(chain, ()),
                                               rendered_by_chain.get(chain, ())))
            lines.append('COMMIT')
            unwrapped[name] = wanted_unwrapped
        return '\n'.join(lines) + '\n', unwrapped

    def _chain_rules(self, theirs, mine):
        """One chain's lines: pinned foreign top, our top, foreign, ours, pinned bottom."""
        top_theirs, mid_theirs, bottom_theirs = [], [], []
        for line in theirs:
            body = line.split(None, 2)[2] if len(line.split(None, 2)) > 2 else ''
            if self.top_regex and self.top_regex.search(body):
                top_theirs.append(line)
            elif self.bottom_regex and self.bottom_regex.search(body):
                bottom_theirs.append(line)
            else:
                mid_theirs.append(line)
        top_mine = [line for line, top in mine if top]
        rest_mine = [line for line, top in mine if not top]
        return top_theirs + top_mine + mid_theirs + rest_mine + bottom_theirs

    # -- applying ------------------------------------------------------------------------------

    def apply(self):
        """Make the host's filter and nat tables match memory, in one iptables-restore."""
        with self._lock:
            if self._deferred:
                self._dirty = True
                return
            self._dirty = False
            saved, _ = self.executor.execute('iptables-save')
            restore, unwrapped = self._render(saved)
            self.executor.execute('iptables-restore', '-w', '5', stdin=restore)
            self._applied_unwrapped.update(unwrapped)

    # -- memory snapshots (rollback of a failed operation) -------------------------------------

    def snapshot(self):
        return {name: (list(t.chains), list(t.unwrapped_chains), list(t.rules))
                for name, t in self.tables.items()}

    def restore(self, snapshot):
        for name, (chains, unwrapped, rules) in snapshot.items():
            table = self.tables[name]
            table.chains, table.unwrapped_chains, table.rules = chains, unwrapped, rules

    @contextlib.contextmanager
    def changes(self):
        """Edit rules, then apply them.

        If the block or the apply fails, memory is restored.  Inside an executor
        transaction, a later failure of the transaction also puts the previous
        rules back (in memory and on the host).
        """
        with self._lock:
            before = self.snapshot()
            try:
                yield self
                self.apply()
            except BaseException:
                self.restore(before)
                raise
        self.executor.on_rollback(lambda: self._revert(before))

    def _revert(self, snapshot):
        with self._lock:
            self.restore(snapshot)
            self.apply()
