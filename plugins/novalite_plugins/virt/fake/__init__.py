"""The fake hypervisor driver (entry point ``fake``)."""
