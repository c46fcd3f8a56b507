# Eco² on a cluster that already runs KEDA (and Knative Serving/Eventing plus the RabbitMQ
# source for function_mode = "knative"): the namespace, the settings every pod reads, the
# secrets the scalers use, and the manifests of keda/ and knative/.

locals {
  labels = { "app.kubernetes.io/part-of" = "eco2", "app.kubernetes.io/managed-by" = "terraform" }

  # KEDA's redis-streams scaler wants host:port and the password apart, not a URL.
  redis_host     = regex("^rediss?://(?:[^@/]*@)?([^/?]+)", var.redis_url)[0]
  redis_address  = length(regexall(":[0-9]+$", local.redis_host)) > 0 ? local.redis_host : "${local.redis_host}:6379"
  redis_password = try(regex("^rediss?://[^:@/]*:([^@/]+)@", var.redis_url)[0], "")

  amqp_user     = try(regex("^amqps?://([^:@/]+)(?::[^@/]*)?@", var.amqp_url)[0], "guest")
  amqp_password = try(regex("^amqps?://[^:@/]+:([^@/]+)@", var.amqp_url)[0], "guest")
  amqp_port     = try(regex("^amqps?://[^/]*:([0-9]+)(?:/|$)", var.amqp_url)[0], "5672")
  management    = regex("^(https?)://(.+)$", trimsuffix(var.rabbitmq_management_url, "/"))

  secret_env = merge(
    {
      ECO2_REDIS_URL    = var.redis_url
      ECO2_AMQP_URL     = var.amqp_url
      ECO2_DATABASE_URL = var.database_url
    },
    var.openai_api_key == "" ? {} : { ECO2_LLM__OPENAI_API_KEY = var.openai_api_key },
    var.gemini_api_key == "" ? {} : { ECO2_LLM__GEMINI_API_KEY = var.gemini_api_key },
  )
}

resource "kubernetes_namespace_v1" "eco2" {
  metadata {
    name   = var.namespace
    labels = local.labels
  }
}

resource "kubernetes_config_map_v1" "eco2" {
  metadata {
    name      = "eco2-config"
    namespace = kubernetes_namespace_v1.eco2.metadata[0].name
    labels    = local.labels
  }

  data = merge(var.extra_config, {
    ECO2_SHARDS     = tostring(var.shards)
    ECO2_BUS        = "redis"
    ECO2_LLM__MODEL = var.llm_model
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

  data = {
    redis-address  = local.redis_address
    redis-password = local.redis_password
    rabbitmq-management-url = format(
      "%s://%s:%s@%s/", local.management[0], urlencode(local.amqp_user),
      urlencode(local.amqp_password), local.management[1],
    )
  }
}

# The connection secret of the RabbitmqSource (knative/rabbitmq-source.yaml).
resource "kubernetes_secret_v1" "rabbitmq" {
  metadata {
    name      = "eco2-rabbitmq"
    namespace = kubernetes_namespace_v1.eco2.metadata[0].name
    labels    = local.labels
  }

  data = {
    uri      = var.rabbitmq_management_url
    username = local.amqp_user
    password = local.amqp_password
    port     = local.amqp_port
  }
}

module "manifests" {
  source = "./modules/manifests"

  manifests_root = abspath("${path.module}/..")
  function_mode  = var.function_mode
  image          = var.image
  namespace      = kubernetes_namespace_v1.eco2.metadata[0].name
}

# kubernetes_manifest needs the CRDs (KEDA, Knative) installed when planning.
resource "kubernetes_manifest" "eco2" {
  for_each = module.manifests.manifests

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
