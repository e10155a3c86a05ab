"""novalite.plugin: loading by entry-point name, errors naming the namespace, option registration.

Each test installs a throw-away distribution (a ``*.dist-info`` with
``entry_points.txt`` plus its modules) into a temporary directory on
``sys.path``, so the behaviour is checked through real entry points,
independently of what else is installed.
"""

import sys
import textwrap

import pytest
from oslo_config import cfg
from stevedore import _cache as stevedore_cache
from stevedore import extension

from novalite import exception
from novalite import plugin

NAMESPACE = 'novalite.tests.loader'
PACKAGE = 'nl_loader_fake'

PLUGINS = '''
from oslo_config import cfg

CALLS = []


class Alpha:
    """Records its construction."""

    def __init__(self, conf, *args, **kwargs):
        CALLS.append(('init', type(self).__name__))
        self.conf, self.args, self.kwargs = conf, args, kwargs


class Beta(Alpha):
    """Another plugin."""


class Gamma(Alpha):
    """And another."""


class WithOpts(Alpha):
    """Declares an option and reads it in __init__."""

    @classmethod
    def register_opts(cls, conf):
        CALLS.append(('register_opts', cls.__name__))
        conf.register_opts([cfg.IntOpt('limit', default=7)], group='loader_test')

    def __init__(self, conf, *args, **kwargs):
        # NoSuchOptError here if the loader had not called register_opts first.
        self.limit = conf.loader_test.limit
        super().__init__(conf, *args, **kwargs)
'''

BROKEN = '''
import novalite_no_such_dependency  # noqa: F401  (an uninstalled dependency)


class Broken:
    """Never importable."""
'''

ENTRY_POINTS = {
    'Alpha': PACKAGE + '.plugins:Alpha',
    'Beta': PACKAGE + '.plugins:Beta',
    'Gamma': PACKAGE + '.plugins:Gamma',
    'WithOpts': PACKAGE + '.plugins:WithOpts',
    'Broken': PACKAGE + '.broken:Broken',
    'NoSuchClass': PACKAGE + '.plugins:NoSuchClass',
}
INSTALLED = sorted(ENTRY_POINTS)


def install_fake_distribution(root, name, modules, entry_points):
    """Write ``modules`` ({dotted name: source}) and a dist-info registering ``entry_points``."""
    for dotted, source in modules.items():
        path = root.joinpath(*dotted.split('.')).with_suffix('.py')
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    info = root / ('%s-0.0.dist-info' % name)
    info.mkdir()
    (info / 'METADATA').write_text('Metadata-Version: 2.1\nName: %s\nVersion: 0.0\n' % name)
    lines = []
    for group, eps in entry_points.items():
        lines.append('[%s]' % group)
        lines.extend('%s = %s' % item for item in eps.items())
    (info / 'entry_points.txt').write_text('\n'.join(lines) + '\n')


def use_fresh_entry_points(monkeypatch, tmp_path):
    """Make stevedore rescan sys.path, and keep its on-disk cache out of the home directory.

    stevedore keeps each namespace's entry points for the life of the process
    (``ExtensionManager.ENTRY_POINT_CACHE``, keyed by namespace only), so a
    distribution added to sys.path later is not seen without this.
    """
    monkeypatch.setattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE', {})
    if hasattr(stevedore_cache, '_c'):
        monkeypatch.setattr(stevedore_cache._c, '_dir', str(tmp_path / 'entry-point-cache'))


@pytest.fixture
def fake_plugins(tmp_path, monkeypatch):
    """The fake distribution on sys.path; yields its plugins module once imported."""
    site = tmp_path / 'site'
    install_fake_distribution(
        site, PACKAGE,
        {PACKAGE + '.__init__': '', PACKAGE + '.plugins': PLUGINS, PACKAGE + '.broken': BROKEN},
        {NAMESPACE: ENTRY_POINTS})
    monkeypatch.syspath_prepend(str(site))
    use_fresh_entry_points(monkeypatch, tmp_path)
    yield lambda: sys.modules[PACKAGE + '.plugins']
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + '.')]:
        del sys.modules[name]


@pytest.fixture
def conf():
    c = cfg.ConfigOpts()
    c([], default_config_files=[])
    return c


# -- found by name, in order ----------------------------------------------------

def test_load_class_returns_the_class_not_an_instance(fake_plugins):
    cls = plugin.load_class(NAMESPACE, 'Beta')
    assert cls is fake_plugins().Beta
    assert fake_plugins().CALLS == []


@pytest.mark.parametrize('names', [
    ['Alpha', 'Beta', 'Gamma'],
    ['Gamma', 'Alpha', 'Beta'],
    ['Beta', 'Gamma'],
    ['Gamma'],
])
def test_order_is_the_order_given_not_the_installed_order(fake_plugins, conf, names):
    assert [c.__name__ for c in plugin.load_classes(NAMESPACE, names)] == names
    objs = plugin.load_all(NAMESPACE, names, conf)
    assert [type(o).__name__ for o in objs] == names
    assert fake_plugins().CALLS == [('init', n) for n in names]


