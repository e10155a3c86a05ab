"""Version documents: ``GET /`` (all versions) and ``GET /v2.1`` (this one), no token.

Clients negotiate the microversion from ``version`` of the v2.1 document, so it is
exactly the maximum novalite honours.
"""

from novalite.api.compute import common
from novalite.api.compute import microversion

V20 = {'id': 'v2.0', 'status': 'SUPPORTED', 'version': '', 'min_version': '',
       'updated': '2011-01-21T11:33:21Z', 'path': 'v2/'}
V21 = {'id': 'v2.1', 'status': 'CURRENT', 'version': str(microversion.MAX_VERSION),
       'min_version': str(microversion.MIN_VERSION), 'updated': '2013-07-23T11:33:21Z',
       'path': 'v2.1/'}


def _version(req, conf, version, full=False):
    body = {k: v for k, v in version.items() if k != 'path'}
    body['links'] = [{'rel': 'self',
                      'href': '%s/%s' % (common.base_url(req, conf), version['path'])}]
    if full:
        body['links'].append({'rel': 'describedby', 'type': 'text/html',
                              'href': 'http://docs.openstack.org/'})
        body['media-types'] = [{'base': 'application/json',
                                'type': 'application/vnd.openstack.compute+json;version=2.1'}]
    return body


class Versions(common.Resource):
    """``GET /``: the API versions, as Nova lists them (200, like Nova's root)."""

    def on_get(self, req, resp):
        resp.media = {'versions': [_version(req, self.conf, V20),
                                   _version(req, self.conf, V21)]}


class VersionV21(common.Resource):
    """``GET /v2.1``: the v2.1 document with the microversion range."""

    def on_get(self, req, resp):
        resp.media = {'version': _version(req, self.conf, V21, full=True)}
