variable "name" {
  description = "Name prefix of the broker resources."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the broker."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets; a single-instance broker uses the first, a cluster all (three zones)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must name at least one subnet."
  }
}

variable "client_security_group_id" {
  description = "Security group admitted on 5671 and 443 (the EKS cluster security group)."
  type        = string
}

variable "engine_version" {
  description = "RabbitMQ version on Amazon MQ."
  type        = string
  default     = "3.13"

  validation {
    condition     = can(regex("^3\\.1[0-9](\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be a RabbitMQ 3.10+ version, like \"3.13\"."
  }
}

variable "instance_type" {
  description = "Broker instance type (mq.t3.micro only for SINGLE_INSTANCE)."
  type        = string
  default     = "mq.m5.large"

  validation {
    condition     = startswith(var.instance_type, "mq.")
    error_message = "instance_type must be an Amazon MQ instance type (mq.*)."
  }
}

variable "deployment_mode" {
  description = "SINGLE_INSTANCE or CLUSTER_MULTI_AZ (three nodes, needs mq.m5.large or larger)."
  type        = string
  default     = "CLUSTER_MULTI_AZ"

  validation {
    condition     = contains(["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"], var.deployment_mode)
    error_message = "deployment_mode must be SINGLE_INSTANCE or CLUSTER_MULTI_AZ."
  }
}

variable "username" {
  description = "The broker's user for Eco²."
  type        = string
  default     = "eco2"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{2,100}$", var.username)) && var.username != "guest"
    error_message = "username must be 2-100 letters, digits, - or _, and not guest."
  }
}

variable "password" {
  description = "Password of the user (12-250 characters, no commas, colons or equals signs)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.password) >= 12 && length(var.password) <= 250 && !can(regex("[,:=]", var.password))
    error_message = "password must be 12-250 characters without , : or =."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
