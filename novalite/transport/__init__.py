"""oslo.messaging transport drivers shipped with novalite."""
