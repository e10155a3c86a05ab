"""Policy enforcement: one oslo.policy Enforcer per app, built from the app's ConfigOpts."""

from oslo_policy import policy as oslo_policy

from novalite import exception
from novalite.api import policies


def make_enforcer(conf):
    """An Enforcer knowing every default rule; ``[oslo_policy] policy_file`` may override.

    The policy file is optional: oslo.policy only reads it when it exists, so the
    coded defaults apply out of the box.
    """
    enforcer = oslo_policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    enforcer.load_rules()
    # Without a policy file or directory oslo.policy would search the config
    # directories for one on every check (a fifth of a boot request's time);
    # with one it only stats it to notice edits, so keep that behaviour then.
    paths = [conf.oslo_policy.policy_file] + list(conf.oslo_policy.policy_dirs)
    if all(conf.find_file(path) is None for path in paths):
        enforcer.use_conf = False
    return enforcer


def credentials(ctx):
    """What rules check: the context's policy values plus ``is_admin``."""
    creds = dict(ctx.to_policy_values())
    creds['is_admin'] = bool(ctx.is_admin)
    return creds


def authorize(enforcer, ctx, action, target=None):
    """Raise PolicyNotAuthorized (403) unless ``ctx`` may do ``action`` on ``target``.

    The default target is the caller's own project and user, which is what
    "owner" rules compare with for requests that name no existing object.
    """
    if target is None:
        target = {'project_id': ctx.project_id, 'user_id': ctx.user_id}
    return enforcer.authorize(action, target, credentials(ctx), do_raise=True,
                              exc=exception.PolicyNotAuthorized, action=action)


def check(enforcer, ctx, action, target=None):
    """True if allowed (for fields shown only to some callers)."""
    if target is None:
        target = {'project_id': ctx.project_id, 'user_id': ctx.user_id}
    return enforcer.authorize(action, target, credentials(ctx), do_raise=False)
