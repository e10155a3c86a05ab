"""The out-of-tree example package, installed as an operator would, placing servers.

``plugins/examples/novalite-example-plugins`` is pip-installed (offline: no
index, no dependencies, the venv's setuptools) into a temporary directory that
is then put on ``sys.path``.  Its filter and weigher are loaded by entry-point
name through ``novalite.plugin`` and run in the scheduler engine, with their
options read from a config file as a service would.
"""

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from stevedore import _cache as stevedore_cache
from stevedore import extension

from novalite import conf as nl_conf
from novalite import exception
from novalite import plugin
from novalite.objects import RequestSpec
from novalite.scheduler import engine as sched_engine
from novalite.scheduler.host_state import HostState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, 'plugins', 'examples', 'novalite-example-plugins')
PACKAGE = 'novalite_example_plugins'
FILTER = 'HostNamePrefixFilter'
WEIGHER = 'InstanceCountWeigher'


def _can_build_wheels():
    # --no-build-isolation uses this environment's setuptools: bdist_wheel is built in
    # from setuptools 70.1; older releases need the separate wheel package.
    return (importlib.util.find_spec('setuptools') is not None
            and (importlib.util.find_spec('setuptools.command.bdist_wheel') is not None
                 or importlib.util.find_spec('wheel') is not None))


@pytest.fixture(scope='module')
def example_site(tmp_path_factory):
    """A directory holding the installed example distribution (code + dist-info)."""
    if not _can_build_wheels():
        pytest.fail('building the example offline needs setuptools>=70.1 (or wheel) in this '
                    'environment: pip install "setuptools>=70.1"')
    base = tmp_path_factory.mktemp('example-plugin')
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = base / 'src'
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(
        'build', '*.egg-info', '__pycache__', '.pytest_cache'))
    site = base / 'site'
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK='1', PIP_NO_INPUT='1')
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-build-isolation',
         '--no-index', '--target', str(site), str(source)],
        capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, 'pip install failed:\n%s\n%s' % (proc.stdout[-3000:],
                                                                  proc.stderr[-3000:])
    assert (site / PACKAGE / '__init__.py').is_file()
    return site


@pytest.fixture
def example_on_path(example_site, monkeypatch, tmp_path):
    """The example importable and its entry points visible, for one test; undone after."""
    # stevedore caches each namespace's entry points for the whole process
    # (ExtensionManager.ENTRY_POINT_CACHE is keyed by namespace, not by sys.path): a
    # namespace listed before sys.path changed would not show the new package.  Start
    # from an empty cache; monkeypatch puts the process-wide one back afterwards.
    # stevedore's on-disk cache (one file per distinct sys.path) goes to tmp_path.
    monkeypatch.setattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE', {})
    if hasattr(stevedore_cache, '_c'):
        monkeypatch.setattr(stevedore_cache._c, '_dir', str(tmp_path / 'entry-point-cache'))
    monkeypatch.syspath_prepend(str(example_site))   # restored (and caches invalidated) after
    yield example_site
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + '.')]:
        del sys.modules[name]
    importlib.invalidate_caches()


def make_conf(tmp_path, text):
    """A ConfigOpts parsed from a config file, the way a service gets one."""
    path = tmp_path / 'novalite.conf'
    path.write_text(textwrap.dedent(text))
    return nl_conf.make_conf([], default_config_files=[str(path)])


def hosts():
    return [HostState('rack1-a', 'rack1-a', num_instances=3),
            HostState('rack2-a', 'rack2-a', num_instances=0),
            HostState('rack1-b', 'rack1-b', num_instances=1)]


def spec(num_instances=1, **kwargs):
    flavor = {'memory_mb': 512, 'vcpus': 1, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}
    return RequestSpec(flavor=flavor, num_instances=num_instances, **kwargs)


CONF = '''
    [example_filter]
    host_prefix = rack1-
'''


