"""The catalogue filters on hints, server groups, image properties and capabilities, table-driven."""

import json

import pytest

from novalite.objects import RequestSpec
from novalite.scheduler import interfaces
from novalite.scheduler.host_state import HostState
from novalite_plugins.scheduler.filters import compute_capabilities
from novalite_plugins.scheduler.filters import different_host
from novalite_plugins.scheduler.filters import image_properties
from novalite_plugins.scheduler.filters import json as json_filter
from novalite_plugins.scheduler.filters import same_host
from novalite_plugins.scheduler.filters import server_group_affinity
from novalite_plugins.scheduler.filters import server_group_anti_affinity
from novalite_plugins.scheduler.filters import simple_cidr_affinity


def host(name='host1', **attrs):
    return HostState(name, name + '-node', **attrs)


def spec(extra_specs=None, **kwargs):
    flavor = {'name': 'm1.small', 'memory_mb': 1024, 'vcpus': 1, 'root_gb': 10,
              'ephemeral_gb': 0, 'swap': 0, 'extra_specs': extra_specs or {}}
    return RequestSpec(flavor=flavor, **kwargs)


def make(cls, conf, **overrides):
    register = getattr(cls, 'register_opts', None)
    if register is not None:
        register(conf)
    for name, value in overrides.items():
        conf.set_override(name, value, 'filter_scheduler')
    return cls(conf)


def check(filter_obj, host_state, request, passes, reason=None, cycle=None):
    if cycle is None:
        cycle = interfaces.CycleState()
        filter_obj.prepare(request, cycle)
    assert filter_obj.host_passes(host_state, request, cycle) is passes
    assert filter_obj.filter_all([host_state], request, cycle) == [passes]
    assert filter_obj.host_passes(host_state, request, interfaces.CycleState()) is passes
    if reason is not None:
        assert filter_obj.reject_reason(host_state, request, cycle) == reason


# --- SameHostFilter / DifferentHostFilter -------------------------------------------

@pytest.mark.parametrize('hint, on_host, passes', [
    (None, set(), True),
    ([], {'a'}, True),
    (['a'], {'a', 'b'}, True),
    ('a', {'a'}, True),                 # a single uuid string
    (['x', 'b'], {'a', 'b'}, True),
    (['x'], {'a'}, False),
    (['x'], set(), False),              # an empty host runs none of them
])
def test_same_host(conf, hint, on_host, passes):
    hints = {} if hint is None else {'same_host': hint}
    reason = None if passes else 'runs none of the %d same_host instances' % len(
        [hint] if isinstance(hint, str) else hint)
    check(same_host.SameHostFilter(conf), host(instances=on_host),
          spec(scheduler_hints=hints), passes, reason)


@pytest.mark.parametrize('hint, on_host, passes, reason', [
    (None, {'a'}, True, None),
    ([], {'a'}, True, None),
    (['x'], {'a'}, True, None),
    ('a', {'a'}, False, 'runs 1 of the different_host instances'),
    (['a', 'b', 'c'], {'a', 'b'}, False, 'runs 2 of the different_host instances'),
    (['a'], set(), True, None),
])
def test_different_host(conf, hint, on_host, passes, reason):
    hints = {} if hint is None else {'different_host': hint}
    check(different_host.DifferentHostFilter(conf), host(instances=on_host),
          spec(scheduler_hints=hints), passes, reason)


# --- SimpleCIDRAffinityFilter -------------------------------------------------------

