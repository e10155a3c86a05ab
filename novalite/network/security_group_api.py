"""Security groups: validation, quotas and records (Nova's nova-network SecurityGroupAPI).

Ingress rules only: a rule opens a protocol and port range (or an ICMP type and
code) from a CIDR or from the members of another group.  Every change that
alters some server's firewall casts ``refresh_instance_security_rules`` to that
server's compute host (``compute_rpcapi`` may be None in unit tests).  Groups are
returned as Nova's API bodies: ``{'id', 'name', 'description', 'tenant_id',
'rules': [{'id', 'parent_group_id', 'ip_protocol', 'from_port', 'to_port',
'ip_range': {'cidr'} | {}, 'group': {'name', 'tenant_id'} | {}}]}``.
"""

import urllib.parse

import netaddr
from oslo_log import log as logging

from novalite import exception
from novalite.compute import quotas as quota_mod
from novalite.db import security_groups as db_security_groups

LOG = logging.getLogger(__name__)

DEFAULT_GROUP = db_security_groups.DEFAULT_GROUP
PROTOCOLS = ('tcp', 'udp', 'icmp')


def _invalid(message):
    return exception.Invalid(message)


def validate_property(value, name):
    """A group's name or description: a string of 1-255 characters once stripped."""
    try:
        value = value.strip()
    except AttributeError:
        raise _invalid('Security group %s is not a string or unicode' % name) from None
    if len(value) < 1:
        raise _invalid('%s has a minimum character requirement of 1.' % name)
    if len(value) > 255:
        raise _invalid('%s has more than 255 characters.' % name)
    return value


def validate_id(value):
    """A group id as an int (Nova's 'Security group id should be integer')."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _invalid('Security group id should be integer') from None


def parse_cidr(cidr):
    """The rule's source network (0.0.0.0/0 when none); 400 for a bad one."""
    if not cidr:
        return '0.0.0.0/0'
    cidr = urllib.parse.unquote(str(cidr))
    try:
        network = netaddr.IPNetwork(cidr)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise _invalid('%s is not a valid IP network.' % cidr) from None
    if '/' not in cidr:
        raise _invalid('%s is not a valid IP network.' % cidr)
    if str(network.ip) not in ('0.0.0.0', '::') and network.prefixlen == 0:
        raise _invalid('Bad prefix for network in cidr %s' % cidr)
    return cidr


def new_ingress_rule(ip_protocol, from_port, to_port, cidr=None, group_id=None):
    """The rule's values, validated as Nova does; None when a CIDR rule lacks protocol or
    ports ("Not enough parameters to build a valid rule.")."""
    values = {'protocol': None, 'from_port': None, 'to_port': None, 'cidr': None,
              'group_id': None}
    if group_id is not None:
        values['group_id'] = validate_id(group_id)
    else:
        values['cidr'] = parse_cidr(cidr)
    if ip_protocol is None or ip_protocol == '' or from_port is None or to_port is None:
        # a group rule without protocol and ports opens everything to the group's members
        return None if group_id is None else values
    protocol = str(ip_protocol).lower()
    try:
        from_port, to_port = int(from_port), int(to_port)
    except (TypeError, ValueError):
        if protocol == 'icmp':
            raise _invalid('Invalid input received: Type and Code must be integers for ICMP '
                           'protocol type') from None
        raise _invalid('Invalid input received: To and From ports must be integers') from None
    if protocol not in PROTOCOLS:
        raise _invalid('Invalid IP protocol %s.' % ip_protocol)
    if protocol in ('tcp', 'udp'):
        if from_port > to_port:
            raise _invalid('Invalid port range %s:%s. Former value cannot be greater than the '
                           'later' % (from_port, to_port))
        if from_port < 1 or to_port > 65535:
            raise _invalid('Invalid port range %s:%s. Valid %s ports should be between '
                           '1-65535' % (from_port, to_port, protocol.upper()))
    elif not (-1 <= from_port <= 255 and -1 <= to_port <= 255):
        raise _invalid('Invalid port range %s:%s. For ICMP, the type:code must be valid'
                       % (from_port, to_port))
    values.update(protocol=protocol, from_port=from_port, to_port=to_port)
    return values


def rule_view(rule):
    """Nova's body of one rule."""
    body = {'id': rule['id'], 'parent_group_id': rule['parent_group_id'],
            'ip_protocol': rule['protocol'], 'from_port': rule['from_port'],
            'to_port': rule['to_port'], 'group': {}, 'ip_range': {}}
    if rule.get('group_id') is not None:
        grantee = rule.get('grantee') or {}
        body['group'] = {'name': grantee.get('name'), 'tenant_id': grantee.get('project_id')}
    else:
        body['ip_range'] = {'cidr': rule['cidr']}
    return body


