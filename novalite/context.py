"""Request context: who is asking, carried through the API, RPC and notifications."""

from oslo_context import context as oslo_context


class RequestContext(oslo_context.RequestContext):
    """oslo.context's RequestContext; ``is_admin`` decides admin-only views and actions."""

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(values)


def get_admin_context():
    """A context for services acting on their own behalf."""
    return RequestContext(user_id='novalite', project_id='service', is_admin=True,
                          roles=['admin'], overwrite=False)
