variable "name" {
  description = "Repository name, e.g. eco2."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]{1,255}$", var.name))
    error_message = "name must be a valid ECR repository name (lowercase)."
  }
}

variable "untagged_days" {
  description = "Days an untagged image is kept."
  type        = number
  default     = 14

  validation {
    condition     = var.untagged_days >= 1
    error_message = "untagged_days must be at least 1."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the images."
  type        = string
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
