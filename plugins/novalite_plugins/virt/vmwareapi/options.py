"""The ``[vmware]`` options of the vmwareapi driver (Nova's group and names where Nova had them)."""

from oslo_config import cfg

GROUP = 'vmware'

OPTS = [
    cfg.HostAddressOpt('host_ip',
                       help='Address of the vCenter (or standalone ESXi) SDK endpoint. '
                            'Required with compute_driver = vmwareapi.'),
    cfg.PortOpt('host_port', default=443, help='Port of the SDK endpoint (https).'),
    cfg.StrOpt('host_username', help='User name for the vSphere login.'),
    cfg.StrOpt('host_password', secret=True,
               help='Password for the vSphere login (never logged).'),
    cfg.BoolOpt('insecure', default=False,
                help='Do not verify the server certificate (self-signed vCenter or vcsim '
                     'certificates). With False, ca_file or the system CAs verify it.'),
    cfg.StrOpt('ca_file',
               help='CA bundle that verifies the vCenter certificate; ignored with insecure.'),
    cfg.FloatOpt('connection_timeout', default=30.0, min=0.1,
                 help='Seconds to wait for the SDK endpoint to accept a connection; past '
                      'it the hypervisor counts as unavailable.'),
    cfg.StrOpt('cluster_name',
               help='Name of the vCenter cluster this service manages (its node). Empty: '
                    'the first cluster, or the standalone host of an ESXi endpoint.'),
    cfg.StrOpt('datastore_regex',
               help='Regular expression a datastore name must match to hold instance '
                    'disks; the accessible match with the most free space wins. Empty: any.'),
    cfg.StrOpt('integration_bridge',
               help='Port group (standard or distributed) instance NICs join when '
                    'network_info names no bridge, or names one the cluster lacks. '
                    'Empty: "VM Network".'),
    cfg.StrOpt('vif_model', default='vmxnet3', choices=['vmxnet3', 'e1000'],
               help='Virtual NIC model of instance NICs.'),
    cfg.PortOpt('vnc_port', default=5900,
                help='First port of the range VNC consoles are given on the ESX hosts.'),
    cfg.IntOpt('vnc_port_total', default=10000, min=1,
               help='Number of ports in the VNC range.'),
    cfg.IntOpt('api_retry_count', default=10, min=1,
               help='Times a vSphere call is tried when the connection fails before the '
                    'hypervisor counts as unavailable.'),
    cfg.FloatOpt('task_poll_interval', default=0.5, min=0.0,
                 help='Seconds between polls of a running vSphere task (also the pause '
                      'between connection retries).'),
]


def list_opts():
    return [(GROUP, OPTS)]
