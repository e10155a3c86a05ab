"""novalite-manage: schema migrations, flavors, images, services, hosts, networks, floating IPs.

    novalite-manage [--config-file F] db sync [--version REV]
    novalite-manage db version
    novalite-manage bootstrap                 # Nova's m1.* flavors + the default image
    novalite-manage flavor list | create NAME --ram MB --vcpus N [--disk GB] [--id ID] | delete ID
    novalite-manage image list | create NAME [--min-ram MB] [--min-disk GB] [--size BYTES]
    novalite-manage service list | disable HOST BINARY [--reason R] | enable HOST BINARY
    novalite-manage host list
    novalite-manage network create --label L --fixed_range_v4 CIDR [--num_networks N]
                    [--network_size N] [--vlan V | --vlan_start V] [--bridge B]
                    [--bridge_interface IF] [--multi_host T|F] [--dns1 IP] [--dns2 IP]
                    [--gateway IP] [--project_id P] [--priority N] [--uuid U]
    novalite-manage network list [--host H]
    novalite-manage network delete --fixed_range CIDR | --uuid U
    novalite-manage network modify --fixed_range CIDR [--project P] [--host H]
                    [--disassociate-project] [--disassociate-host]
    novalite-manage floating create --ip_range CIDR [--pool P] [--interface IF]
    novalite-manage floating list [--pool P]
    novalite-manage floating delete --ip_range CIDR

Errors exit 1 with one line on stderr.
"""

import argparse
import sys

from novalite import bootstrap
from novalite import context as nl_context
from novalite import exception
from novalite import servicegroup
from novalite.cmd import common
from novalite.db import api as db_api
from novalite.db import migration
from novalite.network import api as network_api

PROG = 'novalite-manage'


def _parser():
    parser = argparse.ArgumentParser(prog=PROG, description='Administer a novalite deployment.')
    sub = parser.add_subparsers(dest='category', required=True)

    db = sub.add_parser('db', help='database schema').add_subparsers(dest='action',
                                                                    required=True)
    sync = db.add_parser('sync', help='create or upgrade the schema')
    sync.add_argument('--version', default='head')
    db.add_parser('version', help='print the schema revision')

    sub.add_parser('bootstrap', help="create Nova's default flavors and image")

    flavor = sub.add_parser('flavor', help='flavors').add_subparsers(dest='action',
                                                                     required=True)
    flavor.add_parser('list')
    create = flavor.add_parser('create')
    create.add_argument('name')
    create.add_argument('--ram', type=int, required=True, help='MB')
    create.add_argument('--vcpus', type=int, required=True)
    create.add_argument('--disk', type=int, default=0, help='root disk GB')
    create.add_argument('--ephemeral', type=int, default=0)
    create.add_argument('--swap', type=int, default=0, help='MB')
    create.add_argument('--id', dest='flavorid')
    create.add_argument('--private', action='store_true')
    delete = flavor.add_parser('delete')
    delete.add_argument('flavorid')

    image = sub.add_parser('image', help='the local image registry').add_subparsers(
        dest='action', required=True)
    image.add_parser('list')
    icreate = image.add_parser('create')
    icreate.add_argument('name')
    icreate.add_argument('--min-ram', type=int, default=0)
    icreate.add_argument('--min-disk', type=int, default=0)
    icreate.add_argument('--size', type=int, default=0)
    icreate.add_argument('--disk-format', default='qcow2')

    service = sub.add_parser('service', help='services').add_subparsers(dest='action',
                                                                        required=True)
    service.add_parser('list')
    for name in ('enable', 'disable'):
        p = service.add_parser(name)
        p.add_argument('host')
        p.add_argument('binary')
        if name == 'disable':
            p.add_argument('--reason')

    host = sub.add_parser('host', help='compute hosts').add_subparsers(dest='action',
                                                                       required=True)
    host.add_parser('list')
    _network_parsers(sub)
    return parser


