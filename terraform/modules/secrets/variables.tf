variable "prefix" {
  description = "Path prefix of the secret names, e.g. eco2/prod."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_+=.@-]+$", var.prefix)) && !endswith(var.prefix, "/")
    error_message = "prefix may hold letters, digits and /_+=.@- and must not end with /."
  }
}

variable "names" {
  description = "The secrets' names (not sensitive, so they can key the resources)."
  type        = list(string)
}

variable "values" {
  description = "Each name's keys and values."
  type        = map(map(string))
  sensitive   = true

  validation {
    condition     = length(var.values) > 0
    error_message = "values must hold at least one secret."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the secrets."
  type        = string
}

variable "recovery_window_days" {
  description = "Days a deleted secret can be restored (0 deletes at once; otherwise 7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
