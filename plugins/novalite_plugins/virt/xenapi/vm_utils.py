"""Building and finding instance VMs: template clone or VM.create, disks (VDI+VBD), NICs (VIF).

An instance's VM carries its uuid twice: in the name label
(``instance-<uuid>``) for operators reading XenCenter, and in
``other_config['nova_uuid']`` (Nova's key), which is what lookups trust.
"""

from novalite import exception
from novalite.compute import states

MIB = 1 << 20
GIB = 1 << 30
NULL = 'OpaqueRef:NULL'
UUID_KEY = 'nova_uuid'

#: VM.power_state (XenAPI record) -> novalite power state
POWER_STATE = {
    'Halted': states.SHUTDOWN,
    'Running': states.RUNNING,
    'Paused': states.PAUSED_POWER,
    'Suspended': states.SUSPENDED_POWER,
    'Crashed': states.CRASHED,
    'Unknown': states.NOSTATE,
}


def name_label(instance):
    return 'instance-%s' % instance.uuid


def is_instance(record):
    """True for a guest novalite created (not a template, not dom0, tagged)."""
    return (not record.get('is_a_template') and not record.get('is_control_domain')
            and bool((record.get('other_config') or {}).get(UUID_KEY)))


def find_vm(session, instance):
    """The VM ref of ``instance``, or None."""
    for ref in session.call('VM.get_by_name_label', name_label(instance)):
        try:
            record = session.call('VM.get_record', ref)
        except exception.HypervisorError:
            continue        # destroyed between the two calls
        if is_instance(record) and record['other_config'][UUID_KEY] == instance.uuid:
            return ref
    return None


def lookup(session, instance):
    """(ref, record) of ``instance``; InstanceNotFound if the hypervisor has no such VM."""
    ref = find_vm(session, instance)
    if ref is None:
        raise exception.InstanceNotFound(instance_id=instance.uuid)
    return ref, session.call('VM.get_record', ref, instance_uuid=instance.uuid)


def _template(session, opts):
    if opts.template_uuid:
        return session.call('VM.get_by_uuid', opts.template_uuid)
    if not opts.template_name_label:
        return None
    refs = session.call('VM.get_by_name_label', opts.template_name_label)
    if not refs:
        raise exception.HypervisorError(
            reason='XenAPI template %r not found ([xenserver] template_name_label)'
            % opts.template_name_label)
    return refs[0]


def _sizes(instance):
    memory = str(instance.flavor['memory_mb'] * MIB)
    return memory, str(instance.flavor['vcpus'])


def create_vm(session, opts, instance):
    """A halted VM for ``instance``: cloned from the template, or VM.create; returns its ref."""
    memory, vcpus = _sizes(instance)
    template = _template(session, opts)
    if template is not None:
        ref = session.call('VM.clone', template, name_label(instance))
        session.call('VM.set_is_a_template', ref, False)
        # order matters to xapi: static_min <= dynamic_min <= dynamic_max <= static_max
        session.call('VM.set_memory_limits', ref, memory, memory, memory, memory)
        session.call('VM.set_VCPUs_max', ref, vcpus)
        session.call('VM.set_VCPUs_at_startup', ref, vcpus)
    else:
        ref = session.call('VM.create', {
            'name_label': name_label(instance), 'name_description': '',
            'user_version': '1', 'is_a_template': False, 'affinity': NULL,
            'memory_static_min': memory, 'memory_static_max': memory,
            'memory_dynamic_min': memory, 'memory_dynamic_max': memory,
            'VCPUs_max': vcpus, 'VCPUs_at_startup': vcpus, 'VCPUs_params': {},
            'actions_after_shutdown': 'destroy', 'actions_after_reboot': 'restart',
            'actions_after_crash': 'destroy', 'PV_bootloader': '', 'PV_kernel': '',
            'PV_ramdisk': '', 'PV_args': '', 'PV_bootloader_args': '',
            'PV_legacy_args': '', 'HVM_boot_policy': 'BIOS order',
            'HVM_boot_params': {'order': 'dc'}, 'platform': {'acpi': 'true', 'apic': 'true'},
            'PCI_bus': '', 'other_config': {}, 'recommendations': ''})
    session.call('VM.add_to_other_config', ref, UUID_KEY, instance.uuid)
    session.call('VM.set_name_description', ref, instance.display_name or '')
    return ref


def sr_ref(session, opts):
    """The SR instance disks go to: the configured one, or the pool's default."""
    if opts.sr_name_label:
        refs = session.call('SR.get_by_name_label', opts.sr_name_label)
        if not refs:
            raise exception.HypervisorError(
                reason='XenAPI SR %r not found ([xenserver] sr_name_label)'
                % opts.sr_name_label)
        return refs[0]
    pool = session.call('pool.get_all')[0]
    return session.call('pool.get_default_SR', pool)


def create_disks(session, opts, instance, vm):
    """The root disk (and an ephemeral one) as VDIs on the SR, attached by VBDs."""
    sr = sr_ref(session, opts)
    disks = [('root', instance.flavor.get('root_gb') or 0, True),
             ('ephemeral', instance.flavor.get('ephemeral_gb') or 0, False)]
    for device, (kind, size_gb, bootable) in enumerate(d for d in disks if d[1]):
        vdi = session.call('VDI.create', {
            'name_label': '%s-%s' % (name_label(instance), kind), 'name_description': '',
            'SR': sr, 'virtual_size': str(size_gb * GIB), 'type': 'user',
            'sharable': False, 'read_only': False, 'xenstore_data': {}, 'sm_config': {},
            'other_config': {UUID_KEY: instance.uuid}, 'tags': []})
        session.call('VBD.create', {
            'VM': vm, 'VDI': vdi, 'userdevice': str(device), 'bootable': bootable,
            'mode': 'RW', 'type': 'Disk', 'empty': False, 'other_config': {},
            'qos_algorithm_type': '', 'qos_algorithm_params': {}})


def create_vifs(session, opts, instance, vm, network_info):
    """One VIF on the configured network (MAC from network_info when given)."""
    if not opts.network_name_label:
        return
    refs = session.call('network.get_by_name_label', opts.network_name_label)
    if not refs:
        raise exception.HypervisorError(
            reason='XenAPI network %r not found ([xenserver] network_name_label)'
            % opts.network_name_label)
    vifs = list(network_info or []) or [{}]
    for device, vif in enumerate(vifs):
        session.call('VIF.create', {
            'device': str(device), 'network': refs[0], 'VM': vm,
            'MAC': vif.get('address', ''), 'MTU': '1500', 'other_config': {},
            'qos_algorithm_type': '', 'qos_algorithm_params': {}})


def remove_vm(session, vm, instance_uuid):
    """Hard shutdown if needed, destroy the VM's VDIs, then the VM (which drops its VBDs/VIFs)."""
    record = session.call('VM.get_record', vm, instance_uuid=instance_uuid)
    if record['power_state'] != 'Halted':
        session.call('VM.hard_shutdown', vm, instance_uuid=instance_uuid)
    vdis = []
    for vbd in record['VBDs']:
        try:
            vdi = session.call('VBD.get_VDI', vbd)
        except exception.HypervisorError:
            continue
        if vdi != NULL:
            vdis.append(vdi)
    session.call('VM.destroy', vm, instance_uuid=instance_uuid)
    for vdi in vdis:
        session.call('VDI.destroy', vdi)
