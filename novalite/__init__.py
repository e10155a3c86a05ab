"""novalite: a small, fast, plugin-first compute-cloud controller in the line of OpenStack Nova."""

__version__ = '0.1.0'
