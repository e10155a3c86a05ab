"""Database queries for security groups, their rules and server associations (a mixin of Database).

Groups belong to a project and are unique by (project, name); deleting one
removes its rules, the rules of other groups that name it as their source, and
its server associations (the rows are hard-deleted, as the tables have no
``deleted`` column).  Rows come back as plain dicts:

- group: ``{'id', 'name', 'description', 'project_id', 'user_id', 'rules': [rule]}``
- rule: ``{'id', 'parent_group_id', 'protocol', 'from_port', 'to_port', 'cidr', 'group_id',
  'grantee': {'name', 'project_id'} | None}`` (``grantee`` is the source group of a
  group rule).
"""

import sqlalchemy as sa

from novalite import exception
from novalite.db import models
from novalite.db.common import retry_on_deadlock
from novalite.utils import utcnow

T_GROUPS = models.SecurityGroup.__table__
T_RULES = models.SecurityGroupRule.__table__
T_ASSOC = models.SecurityGroupInstanceAssociation.__table__
T_INSTANCES = models.Instance.__table__
T_FIXED_IPS = models.FixedIp.__table__

DEFAULT_GROUP = 'default'
_GROUP_FIELDS = ('id', 'name', 'description', 'project_id', 'user_id')
_RULE_FIELDS = ('id', 'parent_group_id', 'protocol', 'from_port', 'to_port', 'cidr', 'group_id')
# what makes two rules of one group the same rule
RULE_IDENTITY = ('protocol', 'from_port', 'to_port', 'cidr', 'group_id')


def _group_id(group_id):
    try:
        return int(group_id)
    except (TypeError, ValueError):
        raise exception.SecurityGroupNotFound(security_group_id=group_id) from None


