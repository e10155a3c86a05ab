"""Console scripts, one module each.

oslo.messaging imports eventlet (via oslo.service) even though novalite never
uses it; its deprecation banner would greet every operator, so it is muted here.
"""

import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
