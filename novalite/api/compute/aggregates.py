"""``/os-aggregates[/{aggregate_id}[/action]]``: host aggregates (admin).

Bodies and answers as Nova's: create answers 200 with the aggregate without
``hosts`` and ``metadata``; the actions ``add_host``, ``remove_host`` and
``set_metadata`` answer the whole aggregate; ``uuid`` is shown from 2.41.
Aggregates are addressed by integer id in every version.
"""

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas

RULE = 'os_compute_api:os-aggregates:%s'
UUID_VERSION = (2, 41)


def aggregate_view(req, aggregate, with_members=True):
    body = {
        'id': aggregate.id,
        'name': aggregate.name,
        'availability_zone': aggregate.availability_zone,
        'created_at': common.isotime_micro(aggregate.created_at),
        'updated_at': common.isotime_micro(aggregate.updated_at),
        'deleted_at': common.isotime_micro(aggregate.deleted_at),
        'deleted': bool(aggregate.deleted),
    }
    if with_members:
        body['hosts'] = list(aggregate.hosts)
        body['metadata'] = dict(aggregate.metadata)
    if req.context.version >= UUID_VERSION:
        body['uuid'] = aggregate.uuid
    return body


def _integer_id(aggregate_id):
    """Nova's ``validate_integer(id, 'id')``: 400 for an id that is not an integer."""
    try:
        return int(aggregate_id)
    except (TypeError, ValueError):
        raise exception.Invalid('Invalid input received: id must be an integer') from None


def _normalize(name):
    # Nova's common.normalize_name (the v2.0 compat mode): surrounding spaces go.
    return name.strip() if isinstance(name, str) else name


class AggregateResource(common.Resource):
    """Resources that use the compute aggregate API (built on first use)."""

    _aggregates = None

    @property
    def aggregates(self):
        if self._aggregates is None:
            from novalite.compute import aggregates as compute_aggregates
            notifier = getattr(self.backends.compute_api, 'notifier', None)
            self._aggregates = compute_aggregates.AggregateAPI(self.conf, self.backends.db,
                                                               notifier=notifier)
        return self._aggregates


class AggregateCollection(AggregateResource):
    """``GET /os-aggregates`` and ``POST /os-aggregates``."""

    def on_get(self, req, resp):
        self.authorize(req, RULE % 'index', {})
        resp.media = {'aggregates': [aggregate_view(req, a) for a in
                                     self.aggregates.get_all(req.context.ctx)]}

    def on_post(self, req, resp):
        self.authorize(req, RULE % 'create', {})
        body = schemas.validate(schemas.AGGREGATE_CREATE, common.body(req))['aggregate']
        zone = body.get('availability_zone')
        aggregate = self.aggregates.create(req.context.ctx, _normalize(body['name']),
                                           _normalize(zone) if zone else None)
        # Nova answers 200 (not 201), without hosts and metadata.
        resp.media = {'aggregate': aggregate_view(req, aggregate, with_members=False)}


class Aggregate(AggregateResource):
    """``GET``, ``PUT`` and ``DELETE /os-aggregates/{aggregate_id}``."""

    def on_get(self, req, resp, aggregate_id):
        self.authorize(req, RULE % 'show', {})
        aggregate = self.aggregates.get(req.context.ctx, _integer_id(aggregate_id))
        resp.media = {'aggregate': aggregate_view(req, aggregate)}

    def on_put(self, req, resp, aggregate_id):
        self.authorize(req, RULE % 'update', {})
        values = schemas.validate(schemas.AGGREGATE_UPDATE, common.body(req))['aggregate']
        if 'name' in values:
            values['name'] = _normalize(values['name'])
        aggregate = self.aggregates.update(req.context.ctx, _integer_id(aggregate_id), values)
        resp.media = {'aggregate': aggregate_view(req, aggregate)}

    def on_delete(self, req, resp, aggregate_id):
        self.authorize(req, RULE % 'delete', {})
        self.aggregates.delete(req.context.ctx, _integer_id(aggregate_id))
        # Nova answers 200 with no body.


def _add_host(api, ctx, aggregate_id, body):
    host = schemas.validate(schemas.AGGREGATE_ADD_HOST, body)['add_host']['host']
    return api.add_host(ctx, aggregate_id, host)


def _remove_host(api, ctx, aggregate_id, body):
    host = schemas.validate(schemas.AGGREGATE_REMOVE_HOST, body)['remove_host']['host']
    return api.remove_host(ctx, aggregate_id, host)


def _set_metadata(api, ctx, aggregate_id, body):
    metadata = schemas.validate(schemas.AGGREGATE_SET_METADATA,
                                body)['set_metadata']['metadata']
    return api.update_metadata(ctx, aggregate_id, metadata)


# action name -> call(aggregate_api, ctx, aggregate_id, body); the policy is RULE % name
ACTIONS = {
    'add_host': _add_host,
    'remove_host': _remove_host,
    'set_metadata': _set_metadata,
}


class AggregateAction(AggregateResource):
    """``POST /os-aggregates/{aggregate_id}/action``: add_host, remove_host, set_metadata."""

    def on_post(self, req, resp, aggregate_id):
        body = common.body(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid('Malformed request body')
        name = next(iter(body))
        if name not in ACTIONS:
            raise exception.Invalid('There is no such action: %s' % name)
        self.authorize(req, RULE % name, {})
        aggregate = ACTIONS[name](self.aggregates, req.context.ctx, _integer_id(aggregate_id),
                                  body)
        resp.media = {'aggregate': aggregate_view(req, aggregate)}
