"""[database] options."""

from oslo_config import cfg

GROUP = 'database'

OPTS = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL.  Unset: SQLite file novalite.sqlite under state_path '
                    '(WAL mode).  E.g. mysql+pymysql://user:pw@127.0.0.1/novalite or '
                    'postgresql+psycopg://user@127.0.0.1/novalite.'),
    cfg.IntOpt('max_pool_size', default=10, help='Connections kept in the pool (server databases).'),
    cfg.IntOpt('max_overflow', default=20, help='Extra connections allowed beyond the pool.'),
    cfg.BoolOpt('connection_debug', default=False, help='Log every SQL statement.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
