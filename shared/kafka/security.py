"""The security half of every Kafka client's arguments: protocol, SASL/SCRAM principal, TLS trust.

Every aiokafka client the platform builds (producer, consumer, admin, tools, tests) takes its
keyword arguments from :func:`client_kwargs`, so no client can forget to authenticate.
"""

from __future__ import annotations

import ssl
from typing import Any

from shared.settings import KafkaSecurityProtocol, ServiceSettings


class KafkaCredentialsMissing(ValueError):
    """A SASL protocol was chosen but the principal's name or password is not configured."""


def client_kwargs(settings: ServiceSettings) -> dict[str, Any]:
    """``bootstrap_servers`` and the security arguments for an aiokafka client of ``settings``."""
    protocol = settings.kafka_security_protocol
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": protocol.value,
    }
    if protocol is KafkaSecurityProtocol.plaintext:
        return kwargs
    if not settings.kafka_sasl_username or settings.kafka_sasl_password is None:
        raise KafkaCredentialsMissing(
            f"kafka_security_protocol {protocol.value} needs kafka_sasl_username and kafka_sasl_password "
            f"(e.g. {settings.service_name.upper()}_KAFKA_SASL_USERNAME / _PASSWORD)"
        )
    kwargs.update(
        sasl_mechanism=settings.kafka_sasl_mechanism,
        sasl_plain_username=settings.kafka_sasl_username,
        sasl_plain_password=settings.kafka_sasl_password.get_secret_value(),
    )
    if protocol is KafkaSecurityProtocol.sasl_ssl:
        kwargs["ssl_context"] = tls_context(settings.kafka_ssl_cafile)
    return kwargs


def tls_context(cafile: str | None) -> ssl.SSLContext:
    """Verify the broker's certificate and host name against ``cafile`` (system CAs when None)."""
    return ssl.create_default_context(cafile=cafile)
