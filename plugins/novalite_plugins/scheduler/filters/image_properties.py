"""ImagePropertiesFilter: hosts supporting the image's architecture, hypervisor type, VM mode and version."""

import operator
import re

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import options

OPTS = [options.IMAGE_DEFAULT_ARCHITECTURE]


def list_opts():
    return [(options.GROUP, OPTS)]


# Nova's canonical names (nova/compute/arch.py, hv_type.py, vm_mode.py canonicalize).
_ARCH_ALIASES = {'i386': 'i686', 'i486': 'i686', 'i586': 'i686', 'x86_32': 'i686',
                 'x86_32p': 'i686', 'amd64': 'x86_64'}
_HV_ALIASES = {'xapi': 'xen'}
_VM_MODE_ALIASES = {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}


def _canonical(value, aliases):
    if not value:
        return None
    value = str(value).lower()
    return aliases.get(value, value)


def canonical_triple(arch, hv_type, vm_mode):
    return (_canonical(arch, _ARCH_ALIASES), _canonical(hv_type, _HV_ALIASES),
            _canonical(vm_mode, _VM_MODE_ALIASES))


def _prop(props, new, old):
    # Nova Mitaka renamed the properties; images carry either name.
    value = props.get(new)
    return props.get(old) if value is None else value


_COMPARE = {'<': operator.lt, '<=': operator.le, '==': operator.eq, '!=': operator.ne,
            '>': operator.gt, '>=': operator.ge}
_CLAUSE = re.compile(r'^\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)*)\s*$')


def _version_tuple(text):
    return tuple(int(x) for x in text.split('.'))


def parse_version_requirement(text):
    """``">= 6.0, < 6.2"`` -> [(op, version tuple)]; raises ValueError if malformed.

    Nova evaluates it with distutils' VersionPredicate: comma-separated
    comparisons, all of which must hold.
    """
    clauses = []
    for part in str(text).split(','):
        found = _CLAUSE.match(part)
        if not found:
            raise ValueError('bad version clause %r' % part.strip())
        clauses.append((_COMPARE[found.group(1)], _version_tuple(found.group(2))))
    return clauses


def version_from_int(version):
    """A hypervisor_version int as Nova encodes it (1002003 -> (1, 2, 3))."""
    parts = []
    while version:
        parts.insert(0, version % 1000)
        version //= 1000
    return tuple(parts)


def _satisfied(clauses, version):
    for op, wanted in clauses:
        # Pad to equal length: 6.0 == 6.0.0, as StrictVersion compares them.
        width = max(len(wanted), len(version))
        if not op(version + (0,) * (width - len(version)), wanted + (0,) * (width - len(wanted))):
            return False
    return True


class _Wanted:
    __slots__ = ('triple', 'version_text', 'clauses', 'error')

    def __init__(self, triple, version_text, clauses, error):
        self.triple = triple
        self.version_text = version_text
        self.clauses = clauses
        self.error = error


class ImagePropertiesFilter(interfaces.BaseFilter):
    """Rejects hosts whose ``supported_instances`` lack the image's arch / hypervisor type / VM mode.

    Image properties ``hw_architecture`` (Kilo: ``architecture``),
    ``img_hv_type`` (``hypervisor_type``), ``hw_vm_mode`` (``vm_mode``) are
    canonicalised as Nova does ('amd64' -> 'x86_64', 'xapi' -> 'xen', 'hv' ->
    'hvm' ...; 'qemu' stays 'qemu') and must appear together in one
    ``[arch, hv_type, vm_mode]`` entry; ``img_hv_requested_version``
    (``hypervisor_version_requires``), e.g. ``">=6.0,<6.2"``, must hold for the
    host's ``hypervisor_version`` when both are known.  An image with none of
    the three passes every host (as in Nova, whatever its version
    requirement); a malformed requirement rejects every host (Nova raises).
    Entries are compared position by position (Nova tests membership in the
    entry, so an image's hypervisor type 'xen' matched a VM mode 'xen').  Reads ``[filter_scheduler]
    image_properties_default_architecture``.
    """

    @classmethod
    def register_opts(cls, conf):
        options.register(conf, OPTS)

    def __init__(self, conf):
        super().__init__(conf)
        self.default_arch = conf[options.GROUP].image_properties_default_architecture

    def prepare(self, spec, cycle_state):
        cycle_state['ImagePropertiesFilter'] = self._wanted(spec)

    def _wanted(self, spec):
        props = (spec.image or {}).get('properties') or {}
        arch = _prop(props, 'hw_architecture', 'architecture') or self.default_arch
        triple = canonical_triple(arch, _prop(props, 'img_hv_type', 'hypervisor_type'),
                                  _prop(props, 'hw_vm_mode', 'vm_mode'))
        text = _prop(props, 'img_hv_requested_version', 'hypervisor_version_requires')
        clauses, error = None, None
        if text:
            try:
                clauses = parse_version_requirement(text)
            except ValueError as exc:
                error = str(exc)
        return _Wanted(triple, text, clauses, error)

    def _get(self, spec, cycle_state):
        wanted = cycle_state.get('ImagePropertiesFilter')
        return self._wanted(spec) if wanted is None else wanted

    @staticmethod
    def _supports_triple(host_state, triple):
        for entry in host_state.supported_instances or ():
            have = canonical_triple(*(list(entry) + [None, None, None])[:3])
            if all(w is None or w == h for w, h in zip(triple, have)):
                return True
        return False

    @staticmethod
    def _version_ok(host_state, wanted):
        if wanted.clauses is None or not host_state.hypervisor_version:
            return True
        return _satisfied(wanted.clauses, version_from_int(int(host_state.hypervisor_version)))

    def host_passes(self, host_state, spec, cycle_state):
        wanted = self._get(spec, cycle_state)
        if not any(wanted.triple):
            # Nova: no arch / hypervisor type / VM mode -> supported anywhere (the
            # version requirement is only checked alongside them).
            return True
        if wanted.error:
            return False
        if not self._supports_triple(host_state, wanted.triple):
            return False
        return self._version_ok(host_state, wanted)

    def reject_reason(self, host_state, spec, cycle_state):
        wanted = self._get(spec, cycle_state)
        if wanted.error:
            return 'malformed image hypervisor version requirement %r: %s' % (
                wanted.version_text, wanted.error)
        if not self._supports_triple(host_state, wanted.triple):
            return 'image needs arch/hypervisor/vm_mode %s, host supports %s' % (
                '/'.join(x or '*' for x in wanted.triple),
                ', '.join('/'.join(str(x) for x in e) for e in host_state.supported_instances or ())
                or 'nothing')
        return 'hypervisor version %s does not satisfy %r' % (
            '.'.join(str(x) for x in version_from_int(int(host_state.hypervisor_version))),
            wanted.version_text)
