# One customer-managed key for everything Eco² stores encrypted: the EKS secrets envelope, the
# CloudWatch log groups, ElastiCache, RDS (storage and Performance Insights), S3 and Secrets
# Manager. One key keeps the policy reviewable in one place; rotation is yearly and automatic.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
}

data "aws_iam_policy_document" "key" {
  # In a key policy the resource "*" means this key alone, and the account-root statement is
  # what AWS requires so that IAM policies can grant use of the key.
  #checkov:skip=CKV_AWS_356:in a KMS key policy "*" is the key the policy is attached to
  #checkov:skip=CKV_AWS_111:in a KMS key policy "*" is the key the policy is attached to; only the account root and CloudWatch Logs (for this account's log groups) are named
  #checkov:skip=CKV_AWS_109:the account-root kms:* statement is the default key policy that lets IAM manage the key; without it the key can become unmanageable
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  # CloudWatch Logs encrypts the VPC flow logs and the EKS control-plane logs with it, only for
  # this account's log groups in this region.
  statement {
    sid       = "CloudWatchLogsUse"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: EKS secrets, logs, ElastiCache, RDS, S3, Secrets Manager"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
