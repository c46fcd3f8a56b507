# The cloud half: network, cluster and the managed servers Eco² talks to, each in its module.
# Every credential is generated here and reaches the pods only through the Kubernetes Secrets of
# main.tf and the Secrets Manager copies below.

locals {
  tags             = merge(var.tags, { "app.kubernetes.io/part-of" = "eco2", "eco2.kr/deployment" = var.name })
  image_key_prefix = "images/" # ECO2_IMAGE__KEY_PREFIX: the store writes under it, the role allows only it
}

module "kms" {
  source = "./modules/kms"

  name = var.name
  tags = local.tags
}

module "network" {
  source = "./modules/network"

  name               = var.name
  cidr               = var.vpc_cidr
  zone_names         = [for z in var.zones : "${var.region}${z}"]
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = module.kms.key_arn
  tags               = local.tags
}

module "cluster" {
  source = "./modules/cluster"

  name                 = var.name
  kubernetes_version   = var.kubernetes_version
  private_subnet_ids   = module.network.private_subnet_ids
  public_access_cidrs  = var.public_access_cidrs
  admin_principal_arns = var.admin_principal_arns
  node_instance_types  = var.node_instance_types
  node_min_size        = var.node_min_size
  node_desired_size    = var.node_desired_size
  node_max_size        = var.node_max_size
  kms_key_arn          = module.kms.key_arn
  tags                 = local.tags
}

# Alphanumeric only: each goes into a URL (redis://, amqps://, postgresql://) unescaped.
resource "random_password" "redis" {
  length  = 40
  special = false
}

resource "random_password" "rabbitmq" {
  length  = 32
  special = false
}

resource "random_password" "postgres" {
  length  = 32
  special = false
}

# ECO2_AUTH__SECRET_KEY signs every token; the API and the gateway share it.
resource "random_password" "auth" {
  length  = 64
  special = false
}

module "redis" {
  source = "./modules/redis"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.cluster.security_group_id
  node_type                = var.redis_node_type
  replicas                 = var.redis_replicas
  auth_token               = random_password.redis.result
  kms_key_arn              = module.kms.key_arn
  tags                     = local.tags
}

module "rabbitmq" {
  source = "./modules/rabbitmq"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.cluster.security_group_id
  instance_type            = var.rabbitmq_instance_type
  deployment_mode          = var.rabbitmq_deployment_mode
  password                 = random_password.rabbitmq.result
  tags                     = local.tags
}

module "postgres" {
  source = "./modules/postgres"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.cluster.security_group_id
  instance_class           = var.postgres_instance_class
  multi_az                 = var.postgres_multi_az
  deletion_protection      = var.deletion_protection
  password                 = random_password.postgres.result
  kms_key_arn              = module.kms.key_arn
  tags                     = local.tags
}

module "images" {
  source = "./modules/images"

  name             = var.name
  bucket           = var.images_bucket
  key_prefix       = local.image_key_prefix
  cors_origins     = var.images_cors_origins
  kms_key_arn      = module.kms.key_arn
  cluster_name     = module.cluster.name
  namespace        = var.namespace
  service_accounts = var.images_service_accounts
  tags             = local.tags
}

module "secrets" {
  source = "./modules/secrets"

  prefix = "eco2/${var.name}"
  names  = ["eco2-secrets", "eco2-keda", "eco2-rabbitmq"]
  values = {
    eco2-secrets  = local.secret_env
    eco2-keda     = local.keda_secret
    eco2-rabbitmq = local.rabbitmq_secret
  }
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "registry" {
  source = "./modules/registry"

  name        = var.name
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}
