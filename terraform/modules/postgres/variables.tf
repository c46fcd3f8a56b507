variable "name" {
  description = "Name prefix of the database resources."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the instance."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (two zones at least)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must name at least two subnets."
  }
}

variable "client_security_group_id" {
  description = "Security group admitted on 5432 (the EKS cluster security group)."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version: 15 (the major) or a 15.x minor."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 15, like \"15\" or \"15.10\"."
  }
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS instance class (db.*)."
  }
}

variable "allocated_storage_gb" {
  description = "Initial storage in GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.allocated_storage_gb >= 20
    error_message = "allocated_storage_gb must be at least 20 (gp3's minimum)."
  }
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 200
}

variable "database" {
  description = "Database created on the instance."
  type        = string
  default     = "eco2"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database))
    error_message = "database must be a lowercase identifier."
  }
}

variable "username" {
  description = "Master user, which the migrations use (it may create the PostGIS extension)."
  type        = string
  default     = "eco2"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.username)) && !contains(["postgres", "admin", "rdsadmin"], var.username)
    error_message = "username must be a lowercase identifier of at most 16 characters, not a reserved name."
  }
}

variable "password" {
  description = "Master password (8-128 characters, none of / @ \" or spaces)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.password) >= 8 && length(var.password) <= 128 && !can(regex("[/@\" ]", var.password))
    error_message = "password must be 8-128 characters without / @ \" or spaces."
  }
}

variable "multi_az" {
  description = "A synchronous standby in another zone."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (set false, apply, then destroy to tear down)."
  type        = bool
  default     = true
}

variable "log_min_duration_ms" {
  description = "Statements slower than this many milliseconds are logged."
  type        = number
  default     = 500

  validation {
    condition     = var.log_min_duration_ms >= 0
    error_message = "log_min_duration_ms must not be negative."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the storage and Performance Insights."
  type        = string
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
