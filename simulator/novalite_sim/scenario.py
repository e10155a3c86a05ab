"""Scenario files: YAML in the shape of Kubernetes' scheduler_perf configs, validated with line numbers.

A scenario names host groups, a scheduler configuration, flavors,
workloads, a list of ops from a closed set, named ``params`` sets (each with
its labels and thresholds) and optional ``thresholds``.  A value written as
``$name`` is replaced by the chosen params set's ``name``.  Every error
names the file, the line and the key, e.g.::

    azure-day.yaml:14: hosts[0].vcpus: expected a positive integer, got 'many'

doc/simulator.md describes every key.
"""

import dataclasses
import pathlib
import re

import yaml

OPS = ('create_hosts', 'boot', 'delete', 'fail_host', 'recover_host',
       'disable_service', 'enable_service', 'advance')
THRESHOLD_OPS = ('>=', '<=', '>', '<', '==')
_PARAM = re.compile(r'^\$([A-Za-z_][A-Za-z0-9_]*)$')
_THRESHOLD = re.compile(r'^\s*(>=|<=|==|>|<)\s*(\S+)\s*$')


class ScenarioError(ValueError):
    """A scenario that cannot be run: the message names the file, line and key."""


@dataclasses.dataclass
class HostGroup:
    """``count`` identical hosts named ``<name>-00000`` ...; ``traits`` go into the nodes' stats."""

    name: str
    count: int
    vcpus: int
    ram_mb: int
    disk_gb: int
    availability_zone: str | None = None
    aggregates: list = dataclasses.field(default_factory=list)   # [{'name', 'metadata'}]
    traits: dict = dataclasses.field(default_factory=dict)
    allocation_ratios: dict = dataclasses.field(default_factory=dict)
    hypervisor_type: str = 'fake'


@dataclasses.dataclass
class SchedulerConfig:
    """The filter scheduler's configuration and how the simulated control plane behaves."""

    filters: list
    weighers: dict                      # name -> multiplier (None: the option's or weigher's default)
    host_subset_size: int = 1
    max_attempts: int = 3
    allocation_ratios: dict = dataclasses.field(default_factory=dict)   # cpu / ram / disk
    options: dict = dataclasses.field(default_factory=dict)             # group -> {option: value}
    schedulers: int = 1
    message_delay_s: float = 0.0
    report_interval_s: float = 60.0
    service_down_time_s: float = 60.0


@dataclasses.dataclass
class Scenario:
    """A validated scenario with one params set applied."""

    name: str
    path: pathlib.Path
    description: str
    labels: list
    params_set: str | None
    params: dict
    seed: int
    scheduler: SchedulerConfig
    host_groups: dict                    # name -> HostGroup
    flavors: dict                        # name -> {'vcpus', 'ram_mb', 'disk_gb', 'extra_specs'}
    workloads: dict                      # name -> {'trace': {...}} or {'synthetic': {...}}
    ops: list                            # [{'op': name, ..., 'line': n}]
    thresholds: list                     # [{'metric', 'op', 'value'}]
    sample_interval_s: float | None
    duration_s: float | None
    warmup_s: float

    @property
    def base_dir(self):
        """The folder relative paths in the scenario are resolved against."""
        return self.path.parent


# -- reading ---------------------------------------------------------------

