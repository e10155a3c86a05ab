"""Host aggregates and availability zones: Nova's rules over the aggregate records.

A zone is the ``availability_zone`` metadata of an aggregate.  A compute host
is in the zone of its zoned aggregates, else in ``default_availability_zone``;
every other service is in the ``internal`` zone.  A host may be in several
aggregates but never in two zones, which is what adding hosts and changing a
zone are checked against.  Errors carry Nova's messages: a failed add_host is
a 409, a refused update, metadata change or delete a 400.
"""

from oslo_log import log as logging

from novalite import exception
from novalite.objects.aggregate import AZ_KEY

LOG = logging.getLogger(__name__)

COMPUTE_BINARY = 'novalite-compute'
INTERNAL_ZONE = 'internal'

# Nova's InvalidAggregateAction* messages, by action.
ACTION_ADD = 'Cannot add host to aggregate %s. Reason: %s.'
ACTION_DELETE = 'Cannot remove host from aggregate %s. Reason: %s.'
ACTION_UPDATE = 'Cannot update aggregate %s. Reason: %s.'
ACTION_UPDATE_META = 'Cannot update metadata of aggregate %s. Reason: %s.'


def _refuse(action, aggregate_id, reason):
    message = action % (aggregate_id, reason)
    # Nova answers a refused add_host with 409, the other refusals with 400.
    if action == ACTION_ADD:
        return exception.Conflict(message)
    return exception.Invalid(message)


# -- zones -------------------------------------------------------------------------------

def host_zones(db):
    """``{host: 'az1'}`` for hosts in zoned aggregates (``'az1,az2'`` if in several)."""
    return {host: ','.join(zones) for host, zones in db.aggregate_host_zones().items()}


def service_zone(conf, service, zones_by_host):
    """The zone of a service: computes by aggregate (or the default), others internal."""
    if service.binary != COMPUTE_BINARY:
        return INTERNAL_ZONE
    return zones_by_host.get(service.host) or conf.default_availability_zone


def available_zones(conf, db):
    """Zones a server may ask for: those of the enabled compute services, and the default."""
    zones_by_host = host_zones(db)
    zones = {conf.default_availability_zone}
    for service in db.service_get_all(binary=COMPUTE_BINARY):
        if not service.disabled:
            zones.update(service_zone(conf, service, zones_by_host).split(','))
    return zones


# -- aggregates --------------------------------------------------------------------------

