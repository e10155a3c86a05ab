"""The fake driver passes the driver conformance kit (novalite.virt.testing)."""

from oslo_config import cfg

from novalite import plugin
from novalite.virt import testing
from novalite_plugins.virt.fake import driver as fake_driver


class TestFakeDriverConformance(testing.DriverConformance):
    """Every contract check against the in-memory fake hypervisor."""

    def make_driver(self):
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[])
        return plugin.instantiate(fake_driver.FakeDriver, conf)

    def inject_spawn_failure(self, driver):
        driver.conf.set_override('fail_first_spawns', 1, group=fake_driver.GROUP)
        return True
