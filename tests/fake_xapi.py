"""A XenAPI (xapi) server for tests: XML-RPC on 127.0.0.1, the subset of the data model novalite uses.

No Xen simulator exists anywhere, so the tests run the real ``XenAPI`` client
(PyPI ``xenapi``) against this server over the wire.  What it keeps of xapi:

* the wire format: every reply is ``{'Status': 'Success', 'Value': ...}`` or
  ``{'Status': 'Failure', 'ErrorDescription': [CODE, ...]}``; refs are
  ``OpaqueRef:<uuid>``; int64 fields (memory, sizes, VCPUs) travel as strings;
* sessions: ``session.login_with_password`` (``SESSION_AUTHENTICATION_FAILED``
  with the user name), ``session.logout``, ``SESSION_INVALID`` for an unknown
  or expired session (the client then logs in again by itself);
* classes VM, VBD, VDI, VIF, SR, network, host, host_metrics, console with
  ``get_record``, ``get_all``, ``get_all_records``, ``get_by_name_label``,
  ``get_by_uuid``, ``get_<field>`` and ``set_<field>``; ``HANDLE_INVALID``
  ``[class, ref]`` for a stale ref;
* the VM power-state machine (Halted, Running, Paused, Suspended) with
  ``VM_BAD_POWER_STATE [ref, expected, actual]`` (lowercase, as xapi) for a call
  its state does not allow; ``VM.destroy`` only when halted; a template cannot
  start (``VM_IS_TEMPLATE``); ``HOST_NOT_ENOUGH_FREE_MEMORY`` when the host is
  full; host memory, SR usage and a console appear as the VMs run;
* dom0 as a running control-domain VM, which a driver must not list;
* the ``console`` host plugin (``host.call_plugin``) that Nova read guest
  console logs with (base64 of zlib).

Test controls: ``refuse(method, error)`` makes the next calls of ``method``
fail with a xapi error, ``expire_sessions()`` invalidates every session,
``ignore_acpi = True`` makes clean shutdown/reboot fail as for a guest without
PV drivers, ``calls`` records the methods called.
"""

import base64
import copy
import socketserver
import threading
import uuid
import zlib
from xmlrpc import server as xmlrpc_server

GIB = 1 << 30
MIB = 1 << 20
NULL = 'OpaqueRef:NULL'

CLASSES = ('VM', 'VBD', 'VDI', 'VIF', 'SR', 'network', 'host', 'host_metrics', 'console',
           'pool')

# XenAPI power state of a VM -> the calls that state allows (and where they lead)
TRANSITIONS = {
    'start': ({'Halted'}, 'Running'),
    'clean_shutdown': ({'Running'}, 'Halted'),
    'hard_shutdown': ({'Running', 'Paused', 'Suspended'}, 'Halted'),
    'clean_reboot': ({'Running'}, 'Running'),
    'hard_reboot': ({'Running', 'Paused'}, 'Running'),
    'pause': ({'Running'}, 'Paused'),
    'unpause': ({'Paused'}, 'Running'),
    'suspend': ({'Running'}, 'Suspended'),
    'resume': ({'Suspended'}, 'Running'),
}

VM_REQUIRED = ('name_label', 'memory_static_max', 'memory_dynamic_max', 'memory_static_min',
               'memory_dynamic_min', 'VCPUs_max', 'VCPUs_at_startup', 'actions_after_shutdown',
               'actions_after_reboot', 'actions_after_crash')


class XapiFailure(Exception):
    """A xapi error: ``description`` is the ErrorDescription list."""

    def __init__(self, *description):
        super().__init__(*description)
        self.description = [str(d) for d in description]


def _ref():
    return 'OpaqueRef:%s' % uuid.uuid4()


class _Handler(xmlrpc_server.SimpleXMLRPCRequestHandler):
    # Headers and body leave in two writes; with Nagle on, the client's delayed ACK
    # holds the body back and every call costs milliseconds.
    disable_nagle_algorithm = True