def _lines(node, path=(), out=None):
    """Map every key path of a composed YAML document to its 1-based line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value,)
            out[sub] = key.start_mark.line + 1
            _lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, path + (i,), out)
    return out


def _dotted(path):
    text = ''
    for part in path:
        text += '[%d]' % part if isinstance(part, int) else ('.' if text else '') + str(part)
    return text or '(top level)'


class _Checker:
    """Type checks that raise ScenarioError with file, line and key."""

    def __init__(self, filename, lines):
        self.filename = filename
        self.lines = lines

    def fail(self, path, message):
        line = None
        probe = tuple(path)
        while line is None:
            line = self.lines.get(probe)
            if not probe:
                break
            probe = probe[:-1]
        raise ScenarioError('%s:%s: %s: %s' % (self.filename, line or 1, _dotted(path), message))

    def mapping(self, value, path, allowed=None, required=()):
        if not isinstance(value, dict):
            self.fail(path, 'expected a mapping, got %s' % _kind(value))
        for key in value:
            if not isinstance(key, str):
                self.fail(path, 'keys must be strings, got %r' % (key,))
            if allowed is not None and key not in allowed:
                self.fail(path + (key,), 'unknown key (expected one of: %s)'
                          % ', '.join(sorted(allowed)))
        for key in required:
            if key not in value:
                self.fail(path, 'missing required key %r' % key)
        return value

    def sequence(self, value, path):
        if not isinstance(value, list):
            self.fail(path, 'expected a list, got %s' % _kind(value))
        return value

    def string(self, value, path):
        if not isinstance(value, str) or not value:
            self.fail(path, 'expected a non-empty string, got %r' % (value,))
        return value

    def integer(self, value, path, minimum=0):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            what = 'a positive integer' if minimum == 1 else 'an integer >= %d' % minimum
            self.fail(path, 'expected %s, got %r' % (what, value))
        return value

    def number(self, value, path, minimum=0.0, strict=False):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                value <= minimum if strict else value < minimum) or value != value:
            self.fail(path, 'expected a number %s %g, got %r'
                      % ('>' if strict else '>=', minimum, value))
        return float(value)


def _kind(value):
    return {dict: 'a mapping', list: 'a list', str: 'a string'}.get(type(value), repr(value))


def _substitute(value, params, path, check, used):
    """Replace ``$name`` values by the params set's values, recursively."""
    if isinstance(value, str):
        match = _PARAM.match(value)
        if match:
            name = match.group(1)
            if name not in params:
                check.fail(path, 'parameter $%s is not defined by the params set (defined: %s)'
                           % (name, ', '.join(sorted(params)) or 'none'))
            used.add(name)
            return params[name]
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, params, path + (k,), check, used) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params, path + (i,), check, used) for i, v in enumerate(value)]
    return value


def load(path, params_set=None, overrides=None):
    """Read and validate a scenario file with one params set applied.

    ``params_set`` names an entry of ``params`` (None: the only one, or the
    first labelled ``ci``, or none when the file has no params).  ``overrides``
    replaces single params (``{'hosts': 20}``).  Raises ScenarioError.
    """
    path = pathlib.Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError('%s: cannot read the scenario: %s' % (path, exc.strerror)) from None
    filename = path.name
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        line = mark.line + 1 if mark is not None else 1
        raise ScenarioError('%s:%d: not valid YAML: %s' % (
            filename, line, getattr(exc, 'problem', None) or exc)) from None
    check = _Checker(filename, _lines(node) if node is not None else {})
    check.mapping(raw, (), allowed={
        'name', 'description', 'labels', 'seed', 'scheduler', 'hosts', 'flavors', 'workloads',
        'ops', 'params', 'thresholds', 'sample_interval_s', 'duration_s', 'warmup_s'},
        required=('name', 'hosts', 'ops'))

    sets = check.mapping(raw.get('params') or {}, ('params',))
    chosen, set_body = _choose_set(sets, params_set, check, filename)
    params = {k: v for k, v in set_body.items() if k not in ('labels', 'thresholds')}
    for key, value in (overrides or {}).items():
        params[key] = value
    used = set()
    body = {k: v for k, v in raw.items() if k != 'params'}
    doc = _substitute(body, params, (), check, used)

    name = check.string(doc['name'], ('name',))
    labels = list(set_body.get('labels') or doc.get('labels') or [])
    for i, label in enumerate(labels):
        check.string(label, ('labels', i))
    seed = check.integer(doc.get('seed', 0), ('seed',))
    flavors = _flavors(doc.get('flavors') or {}, check)
    groups = _host_groups(doc['hosts'], check)
    sched = _scheduler(doc.get('scheduler') or {}, check)
    workloads = _workloads(doc.get('workloads') or {}, flavors, check)
    ops = _ops(doc['ops'], groups, workloads, flavors, check)
    thresholds = _thresholds(doc.get('thresholds') or {}, ('thresholds',), check)
    if 'thresholds' in set_body:
        thresholds += _thresholds(set_body['thresholds'], ('params', chosen, 'thresholds'), check)
    optional = {}
    for key in ('sample_interval_s', 'duration_s'):
        if doc.get(key) is not None:
            optional[key] = check.number(doc[key], (key,), strict=True)
    return Scenario(
        name=name, path=path, description=str(doc.get('description') or ''), labels=labels,
        params_set=chosen, params=params, seed=seed, scheduler=sched, host_groups=groups,
        flavors=flavors, workloads=workloads, ops=ops, thresholds=thresholds,
        sample_interval_s=optional.get('sample_interval_s'),
        duration_s=optional.get('duration_s'),
        warmup_s=check.number(doc.get('warmup_s', 0), ('warmup_s',)))


