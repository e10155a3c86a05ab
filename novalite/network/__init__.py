"""Networking: nova-network style managers, the host-side executor, linux_net and the firewall."""