@pytest.mark.parametrize('hints, host_ip, passes, reason', [
    ({}, '10.0.0.5', True, None),
    ({'cidr': '/8'}, '10.0.0.5', True, None),      # cidr alone does nothing
    ({'build_near_host_ip': '10.0.0.1'}, '10.0.0.200', True, None),
    ({'build_near_host_ip': '10.0.0.1'}, '10.0.1.2', False, 'host IP 10.0.1.2 not in 10.0.0.0/24'),
    ({'build_near_host_ip': '10.0.0.1', 'cidr': '/16'}, '10.0.1.2', True, None),
    ({'build_near_host_ip': '10.0.0.1', 'cidr': '/32'}, '10.0.0.2', False, None),
    ({'build_near_host_ip': 'fd00::1', 'cidr': '/64'}, 'fd00::ff', True, None),
    ({'build_near_host_ip': 'fd00::1', 'cidr': '/64'}, '10.0.0.1', False, None),
    ({'build_near_host_ip': '10.0.0.1'}, None, False, 'host IP None not in 10.0.0.0/24'),
    ({'build_near_host_ip': '10.0.0.1'}, 'garbage', False, None),
    ({'build_near_host_ip': 'not-an-ip'}, '10.0.0.1', False, None),
    ({'build_near_host_ip': '10.0.0.1', 'cidr': '/99'}, '10.0.0.1', False, None),
])
def test_simple_cidr_affinity(conf, hints, host_ip, passes, reason):
    check(simple_cidr_affinity.SimpleCIDRAffinityFilter(conf), host(host_ip=host_ip),
          spec(scheduler_hints=hints), passes, reason)


def test_simple_cidr_affinity_bad_hint_reason(conf):
    f = simple_cidr_affinity.SimpleCIDRAffinityFilter(conf)
    request = spec(scheduler_hints={'build_near_host_ip': 'nope'})
    assert f.reject_reason(host(host_ip='10.0.0.1'), request, {}).startswith(
        'bad build_near_host_ip/cidr nope/24')


# --- ServerGroupAffinityFilter / ServerGroupAntiAffinityFilter -------------------------

def group(policy='affinity', hosts=(), members=(), rules=None, legacy=False):
    g = {'uuid': 'g1', 'name': 'grp', 'members': list(members), 'hosts': list(hosts),
         'rules': rules or {}}
    if legacy:
        g['policies'] = [policy]
    else:
        g['policy'] = policy
    return g


@pytest.mark.parametrize('instance_group, host_name, passes', [
    (None, 'h1', True),
    (group(hosts=[]), 'h1', True),                       # the first member goes anywhere
    (group(hosts=['h1']), 'h1', True),
    (group(hosts=['h2']), 'h1', False),
    (group(hosts=['h2'], legacy=True), 'h1', False),
    (group(policy='anti-affinity', hosts=['h2']), 'h1', True),
    (group(policy='soft-affinity', hosts=['h2']), 'h1', True),
])
def test_server_group_affinity(conf, instance_group, host_name, passes):
    reason = None if passes else 'not a host of affinity group grp (h2)'
    check(server_group_affinity.ServerGroupAffinityFilter(conf), host(host_name),
          spec(instance_group=instance_group), passes, reason)


@pytest.mark.parametrize('instance_group, host_name, on_host, passes, reason', [
    (None, 'h1', set(), True, None),
    (group('anti-affinity'), 'h1', set(), True, None),
    (group('anti-affinity', hosts=['h2']), 'h1', set(), True, None),
    (group('anti-affinity', hosts=['h1']), 'h1', set(), False,
     '1 anti-affinity group members on host >= max 1'),
    (group('anti-affinity', hosts=['h1'], legacy=True), 'h1', set(), False, None),
    (group('anti-affinity', members=['m1']), 'h1', {'m1'}, False, None),
    (group('anti-affinity', members=['m1']), 'h1', {'other'}, True, None),
    # max_server_per_host counts members on the host
    (group('anti-affinity', hosts=['h1'], members=['m1'], rules={'max_server_per_host': 2}),
     'h1', {'m1'}, True, None),
    (group('anti-affinity', hosts=['h1'], members=['m1', 'm2'], rules={'max_server_per_host': 2}),
     'h1', {'m1', 'm2'}, False, '2 anti-affinity group members on host >= max 2'),
    (group('anti-affinity', hosts=['h1'], members=['m1'], rules={'max_server_per_host': '2'}),
     'h1', {'m1'}, True, None),
    (group('soft-anti-affinity', hosts=['h1']), 'h1', set(), True, None),
    (group('affinity', hosts=['h1']), 'h1', set(), True, None),
])
def test_server_group_anti_affinity(conf, instance_group, host_name, on_host, passes, reason):
    check(server_group_anti_affinity.ServerGroupAntiAffinityFilter(conf),
          host(host_name, instances=on_host), spec(instance_group=instance_group), passes, reason)