def params_sets(path):
    """``{name: labels}`` of a scenario's params sets, without validating the rest."""
    raw = yaml.safe_load(pathlib.Path(path).read_text()) or {}
    sets = raw.get('params') or {}
    return {name: list((body or {}).get('labels') or raw.get('labels') or [])
            for name, body in sets.items()}


def _choose_set(sets, wanted, check, filename):
    if wanted is None:
        if not sets:
            return None, {}
        ci = [n for n, b in sets.items() if 'ci' in ((b or {}).get('labels') or [])]
        wanted = ci[0] if ci else next(iter(sets))
    if wanted not in sets:
        raise ScenarioError('%s: no params set %r (available: %s)' % (
            filename, wanted, ', '.join(sets) or 'none'))
    body = check.mapping(sets[wanted] or {}, ('params', wanted))
    return wanted, body


def _flavors(raw, check):
    check.mapping(raw, ('flavors',))
    flavors = {}
    for name, body in raw.items():
        path = ('flavors', name)
        check.mapping(body, path, allowed={'vcpus', 'ram_mb', 'disk_gb', 'extra_specs'},
                      required=('vcpus', 'ram_mb'))
        flavors[name] = {
            'vcpus': check.integer(body['vcpus'], path + ('vcpus',), 1),
            'ram_mb': check.integer(body['ram_mb'], path + ('ram_mb',), 1),
            'disk_gb': check.integer(body.get('disk_gb', 0), path + ('disk_gb',)),
            'extra_specs': {str(k): str(v) for k, v in check.mapping(
                body.get('extra_specs') or {}, path + ('extra_specs',)).items()}}
    return flavors


def _host_groups(raw, check):
    groups = {}
    for i, body in enumerate(check.sequence(raw, ('hosts',))):
        path = ('hosts', i)
        check.mapping(body, path, required=('name', 'count', 'vcpus', 'ram_mb'), allowed={
            'name', 'count', 'vcpus', 'ram_mb', 'disk_gb', 'availability_zone', 'aggregate',
            'aggregates', 'traits', 'allocation_ratios', 'hypervisor_type'})
        name = check.string(body['name'], path + ('name',))
        if name in groups:
            check.fail(path + ('name',), 'host group %r is defined twice' % name)
        aggregates = []
        listed = body.get('aggregates') or []
        if 'aggregate' in body:
            listed = [body['aggregate']] + list(listed)
        for j, agg in enumerate(check.sequence(listed, path + ('aggregates',))):
            apath = path + ('aggregates', j)
            if isinstance(agg, str):
                agg = {'name': agg}
            check.mapping(agg, apath, allowed={'name', 'metadata'}, required=('name',))
            aggregates.append({'name': check.string(agg['name'], apath + ('name',)),
                               'metadata': {str(k): str(v) for k, v in check.mapping(
                                   agg.get('metadata') or {}, apath + ('metadata',)).items()}})
        zone = body.get('availability_zone')
        if zone is not None:
            zone = check.string(zone, path + ('availability_zone',))
            aggregates.append({'name': 'az-%s' % zone, 'metadata': {'availability_zone': zone}})
        groups[name] = HostGroup(
            name=name, count=check.integer(body['count'], path + ('count',)),
            vcpus=check.integer(body['vcpus'], path + ('vcpus',), 1),
            ram_mb=check.integer(body['ram_mb'], path + ('ram_mb',), 1),
            disk_gb=check.integer(body.get('disk_gb', 0), path + ('disk_gb',)),
            availability_zone=zone, aggregates=aggregates,
            traits={str(k): str(v) for k, v in check.mapping(
                body.get('traits') or {}, path + ('traits',)).items()},
            allocation_ratios=_ratios(body.get('allocation_ratios') or {},
                                      path + ('allocation_ratios',), check),
            hypervisor_type=check.string(body.get('hypervisor_type', 'fake'),
                                         path + ('hypervisor_type',)))
    if not groups:
        check.fail(('hosts',), 'at least one host group is needed')
    return groups


def _ratios(raw, path, check):
    check.mapping(raw, path, allowed={'cpu', 'ram', 'disk'})
    return {k: check.number(v, path + (k,), strict=True) for k, v in raw.items()}


