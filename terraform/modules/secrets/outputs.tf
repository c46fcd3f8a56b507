output "arns" {
  description = "ARN of each secret by name."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}
