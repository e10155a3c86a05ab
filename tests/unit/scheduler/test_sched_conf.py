"""Scheduler options: defaults, Kilo names from a nova.conf, the multiplier map."""

import pytest
from oslo_config import cfg

from novalite.conf import opts
from novalite.conf import scheduler as scheduler_conf
from novalite_plugins import opts as plugin_opts


def parse(tmp_path, text=None):
    files = []
    if text is not None:
        path = tmp_path / 'nova.conf'
        path.write_text(text)
        files = [str(path)]
    conf = cfg.ConfigOpts()
    scheduler_conf.register_opts(conf)
    conf([], default_config_files=files)
    return conf


def test_defaults(tmp_path):
    conf = parse(tmp_path)
    assert conf.scheduler.max_attempts == 3
    fs = conf.filter_scheduler
    assert fs.enabled_filters == ['AvailabilityZoneFilter', 'ComputeFilter', 'RamFilter',
                                  'CoreFilter', 'DiskFilter', 'RetryFilter']
    assert fs.weight_classes == ['RAMWeigher']
    # The map is empty: Nova's per-weigher options (and their defaults) apply.
    assert fs.weight_multipliers == {}
    assert (fs.ram_weight_multiplier, fs.io_ops_weight_multiplier,
            fs.build_failure_weight_multiplier) == (1.0, -1.0, 1000000.0)
    assert fs.host_subset_size == 1
    assert (conf.ram_allocation_ratio, conf.cpu_allocation_ratio,
            conf.disk_allocation_ratio) == (1.5, 16.0, 1.0)


def test_kilo_nova_conf_lines_work(tmp_path):
    conf = parse(tmp_path, '[DEFAULT]\n'
                           'scheduler_default_filters = RetryFilter,RamFilter\n'
                           'scheduler_weight_classes = RAMWeigher\n'
                           'scheduler_host_subset_size = 3\n'
                           'scheduler_max_attempts = 5\n'
                           'ram_allocation_ratio = 1.0\n'
                           'cpu_allocation_ratio = 4.0\n')
    assert conf.filter_scheduler.enabled_filters == ['RetryFilter', 'RamFilter']
    assert conf.filter_scheduler.weight_classes == ['RAMWeigher']
    assert conf.filter_scheduler.host_subset_size == 3
    assert conf.scheduler.max_attempts == 5
    assert (conf.ram_allocation_ratio, conf.cpu_allocation_ratio) == (1.0, 4.0)


def test_multiplier_map_parses_floats(tmp_path):
    conf = parse(tmp_path, '[filter_scheduler]\n'
                           'weight_multipliers = RAMWeigher:-1.0,IoOpsWeigher:-2\n')
    assert conf.filter_scheduler.weight_multipliers == {'RAMWeigher': -1.0,
                                                        'IoOpsWeigher': -2.0}


def test_multiplier_map_rejects_non_numbers(tmp_path):
    conf = parse(tmp_path, '[filter_scheduler]\nweight_multipliers = RAMWeigher:lots\n')
    with pytest.raises(cfg.ConfigFileValueError):
        _ = conf.filter_scheduler.weight_multipliers


def test_listed_for_the_sample_config():
    groups = dict(opts.list_opts())
    assert {'DEFAULT', 'scheduler', 'filter_scheduler'} <= set(groups)
    names = {o.name for o in groups['DEFAULT']}
    assert {'ram_allocation_ratio', 'cpu_allocation_ratio', 'disk_allocation_ratio'} <= names
    # the ratios are core options; the catalogue filters declare theirs (Nova's names)
    plugin_groups = dict(plugin_opts.list_opts())
    listed = {o.name for o in plugin_groups['filter_scheduler']}
    assert {'max_io_ops_per_host', 'max_instances_per_host', 'isolated_images',
            'isolated_hosts'} <= listed
    assert not listed & {'ram_allocation_ratio', 'cpu_allocation_ratio', 'disk_allocation_ratio'}


def test_sample_config_shows_the_multiplier_map():
    """oslo-config-generator only warns when it cannot format a default."""
    opt = next(o for o in scheduler_conf.FILTER_SCHEDULER_OPTS if o.name == 'weight_multipliers')
    assert opt.type.format_defaults(opt.default, opt.sample_default) == ['']
