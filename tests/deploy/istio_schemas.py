"""Hand-written, strict JSON schemas of the Istio kinds under istio/, checked offline.

Istio's CRDs are not in ../shared/crds, so these stand in for them: written from Istio's API
reference (security.istio.io/v1 AuthorizationPolicy and PeerAuthentication,
networking.istio.io/v1 Gateway and VirtualService, and MeshConfig's
``extensionProviders[].envoyExtAuthzHttp``). They cover every field of the security kinds and
of the ext-authz provider, and the subset of Gateway/VirtualService fields the project uses;
an undeclared field is an error (as the API server's structural pruning would drop it). CEL
rules and istiod's own semantic validation (``istioctl analyze``) are not reproduced.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRINGS: Schema = {"type": "array", "items": {"type": "string"}}


def obj(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


METADATA = {"type": "object", "required": ["name", "namespace"]}
SELECTOR = obj({"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}})
TARGET_REF = obj(
    {k: {"type": "string"} for k in ("group", "kind", "name", "namespace")}, ("kind", "name")
)
SOURCE = obj(
    {
        name: STRINGS
        for base in (
            "principals",
            "requestPrincipals",
            "namespaces",
            "serviceAccounts",
            "ipBlocks",
            "remoteIpBlocks",
        )
        for name in (base, "not" + base[0].upper() + base[1:])
    }
)
OPERATION = obj(
    {
        name: STRINGS
        for base in ("hosts", "ports", "methods", "paths")
        for name in (base, "not" + base[0].upper() + base[1:])
    }
)
CONDITION = obj({"key": {"type": "string"}, "values": STRINGS, "notValues": STRINGS}, ("key",))
RULE = obj(
    {
        "from": {"type": "array", "items": obj({"source": SOURCE})},
        "to": {"type": "array", "items": obj({"operation": OPERATION})},
        "when": {"type": "array", "items": CONDITION},
    }
)


def kind(spec: Schema) -> Schema:
    return obj(
        {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": METADATA,
            "spec": spec,
        },
        ("apiVersion", "kind", "metadata", "spec"),
    )


AUTHORIZATION_POLICY = kind(
    obj(
        {
            "selector": SELECTOR,
            "targetRef": TARGET_REF,
            "targetRefs": {"type": "array", "items": TARGET_REF},
            "rules": {"type": "array", "items": RULE},
            "action": {"enum": ["ALLOW", "DENY", "AUDIT", "CUSTOM"]},
            "provider": obj({"name": {"type": "string"}}, ("name",)),
        }
    )
)
PEER_AUTHENTICATION = kind(
    obj(
        {
            "selector": SELECTOR,
            "mtls": obj({"mode": {"enum": ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]}}),
            "portLevelMtls": {"type": "object"},
        }
    )
)
PORT = obj(
    {"number": {"type": "integer"}, "name": {"type": "string"}, "protocol": {"type": "string"}},
    ("number",),
)
GATEWAY = kind(
    obj(
        {
            "selector": {"type": "object", "additionalProperties": {"type": "string"}},
            "servers": {
                "type": "array",
                "items": obj(
                    {
                        "port": PORT,
                        "hosts": STRINGS,
                        "name": {"type": "string"},
                        "tls": {"type": "object"},
                    },
                    ("port", "hosts"),
                ),
            },
        },
        ("servers",),
    )
)
STRING_MATCH = obj({k: {"type": "string"} for k in ("exact", "prefix", "regex")})
DESTINATION = obj(
    {
        "host": {"type": "string"},
        "subset": {"type": "string"},
        "port": obj({"number": {"type": "integer"}}),
    },
    ("host",),
)
VIRTUAL_SERVICE = kind(
    obj(
        {
            "hosts": STRINGS,
            "gateways": STRINGS,
            "http": {
                "type": "array",
                "items": obj(
                    {
                        "name": {"type": "string"},
                        "match": {"type": "array", "items": obj({"uri": STRING_MATCH})},
                        "route": {
                            "type": "array",
                            "items": obj(
                                {"destination": DESTINATION, "weight": {"type": "integer"}}
                            ),
                        },
                        "timeout": {"type": "string", "pattern": r"^\d+(\.\d+)?(ms|s|m|h)$"},
                    }
                ),
            },
        }
    )
)
DURATION = {"type": "string", "pattern": r"^\d+(\.\d+)?(ms|s|m|h)$"}
EXT_AUTHZ_HTTP = obj(
    {
        "service": {"type": "string"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "timeout": DURATION,
        "pathPrefix": {"type": "string", "pattern": "^/"},
        "failOpen": {"type": "boolean"},
        "statusOnError": {"type": "string", "pattern": r"^\d{3}$"},
        "includeRequestHeadersInCheck": STRINGS,
        "includeAdditionalHeadersInCheck": {"type": "object"},
        "includeRequestBodyInCheck": obj(
            {
                "maxRequestBytes": {"type": "integer"},
                "allowPartialMessage": {"type": "boolean"},
                "packAsBytes": {"type": "boolean"},
            }
        ),
        "headersToUpstreamOnAllow": STRINGS,
        "headersToDownstreamOnDeny": STRINGS,
        "headersToDownstreamOnAllow": STRINGS,
    },
    ("service", "port"),
)
ISTIO_OPERATOR = kind(
    obj(
        {
            "meshConfig": obj(
                {
                    "extensionProviders": {
                        "type": "array",
                        "items": obj(
                            {"name": {"type": "string"}, "envoyExtAuthzHttp": EXT_AUTHZ_HTTP},
                            ("name", "envoyExtAuthzHttp"),
                        ),
                    }
                }
            )
        }
    )
)
SCHEMAS: dict[tuple[str, str], Schema] = {
    ("security.istio.io/v1", "AuthorizationPolicy"): AUTHORIZATION_POLICY,
    ("security.istio.io/v1", "PeerAuthentication"): PEER_AUTHENTICATION,
    ("networking.istio.io/v1", "Gateway"): GATEWAY,
    ("networking.istio.io/v1", "VirtualService"): VIRTUAL_SERVICE,
    ("install.istio.io/v1alpha1", "IstioOperator"): ISTIO_OPERATOR,
}