class SecurityGroupsMixin:
    """Security group queries; mixed into :class:`novalite.db.api.Database`."""

    # -- reads ----------------------------------------------------------------------------

    @staticmethod
    def _groups_with_rules(conn, rows):
        """Group dicts with their rules (two queries for any number of groups)."""
        groups = {}
        for row in rows:
            group = {k: row._mapping[k] for k in _GROUP_FIELDS}
            group['rules'] = []
            groups[group['id']] = group
        if groups:
            for rule in SecurityGroupsMixin._rules(conn, T_RULES.c.parent_group_id.in_(
                    list(groups))):
                groups[rule['parent_group_id']]['rules'].append(rule)
        return list(groups.values())

    @staticmethod
    def _rules(conn, *where):
        """Rule dicts matching ``where``, each with its source group's name and project."""
        source = T_GROUPS.alias('source')
        query = sa.select(T_RULES, source.c.name.label('grantee_name'),
                          source.c.project_id.label('grantee_project_id')).select_from(
            T_RULES.outerjoin(source, source.c.id == T_RULES.c.group_id)).where(
            *where).order_by(T_RULES.c.id)
        rules = []
        for row in conn.execute(query):
            data = row._mapping
            rule = {k: data[k] for k in _RULE_FIELDS}
            rule['grantee'] = None if data['group_id'] is None else {
                'name': data['grantee_name'], 'project_id': data['grantee_project_id']}
            rules.append(rule)
        return rules

    def security_group_get(self, group_id, project_id=None):
        """One group with its rules; SecurityGroupNotFound unless it exists (in ``project_id``)."""
        query = sa.select(T_GROUPS).where(T_GROUPS.c.id == _group_id(group_id))
        if project_id is not None:
            query = query.where(T_GROUPS.c.project_id == project_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            if not rows:
                raise exception.SecurityGroupNotFound(security_group_id=group_id)
            return self._groups_with_rules(conn, rows)[0]

    def security_group_get_by_name(self, project_id, name):
        """The project's group called ``name``; SecurityGroupNotFound if there is none."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(T_GROUPS).where(
                T_GROUPS.c.project_id == project_id, T_GROUPS.c.name == name)).all()
            if not rows:
                raise exception.SecurityGroupNotFound(security_group_id=name)
            return self._groups_with_rules(conn, rows)[0]

    def security_group_ids_by_name(self, project_id, names):
        """{name: id} of the project's groups among ``names`` (one query, no rules)."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(T_GROUPS.c.name, T_GROUPS.c.id).where(
                T_GROUPS.c.project_id == project_id, T_GROUPS.c.name.in_(list(names)))).all())

    def security_group_get_all(self, project_id=None):
        """Every group (of ``project_id`` when given), by project then name."""
        query = sa.select(T_GROUPS).order_by(T_GROUPS.c.project_id, T_GROUPS.c.name,
                                             T_GROUPS.c.id)
        if project_id is not None:
            query = query.where(T_GROUPS.c.project_id == project_id)
        with self.engine.connect() as conn:
            return self._groups_with_rules(conn, conn.execute(query).all())

    def security_group_count_by_project(self, project_id):
        """How many groups the project has (its ``default`` group included), for quotas."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(T_GROUPS).where(
                T_GROUPS.c.project_id == project_id)).scalar_one()

    def security_group_in_use(self, group_id):
        """True while a live server is associated with the group."""
        query = sa.select(T_ASSOC.c.id).join(
            T_INSTANCES, T_INSTANCES.c.uuid == T_ASSOC.c.instance_uuid).where(
            T_ASSOC.c.security_group_id == _group_id(group_id),
            T_INSTANCES.c.deleted == sa.false()).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def security_group_get_by_instance(self, instance_uuid):
        """The groups (with rules) of one server, by name."""
        query = sa.select(T_GROUPS).join(
            T_ASSOC, T_ASSOC.c.security_group_id == T_GROUPS.c.id).where(
            T_ASSOC.c.instance_uuid == instance_uuid).order_by(T_GROUPS.c.name, T_GROUPS.c.id)
        with self.engine.connect() as conn:
            return self._groups_with_rules(conn, conn.execute(query).all())

    def security_group_names_by_instances(self, instance_uuids):
        """``{uuid: [group name, ...]}`` for many servers in one query (server list views)."""
        uuids = list(instance_uuids)
        names = {uuid: [] for uuid in uuids}
        if not uuids:
            return names
        query = sa.select(T_ASSOC.c.instance_uuid, T_GROUPS.c.name).join(
            T_GROUPS, T_GROUPS.c.id == T_ASSOC.c.security_group_id).where(
            T_ASSOC.c.instance_uuid.in_(uuids)).order_by(T_GROUPS.c.name, T_GROUPS.c.id)
        with self.engine.connect() as conn:
            for uuid, name in conn.execute(query):
                names[uuid].append(name)
        return names

    def security_group_instance_uuids(self, group_ids):
        """The live servers in any of ``group_ids`` (whose firewalls a change affects)."""
        ids = [_group_id(g) for g in group_ids]
        if not ids:
            return []
        query = sa.select(T_ASSOC.c.instance_uuid).join(
            T_INSTANCES, T_INSTANCES.c.uuid == T_ASSOC.c.instance_uuid).where(
            T_ASSOC.c.security_group_id.in_(ids), T_INSTANCES.c.deleted == sa.false()).distinct()
        with self.engine.connect() as conn:
            return sorted(conn.execute(query).scalars())

    def security_group_ids_granting(self, group_id):
        """Ids of the groups with a rule whose source is ``group_id`` (membership changes
        of ``group_id`` change their members' firewalls)."""
        with self.engine.connect() as conn:
            return sorted(conn.execute(sa.select(T_RULES.c.parent_group_id).where(
                T_RULES.c.group_id == _group_id(group_id)).distinct()).scalars())

    def security_group_rule_get(self, rule_id):
        try:
            rule_id = int(rule_id)
        except (TypeError, ValueError):
            raise exception.SecurityGroupRuleNotFound(rule_id=rule_id) from None
        with self.engine.connect() as conn:
            rules = self._rules(conn, T_RULES.c.id == rule_id)
        if not rules:
            raise exception.SecurityGroupRuleNotFound(rule_id=rule_id)
        return rules[0]

    def security_group_rule_get_by_group(self, group_id):
        with self.engine.connect() as conn:
            return self._rules(conn, T_RULES.c.parent_group_id == _group_id(group_id))

    def security_group_rule_count_by_group(self, group_id):
        """How many rules the group has, for the ``security_group_rules`` quota."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(T_RULES).where(
                T_RULES.c.parent_group_id == _group_id(group_id))).scalar_one()

    def security_group_rules_for_instance(self, instance_uuid):
        """The ingress rules of all the server's groups, source groups resolved.

        Each rule is ``{'id', 'parent_group_id', 'protocol', 'from_port', 'to_port',
        'cidr', 'group_id', 'source_ips': [...]}`` where ``source_ips`` lists the fixed
        IPs of the source group's member servers (the server itself included, as in
        Nova) for a group rule, and is empty for a CIDR rule.  Three queries in all.
        """
        with self.engine.connect() as conn:
            group_ids = list(conn.execute(sa.select(T_ASSOC.c.security_group_id).where(
                T_ASSOC.c.instance_uuid == instance_uuid)).scalars())
            if not group_ids:
                return []
            rules = [{k: r[k] for k in _RULE_FIELDS} for r in self._rules(
                conn, T_RULES.c.parent_group_id.in_(group_ids))]
            sources = {r['group_id'] for r in rules if r['group_id'] is not None}
            members = {g: [] for g in sources}
            if sources:
                query = sa.select(T_ASSOC.c.security_group_id, T_FIXED_IPS.c.address).join(
                    T_FIXED_IPS, T_FIXED_IPS.c.instance_uuid == T_ASSOC.c.instance_uuid).join(
                    T_INSTANCES, T_INSTANCES.c.uuid == T_ASSOC.c.instance_uuid).where(
                    T_ASSOC.c.security_group_id.in_(sources),
                    T_INSTANCES.c.deleted == sa.false()).order_by(T_FIXED_IPS.c.id)
                for group, address in conn.execute(query):
                    if address not in members[group]:
                        members[group].append(address)
        for rule in rules:
            rule['source_ips'] = list(members.get(rule['group_id'], ()))
        return rules

    # -- writes ---------------------------------------------------------------------------

    @retry_on_deadlock
    def security_group_create(self, project_id, user_id, name, description=''):
        """A new group without rules; SecurityGroupExists if the project has the name."""
        try:
            with self._write() as conn:
                if conn.execute(sa.select(T_GROUPS.c.id).where(
                        T_GROUPS.c.project_id == project_id,
                        T_GROUPS.c.name == name)).first() is not None:
                    raise exception.SecurityGroupExists(name=name)
                group_id = conn.execute(T_GROUPS.insert().values(
                    name=name, description=description or '', project_id=project_id,
                    user_id=user_id, created_at=utcnow())).inserted_primary_key[0]
        except sa.exc.IntegrityError:
            raise exception.SecurityGroupExists(name=name) from None
        return self.security_group_get(group_id)

    def security_group_ensure_default(self, project_id, user_id=None):
        """The project's ``default`` group, created (without rules) when missing.

        Two callers racing both end up with the one row: the loser's INSERT hits the
        unique constraint and reads the winner's.
        """
        try:
            return self.security_group_get_by_name(project_id, DEFAULT_GROUP)
        except exception.SecurityGroupNotFound:
            pass
        try:
            return self.security_group_create(project_id, user_id, DEFAULT_GROUP, 'default')
        except exception.SecurityGroupExists:
            return self.security_group_get_by_name(project_id, DEFAULT_GROUP)

    @retry_on_deadlock
    def security_group_update(self, group_id, name, description):
        """Rename and describe; SecurityGroupExists if the new name is the project's."""
        group_id = _group_id(group_id)
        try:
            with self._write() as conn:
                row = conn.execute(sa.select(T_GROUPS).where(
                    T_GROUPS.c.id == group_id).with_for_update()).first()
                if row is None:
                    raise exception.SecurityGroupNotFound(security_group_id=group_id)
                if name != row.name and conn.execute(sa.select(T_GROUPS.c.id).where(
                        T_GROUPS.c.project_id == row.project_id,
                        T_GROUPS.c.name == name)).first() is not None:
                    raise exception.SecurityGroupExists(name=name)
                conn.execute(T_GROUPS.update().where(T_GROUPS.c.id == group_id).values(
                    name=name, description=description, updated_at=utcnow()))
        except sa.exc.IntegrityError:
            raise exception.SecurityGroupExists(name=name) from None
        return self.security_group_get(group_id)

    @retry_on_deadlock
    def security_group_destroy(self, group_id):
        """Delete the group, its rules, rules naming it as source, and its associations."""
        group_id = _group_id(group_id)
        with self._write() as conn:
            conn.execute(T_RULES.delete().where(sa.or_(T_RULES.c.parent_group_id == group_id,
                                                       T_RULES.c.group_id == group_id)))
            conn.execute(T_ASSOC.delete().where(T_ASSOC.c.security_group_id == group_id))
            result = conn.execute(T_GROUPS.delete().where(T_GROUPS.c.id == group_id))
        if result.rowcount == 0:
            raise exception.SecurityGroupNotFound(security_group_id=group_id)

    @retry_on_deadlock
    def security_group_rule_create(self, values):
        """A new rule of ``values['parent_group_id']``; SecurityGroupRuleExists if the group
        has the same rule (protocol, ports, cidr, source group)."""
        values = {k: values.get(k) for k in _RULE_FIELDS if k != 'id'}
        with self._write() as conn:
            parent = conn.execute(sa.select(T_GROUPS.c.id).where(
                T_GROUPS.c.id == _group_id(values['parent_group_id'])).with_for_update()).first()
            if parent is None:
                raise exception.SecurityGroupNotFound(
                    security_group_id=values['parent_group_id'])
            if values['group_id'] is not None and conn.execute(sa.select(T_GROUPS.c.id).where(
                    T_GROUPS.c.id == _group_id(values['group_id']))).first() is None:
                raise exception.SecurityGroupNotFound(security_group_id=values['group_id'])
            same = [T_RULES.c.parent_group_id == parent.id]
            for key in RULE_IDENTITY:
                column = T_RULES.c[key]
                same.append(column.is_(None) if values[key] is None else column == values[key])
            if conn.execute(sa.select(T_RULES.c.id).where(*same)).first() is not None:
                raise exception.SecurityGroupRuleExists(group=parent.id)
            rule_id = conn.execute(T_RULES.insert().values(
                created_at=utcnow(), **values)).inserted_primary_key[0]
        return self.security_group_rule_get(rule_id)

    @retry_on_deadlock
    def security_group_rule_destroy(self, rule_id):
        with self._write() as conn:
            result = conn.execute(T_RULES.delete().where(T_RULES.c.id == int(rule_id)))
        if result.rowcount == 0:
            raise exception.SecurityGroupRuleNotFound(rule_id=rule_id)

    @retry_on_deadlock
    def instance_add_security_group(self, instance_uuid, group_id):
        """Associate; False if the server already was in the group."""
        group_id = _group_id(group_id)
        try:
            with self._write() as conn:
                if conn.execute(sa.select(T_ASSOC.c.id).where(
                        T_ASSOC.c.instance_uuid == instance_uuid,
                        T_ASSOC.c.security_group_id == group_id)).first() is not None:
                    return False
                conn.execute(T_ASSOC.insert().values(
                    security_group_id=group_id, instance_uuid=instance_uuid,
                    created_at=utcnow()))
        except sa.exc.IntegrityError:
            return False
        return True

    @retry_on_deadlock
    def instances_add_security_groups(self, instance_uuids, group_ids):
        """Put new servers in groups: every pair, in one transaction."""
        now = utcnow()
        rows = [{'security_group_id': _group_id(g), 'instance_uuid': u, 'created_at': now}
                for u in instance_uuids for g in dict.fromkeys(group_ids)]
        if rows:
            with self._write() as conn:
                conn.execute(T_ASSOC.insert(), rows)

    @retry_on_deadlock
    def instance_remove_security_group(self, instance_uuid, group_id):
        """Dissociate; False if the server was not in the group."""
        with self._write() as conn:
            result = conn.execute(T_ASSOC.delete().where(
                T_ASSOC.c.instance_uuid == instance_uuid,
                T_ASSOC.c.security_group_id == _group_id(group_id)))
        return result.rowcount > 0

