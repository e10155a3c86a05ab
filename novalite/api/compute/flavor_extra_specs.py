"""``/flavors/{flavor_id}/os-extra_specs[/{key}]``: read by all, written by admins."""

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import schemas

RULE = 'os_compute_api:os-flavor-extra-specs:%s'


def _strings(specs):
    # Nova stores every value as a string (true -> "True", 2 -> "2").
    return {key: str(value) for key, value in specs.items()}


class FlavorExtraSpecs(common.Resource):
    """The whole set: GET, POST (merge)."""

    def on_get(self, req, resp, flavor_id):
        self.authorize(req, RULE % 'index')
        flavor = self.backends.db.flavor_get(flavor_id)
        resp.media = {'extra_specs': dict(flavor.extra_specs or {})}

    def on_post(self, req, resp, flavor_id):
        specs = schemas.validate(schemas.EXTRA_SPECS, common.body(req))['extra_specs']
        self.authorize(req, RULE % 'create')
        specs = _strings(specs)
        db = self.backends.db
        flavor = db.flavor_get(flavor_id)
        db.flavor_update(flavor_id, {'extra_specs': {**(flavor.extra_specs or {}), **specs}})
        resp.media = {'extra_specs': specs}


class FlavorExtraSpec(common.Resource):
    """One key: GET, PUT ``{key: value}``, DELETE."""

    def on_get(self, req, resp, flavor_id, key):
        self.authorize(req, RULE % 'show')
        specs = self.backends.db.flavor_get(flavor_id).extra_specs or {}
        if key not in specs:
            raise exception.FlavorExtraSpecNotFound(flavor_id=flavor_id, key=key)
        resp.media = {key: specs[key]}

    def on_put(self, req, resp, flavor_id, key):
        spec = schemas.validate(schemas.EXTRA_SPEC_ITEM, common.body(req))
        if key not in spec:
            raise exception.Invalid('Request body and URI mismatch')
        self.authorize(req, RULE % 'update')
        spec = _strings(spec)
        db = self.backends.db
        flavor = db.flavor_get(flavor_id)
        db.flavor_update(flavor_id, {'extra_specs': {**(flavor.extra_specs or {}), **spec}})
        resp.media = spec

    def on_delete(self, req, resp, flavor_id, key):
        self.authorize(req, RULE % 'delete')
        db = self.backends.db
        specs = dict(db.flavor_get(flavor_id).extra_specs or {})
        if key not in specs:
            raise exception.FlavorExtraSpecNotFound(flavor_id=flavor_id, key=key)
        del specs[key]
        db.flavor_update(flavor_id, {'extra_specs': specs})
