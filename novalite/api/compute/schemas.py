"""Request body schemas (jsonschema, draft 4 like Nova's) and the validator.

A failed validation is a 400 whose message names the field the way Nova's does:
``Invalid input for field/attribute name. Value: None. None is not of type 'string'``.
Schemas that change with the microversion are functions of it.
"""

import base64
import binascii
import re

import jsonschema
import netaddr
from jsonschema import exceptions as js_exceptions

from novalite import exception


class InvalidName(ValueError):
    """A name that is not printable or starts/ends with whitespace."""


FORMAT_CHECKER = jsonschema.FormatChecker()

# printable, and no whitespace at either end (Nova's valid_name_regex, simplified)
_NAME_RE = re.compile(r'^(?!\s)[^\x00-\x1f\x7f]*(?<!\s)$')


@FORMAT_CHECKER.checks('name', raises=InvalidName)
def _check_name(instance):
    if not isinstance(instance, str):
        return True  # the type keyword reports it
    if not _NAME_RE.match(instance):
        raise InvalidName("An invalid 'name' value was provided. The name must be: "
                          "printable characters. Can not start or end with whitespace.")
    return True


@FORMAT_CHECKER.checks('base64')
def _check_base64(instance):
    if not isinstance(instance, str):
        return True
    try:
        base64.b64decode(instance, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def validate(schema, data):
    """Return ``data`` if it matches ``schema``, else raise ValidationError (400)."""
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMAT_CHECKER)
    error = js_exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return data
    if isinstance(error.cause, InvalidName):
        detail = str(error.cause)
    elif error.path:
        detail = 'Invalid input for field/attribute %s. Value: %s. %s' % (
            error.path[-1], error.instance, error.message)
    else:
        detail = error.message
    raise exception.ValidationError(detail)


def coerce_ints(obj, keys):
    """Nova accepts integers as digit strings ("ram": "512"): make them ints first."""
    if isinstance(obj, dict):
        for key in keys:
            value = obj.get(key)
            if isinstance(value, str) and re.fullmatch(r'\s*-?[0-9]+\s*', value):
                obj[key] = int(value)
    return obj


# -- parameter types -------------------------------------------------------------------

NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'format': 'name'}
DESCRIPTION = {'type': ['string', 'null'], 'minLength': 0, 'maxLength': 255}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                    'no']}
METADATA = {
    'type': 'object',
    'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255}},
    'additionalProperties': False,
}
POSITIVE_INT = {'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 1,
                'minLength': 1}
HOSTNAME = {'type': 'string', 'minLength': 2, 'maxLength': 63,
            'pattern': '^[a-zA-Z0-9-._]*$'}
TAG = {'type': 'string', 'minLength': 1, 'maxLength': 60, 'pattern': '^[^,/]*$'}
MAX_INT = 0x7FFFFFFF


def _object(properties, required=(), extra=False, **more):
    schema = {'type': 'object', 'properties': properties, 'additionalProperties': extra}
    if required:
        schema['required'] = list(required)
    schema.update(more)
    return schema


# -- servers -----------------------------------------------------------------------------

BLOCK_DEVICE_MAPPING_V2 = {'type': 'array', 'items': _object({
    'source_type': {'type': 'string', 'enum': ['volume', 'image', 'snapshot', 'blank']},
    'uuid': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'image_id': {'type': 'string'},
    'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
    'guest_format': {'type': 'string', 'maxLength': 255},
    'device_type': {'type': 'string', 'maxLength': 255},
    'disk_bus': {'type': 'string', 'maxLength': 255},
    'boot_index': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$'},
    'device_name': {'type': 'string', 'maxLength': 255},
    'delete_on_termination': BOOLEAN,
    'volume_size': {'type': ['integer', 'string', 'null']},
    'snapshot_id': {'type': 'string'},
    'volume_id': {'type': 'string'},
    'no_device': {},
    'tag': TAG,
    'volume_type': {'type': ['string', 'null']},
})}


