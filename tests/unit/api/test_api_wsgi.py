"""The gunicorn entry: only config arguments reach oslo.config; nothing connects at import."""

import falcon.testing
import pytest

from novalite.api import wsgi


@pytest.mark.parametrize('argv, expected', [
    (['-b', '127.0.0.1:8774', '-w', '4', 'novalite.api.wsgi:init_application()'], []),
    (['--config-file', '/etc/a.conf', '-w', '2'], ['--config-file', '/etc/a.conf']),
    (['--config-file=/etc/a.conf', '--config-dir', '/etc/d', '--preload'],
     ['--config-file=/etc/a.conf', '--config-dir', '/etc/d']),
    (['--config-file'], []),
])
def test_config_args(argv, expected):
    assert wsgi.config_args(argv) == expected


def _config(tmp_path):
    path = tmp_path / 'novalite.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n[database]\nconnection = sqlite:///%s\n'
                    '[api]\npublic_endpoint = http://api.example:8774\n'
                    % (tmp_path, tmp_path / 'wsgi.sqlite'))
    return str(path)


def test_init_application_from_gunicorn_argv(tmp_path):
    argv = ['-b', '127.0.0.1:0', '-w', '3', '--config-file', _config(tmp_path),
            'novalite.api.wsgi:init_application()']
    app = wsgi.init_application(argv)
    assert isinstance(app, falcon.App)
    assert app.backends._db is None  # nothing opened before the first request
    resp = falcon.testing.TestClient(app).simulate_get('/v2.1')
    assert resp.json['version']['links'][0]['href'] == 'http://api.example:8774/v2.1/'


def test_init_application_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('NOVALITE_CONFIG_FILE', _config(tmp_path))
    app = wsgi.init_application(['-w', '2'])
    resp = falcon.testing.TestClient(app).simulate_get('/')
    assert resp.json['versions'][1]['links'][0]['href'] == 'http://api.example:8774/v2.1/'
