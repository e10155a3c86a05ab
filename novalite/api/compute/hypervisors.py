"""``/os-hypervisors``: the compute nodes, their state and usage (admin).

Ids are integers before 2.53 and uuids from it; 2.53 also replaced the
``/{pattern}/search`` and ``/{pattern}/servers`` URLs with query parameters.
2.88 dropped the usage fields from the bodies and the ``/statistics`` URL.
"""

import json

from oslo_utils import uuidutils

from novalite import exception
from novalite import servicegroup
from novalite.api.compute import common

RULE = 'os_compute_api:os-hypervisors:%s'
COMPUTE_BINARY = 'novalite-compute'
UUID_VERSION = (2, 53)
NO_USAGE_VERSION = (2, 88)

USAGE_FIELDS = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload',
                'running_vms', 'disk_available_least')


class _Hypervisors(common.Resource):
    """Shared by the hypervisor resources: node bodies and lookups."""

    def _services(self):
        return {s.host: s for s in self.backends.db.service_get_all(binary=COMPUTE_BINARY)}

    def _view(self, req, node, services, detail, servers=None):
        version = req.context.version
        service = services.get(node.host)
        body = {
            'id': node.uuid if version >= UUID_VERSION else node.id,
            'hypervisor_hostname': node.hypervisor_hostname,
            'state': 'up' if service and servicegroup.is_up(self.conf, service) else 'down',
            'status': 'disabled' if service is None or service.disabled else 'enabled',
        }
        if detail:
            body.update({
                'hypervisor_type': node.hypervisor_type,
                'hypervisor_version': node.hypervisor_version,
                'host_ip': node.host_ip,
                'service': {'host': node.host,
                            'id': (service.uuid if version >= UUID_VERSION else service.id)
                            if service else None,
                            'disabled_reason': service.disabled_reason if service else None},
            })
            if version < NO_USAGE_VERSION:
                body.update({f: getattr(node, f) for f in USAGE_FIELDS})
                body['cpu_info'] = _cpu_info(node.cpu_info, version)
            else:
                body['uptime'] = None  # would need a call to the compute host
        if servers is not None:
            body['servers'] = servers
        return body

    def _servers_of(self, node):
        instances = self.backends.db.instance_get_all(
            {'host': node.host, 'node': node.hypervisor_hostname}, sort_dir='asc')
        return [{'name': 'instance-%08x' % i.id if i.id is not None else '', 'uuid': i.uuid}
                for i in instances]

    def _matching(self, pattern):
        nodes = [n for n in self.backends.db.compute_node_get_all()
                 if pattern in n.hypervisor_hostname]
        if not nodes:
            raise exception.NotFound("No hypervisor matching '%s' could be found." % pattern)
        return nodes


def _cpu_info(value, version):
    """A JSON string before 2.28, an object from it."""
    if version < (2, 28):
        return value if isinstance(value, str) else json.dumps(value or {})
    if isinstance(value, str):
        try:
            return json.loads(value or '{}')
        except ValueError:
            return {}
    return value or {}


class HypervisorCollection(_Hypervisors):
    """``GET /os-hypervisors`` and ``GET /os-hypervisors/detail``."""

    def on_get(self, req, resp):
        self._list(req, resp, detail=False)

    def on_get_detail(self, req, resp):
        self._list(req, resp, detail=True)

    def _list(self, req, resp, detail):
        version = req.context.version
        self.authorize(req, RULE % ('list-detail' if detail else 'list'))
        nodes = self.backends.db.compute_node_get_all()
        with_servers = False
        limit = None
        if version >= UUID_VERSION:
            with_servers = common.bool_param(req, 'with_servers')
            pattern = req.get_param('hypervisor_hostname_pattern')
            if pattern is not None:
                if 'limit' in req.params or 'marker' in req.params:
                    raise exception.Invalid('Paging over hypervisors with the '
                                            'hypervisor_hostname_pattern query parameter is '
                                            'not supported.')
                nodes = self._matching(pattern)
        if version >= (2, 33):
            limit, marker = common.pagination(req, self.conf)
            nodes = _page(nodes, marker, version)[:limit]
        services = self._services()
        hypervisors = [self._view(req, n, services, detail,
                                  self._servers_of(n) if with_servers else None)
                       for n in nodes]
        resp.media = {'hypervisors': hypervisors}
        links = common.next_links(req, self.conf, 'os-hypervisors/detail' if detail
                                  else 'os-hypervisors', hypervisors, limit, lambda h: h['id'])
        if links:
            resp.media['hypervisors_links'] = links


def _page(nodes, marker, version):
    if marker is None:
        return nodes
    key = (lambda n: n.uuid) if version >= UUID_VERSION else (lambda n: str(n.id))
    for index, node in enumerate(nodes):
        if key(node) == str(marker):
            return nodes[index + 1:]
    raise exception.Invalid('marker [%s] not found' % marker)


class HypervisorStatistics(_Hypervisors):
    """``GET /os-hypervisors/statistics`` (gone in 2.88)."""

    def on_get(self, req, resp):
        common.require_version(req, maximum=(2, 87))
        self.authorize(req, RULE % 'statistics')
        nodes = self.backends.db.compute_node_get_all()
        stats = {'count': len(nodes)}
        for field in USAGE_FIELDS:
            stats[field] = sum(getattr(n, field) or 0 for n in nodes)
        resp.media = {'hypervisor_statistics': stats}


class Hypervisor(_Hypervisors):
    """``GET /os-hypervisors/{hypervisor_id}``."""

    def on_get(self, req, resp, hypervisor_id):
        version = req.context.version
        self.authorize(req, RULE % 'show')
        if version >= UUID_VERSION:
            if not uuidutils.is_uuid_like(hypervisor_id):
                raise exception.Invalid('Invalid uuid %s' % hypervisor_id)
        elif not hypervisor_id.isdigit():
            raise exception.ComputeNodeNotFound(node=hypervisor_id)
        node = self.backends.db.compute_node_get(hypervisor_id)
        with_servers = version >= UUID_VERSION and common.bool_param(req, 'with_servers')
        servers = self._servers_of(node) if with_servers else None
        resp.media = {'hypervisor': self._view(req, node, self._services(), True, servers)}


class HypervisorSearch(_Hypervisors):
    """``GET /os-hypervisors/{pattern}/search`` (before 2.53)."""

    def on_get(self, req, resp, hypervisor_id):
        # the URL's {hypervisor_id} is a hostname pattern here, as in Nova
        common.require_version(req, maximum=(2, 52))
        self.authorize(req, RULE % 'search')
        services = self._services()
        resp.media = {'hypervisors': [self._view(req, n, services, False)
                                      for n in self._matching(hypervisor_id)]}


class HypervisorServers(_Hypervisors):
    """``GET /os-hypervisors/{pattern}/servers`` (before 2.53)."""

    def on_get(self, req, resp, hypervisor_id):
        common.require_version(req, maximum=(2, 52))
        self.authorize(req, RULE % 'servers')
        services = self._services()
        resp.media = {'hypervisors': [self._view(req, n, services, False, self._servers_of(n))
                                      for n in self._matching(hypervisor_id)]}