class AggregateAPI:
    """Create, change and delete host aggregates, as Nova's compute AggregateAPI."""

    def __init__(self, conf, db, notifier=None):
        self.conf = conf
        self.db = db
        self.notifier = notifier

    def get(self, ctx, aggregate_id):
        return self.db.aggregate_get(aggregate_id)

    def get_all(self, ctx):
        return self.db.aggregate_get_all()

    def create(self, ctx, name, availability_zone=None):
        """A new aggregate, in zone ``availability_zone`` if given; 409 if the name is taken."""
        payload = {'name': name}
        if availability_zone:
            payload['meta_data'] = {AZ_KEY: availability_zone}
        self._notify(ctx, 'create.start', payload)
        aggregate = self.db.aggregate_create(name, availability_zone=availability_zone)
        self._notify(ctx, 'create.end', dict(payload, aggregate_id=aggregate.id,
                                             uuid=aggregate.uuid))
        return aggregate

    def update(self, ctx, aggregate_id, values):
        """Rename and/or move to another zone (checked as Nova's ``is_safe_to_update_az``)."""
        aggregate = self.db.aggregate_get(aggregate_id)
        values = dict(values)
        self._check_az(ctx, values, aggregate, ACTION_UPDATE, check_instances=True)
        payload = dict(values, aggregate_id=aggregate.id)
        self._notify(ctx, 'updateprop.start', payload)
        aggregate = self.db.aggregate_update(aggregate.id, values)
        self._notify(ctx, 'updateprop.end', payload)
        return aggregate

    def update_metadata(self, ctx, aggregate_id, metadata):
        """Set metadata keys (None deletes one); a zone change is checked like update's."""
        aggregate = self.db.aggregate_get(aggregate_id)
        self._check_az(ctx, metadata, aggregate, ACTION_UPDATE_META, check_instances=True)
        payload = {'aggregate_id': aggregate.id, 'meta_data': dict(metadata)}
        self._notify(ctx, 'updatemetadata.start', payload)
        aggregate = self.db.aggregate_metadata_update(aggregate.id, metadata)
        self._notify(ctx, 'updatemetadata.end', payload)
        return aggregate

    def delete(self, ctx, aggregate_id):
        """Delete an empty aggregate; 400 while it still has hosts."""
        payload = {'aggregate_id': aggregate_id}
        self._notify(ctx, 'delete.start', payload)
        aggregate = self.db.aggregate_get(aggregate_id)
        if aggregate.hosts:
            raise _refuse(ACTION_DELETE, aggregate.id, 'Host aggregate is not empty')
        self.db.aggregate_delete(aggregate.id)
        self._notify(ctx, 'delete.end', payload)

    def add_host(self, ctx, aggregate_id, host):
        """Add a compute host: 404 if no compute service has that name, 409 if it is
        already in the aggregate or in another zone than the aggregate's."""
        payload = {'aggregate_id': aggregate_id, 'host_name': host}
        self._notify(ctx, 'addhost.start', payload)
        service = self.db.service_get_by_host_binary(host, COMPUTE_BINARY)
        if service.host != host:
            # a case-insensitive database matched another spelling (as Nova checks)
            raise exception.ComputeHostNotFound(host=host)
        aggregate = self.db.aggregate_get(aggregate_id)
        if AZ_KEY in aggregate.metadata:
            self._check_az(ctx, aggregate.metadata, aggregate, ACTION_ADD, hosts=[host])
        aggregate = self.db.aggregate_host_add(aggregate.id, host)
        self._notify(ctx, 'addhost.end', dict(payload, name=aggregate.name))
        return aggregate

    def remove_host(self, ctx, aggregate_id, host):
        """Remove a host; 404 if it is not in the aggregate.

        Unlike Nova the compute service need not exist any more: a deleted
        service's host can still be taken out of its aggregates.
        """
        payload = {'aggregate_id': aggregate_id, 'host_name': host}
        self._notify(ctx, 'removehost.start', payload)
        try:
            aggregate = self.db.aggregate_host_delete(aggregate_id, host)
        except exception.NotFound:
            raise exception.NotFound('Cannot remove host %s in aggregate %s'
                                     % (host, aggregate_id)) from None
        self._notify(ctx, 'removehost.end', dict(payload, name=aggregate.name))
        return aggregate

    # -- checks and notifications ------------------------------------------------------------

    def _check_az(self, ctx, metadata, aggregate, action, hosts=None, check_instances=False):
        """Nova's ``is_safe_to_update_az``: no empty zone name, no host in two zones, and
        (on a zone change) no instances on the hosts that would change zone."""
        if AZ_KEY not in metadata:
            return
        zone = metadata[AZ_KEY]
        if not zone:
            raise _refuse(action, aggregate.id, 'Aggregate %s does not support empty named '
                                                'availability zone' % aggregate.name)
        hosts = hosts or aggregate.hosts
        conflicting = []
        for host in hosts:
            for other in self.db.aggregate_get_by_host(host, key=AZ_KEY):
                if other.id != aggregate.id and other.availability_zone != zone and \
                        other.availability_zone not in conflicting:
                    conflicting.append(other.availability_zone)
        if conflicting:
            raise _refuse(action, aggregate.id, 'One or more hosts already in availability '
                                                'zone(s) %s' % conflicting)
        if check_instances and hosts and aggregate.availability_zone != zone:
            if self.db.instance_get_all({'host': list(hosts)}, limit=1):
                raise _refuse(action, aggregate.id,
                              'One or more hosts contain instances in this zone')

    def _notify(self, ctx, suffix, payload):
        """Nova's legacy ``aggregate.<suffix>`` notification, published as ``aggregate.<id>``."""
        if self.notifier is None:
            return
        notifier = self.notifier
        identifier = payload.get('aggregate_id') or payload.get('name')
        if hasattr(notifier, 'prepare'):
            notifier = notifier.prepare(publisher_id='aggregate.%s' % identifier)
        try:
            notifier.info(ctx, 'aggregate.%s' % suffix, payload)
        except Exception:  # a notification never fails the operation it reports
            LOG.exception('Failed to send aggregate.%s notification', suffix)
