variable "name" {
  description = "Name prefix of the Redis resources."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the replication group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the cache nodes (two zones at least for failover)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must name at least two subnets."
  }
}

variable "client_security_group_id" {
  description = "Security group admitted on 6379 (the EKS cluster security group)."
  type        = string
}

variable "engine_version" {
  description = "Redis engine version; 7.x at least (XINFO GROUPS lag for KEDA's lagCount)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a Redis 7 minor version, like \"7.1\"."
  }
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t4g.medium"

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache node type (cache.*)."
  }
}

variable "replicas" {
  description = "Replicas besides the primary, in other zones (failover needs one at least)."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5
    error_message = "replicas must be between 1 and 5: automatic failover needs a replica."
  }
}

variable "auth_token" {
  description = "Redis AUTH token (16-128 printable characters without @, \" or /)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.auth_token) >= 16 && length(var.auth_token) <= 128 && !can(regex("[@\"/ ]", var.auth_token))
    error_message = "auth_token must be 16-128 characters without @, \", / or spaces."
  }
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots kept (job state survives a bad failover)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be between 1 and 35."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the data at rest and the slow log."
  type        = string
}

variable "log_retention_days" {
  description = "Days the slow log is kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
