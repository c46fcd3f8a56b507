# Secrets Manager entries, one per Kubernetes Secret the manifests read, each a JSON object of
# that Secret's keys: the copy of record outside the cluster (a restore, a second cluster, or an
# External Secrets operator syncing them instead of terraform).

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:the values are generated and wired by terraform (a new random_password and apply rotates them with the servers); a rotation Lambda would change them behind terraform and the pods
  for_each                = toset(var.names)
  name                    = "${var.prefix}/${each.value}"
  description             = "Keys of the Kubernetes Secret ${each.value} (JSON)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each      = toset(var.names)
  secret_id     = aws_secretsmanager_secret.this[each.value].id
  secret_string = jsonencode(var.values[each.value])
}
