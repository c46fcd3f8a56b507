# ---- the deployment ------------------------------------------------------------------------

variable "name" {
  description = "Name of this deployment: prefixes the cluster, the servers and the secrets."
  type        = string
  default     = "eco2"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region (Seoul by default: the users are in Korea)."
  type        = string
  default     = "ap-northeast-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name, like ap-northeast-2."
  }
}

variable "tags" {
  description = "Tags added to every AWS resource."
  type        = map(string)
  default     = {}
}

# ---- network and cluster -------------------------------------------------------------------

variable "vpc_cidr" {
  description = "IPv4 range of the VPC."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "zones" {
  description = "Availability zones used, as letters after the region name (2 or 3): [\"a\", \"b\", \"c\"] is ap-northeast-2a, 2b and 2c."
  type        = list(string)
  default     = ["a", "b", "c"]

  validation {
    condition     = length(var.zones) >= 2 && length(var.zones) <= 3 && alltrue([for z in var.zones : can(regex("^[a-z]$", z))])
    error_message = "zones must be 2 or 3 single letters, like [\"a\", \"c\"]."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per zone (cheaper, less available)."
  type        = bool
  default     = false
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version."
  type        = string
  default     = "1.32"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like \"1.32\"."
  }
}

variable "public_access_cidrs" {
  description = "Ranges allowed to reach the EKS API endpoint: your workstation's and CI's (curl -s https://checkip.amazonaws.com)."
  type        = list(string)

  validation {
    condition     = length(var.public_access_cidrs) > 0 && alltrue([for c in var.public_access_cidrs : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "public_access_cidrs must be IPv4 CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles or users given cluster-admin besides whoever runs terraform."
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "EC2 instance types of the node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min_size" {
  description = "Fewest nodes."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1."
  }
}

variable "node_desired_size" {
  description = "Nodes at creation."
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Most nodes."
  type        = number
  default     = 6

  validation {
    condition     = var.node_max_size >= 1
    error_message = "node_max_size must be at least 1."
  }
}

# ---- managed servers -----------------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.medium"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "redis_node_type must be an ElastiCache node type (cache.*)."
  }
}

variable "redis_replicas" {
  description = "Redis replicas besides the primary (automatic failover needs one)."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_replicas >= 1 && var.redis_replicas <= 5
    error_message = "redis_replicas must be between 1 and 5."
  }
}

variable "rabbitmq_instance_type" {
  description = "Amazon MQ instance type (mq.t3.micro only with SINGLE_INSTANCE)."
  type        = string
  default     = "mq.m5.large"

  validation {
    condition     = startswith(var.rabbitmq_instance_type, "mq.")
    error_message = "rabbitmq_instance_type must be an Amazon MQ instance type (mq.*)."
  }
}

variable "rabbitmq_deployment_mode" {
  description = "SINGLE_INSTANCE or CLUSTER_MULTI_AZ."
  type        = string
  default     = "CLUSTER_MULTI_AZ"

  validation {
    condition     = contains(["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"], var.rabbitmq_deployment_mode)
    error_message = "rabbitmq_deployment_mode must be SINGLE_INSTANCE or CLUSTER_MULTI_AZ."
  }
}

variable "postgres_instance_class" {
  description = "RDS instance class of PostgreSQL 15."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = startswith(var.postgres_instance_class, "db.")
    error_message = "postgres_instance_class must be an RDS instance class (db.*)."
  }
}

variable "postgres_multi_az" {
  description = "A standby PostgreSQL in another zone."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the database (set false and apply before terraform destroy)."
  type        = bool
  default     = true
}

variable "images_bucket" {
  description = "S3 bucket of the image store; globally unique, e.g. eco2-images-<account id>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.images_bucket))
    error_message = "images_bucket must be a valid S3 bucket name."
  }
}

variable "images_cors_origins" {
  description = "https:// origins whose browsers PUT images to presigned URLs (the web app's)."
  type        = list(string)
  default     = []
}

variable "images_service_accounts" {
  description = "Service accounts of the namespace given the image store's role (the API's)."
  type        = list(string)
  default     = ["eco2-api"]
}

# ---- Eco² in the cluster -------------------------------------------------------------------

variable "namespace" {
  description = "Namespace created for Eco² and holding every object."
  type        = string
  default     = "eco2"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label."
  }
}

variable "image" {
  description = "Container image of Eco² (every function, worker, router, gateway and the API); pin a digest in production."
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

variable "install_manifests" {
  description = "Also install the manifests of function_mode with kubernetes_manifest (needs the cluster and the KEDA/Knative CRDs at plan time: a second apply)."
  type        = bool
  default     = false
}

variable "shards" {
  description = "ECO2_SHARDS. The manifests carry one scaler trigger per shard of 4; change both together."
  type        = number
  default     = 4

  validation {
    condition     = var.shards >= 1 && floor(var.shards) == var.shards
    error_message = "shards must be a positive whole number."
  }
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

variable "istio_injection" {
  description = "Label the namespace istio-injection=enabled (the mesh policies of istio/ rely on the sidecars)."
  type        = bool
  default     = true
}