class _Server(socketserver.ThreadingMixIn, xmlrpc_server.SimpleXMLRPCServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeXapi:
    """One xapi host (a pool of one) with its SR, network, templates and dom0."""

    def __init__(self, username='root', password='xen-secret', hostname='xenhost1',
                 address='127.0.0.1', memory_mb=16384, cpu_count=8, sr_gb=500,
                 sr_name='Local storage', network_name='Pool-wide network associated with eth0',
                 templates=('Other install media',)):
        self.username, self.password = username, password
        self.hostname, self.address = hostname, address
        self.ignore_acpi = False
        self.calls = []
        self.sessions = set()
        self._refusals = {}
        self._lock = threading.RLock()
        self._db = {cls: {} for cls in CLASSES}
        self._console_logs = {}
        self._next_domid = 1
        self._server = None
        self._thread = None
        self.dom0_mb = 1024
        metrics = self._add('host_metrics', {'memory_total': str(memory_mb * MIB),
                                             'memory_free': '0', 'live': True})
        self.host_ref = self._add('host', {
            'name_label': hostname, 'hostname': hostname, 'address': address,
            'enabled': True, 'metrics': metrics, 'resident_VMs': [],
            'software_version': {'product_brand': 'XCP-ng', 'product_version': '8.2.1',
                                 'platform_version': '3.2.1', 'xapi': '1.20'},
            'cpu_info': {'cpu_count': str(cpu_count), 'socket_count': '1',
                         'vendor': 'GenuineIntel', 'modelname': 'Fake Xeon',
                         'speed': '2400.000', 'flags': 'fpu vme de pse'},
            'API_version_major': '2', 'API_version_minor': '20', 'other_config': {}})
        self.sr_ref = self._add('SR', {
            'name_label': sr_name, 'type': 'ext', 'content_type': 'user', 'VDIs': [],
            'physical_size': str(sr_gb * GIB), 'physical_utilisation': '0',
            'virtual_allocation': '0', 'other_config': {}})
        self.network_ref = self._add('network', {
            'name_label': network_name, 'bridge': 'xenbr0', 'MTU': '1500', 'VIFs': [],
            'other_config': {}})
        self._add('pool', {'name_label': '', 'master': self.host_ref,
                           'default_SR': self.sr_ref, 'other_config': {}})
        self.dom0_ref = self._add('VM', self._vm_defaults({
            'name_label': 'Control domain on host: %s' % hostname, 'is_control_domain': True,
            'power_state': 'Running', 'domid': '0', 'resident_on': self.host_ref,
            'memory_static_max': str(self.dom0_mb * MIB),
            'memory_dynamic_max': str(self.dom0_mb * MIB)}))
        for name in templates:
            self._add('VM', self._vm_defaults({'name_label': name, 'is_a_template': True}))

    # -- lifecycle of the server ---------------------------------------------------------

    def start(self, port=0):
        """Serve on ``port`` (default: a free one) of loopback in a background thread;
        returns the URL."""
        self._server = _Server(('127.0.0.1', port), requestHandler=_Handler, allow_none=True,
                               logRequests=False)
        self._server.register_instance(self)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={'poll_interval': 0.01}, daemon=True,
                                        name='fake-xapi')
        self._thread.start()
        return self.url

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self._server.server_address[1]

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    # -- test controls -----------------------------------------------------------------

    def refuse(self, method, *description, times=None):
        """The next ``times`` calls (every call if None) of ``method`` fail with ``description``."""
        with self._lock:
            self._refusals[method] = [list(description), times]

    def expire_sessions(self):
        with self._lock:
            self.sessions.clear()

    def vms(self):
        """Records of the guest VMs (no templates, no dom0), keyed by ref."""
        with self._lock:
            return {ref: copy.deepcopy(rec) for ref, rec in self._db['VM'].items()
                    if not rec['is_a_template'] and not rec['is_control_domain']}

    def records(self, cls):
        with self._lock:
            return copy.deepcopy(self._db[cls])

    # -- XML-RPC dispatch ---------------------------------------------------------------------

    def _dispatch(self, method, params):
        with self._lock:
            self.calls.append(method)
            try:
                return {'Status': 'Success', 'Value': self._call(method, list(params))}
            except XapiFailure as failure:
                return {'Status': 'Failure', 'ErrorDescription': failure.description}

    def _call(self, method, params):
        if method == 'session.login_with_password':
            user, password = params[0], params[1]
            if (user, password) != (self.username, self.password):
                raise XapiFailure('SESSION_AUTHENTICATION_FAILED', user,
                                  'Authentication failure')
            session = _ref()
            self.sessions.add(session)
            return session
        if not params or params[0] not in self.sessions:
            raise XapiFailure('SESSION_INVALID', params[0] if params else '')
        if method == 'session.logout':
            self.sessions.discard(params[0])
            return ''
        refusal = self._refusals.get(method)
        if refusal is not None:
            description, times = refusal
            if times is not None:
                refusal[1] -= 1
                if refusal[1] <= 0:
                    del self._refusals[method]
            raise XapiFailure(*description)
        cls, _, name = method.partition('.')
        args = params[1:]
        special = getattr(self, '_%s_%s' % (cls, name), None)
        if cls in CLASSES and special is not None:
            return special(*args)
        if cls in CLASSES:
            return self._generic(cls, name, args)
        raise XapiFailure('MESSAGE_METHOD_UNKNOWN', method)

    # -- the generic accessors of every class -----------------------------------------------

    def _generic(self, cls, name, args):
        table = self._db[cls]
        if name == 'get_all':
            return list(table)
        if name == 'get_all_records':
            return {ref: self._public(cls, ref) for ref in table}
        if name == 'get_by_name_label':
            return [ref for ref, rec in table.items() if rec.get('name_label') == args[0]]
        if name == 'get_by_uuid':
            for ref, rec in table.items():
                if rec['uuid'] == args[0]:
                    return ref
            raise XapiFailure('UUID_INVALID', cls, args[0])
        if name == 'get_record':
            self._get(cls, args[0])
            return self._public(cls, args[0])
        if name.startswith('get_'):
            record = self._public(cls, self._checked(cls, args[0]))
            field = name[4:]
            if field not in record:
                raise XapiFailure('MESSAGE_METHOD_UNKNOWN', '%s.%s' % (cls, name))
            return record[field]
        if name.startswith('set_'):
            record = self._get(cls, args[0])
            record[name[4:]] = args[1]
            return ''
        if name == 'add_to_other_config':
            other = self._get(cls, args[0])['other_config']
            if args[1] in other:
                raise XapiFailure('MAP_DUPLICATE_KEY', cls, 'other_config', args[0], args[1])
            other[args[1]] = args[2]
            return ''
        if name == 'remove_from_other_config':
            self._get(cls, args[0])['other_config'].pop(args[1], None)
            return ''
        raise XapiFailure('MESSAGE_METHOD_UNKNOWN', '%s.%s' % (cls, name))

    def _checked(self, cls, ref):
        self._get(cls, ref)
        return ref

    def _get(self, cls, ref):
        try:
            return self._db[cls][ref]
        except (KeyError, TypeError):
            raise XapiFailure('HANDLE_INVALID', cls, ref) from None

    def _add(self, cls, record):
        ref = _ref()
        record.setdefault('uuid', str(uuid.uuid4()))
        self._db[cls][ref] = record
        return ref

    def _public(self, cls, ref):
        record = copy.deepcopy(self._db[cls][ref])
        if cls == 'host_metrics':
            record['memory_free'] = str(self._memory_free())
        return record

    # -- memory and storage accounting ---------------------------------------------------------

    def _memory_free(self):
        total = int(self._db['host_metrics'][self._db['host'][self.host_ref]['metrics']]
                    ['memory_total'])
        used = sum(int(rec['memory_dynamic_max']) for rec in self._db['VM'].values()
                   if rec['power_state'] in ('Running', 'Paused'))
        return total - used

    def _vm_defaults(self, record):
        values = {
            'name_label': '', 'name_description': '', 'power_state': 'Halted',
            'is_a_template': False, 'is_control_domain': False, 'domid': '-1',
            'resident_on': NULL, 'memory_static_min': str(256 * MIB),
            'memory_static_max': str(256 * MIB), 'memory_dynamic_min': str(256 * MIB),
            'memory_dynamic_max': str(256 * MIB), 'VCPUs_max': '1', 'VCPUs_at_startup': '1',
            'VBDs': [], 'VIFs': [], 'consoles': [], 'other_config': {},
            'actions_after_shutdown': 'destroy', 'actions_after_reboot': 'restart',
            'actions_after_crash': 'restart', 'PV_bootloader': '', 'HVM_boot_policy': '',
            'HVM_boot_params': {}, 'platform': {}, 'metrics': NULL,
        }
        values.update(record)
        return values

    # -- VM --------------------------------------------------------------------------------

    def _VM_create(self, record):
        missing = [f for f in VM_REQUIRED if f not in record]
        if missing:
            raise XapiFailure('FIELD_TYPE_ERROR', missing[0])
        record = {k: v for k, v in record.items()
                  if k not in ('VBDs', 'VIFs', 'consoles', 'power_state', 'domid', 'uuid')}
        return self._add('VM', self._vm_defaults(record))

    def _VM_set_memory_limits(self, vm, static_min, static_max, dynamic_min, dynamic_max):
        record = self._get('VM', vm)
        if not (int(static_min) <= int(dynamic_min) <= int(dynamic_max) <= int(static_max)):
            raise XapiFailure('MEMORY_CONSTRAINT_VIOLATION',
                              'Memory limits must satisfy: static_min <= dynamic_min <= '
                              'dynamic_max <= static_max')
        if record['power_state'] != 'Halted':
            raise XapiFailure('VM_BAD_POWER_STATE', vm, 'halted', record['power_state'].lower())
        record.update({'memory_static_min': str(static_min), 'memory_static_max': str(static_max),
                       'memory_dynamic_min': str(dynamic_min),
                       'memory_dynamic_max': str(dynamic_max)})
        return ''

    def _VM_clone(self, vm, new_name):
        source = self._get('VM', vm)
        if source['power_state'] != 'Halted':
            raise XapiFailure('VM_BAD_POWER_STATE', vm, 'halted', source['power_state'].lower())
        record = copy.deepcopy(source)
        record.update({'name_label': new_name, 'VBDs': [], 'VIFs': [], 'consoles': [],
                       'other_config': dict(source['other_config'])})
        record.pop('uuid')
        return self._add('VM', record)

    def _VM_copy(self, vm, new_name, sr):
        if sr != '' and sr != NULL:
            self._get('SR', sr)
        return self._VM_clone(vm, new_name)

    def _transition(self, name, vm):
        record = self._get('VM', vm)
        allowed, target = TRANSITIONS[name]
        if record['is_a_template'] and name == 'start':
            raise XapiFailure('VM_IS_TEMPLATE', vm)
        if record['power_state'] not in allowed:
            # xapi names the state it wanted and the one it found, in lowercase
            expected = sorted(allowed)[0].lower()
            raise XapiFailure('VM_BAD_POWER_STATE', vm, expected,
                              record['power_state'].lower())
        return record, target

    def _VM_start(self, vm, start_paused=False, force=False):
        record, target = self._transition('start', vm)
        needed = int(record['memory_dynamic_max'])
        free = self._memory_free()
        if needed > free:
            raise XapiFailure('HOST_NOT_ENOUGH_FREE_MEMORY', str(needed), str(free))
        self._boot(vm, record, 'Paused' if start_paused else target)
        return ''

    def _boot(self, vm, record, power_state):
        record['power_state'] = power_state
        record['domid'] = str(self._next_domid)
        self._next_domid += 1
        record['resident_on'] = self.host_ref
        for vbd in record['VBDs']:
            self._db['VBD'][vbd]['currently_attached'] = True
        if not record['consoles']:
            console = self._add('console', {'protocol': 'rfb', 'VM': vm, 'other_config': {}})
            self._db['console'][console]['location'] = (
                'https://%s/console?uuid=%s' % (self.address,
                                                self._db['console'][console]['uuid']))
            record['consoles'].append(console)
        self._console_logs.setdefault(vm, []).append(
            'Booting %s (domid %s)\n%s login: ' % (record['name_label'], record['domid'],
                                                   record['name_label']))

    def _halt(self, record):
        record['power_state'] = 'Halted'
        record['domid'] = '-1'
        record['resident_on'] = NULL
        for vbd in record['VBDs']:
            self._db['VBD'][vbd]['currently_attached'] = False
        for console in record['consoles']:
            self._db['console'].pop(console, None)
        record['consoles'] = []

    def _VM_clean_shutdown(self, vm):
        record, _ = self._transition('clean_shutdown', vm)
        if self.ignore_acpi:
            raise XapiFailure('VM_LACKS_FEATURE_SHUTDOWN', vm)
        self._halt(record)
        return ''

    def _VM_hard_shutdown(self, vm):
        record, _ = self._transition('hard_shutdown', vm)
        self._halt(record)
        return ''

    def _VM_clean_reboot(self, vm):
        record, _ = self._transition('clean_reboot', vm)
        if self.ignore_acpi:
            raise XapiFailure('VM_LACKS_FEATURE_SHUTDOWN', vm)
        self._halt(record)
        self._boot(vm, record, 'Running')
        return ''

    def _VM_hard_reboot(self, vm):
        record, _ = self._transition('hard_reboot', vm)
        self._halt(record)
        self._boot(vm, record, 'Running')
        return ''

    def _VM_pause(self, vm):
        record, target = self._transition('pause', vm)
        record['power_state'] = target
        return ''

    def _VM_unpause(self, vm):
        record, target = self._transition('unpause', vm)
        record['power_state'] = target
        return ''

    def _VM_suspend(self, vm):
        record, target = self._transition('suspend', vm)
        record['power_state'] = target
        record['domid'] = '-1'
        return ''

    def _VM_resume(self, vm, start_paused=False, force=False):
        record, target = self._transition('resume', vm)
        needed = int(record['memory_dynamic_max'])
        if needed > self._memory_free():
            raise XapiFailure('HOST_NOT_ENOUGH_FREE_MEMORY', str(needed),
                              str(self._memory_free()))
        record['power_state'] = 'Paused' if start_paused else target
        record['domid'] = str(self._next_domid)
        self._next_domid += 1
        return ''

    def _VM_destroy(self, vm):
        record = self._get('VM', vm)
        if record['power_state'] != 'Halted':
            raise XapiFailure('VM_BAD_POWER_STATE', vm, 'halted', record['power_state'].lower())
        if record['is_control_domain']:
            raise XapiFailure('OPERATION_NOT_ALLOWED', 'cannot destroy dom0')
        # xapi destroys the VM's VBDs and VIFs with it, never its VDIs
        for vbd in record['VBDs']:
            self._drop_vbd(vbd)
        for vif in record['VIFs']:
            self._drop_vif(vif)
        self._console_logs.pop(vm, None)
        del self._db['VM'][vm]
        return ''

    # -- disks and NICs ---------------------------------------------------------------------

    def _VDI_create(self, record):
        sr = self._get('SR', record.get('SR'))
        size = int(record['virtual_size'])
        ref = self._add('VDI', {
            'name_label': record.get('name_label', ''), 'SR': record['SR'],
            'virtual_size': str(size), 'physical_utilisation': str(size),
            'type': record.get('type', 'user'), 'sharable': False,
            'read_only': bool(record.get('read_only', False)), 'VBDs': [],
            'other_config': dict(record.get('other_config') or {})})
        sr['VDIs'].append(ref)
        sr['physical_utilisation'] = str(int(sr['physical_utilisation']) + size)
        sr['virtual_allocation'] = sr['physical_utilisation']
        return ref

    def _VDI_destroy(self, vdi):
        record = self._get('VDI', vdi)
        for vbd in record['VBDs']:
            if self._db['VBD'][vbd]['currently_attached']:
                raise XapiFailure('VDI_IN_USE', vdi, 'destroy')
        sr = self._db['SR'][record['SR']]
        sr['VDIs'].remove(vdi)
        sr['physical_utilisation'] = str(int(sr['physical_utilisation']) -
                                         int(record['virtual_size']))
        sr['virtual_allocation'] = sr['physical_utilisation']
        for vbd in list(record['VBDs']):
            self._db['VBD'][vbd]['VDI'] = NULL
        del self._db['VDI'][vdi]
        return ''

    def _VBD_create(self, record):
        vm = self._get('VM', record.get('VM'))
        vdi = record.get('VDI', NULL)
        if vdi != NULL:
            self._get('VDI', vdi)
        if any(self._db['VBD'][b]['userdevice'] == record.get('userdevice')
               for b in vm['VBDs']):
            raise XapiFailure('DEVICE_ALREADY_EXISTS', record.get('userdevice'))
        ref = self._add('VBD', {
            'VM': record['VM'], 'VDI': vdi, 'userdevice': str(record.get('userdevice', '0')),
            'bootable': bool(record.get('bootable')), 'mode': record.get('mode', 'RW'),
            'type': record.get('type', 'Disk'), 'empty': bool(record.get('empty')),
            'currently_attached': vm['power_state'] == 'Running',
            'other_config': dict(record.get('other_config') or {})})
        vm['VBDs'].append(ref)
        if vdi != NULL:
            self._db['VDI'][vdi]['VBDs'].append(ref)
        return ref

    def _drop_vbd(self, vbd):
        record = self._db['VBD'].pop(vbd)
        vdi = self._db['VDI'].get(record['VDI'])
        if vdi is not None:
            vdi['VBDs'].remove(vbd)

    def _VBD_destroy(self, vbd):
        record = self._get('VBD', vbd)
        if record['currently_attached']:
            raise XapiFailure('DEVICE_ALREADY_ATTACHED', vbd)
        self._db['VM'][record['VM']]['VBDs'].remove(vbd)
        self._drop_vbd(vbd)
        return ''

    def _VIF_create(self, record):
        vm = self._get('VM', record.get('VM'))
        network = self._get('network', record.get('network'))
        if any(self._db['VIF'][v]['device'] == record.get('device') for v in vm['VIFs']):
            raise XapiFailure('DEVICE_ALREADY_EXISTS', record.get('device'))
        ref = self._add('VIF', {
            'VM': record['VM'], 'network': record['network'],
            'device': str(record.get('device', '0')), 'MAC': record.get('MAC', ''),
            'MTU': str(record.get('MTU', '1500')),
            'other_config': dict(record.get('other_config') or {})})
        vm['VIFs'].append(ref)
        network['VIFs'].append(ref)
        return ref

    def _drop_vif(self, vif):
        record = self._db['VIF'].pop(vif)
        self._db['network'][record['network']]['VIFs'].remove(vif)

    def _VIF_destroy(self, vif):
        record = self._get('VIF', vif)
        self._db['VM'][record['VM']]['VIFs'].remove(vif)
        self._drop_vif(vif)
        return ''

    # -- host plugins -------------------------------------------------------------------------

    def _host_call_plugin(self, host, plugin, fn, args):
        self._get('host', host)
        if (plugin, fn) != ('console', 'get_console_log'):
            raise XapiFailure('XENAPI_MISSING_PLUGIN', plugin)
        domid = str(args.get('dom_id'))
        for vm, record in self._db['VM'].items():
            if record['domid'] == domid and domid != '-1':
                text = ''.join(self._console_logs.get(vm, []))
                return base64.b64encode(zlib.compress(text.encode())).decode()
        raise XapiFailure('XENAPI_PLUGIN_FAILURE', 'get_console_log', 'IOError',
                          'no console log for domain %s' % domid)