def group_view(group):
    """Nova's body of one group."""
    return {'id': group['id'], 'name': group['name'], 'description': group['description'],
            'tenant_id': group['project_id'],
            'rules': [rule_view(r) for r in group.get('rules', ())]}


class SecurityGroupAPI:
    """Create, list, change and delete groups and rules; add and remove them on servers."""

    def __init__(self, conf, db, compute_rpcapi=None):
        self.conf = conf
        self.db = db
        self.compute_rpcapi = compute_rpcapi
        self.quotas = quota_mod.QuotaEngine(conf, db)

    # -- groups ---------------------------------------------------------------------------

    def _get(self, ctx, group_id):
        """The group record if the caller may see it (any project for admins)."""
        return self.db.security_group_get(
            group_id, project_id=None if ctx.is_admin else ctx.project_id)

    def ensure_default(self, ctx):
        """The caller's project's ``default`` group, created on first need."""
        return group_view(self.db.security_group_ensure_default(ctx.project_id, ctx.user_id))

    def list(self, ctx, all_tenants=False):
        """The project's groups (its default one made first); every project's for an admin
        asking ``all_tenants``.  Sorted by tenant then name, as Nova's index."""
        self.ensure_default(ctx)
        project = None if (all_tenants and ctx.is_admin) else ctx.project_id
        groups = [group_view(g) for g in self.db.security_group_get_all(project)]
        return sorted(groups, key=lambda g: (g['tenant_id'] or '', g['name']))

    def get(self, ctx, group_id):
        return group_view(self._get(ctx, validate_id(group_id)))

    def get_by_name(self, ctx, name):
        """The caller's project's group called ``name`` (SecurityGroupNotFound)."""
        return group_view(self.db.security_group_get_by_name(ctx.project_id, name))

    def create(self, ctx, name, description):
        """A new group in the caller's project (quota ``security_groups``)."""
        name = validate_property(name, 'name')
        description = validate_property(description, 'description')
        self.ensure_default(ctx)
        limit = self.quotas.get_limits(ctx.project_id)['security_groups']
        if 0 <= limit <= self.db.security_group_count_by_project(ctx.project_id):
            raise exception.QuotaExceeded('Quota exceeded, too many security groups.')
        return group_view(self.db.security_group_create(ctx.project_id, ctx.user_id, name,
                                                        description))

    def update(self, ctx, group_id, name, description):
        """Rename and describe; never the ``default`` group (400, as Nova)."""
        group = self._get(ctx, validate_id(group_id))
        name = validate_property(name, 'name')
        description = validate_property(description, 'description')
        if group['name'] == DEFAULT_GROUP:
            raise _invalid("Unable to update system group '%s'" % DEFAULT_GROUP)
        return group_view(self.db.security_group_update(group['id'], name, description))

    def destroy(self, ctx, group_id):
        """Delete a group no server uses; never the ``default`` one (SecurityGroupInUse)."""
        group = self._get(ctx, validate_id(group_id))
        if group['name'] == DEFAULT_GROUP:
            raise exception.SecurityGroupInUse(
                "Unable to delete system group '%s'" % DEFAULT_GROUP, name=DEFAULT_GROUP,
                reason='it is the default group')
        if self.db.security_group_in_use(group['id']):
            raise exception.SecurityGroupInUse('Security group is still in use',
                                               name=group['name'], reason='servers use it')
        # servers of groups that name this one as a source lose those rules
        affected = self.db.security_group_instance_uuids(
            self.db.security_group_ids_granting(group['id']))
        self.db.security_group_destroy(group['id'])
        self._refresh(ctx, affected)

    # -- rules ----------------------------------------------------------------------------

    def add_rule(self, ctx, parent_group_id, ip_protocol, from_port, to_port, cidr=None,
                 group_id=None):
        """A new ingress rule (quota ``security_group_rules`` per group); 400 for a bad one,
        SecurityGroupRuleExists for a duplicate, SecurityGroupNotFound for either group."""
        parent = self._get(ctx, validate_id(parent_group_id))
        if group_id is not None:
            group_id = validate_id(group_id)
            self._get(ctx, group_id)
        values = new_ingress_rule(ip_protocol, from_port, to_port, cidr=cidr,
                                  group_id=group_id)
        if values is None:
            raise _invalid('Not enough parameters to build a valid rule.')
        values['parent_group_id'] = parent['id']
        for rule in parent['rules']:
            if all(rule[k] == values[k] for k in db_security_groups.RULE_IDENTITY):
                raise exception.SecurityGroupRuleExists(group=parent['id'])
        limit = self.quotas.get_limits(ctx.project_id)['security_group_rules']
        if 0 <= limit <= self.db.security_group_rule_count_by_group(parent['id']):
            raise exception.QuotaExceeded('Quota exceeded, too many security group rules.')
        rule = self.db.security_group_rule_create(values)
        self._refresh(ctx, self.db.security_group_instance_uuids([parent['id']]))
        return rule_view(rule)

    def remove_rule(self, ctx, rule_id):
        rule = self.db.security_group_rule_get(rule_id)
        self._get(ctx, rule['parent_group_id'])  # the caller's own group (or admin)
        self.db.security_group_rule_destroy(rule['id'])
        self._refresh(ctx, self.db.security_group_instance_uuids([rule['parent_group_id']]))

    # -- servers --------------------------------------------------------------------------

    def get_instance_security_groups(self, ctx, instance_uuid):
        """The server's groups as API bodies, by name."""
        return [group_view(g) for g in self.db.security_group_get_by_instance(instance_uuid)]

    def resolve_names(self, ctx, names):
        """The ids of the caller's groups ``names`` (``default`` when none; made on first
        need); SecurityGroupNotFound naming the first missing one."""
        names = list(dict.fromkeys(names or [DEFAULT_GROUP]))
        ids = self.db.security_group_ids_by_name(ctx.project_id, names)
        if DEFAULT_GROUP in names and DEFAULT_GROUP not in ids:
            ids[DEFAULT_GROUP] = self.db.security_group_ensure_default(
                ctx.project_id, ctx.user_id)['id']
        for name in names:
            if name not in ids:
                raise exception.SecurityGroupNotFound(security_group_id=name)
        return [ids[name] for name in names]

    def populate_instances(self, ctx, instance_uuids, group_ids):
        """Record new servers' groups (ids from :meth:`resolve_names`).  No refresh: each
        server's firewall is built at spawn."""
        self.db.instances_add_security_groups(instance_uuids, group_ids)

    def populate_instance(self, ctx, instance_uuid, names):
        """Record a new server's groups by name (``default`` when none is named)."""
        self.populate_instances(ctx, [instance_uuid], self.resolve_names(ctx, names))

    def add_to_instance(self, ctx, instance, name):
        """Put the server in the caller's group ``name`` (400 if it already is)."""
        group = self._by_name_for(ctx, instance, name)
        if not self.db.instance_add_security_group(instance.uuid, group['id']):
            raise _invalid('Security group %s is already associated with the instance %s'
                           % (name, instance.uuid))
        self._refresh_membership(ctx, instance, group['id'])

    def remove_from_instance(self, ctx, instance, name):
        """Take the server out of group ``name`` (400 if it is not in it)."""
        group = self._by_name_for(ctx, instance, name)
        if not self.db.instance_remove_security_group(instance.uuid, group['id']):
            raise _invalid('Security group %s not associated with the instance %s'
                           % (name, instance.uuid))
        self._refresh_membership(ctx, instance, group['id'])

    def _by_name_for(self, ctx, instance, name):
        """Group ``name`` of the server's project (an admin may act on others' servers)."""
        if name == DEFAULT_GROUP:
            return self.db.security_group_ensure_default(instance.project_id, instance.user_id)
        return self.db.security_group_get_by_name(instance.project_id, name)

    # -- firewall refreshes ---------------------------------------------------------------

    def _refresh_membership(self, ctx, instance, group_id):
        """The server itself, and the members of groups that admit ``group_id``'s members."""
        uuids = {instance.uuid}
        uuids.update(self.db.security_group_instance_uuids(
            self.db.security_group_ids_granting(group_id)))
        self._refresh(ctx, sorted(uuids))

    def _refresh(self, ctx, instance_uuids):
        """Cast refresh_instance_security_rules to each placed live server's host."""
        if self.compute_rpcapi is None or not instance_uuids:
            return
        locations = self.db.instance_get_locations(instance_uuids)
        for uuid in sorted(locations):
            host = locations[uuid][0]
            try:
                self.compute_rpcapi.refresh_instance_security_rules(ctx, host, uuid)
            except Exception:  # a cast that cannot be sent must not undo the change
                LOG.exception('Could not ask %s to refresh the firewall of %s', host, uuid)
