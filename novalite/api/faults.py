"""The one edge where errors become Nova fault bodies.

Resources raise domain exceptions (``novalite.exception``, each with ``.code``) or
falcon HTTP errors; nothing else in the API builds an error body.  Every error
leaves as ``{"<faultName>": {"code": N, "message": "..."}}`` with Nova's names.
"""

import falcon
from oslo_log import log as logging

from novalite import exception

LOG = logging.getLogger(__name__)

# Nova's fault names by status (nova/api/openstack/wsgi.py); others are computeFault.
FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}

# What webob (hence Nova) says when an error carries no explanation of its own.
DEFAULT_MESSAGES = {
    400: 'The server could not comply with the request since it is either malformed '
         'or otherwise incorrect.',
    401: 'This server could not verify that you are authorized to access the document '
         'you requested.',
    403: 'Access was denied to this resource.',
    404: 'The resource could not be found.',
    405: 'The method is not allowed for the requested URL.',
    406: 'The resource could not generate a response acceptable to the request.',
    409: 'There was a conflict when trying to complete your request.',
    413: 'The request is larger than the server is willing or able to process.',
    415: 'The request media type is not supported by this server.',
    501: 'The server has either erred or is incapable of performing the requested '
         'operation.',
}


def fault_body(code, message):
    """Nova's fault body for an HTTP status and message."""
    name = FAULT_NAMES.get(code, 'computeFault')
    return {name: {'code': code, 'message': message}}


def _render(resp, code, message, headers=None):
    resp.status = code
    if headers:
        resp.set_headers(headers)
    resp.media = fault_body(code, message)


def handle_domain_error(req, resp, ex, params):
    """A novalite exception: its ``code`` and message."""
    code = getattr(ex, 'code', 500) or 500
    if code >= 500:
        LOG.error('%s %s failed: %s', req.method, req.path, ex.message)
    _render(resp, code, ex.message)


def handle_http_error(req, resp, ex, params):
    """A falcon HTTP error (unknown route, wrong method, bad JSON, 406 ...)."""
    code = ex.status_code
    if isinstance(ex, falcon.MediaMalformedError):
        message = 'Malformed request body'
    else:
        message = ex.description or DEFAULT_MESSAGES.get(code) or ex.title
    _render(resp, code, message, ex.headers)


def handle_unexpected(req, resp, ex, params):
    """Anything else is a bug: log it, answer 500 without leaking details."""
    LOG.exception('Unexpected error in %s %s', req.method, req.path)
    _render(resp, 500, 'Unexpected API Error. Please report this and attach the '
                       'novalite API log if possible.\n%s' % type(ex))


def register(app):
    """Install the handlers; falcon picks the most specific class, so order is free."""
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(exception.NovaliteException, handle_domain_error)