def test_anti_affinity_move_passes_current_host(conf):
    """The instance being placed is already on the host (a resize): the host may keep it."""
    request = spec(instance_group=group('anti-affinity', hosts=['h1'], members=['me']),
                   instance_uuids=['me'])
    check(server_group_anti_affinity.ServerGroupAntiAffinityFilter(conf),
          host('h1', instances={'me'}), request, True)


@pytest.mark.parametrize('cls, policy, passes_after', [
    (server_group_affinity.ServerGroupAffinityFilter, 'affinity', [True, False]),
    (server_group_anti_affinity.ServerGroupAntiAffinityFilter, 'anti-affinity', [False, True]),
])
def test_group_hosts_seen_as_the_engine_appends(conf, cls, policy, passes_after):
    """A multi-create: group['hosts'] grows between instances; the cached set follows it."""
    f = cls(conf)
    request = spec(instance_group=group(policy))
    cycle = interfaces.CycleState()
    f.prepare(request, cycle)
    h1, h2 = host('h1'), host('h2')
    assert f.host_passes(h1, request, cycle) and f.host_passes(h2, request, cycle)
    request.instance_group['hosts'].append('h1')   # what the engine does after instance 0
    cycle.instance_index = 1
    assert [f.host_passes(h1, request, cycle), f.host_passes(h2, request, cycle)] == passes_after


# --- JsonFilter ---------------------------------------------------------------------

def q(query):
    return {'query': json.dumps(query)}


JHOST = dict(free_ram_mb=1024, free_disk_mb=200 * 1024, vcpus_total=4, vcpus_used=1,
             hypervisor_type='QEMU', service={'disabled': False, 'is_up': True},
             stats={'gpu': 'yes'})


@pytest.mark.parametrize('hints, passes', [
    ({}, True),
    ({'query': ''}, True),
    (q([]), True),
    (q(['>=', '$free_ram_mb', 1024]), True),
    (q(['>', '$free_ram_mb', 1024]), False),
    (q(['<', '$free_ram_mb', 2048]), True),
    (q(['<=', '$free_ram_mb', 1023]), False),
    (q(['=', '$hypervisor_type', 'QEMU']), True),
    (q(['=', '$hypervisor_type', 'QEMU', 'kvm']), False),   # first against every other
    (q(['in', '$hypervisor_type', 'kvm', 'QEMU']), True),
    (q(['in', '$hypervisor_type', 'kvm', 'xen']), False),
    (q(['and', ['>=', '$free_ram_mb', 512], ['>=', '$free_disk_mb', 200 * 1024]]), True),
    (q(['and', ['>=', '$free_ram_mb', 512], ['>=', '$free_disk_mb', 300 * 1024]]), False),
    (q(['or', ['>=', '$free_ram_mb', 4096], ['=', '$vcpus_total', 4]]), True),
    (q(['not', ['=', '$service.disabled', True]]), True),
    (q(['not', ['=', '$service.disabled', False]]), False),
    (q(['=', '$stats.gpu', 'yes']), True),
    # a missing variable is dropped: fewer than two operands fails
    (q(['=', '$no_such_field', 1]), False),
    (q(['=', '$service.no_such_key', 1]), False),
    (q(['=', '$_arrays', None]), False),          # bookkeeping attributes are not exposed
    (q(['<', '$hypervisor_type', 3]), False),      # str < int: no match, no crash
])
def test_json(conf, hints, passes):
    check(json_filter.JsonFilter(conf), host(**JHOST), spec(scheduler_hints=hints), passes)


