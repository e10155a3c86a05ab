"""``/os-security-group-rules[/{id}]``: add (200) and delete (202) ingress rules.

``{"security_group_rule": {parent_group_id, ip_protocol, from_port, to_port,
cidr | group_id}}``, checked as Nova does (security_group_api): a bad protocol,
port range, ICMP type/code or CIDR is a 400 naming it, a duplicate rule a 400,
the rules quota a 403, an unknown group a 404.  Gone (404) from 2.36.
"""

import falcon

from novalite import exception
from novalite.api.compute import common
from novalite.api.compute import security_groups

RULE = 'os_compute_api:os-security-groups:rule:%s'


class SecurityGroupRuleCollection(common.Resource):
    """``POST /os-security-group-rules``."""

    def on_post(self, req, resp):
        common.require_version(req, maximum=security_groups.MAX_VERSION)
        rule = security_groups.from_body(common.body(req), 'security_group_rule')
        self.authorize(req, RULE % 'create')
        try:
            created = self.backends.security_group_api.add_rule(
                req.context.ctx, rule.get('parent_group_id'), rule.get('ip_protocol'),
                rule.get('from_port'), rule.get('to_port'), cidr=rule.get('cidr'),
                group_id=rule.get('group_id'))
        except exception.SecurityGroupRuleExists as exc:
            raise exception.Invalid('This rule already exists in group %s'
                                    % exc.kwargs.get('group')) from None
        resp.media = {'security_group_rule': created}


class SecurityGroupRule(common.Resource):
    """``DELETE /os-security-group-rules/{security_group_rule_id}``."""

    def on_delete(self, req, resp, security_group_rule_id):
        common.require_version(req, maximum=security_groups.MAX_VERSION)
        self.authorize(req, RULE % 'delete')
        if not str(security_group_rule_id).isdigit():
            raise exception.Invalid('Security group rule id should be integer')
        self.backends.security_group_api.remove_rule(req.context.ctx,
                                                     int(security_group_rule_id))
        resp.status = falcon.HTTP_202
