"""The VMware vSphere hypervisor driver (entry point ``vmwareapi``): vCenter or ESXi through pyvmomi."""