def _scheduler(raw, check):
    path = ('scheduler',)
    check.mapping(raw, path, allowed={
        'filters', 'weighers', 'host_subset_size', 'max_attempts', 'allocation_ratios',
        'options', 'schedulers', 'message_delay_s', 'report_interval_s',
        'service_down_time_s'})
    filters = raw.get('filters')
    if filters is None:
        filters = ['ComputeFilter', 'RamFilter', 'CoreFilter', 'DiskFilter', 'RetryFilter']
    for i, name in enumerate(check.sequence(filters, path + ('filters',))):
        check.string(name, path + ('filters', i))
    weighers = raw.get('weighers', {'RAMWeigher': None})
    if isinstance(weighers, list):
        for i, name in enumerate(weighers):
            check.string(name, path + ('weighers', i))
        weighers = {name: None for name in weighers}
    check.mapping(weighers, path + ('weighers',))
    for name, mult in weighers.items():
        if mult is not None:
            if isinstance(mult, bool) or not isinstance(mult, (int, float)) or mult != mult:
                check.fail(path + ('weighers', name), 'expected a multiplier (a number), got %r'
                           % (mult,))
            weighers[name] = float(mult)
    options = check.mapping(raw.get('options') or {}, path + ('options',))
    for group, opts in options.items():
        check.mapping(opts, path + ('options', group))
    return SchedulerConfig(
        filters=list(filters), weighers=dict(weighers),
        host_subset_size=check.integer(raw.get('host_subset_size', 1),
                                       path + ('host_subset_size',), 1),
        max_attempts=check.integer(raw.get('max_attempts', 3), path + ('max_attempts',), 1),
        allocation_ratios=_ratios(raw.get('allocation_ratios') or {},
                                  path + ('allocation_ratios',), check),
        options=options,
        schedulers=check.integer(raw.get('schedulers', 1), path + ('schedulers',), 1),
        message_delay_s=check.number(raw.get('message_delay_s', 0.0),
                                     path + ('message_delay_s',)),
        report_interval_s=check.number(raw.get('report_interval_s', 60.0),
                                       path + ('report_interval_s',), strict=True),
        service_down_time_s=check.number(raw.get('service_down_time_s', 60.0),
                                         path + ('service_down_time_s',)))


def _workloads(raw, flavors, check):
    check.mapping(raw, ('workloads',))
    out = {}
    for name, body in raw.items():
        path = ('workloads', name)
        check.mapping(body, path, allowed={'trace', 'synthetic', 'server_group', 'project'})
        kinds = [k for k in ('trace', 'synthetic') if k in body]
        if len(kinds) != 1:
            check.fail(path, 'give exactly one of "trace" or "synthetic"')
        spec = check.mapping(body[kinds[0]], path + (kinds[0],))
        if kinds[0] == 'synthetic':
            spec = dict(spec)
            mix = check.mapping(spec.get('flavors') or {}, path + ('synthetic', 'flavors'))
            if not mix:
                check.fail(path + ('synthetic', 'flavors'), 'name at least one flavor')
            resolved = {}
            for fname, weight in mix.items():
                fpath = path + ('synthetic', 'flavors', fname)
                if isinstance(weight, dict):
                    resolved[fname] = weight
                    continue
                if fname not in flavors:
                    check.fail(fpath, 'unknown flavor (defined: %s)'
                               % (', '.join(flavors) or 'none'))
                body = {k: v for k, v in flavors[fname].items() if k != 'extra_specs'}
                resolved[fname] = dict(body, weight=check.number(weight, fpath))
            spec['flavors'] = resolved
        group_policy = body.get('server_group')
        if group_policy is not None and group_policy not in (
                'affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'):
            check.fail(path + ('server_group',), 'expected affinity, anti-affinity, '
                       'soft-affinity or soft-anti-affinity, got %r' % (group_policy,))
        out[name] = {'kind': kinds[0], 'spec': spec, 'server_group': group_policy,
                     'project': str(body.get('project', 'sim')), 'line': check.lines.get(path)}
    return out


_OP_KEYS = {
    'create_hosts': {'group', 'count'},
    'boot': {'workload', 'flavor', 'count', 'server_group', 'project', 'availability_zone',
             'hints'},
    'delete': {'all', 'count', 'fraction', 'workload'},
    'fail_host': {'group', 'count', 'hosts'},
    'recover_host': {'group', 'count', 'hosts'},
    'disable_service': {'group', 'count', 'hosts', 'reason'},
    'enable_service': {'group', 'count', 'hosts'},
    'advance': {'seconds'},
}