@pytest.mark.parametrize('raw, reason', [
    ('{not json', 'invalid JsonFilter query: Expecting property name enclosed in double quotes: '
                  'line 1 column 2 (char 1)'),
    ('{"a": 1}', 'invalid JsonFilter query: a query is a JSON list, not dict'),
    ('["~", 1, 2]', "invalid JsonFilter query: unknown operator '~' (known: = < > in <= >= not or and)"),
    ('["in", "$host", ["a", "b"]]', "invalid JsonFilter query: unknown operator 'a' "
                                    "(known: = < > in <= >= not or and)"),
    ('["=", {"x": 1}, 1]', 'invalid JsonFilter query: objects are not operands'),
    ('[' * 5000 + ']' * 5000, None),
])
def test_json_malformed_query_rejects_with_reason(conf, raw, reason):
    f = json_filter.JsonFilter(conf)
    request = spec(scheduler_hints={'query': raw})
    check(f, host(**JHOST), request, False)
    got = f.reject_reason(host(**JHOST), request, interfaces.CycleState())
    assert got.startswith('invalid JsonFilter query: ')
    if reason is not None:
        assert got == reason


def test_json_reason_for_false_query(conf):
    f = json_filter.JsonFilter(conf)
    request = spec(scheduler_hints=q(['>', '$free_ram_mb', 4096]))
    assert f.reject_reason(host(**JHOST), request, {}) == 'query [">", "$free_ram_mb", 4096] is false'


# --- ImagePropertiesFilter ----------------------------------------------------------

KVM = [['x86_64', 'kvm', 'hvm'], ['i686', 'kvm', 'hvm']]
XEN = [['x86_64', 'xen', 'xen'], ['x86_64', 'xen', 'hvm']]


@pytest.mark.parametrize('props, supported, hv_version, overrides, passes', [
    ({}, KVM, None, {}, True),
    ({}, [], None, {}, True),
    ({'hw_architecture': 'x86_64'}, KVM, None, {}, True),
    ({'hw_architecture': 'x86_64'}, [], None, {}, False),         # nothing advertised
    ({'hw_architecture': 'aarch64'}, KVM, None, {}, False),
    ({'architecture': 'amd64'}, KVM, None, {}, True),            # Kilo name, canonicalised
    ({'hw_architecture': 'i386'}, KVM, None, {}, True),
    ({'hw_architecture': 'X86_64', 'img_hv_type': 'KVM', 'hw_vm_mode': 'hvm'}, KVM, None, {},
     True),
    ({'img_hv_type': 'qemu'}, KVM, None, {}, False),              # qemu stays qemu
    ({'hypervisor_type': 'xapi'}, XEN, None, {}, True),
    ({'hw_vm_mode': 'pv'}, XEN, None, {}, True),                 # pv -> xen
    ({'vm_mode': 'hv'}, XEN, None, {}, True),                     # hv -> hvm
    ({'hw_vm_mode': 'xen'}, KVM, None, {}, False),
    # one entry must satisfy all three
    ({'hw_architecture': 'i686', 'img_hv_type': 'xen'}, KVM + XEN, None, {}, False),
    # the version requirement
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': '>=2.0'}, KVM, 2001000, {}, True),
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': '>=2.2'}, KVM, 2001000, {}, False),
    ({'img_hv_type': 'kvm', 'hypervisor_version_requires': '>=2.0, <2.1'}, KVM, 2000005, {},
     True),
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': '==2.1'}, KVM, 2001000, {}, True),
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': '>=9'}, KVM, None, {}, True),  # unknown
    ({'img_hv_requested_version': '>=9'}, KVM, 2001000, {}, True),  # alone: ignored (Nova)
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': 'banana'}, KVM, 2001000, {}, False),
    # the configured default architecture
    ({}, KVM, None, {'image_properties_default_architecture': 'aarch64'}, False),
    ({}, KVM, None, {'image_properties_default_architecture': 'x86_64'}, True),
    ({'hw_architecture': 'i686'}, KVM, None, {'image_properties_default_architecture': 'aarch64'},
     True),
])
def test_image_properties(conf, props, supported, hv_version, overrides, passes):
    f = make(image_properties.ImagePropertiesFilter, conf, **overrides)
    check(f, host(supported_instances=supported, hypervisor_version=hv_version),
          spec(image={'id': 'img', 'properties': props}), passes)