def _network_parsers(sub):
    """Nova's nova-manage network / floating options (underscored names as in Nova)."""
    network = sub.add_parser('network', help='fixed networks').add_subparsers(
        dest='action', required=True)
    ncreate = network.add_parser('create')
    ncreate.add_argument('--label', required=True)
    ncreate.add_argument('--fixed_range_v4', '--cidr', dest='cidr', required=True,
                         help='IPv4 subnet, e.g. 10.0.0.0/16')
    ncreate.add_argument('--num_networks', type=int)
    ncreate.add_argument('--network_size', type=int)
    ncreate.add_argument('--vlan', type=int)
    ncreate.add_argument('--vlan_start', type=int)
    ncreate.add_argument('--bridge')
    ncreate.add_argument('--bridge_interface')
    ncreate.add_argument('--multi_host', choices=['T', 'F'])
    ncreate.add_argument('--dns1')
    ncreate.add_argument('--dns2')
    ncreate.add_argument('--gateway')
    ncreate.add_argument('--project_id')
    ncreate.add_argument('--priority', type=int)
    ncreate.add_argument('--uuid')
    nlist = network.add_parser('list')
    nlist.add_argument('--host')
    ndelete = network.add_parser('delete')
    which = ndelete.add_mutually_exclusive_group(required=True)
    which.add_argument('--fixed_range', '--cidr', dest='fixed_range')
    which.add_argument('--uuid')
    modify = network.add_parser('modify')
    modify.add_argument('--fixed_range', '--cidr', dest='fixed_range', required=True)
    modify.add_argument('--project')
    modify.add_argument('--host')
    modify.add_argument('--disassociate-project', '--dis_project', dest='dis_project',
                        action='store_true')
    modify.add_argument('--disassociate-host', '--dis_host', dest='dis_host',
                        action='store_true')

    floating = sub.add_parser('floating', help='floating IPs').add_subparsers(
        dest='action', required=True)
    fcreate = floating.add_parser('create')
    fcreate.add_argument('--ip_range', required=True)
    fcreate.add_argument('--pool')
    fcreate.add_argument('--interface')
    flist = floating.add_parser('list')
    flist.add_argument('--pool')
    fdelete = floating.add_parser('delete')
    fdelete.add_argument('--ip_range', required=True)


def _split_config_args(argv):
    """oslo.config takes --config-file/--config-dir; argparse takes the rest."""
    conf_args, rest = [], []
    it = iter(argv)
    for arg in it:
        if arg in ('--config-file', '--config-dir'):
            conf_args += [arg, next(it, '')]
        elif arg.startswith(('--config-file=', '--config-dir=')):
            conf_args.append(arg)
        else:
            rest.append(arg)
    return conf_args, rest


def _table(rows, headers):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = '  '.join('%%-%ds' % w for w in widths)
    print(line % tuple(headers))
    for row in rows:
        print(line % tuple(row))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    conf_args, rest = _split_config_args(argv)
    args = _parser().parse_args(rest)
    try:
        # Logs go to stderr so stdout carries only the command's answer.
        conf = common.parse(conf_args, prog=PROG, overrides={(None, 'use_stderr'): True})
        return _run(conf, args)
    except exception.NovaliteException as exc:
        common.fail(exc.message)
    except Exception as exc:  # e.g. the database is unreachable: one line, not a traceback
        common.fail('%s: %s' % (type(exc).__name__, str(exc).splitlines()[0]))


def _run(conf, args):
    if args.category == 'db':
        engine = migration.engine_for(conf)
        if args.action == 'sync':
            migration.db_sync(engine, args.version)
            print('database %s at revision %s' % (engine.url.render_as_string(
                hide_password=True), migration.db_version(engine)))
        else:
            print(migration.db_version(engine) or 'empty')
        return 0
    db = db_api.Database(conf)
    if args.category == 'bootstrap':
        created = bootstrap.ensure_defaults(db)
        print('created: %s' % (', '.join(created) or 'nothing (already there)'))
    elif args.category == 'flavor':
        _flavor(db, args)
    elif args.category == 'image':
        _image(db, args)
    elif args.category == 'service':
        _service(conf, db, args)
    elif args.category == 'network':
        _network(conf, db, args)
    elif args.category == 'floating':
        _floating(conf, db, args)
    elif args.category == 'host':
        _table([(n.host, n.hypervisor_hostname, n.vcpus, n.vcpus_used, n.memory_mb,
                 n.memory_mb_used, n.local_gb, n.running_vms)
                for n in db.compute_node_get_all()],
               ['host', 'node', 'vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used',
                'local_gb', 'running_vms'])
    return 0


def _flavor(db, args):
    if args.action == 'list':
        _table([(f.flavorid, f.name, f.memory_mb, f.vcpus, f.root_gb, f.is_public)
                for f in db.flavor_get_all(is_public=None)],
               ['id', 'name', 'ram', 'vcpus', 'disk', 'public'])
    elif args.action == 'create':
        if args.ram < 1 or args.vcpus < 1 or args.disk < 0:
            raise exception.Invalid(reason='--ram and --vcpus must be >= 1, --disk >= 0')
        flavorid = args.flavorid
        if flavorid is None:
            ids = [int(f.flavorid) for f in db.flavor_get_all(is_public=None)
                   if f.flavorid.isdigit()]
            flavorid = str(max(ids, default=0) + 1)
        flavor = db.flavor_create({'flavorid': flavorid, 'name': args.name,
                                   'memory_mb': args.ram, 'vcpus': args.vcpus,
                                   'root_gb': args.disk, 'ephemeral_gb': args.ephemeral,
                                   'swap': args.swap, 'is_public': not args.private})
        print('flavor %s created (id %s)' % (flavor.name, flavor.flavorid))
    else:
        db.flavor_delete(args.flavorid)
        print('flavor %s deleted' % args.flavorid)


