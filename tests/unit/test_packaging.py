"""Packaging: setup.cfg's package list, the installed entry points, and the plugin classes behind them.

setuptools installs only the packages setup.cfg lists; an editable install is
lenient and hides a missing one until a wheel is built.  Entry points are
install metadata: one added to setup.cfg without ``pip install -e .`` exists
in the source tree only, and one removed still loads from the stale install.
"""

import configparser
import importlib
import importlib.metadata
import inspect
import pathlib

import pytest

from novalite import plugin
from novalite.scheduler import interfaces as sched_interfaces
from novalite.virt import interfaces as virt_interfaces

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE_ROOTS = ('novalite', 'plugins', 'simulator')
# Separate distributions kept in the tree as examples; never part of novalite's wheel.
EXCLUDED = ('plugins/examples',)
# Groups whose entry points must all load (console_scripts load the main function).
CHECKED_GROUPS = ('oslo.config.opts', 'oslo.policy.policies', 'oslo.messaging.drivers',
                  'console_scripts')
REINSTALL = 'run `pip install -e .` (entry points are install metadata)'

# namespace -> the base class its plugins implement
PLUGIN_BASES = {
    plugin.FILTERS: sched_interfaces.BaseFilter,
    plugin.WEIGHERS: sched_interfaces.BaseWeigher,
    plugin.VIRT_DRIVERS: virt_interfaces.ComputeDriver,
}


def _setup_cfg():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # entry-point names are case-sensitive
    parser.read(ROOT / 'setup.cfg')
    return parser


def _lines(value):
    return [line.strip() for line in value.splitlines() if line.strip()]


def _package_dir():
    """setup.cfg's package_dir: {'novalite_plugins': 'plugins/novalite_plugins', ...}."""
    mapping = {}
    for line in _lines(_setup_cfg().get('options', 'package_dir', fallback='')):
        name, _, path = line.partition('=')
        mapping[name.strip()] = path.strip()
    return mapping


def _declared_packages():
    return _lines(_setup_cfg().get('options', 'packages'))


def _declared_entry_points():
    """{(group, name): value} from setup.cfg's [options.entry_points]."""
    declared = {}
    section = _setup_cfg()['options.entry_points']
    for group, value in section.items():
        for line in _lines(value):
            name, _, target = line.partition('=')
            declared[(group, name.strip())] = ' '.join(target.split())
    return declared


def _excluded(path):
    rel = path.relative_to(ROOT).as_posix()
    return any(rel == ex or rel.startswith(ex + '/') for ex in EXCLUDED)


def _source_dirs():
    """Every directory under the source roots, minus caches and excluded trees."""
    for top in SOURCE_ROOTS:
        base = ROOT / top
        if not base.is_dir():
            continue
        yield base
        for path in sorted(base.rglob('*')):
            if path.is_dir() and '__pycache__' not in path.parts and not _excluded(path):
                yield path


def _dotted(path, package_dir):
    """The import name of package folder ``path`` under setup.cfg's package_dir mapping."""
    rel = path.relative_to(ROOT).as_posix()
    for name, folder in sorted(package_dir.items(), key=lambda item: -len(item[1])):
        if rel == folder or rel.startswith(folder + '/'):
            rest = rel[len(folder):].strip('/')
            return name + ('.' + rest.replace('/', '.') if rest else '')
    return None


@pytest.fixture(scope='module')
def installed():
    """The installed novalite distribution (site-packages), not a stray egg-info in the tree."""
    for dist in importlib.metadata.distributions(name='novalite'):
        location = pathlib.Path(str(dist.locate_file(''))).resolve()
        # a stray egg-info in the tree locates files at ROOT itself; a virtualenv
        # inside the tree (as CI makes) is a real installation
        if location != ROOT:
            return dist
    pytest.fail('novalite is not installed in this environment: %s' % REINSTALL)


# -- (a) setup.cfg's packages are exactly the package folders ----------------------

def test_package_dir_maps_the_source_roots():
    assert _package_dir() == {'novalite': 'novalite',
                              'novalite_plugins': 'plugins/novalite_plugins',
                              'novalite_sim': 'simulator/novalite_sim'}


def test_packages_equal_the_folders_holding_init():
    package_dir = _package_dir()
    on_disk = {}
    for path in _source_dirs():
        if (path / '__init__.py').is_file():
            on_disk[_dotted(path, package_dir)] = path.relative_to(ROOT).as_posix()
    assert None not in on_disk, (
        'a package outside every package_dir root: %s' % on_disk.get(None))
    declared = set(_declared_packages())
    missing = sorted(set(on_disk) - declared)
    extra = sorted(declared - set(on_disk))
    assert not missing, ('packages with an __init__.py but not in setup.cfg [options] packages '
                         '(the wheel would lack them): %s' % missing)
    assert not extra, ('setup.cfg lists packages that have no folder with __init__.py: %s'
                       % extra)


def test_no_module_folder_without_init():
    """A folder of .py modules inside a package without __init__.py is left out of the wheel."""
    package_dir = _package_dir()
    roots = {ROOT / folder for folder in package_dir.values()}
    orphans = []
    for path in _source_dirs():
        inside = any(path == r or r in path.parents for r in roots)
        if inside and any(path.glob('*.py')) and not (path / '__init__.py').is_file():
            orphans.append(path.relative_to(ROOT).as_posix())
    assert not orphans, 'folders with modules but no __init__.py: %s' % orphans