def server_create(version):
    network = _object({'uuid': {'type': 'string'}, 'port': {'type': ['string', 'null']},
                       'fixed_ip': {'type': 'string'}, 'tag': TAG})
    networks = {'type': 'array', 'items': network}
    if version >= (2, 37):
        networks = {'oneOf': [networks, {'type': 'string', 'enum': ['none', 'auto']}]}
    server = {
        'name': NAME,
        'imageRef': {'type': 'string'},
        'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
        'adminPass': {'type': 'string'},
        'metadata': METADATA,
        'networks': networks,
        'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
        'accessIPv4': {'type': 'string', 'format': 'ipv4'},
        'accessIPv6': {'type': 'string', 'format': 'ipv6'},
        'key_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'availability_zone': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'user_data': {'type': 'string', 'format': 'base64', 'maxLength': 65535},
        'config_drive': BOOLEAN,
        'min_count': POSITIVE_INT,
        'max_count': POSITIVE_INT,
        'return_reservation_id': BOOLEAN,
        # the openstack CLI always sends the image as a boot device
        'block_device_mapping_v2': BLOCK_DEVICE_MAPPING_V2,
        'security_groups': {'type': 'array', 'items': _object(
            {'name': {'type': 'string', 'minLength': 1, 'maxLength': 255}}, ['name'])},
    }
    if version >= (2, 19):
        server['description'] = DESCRIPTION
    if version >= (2, 52):
        server['tags'] = {'type': 'array', 'items': TAG, 'maxItems': 50}
    if version >= (2, 90):
        server['hostname'] = dict(HOSTNAME, maxLength=255 if version >= (2, 94) else 63)
    required = ['name', 'flavorRef'] + (['networks'] if version >= (2, 37) else [])
    return _object({'server': _object(server, required),
                    'os:scheduler_hints': SCHEDULER_HINTS,
                    'OS-SCH-HNT:scheduler_hints': SCHEDULER_HINTS},
                   ['server'])


def server_update(version):
    server = {'name': NAME,
              'accessIPv4': {'type': 'string', 'format': 'ipv4'},
              'accessIPv6': {'type': 'string', 'format': 'ipv6'},
              'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']}}
    if version >= (2, 19):
        server['description'] = DESCRIPTION
    if version >= (2, 90):
        server['hostname'] = dict(HOSTNAME, maxLength=255 if version >= (2, 94) else 63)
    return _object({'server': _object(server)}, ['server'])


CREATE_IMAGE = _object({'createImage': _object(
    {'name': NAME, 'metadata': METADATA}, ['name'])}, ['createImage'])

REBOOT = _object({'reboot': _object(
    {'type': {'type': 'string',
              'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']}}, ['type'])},
    ['reboot'])

METADATA_SET = _object({'metadata': METADATA}, ['metadata'])
METADATA_ITEM = _object({'meta': dict(METADATA, minProperties=1, maxProperties=1)}, ['meta'])


# -- flavors -----------------------------------------------------------------------------

FLAVOR_INT_FIELDS = ('ram', 'vcpus', 'disk', 'OS-FLV-EXT-DATA:ephemeral', 'swap')


def flavor_create(version):
    def number(minimum):
        return {'type': 'integer', 'minimum': minimum, 'maximum': MAX_INT}
    flavor = {
        'name': NAME,
        'id': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
               'pattern': '^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
        'ram': number(1),
        'vcpus': number(1),
        'disk': number(0),
        'OS-FLV-EXT-DATA:ephemeral': number(0),
        'swap': number(0),
        'rxtx_factor': {'type': 'number', 'minimum': 0, 'exclusiveMinimum': True,
                        'maximum': 3.40282e+38},
        'os-flavor-access:is_public': BOOLEAN,
    }
    if version >= (2, 55):
        flavor['description'] = dict(DESCRIPTION, maxLength=65535)
    return _object({'flavor': _object(flavor, ['name', 'ram', 'vcpus', 'disk'])}, ['flavor'])


FLAVOR_UPDATE = _object({'flavor': _object(
    {'description': dict(DESCRIPTION, maxLength=65535)}, ['description'])}, ['flavor'])

_SPEC_VALUE = {'type': ['string', 'number', 'boolean'], 'minLength': 0, 'maxLength': 255}
_SPECS = {'type': 'object',
          'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': _SPEC_VALUE},
          'additionalProperties': False}
EXTRA_SPECS = _object({'extra_specs': _SPECS}, ['extra_specs'])
EXTRA_SPEC_ITEM = dict(_SPECS, minProperties=1, maxProperties=1)


