"""The XenAPI hypervisor driver (entry point ``xenapi``): XenServer / XCP-ng over XML-RPC."""
