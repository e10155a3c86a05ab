"""Plain dataclasses passed between layers and over RPC (as dicts)."""

from novalite.objects.aggregate import Aggregate
from novalite.objects.base import Record
from novalite.objects.compute_node import ComputeNode
from novalite.objects.flavor import Flavor
from novalite.objects.instance import Instance
from novalite.objects.instance_group import InstanceGroup
from novalite.objects.request_spec import RequestSpec
from novalite.objects.service import Service

__all__ = ['Aggregate', 'Record',
           'ComputeNode', 'Flavor', 'Instance', 'InstanceGroup', 'RequestSpec', 'Service']
