output "host" {
  description = "Primary endpoint (TLS)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Port of the primary endpoint."
  value       = aws_elasticache_replication_group.this.port
}