def _image(db, args):
    if args.action == 'list':
        _table([(i['id'], i['name'], i['status'], i['disk_format'], i['size'])
                for i in db.image_get_all()], ['id', 'name', 'status', 'format', 'size'])
    else:
        image = db.image_create({'name': args.name, 'min_ram': args.min_ram,
                                 'min_disk': args.min_disk, 'size': args.size,
                                 'disk_format': args.disk_format})
        print('image %s created (id %s)' % (image['name'], image['id']))


def _service(conf, db, args):
    if args.action == 'list':
        _table([(s.id, s.binary, s.host, 'disabled' if s.disabled else 'enabled',
                 'up' if servicegroup.is_up(conf, s) else 'down', s.updated_at)
                for s in db.service_get_all()],
               ['id', 'binary', 'host', 'status', 'state', 'updated_at'])
        return
    svc = db.service_get_by_host_binary(args.host, args.binary)
    values = {'disabled': args.action == 'disable',
              'disabled_reason': getattr(args, 'reason', None)}
    db.service_update(svc.id, values)
    print('%s on %s %sd' % (args.binary, args.host, args.action))



def _network(conf, db, args):
    api = network_api.API(conf, db)
    admin = nl_context.get_admin_context()
    if args.action == 'create':
        kwargs = {k: getattr(args, k) for k in (
            'label', 'cidr', 'num_networks', 'network_size', 'vlan', 'vlan_start', 'bridge',
            'bridge_interface', 'dns1', 'dns2', 'gateway', 'project_id', 'priority', 'uuid')}
        if args.multi_host is not None:
            kwargs['multi_host'] = args.multi_host == 'T'
        for network in api.create(admin, **kwargs):
            print('network %s created: %s %s bridge %s%s' % (
                network['label'], network['uuid'], network['cidr'], network['bridge'],
                ' vlan %s' % network['vlan'] if network['vlan'] else ''))
    elif args.action == 'list':
        networks = [n for n in api.get_all(admin) if args.host is None or n['host'] == args.host]
        _table([(n['id'], n['cidr'], n['netmask'], n['gateway'], n['dns1'], n['dns2'],
                 n['vlan'], n['project_id'], n['uuid'], n['label'], n['bridge'], n['host'])
                for n in networks],
               ['id', 'IPv4', 'netmask', 'gateway', 'dns1', 'dns2', 'VlanID', 'project',
                'uuid', 'label', 'bridge', 'host'])
    elif args.action == 'delete':
        network = db.network_get(args.uuid or args.fixed_range)
        api.delete(admin, network['uuid'])
        print('network %s (%s) deleted' % (network['uuid'], network['cidr']))
    else:
        network = db.network_get(args.fixed_range)
        if args.project and args.dis_project:
            raise exception.Invalid(reason='--project and --disassociate-project exclude '
                                           'each other')
        if args.host and args.dis_host:
            raise exception.Invalid(reason='--host and --disassociate-host exclude each other')
        kwargs = {}
        if args.project or args.dis_project:
            kwargs['project_id'] = args.project
        if args.host or args.dis_host:
            kwargs['host'] = args.host
        if not kwargs:
            raise exception.Invalid(reason='nothing to modify: give --project, --host or '
                                           'a --disassociate option')
        network = api.associate(admin, network['uuid'], **kwargs)
        print('network %s: project %s, host %s' % (network['cidr'], network['project_id'],
                                                   network['host']))


def _floating(conf, db, args):
    api = network_api.API(conf, db)
    if args.action == 'create':
        count = api.create_floating_ips(args.ip_range, args.pool, args.interface)
        print('%d floating IP(s) created in pool %s' % (
            count, args.pool or conf.default_floating_pool))
    elif args.action == 'list':
        _table([(f['project_id'] or 'None', f['address'], f['instance_uuid'] or 'None',
                 f['pool'], f['interface'] or '')
                for f in api.list_floating_ips(args.pool)],
               ['project', 'address', 'instance', 'pool', 'interface'])
    else:
        count = api.delete_floating_ips(args.ip_range)
        print('%d floating IP(s) deleted' % count)


if __name__ == '__main__':
    sys.exit(main())
