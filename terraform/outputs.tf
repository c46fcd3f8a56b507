output "cluster_name" {
  description = "EKS cluster: aws eks update-kubeconfig --name <this> --region <region>."
  value       = module.cluster.name
}

output "region" {
  description = "AWS region of everything."
  value       = var.region
}

output "namespace" {
  description = "Namespace holding Eco²."
  value       = kubernetes_namespace_v1.eco2.metadata[0].name
}

output "function_mode" {
  description = "How the functions run."
  value       = var.function_mode
}

output "objects" {
  description = "The Kubernetes objects of knative/ and keda/ for function_mode, as apiVersion/kind/name (installed when install_manifests)."
  value       = sort(keys(module.manifests.manifests))
}

output "gateway_service" {
  description = "In-cluster address of the SSE gateway."
  value       = "http://eco2-gateway.${var.namespace}.svc:8000"
}

output "api_service" {
  description = "In-cluster address of the API."
  value       = "http://eco2-api.${var.namespace}.svc:8000"
}

output "redis_endpoint" {
  description = "ElastiCache primary endpoint, host:port (TLS)."
  value       = local.redis_address
}

output "rabbitmq_console_url" {
  description = "Amazon MQ management console (user eco2; password in Secrets Manager)."
  value       = module.rabbitmq.console_url
}

output "postgres_host" {
  description = "RDS PostgreSQL address."
  value       = module.postgres.host
}

output "images_bucket" {
  description = "S3 bucket of the image store."
  value       = module.images.bucket
}

output "secrets_manager_arns" {
  description = "Secrets Manager copy of each Kubernetes Secret (JSON of its keys)."
  value       = module.secrets.arns
}

output "database_url" {
  description = "ECO2_DATABASE_URL, for a migration run from outside the cluster."
  value       = local.database_url
  sensitive   = true
}

output "image_repository" {
  description = "ECR repository of the image: make image IMAGE=<this>:<tag>, then docker push."
  value       = module.registry.url
}