def test_no_names_loads_nothing(fake_plugins, conf):
    assert plugin.load_classes(NAMESPACE, []) == []
    assert plugin.load_all(NAMESPACE, [], conf) == []


def test_constructor_receives_conf_and_extra_arguments(fake_plugins, conf):
    obj = plugin.load(NAMESPACE, 'Alpha', conf, 'virtapi', option=1)
    assert obj.conf is conf
    assert obj.args == ('virtapi',)
    assert obj.kwargs == {'option': 1}


def test_available_lists_the_installed_names_sorted(fake_plugins):
    names = plugin.available(NAMESPACE)
    assert {'Alpha', 'Beta', 'Gamma', 'WithOpts'} <= set(names)
    assert names == sorted(names)


# -- options ------------------------------------------------------------------------

@pytest.mark.parametrize('how', ['load', 'load_all', 'instantiate'])
def test_register_opts_runs_before_construction(fake_plugins, conf, how):
    if how == 'load':
        obj = plugin.load(NAMESPACE, 'WithOpts', conf)
    elif how == 'load_all':
        obj, = plugin.load_all(NAMESPACE, ['WithOpts'], conf)
    else:
        obj = plugin.instantiate(plugin.load_class(NAMESPACE, 'WithOpts'), conf)
    assert obj.limit == 7
    assert fake_plugins().CALLS == [('register_opts', 'WithOpts'), ('init', 'WithOpts')]


def test_register_opts_is_harmless_when_loaded_twice(fake_plugins, conf):
    # Two schedulers' engines, or a reload, on one conf: the same option objects again.
    first, second = plugin.load_all(NAMESPACE, ['WithOpts', 'WithOpts'], conf)
    assert first.limit == second.limit == 7


def test_plugin_options_follow_the_config(fake_plugins, conf):
    cls = plugin.load_class(NAMESPACE, 'WithOpts')
    cls.register_opts(conf)
    conf.set_override('limit', 3, group='loader_test')
    assert plugin.instantiate(cls, conf).limit == 3


# -- errors -------------------------------------------------------------------------

def test_unknown_name_names_namespace_and_available_plugins(fake_plugins):
    with pytest.raises(exception.PluginNotFound) as info:
        plugin.load_class(NAMESPACE, 'Alpah')
    message = str(info.value)
    assert "'Alpah'" in message
    assert NAMESPACE in message
    for name in ('Alpha', 'Beta', 'Gamma', 'WithOpts'):
        assert name in message


def test_unknown_names_among_known_ones_are_all_reported(fake_plugins, conf):
    with pytest.raises(exception.PluginNotFound) as info:
        plugin.load_all(NAMESPACE, ['Alpha', 'Zeta', 'Gamma', 'Eta'], conf)
    assert 'Eta, Zeta' in str(info.value)
    # Nothing was constructed: a typo stops start-up before any plugin runs.
    assert fake_plugins().CALLS == []


def test_unknown_name_in_an_empty_namespace(fake_plugins):
    with pytest.raises(exception.PluginNotFound) as info:
        plugin.load_class('novalite.tests.nothing_here', 'Alpha')
    assert 'novalite.tests.nothing_here' in str(info.value)
    assert '(none)' in str(info.value)


def test_typo_in_a_real_namespace_lists_the_builtins():
    with pytest.raises(exception.PluginNotFound) as info:
        plugin.load_class(plugin.FILTERS, 'RamFiltr')
    message = str(info.value)
    assert plugin.FILTERS in message
    assert 'RamFilter' in message and 'ComputeFilter' in message


@pytest.mark.parametrize('name, reason', [
    ('Broken', "ModuleNotFoundError: No module named 'novalite_no_such_dependency'"),
    ('NoSuchClass', 'AttributeError'),
])
def test_plugin_that_fails_to_import_raises_load_failed(fake_plugins, name, reason):
    with pytest.raises(exception.PluginLoadFailed) as info:
        plugin.load_class(NAMESPACE, name)
    message = str(info.value)
    assert repr(name) in message
    assert NAMESPACE in message
    assert reason in message
    assert info.value.__cause__ is not None


def test_broken_plugin_not_asked_for_is_not_imported(fake_plugins, conf):
    # A broken third-party package must not stop a service that does not use it.
    objs = plugin.load_all(NAMESPACE, ['Alpha', 'Gamma'], conf)
    assert [type(o).__name__ for o in objs] == ['Alpha', 'Gamma']
    assert PACKAGE + '.broken' not in sys.modules


def test_load_failure_among_good_names_is_reported(fake_plugins, conf):
    with pytest.raises(exception.PluginLoadFailed, match="'Broken'"):
        plugin.load_all(NAMESPACE, ['Alpha', 'Broken'], conf)


def test_available_lists_every_installed_name_without_importing(fake_plugins):
    # The names come from install metadata; a broken plugin is still installed under
    # its name, and listing names for an error message should import nothing.
    names = plugin.available(NAMESPACE)
    assert names == INSTALLED
    assert PACKAGE + '.broken' not in sys.modules