def test_entry_points_are_found_once_installed(example_on_path):
    assert FILTER in plugin.available(plugin.FILTERS)
    assert WEIGHER in plugin.available(plugin.WEIGHERS)
    # The copy just installed, not one that may be installed in the environment.
    module = sys.modules[plugin.load_class(plugin.FILTERS, FILTER).__module__]
    assert module.__file__.startswith(str(example_on_path))
    # Built-ins and the third-party package side by side, no special case.
    assert 'RamFilter' in plugin.available(plugin.FILTERS)


def test_load_all_by_name_and_place(example_on_path, tmp_path):
    conf = make_conf(tmp_path, CONF)
    filters = plugin.load_all(plugin.FILTERS, ['ComputeFilter', FILTER], conf)
    weighers = plugin.load_all(plugin.WEIGHERS, [WEIGHER], conf)
    assert [type(f).__name__ for f in filters] == ['ComputeFilter', FILTER]
    assert type(filters[1]).__module__ == PACKAGE + '.host_name_prefix'
    # register_opts ran before construction, and the value came from the config file.
    assert conf.example_filter.host_prefix == ['rack1-']

    engine = sched_engine.Engine(filters, weighers)
    selections = engine.select_destinations(hosts(), spec(num_instances=3))
    # rack2-a is filtered out; fewer instances wins: rack1-b (1 -> 2 -> 3), then the
    # tie at 3 goes to the first host in order.
    assert [s.host for s in selections] == ['rack1-b', 'rack1-b', 'rack1-a']
    step = selections[0].explanation.steps[-1]
    assert (step.name, step.hosts_in, step.removed) == (FILTER, 3, 1)
    assert step.example_host == 'rack2-a'
    assert step.example_reason == "name does not start with 'rack1-'"


def test_engine_from_conf_with_multipliers(example_on_path, tmp_path):
    conf = make_conf(tmp_path, CONF + '''
    [filter_scheduler]
    enabled_filters = ComputeFilter,HostNamePrefixFilter
    weight_classes = InstanceCountWeigher
    weight_multipliers = InstanceCountWeigher:2.0
    ''')
    engine = sched_engine.Engine.from_conf(conf)
    assert engine.multipliers == [2.0]
    # A positive multiplier packs: the busiest matching host.
    assert engine.select_destinations(hosts(), spec())[0].host == 'rack1-a'


def test_scheduler_hint_overrides_the_option(example_on_path, tmp_path):
    engine = sched_engine.Engine.from_conf(make_conf(tmp_path, CONF + '''
    [filter_scheduler]
    enabled_filters = HostNamePrefixFilter
    weight_classes = InstanceCountWeigher
    '''))
    chosen = engine.select_destinations(hosts(), spec(scheduler_hints={'host_prefix': 'rack2-'}))
    assert [s.host for s in chosen] == ['rack2-a']


def test_no_matching_host_is_no_valid_host_naming_the_filter(example_on_path, tmp_path):
    engine = sched_engine.Engine.from_conf(make_conf(tmp_path, '''
    [example_filter]
    host_prefix = rack9-
    [filter_scheduler]
    enabled_filters = ComputeFilter,HostNamePrefixFilter
    weight_classes = InstanceCountWeigher
    '''))
    with pytest.raises(exception.NoValidHost) as info:
        engine.select_destinations(hosts(), spec())
    assert 'Filter HostNamePrefixFilter returned 0 hosts' in str(info.value)


def test_sample_config_documents_the_plugin_options(example_on_path, tmp_path):
    """The package's oslo.config.opts entry point feeds oslo-config-generator."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(example_on_path)] + [p for p in [os.environ.get('PYTHONPATH')] if p]),
        XDG_CACHE_HOME=str(tmp_path / 'cache'))   # stevedore's cache file for this sys.path
    proc = subprocess.run(
        [sys.executable, '-c', 'import sys; from oslo_config import generator; '
         'generator.main(sys.argv[1:])', '--namespace', PACKAGE],
        capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '[example_filter]' in proc.stdout
    assert '#host_prefix =' in proc.stdout
