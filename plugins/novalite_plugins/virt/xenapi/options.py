"""The ``[xenserver]`` options of the xenapi driver (Nova's group and names where Nova had them)."""

from oslo_config import cfg

GROUP = 'xenserver'

OPTS = [
    cfg.URIOpt('connection_url', schemes=['http', 'https'],
               help='URL of the XenAPI (xapi) endpoint of the pool master, e.g. '
                    'https://xenhost1. Required with compute_driver = xenapi.'),
    cfg.StrOpt('connection_username', default='root',
               help='User name for the XenAPI login.'),
    cfg.StrOpt('connection_password', secret=True,
               help='Password for the XenAPI login (never logged).'),
    cfg.FloatOpt('connection_timeout', default=30.0, min=0.1,
                 help='Seconds a single XenAPI call (including the login) may take before '
                      'the host counts as unreachable.'),
    cfg.BoolOpt('ignore_ssl', default=False,
                help='Do not verify the TLS certificate of an https connection_url '
                     '(self-signed xapi certificates).'),
    cfg.StrOpt('template_name_label', default='Other install media',
               help='Name label of the VM template new instances are cloned from '
                    '(VM.clone). Empty, with template_uuid empty too: VM.create from a '
                    'minimal HVM record instead.'),
    cfg.StrOpt('template_uuid',
               help='UUID of the template to clone; wins over template_name_label.'),
    cfg.StrOpt('sr_name_label', default='Local storage',
               help='Name label of the storage repository that holds instance disks. '
                    'Empty: the pool\'s default SR.'),
    cfg.StrOpt('network_name_label', default='Pool-wide network associated with eth0',
               help='Name label of the XenAPI network instance NICs are plugged into. '
                    'Empty: instances get no NIC.'),
    cfg.StrOpt('vnc_proxyclient_address',
               help='Host the console proxy reaches VNC consoles at. Empty: the host in '
                    'the console record\'s location (the xapi host).'),
    cfg.BoolOpt('use_clean_shutdown', default=True,
                help='Ask the guest to shut down (VM.clean_shutdown / clean_reboot) when '
                     'the compute manager allows a timeout, falling back to a hard '
                     'shutdown if the guest cannot (no PV drivers) or the call fails.'),
]


def list_opts():
    return [(GROUP, OPTS)]
