"""Hypervisor drivers shipped with novalite."""