# -- keypairs ----------------------------------------------------------------------------

def keypair_create(version):
    keypair = {'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
               'public_key': {'type': 'string'}}
    if version >= (2, 2):
        keypair['type'] = {'type': 'string', 'enum': ['ssh', 'x509']}
    if version >= (2, 10):
        keypair['user_id'] = {'type': 'string'}
    required = ['name'] + (['public_key'] if version >= (2, 92) else [])
    return _object({'keypair': _object(keypair, required)}, ['keypair'])


# -- services ----------------------------------------------------------------------------

def service_action(action, version):
    """Bodies of the legacy PUT /os-services/{enable,disable,...} (< 2.53)."""
    props = {'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
             'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255}}
    if action == 'disable-log-reason':
        props['disabled_reason'] = {'type': 'string', 'minLength': 1, 'maxLength': 255}
    if action == 'force-down':
        props['forced_down'] = BOOLEAN
    required = ['host', 'binary'] + (['forced_down'] if action == 'force-down' else [])
    return _object(props, required)


SERVICE_UPDATE = _object({
    'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
    'disabled_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'forced_down': BOOLEAN})


# -- quota sets --------------------------------------------------------------------------

def quota_set_update(resources):
    limit = {'type': 'integer', 'minimum': -1, 'maximum': MAX_INT}
    props = {name: limit for name in resources}
    props['force'] = BOOLEAN
    return _object({'quota_set': _object(props)}, ['quota_set'])


# -- server groups and scheduler hints ---------------------------------------------------

def server_group_create(version):
    """2.1: ``policies`` [affinity|anti-affinity]; 2.15 adds the soft ones; 2.64:
    ``policy`` (a string) and ``rules`` instead."""
    policies = ['anti-affinity', 'affinity']
    if version >= (2, 15):
        policies += ['soft-anti-affinity', 'soft-affinity']
    group = {'name': NAME}
    if version >= (2, 64):
        group['policy'] = {'type': 'string', 'enum': policies}
        group['rules'] = _object({'max_server_per_host': POSITIVE_INT})
        required = ['name', 'policy']
    else:
        group['policies'] = {'type': 'array', 'items': [{'type': 'string', 'enum': policies}],
                             'uniqueItems': True, 'minItems': 1, 'maxItems': 1,
                             'additionalItems': False}
        required = ['name', 'policies']
    return _object({'server_group': _object(group, required)}, ['server_group'])


# one server uuid or a list of them ('format' only checks strings: no oneOf, so an
# error names the hint rather than a branch of the oneOf)
_SERVER_IDS = {'type': ['string', 'array'], 'format': 'uuid',
               'items': {'type': 'string', 'format': 'uuid'}}

# Nova's os:scheduler_hints: unknown hints pass (out-of-tree filters read them).
SCHEDULER_HINTS = _object({
    'group': {'type': 'string', 'format': 'uuid'},
    'same_host': _SERVER_IDS,
    'different_host': _SERVER_IDS,
    'query': {'type': ['string', 'object']},
    'target_cell': NAME,
    'different_cell': {'type': ['string', 'array'], 'items': {'type': 'string'}},
    'build_near_host_ip': {'oneOf': [{'type': 'string', 'format': 'ipv4'},
                                     {'type': 'string', 'format': 'ipv6'}]},
    'cidr': {'type': 'string', 'pattern': '^/[0-9a-f.:]+$'},
}, extra=True)


# -- aggregates --------------------------------------------------------------------------

class InvalidAzName(InvalidName):
    """An availability zone name with a ':' (it would read as zone:host) or edge spaces."""


@FORMAT_CHECKER.checks('az_name', raises=InvalidAzName)
def _check_az_name(instance):
    if not isinstance(instance, str):
        return True
    if ':' in instance or not _NAME_RE.match(instance):
        raise InvalidAzName("An invalid 'availability_zone' value was provided. The "
                            "availability_zone must be: printable characters except ':'. "
                            "Can not start or end with whitespace.")
    return True


# (string or null in one schema, not a oneOf: an error then says what is wrong with the name)
_AZ_NAME = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255, 'format': 'az_name'}
# Nova's update also accepts names with surrounding spaces (the API strips them).
_AGGREGATE_NAME_SPACES = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[a-zA-Z0-9-._]*$'}

AGGREGATE_CREATE = _object({'aggregate': _object(
    {'name': NAME, 'availability_zone': _AZ_NAME}, ['name'])}, ['aggregate'])
AGGREGATE_UPDATE = _object({'aggregate': _object(
    {'name': _AGGREGATE_NAME_SPACES, 'availability_zone': _AZ_NAME},
    anyOf=[{'required': ['name']}, {'required': ['availability_zone']}])}, ['aggregate'])
AGGREGATE_ADD_HOST = _object({'add_host': _object({'host': _HOST}, ['host'])}, ['add_host'])
AGGREGATE_REMOVE_HOST = _object({'remove_host': _object({'host': _HOST}, ['host'])},
                                ['remove_host'])
# as server metadata, but a null value deletes the key
AGGREGATE_SET_METADATA = _object({'set_metadata': _object({'metadata': {
    'type': 'object',
    'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {'type': ['string', 'null'],
                                                       'maxLength': 255}},
    'additionalProperties': False}}, ['metadata'])}, ['set_metadata'])


