"""gunicorn settings for the novalite Compute API.

    gunicorn -c etc/novalite/gunicorn.conf.py 'novalite.api.wsgi:init_application()'

Which novalite config file the workers read
-------------------------------------------
``init_application()`` reads the files named in the environment variable
``NOVALITE_CONFIG_FILE`` (one path, or several separated by ``:``; later files
override earlier ones).  gunicorn's own options come before the app and it
rejects ``--config-file`` there, so pass the file in one of these ways:

    NOVALITE_CONFIG_FILE=/etc/novalite/novalite.conf \\
        gunicorn -c etc/novalite/gunicorn.conf.py 'novalite.api.wsgi:init_application()'

    gunicorn -c etc/novalite/gunicorn.conf.py -e NOVALITE_CONFIG_FILE=/etc/novalite/novalite.conf \\
        'novalite.api.wsgi:init_application()'

    # after "--", gunicorn leaves the arguments alone and init_application() reads
    # --config-file/--config-dir from them
    gunicorn -c etc/novalite/gunicorn.conf.py 'novalite.api.wsgi:init_application()' \\
        -- --config-file /etc/novalite/novalite.conf

or uncomment the ``os.environ.setdefault`` line below (an exported value still
wins).  With none of these, no novalite.conf is read (only a novalite.conf.d/
directory, if oslo.config finds one) and the options keep their defaults:
SQLite under ``state_path``, ``transport_url = rabbit://`` on localhost.

Options given on gunicorn's command line (``-b``, ``-w`` ...) override this file.
"""

import os  # noqa: F401  (used by the commented-out default below)

# os.environ.setdefault('NOVALITE_CONFIG_FILE', '/etc/novalite/novalite.conf')

# Nova's Compute API port.  Put a TLS-terminating proxy in front rather than
# binding a public address here.
bind = '127.0.0.1:8774'

# gthread: each worker serves requests from a pool of threads.  The API spends
# its time waiting on the database and on RPC, so threads are cheaper than
# more processes.  2 x 8 = 16 requests in flight.
workers = 2
worker_class = 'gthread'
threads = 8

# Off, so each worker builds the app itself after the fork: database pools and
# message transports are never shared between processes.
preload_app = False

proc_name = 'novalite-api'
