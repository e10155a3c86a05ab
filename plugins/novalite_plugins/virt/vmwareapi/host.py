"""What a cluster (or ESXi host) has: get_available_resource from hosts, datastores and VMs."""

import json

MIB = 1 << 20
GIB = 1 << 30

#: instances the driver can run: [arch, hypervisor type, vm mode] (Nova's values)
SUPPORTED_INSTANCES = [['i686', 'vmware', 'hvm'], ['x86_64', 'vmware', 'hvm']]


def version_to_int(version):
    """'6.5.0' -> 6005000 (Nova's convert_version_to_int)."""
    parts = [int(p) for p in (version or '0').split('.')[:3] if p.isdigit()]
    parts += [0] * (3 - len(parts))
    return parts[0] * 1000000 + parts[1] * 1000 + parts[2]


def _host_totals(session, hosts):
    def read():
        vcpus = memory = 0
        vendor = model = ''
        sockets = cores = threads = 0
        for host in hosts:
            hardware = host.summary.hardware
            vcpus += hardware.numCpuThreads
            memory += hardware.memorySize
            sockets += hardware.numCpuPkgs
            cores += hardware.numCpuCores
            threads += hardware.numCpuThreads
            vendor = vendor or hardware.vendor
            model = model or hardware.cpuModel
        return vcpus, memory, {'arch': 'x86_64', 'vendor': vendor, 'model': model,
                               'topology': {'sockets': sockets, 'cores': cores,
                                            'threads': threads}}
    return session.call('HostSystem.summary', read)


def _usage_of_running_vms(inventory):
    vcpus = memory_mb = 0
    for row in inventory.vm_properties(['runtime.powerState', 'summary.config.numCpu',
                                        'summary.config.memorySizeMB']):
        if row.get('runtime.powerState') == 'poweredOn':
            vcpus += row.get('summary.config.numCpu') or 0
            memory_mb += row.get('summary.config.memorySizeMB') or 0
    return vcpus, memory_mb


def resources(inventory):
    """The get_available_resource dict of the compute resource.

    Totals come from the connected hosts out of maintenance and the datastores
    ``datastore_regex`` allows; vCPU and memory usage are what the powered-on
    VMs under the compute resource are configured with (every VM, not only
    novalite's: the hypervisor-wide view), disk usage the datastores' used space.
    """
    session = inventory.session
    vcpus, memory, cpu_info = _host_totals(session, inventory.hosts())
    capacity = free = 0
    for _datastore, summary in inventory.datastores():
        capacity += summary.capacity
        free += summary.freeSpace
    vcpus_used, memory_mb_used = _usage_of_running_vms(inventory)
    about = inventory.about
    return {
        'vcpus': vcpus, 'memory_mb': memory // MIB, 'local_gb': capacity // GIB,
        'vcpus_used': vcpus_used, 'memory_mb_used': memory_mb_used,
        'local_gb_used': (capacity - free) // GIB,
        # Nova's names: 'VMware vCenter Server' (what about.name says) or 'VMware ESXi'
        'hypervisor_type': about.name,
        'hypervisor_version': version_to_int(about.version),
        'hypervisor_hostname': inventory.nodename,
        'cpu_info': json.dumps(cpu_info),
        'disk_available_least': free // GIB,
        'supported_instances': [list(entry) for entry in SUPPORTED_INSTANCES],
        'host_ip': inventory.opts.host_ip,
    }
