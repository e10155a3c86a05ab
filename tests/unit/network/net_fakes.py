"""Shared helpers of the network unit tests (imported, not a conftest)."""

import nltest
from novalite.db import api as db_api
from novalite.db import migration


class RecordingLinuxNet:
    """Stands in for LinuxNet: records each call; ``fail`` names methods that raise."""

    def __init__(self):
        self.calls = []
        self.fail = set()

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)

        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name in self.fail:
                raise RuntimeError('%s failed' % name)
        return record

    def named(self, name):
        return [(args, kwargs) for n, args, kwargs in self.calls if n == name]


def make_db(tmp_path):
    db = db_api.Database(url='sqlite:///%s' % (tmp_path / 'net.sqlite'))
    migration.db_sync(db.engine)
    return db


def make_conf(tmp_path, **overrides):
    return nltest.make_conf(tmp_path, **overrides)
