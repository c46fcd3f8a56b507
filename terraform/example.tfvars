# terraform apply -var-file=example.tfvars   (values for a cluster running Redis and RabbitMQ
# in-cluster; put real credentials in a file you do not commit)
namespace               = "eco2"
image                   = "ghcr.io/eco2/eco2:latest"
function_mode           = "redis-streams"
redis_url               = "redis://redis-master.redis.svc:6379/0"
amqp_url                = "amqp://eco2:change-me@rabbitmq.rabbitmq.svc:5672/"
rabbitmq_management_url = "http://rabbitmq.rabbitmq.svc:15672"
database_url            = "postgresql+asyncpg://eco2:change-me@postgres.postgres.svc:5432/eco2"
llm_model               = "local"
