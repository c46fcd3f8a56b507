variable "name" {
  description = "Name prefix of the IAM role."
  type        = string
}

variable "bucket" {
  description = "Bucket name (globally unique; ECO2_IMAGE__BUCKET)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket must be 3-63 lowercase letters, digits, dots or dashes."
  }
}

variable "key_prefix" {
  description = "Prefix of every object key (ECO2_IMAGE__KEY_PREFIX)."
  type        = string
  default     = "images/"

  validation {
    condition     = endswith(var.key_prefix, "/") && !startswith(var.key_prefix, "/")
    error_message = "key_prefix must end with / and not start with one."
  }
}

variable "noncurrent_days" {
  description = "Days a deleted or replaced image stays recoverable."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_days >= 1
    error_message = "noncurrent_days must be at least 1."
  }
}

variable "cors_origins" {
  description = "Web origins allowed to PUT/GET presigned URLs from a browser (https://...)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_origins : startswith(o, "https://")])
    error_message = "cors_origins must be https:// origins."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the objects."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster whose pods get the store's role."
  type        = string
}

variable "namespace" {
  description = "Namespace of the service accounts."
  type        = string
}

variable "service_accounts" {
  description = "Service accounts given the store's role (the API's)."
  type        = list(string)
  default     = ["eco2-api"]
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