@pytest.mark.parametrize('props, supported, hv_version, reason', [
    ({'hw_architecture': 'aarch64'}, KVM, None,
     'image needs arch/hypervisor/vm_mode aarch64/*/*, host supports x86_64/kvm/hvm, i686/kvm/hvm'),
    ({'hw_architecture': 'aarch64'}, [], None,
     'image needs arch/hypervisor/vm_mode aarch64/*/*, host supports nothing'),
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': '>=2.2'}, KVM, 2001000,
     "hypervisor version 2.1.0 does not satisfy '>=2.2'"),
    ({'img_hv_type': 'kvm', 'img_hv_requested_version': 'banana'}, KVM, 2001000,
     "malformed image hypervisor version requirement 'banana': bad version clause 'banana'"),
])
def test_image_properties_reasons(conf, props, supported, hv_version, reason):
    f = make(image_properties.ImagePropertiesFilter, conf)
    check(f, host(supported_instances=supported, hypervisor_version=hv_version),
          spec(image={'properties': props}), False, reason)


# --- ComputeCapabilitiesFilter --------------------------------------------------------

CAPS = dict(hypervisor_type='QEMU', hypervisor_version=2001000, vcpus_total=8,
            free_ram_mb=4096, stats={'trust': 'trusted', 'num_instances': '3'},
            cpu_info={'arch': 'x86_64', 'vendor': 'Intel',
                      'features': ['sse', 'avx', 'vmx'], 'topology': {'cores': 4}})


@pytest.mark.parametrize('extra_specs, passes, reason', [
    ({}, True, None),
    ({'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': '1'}, True, None),  # other scopes
    ({'aggregate_instance_extra_specs:ssd': 'true'}, True, None),
    ({'hypervisor_type': 'QEMU'}, True, None),                          # unscoped: checked
    ({'capabilities:hypervisor_type': 'QEMU'}, True, None),
    ({'capabilities:hypervisor_type': 'kvm'}, False,
     "capability hypervisor_type='QEMU' does not match 'kvm'"),
    ({'capabilities:hypervisor_type': '<or> kvm <or> QEMU'}, True, None),
    ({'capabilities:vcpus_total': '>= 4'}, True, None),
    ({'capabilities:vcpus_total': '>= 16'}, False, None),
    ({'capabilities:free_ram_mb': '= 4096'}, True, None),
    ({'capabilities:hypervisor_version': '>= 2001000'}, True, None),
    ({'capabilities:trust': 'trusted'}, True, None),                    # from stats
    ({'capabilities:num_instances': '3'}, False, None),                 # attribute (0) wins
    ({'capabilities:cpu_info:vendor': 'Intel'}, True, None),
    ({'capabilities:cpu_info:features': '<in> avx'}, True, None),
    ({'capabilities:cpu_info:features': '<all-in> sse vmx'}, True, None),
    ({'capabilities:cpu_info:features': '<all-in> sse avx512'}, False, None),
    ({'capabilities:cpu_info:topology:cores': '>= 4'}, True, None),
    ({'capabilities:cpu_info:nope': 'x'}, False,
     "no capability cpu_info:nope (extra spec wants 'x')"),
    ({'capabilities:gpu': 'yes'}, False, "no capability gpu (extra spec wants 'yes')"),
    ({'capabilities:_arrays': 'x'}, False, None),
    ({'capabilities:hypervisor_type': 'QEMU', 'capabilities:trust': 'untrusted'}, False, None),
])
def test_compute_capabilities(conf, extra_specs, passes, reason):
    check(compute_capabilities.ComputeCapabilitiesFilter(conf), host(**CAPS),
          spec(extra_specs=extra_specs), passes, reason)


