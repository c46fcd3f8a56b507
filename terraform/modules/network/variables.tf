variable "name" {
  description = "Name prefix of every network resource."
  type        = string
}

variable "cidr" {
  description = "IPv4 range of the VPC; /16 recommended (pods take VPC addresses)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr)) && tonumber(split("/", var.cidr)[1]) <= 18
    error_message = "cidr must be an IPv4 CIDR block of /18 or larger."
  }
}

variable "zone_names" {
  description = "Availability zones used, by name (2 or 3): a private and a public subnet in each."
  type        = list(string)

  validation {
    condition     = length(var.zone_names) >= 2 && length(var.zone_names) <= 3 && length(distinct(var.zone_names)) == length(var.zone_names)
    error_message = "zone_names must name 2 or 3 different zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, one zone's outage cuts egress) instead of one per zone."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key encrypting the flow-log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Days the flow logs are kept (CloudWatch's allowed values)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' retention values."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
