"""The libvirt hypervisor driver (entry point ``libvirt``): KVM, QEMU (TCG) and libvirt's test driver."""
