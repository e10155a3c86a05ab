"""Compute API microversions: the one list of versions, header parsing, the response headers.

A client asks for a version with ``OpenStack-API-Version: compute 2.X`` (2.27+) or the
legacy ``X-OpenStack-Nova-API-Version: 2.X``; no header means the minimum, ``latest``
the maximum.  The version is kept on ``req.context.version`` as a ``Version`` tuple, so
resources compare it with plain tuples: ``if req.context.version >= (2, 53)``.

Clients negotiate from the ``version`` field of the version document, so the maximum
is only raised when what the new version changes is honoured (components.md §8).
"""

import collections
import re

import falcon

SERVICE_TYPE = 'compute'
HEADER = 'OpenStack-API-Version'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'

# Every microversion from 2.1 to the maximum, with what it changed in Nova.
# "(n/a)" marks a change to an API novalite does not have, so there is nothing to honour.
VERSIONS = [
    '2.1',   # base of v2.1: jsonschema validation, the v2 resources
    '2.2',   # keypairs: "type" (ssh/x509); create answers 201, delete 204
    '2.3',   # servers: admin sees reservation_id, launch_index, hostname, kernel_id,
             #   ramdisk_id, root_device_name, user_data (OS-EXT-SRV-ATTR:*)
    '2.4',   # (n/a) os-fixed-ips "reserved"
    '2.5',   # (n/a) ip6 server list filter for non-admins
    '2.6',   # (n/a) remote-consoles
    '2.7',   # (n/a) flavor access on a public flavor -> 409
    '2.8',   # (n/a) mks consoles
    '2.9',   # servers: "locked"
    '2.10',  # keypairs: admin may name another user with user_id
    '2.11',  # os-services: force-down, "forced_down" field
    '2.12',  # (n/a) os-virtual-interfaces net_id
    '2.13',  # os-server-groups: project_id/user_id
    '2.14',  # (n/a) evacuate without onSharedStorage
    '2.15',  # os-server-groups: soft-affinity, soft-anti-affinity
    '2.16',  # servers: host_status (admin)
    '2.17',  # (n/a) trigger_crash_dump
    '2.18',  # project id optional in URLs (novalite never needs it)
    '2.19',  # servers: description on create/update/show
    '2.20',  # (n/a) volume attach to shelved_offloaded servers
    '2.21',  # (n/a) instance actions of deleted servers
    '2.22',  # (n/a) force live-migration complete
    '2.23',  # (n/a) migrations id/type
    '2.24',  # (n/a) abort live migration
    '2.25',  # (n/a) block_migration auto
    '2.26',  # servers: tags shown
    '2.27',  # the OpenStack-API-Version header
    '2.28',  # hypervisors: cpu_info an object, not a string
    '2.29',  # (n/a) evacuate force
    '2.30',  # (n/a) live-migrate force
    '2.31',  # (n/a) console auth tokens for all consoles
    '2.32',  # (n/a) device tags on boot
    '2.33',  # hypervisors: limit/marker pagination
    '2.34',  # (n/a) async live-migration checks
    '2.35',  # keypairs: limit/marker pagination
    '2.36',  # proxy APIs gone (/images, os-networks, os-floating-ips(-pools),
             #   os-security-groups(-rules) -> 404); limits and quota sets drop network
             #   and security group fields
    '2.37',  # servers: "networks" required on create ('auto', 'none' or a list)
    '2.38',  # servers: an unknown ?status= is 400, not an empty list
    '2.39',  # limits: maxImageMeta removed
    '2.40',  # (n/a) simple-tenant-usage pagination
    '2.41',  # os-aggregates: uuid
    '2.42',  # (n/a) device tags again
    '2.43',  # (n/a) os-hosts deprecated
    '2.44',  # addFloatingIp/removeFloatingIp/addFixedIp/removeFixedIp -> 404
    '2.45',  # (n/a) createImage returns image_id
    '2.46',  # (n/a) instance action request ids
    '2.47',  # servers: the flavor shown in full (vcpus, ram, disk, ... extra_specs)
    '2.48',  # (n/a) standard diagnostics
    '2.49',  # (n/a) tagged attach
    '2.50',  # (n/a) quota classes server groups
    '2.51',  # (n/a) volume-extended event
    '2.52',  # servers: tags on create
    '2.53',  # services and hypervisors identified by uuid; PUT /os-services/{id};
             #   hypervisors ?with_servers / ?hypervisor_hostname_pattern
    '2.54',  # (n/a) key_name on rebuild
    '2.55',  # flavors: description; PUT /flavors/{id}
    '2.56',  # (n/a) cold migration to a host
    '2.57',  # personality gone; limits and quota sets drop injected file fields
    '2.58',  # (n/a) instance actions pagination
    '2.59',  # (n/a) migrations pagination
    '2.60',  # (n/a) multiattach volumes
    '2.61',  # flavors: extra_specs in the flavor body
    '2.62',  # (n/a) instance action event host
    '2.63',  # servers: trusted_image_certificates (always null here)
    '2.64',  # os-server-groups: policy and rules
    '2.65',  # (n/a) abort queued live migrations
    '2.66',  # (n/a) changes-before
    '2.67',  # (n/a) volume_type in block devices
    '2.68',  # (n/a) force evacuate/live-migrate removed
    '2.69',  # (n/a) partial results from down cells
    '2.70',  # (n/a) device tags shown
    '2.71',  # server_groups in server show
    '2.72',  # (n/a) ports with resource requests
    '2.73',  # servers: locked_reason
    '2.74',  # (n/a) host/hypervisor_hostname on create
    '2.75',  # consistency: flavor swap 0 (not "")
    '2.76',  # (n/a) power-update event
    '2.77',  # (n/a) unshelve to an AZ
    '2.78',  # (n/a) server topology
    '2.79',  # (n/a) delete_on_termination on attach
    '2.80',  # (n/a) migrations user/project filters
    '2.81',  # (n/a) image cache for aggregates
    '2.82',  # (n/a) accelerator-request-bound event
    '2.83',  # (n/a) more list filters for non-admins
    '2.84',  # (n/a) instance action event details
    '2.85',  # (n/a) update delete_on_termination
    '2.86',  # (n/a) flavor extra spec validation
    '2.87',  # (n/a) rescue of volume-backed servers
    '2.88',  # hypervisors: usage fields gone, /statistics 404
    '2.89',  # (n/a) attachment ids
    '2.90',  # servers: hostname settable on create/update, shown to non-admins
    '2.91',  # (n/a) unshelve to a host
    '2.92',  # keypairs: no more generation, public_key required
    '2.93',  # (n/a) rebuild volume-backed servers
    '2.94',  # (n/a) FQDN hostnames
    '2.95',  # (n/a) evacuate to stopped
    '2.96',  # servers: pinned_availability_zone
]


