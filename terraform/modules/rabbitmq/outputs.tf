output "amqps_endpoint" {
  description = "amqps://host:5671 of the broker."
  value       = aws_mq_broker.this.instances[0].endpoints[0]
}

output "console_url" {
  description = "https:// base of the management API and console."
  value       = aws_mq_broker.this.instances[0].console_url
}

output "username" {
  description = "The broker's user for Eco²."
  value       = var.username
}