def test_compute_capabilities_json_string_cpu_info(conf):
    """A nested lookup parses a JSON string on the way (Nova does)."""
    hs = host(stats={'cpu': json.dumps({'model': 'Haswell'})})
    check(compute_capabilities.ComputeCapabilitiesFilter(conf), hs,
          spec(extra_specs={'capabilities:cpu:model': 'Haswell'}), True)
    check(compute_capabilities.ComputeCapabilitiesFilter(conf), host(stats={'cpu': '{bad'}),
          spec(extra_specs={'capabilities:cpu:model': 'Haswell'}), False)


def test_hint_filters_write_nothing(conf):
    """Filters without resources never touch host state (limits included)."""
    hs = host(**CAPS, instances={'a'}, host_ip='10.0.0.1')
    before = {name: getattr(hs, name) for name in HostState.__slots__}
    request = spec(scheduler_hints={'same_host': ['a'], 'different_host': ['b'],
                                    'build_near_host_ip': '10.0.0.2',
                                    'query': json.dumps(['>', '$free_ram_mb', 1])},
                   extra_specs={'capabilities:hypervisor_type': 'QEMU'},
                   instance_group=group('anti-affinity', members=['m']))
    for cls in (same_host.SameHostFilter, different_host.DifferentHostFilter,
                simple_cidr_affinity.SimpleCIDRAffinityFilter, json_filter.JsonFilter,
                server_group_affinity.ServerGroupAffinityFilter,
                server_group_anti_affinity.ServerGroupAntiAffinityFilter,
                compute_capabilities.ComputeCapabilitiesFilter):
        f = cls(conf)
        cycle = interfaces.CycleState()
        f.prepare(request, cycle)
        assert f.host_passes(hs, request, cycle) is True, cls
    assert {name: getattr(hs, name) for name in before} == before


# --- through the engine ------------------------------------------------------------

def _engine_hosts():
    return [host('h%d' % i, total_usable_ram_mb=8192, free_ram_mb=8192, vcpus_total=8,
                 total_usable_disk_gb=100, free_disk_mb=100 * 1024, num_io_ops=i)
            for i in range(3)]


def test_engine_spreads_an_anti_affinity_batch(conf):
    """The engine appends chosen hosts to the group; the filter sees them for the next instance."""
    from novalite import exception
    from novalite.scheduler import engine
    from novalite_plugins.scheduler.filters import io_ops

    io_ops.IoOpsFilter.register_opts(conf)
    eng = engine.Engine([io_ops.IoOpsFilter(conf),
                         server_group_anti_affinity.ServerGroupAntiAffinityFilter(conf)], [])
    uuids = ['u1', 'u2', 'u3']
    request = spec(num_instances=3, instance_uuids=uuids,
                   instance_group=group('anti-affinity', members=uuids))
    chosen = [s.host for s in eng.select_destinations(_engine_hosts(), request)]
    assert sorted(chosen) == ['h0', 'h1', 'h2']
    # A fourth member has nowhere to go; the engine names the filter and its reason.
    uuids = ['u1', 'u2', 'u3', 'u4']
    request = spec(num_instances=4, instance_uuids=uuids,
                   instance_group=group('anti-affinity', members=uuids))
    with pytest.raises(exception.NoValidHost) as info:
        eng.select_destinations(_engine_hosts(), request)
    assert 'anti-affinity group members on host >= max 1' in str(info.value.explanation)
