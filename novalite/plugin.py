"""The one stevedore wrapper: every plugin point of novalite loads through here.

Built-in plugins register their entry points in setup.cfg exactly like a
third-party package would, so this module never imports a concrete plugin.  A
name that is not installed, or a plugin that fails to import, stops the caller
with an error naming the namespace and the names that *are* available
(stevedore on its own only logs such failures).
"""

from importlib import metadata

import stevedore

from novalite import exception

FILTERS = 'novalite.scheduler.filters'
WEIGHERS = 'novalite.scheduler.weighers'
VIRT_DRIVERS = 'novalite.virt.drivers'
NETWORK_MANAGERS = 'novalite.network.managers'

NAMESPACES = (FILTERS, WEIGHERS, VIRT_DRIVERS, NETWORK_MANAGERS)


def available(namespace):
    """Sorted names installed in ``namespace``, read from install metadata.

    Nothing is imported: an error message listing the alternatives must not
    depend on every other plugin importing cleanly.
    """
    return sorted({ep.name for ep in metadata.entry_points(group=namespace)})


def _raise_failure(namespace):
    def on_load_failure(manager, entrypoint, exc):
        raise exception.PluginLoadFailed(
            name=entrypoint.name, namespace=namespace,
            reason='%s: %s' % (type(exc).__name__, exc)) from exc
    return on_load_failure


def load_class(namespace, name):
    """Return the plugin class registered as ``name`` in ``namespace``."""
    classes = load_classes(namespace, [name])
    return classes[0]


def load_classes(namespace, names):
    """Return plugin classes for ``names`` in the order given.

    Raises PluginNotFound naming the namespace and the available names when
    any name is not installed.
    """
    names = list(names)
    if not names:
        return []

    def on_missing(missing):
        raise exception.PluginNotFound(
            name=', '.join(sorted(missing)), namespace=namespace,
            available=', '.join(available(namespace)) or '(none)')

    mgr = stevedore.NamedExtensionManager(
        namespace, names, invoke_on_load=False, name_order=True,
        on_load_failure_callback=_raise_failure(namespace),
        on_missing_entrypoints_callback=on_missing)
    by_name = {ext.name: ext.plugin for ext in mgr}
    return [by_name[n] for n in names]


def load(namespace, name, conf, *args, **kwargs):
    """Load and construct one plugin: ``cls(conf, *args, **kwargs)``.

    If the class declares ``register_opts(conf)`` (a classmethod), it is called
    first, so a plugin's options exist before the plugin reads them.
    """
    cls = load_class(namespace, name)
    return instantiate(cls, conf, *args, **kwargs)


def load_all(namespace, names, conf, *args, **kwargs):
    """Load and construct several plugins of one namespace, in order."""
    return [instantiate(cls, conf, *args, **kwargs)
            for cls in load_classes(namespace, names)]


def instantiate(cls, conf, *args, **kwargs):
    """Register a plugin's own options, then construct it with the conf."""
    register = getattr(cls, 'register_opts', None)
    if register is not None:
        register(conf)
    return cls(conf, *args, **kwargs)