@pytest.mark.parametrize('name', ['plugins', 'simulator'])
def test_source_roots_are_not_packages(name, installed):
    assert not (ROOT / name / '__init__.py').exists(), (
        '%s/ is a source root, not a package: remove its __init__.py' % name)
    assert name not in _declared_packages()
    assert not any(p == name or p.startswith(name + '.') for p in _declared_packages())
    top_level = _lines(installed.read_text('top_level.txt') or '')
    assert name not in top_level, '%s would be installed as a top-level package' % name


# -- (b) every declared entry point is installed, and loads -------------------------

def test_installed_entry_points_equal_setup_cfg(installed):
    declared = _declared_entry_points()
    present = {(ep.group, ep.name): ' '.join(ep.value.split()) for ep in installed.entry_points}
    missing = sorted(set(declared) - set(present))
    stale = sorted(set(present) - set(declared))
    changed = sorted(k for k in set(declared) & set(present) if declared[k] != present[k])
    assert not (missing or stale or changed), (
        'the installed entry points differ from setup.cfg: %s.\n'
        '  declared, not installed: %s\n  installed, no longer declared: %s\n'
        '  different target: %s' % (REINSTALL, missing, stale, changed))


def _entry_points_to_load():
    declared = _declared_entry_points()
    return sorted(key for key in declared
                  if key[0].startswith('novalite.') or key[0] in CHECKED_GROUPS)


@pytest.mark.parametrize('group, name', _entry_points_to_load())
def test_entry_point_loads(installed, group, name):
    eps = [ep for ep in installed.entry_points if ep.group == group and ep.name == name]
    assert eps, '%s:%s is declared in setup.cfg but not installed: %s' % (group, name, REINSTALL)
    obj = eps[0].load()
    assert callable(obj), '%s:%s (%s) is not callable' % (group, name, eps[0].value)


def test_plugin_namespaces_are_known():
    """A misspelt namespace in setup.cfg registers plugins nobody ever looks up."""
    groups = {group for group, _name in _declared_entry_points()}
    unknown = sorted(g for g in groups if g.startswith('novalite.') and g not in plugin.NAMESPACES)
    assert not unknown, 'setup.cfg uses namespaces novalite.plugin does not know: %s' % unknown


@pytest.mark.parametrize('name', [name for group, name in _declared_entry_points()
                                  if group == 'oslo.config.opts'])
def test_config_opts_entry_point_returns_groups_of_options(installed, name):
    from oslo_config import cfg

    ep, = [e for e in installed.entry_points if e.group == 'oslo.config.opts' and e.name == name]
    for group, opts in ep.load()():
        assert group is None or isinstance(group, (str, cfg.OptGroup)), group
        assert opts and all(isinstance(o, cfg.Opt) for o in opts), (group, opts)


# -- (c) plugin classes implement their base and say what they do -------------------

def _plugin_entry_points():
    return sorted((group, name) for group, name in _declared_entry_points()
                  if group in PLUGIN_BASES)


@pytest.mark.parametrize('group, name', _plugin_entry_points())
def test_plugin_class_implements_its_base(installed, group, name):
    ep, = [e for e in installed.entry_points if e.group == group and e.name == name]
    cls = ep.load()
    base = PLUGIN_BASES[group]
    assert inspect.isclass(cls) and issubclass(cls, base), (
        '%s in %s must be a subclass of %s.%s' % (ep.value, group, base.__module__,
                                                  base.__qualname__))
    assert not inspect.isabstract(cls), '%s leaves abstract methods: %s' % (
        ep.value, sorted(cls.__abstractmethods__))
    assert (cls.__doc__ or '').strip(), '%s has no docstring saying what it does' % ep.value
    module = importlib.import_module(cls.__module__)
    assert (module.__doc__ or '').strip(), 'module %s has no docstring' % cls.__module__


@pytest.mark.parametrize('group, name', [key for key in _plugin_entry_points()
                                         if key[0] in (plugin.FILTERS, plugin.WEIGHERS)])
def test_scheduler_plugins_are_registered_under_their_class_name(installed, group, name):
    """Nova's names work unchanged in enabled_filters / weight_classes."""
    ep, = [e for e in installed.entry_points if e.group == group and e.name == name]
    assert ep.value.rsplit(':', 1)[1] == name


def _registered_options(register):
    """{(group, option)} that ``register(conf)`` adds to an empty ConfigOpts."""
    from oslo_config import cfg

    def options(conf):
        found = set()
        for key in conf:
            value = conf[key]
            if isinstance(value, cfg.ConfigOpts.GroupAttr):
                found.update((key, name) for name in value)
            else:
                found.add(('DEFAULT', key))
        return found

    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    before = options(conf)   # oslo.config's own: config_file, config_dir ...
    register(conf)
    return options(conf) - before


def _published_options(installed):
    """{(group, option)} that the distribution's oslo.config.opts entry points list."""
    published = set()
    for ep in installed.entry_points:
        if ep.group != 'oslo.config.opts':
            continue
        for group, opts in ep.load()():
            group = getattr(group, 'name', group) or 'DEFAULT'
            published.update((group, opt.dest) for opt in opts)
    return published


@pytest.mark.parametrize('group, name', _plugin_entry_points())
def test_plugin_options_reach_the_sample_config(installed, group, name):
    """Options a plugin registers are listed by an oslo.config.opts entry point."""
    ep, = [e for e in installed.entry_points if e.group == group and e.name == name]
    register = getattr(ep.load(), 'register_opts', None)
    if register is None:
        return
    missing = sorted(_registered_options(register) - _published_options(installed))
    assert not missing, (
        '%s registers options no oslo.config.opts entry point lists, so the sample config '
        'does not document them: %s.  Add its module to novalite_plugins/opts.py MODULES '
        'and run `tox -e genconfig`.' % (ep.value, missing))
