# Reads the kubectl manifests of the chosen function mode and returns them as Kubernetes
# objects keyed "apiVersion/kind/name", with the image and namespace of this deployment.
# Pure Terraform (no provider), so it evaluates offline: the tests render it and validate the
# result like the YAML files themselves.

variable "manifests_root" {
  description = "Directory holding knative/ and keda/ (the repository root)."
  type        = string
}

variable "function_mode" {
  description = "How the functions run: knative, redis-streams or rabbitmq."
  type        = string

  validation {
    condition     = contains(["knative", "redis-streams", "rabbitmq"], var.function_mode)
    error_message = "function_mode must be knative, redis-streams or rabbitmq."
  }
}

variable "image" {
  description = "Container image replacing the placeholder in the manifests."
  type        = string
}

variable "namespace" {
  description = "Namespace every object is placed in."
  type        = string
}

locals {
  placeholder_image = "ghcr.io/eco2/eco2:latest"

  # keda/core (router, gateway, API, analysis service, TriggerAuthentications) runs in every mode.
  directories = [
    "keda/core",
    var.function_mode == "knative" ? "knative" : "keda/${var.function_mode}",
  ]

  files = flatten([
    for dir in local.directories : [
      for file in sort(fileset("${var.manifests_root}/${dir}", "**/*.yaml")) :
      "${var.manifests_root}/${dir}/${file}" if basename(file) != "kustomization.yaml"
    ]
  ])

  # A comment-only chunk decodes to null and is dropped.
  documents = flatten([
    for file in local.files : [
      for doc in [
        for chunk in split("\n---\n", replace(file(file), local.placeholder_image, var.image)) :
        yamldecode(chunk)
      ] : doc if doc != null
    ]
  ])

  manifests = {
    for doc in local.documents :
    "${doc.apiVersion}/${doc.kind}/${doc.metadata.name}" => merge(doc, {
      metadata = merge(doc.metadata, { namespace = var.namespace })
    })
  }
}

output "manifests" {
  description = "Kubernetes objects keyed apiVersion/kind/name."
  value       = local.manifests
}

output "files" {
  description = "The manifest files read, for the record."
  value       = local.files
}
