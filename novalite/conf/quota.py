"""[quota] options: Nova's default per-project limits."""

from oslo_config import cfg

GROUP = 'quota'

OPTS = [
    cfg.IntOpt('instances', default=10, min=-1, help='Servers per project (-1: unlimited).'),
    cfg.IntOpt('cores', default=20, min=-1, help='vCPUs per project (-1: unlimited).'),
    cfg.IntOpt('ram', default=51200, min=-1, help='MB of RAM per project (-1: unlimited).'),
    cfg.IntOpt('metadata_items', default=128, min=-1, help='Metadata items per server.'),
    cfg.IntOpt('key_pairs', default=100, min=-1, help='Key pairs per user.'),
    cfg.IntOpt('server_groups', default=10, min=-1, help='Server groups per project.'),
    cfg.IntOpt('server_group_members', default=10, min=-1, help='Servers per server group.'),
    cfg.IntOpt('injected_files', default=5, min=-1,
               help='Files injected per server (reported by os-quota-sets and limits).'),
    cfg.IntOpt('injected_file_content_bytes', default=10240, min=-1,
               help='Bytes per injected file (reported by os-quota-sets and limits).'),
    cfg.IntOpt('injected_file_path_length', default=255, min=-1,
               help='Path length of an injected file (reported by os-quota-sets and limits).'),
    cfg.IntOpt('floating_ips', default=10, min=-1,
               help='Floating IPs allocated per project (-1: unlimited).'),
    cfg.IntOpt('security_groups', default=10, min=-1,
               help='Security groups per project, its default group included (-1: unlimited).'),
    cfg.IntOpt('security_group_rules', default=20, min=-1,
               help='Rules per security group (-1: unlimited).'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
