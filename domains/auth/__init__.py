"""Who is asking: passwords, JWT access and refresh tokens, revocation, per-user rate limits."""

# The one header naming the caller behind the mesh: ext-authz sets it, the API reads it (when
# ECO2_AUTH__TRUST_MESH_HEADER says a mesh sits in front), the Istio manifests allow it through.
USER_HEADER = "x-user-id"
