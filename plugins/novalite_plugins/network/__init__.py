"""Network managers shipped with novalite: flat, flatdhcp and vlan (nova-network's three modes)."""
