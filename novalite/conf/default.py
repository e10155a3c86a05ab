"""[DEFAULT] options shared by every service."""

import socket

from oslo_config import cfg

CLI_OPTS = [
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<hostname>',
               help='Name of this node; compute services must each have a distinct host.'),
]

OPTS = [
    cfg.StrOpt('my_ip', default='127.0.0.1',
               help='The address of this host on the management network (routing source of '
                    'SNAT, metadata host, the address consoles are proxied to).'),
    cfg.StrOpt('state_path', default='~/.local/state/novalite',
               help='Directory for state: the default SQLite database, locks.'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between service heartbeats.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='Seconds without a heartbeat after which a service counts as down.'),
    cfg.IntOpt('periodic_interval', default=60, min=1,
               help='Seconds between periodic tasks (resource reports, power-state sync).'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of compute hosts not in an aggregate with a zone.'),
    cfg.StrOpt('default_schedule_zone',
               help='Zone servers are scheduled into when the request names none.'),
]


def register_opts(conf):
    conf.register_cli_opts(CLI_OPTS)
    conf.register_opts(OPTS)


def list_opts():
    return [(None, CLI_OPTS + OPTS)]
