"""The committed sample config and policy file match what the generators produce now.

A new or changed option (or policy rule) without a regenerated sample fails
here.  The generators run in a subprocess, as an operator runs them, so their
entry-point loading and warnings stay out of this process.
"""

import difflib
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ETC = ROOT / 'etc' / 'novalite'

REGENERATE = ('run `tox -e genconfig` (or: oslo-config-generator --config-file '
              'etc/novalite/novalite-config-generator.conf && oslopolicy-sample-generator '
              '--config-file etc/novalite/novalite-policy-generator.conf) and commit the result')


# What the console scripts oslo-config-generator and oslopolicy-sample-generator run.
CONFIG_GENERATOR = 'import sys; from oslo_config import generator; generator.main(sys.argv[1:])'
POLICY_GENERATOR = ('import sys; from oslo_policy import generator; '
                    'generator.generate_sample(sys.argv[1:])')


def _generate(program, generator_conf, output):
    # The command-line --output-file wins over output_file in the generator's config.
    proc = subprocess.run(
        [sys.executable, '-c', program, '--config-file', str(generator_conf),
         '--output-file', str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, '%s failed:\n%s' % (generator_conf.name, proc.stderr[-4000:])
    return output.read_text()


def _assert_same(committed_path, generated):
    committed = committed_path.read_text() if committed_path.exists() else ''
    if committed == generated:
        return
    diff = ''.join(difflib.unified_diff(
        committed.splitlines(keepends=True), generated.splitlines(keepends=True),
        fromfile='%s (committed)' % committed_path.relative_to(ROOT),
        tofile='%s (generated now)' % committed_path.relative_to(ROOT), n=2))
    if len(diff) > 6000:
        diff = diff[:6000] + '\n... (diff truncated)\n'
    pytest.fail('%s is out of date: %s.\n%s' % (committed_path.relative_to(ROOT), REGENERATE,
                                               diff), pytrace=False)


def test_config_sample_is_current(tmp_path):
    generated = _generate(CONFIG_GENERATOR, ETC / 'novalite-config-generator.conf',
                          tmp_path / 'novalite.conf.sample')
    _assert_same(ETC / 'novalite.conf.sample', generated)


def test_policy_sample_is_current(tmp_path):
    generated = _generate(POLICY_GENERATOR, ETC / 'novalite-policy-generator.conf',
                          tmp_path / 'policy.yaml.sample')
    _assert_same(ETC / 'policy.yaml.sample', generated)


def test_config_sample_documents_every_core_group():
    """The novalite namespace reaches the sample: each core option group has a section."""
    from novalite.conf import opts

    sample = (ETC / 'novalite.conf.sample').read_text()
    for group, option_list in opts.list_opts():
        assert '[%s]' % group in sample, 'no [%s] section in the sample: %s' % (group, REGENERATE)
        for opt in option_list:
            assert '\n#%s =' % opt.dest in sample, (
                '[%s] %s missing from the sample: %s' % (group, opt.dest, REGENERATE))


def test_multinode_example_uses_only_known_options():
    """etc/novalite/novalite.conf.multinode.example names no option that does not exist."""
    proc = subprocess.run(
        [sys.executable, '-c', 'import sys; from oslo_config import validator; '
         'sys.exit(validator.main())',
         '--config-file', str(ETC / 'novalite-config-generator.conf'),
         '--input-file', str(ETC / 'novalite.conf.multinode.example')],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]


def test_multinode_example_values_parse():
    """Every core option in the example has a value of the right type."""
    from novalite import conf as nl_conf
    from novalite.conf import opts

    conf = nl_conf.make_conf([], default_config_files=[str(ETC / 'novalite.conf.multinode.example')])
    assert conf.transport_url.startswith('rabbit://')
    assert conf.database.connection.startswith('mysql+pymysql://')
    for group, option_list in opts.list_opts():
        section = conf if group == 'DEFAULT' else conf[group]
        for opt in option_list:
            getattr(section, opt.dest)   # a bad value raises here
