"""What a XenServer host has: get_available_resource from host, host_metrics, SR and VM records."""

import json

from novalite_plugins.virt.xenapi import vm_utils

MIB = 1 << 20
GIB = 1 << 30


def version_to_int(version):
    """'3.2.1' -> 3002001 (Nova's convert_version_to_int)."""
    parts = [int(p) for p in (version or '0').split('.')[:3] if p.isdigit()]
    parts += [0] * (3 - len(parts))
    return parts[0] * 1000000 + parts[1] * 1000 + parts[2]


def the_host(session):
    """(ref, record) of the host this service drives: the pool master."""
    pool = session.call('pool.get_all')[0]
    ref = session.call('pool.get_master', pool)
    return ref, session.call('host.get_record', ref)


def resources(session, opts, host_ref, host_record):
    """The get_available_resource dict of the host (usage as the hypervisor sees it)."""
    metrics = session.call('host_metrics.get_record', host_record['metrics'])
    total = int(metrics['memory_total'])
    free = int(metrics['memory_free'])
    sr = session.call('SR.get_record', vm_utils.sr_ref(session, opts))
    disk_total = int(sr['physical_size'])
    disk_used = int(sr['physical_utilisation'])
    cpu = host_record.get('cpu_info') or {}
    vcpus_used = 0
    for record in session.call('VM.get_all_records').values():
        if (not record['is_a_template'] and not record['is_control_domain']
                and record['power_state'] in ('Running', 'Paused')):
            vcpus_used += int(record['VCPUs_max'])
    software = host_record.get('software_version') or {}
    vcpus = int(cpu.get('cpu_count', 0))
    return {
        'vcpus': vcpus, 'memory_mb': total // MIB, 'local_gb': disk_total // GIB,
        'vcpus_used': vcpus_used, 'memory_mb_used': (total - free) // MIB,
        'local_gb_used': disk_used // GIB,
        'hypervisor_type': 'xen',
        'hypervisor_version': version_to_int(software.get('platform_version')),
        'hypervisor_hostname': host_record['hostname'],
        'cpu_info': json.dumps({'arch': 'x86_64', 'vendor': cpu.get('vendor', ''),
                                'model': cpu.get('modelname', ''),
                                'topology': {'sockets': int(cpu.get('socket_count', 1)),
                                             'cores': vcpus, 'threads': 1}}),
        'disk_available_least': (disk_total - disk_used) // GIB,
        'supported_instances': [['x86_64', 'xen', 'xen'], ['x86_64', 'xen', 'hvm']],
        'host_ip': host_record.get('address') or None,
    }
