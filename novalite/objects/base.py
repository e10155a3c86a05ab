"""The base of every novalite record: a dataclass that travels over RPC as a plain dict."""

import dataclasses
import datetime

_DT_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'


def dt_to_str(value):
    """Render a naive-UTC datetime the way it travels over RPC."""
    return value.strftime(_DT_FORMAT) if value is not None else None


def str_to_dt(value):
    """Parse what :func:`dt_to_str` wrote; datetimes pass through."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.strptime(value, _DT_FORMAT)


class Record:
    """Mixin for dataclasses: ``to_dict()``/``from_dict()`` with datetimes as strings.

    Fields whose name ends in ``_at`` hold naive UTC datetimes; everything else
    must already be JSON-friendly.  Unknown keys in ``from_dict`` are ignored so
    a newer peer can add fields without breaking an older one.
    """

    def to_dict(self):
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name.endswith('_at'):
                value = dt_to_str(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data):
        names = cls._field_names()
        kwargs = {}
        for key, value in data.items():
            if key in names:
                kwargs[key] = str_to_dt(value) if key.endswith('_at') else value
        return cls(**kwargs)

    @classmethod
    def _field_names(cls):
        cached = cls.__dict__.get('_novalite_fields')
        if cached is None:
            cached = frozenset(f.name for f in dataclasses.fields(cls))
            setattr(cls, '_novalite_fields', cached)
        return cached

    def update(self, values):
        for key, value in values.items():
            setattr(self, key, value)
