variable "kubeconfig" {
  description = "Path of the kubeconfig used to reach the cluster."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "kubeconfig context; null uses the current one."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Namespace created for Eco² and holding every object."
  type        = string
  default     = "eco2"
}

variable "image" {
  description = "Container image of Eco² (every function, worker, router, gateway and the API)."
  type        = string
  default     = "ghcr.io/eco2/eco2:latest"
}

variable "function_mode" {
  description = "How the functions run: knative (Knative Services + Broker/Triggers), redis-streams or rabbitmq (KEDA-scaled workers)."
  type        = string
  default     = "redis-streams"

  validation {
    condition     = contains(["knative", "redis-streams", "rabbitmq"], var.function_mode)
    error_message = "function_mode must be knative, redis-streams or rabbitmq."
  }
}

variable "redis_url" {
  description = "ECO2_REDIS_URL: redis://[:password@]host:port/db (Redis 7+, for the lagCount scaler)."
  type        = string
  sensitive   = true
}

variable "amqp_url" {
  description = "ECO2_AMQP_URL: amqp://user:password@host:5672/vhost."
  type        = string
  sensitive   = true
}

variable "rabbitmq_management_url" {
  description = "RabbitMQ management API base, http://host:15672 (KEDA queue length, RabbitmqSource)."
  type        = string
  default     = "http://rabbitmq.rabbitmq.svc:15672"
}

variable "database_url" {
  description = "ECO2_DATABASE_URL: postgresql+asyncpg://user:password@host:5432/db."
  type        = string
  sensitive   = true
}

variable "shards" {
  description = "ECO2_SHARDS. The manifests carry one scaler trigger per shard of 4; change both together."
  type        = number
  default     = 4
}

variable "llm_model" {
  description = "ECO2_LLM__MODEL: gpt-*/o* → OpenAI, gemini-* → Gemini, local → offline."
  type        = string
  default     = "local"
}

variable "openai_api_key" {
  description = "ECO2_LLM__OPENAI_API_KEY; empty leaves it unset."
  type        = string
  default     = ""
  sensitive   = true
}

variable "gemini_api_key" {
  description = "ECO2_LLM__GEMINI_API_KEY; empty leaves it unset."
  type        = string
  default     = ""
  sensitive   = true
}

variable "extra_config" {
  description = "More non-secret ECO2_* settings for the eco2-config ConfigMap."
  type        = map(string)
  default     = {}
}
