"""What a libvirt host has: get_available_resource from getInfo(), getCapabilities() and disk usage."""

import json
import xml.etree.ElementTree as ET

from novalite_plugins.virt.libvirt import disk

GIB = 1 << 30


def capabilities(conn):
    """(host cpu element, [[arch, domain type, os_type] for every guest the host offers])."""
    caps = ET.fromstring(conn.getCapabilities())
    guests = []
    for guest in caps.iterfind('guest'):
        os_type = guest.findtext('os_type', '')
        for arch in guest.iterfind('arch'):
            for dom in arch.iterfind('domain'):
                guests.append([arch.get('name'), dom.get('type'), os_type])
    return caps.find('host/cpu'), guests


def default_arch(conn, virt_type):
    """The architecture a guest gets when its image names none: the host's, if it can run it."""
    cpu, guests = capabilities(conn)
    host_arch = cpu.findtext('arch') if cpu is not None else None
    offered = [arch for arch, dom, _os in guests if dom == virt_type]
    if host_arch in offered or not offered:
        return host_arch or 'x86_64'
    return offered[0]


def cpu_info(conn_info, cpu):
    """Nova's cpu_info JSON: arch, model, vendor, topology, features."""
    model, _mem, cpus, _mhz, _nodes, sockets, cores, threads = conn_info
    return json.dumps({
        'arch': cpu.findtext('arch', model) if cpu is not None else model,
        'model': cpu.findtext('model', '') if cpu is not None else '',
        'vendor': cpu.findtext('vendor', '') if cpu is not None else '',
        'topology': {'sockets': sockets, 'cores': cores, 'threads': threads, 'cpus': cpus},
        'features': sorted(f.get('name') for f in cpu.iterfind('feature'))
        if cpu is not None else [],
    })


def domain_usage(conn):
    """(vcpus, memory MB) the active domains use, as the hypervisor sees them."""
    vcpus = memory_kb = 0
    for dom in conn.listAllDomains(0):
        if dom.isActive():
            _state, _max_kb, mem_kb, ncpu, _cputime = dom.info()
            vcpus += ncpu
            memory_kb += mem_kb
    return vcpus, memory_kb // 1024


def local_disk_gb(conn, opts, instances_path):
    """(total, used, free) GB: the configured storage pool, else instances_path's file system."""
    if opts.storage_pool:
        _state, capacity, allocation, available = conn.storagePoolLookupByName(
            opts.storage_pool).info()
        return capacity // GIB, allocation // GIB, available // GIB
    return disk.filesystem_gb(instances_path)


def resources(conn, opts, instances_path, host_ip=None):
    """The get_available_resource dict of the host behind ``conn``."""
    conn_info = conn.getInfo()
    cpu, guests = capabilities(conn)
    vcpus_used, memory_used = domain_usage(conn)
    total_gb, used_gb, free_gb = local_disk_gb(conn, opts, instances_path)
    return {
        'vcpus': conn_info[2], 'memory_mb': conn_info[1], 'local_gb': total_gb,
        'vcpus_used': vcpus_used, 'memory_mb_used': memory_used, 'local_gb_used': used_gb,
        # Nova reports the driver's type (QEMU for kvm and qemu alike).
        'hypervisor_type': conn.getType(),
        'hypervisor_version': conn.getVersion(),
        'hypervisor_hostname': conn.getHostname(),
        'cpu_info': cpu_info(conn_info, cpu),
        'disk_available_least': free_gb,
        'supported_instances': [g for g in guests if g[1] == opts.virt_type],
        'host_ip': host_ip,
    }
