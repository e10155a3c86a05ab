"""Client of the scheduler service."""

from novalite import rpc

TOPIC = 'scheduler'
VERSION = '1.0'


class SchedulerAPI:
    """select_destinations is a call: the conductor waits for the placements."""

    def __init__(self, conf, transport=None):
        self.client = rpc.get_client(conf, TOPIC, VERSION, transport=transport)

    def select_destinations(self, ctx, request_spec):
        """[{host, nodename, limits}] for each instance of the spec, or NoValidHost."""
        return self.client.call(ctx, 'select_destinations', request_spec=request_spec.to_dict())