# -- networking (nova-network's APIs: os-networks, os-floating-ips, os-interface, actions) --

@FORMAT_CHECKER.checks('ip-address')
def _check_ip_address(instance):
    if not isinstance(instance, str):
        return True
    try:
        netaddr.IPAddress(instance)
    except (netaddr.AddrFormatError, ValueError):
        return False
    return True


@FORMAT_CHECKER.checks('cidr')
def _check_cidr(instance):
    if not isinstance(instance, str):
        return True
    if '/' not in instance:
        return False
    try:
        netaddr.IPNetwork(instance)
    except (netaddr.AddrFormatError, ValueError):
        return False
    return True


IP_ADDRESS = {'type': 'string', 'format': 'ip-address'}
_UUID = {'type': 'string', 'format': 'uuid'}

ADD_FLOATING_IP = _object({'addFloatingIp': _object(
    {'address': IP_ADDRESS, 'fixed_address': IP_ADDRESS}, ['address'])}, ['addFloatingIp'])
REMOVE_FLOATING_IP = _object({'removeFloatingIp': _object(
    {'address': IP_ADDRESS}, ['address'])}, ['removeFloatingIp'])
ADD_FIXED_IP = _object({'addFixedIp': _object(
    {'networkId': {'type': ['string', 'integer'], 'minLength': 1}}, ['networkId'])},
    ['addFixedIp'])
REMOVE_FIXED_IP = _object({'removeFixedIp': _object(
    {'address': IP_ADDRESS}, ['address'])}, ['removeFixedIp'])

# the body is optional ({} or none allocates from the default pool)
FLOATING_IP_CREATE = _object({'pool': {'type': ['string', 'null'], 'minLength': 1,
                                       'maxLength': 255}})

_VLAN = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1,
         'maximum': 4094}
NETWORK_CREATE = _object({'network': _object({
    'label': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'cidr': {'type': 'string', 'format': 'cidr'},
    'project_id': {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255},
    'multi_host': BOOLEAN,
    'gateway': {'type': 'string', 'format': 'ipv4'},
    'bridge': {'type': 'string', 'minLength': 1, 'maxLength': 15},
    'bridge_interface': {'type': 'string', 'minLength': 1, 'maxLength': 15},
    'dns1': IP_ADDRESS,
    'dns2': IP_ADDRESS,
    'vlan': _VLAN,
    'vlan_start': _VLAN,
    'priority': {'type': 'integer', 'minimum': 0},
}, ['label', 'cidr'])}, ['network'])
NETWORK_ADD = _object({'id': {'type': ['string', 'null']}}, ['id'])
NETWORK_ASSOCIATE_HOST = _object({'associate_host': {
    'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[a-zA-Z0-9-._]*$'}},
    ['associate_host'])

INTERFACE_ATTACH = _object({'interfaceAttachment': _object({
    'net_id': _UUID,
    'port_id': _UUID,
    'fixed_ips': {'type': 'array', 'minItems': 1, 'maxItems': 1,
                  'items': _object({'ip_address': IP_ADDRESS}, ['ip_address'])},
})})
