"""Helpers the compute resources share: the caller, links, paging, query parsing."""

import urllib.parse

import falcon
from oslo_utils import strutils
from oslo_utils import timeutils

from novalite import exception


class Resource:
    """Base of every compute resource: holds the app's Backends."""

    def __init__(self, backends):
        self.backends = backends
        self.conf = backends.conf

    def authorize(self, req, action, target=None):
        return self.backends.authorize(req.context.ctx, action, target)

    def allowed(self, req, action, target=None):
        return self.backends.allowed(req.context.ctx, action, target)


def require_version(req, minimum=None, maximum=None):
    """404 outside [minimum, maximum], as Nova answers a method not in the version."""
    ver = req.context.version
    if (minimum is not None and ver < minimum) or (maximum is not None and ver > maximum):
        raise falcon.HTTPNotFound()


def body(req):
    """The JSON body (None when empty); malformed JSON is a 400 at the fault edge."""
    return req.get_media(default_when_empty=None)


# -- links ---------------------------------------------------------------------------------

def base_url(req, conf):
    """Where the API is reachable: [api] public_endpoint, else the request's own prefix."""
    return (conf.api.public_endpoint or req.prefix).rstrip('/')


def links(req, conf, collection, item_id):
    """Nova's self (versioned) and bookmark (unversioned) links of one item."""
    base = base_url(req, conf)
    return [{'rel': 'self', 'href': '%s/v2.1/%s/%s' % (base, collection, item_id)},
            {'rel': 'bookmark', 'href': '%s/%s/%s' % (base, collection, item_id)}]


def bookmark(req, conf, collection, item_id):
    return [{'rel': 'bookmark',
             'href': '%s/%s/%s' % (base_url(req, conf), collection, item_id)}]


def next_links(req, conf, path, items, limit, id_of):
    """``[{"rel": "next", ...}]`` when a page is full, else []; keeps the other params."""
    if not items or limit is None or len(items) < limit:
        return []
    params = [(k, v) for k, vals in _param_items(req) for v in vals
              if k not in ('marker', 'limit')]
    params += [('limit', limit), ('marker', id_of(items[-1]))]
    href = '%s/v2.1/%s?%s' % (base_url(req, conf), path, urllib.parse.urlencode(params))
    return [{'rel': 'next', 'href': href}]


def _param_items(req):
    for key, value in req.params.items():
        yield key, value if isinstance(value, list) else [value]


# -- query parameters ----------------------------------------------------------------------

def invalid_query(name, value, message):
    return exception.ValidationError(
        'Invalid input for query parameters %s. Value: %s. %s' % (name, value, message))


def pagination(req, conf):
    """(limit, marker): limit capped at [api] max_limit, as Nova does."""
    limit = req.get_param('limit')
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise exception.Invalid('limit param must be an integer') from None
        if limit < 0:
            raise exception.Invalid('limit param must be positive')
        limit = min(limit, conf.api.max_limit)
    else:
        limit = conf.api.max_limit
    return limit, req.get_param('marker') or None


def bool_param(req, name, default=False):
    """A boolean query parameter (a blank value counts as true, like Nova's)."""
    value = req.get_param(name)
    if value is None:
        return default
    if value == '':
        return True
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise invalid_query(name, value, "'%s' is not a valid boolean" % value) from None


def int_param(req, name, minimum=None):
    value = req.get_param(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise invalid_query(name, value, "'%s' is not an integer" % value) from None
    if minimum is not None and number < minimum:
        raise invalid_query(name, value, '%s is less than the minimum of %s'
                            % (number, minimum))
    return number


def datetime_param(req, name):
    """An ISO 8601 query parameter as a naive UTC datetime."""
    value = req.get_param(name)
    if value is None:
        return None
    try:
        parsed = timeutils.parse_isotime(value)
    except ValueError:
        raise invalid_query(name, value, "'%s' is not a 'date-time'" % value) from None
    return timeutils.normalize_time(parsed)


def id_from_href(ref):
    """The id at the end of an id-or-URL reference (imageRef, flavorRef)."""
    return str(ref).rstrip('/').rsplit('/', 1)[-1]


# -- rendering -----------------------------------------------------------------------------

def isotime(value):
    """Nova's ``created``/``updated`` form: ``2026-11-21T11:16:35Z``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.replace(tzinfo=None, microsecond=0).isoformat() + 'Z'


def isotime_micro(value):
    """Nova's timestamps with microseconds and no zone (``launched_at``, ``updated_at``)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.replace(tzinfo=None).strftime('%Y-%m-%dT%H:%M:%S.%f')
