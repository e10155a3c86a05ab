"""``/os-services``: list services, enable/disable/force down, delete (admin).

Before 2.53 services are addressed by integer id and updated through the action
URLs ``PUT /os-services/{enable,disable,disable-log-reason,force-down}`` with
``host`` and ``binary`` in the body; from 2.53 by uuid with ``PUT /os-services/{uuid}``.
"""

import falcon
from oslo_utils import strutils
from oslo_utils import uuidutils

from novalite import exception
from novalite import servicegroup
from novalite.api.compute import common
from novalite.api.compute import schemas
from novalite.compute import aggregates as compute_aggregates

RULE = 'os_compute_api:os-services:%s'
COMPUTE_BINARY = 'novalite-compute'
UUID_VERSION = (2, 53)
LEGACY_ACTIONS = ('enable', 'disable', 'disable-log-reason', 'force-down')


def service_view(req, conf, service, zones_by_host):
    version = req.context.version
    body = {
        'id': service.uuid if version >= UUID_VERSION else service.id,
        'binary': service.binary,
        'host': service.host,
        'zone': compute_aggregates.service_zone(conf, service, zones_by_host),
        'status': 'disabled' if service.disabled else 'enabled',
        'state': 'up' if servicegroup.is_up(conf, service) else 'down',
        'updated_at': common.isotime_micro(service.updated_at),
        'disabled_reason': service.disabled_reason,
    }
    if version >= (2, 11):
        body['forced_down'] = bool(service.forced_down)
    return body


def _bool(value):
    return value if isinstance(value, bool) else strutils.bool_from_string(value, strict=True)


class ServiceCollection(common.Resource):
    """``GET /os-services`` with ``?binary=`` and ``?host=`` filters."""

    def on_get(self, req, resp):
        self.authorize(req, RULE % 'list')
        services = self.backends.db.service_get_all(binary=req.get_param('binary'),
                                                    host=req.get_param('host'))
        zones = compute_aggregates.host_zones(self.backends.db)
        resp.media = {'services': [service_view(req, self.conf, s, zones) for s in services]}


class Service(common.Resource):
    """``PUT``/``DELETE /os-services/{service_id}`` (an action name before 2.53)."""

    def on_put(self, req, resp, service_id):
        self.authorize(req, RULE % 'update')
        if req.context.version >= UUID_VERSION:
            self._update(req, resp, service_id)
        elif service_id in LEGACY_ACTIONS:
            self._legacy_action(req, resp, service_id)
        else:
            raise falcon.HTTPNotFound()

    def on_delete(self, req, resp, service_id):
        self.authorize(req, RULE % 'delete')
        db = self.backends.db
        service = db.service_get(self._id(req, service_id))
        if service.binary == COMPUTE_BINARY and db.instance_get_all({'host': service.host},
                                                                    limit=1):
            raise exception.Conflict('Unable to delete compute service that is hosting '
                                     'instances. Migrate or delete the instances first.')
        db.service_delete(service.id)
        resp.status = falcon.HTTP_204

    def _id(self, req, service_id):
        if req.context.version >= UUID_VERSION:
            if not uuidutils.is_uuid_like(service_id):
                raise exception.Invalid('Invalid uuid %s' % service_id)
            return service_id
        if not service_id.isdigit():
            raise exception.Invalid('Invalid service id %s' % service_id)
        return int(service_id)

    def _legacy_action(self, req, resp, action):
        version = req.context.version
        if action == 'force-down' and version < (2, 11):
            raise falcon.HTTPNotFound()
        body = schemas.validate(schemas.service_action(action, version), common.body(req))
        db = self.backends.db
        try:
            service = db.service_get_by_host_binary(body['host'], body['binary'])
        except exception.ComputeHostNotFound:
            raise exception.NotFound('Host %s not found or binary %s not found.'
                                     % (body['host'], body['binary'])) from None
        if action == 'force-down':
            forced = _bool(body['forced_down'])
            db.service_update(service.id, {'forced_down': forced})
            result = {'forced_down': forced}
        elif action == 'enable':
            db.service_update(service.id, {'disabled': False, 'disabled_reason': None})
            result = {'status': 'enabled'}
        else:
            reason = body.get('disabled_reason')
            db.service_update(service.id, {'disabled': True, 'disabled_reason': reason})
            result = {'status': 'disabled'}
            if action == 'disable-log-reason':
                result['disabled_reason'] = reason
        resp.media = {'service': {'host': service.host, 'binary': service.binary, **result}}

    def _update(self, req, resp, service_id):
        body = schemas.validate(schemas.SERVICE_UPDATE, common.body(req))
        db = self.backends.db
        service = db.service_get(self._id(req, service_id))
        if service.binary != COMPUTE_BINARY:
            raise exception.Invalid('Updating a %s service is not supported. Only %s '
                                    'services can be updated.'
                                    % (service.binary, COMPUTE_BINARY))
        status = body.get('status')
        if 'disabled_reason' in body and status != 'disabled':
            raise exception.Invalid("Specifying 'disabled_reason' with status '%s' is invalid."
                                    % status)
        values = {}
        if status == 'enabled':
            values.update(disabled=False, disabled_reason=None)
        elif status == 'disabled':
            values.update(disabled=True, disabled_reason=body.get('disabled_reason'))
        if 'forced_down' in body:
            values['forced_down'] = _bool(body['forced_down'])
        if not values:
            raise exception.Invalid("No updates were requested. Fields 'status' or "
                                    "'forced_down' should be specified.")
        service = db.service_update(service.id, values)
        resp.media = {'service': service_view(req, self.conf, service,
                                              compute_aggregates.host_zones(db))}
