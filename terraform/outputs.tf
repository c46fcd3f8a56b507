output "namespace" {
  description = "Namespace holding Eco²."
  value       = kubernetes_namespace_v1.eco2.metadata[0].name
}

output "function_mode" {
  description = "How the functions run."
  value       = var.function_mode
}

output "objects" {
  description = "The Kubernetes objects installed from knative/ and keda/, as apiVersion/kind/name."
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