class Version(collections.namedtuple('Version', 'major minor')):
    """A microversion; compares with plain ``(major, minor)`` tuples."""

    __slots__ = ()

    def __str__(self):
        return '%d.%d' % self

    @classmethod
    def parse(cls, text):
        match = _VERSION_RE.match(text or '')
        if not match:
            raise falcon.HTTPBadRequest(description=(
                'API Version String %s is of invalid format. Must be of format '
                'MajorNum.MinorNum.' % text))
        return cls(int(match.group(1)), int(match.group(2)))


_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')

MIN_VERSION = Version.parse(VERSIONS[0])
MAX_VERSION = Version.parse(VERSIONS[-1])


def requested(get_header):
    """The version string a request asked for (None when none); ``get_header`` is
    case-insensitive, like falcon's ``req.get_header``."""
    value = get_header(HEADER)
    if value:
        for item in value.split(','):
            service, _, version = item.strip().partition(' ')
            if service.lower() == SERVICE_TYPE:
                return version.strip()
    return get_header(LEGACY_HEADER) or None


def negotiate(text):
    """A Version from a header value; 400 if malformed, 406 if out of range."""
    if text is None:
        return MIN_VERSION
    if text.strip().lower() == 'latest':
        return MAX_VERSION
    version = Version.parse(text.strip())
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise falcon.HTTPNotAcceptable(description=(
            'Version %s is not supported by the API. Minimum is %s and maximum is %s.'
            % (text.strip(), MIN_VERSION, MAX_VERSION)))
    return version


def is_versioned(path):
    """Requests under /v2.1 carry a microversion; the root version list does not."""
    return path == '/v2.1' or path.startswith('/v2.1/')


class MicroversionMiddleware:
    """Falcon middleware: sets ``req.context.version`` and echoes it in the response."""

    def process_request(self, req, resp):
        req.context.version = None
        if is_versioned(req.path):
            req.context.version = negotiate(requested(req.get_header))

    def process_response(self, req, resp, resource, req_succeeded):
        version = getattr(req.context, 'version', None)
        if version is None:
            return
        resp.set_header(HEADER, '%s %s' % (SERVICE_TYPE, version))
        resp.set_header(LEGACY_HEADER, str(version))
        resp.append_header('Vary', '%s, %s' % (HEADER, LEGACY_HEADER))