def _ops(raw, groups, workloads, flavors, check):
    ops = []
    for i, body in enumerate(check.sequence(raw, ('ops',))):
        path = ('ops', i)
        if isinstance(body, dict) and len(body) == 1 and 'op' not in body:
            # Short form: "- advance: 3600" or "- create_hosts: {group: g}".
            (name, args), = body.items()
            if name not in OPS:
                check.fail(path, 'unknown op %r (ops: %s)' % (name, ', '.join(OPS)))
            if name == 'advance' and not isinstance(args, dict):
                args = {'seconds': args}
            check.mapping(args or {}, path + (name,))
            body = dict(args or {}, op=name)
        check.mapping(body, path, required=('op',))
        name = body['op']
        if name not in OPS:
            check.fail(path + ('op',), 'unknown op %r (ops: %s)' % (name, ', '.join(OPS)))
        check.mapping(body, path, allowed=_OP_KEYS[name] | {'op'})
        op = dict(body, line=check.lines.get(path))
        if 'group' in op and op['group'] not in groups:
            check.fail(path + ('group',), 'unknown host group %r (defined: %s)'
                       % (op['group'], ', '.join(groups)))
        if 'count' in op:
            check.integer(op['count'], path + ('count',), 1 if name == 'boot' else 0)
        if 'hosts' in op:
            for j, host in enumerate(check.sequence(op['hosts'], path + ('hosts',))):
                check.string(host, path + ('hosts', j))
        if name == 'create_hosts' and 'group' not in op:
            check.fail(path, 'create_hosts needs "group"')
        if name in ('fail_host', 'recover_host', 'disable_service', 'enable_service') and not (
                'group' in op or 'hosts' in op):
            check.fail(path, '%s needs "group" (with optional "count") or "hosts"' % name)
        if name == 'boot':
            if ('workload' in op) == ('flavor' in op):
                check.fail(path, 'boot needs exactly one of "workload" or "flavor"')
            if 'workload' in op and op['workload'] not in workloads:
                check.fail(path + ('workload',), 'unknown workload %r (defined: %s)'
                           % (op['workload'], ', '.join(workloads) or 'none'))
            if 'flavor' in op and op['flavor'] not in flavors:
                check.fail(path + ('flavor',), 'unknown flavor %r (defined: %s)'
                           % (op['flavor'], ', '.join(flavors) or 'none'))
            if op.get('server_group') not in (None, 'affinity', 'anti-affinity',
                                              'soft-affinity', 'soft-anti-affinity'):
                check.fail(path + ('server_group',), 'unknown policy %r'
                           % (op['server_group'],))
            if 'hints' in op:
                check.mapping(op['hints'], path + ('hints',))
        if name == 'delete':
            given = [k for k in ('all', 'count', 'fraction') if k in op]
            if len(given) != 1:
                check.fail(path, 'delete needs exactly one of "all", "count" or "fraction"')
            if 'fraction' in op:
                fraction = check.number(op['fraction'], path + ('fraction',))
                if fraction > 1:
                    check.fail(path + ('fraction',), 'expected a fraction in [0, 1], got %r'
                               % op['fraction'])
            if 'workload' in op and op['workload'] not in workloads:
                check.fail(path + ('workload',), 'unknown workload %r' % (op['workload'],))
        if name == 'advance':
            op['seconds'] = check.number(op.get('seconds'), path + ('seconds',))
        ops.append(op)
    return ops


def _thresholds(raw, path, check):
    out = []
    check.mapping(raw, path)
    for metric, rule in raw.items():
        rpath = path + (metric,)
        if isinstance(rule, str):
            match = _THRESHOLD.match(rule)
            if not match:
                check.fail(rpath, 'expected "<op> <number>" with op one of %s, got %r'
                           % (' '.join(THRESHOLD_OPS), rule))
            op, text = match.groups()
            try:
                value = float(text)
            except ValueError:
                check.fail(rpath, 'expected a number after %s, got %r' % (op, text))
        else:
            check.mapping(rule, rpath, allowed={'op', 'value'}, required=('op', 'value'))
            op = rule['op']
            if op not in THRESHOLD_OPS:
                check.fail(rpath + ('op',), 'expected one of %s, got %r'
                           % (' '.join(THRESHOLD_OPS), op))
            value = check.number(rule['value'], rpath + ('value',), minimum=float('-inf'))
        out.append({'metric': metric, 'op': op, 'value': value})
    return out
