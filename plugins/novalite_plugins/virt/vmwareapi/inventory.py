"""Where instances go: the cluster (or standalone host), its datacenter, datastores and port groups.

Resolved once at ``init_host`` and kept as managed object references; the
properties that change (free space, hosts) are read again on every use.
"""

import re

from pyVmomi import vim

from novalite import exception

DEFAULT_PORT_GROUP = 'VM Network'


def _container_objects(session, content, root, vim_type):
    def read():
        view = content.viewManager.CreateContainerView(root, [vim_type], True)
        try:
            return list(view.view)
        finally:
            view.Destroy()
    return session.call('CreateContainerView', read)


def _datacenter_of(entity):
    parent = entity.parent
    while parent is not None and not isinstance(parent, vim.Datacenter):
        parent = parent.parent
    return parent


class Inventory:
    """The compute resource a service drives, found by ``[vmware] cluster_name``."""

    def __init__(self, session, opts):
        self.session = session
        self.opts = opts
        self.content = session.call('RetrieveContent', session.si.RetrieveContent)
        self.about = self.content.about
        self.compute = self._find_compute_resource()
        self.datacenter = session.call('Datacenter', _datacenter_of, self.compute)
        self.nodename = session.call('ComputeResource.name', lambda: self.compute.name)

    @property
    def is_vcenter(self):
        return self.about.apiType == 'VirtualCenter'

    def _find_compute_resource(self):
        clusters = _container_objects(self.session, self.content, self.content.rootFolder,
                                      vim.ClusterComputeResource)
        wanted = self.opts.cluster_name
        if wanted:
            for cluster in clusters:
                if self.session.call('ClusterComputeResource.name', lambda c=cluster: c.name) \
                        == wanted:
                    return cluster
            raise exception.HypervisorError(
                reason='vSphere at %s has no cluster named %r ([vmware] cluster_name)'
                % (self.session.endpoint, wanted))
        if clusters:
            return clusters[0]
        # a standalone ESXi host: its ComputeResource
        others = _container_objects(self.session, self.content, self.content.rootFolder,
                                    vim.ComputeResource)
        if not others:
            raise exception.HypervisorError(
                reason='vSphere at %s has no cluster or host' % self.session.endpoint)
        return others[0]

    # -- live views --------------------------------------------------------------------------

    def hosts(self):
        """The ESX hosts of the compute resource that can run VMs now."""
        def read():
            usable = []
            for host in self.compute.host:
                runtime = host.runtime
                if runtime.connectionState == 'connected' and not runtime.inMaintenanceMode:
                    usable.append(host)
            return usable
        return self.session.call('ComputeResource.host', read)

    def datastores(self):
        """[(datastore, summary)] of the accessible datastores datastore_regex allows."""
        pattern = re.compile(self.opts.datastore_regex) if self.opts.datastore_regex else None

        def read():
            found = []
            for datastore in self.compute.datastore:
                summary = datastore.summary
                if not summary.accessible:
                    continue
                if pattern is not None and not pattern.match(summary.name):
                    continue
                found.append((datastore, summary))
            return found
        return self.session.call('ComputeResource.datastore', read)

    def pick_datastore(self, needed_bytes=0):
        """The name of the allowed datastore with the most free space."""
        candidates = self.datastores()
        if not candidates:
            raise exception.HypervisorError(
                reason='no accessible datastore of %s matches [vmware] datastore_regex %r'
                % (self.nodename, self.opts.datastore_regex))
        _datastore, summary = max(candidates, key=lambda pair: pair[1].freeSpace)
        if summary.freeSpace < needed_bytes:
            raise exception.ComputeResourcesUnavailable(
                reason='datastore %s has %d bytes free, %d needed'
                % (summary.name, summary.freeSpace, needed_bytes))
        return summary.name

    def network(self, name):
        """The network (standard port group or distributed port group) called ``name``, or None."""
        def read():
            for network in self.compute.network:
                if network.name == name:
                    return network
            return None
        return self.session.call('ComputeResource.network', read)

    def resource_pool(self):
        return self.session.call('ComputeResource.resourcePool',
                                 lambda: self.compute.resourcePool)

    def vm_folder(self):
        return self.session.call('Datacenter.vmFolder', lambda: self.datacenter.vmFolder)

    def find_vm(self, instance_uuid):
        """The VM whose instanceUuid is ``instance_uuid`` in our datacenter, or None."""
        return self.session.call(
            'SearchIndex.FindByUuid', self.content.searchIndex.FindByUuid,
            self.datacenter, instance_uuid, True, True)

    def vm_properties(self, paths):
        """[{path: value}] of every VM under our compute resource (one PropertyCollector call)."""
        collector = self.content.propertyCollector

        def read():
            view = self.content.viewManager.CreateContainerView(
                self.compute, [vim.VirtualMachine], True)
            try:
                spec = vim.PropertyCollector.FilterSpec(
                    objectSet=[vim.PropertyCollector.ObjectSpec(
                        obj=view, skip=True,
                        selectSet=[vim.PropertyCollector.TraversalSpec(
                            name='view', type=vim.view.ContainerView, path='view',
                            skip=False)])],
                    propSet=[vim.PropertyCollector.PropertySpec(
                        type=vim.VirtualMachine, pathSet=list(paths))])
                result = collector.RetrievePropertiesEx(
                    [spec], vim.PropertyCollector.RetrieveOptions())
                rows = []
                while result is not None:
                    for item in result.objects:
                        row = {prop.name: prop.val for prop in item.propSet}
                        row['obj'] = item.obj
                        rows.append(row)
                    if not result.token:
                        break
                    result = collector.ContinueRetrievePropertiesEx(result.token)
                return rows
            finally:
                view.Destroy()
        return self.session.call('PropertyCollector.RetrievePropertiesEx', read)
