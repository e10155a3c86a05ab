"""AggregateImagePropertiesIsolation: image properties must match the host's aggregate metadata."""

from novalite.scheduler import interfaces
from novalite_plugins.scheduler.filters import aggregate_metadata
from novalite_plugins.scheduler.filters import options

OPTS = [options.AGGREGATE_IMAGE_NAMESPACE, options.AGGREGATE_IMAGE_SEPARATOR]


def list_opts():
    return [(options.GROUP, OPTS)]


class AggregateImagePropertiesIsolation(interfaces.BaseFilter):
    """Rejects hosts whose aggregate metadata key names an image property with another value.

    For each metadata key of the host's aggregates (only keys starting with
    ``namespace + separator`` when a namespace is set) that the image also
    has as a property, ``str(property)`` must be one of the key's values
    (comma-separated, over all the host's aggregates).  An image without the
    property passes.  Reads ``[filter_scheduler]
    aggregate_image_properties_isolation_namespace`` and ``_separator``.
    """

    @classmethod
    def register_opts(cls, conf):
        options.register(conf, OPTS)

    def __init__(self, conf):
        super().__init__(conf)
        group = conf[options.GROUP]
        namespace = group.aggregate_image_properties_isolation_namespace
        separator = group.aggregate_image_properties_isolation_separator or ''
        self.prefix = namespace + separator if namespace else ''

    def prepare(self, spec, cycle_state):
        cycle_state['AggregateImagePropertiesIsolation'] = self._props(spec)

    def _props(self, spec):
        """The image properties that can be isolated: set, and under the namespace."""
        props = (spec.image or {}).get('properties') or {}
        return {key: str(value) for key, value in props.items()
                if value and key.startswith(self.prefix)}

    @staticmethod
    def _failed(host_state, props):
        """The first (key, image value, allowed values) that conflicts, or None."""
        metadata = aggregate_metadata.metadata_by_key(host_state)
        for key, value in props.items():
            allowed = metadata.get(key)
            if allowed is not None and value not in allowed:
                return key, value, allowed
        return None

    def host_passes(self, host_state, spec, cycle_state):
        props = cycle_state.get('AggregateImagePropertiesIsolation')
        if props is None:
            props = self._props(spec)
        if not props or not host_state.aggregates:
            return True
        return self._failed(host_state, props) is None

    def reject_reason(self, host_state, spec, cycle_state):
        failed = self._failed(host_state, self._props(spec))
        if failed is None:
            return 'image properties match'
        key, value, allowed = failed
        return 'image %s=%r, aggregates allow %s' % (key, value, ', '.join(sorted(allowed)))
