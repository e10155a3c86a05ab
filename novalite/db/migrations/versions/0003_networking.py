"""networking: nova-network's eight tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 17:04:44.134449
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('floating_ips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=39), nullable=False),
    sa.Column('fixed_ip_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('auto_assigned', sa.Boolean(), nullable=False),
    sa.Column('pool', sa.String(length=255), nullable=False),
    sa.Column('interface', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address')
    )
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.create_index('floating_ips_fixed_ip_id_idx', ['fixed_ip_id'], unique=False)
        batch_op.create_index('floating_ips_pool_project_idx', ['pool', 'project_id'], unique=False)
        batch_op.create_index('floating_ips_project_id_idx', ['project_id'], unique=False)

    op.create_table('instance_info_caches',
    sa.Column('instance_uuid', sa.String(length=36), nullable=False),
    sa.Column('network_info', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('instance_uuid')
    )
    op.create_table('networks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=True),
    sa.Column('injected', sa.Boolean(), nullable=False),
    sa.Column('cidr', sa.String(length=43), nullable=True),
    sa.Column('cidr_v6', sa.String(length=43), nullable=True),
    sa.Column('multi_host', sa.Boolean(), nullable=False),
    sa.Column('gateway', sa.String(length=39), nullable=True),
    sa.Column('netmask', sa.String(length=39), nullable=True),
    sa.Column('broadcast', sa.String(length=39), nullable=True),
    sa.Column('bridge', sa.String(length=255), nullable=True),
    sa.Column('bridge_interface', sa.String(length=255), nullable=True),
    sa.Column('dns1', sa.String(length=39), nullable=True),
    sa.Column('dns2', sa.String(length=39), nullable=True),
    sa.Column('vlan', sa.Integer(), nullable=True),
    sa.Column('vpn_private_address', sa.String(length=39), nullable=True),
    sa.Column('dhcp_start', sa.String(length=39), nullable=True),
    sa.Column('dhcp_server', sa.String(length=39), nullable=True),
    sa.Column('enable_dhcp', sa.Boolean(), nullable=False),
    sa.Column('share_address', sa.Boolean(), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('mtu', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index('networks_cidr_deleted_idx', ['cidr', 'deleted'], unique=False)
        batch_op.create_index('networks_project_id_deleted_idx', ['project_id', 'deleted'], unique=False)

    op.create_table('security_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name', name='uniq_security_groups0project_id0name')
    )
    op.create_table('fixed_ips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=39), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('virtual_interface_id', sa.Integer(), nullable=True),
    sa.Column('instance_uuid', sa.String(length=36), nullable=True),
    sa.Column('allocated', sa.Boolean(), nullable=False),
    sa.Column('leased', sa.Boolean(), nullable=False),
    sa.Column('reserved', sa.Boolean(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'address', name='uniq_fixed_ips0network_id0address')
    )
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.create_index('fixed_ips_address_idx', ['address'], unique=False)
        batch_op.create_index('fixed_ips_instance_uuid_idx', ['instance_uuid'], unique=False)
        batch_op.create_index('fixed_ips_network_id_free_idx', ['network_id', 'reserved', 'instance_uuid'], unique=False)

    op.create_table('security_group_instance_association',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('security_group_id', sa.Integer(), nullable=False),
    sa.Column('instance_uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('security_group_id', 'instance_uuid', name='uniq_sgia0security_group_id0instance_uuid')
    )
    with op.batch_alter_table('security_group_instance_association', schema=None) as batch_op:
        batch_op.create_index('sgia_instance_uuid_idx', ['instance_uuid'], unique=False)

    op.create_table('security_group_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_group_id', sa.Integer(), nullable=False),
    sa.Column('protocol', sa.String(length=255), nullable=True),
    sa.Column('from_port', sa.Integer(), nullable=True),
    sa.Column('to_port', sa.Integer(), nullable=True),
    sa.Column('cidr', sa.String(length=43), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['security_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_group_id'], ['security_groups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.create_index('security_group_rules_parent_idx', ['parent_group_id'], unique=False)

    op.create_table('virtual_interfaces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('instance_uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('virtual_interfaces', schema=None) as batch_op:
        batch_op.create_index('virtual_interfaces_instance_uuid_idx', ['instance_uuid'], unique=False)



def downgrade():
    with op.batch_alter_table('virtual_interfaces', schema=None) as batch_op:
        batch_op.drop_index('virtual_interfaces_instance_uuid_idx')

    op.drop_table('virtual_interfaces')
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.drop_index('security_group_rules_parent_idx')

    op.drop_table('security_group_rules')
    with op.batch_alter_table('security_group_instance_association', schema=None) as batch_op:
        batch_op.drop_index('sgia_instance_uuid_idx')

    op.drop_table('security_group_instance_association')
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.drop_index('fixed_ips_network_id_free_idx')
        batch_op.drop_index('fixed_ips_instance_uuid_idx')
        batch_op.drop_index('fixed_ips_address_idx')

    op.drop_table('fixed_ips')
    op.drop_table('security_groups')
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_index('networks_project_id_deleted_idx')
        batch_op.drop_index('networks_cidr_deleted_idx')

    op.drop_table('networks')
    op.drop_table('instance_info_caches')
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.drop_index('floating_ips_project_id_idx')
        batch_op.drop_index('floating_ips_pool_project_idx')
        batch_op.drop_index('floating_ips_fixed_ip_id_idx')

    op.drop_table('floating_ips')
