provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# The cluster this configuration creates, reached with a token from the AWS CLI (`aws eks
# get-token`), so no kubeconfig is needed and the credentials are those terraform runs with.
provider "kubernetes" {
  host                   = module.cluster.endpoint
  cluster_ca_certificate = base64decode(module.cluster.certificate_authority)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.cluster.name, "--region", var.region]
  }
}
